"""iCalendar (.ics) output of events, built with the icalendar library.

Times are written in the event's own zone (DTSTART;TZID=Europe/Sofia:...), with the VTIMEZONE
definitions the calendar needs, so a calendar app shows the roundtable at the time on the
invitation wherever its user is. Each event's UID is its stored uuid: the same in the one-event
download and in the feed, and unchanged by edits, so apps update the entry instead of adding one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import icalendar
from django.utils.translation import gettext

from coresp.text import in_sentence
from events.models import Event

PRODID = "-//CO-RESP platform//Events//EN"

STATUS = {
    Event.Status.PLANNED: "CONFIRMED",
    Event.Status.HELD: "CONFIRMED",
    Event.Status.POSTPONED: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
}


def _description(event: Event, url: str) -> str:
    """The text people read in their calendar app, in the active language; the other fields
    (times, status, UID) are the machine's."""
    lines = [event.description.strip()] if event.description.strip() else []
    # Translators: an event's kind and, in lower case, its format: "Workshop (online)."
    lines.append(
        gettext("%(kind)s (%(format)s).")
        % {"kind": event.get_kind_display(), "format": in_sentence(event.get_format_display())}
    )
    lines.append(
        gettext("Organised by %(organiser)s.")
        % {"organiser": event.organiser.organisation.short_name}
    )
    if event.registration_url:
        lines.append(gettext("Registration: %(url)s") % {"url": event.registration_url})
    if event.recording_url:
        lines.append(gettext("Watch the event: %(url)s") % {"url": event.recording_url})
    lines.append(gettext("Details: %(url)s") % {"url": url})
    return "\n".join(lines)


def one_line(text: str) -> str:
    """`text` on one line: a SUMMARY or LOCATION with a line break shows as two entries' worth in
    some calendar apps. The form refuses such titles; rows saved before it (the admin, imports)
    are folded here."""
    return " ".join(text.split())


def ical_event(event: Event, *, url: str, now: dt.datetime) -> icalendar.Event:
    """One VEVENT. `event` needs its organiser's organisation and its project loaded."""
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.uid}@co-resp")
    vevent.add("dtstamp", now.astimezone(dt.UTC))
    vevent.add("dtstart", event.local_start)
    vevent.add("dtend", event.local_end)
    vevent.add("summary", one_line(f"{event.title} ({event.project.acronym})"))
    if event.place:
        vevent.add("location", one_line(event.place))
    vevent.add("url", url)
    vevent.add("description", _description(event, url))
    vevent.add("status", STATUS[Event.Status(event.status)])
    vevent.add("categories", [event.get_kind_display()])
    # Edits move the version on (VersionedModel): the sequence tells apps which copy is newer.
    vevent.add("sequence", event.version)
    return vevent


def calendar_bytes(
    events: Iterable[Event], *, url_for: Callable[[Event], str], now: dt.datetime, name: str
) -> bytes:
    """A VCALENDAR with one VEVENT per event and the VTIMEZONEs their times refer to."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", one_line(name))
    for event in events:
        calendar.add_component(ical_event(event, url=url_for(event), now=now))
    calendar.add_missing_timezones()
    return calendar.to_ical()
