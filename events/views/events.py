"""Events: the list (upcoming and past), the month calendar, each event's page, create and edit."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from coresp.text import in_sentence
from events.filters import EventFilter
from events.forms import (
    AgendaItemForm,
    EventForm,
    MaterialLinkForm,
    MaterialUploadForm,
    OutcomeForm,
)
from events.models import Attendance, Event
from events.monthgrid import grid_bounds, month_weeks, parse_month, shift_month
from events.permissions import access_event, can_create_event, can_manage_event, can_tick_outcome
from events.workflows import delete_event
from projects.forms.dates import date_window
from projects.history import HistoryEntry, history_entries
from projects.models import StaleEdit
from projects.paging import paginate
from projects.permissions import Access, access_project

PAGE_SIZE = 25
# The calendar's column headings, Monday first: each day's name and its short form, from
# Django's own translations.
WEEK = [(WEEKDAYS[day], WEEKDAYS_ABBR[day]) for day in range(7)]
STALE_MESSAGE = gettext_noop(
    "Someone else saved this event while you were editing it. Your changes are below and are "
    "not saved: compare them with the event's page, then save again to keep yours."
)
# The history reasons of an attendance record (stored in English, see parts.attendance_edit),
# as the event's history names them.
ATTENDANCE_REASONS = {
    "Recorded": gettext_noop("Attendance recorded"),
    "Corrected": gettext_noop("Attendance corrected"),
}


@login_required
@require_GET
def event_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Upcoming events (all of them: a project has few) and past ones, newest first, by page."""
    access = access_project(request.user, slug)
    now = timezone.now()
    filterset = EventFilter(
        request.GET or None,
        queryset=Event.objects.filter(project=access.project).with_related(),
        project=access.project,
    )
    events = filterset.qs
    upcoming = list(events.not_ended(now).order_by("starts_at", "pk"))
    past, query = paginate(
        request,
        events.past(now).order_by("-starts_at", "-pk"),
        PAGE_SIZE,
    )
    return render(
        request,
        "events/event_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "filter": filterset,
            "upcoming": upcoming,
            "page_obj": past,
            "query": query,
            "can_create": can_create_event(access),
        },
    )


@login_required
@require_GET
def event_calendar(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """A month of the project's events, ?month=YYYY-MM (this month when missing or wrong)."""
    access = access_project(request.user, slug)
    today = timezone.localdate()
    first = parse_month(request.GET.get("month"), today)
    window_first, window_last = date_window(access.project)
    if not window_first <= first <= window_last:
        # 0001-01 or 9999-12 would overflow the grid's dates; no month that far from the
        # project has events to show anyway.
        messages.warning(
            request,
            gettext("The calendar shows months from %(first)s to %(last)s: here is this month.")
            % {
                "first": date_format(window_first, "YEAR_MONTH_FORMAT"),
                "last": date_format(window_last, "YEAR_MONTH_FORMAT"),
            },
        )
        first = today.replace(day=1)
    shown_first, shown_last = grid_bounds(first)
    # A day of margin on each side covers every zone's offset; month_weeks places each event
    # by its own local dates.
    window_start = dt.datetime.combine(shown_first - dt.timedelta(days=1), dt.time(), dt.UTC)
    window_end = dt.datetime.combine(shown_last + dt.timedelta(days=2), dt.time(), dt.UTC)
    events = list(
        Event.objects.filter(project=access.project)
        .overlapping(window_start, window_end)
        .select_related("organiser__organisation")
        .order_by("starts_at", "pk")
    )
    weeks = month_weeks(first, events, today)
    return render(
        request,
        "events/event_calendar.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "month": first,
            "previous_month": shift_month(first, -1),
            "next_month": shift_month(first, 1),
            "weeks": weeks,
            "weekdays": WEEK,
            "has_events": any(day.events for week in weeks for day in week if day.in_month),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(can_create_event(access), gettext("Observers cannot add events."))
    form = EventForm(
        request.POST or None,
        instance=Event(project=access.project),
        access=access,
        now=timezone.now(),
    )
    if request.method == "POST" and form.is_valid():
        # History reasons are stored, so in English (marked for a page that translates them).
        event = form.save_edit(reason=gettext_noop("Created"))
        messages.success(request, gettext("%(title)s added.") % {"title": event.title})
        return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {"project": access.project, "access": access, "section": "events", "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Delete an event entered by mistake, after a confirmation page (GET)."""
    access, event = access_event(request.user, slug, pk)
    access.require(
        can_manage_event(access, event),
        gettext("Only the organiser's staff and the coordinator delete it."),
    )
    if request.method == "POST":
        try:
            delete_event(event)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(event)
        messages.success(request, gettext("'%(title)s' deleted.") % {"title": event.title})
        return redirect("events:event_list", access.project.slug)
    return render(
        request,
        "events/event_confirm_delete.html",
        {"project": access.project, "access": access, "section": "events", "event": event},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, event = access_event(request.user, slug, pk)
    access.require(
        can_manage_event(access, event),
        gettext("Only the coordinator and the organiser's staff edit this event."),
    )
    # The form edits a copy: after refused input the page still names the stored event.
    form = EventForm(
        request.POST or None, instance=copy.copy(event), access=access, now=timezone.now()
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                form.save_edit(reason=gettext_noop("Edited"))
            except StaleEdit:
                # Their input again, against the current version: saving again is a deliberate
                # overwrite, not another refusal.
                event.refresh_from_db()
                form = form.against(copy.copy(event), gettext(STALE_MESSAGE))
                status = 409
            else:
                messages.success(
                    request, gettext("%(title)s saved.") % {"title": form.instance.title}
                )
                return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "form": form,
            "event": event,
        },
        status=status,
    )


# A change to the attendance without a reason, as "Attendance %(change)s" says it.
ATTENDANCE_KINDS = {
    "created": pgettext_lazy("attendance history, no reason given", "created"),
    "changed": pgettext_lazy("attendance history, no reason given", "changed"),
    "deleted": pgettext_lazy("attendance history, no reason given", "deleted"),
}


def _history(event: Event, attendance: Attendance | None) -> list[HistoryEntry]:
    """The event's changes and its attendance's, newest first, in one list."""
    entries = history_entries(event)
    if attendance is not None:
        for entry in history_entries(attendance):
            if entry.reason in ATTENDANCE_REASONS:
                entry.reason = gettext(ATTENDANCE_REASONS[entry.reason])
            else:
                # Translators: an entry of an event's history, e.g. "Attendance changed in the
                # admin"; the change is a history reason or "created", "changed", "deleted".
                if entry.reason:
                    change = in_sentence(gettext(entry.reason))
                else:
                    change = str(ATTENDANCE_KINDS.get(entry.kind, entry.kind))
                entry.reason = gettext("Attendance %(change)s") % {"change": change}
            entries.append(entry)
        entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def event_page(
    request: HttpRequest, access: Access, event: Event, *, status: int = 200, **context: Any
) -> HttpResponse:
    """The event's page; after a refused change, with the bound form (or message) and `status`.

    Its conference report is the reports app's: its own tag shows it (reports_tags), with its
    own rule for who reads a draft.
    """
    can_manage = can_manage_event(access, event)
    attendance = event.attendance_or_none
    outcomes = list(event.outcomes.select_related("owner__organisation"))
    for outcome in outcomes:
        outcome.event = event
    # The action items this person may tick off (their own partner's, or all for the organisers).
    tickable = {outcome.pk for outcome in outcomes if can_tick_outcome(access, outcome)}
    now = timezone.now()
    page_context = {
        "project": access.project,
        "access": access,
        "section": "events",
        "event": event,
        "now": now,
        "today": timezone.localdate(now),
        "can_manage": can_manage,
        "has_started": event.has_started(now),
        "agenda": list(event.agenda_items.all()),
        "materials": list(event.materials.select_related("added_by")),
        "outcomes": outcomes,
        "tickable": tickable,
        "attendance": attendance,
        "history": _history(event, attendance),
    }
    if can_manage:
        page_context.update(
            agenda_form=AgendaItemForm(event=event),
            upload_form=MaterialUploadForm(),
            link_form=MaterialLinkForm(),
            outcome_form=OutcomeForm(event=event),
        )
    page_context.update(context)
    return render(request, "events/event_detail.html", page_context, status=status)


@login_required
@require_GET
def event_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, event = access_event(request.user, slug, pk)
    return event_page(request, access, event)


def refused(request: HttpRequest, access: Access, event: Event, **forms: Any) -> HttpResponse:
    """The event's page with a refused form: 422, the form with its errors where it was."""
    return event_page(request, access, event, status=422, **forms)
