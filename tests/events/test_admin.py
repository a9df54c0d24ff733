"""The admin pages of events, calendar feeds and conference reports open for a site admin,
with partner choices limited to the event's project."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from events.models import CalendarFeed, Event
from tests.events.factories import make_attendance, make_outcome, make_recommendation, make_report
from tests.factories import make_partner, make_project, make_user
from tests.projects.admin_pages import loaded


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


# --- saves through the versioned-edit door ----------------------------------------------------


def _admin_client() -> Client:
    client = Client()
    client.force_login(make_user("admin@example.org", is_staff=True, is_superuser=True))
    return client


def test_an_event_saved_in_the_admin_moves_its_version_and_a_stale_save_is_refused(
    event: Event,
) -> None:
    client = _admin_client()
    url = reverse("admin:events_event_change", args=[event.pk])
    page = loaded(client, url)
    assert page["version"] == 1

    assert (
        client.post(url, {**page, "title": "Roundtable on reserved contracts"}).status_code == 302
    )
    event.refresh_from_db()
    assert (event.title, event.version) == ("Roundtable on reserved contracts", 2)
    assert event.history.latest("history_id").history_change_reason == "Changed in the admin"

    # The page as first loaded is stale now: refused, nothing saved.
    response = client.post(url, {**page, "title": "Old page"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "nothing on the page was saved" in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.version) == ("Roundtable on reserved contracts", 2)


def test_attendance_corrected_in_the_admin_goes_through_the_door(event: Event) -> None:
    attendance = make_attendance(event, total=10)
    client = _admin_client()
    url = reverse("admin:events_event_change", args=[event.pk])
    page = loaded(client, url)
    assert page["attendance-0-version"] == 1

    assert client.post(url, {**page, "attendance-0-total": 12}).status_code == 302
    attendance.refresh_from_db()
    assert (attendance.total, attendance.version) == (12, 2)
    assert attendance.history.latest("history_id").history_change_reason == ("Changed in the admin")

    # A correction on the platform meanwhile makes the page loaded before it stale.
    response = client.post(url, {**page, "attendance-0-total": 15})
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert (attendance.total, attendance.version) == (12, 2)


def test_attendance_whose_breakdown_does_not_add_up_is_refused_in_the_admin(
    event: Event,
) -> None:
    attendance = make_attendance(event, total=10)
    client = _admin_client()
    url = reverse("admin:events_event_change", args=[event.pk])

    response = client.post(url, {**loaded(client, url), "attendance-0-women": 11})

    assert response.status_code == 200
    assert "The gender breakdown adds up to 11" in response.content.decode()
    attendance.refresh_from_db()
    assert (attendance.women, attendance.version) == (None, 1)
