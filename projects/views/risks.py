"""The risk register: the list with its likelihood x impact matrix, each risk's page, raising and
editing risks (no lost updates), and dated reviews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.filters import RiskFilter
from projects.forms.risks import RiskEditForm, RiskForm, RiskReviewForm
from projects.history import history_entries
from projects.models import Level, Risk, StaleEdit
from projects.paging import paginate
from projects.permissions import Access, access_project, access_risk
from projects.workflows import review_risk

PAGE_SIZE = 50
STALE_MESSAGE = (
    "Someone else changed this risk while you were editing it. Your changes are below, not "
    "saved: compare them with the saved version, then save again to replace it."
)


@dataclass(frozen=True)
class MatrixCell:
    likelihood: Level
    impact: Level
    count: int
    level: str  # low, medium or high: the cell's colour, as Risk.level
    query: str  # the list's query string filtered to this cell


def risk_matrix(counts: dict[tuple[int, int], int], query: QueryDict) -> list[list[MatrixCell]]:
    """The 3 x 3 matrix: likelihood rows from high to low, impact columns from low to high.

    `counts` maps (likelihood, impact) to a number of risks; `query` is the list's current filter,
    kept in each cell's link with likelihood and impact replaced.
    """
    rows = []
    for likelihood in reversed(Level):
        row = []
        for impact in Level:
            cell_query = query.copy()
            cell_query.pop("page", None)
            cell_query["likelihood"], cell_query["impact"] = str(likelihood), str(impact)
            row.append(
                MatrixCell(
                    likelihood=likelihood,
                    impact=impact,
                    count=counts.get((likelihood, impact), 0),
                    level=Risk(likelihood=likelihood, impact=impact).level,
                    query=cell_query.urlencode(),
                )
            )
        rows.append(row)
    return rows


@login_required
@require_GET
def risk_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)  # type: ignore[arg-type]
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
        for row in risks.active()  # type: ignore[attr-defined]
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
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)  # type: ignore[arg-type]
    access.require(access.can_raise_risk, "Observers cannot raise risks.")
    form = RiskForm(
        request.POST or None,
        instance=Risk(project=access.project, raised_by=request.user),  # type: ignore[misc]
        access=access,
    )
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                risk = form.save(commit=False)
                risk._change_reason = "Raised"  # type: ignore[attr-defined]
                risk.save()
                # Setting the work packages writes a second history record (the first has none:
                # the row did not exist yet). It is bookkeeping, not a second "Raised".
                del risk._change_reason  # type: ignore[attr-defined]
                form.save_m2m()
            messages.success(request, f"{risk.code} added to the register.")
            return redirect(risk)
        status = 422
    else:
        status = 200
    return render(
        request,
        "projects/risk_form.html",
        {"project": access.project, "access": access, "section": "risks", "form": form},
        status=status,
    )


def _risk_page(
    request: HttpRequest,
    access: Access,
    risk: Risk,
    *,
    today: dt.date,
    review_form: RiskReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The risk's page; after a refused review, with the bound form and its errors."""
    can_update = access.can_update_risk(risk)
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
def risk_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    access, risk = access_risk(request.user, slug, number)  # type: ignore[arg-type]
    return _risk_page(request, access, risk, today=timezone.localdate())


def _saved_facts(risk: Risk) -> list[tuple[str, Any]]:
    """What is stored now, for the fields of the edit form: shown next to refused input."""
    return [
        ("Title", risk.title),
        ("Description", risk.description),
        ("Category", risk.get_category_display()),
        ("Work packages", ", ".join(wp.code for wp in risk.work_packages.order_by("number"))),
        ("Mitigation measures", risk.mitigation),
        ("Owner", risk.owner),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    access, risk = access_risk(request.user, slug, number)  # type: ignore[arg-type]
    access.require(
        access.can_update_risk(risk), "Only the coordinator and the owner's staff edit this risk."
    )
    form = RiskEditForm(request.POST or None, instance=risk, access=access)
    context: dict[str, Any] = {
        "project": access.project,
        "access": access,
        "section": "risks",
        "risk": risk,
    }
    if request.method == "GET":
        return render(request, "projects/risk_form.html", {**context, "form": form})
    if not form.is_valid():
        return render(request, "projects/risk_form.html", {**context, "form": form}, status=422)
    try:
        # The fields and the work packages in one transaction: a refused save leaves both as
        # they were.
        with transaction.atomic():
            # Lock the row first, so concurrent saves queue here instead of interleaving their
            # work package writes; save_edit below then refuses all but the first.
            Risk.objects.select_for_update().only("pk").get(pk=risk.pk)
            risk = form.save(commit=False)
            # The work packages before the fields and without a history record of their own
            # (set() would write one for the removals and one for the additions): the one
            # record save_edit writes then holds the fields and the work packages together.
            risk.skip_history_when_saving = True  # type: ignore[attr-defined]
            try:
                form.save_m2m()
            finally:
                del risk.skip_history_when_saving  # type: ignore[attr-defined]
            risk.save_edit(
                form.cleaned_data["version"], reason=form.cleaned_data["change_reason"] or "Edited"
            )
    except StaleEdit:
        # Someone saved since this form was loaded. Show their version next to this user's input,
        # unsaved; the form now carries the current version, so saving again is a deliberate
        # choice to replace what the other person wrote.
        access, current = access_risk(request.user, slug, number)  # type: ignore[arg-type]
        access.require(
            access.can_update_risk(current), "The risk has been given to another partner."
        )
        saved = _saved_facts(current)
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = RiskEditForm(data, instance=current, access=access)
        return render(
            request,
            "projects/risk_form.html",
            {**context, "risk": current, "form": form, "stale": STALE_MESSAGE, "saved": saved},
            status=409,
        )
    messages.success(request, f"{risk.code} saved.")
    return redirect(risk)


@login_required
@require_POST
def risk_review_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    access, risk = access_risk(request.user, slug, number)  # type: ignore[arg-type]
    access.require(
        access.can_update_risk(risk), "Only the coordinator and the owner's staff review this risk."
    )
    today = timezone.localdate()
    form = RiskReviewForm(request.POST, risk=risk, today=today)
    if not form.is_valid():
        return _risk_page(request, access, risk, today=today, review_form=form, status=422)
    _review, applied = review_risk(
        risk,
        by=request.user,  # type: ignore[arg-type]
        review_date=form.cleaned_data["review_date"],
        likelihood=form.cleaned_data["likelihood"],
        impact=form.cleaned_data["impact"],
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
    )
    if applied:
        messages.success(request, f"Review of {risk.code} recorded; its scores are updated.")
    else:
        messages.success(
            request,
            f"Review of {risk.code} recorded. A later review still sets its current scores.",
        )
    return redirect(risk)
