"""Editing an event: its organiser's staff and the coordinator; no lost updates; history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.events.factories import make_event


def url(event: Event) -> str:
    return reverse("events:event_edit", args=[event.project.slug, event.pk])


def form_data(client: Client, event: Event, **overrides: Any) -> dict[str, Any]:
    """What the edit form holds when loaded, with `overrides` typed over it."""
    form = client.get(url(event)).context["form"]
    values = {
        name: ("" if value is None else value)
        for name, value in ((f.name, f.value()) for f in form)
    }
    values.update(overrides)
    return values


def test_form_shows_times_in_the_event_zone(client: Client, partner: Any, project: Any) -> None:
    event = make_event(project, time_zone="Europe/Madrid", city="Marina de Cudeyo")
    client.force_login(partner)
    html = client.get(url(event)).content.decode()
    # 09:00 in Brussels is 09:00 in Madrid too; the zone is Madrid's.
    assert 'value="2024-03-22T09:00"' in html
    assert '<option value="Europe/Madrid" selected>' in html


def test_partner_edits_and_history_shows_it(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    response = client.post(
        url(event),
        form_data(client, event, title="Roundtable on reserved contracts", status="held"),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Roundtable on reserved contracts"
    assert event.version == 2
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Roundtable on social clauses → Roundtable on reserved contracts" in page
    assert "Planned → Held" in page


def test_stale_edit_is_refused(
    client: Client, partner: Any, coordinator: Any, event: Event
) -> None:
    client.force_login(partner)
    old = form_data(client, event, title="Partner's title")
    client.force_login(coordinator)
    assert (
        client.post(url(event), form_data(client, event, title="Coordinator's title")).status_code
        == 302
    )
    client.force_login(partner)
    response = client.post(url(event), old)
    assert response.status_code == 409
    event.refresh_from_db()
    assert event.title == "Coordinator's title"


def test_other_partner_cannot_edit(client: Client, other_partner: Any, event: Event) -> None:
    client.force_login(other_partner)
    assert client.get(url(event)).status_code == 403
    assert client.post(url(event), {"title": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.title == "Roundtable on social clauses"


def test_end_before_start_is_refused_on_edit(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    response = client.post(url(event), form_data(client, event, ends_at="2024-03-21T09:00"))
    assert response.status_code == 422
    assert "before it starts" in str(response.context["form"].errors["ends_at"])
    event.refresh_from_db()
    assert event.version == 1


def test_an_event_in_the_future_cannot_be_marked_held() -> None:
    event = Event(
        kind=Event.Kind.WEBINAR,
        title="Webinar next month",
        format=Event.Format.ONLINE,
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=30, hours=2),
        status=Event.Status.HELD,
    )
    with pytest.raises(ValidationError) as refused:
        event.clean_at(timezone.now())  # the rule that depends on the time, as of now
    assert refused.value.message_dict["status"] == [
        "An event can only be marked held once it has started."
    ]


def test_a_stale_edit_keeps_the_input_and_saving_again_overwrites(
    client: Client, partner: Any, coordinator: Any, event: Event
) -> None:
    client.force_login(partner)
    old = form_data(client, event, title="Partner's title")
    client.force_login(coordinator)
    client.post(url(event), form_data(client, event, city="Ghent"))

    client.force_login(partner)
    response = client.post(url(event), old)

    assert response.status_code == 409
    form = response.context["form"]
    assert "Someone else saved this event while you were editing it." in str(form.errors)
    assert form["title"].value() == "Partner's title"
    assert form["version"].value() == "2"
    assert response.context["event"].title == "Roundtable on social clauses"  # the stored one
    event.refresh_from_db()
    assert (event.title, event.city, event.version) == ("Roundtable on social clauses", "Ghent", 2)

    again = client.post(url(event), {**old, "version": "2"})
    assert again.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.version) == ("Partner's title", 3)
