"""Local action plans: the list, each plan's page (the SRPP thread from the roundtable that
adopted it, through its actions, to the tenders they led to and those tenders' clauses), and
recording plans and their actions."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from procurement.forms.plans import LocalActionPlanForm, PlanActionForm
from procurement.models import GoodPractice, LocalActionPlan, PlanAction, SocialClause
from procurement.permissions import (
    access_action_plan,
    access_plan_action,
    can_change_plan,
    can_record,
)
from projects.history import history_entries
from projects.models import StaleEdit
from projects.paging import paginate
from projects.permissions import Access, access_project

PAGE_SIZE = 50
# Translated where it is shown (gettext), in the language of the person reading.
STALE_MESSAGE = gettext_noop(
    "Someone else saved this plan while you were editing it. Your changes are below and are "
    "not saved: compare them with the plan's page, then save again to keep yours."
)


def _context(access: Access, **context: Any) -> dict[str, Any]:
    return {
        "project": access.project,
        "access": access,
        "section": "procurement",
        "subsection": "plans",
        **context,
    }


@login_required
@require_GET
def action_plan_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    plans = (
        LocalActionPlan.objects.filter(project=access.project)
        .select_related("partner__organisation", "adopted_at")
        # Both counts in the rows' own query (one GROUP BY), not one query per plan.
        .annotate(
            action_count=Count("actions", distinct=True),
            tender_count=Count("actions__tender", distinct=True),
        )
        .order_by("partner__number", "adopted_on", "pk")
    )
    page, query = paginate(request, plans, PAGE_SIZE)
    return render(
        request,
        "procurement/action_plan_list.html",
        _context(access, page_obj=page, query=query, can_record=can_record(access)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(can_record(access), gettext("Observers cannot record local action plans."))
    form = LocalActionPlanForm(
        request.POST or None, instance=LocalActionPlan(project=access.project), access=access
    )
    if request.method == "POST" and form.is_valid():
        # History reasons are stored, so in English (marked for the page that translates them).
        plan = form.save_edit(reason=gettext_noop("Created"))
        messages.success(request, gettext("%(title)s recorded.") % {"title": plan.title})
        return redirect(plan)
    return render(
        request,
        "procurement/action_plan_form.html",
        _context(access, form=form),
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def action_plan_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, plan = access_action_plan(request.user, slug, pk)
    # Three queries whatever the plan's length: the actions with their tenders, the tenders'
    # clauses (with their lots), the good practices the actions draw on.
    actions = list(
        plan.actions.select_related("tender").prefetch_related(
            Prefetch(
                "tender__clauses",
                queryset=SocialClause.objects.select_related("lot").order_by("lot__number", "pk"),
            ),
            Prefetch("good_practices", queryset=GoodPractice.objects.order_by("title", "pk")),
        )
    )
    for action in actions:
        action.plan = plan  # its due date reads the project's months
    return render(
        request,
        "procurement/action_plan_detail.html",
        _context(
            access,
            plan=plan,
            actions=actions,
            can_change=can_change_plan(access, plan),
            history=history_entries(plan),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, plan = access_action_plan(request.user, slug, pk)
    access.require(
        can_change_plan(access, plan),
        gettext("Only the coordinator and the plan's partner edit this plan."),
    )
    # The form edits a copy: after refused input the page still names the stored plan.
    form = LocalActionPlanForm(request.POST or None, instance=copy.copy(plan), access=access)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                form.save_edit(reason=gettext_noop("Edited"))
            except StaleEdit:
                # Their input again, against the current version: saving again is a deliberate
                # overwrite, not another refusal.
                plan.refresh_from_db()
                access.require(
                    can_change_plan(access, plan),
                    gettext("The plan has been given to another partner."),
                )
                form = form.against(copy.copy(plan), gettext(STALE_MESSAGE))
                status = 409
            else:
                messages.success(
                    request, gettext("%(title)s saved.") % {"title": form.instance.title}
                )
                return redirect(plan)
    return render(
        request,
        "procurement/action_plan_form.html",
        _context(access, form=form, plan=plan),
        status=status,
    )


def _save_action(form: PlanActionForm) -> PlanAction | None:
    """Save the action, or None when another action took its number meanwhile (the form then
    says so on the number)."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("number", form.number_taken(form.cleaned_data["number"]))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def plan_action_create(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, plan = access_action_plan(request.user, slug, pk)
    access.require(
        can_change_plan(access, plan),
        gettext("Only the coordinator and the plan's partner add actions to this plan."),
    )
    form = PlanActionForm(request.POST or None, instance=PlanAction(plan=plan), plan=plan)
    if request.method == "POST" and form.is_valid():
        action = _save_action(form)
        if action is not None:
            messages.success(
                request,
                gettext("Action %(number)s added to %(plan)s.")
                % {"number": action.number, "plan": plan.title},
            )
            return redirect(plan)
    return render(
        request,
        "procurement/plan_action_form.html",
        _context(access, form=form, plan=plan),
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_action_edit(
    request: AuthenticatedRequest, slug: str, pk: int, number: int
) -> HttpResponse:
    access, action = access_plan_action(request.user, slug, pk, number)
    plan = action.plan
    access.require(
        can_change_plan(access, plan),
        gettext("Only the coordinator and the plan's partner edit this plan's actions."),
    )
    # A copy, as for the plan: after refused input the page still names the stored action.
    form = PlanActionForm(request.POST or None, instance=copy.copy(action), plan=plan)
    if request.method == "POST" and form.is_valid():
        saved = _save_action(form)
        if saved is not None:
            messages.success(
                request,
                gettext("Action %(number)s of %(plan)s saved.")
                % {"number": saved.number, "plan": plan.title},
            )
            return redirect(plan)
    return render(
        request,
        "procurement/plan_action_form.html",
        _context(access, form=form, plan=plan, action=action),
        status=422 if request.method == "POST" else 200,
    )
