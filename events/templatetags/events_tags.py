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
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import pgettext

from events.models import Event, Outcome
from projects.models import Project

register = template.Library()

DASH = "\N{EN DASH}"
PANEL_EVENTS = 5
PANEL_ACTIONS = 10


def _with_weekday(value: dt.datetime, weekday_format: str, date_named_format: str) -> str:
    """The day's name, then the date or date and time in the language's format."""
    # Translators: a day's name before a date, "Friday 22 March 2024, 09:00" or
    # "Fri 22 Mar 2024"; reorder or punctuate as the language writes it.
    return pgettext("weekday before a date", "%(weekday)s %(date)s") % {
        "weekday": date_format(value, weekday_format),
        "date": date_format(value, date_named_format),
    }


@register.filter
def when(event: Event) -> str:
    """'Friday 22 March 2024, 09:00-15:30 CET (Europe/Brussels)' (an en dash between the
    times); both dates if it spans days. In the language's own date formats; the times as
    they are in the event's zone (formatting does not convert)."""
    start, end = event.local_start, event.local_end
    if start.date() == end.date():
        first = _with_weekday(start, "l", "DATETIME_FORMAT")
        span = f"{first}{DASH}{time_format(end, 'TIME_FORMAT')}"
    else:
        first = date_format(start, "DATETIME_FORMAT")
        last = date_format(end, "DATETIME_FORMAT")
        span = f"{first} {DASH} {last}"
    return f"{span} {start.tzname()} ({event.time_zone})"


@register.filter
def event_day(event: Event) -> str:
    """The first day, in the event's zone: 'Fri 22 Mar 2024'."""
    return _with_weekday(event.local_start, "D", "SHORT_DATE_FORMAT")


@register.filter
def at_event(value: dt.datetime | None, event: Event) -> str:
    """A time of the event's programme, in the event's zone: '09:30'."""
    if value is None:
        return ""
    return time_format(timezone.localtime(value, event.zone), "TIME_FORMAT")


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
