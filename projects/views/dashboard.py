"""The start page (a user's projects) and each project's dashboard."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from projects.models import Deliverable, DeliverableQuerySet, Membership, Milestone, Risk
from projects.permissions import access_project

SOON = dt.timedelta(days=30)
LIST_LIMIT = 10


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user, is_active=True).select_related(
            "project", "partner__organisation"
        )
    )
    # Someone in one project lands straight in it.
    if len(memberships) == 1:
        return redirect(memberships[0].project)
    return render(request, "projects/home.html", {"memberships": memberships})


@login_required
@require_GET
def project_dashboard(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    project, today = access.project, timezone.localdate()
    deliverables = Deliverable.objects.filter(project=project).for_lists()
    open_ = DeliverableQuerySet.open_condition()
    groups = {
        "in_review": Q(status=Deliverable.Status.IN_REVIEW),
        "overdue": DeliverableQuerySet.overdue_condition(today),
        "upcoming": open_ & Q(due_date__gte=today, due_date__lte=today + 2 * SOON),
    }
    if access.is_partner or access.is_coordinator:
        # What needs the viewer's organisation: due soon or sent back, and not waiting on review.
        groups["mine"] = (
            open_
            & Q(lead_id=access.partner_id)
            & (Q(due_date__lte=today + SOON) | Q(status=Deliverable.Status.CHANGES_REQUESTED))
            & ~Q(status=Deliverable.Status.IN_REVIEW)
        )
    # The four deliverable lists in one query; each other block is one query with a limit: the
    # page costs the same for 5 or 5,000 rows.
    lists = deliverables.first_of_each(
        groups, order=("due_date", "sort_key", "pk"), limit=LIST_LIMIT
    )
    context = {
        "project": project,
        "access": access,
        "section": "dashboard",
        "today": today,
        "month": project.month_of(today),
        "show_mine": "mine" in groups,
        "mine": lists.get("mine", []),
        "in_review": lists["in_review"],
        "overdue": lists["overdue"],
        "upcoming": lists["upcoming"],
        "milestones": list(
            Milestone.objects.filter(project=project)
            .pending()
            .filter(due_date__lte=today + 2 * SOON)
            .order_by("due_date")[:LIST_LIMIT]
        ),
        "high_risks": list(
            Risk.objects.filter(project=project)
            .scored_high()
            .select_related("owner__organisation")
            .highest_first()[:LIST_LIMIT]
        ),
        "recent": list(
            Deliverable.history.filter(project_id=project.pk)
            .select_related("history_user")
            .order_by("-history_date")[:LIST_LIMIT]
        ),
    }
    return render(request, "projects/dashboard.html", context)
