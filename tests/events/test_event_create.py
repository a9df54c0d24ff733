"""Adding an event: times typed in the event's zone, the organiser limited to one's partner."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project

SOFIA = ZoneInfo("Europe/Sofia")


def data(project: Project, **overrides: Any) -> dict[str, Any]:
    values = {
        "kind": Event.Kind.ROUNDTABLE,
        "title": "First roundtable in Dobrich",
        "format": Event.Format.IN_PERSON,
        "starts_at": "2023-05-23T10:00",
        "ends_at": "2023-05-23T13:30",
        "time_zone": "Europe/Sofia",
        "venue": "Town hall",
        "city": "Dobrich",
        "country": "BG",
        "organiser": project.partners.get(number=2).pk,
        "work_package": "",
        "status": Event.Status.HELD,
        "registration_url": "",
        "recording_url": "",
        "description": "",
    }
    values.update(overrides)
    return values


def url(project: Project) -> str:
    return reverse("events:event_create", args=[project.slug])


def test_partner_adds_an_event_with_local_times_in_its_zone(
    client: Client, partner: Any, project: Project
) -> None:
    client.force_login(partner)
    response = client.post(url(project), data(project))
    assert response.status_code == 302
    event = Event.objects.get()
    # 10:00 in Sofia (UTC+3 in summer) is 07:00 UTC, whatever the site's zone (Brussels).
    assert event.starts_at == dt.datetime(2023, 5, 23, 7, 0, tzinfo=dt.UTC)
    assert event.local_start == dt.datetime(2023, 5, 23, 10, 0, tzinfo=SOFIA)
    page = client.get(event.get_absolute_url())
    assert "Tuesday 23 May 2023, 10:00\N{EN DASH}13:30 EEST (Europe/Sofia)" in page.content.decode()
    assert b"Created" in page.content  # the history


def test_end_before_start_is_refused(client: Client, partner: Any, project: Project) -> None:
    client.force_login(partner)
    response = client.post(url(project), data(project, ends_at="2023-05-23T09:00"))
    assert response.status_code == 422
    assert response.context["form"].errors["ends_at"] == [
        "The event ends (23 May 2023, 09:00) before it starts (23 May 2023, 10:00)."
    ]
    assert not Event.objects.exists()


def test_a_time_the_clocks_skip_is_refused(client: Client, partner: Any, project: Project) -> None:
    client.force_login(partner)
    response = client.post(
        url(project),
        data(project, time_zone="Europe/Brussels", starts_at="2024-03-31T02:30"),
    )
    assert response.status_code == 422
    assert "does not exist or happens twice in Europe/Brussels" in str(
        response.context["form"].errors["starts_at"]
    )
    assert not Event.objects.exists()


def test_partner_cannot_organise_for_another_partner(
    client: Client, partner: Any, project: Project
) -> None:
    client.force_login(partner)
    response = client.post(url(project), data(project, organiser=project.partners.get(number=3).pk))
    assert response.status_code == 422
    assert "organiser" in response.context["form"].errors
    assert not Event.objects.exists()


def test_coordinator_may_name_any_organiser(
    client: Client, coordinator: Any, project: Project
) -> None:
    client.force_login(coordinator)
    response = client.post(url(project), data(project, organiser=project.partners.get(number=3).pk))
    assert response.status_code == 302
    assert Event.objects.get().organiser.number == 3


def test_in_person_event_needs_a_place(client: Client, partner: Any, project: Project) -> None:
    client.force_login(partner)
    response = client.post(url(project), data(project, venue="", city=""))
    assert response.status_code == 422
    assert response.context["form"].errors["city"] == [
        "Say where an in-person or hybrid event takes place."
    ]


def test_observer_cannot_add_events(client: Client, observer: Any, project: Project) -> None:
    client.force_login(observer)
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), data(project)).status_code == 403
    assert not Event.objects.exists()


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_outsider_gets_404(client: Client, outsider: Any, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_wrong_method_is_405(client: Client, partner: Any, project: Project) -> None:
    client.force_login(partner)
    assert client.put(url(project)).status_code == 405
