"""One event as an .ics file: it parses with icalendar and carries the event's own time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from tests.events.factories import make_event

SOFIA = ZoneInfo("Europe/Sofia")


def url(event: Event) -> str:
    return reverse("events:event_ics", args=[event.project.slug, event.pk])


def only_event(body: bytes) -> Any:
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_ics_parses_and_carries_local_times_with_tzid(
    client: Client, observer: Any, project: Project
) -> None:
    event = make_event(
        project,
        title="Second roundtable in Dobrich",
        starts_at=dt.datetime(2023, 6, 27, 10, 0, tzinfo=SOFIA),
        ends_at=dt.datetime(2023, 6, 27, 13, 30, tzinfo=SOFIA),
        time_zone="Europe/Sofia",
        venue="Town hall",
        city="Dobrich",
        country="BG",
        description="Choosing the contracts for social clauses.",
    )
    client.force_login(observer)
    response = client.get(url(event))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    vevent = only_event(response.content)
    # The wall-clock time at the event, with its zone named, not converted to UTC or Brussels.
    assert vevent["DTSTART"].params["TZID"] == "Europe/Sofia"
    assert vevent["DTEND"].params["TZID"] == "Europe/Sofia"
    assert b"DTSTART;TZID=Europe/Sofia:20230627T100000" in response.content
    assert vevent.decoded("DTSTART") == dt.datetime(2023, 6, 27, 10, 0, tzinfo=SOFIA)
    assert vevent.decoded("DTEND") == dt.datetime(2023, 6, 27, 13, 30, tzinfo=SOFIA)
    assert vevent.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(
        2023, 6, 27, 7, 0, tzinfo=dt.UTC
    )
    # The zone's definition travels with the file.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Sofia"]
    assert str(vevent["SUMMARY"]) == "Second roundtable in Dobrich (CO-RESP)"
    assert str(vevent["LOCATION"]) == "Town hall, Dobrich, Bulgaria"
    assert str(vevent["URL"]) == f"http://testserver{event.get_absolute_url()}"
    assert "Choosing the contracts for social clauses." in str(vevent["DESCRIPTION"])
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["UID"]) == f"{event.uid}@co-resp"


def test_uid_stays_the_same_when_the_event_changes(
    client: Client, partner: Any, event: Event
) -> None:
    client.force_login(partner)
    before = only_event(client.get(url(event)).content)
    event.title = "Moved roundtable"
    event.save_edit(event.version)
    after = only_event(client.get(url(event)).content)
    assert str(before["UID"]) == str(after["UID"])
    assert int(str(after["SEQUENCE"])) > int(str(before["SEQUENCE"]))


def test_cancelled_event_says_cancelled(client: Client, partner: Any, project: Project) -> None:
    event = make_event(project, status=Event.Status.CANCELLED)
    client.force_login(partner)
    assert str(only_event(client.get(url(event)).content)["STATUS"]) == "CANCELLED"


def test_online_event_location_and_recording(
    client: Client, partner: Any, project: Project
) -> None:
    event = make_event(
        project,
        format=Event.Format.ONLINE,
        city="",
        recording_url="https://video.example.org/webinar",
        kind=Event.Kind.WEBINAR,
    )
    client.force_login(partner)
    vevent = only_event(client.get(url(event)).content)
    assert str(vevent["LOCATION"]) == "Online"
    assert "Watch the event: https://video.example.org/webinar" in str(vevent["DESCRIPTION"])


def test_outsider_gets_404(client: Client, outsider: Any, event: Event) -> None:
    client.force_login(outsider)
    assert client.get(url(event)).status_code == 404
