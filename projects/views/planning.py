"""The plan: work packages, milestones and the timeline."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from projects.forms.planning import MilestoneAchieveForm
from projects.history import history_entries
from projects.models import Deliverable, Milestone, Progress, WorkPackage
from projects.permissions import (
    Access,
    access_milestone,
    access_project,
    access_work_package,
    can_plan,
)
from projects.timeline import build_plan, build_timeline

PAGE_SIZE = 50


COUNT, DONE = "deliverable_count", "done_count"  # a work package's deliverables, and done ones


@login_required
@require_GET
def workpackage_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    # One query for the page's rows: the lead's name by join, the deliverable counts by
    # aggregation (both counts over the same join, so no fan-out between them).
    work_packages = (
        WorkPackage.objects.filter(project=access.project)
        .select_related("lead__organisation")
        .annotate(
            **{
                COUNT: Count("deliverables"),
                DONE: Count(
                    "deliverables", filter=Q(deliverables__status__in=Deliverable.DONE_STATUSES)
                ),
            }
        )
        .order_by("number")
    )
    page = Paginator(work_packages, PAGE_SIZE).get_page(request.GET.get("page"))
    # The counts are annotations, not fields: read back by name.
    rows = [(wp, Progress(done=getattr(wp, DONE), total=getattr(wp, COUNT)).percent) for wp in page]
    return render(
        request,
        "projects/workpackage_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "workpackages",
            "page_obj": page,
            "rows": rows,
        },
    )


@login_required
@require_GET
def workpackage_detail(request: AuthenticatedRequest, slug: str, number: int) -> HttpResponse:
    access, work_package = access_work_package(request.user, slug, number)
    project = access.project
    today = timezone.localdate()
    deliverables = list(
        work_package.deliverables.select_related("lead__organisation").order_by("sort_key")
    )
    progress = Progress.of(deliverables)
    milestones = list(
        work_package.milestones.prefetch_related(
            Prefetch("work_packages", queryset=WorkPackage.objects.order_by("number"))
        ).order_by("sort_key")
    )
    risks = list(work_package.risks.select_related("owner__organisation").order_by("number"))
    return render(
        request,
        "projects/workpackage_detail.html",
        {
            "project": project,
            "access": access,
            "section": "workpackages",
            "work_package": work_package,
            "start_date": project.month_start(work_package.start_month),
            "end_date": project.month_end(work_package.end_month),
            "deliverables": deliverables,
            "done_count": progress.done,
            "progress": progress.percent,
            "milestone_rows": [(m, m.is_overdue(today)) for m in milestones],
            "risks": risks,
            "today": today,
        },
    )


def _milestones(project_id: int) -> QuerySet[Milestone]:
    """A project's milestones in number order, each with its work packages (one more query)."""
    return (
        Milestone.objects.filter(project_id=project_id)
        .prefetch_related(
            Prefetch("work_packages", queryset=WorkPackage.objects.order_by("number"))
        )
        .order_by("sort_key")
    )


@login_required
@require_GET
def milestone_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    today = timezone.localdate()
    page = Paginator(_milestones(access.project.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/milestone_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "milestones",
            "page_obj": page,
            "rows": [(m, m.is_overdue(today)) for m in page],
            "today": today,
        },
    )


def _milestone_page(
    request: AuthenticatedRequest,
    access: Access,
    milestone: Milestone,
    *,
    today: dt.date,
    form: MilestoneAchieveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The milestone's page; after a refused POST, with the bound form and its errors."""
    # A refused form is shown whatever the state, so its errors are seen (e.g. "already achieved"
    # after a double submit).
    show_form = form is not None or (can_plan(access) and not milestone.is_achieved)
    if show_form and form is None:
        form = MilestoneAchieveForm(today=today, project=access.project)
    return render(
        request,
        "projects/milestone_detail.html",
        {
            "project": access.project,
            "access": access,
            "section": "milestones",
            "milestone": milestone,
            "work_packages": list(milestone.work_packages.order_by("number")),
            "is_overdue": milestone.is_overdue(today),
            "form": form if show_form else None,
            "history": history_entries(milestone),
            "today": today,
        },
        status=status,
    )


@login_required
@require_GET
def milestone_detail(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, milestone = access_milestone(request.user, slug, number)
    return _milestone_page(request, access, milestone, today=timezone.localdate())


@login_required
@require_POST
def milestone_achieve(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, milestone = access_milestone(request.user, slug, number)
    access.require(can_plan(access), gettext("Only the coordinator marks milestones achieved."))
    today = timezone.localdate()
    form = MilestoneAchieveForm(request.POST, today=today, project=access.project)
    if form.is_valid():
        try:
            milestone.mark_achieved(
                on=form.cleaned_data["achieved_date"],
                note=form.cleaned_data["achievement_note"],
                today=today,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, gettext("%(number)s marked achieved.") % {"number": milestone.number}
            )
            return redirect(milestone)
    # Re-read so the page shows what is stored, whatever mark_achieved did to the instance
    # before refusing.
    milestone.refresh_from_db()
    return _milestone_page(request, access, milestone, today=today, form=form, status=422)


@login_required
@require_GET
def timeline(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    project = access.project
    today = timezone.localdate()
    # Four queries whatever the plan's size: work packages, deliverables, milestones and their
    # work packages (prefetched). The geometry is computed from these in projects.timeline.
    work_packages = list(
        WorkPackage.objects.filter(project=project)
        .select_related("lead__organisation")
        .order_by("number")
    )
    deliverables = list(
        Deliverable.objects.filter(project=project)
        .only("number", "title", "due_month", "work_package_id", "sort_key")
        .order_by("sort_key")
    )
    milestones = list(_milestones(project.pk))
    picture = build_timeline(
        duration_months=project.duration_months,
        work_packages=work_packages,
        deliverables=deliverables,
        milestones=milestones,
        today_month=project.month_of(today),
    )
    # The same plan as a table, grouped from the rows already fetched.
    plan = build_plan(
        project, work_packages=work_packages, deliverables=deliverables, milestones=milestones
    )
    return render(
        request,
        "projects/timeline.html",
        {
            "project": project,
            "access": access,
            "section": "timeline",
            "timeline": picture,
            "plan": plan,
            "today": today,
            "today_month": project.month_of(today),
        },
    )
