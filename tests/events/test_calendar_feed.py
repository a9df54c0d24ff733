"""The private calendar feed: works with its token and no session; 404 for a wrong, revoked or
switched-off token; lists the events of the owner's projects only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.test import Client
from django.urls import reverse

from events.models import CalendarFeed, Event
from projects.models import Membership, Project
from tests.events.factories import make_event
from tests.factories import make_partner, make_project


def feed_url(token: str) -> str:
    return reverse("events:calendar_feed", args=[token])


def settings_url() -> str:
    return reverse("events:calendar_feed_settings")


def test_feed_works_with_its_token_without_a_session(
    client: Client, partner: Any, project: Project
) -> None:
    madrid = ZoneInfo("Europe/Madrid")
    make_event(
        project,
        title="Roundtable in Marina de Cudeyo",
        starts_at=dt.datetime(2023, 9, 21, 17, 0, tzinfo=madrid),
        time_zone="Europe/Madrid",
        city="Marina de Cudeyo",
    )
    make_event(project, title="Cancelled webinar", status=Event.Status.CANCELLED)
    feed = CalendarFeed.for_user(partner)
    response = client.get(feed_url(feed.token))  # no login
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    by_title = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(by_title) == {
        "Roundtable in Marina de Cudeyo (CO-RESP)",
        "Cancelled webinar (CO-RESP)",
    }
    roundtable = by_title["Roundtable in Marina de Cudeyo (CO-RESP)"]
    assert roundtable["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert roundtable.decoded("DTSTART") == dt.datetime(2023, 9, 21, 17, 0, tzinfo=madrid)
    assert str(by_title["Cancelled webinar (CO-RESP)"]["STATUS"]) == "CANCELLED"
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Madrid",
        "Europe/Brussels",
    }


def test_feed_lists_only_the_owner_projects(client: Client, partner: Any, project: Project) -> None:
    make_event(project, title="Ours")
    other = make_project("OTHER", slug="other")
    make_event(other, title="Theirs", organiser=make_partner(other, number=1))
    feed = CalendarFeed.for_user(partner)
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(feed.token)).content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Ours (CO-RESP)"]


def test_feed_drops_a_project_the_owner_left(client: Client, partner: Any, event: Event) -> None:
    feed = CalendarFeed.for_user(partner)
    Membership.objects.filter(user=partner).update(is_active=False)
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(feed.token)).content)
    assert calendar.walk("VEVENT") == []


def test_wrong_token_is_404(client: Client, partner: Any, event: Event) -> None:
    CalendarFeed.for_user(partner)
    assert client.get(feed_url("not-the-token")).status_code == 404


def test_revoked_token_is_404_and_the_new_one_works(
    client: Client, partner: Any, event: Event
) -> None:
    feed = CalendarFeed.for_user(partner)
    old = feed.token
    client.force_login(partner)
    response = client.post(settings_url(), {"action": "revoke"})
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.token != old
    client.logout()
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(feed.token)).status_code == 200


def test_switched_off_feed_is_404(client: Client, partner: Any, event: Event) -> None:
    token = CalendarFeed.for_user(partner).token
    client.force_login(partner)
    assert client.post(settings_url(), {"action": "stop"}).status_code == 302
    assert not CalendarFeed.objects.filter(user=partner).exists()
    assert client.get(feed_url(token)).status_code == 404


def test_inactive_user_feed_is_404(client: Client, partner: Any, event: Event) -> None:
    token = CalendarFeed.for_user(partner).token
    partner.is_active = False
    partner.save()
    assert client.get(feed_url(token)).status_code == 404


def test_settings_page_creates_and_shows_the_address(client: Client, observer: Any) -> None:
    client.force_login(observer)
    page = client.get(settings_url())
    assert b"You have no calendar address yet" in page.content
    assert client.post(settings_url(), {"action": "create"}).status_code == 302
    feed = CalendarFeed.objects.get(user=observer)
    html = client.get(settings_url()).content.decode()
    assert f"http://testserver/calendar/{feed.token}.ics" in html


def test_settings_page_needs_login(client: Client) -> None:
    response = client.get(settings_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_feed_refuses_post(client: Client, partner: Any) -> None:
    token = CalendarFeed.for_user(partner).token
    assert client.post(feed_url(token)).status_code == 405


def test_feed_query_count_does_not_grow_with_events(
    client: Client, partner: Any, project: Project, django_assert_num_queries: Any
) -> None:
    token = CalendarFeed.for_user(partner).token
    for n in range(5):
        make_event(project, title=f"Event {n}")
    # 1 the feed and its user, 2 the events with their project and organiser
    with django_assert_num_queries(2):
        client.get(feed_url(token))
    for n in range(45):
        make_event(project, title=f"More {n}")
    with django_assert_num_queries(2):
        client.get(feed_url(token))


def test_observer_feed_has_project_events(client: Client, observer: Any, project: Project) -> None:
    make_event(project, title="Open to the funder")
    token = CalendarFeed.for_user(observer).token
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(token)).content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Open to the funder (CO-RESP)"]
