"""The admin pages of events, calendar feeds and conference reports open for a site admin,
with partner choices limited to the event's project."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from events.models import CalendarFeed, Event
from tests.events.factories import make_attendance, make_outcome, make_recommendation, make_report
from tests.factories import make_partner, make_project, make_user


def test_admin_pages_open(client: Client, event: Event, partner: Any) -> None:
    admin = make_user("admin@example.org", is_staff=True, is_superuser=True)
    make_attendance(event, total=10)
    make_outcome(event)
    report = make_report(event)
    make_recommendation(report)
    feed = CalendarFeed.for_user(partner)
    client.force_login(admin)
    for url in (
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:events_event_history", args=[event.pk]),
        reverse("admin:events_calendarfeed_changelist"),
        reverse("admin:events_calendarfeed_change", args=[feed.pk]),
        reverse("admin:reports_conferencereport_changelist"),
        reverse("admin:reports_conferencereport_change", args=[report.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert (
        feed.token
        not in client.get(reverse("admin:events_calendarfeed_changelist")).content.decode()
    )


def test_partner_choices_are_the_event_project_only(client: Client, event: Event) -> None:
    other = make_project("OTHER", slug="other")
    stranger = make_partner(other, number=1)
    admin = make_user("admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    form = client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"]
    organisers = list(form.form.fields["organiser"].queryset)
    assert stranger not in organisers
    assert event.organiser in organisers


def test_revoke_action_replaces_the_token(client: Client, partner: Any) -> None:
    feed = CalendarFeed.for_user(partner)
    old = feed.token
    admin = make_user("admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.post(
        reverse("admin:events_calendarfeed_changelist"),
        {"action": "revoke", "_selected_action": [feed.pk]},
    )
    feed.refresh_from_db()
    assert feed.token != old
