"""The procurement register on other apps' pages: the project dashboard's clause outcomes panel
(a higher app's panel on a lower app's page, as events_tags.project_events_panel is)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db.models import Exists, OuterRef, Q, Subquery

from procurement.models import ClauseOutcome, Contract, SocialClause
from procurement.permissions import can_validate_outcome, tenders_kept_by
from projects.models import current_period
from projects.permissions import Access

register = template.Library()

PANEL_ROWS = 10


@register.inclusion_tag("procurement/includes/outcomes_panel.html")
def procurement_outcomes_panel(access: Access, today: dt.date) -> dict[str, Any]:
    """What the viewer has to do about clause outcomes. A partner: its organisation's clauses
    (on tenders it keeps, whose contract has started by the end of the current period) with no
    outcome for that period yet, or only a draft. The coordinator: the outcomes waiting for
    validation. Observers: nothing. A fixed number of queries with a limit (partner 2, the
    coordinator 1, an observer none), whatever the register holds."""
    project = access.project
    context: dict[str, Any] = {"project": project, "show_due": False, "show_waiting": False}
    if can_validate_outcome(access):
        waiting = list(
            ClauseOutcome.objects.filter(
                clause__tender__project=project, status=ClauseOutcome.Status.SUBMITTED
            )
            .select_related("clause__tender", "clause__lot", "period")
            .order_by("submitted_at", "pk")[: PANEL_ROWS + 1]
        )
        context.update(
            show_waiting=True, waiting=waiting[:PANEL_ROWS], more=len(waiting) > PANEL_ROWS
        )
    elif access.is_partner and access.membership.partner is not None:
        period = current_period(project, today)
        context.update(show_due=True, period=period, due=[], more=False)
        if period is not None:
            due = _due_clauses(access, period.pk, period.end_date)
            context.update(due=due[:PANEL_ROWS], more=len(due) > PANEL_ROWS)
    return context


def _due_clauses(access: Access, period_id: int, period_end: dt.date) -> list[SocialClause]:
    """The clauses of tenders `access` keeps still to report for the period (missing or a draft),
    each with `draft_pk` (its draft's id, or None), in one query."""
    # A contract running by the end of the period: ClauseOutcome.clean() refuses an outcome for
    # a period that ended before it started, or without one. A clause on a lot needs that lot's
    # contract; a clause on the whole tender, any of the tender's.
    whole_tender_running = Exists(
        Contract.objects.filter(lot__tender_id=OuterRef("tender_id"), start_date__lte=period_end)
    )
    running = (Q(lot__isnull=True) & whole_tender_running) | Q(
        lot__contract__start_date__lte=period_end
    )
    this_period = ClauseOutcome.objects.filter(clause_id=OuterRef("pk"), period_id=period_id)
    return list(
        SocialClause.objects.filter(tender__project=access.project)
        .filter(tenders_kept_by(access, prefix="tender__"), running)
        .exclude(Exists(this_period.exclude(status=ClauseOutcome.Status.DRAFT)))
        .annotate(draft_pk=Subquery(this_period.values("pk")[:1]))
        .select_related("tender", "lot")
        .order_by("tender__reference", "tender_id", "lot__number", "pk")[: PANEL_ROWS + 1]
    )
