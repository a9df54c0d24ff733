"""Event times in the event's own zone, and the project dashboard's events panel.

Django's `date` filter converts an aware datetime to the site's zone first; an event's times are
shown in the zone where it happens instead, with that zone named, so these filters format them
without converting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db.models import F
from django.utils import dateformat, timezone

from events.models import Event, Outcome
from projects.models import Project

register = template.Library()

DASH = "\N{EN DASH}"
PANEL_EVENTS = 5
PANEL_ACTIONS = 10


@register.filter
def when(event: Event) -> str:
    """'Friday 22 March 2024, 09:00-15:30 CET (Europe/Brussels)' (an en dash between the
    times); both dates if it spans days."""
    start, end = event.local_start, event.local_end
    if start.date() == end.date():
        span = f"{dateformat.format(start, 'l j F Y, H:i')}{DASH}{dateformat.format(end, 'H:i')}"
    else:
        first, last = dateformat.format(start, "j F Y, H:i"), dateformat.format(end, "j F Y, H:i")
        span = f"{first} {DASH} {last}"
    return f"{span} {start.tzname()} ({event.time_zone})"


@register.filter
def event_day(event: Event) -> str:
    """The first day, in the event's zone: 'Fri 22 Mar 2024'."""
    return dateformat.format(event.local_start, "D j M Y")


@register.filter
def at_event(value: dt.datetime | None, event: Event) -> str:
    """A time of the event's programme, in the event's zone: '09:30'."""
    if value is None:
        return ""
    return dateformat.format(timezone.localtime(value, event.zone), "H:i")


@register.inclusion_tag("events/includes/dashboard_panel.html")
def project_events_panel(project: Project, today: dt.date) -> dict[str, Any]:
    """The next events and the open action items of `project`: two queries with a limit, so the
    dashboard costs the same however many events the project has."""
    start_of_today = dt.datetime.combine(today, dt.time(), timezone.get_current_timezone())
    next_events = list(
        Event.objects.filter(project=project)
        .upcoming(start_of_today)
        .select_related("organiser__organisation")
        .order_by("starts_at", "pk")[:PANEL_EVENTS]
    )
    actions = list(
        Outcome.objects.in_project(project)
        .open()
        .select_related("event", "owner__organisation")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:PANEL_ACTIONS]
    )
    for action in actions:
        action.event.project = project  # for its address, without a query per row
    return {"project": project, "today": today, "next_events": next_events, "actions": actions}


@register.filter
def is_overdue_on(outcome: Outcome, today: dt.date) -> bool:
    return outcome.is_overdue(today)
