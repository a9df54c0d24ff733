"""Good practices: the cases of socially responsible procurement the consortium collects, their
list (filtered, by page), each case's page, recording and editing them."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from procurement.forms.practices import GoodPracticeFilter, GoodPracticeForm
from procurement.models import GoodPractice, PlanAction
from procurement.permissions import access_good_practice, can_change_good_practice, can_record
from projects.paging import paginate
from projects.permissions import Access, access_project

PAGE_SIZE = 25


def _context(access: Access, **context: Any) -> dict[str, Any]:
    return {
        "project": access.project,
        "access": access,
        "section": "procurement",
        "subsection": "practices",
        **context,
    }


@login_required
@require_GET
def good_practice_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    filterset = GoodPracticeFilter(
        request.GET or None,
        queryset=GoodPractice.objects.filter(project=access.project)
        .select_related("recorded_by__organisation", "found_at")
        # Titles repeat across countries: the pk keeps the pages apart.
        .order_by("title", "pk"),
        project=access.project,
    )
    page, query = paginate(request, filterset.qs, PAGE_SIZE)
    return render(
        request,
        "procurement/good_practice_list.html",
        _context(
            access,
            filter=filterset,
            page_obj=page,
            query=query,
            is_filtered=filterset.is_bound,
            can_record=can_record(access),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def good_practice_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(can_record(access), gettext("Observers cannot record good practices."))
    form = GoodPracticeForm(
        request.POST or None, instance=GoodPractice(project=access.project), access=access
    )
    if request.method == "POST" and form.is_valid():
        practice = form.save()
        messages.success(request, gettext("%(title)s recorded.") % {"title": practice.title})
        return redirect(practice)
    return render(
        request,
        "procurement/good_practice_form.html",
        _context(access, form=form),
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def good_practice_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, practice = access_good_practice(request.user, slug, pk)
    # The actions that draw on it, with their plans: the way back to the local pilots.
    actions = list(
        PlanAction.objects.filter(good_practices=practice)
        .select_related("plan__partner__organisation")
        .order_by("plan__partner__number", "plan__pk", "number")
    )
    return render(
        request,
        "procurement/good_practice_detail.html",
        _context(
            access,
            practice=practice,
            actions=actions,
            can_change=can_change_good_practice(access, practice),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def good_practice_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, practice = access_good_practice(request.user, slug, pk)
    access.require(
        can_change_good_practice(access, practice),
        gettext("Only the coordinator and the partner that recorded it edit this case."),
    )
    # The form edits a copy: after refused input the page still names the stored case.
    form = GoodPracticeForm(request.POST or None, instance=copy.copy(practice), access=access)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("%(title)s saved.") % {"title": form.instance.title})
        return redirect(practice)
    return render(
        request,
        "procurement/good_practice_form.html",
        _context(access, form=form, practice=practice),
        status=422 if request.method == "POST" else 200,
    )
