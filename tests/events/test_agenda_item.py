"""Agenda items: added from the event's page in the event's zone, edited, removed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from events.models import AgendaItem, Event
from projects.models import Project
from tests.events.factories import make_agenda_item, make_event

MADRID = ZoneInfo("Europe/Madrid")


def add_url(event: Event) -> str:
    return reverse("events:agenda_item_add", args=[event.project.slug, event.pk])


def test_item_time_is_read_in_the_event_zone(
    client: Client, partner: Any, project: Project
) -> None:
    event = make_event(
        project,
        time_zone="Europe/Madrid",
        starts_at=dt.datetime(2023, 9, 21, 17, 0, tzinfo=MADRID),
        ends_at=dt.datetime(2023, 9, 21, 20, 0, tzinfo=MADRID),
    )
    client.force_login(partner)
    response = client.post(
        add_url(event),
        {
            "agenda-starts_at": "2023-09-21T17:30",
            "agenda-title": "Reserved contracts in practice",
            "agenda-session_type": AgendaItem.SessionType.PANEL,
            "agenda-speakers": "Municipal secretary, Ayuntamiento de Marina de Cudeyo",
        },
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.starts_at == dt.datetime(2023, 9, 21, 17, 30, tzinfo=MADRID)
    assert item.speaker_list == [("Municipal secretary", "Ayuntamiento de Marina de Cudeyo")]


def test_item_outside_the_event_is_refused(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    response = client.post(
        add_url(event),
        {
            "agenda-starts_at": "2024-03-22T15:00",
            "agenda-title": "Late",
            "agenda-session_type": "panel",
        },
    )
    assert response.status_code == 422
    assert response.context["agenda_form"].errors["starts_at"] == [
        "This time is outside the event, which runs from 22 March 2024, 09:00 to "
        "22 March 2024, 12:00 (Europe/Brussels)."
    ]
    assert b"<details open>" in response.content
    assert not AgendaItem.objects.exists()


def test_edit_and_delete(client: Client, coordinator: Any, event: Event) -> None:
    item = make_agenda_item(event, title="Welcome")
    client.force_login(coordinator)
    edit = reverse("events:agenda_item_edit", args=[event.project.slug, event.pk, item.pk])
    page = client.get(edit)
    assert 'value="2024-03-22T09:00"' in page.content.decode()
    response = client.post(
        edit,
        {
            "agenda-starts_at": "2024-03-22T09:15",
            "agenda-title": "Welcome words",
            "agenda-session_type": "welcome",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Welcome words"
    delete = reverse("events:agenda_item_delete", args=[event.project.slug, event.pk, item.pk])
    assert client.post(delete).status_code == 302
    assert not AgendaItem.objects.exists()


def test_item_of_another_event_is_404(client: Client, partner: Any, project: Project) -> None:
    first, second = make_event(project), make_event(project)
    item = make_agenda_item(first)
    client.force_login(partner)
    url = reverse("events:agenda_item_delete", args=[project.slug, second.pk, item.pk])
    assert client.post(url).status_code == 404
    assert AgendaItem.objects.exists()


def test_other_partner_cannot_add(client: Client, other_partner: Any, event: Event) -> None:
    client.force_login(other_partner)
    response = client.post(
        add_url(event),
        {
            "agenda-starts_at": "2024-03-22T09:00",
            "agenda-title": "x",
            "agenda-session_type": "panel",
        },
    )
    assert response.status_code == 403
    assert not AgendaItem.objects.exists()


def test_removing_an_agenda_item_asks_first(client: Client, coordinator: Any, event: Event) -> None:
    item = make_agenda_item(event, title="Welcome")
    client.force_login(coordinator)
    url = reverse("events:agenda_item_delete", args=[event.project.slug, event.pk, item.pk])

    page = client.get(url)

    assert page.status_code == 200
    assert "Remove the agenda item &#x27;Welcome&#x27;?" in page.content.decode()
    assert event.agenda_items.filter(pk=item.pk).exists()  # asking removes nothing
    assert client.post(url).status_code == 302
    assert not event.agenda_items.filter(pk=item.pk).exists()
