"""The risk register: the list with its likelihood x impact matrix, each risk's page, raising and
editing risks (no lost updates), and dated reviews."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Field
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from projects.filters import RiskFilter
from projects.forms.risks import RiskEditForm, RiskForm, RiskReviewForm
from projects.history import history_entries
from projects.models import Level, Risk, StaleEdit
from projects.paging import paginate
from projects.permissions import (
    Access,
    access_project,
    access_risk,
    can_raise_risk,
    can_update_risk,
)
from projects.risks import risk_matrix
from projects.workflows import review_risk

PAGE_SIZE = 50
# Translated where it is shown (gettext), in the language of the person reading.
STALE_MESSAGE = gettext_noop(
    "Someone else changed this risk while you were editing it. Your changes are below, not "
    "saved: compare them with the saved version, then save again to replace it."
)


@login_required
@require_GET
def risk_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    today = timezone.localdate()
    filterset = RiskFilter(
        request.GET or None,
        queryset=Risk.objects.filter(project=access.project)
        .select_related("owner__organisation")
        .order_by("number"),
        project=access.project,
        today=today,
    )
    risks = filterset.qs
    page, query = paginate(request, risks, PAGE_SIZE)
    # One GROUP BY query for the matrix; order_by() drops the default ordering, which would
    # otherwise join the GROUP BY and split the counts.
    counts = {
        (row["likelihood"], row["impact"]): row["count"]
        for row in risks.active()
        .order_by()
        .values("likelihood", "impact")
        .annotate(count=Count("pk"))
    }
    return render(
        request,
        "projects/risk_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "risks",
            "filter": filterset,
            "page_obj": page,
            "query": query,
            "matrix": risk_matrix(counts, request.GET),
            "impact_levels": list(Level),
            "active_count": sum(counts.values()),
            "can_raise": can_raise_risk(access),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(can_raise_risk(access), gettext("Observers cannot raise risks."))
    form = RiskForm(
        request.POST or None,
        instance=Risk(project=access.project, raised_by=request.user),
        access=access,
    )
    if request.method == "POST" and form.is_valid():
        risk = form.save_edit(reason=gettext_noop("Raised"))  # stored with the history: English
        messages.success(request, gettext("%(risk)s added to the register.") % {"risk": risk.code})
        return redirect(risk)
    return render(
        request,
        "projects/risk_form.html",
        {"project": access.project, "access": access, "section": "risks", "form": form},
        status=422 if request.method == "POST" else 200,
    )


def _risk_page(
    request: AuthenticatedRequest,
    access: Access,
    risk: Risk,
    *,
    today: dt.date,
    review_form: RiskReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The risk's page; after a refused review, with the bound form and its errors."""
    can_update = can_update_risk(access, risk)
    if can_update and review_form is None:
        review_form = RiskReviewForm(risk=risk, today=today)
    return render(
        request,
        "projects/risk_detail.html",
        {
            "project": access.project,
            "access": access,
            "section": "risks",
            "risk": risk,
            "can_update": can_update,
            "work_packages": list(risk.work_packages.order_by("number")),
            "reviews": list(
                risk.reviews.select_related("reviewed_by").order_by("-review_date", "-pk")
            ),
            "form": review_form if can_update else None,
            "history": history_entries(risk),
            "today": today,
        },
        status=status,
    )


@login_required
@require_GET
def risk_detail(request: AuthenticatedRequest, slug: str, number: int) -> HttpResponse:
    access, risk = access_risk(request.user, slug, number)
    return _risk_page(request, access, risk, today=timezone.localdate())


def _saved_facts(risk: Risk) -> list[tuple[str, Any]]:
    """What is stored now, for the fields of the edit form: shown next to refused input, each
    named as the form names it (the field's verbose name)."""

    def label(name: str) -> str:
        field = Risk._meta.get_field(name)
        assert isinstance(field, Field)  # a field of the model's own, not a reverse relation
        return capfirst(str(field.verbose_name))

    return [
        (label("title"), risk.title),
        (label("description"), risk.description),
        (label("category"), risk.get_category_display()),
        (
            label("work_packages"),
            ", ".join(wp.code for wp in risk.work_packages.order_by("number")),
        ),
        (label("mitigation"), risk.mitigation),
        (label("owner"), risk.owner),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: AuthenticatedRequest, slug: str, number: int) -> HttpResponse:
    access, risk = access_risk(request.user, slug, number)
    access.require(
        can_update_risk(access, risk),
        gettext("Only the coordinator and the owner's staff edit this risk."),
    )
    # The form edits a copy: after refused input the page still shows the stored risk.
    form = RiskEditForm(request.POST or None, instance=copy.copy(risk), access=access)
    context: dict[str, Any] = {
        "project": access.project,
        "access": access,
        "section": "risks",
        "risk": risk,
        "form": form,
    }
    if request.method == "GET":
        return render(request, "projects/risk_form.html", context)
    if not form.is_valid():
        return render(request, "projects/risk_form.html", context, status=422)
    try:
        form.save_edit(reason=form.cleaned_data["change_reason"] or gettext_noop("Edited"))
    except StaleEdit:
        # Someone saved since this form was loaded. Show their version next to this user's input,
        # unsaved; the form now carries the current version, so saving again is a deliberate
        # choice to replace what the other person wrote.
        risk.refresh_from_db()
        access.require(
            can_update_risk(access, risk), gettext("The risk has been given to another partner.")
        )
        context.update(
            form=form.against(copy.copy(risk), gettext(STALE_MESSAGE)), saved=_saved_facts(risk)
        )
        return render(request, "projects/risk_form.html", context, status=409)
    messages.success(request, gettext("%(risk)s saved.") % {"risk": risk.code})
    return redirect(risk)


@login_required
@require_POST
def risk_review_add(request: AuthenticatedRequest, slug: str, number: int) -> HttpResponse:
    access, risk = access_risk(request.user, slug, number)
    access.require(
        can_update_risk(access, risk),
        gettext("Only the coordinator and the owner's staff review this risk."),
    )
    today = timezone.localdate()
    form = RiskReviewForm(request.POST, risk=risk, today=today)
    if not form.is_valid():
        return _risk_page(request, access, risk, today=today, review_form=form, status=422)
    _review, applied = review_risk(
        risk,
        by=request.user,
        review_date=form.cleaned_data["review_date"],
        likelihood=form.cleaned_data["likelihood"],
        impact=form.cleaned_data["impact"],
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
    )
    if applied:
        messages.success(
            request,
            gettext("Review of %(risk)s recorded; its scores are updated.") % {"risk": risk.code},
        )
    else:
        messages.success(
            request,
            gettext("Review of %(risk)s recorded. A later review still sets its current scores.")
            % {"risk": risk.code},
        )
    return redirect(risk)
