"""Decisions and action items: recorded by the organiser, ticked off by them or by the owner."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from events.models import Event, Outcome
from tests.events.factories import make_event, make_outcome


def add_url(event: Event) -> str:
    return reverse("events:outcome_add", args=[event.project.slug, event.pk])


def toggle_url(outcome: Outcome) -> str:
    event = outcome.event
    return reverse("events:outcome_toggle", args=[event.project.slug, event.pk, outcome.pk])


def test_partner_records_an_action_item(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    owner = event.project.partners.get(number=3)
    response = client.post(
        add_url(event),
        {
            "outcome-kind": "action",
            "outcome-text": "Share the draft clause",
            "outcome-owner": owner.pk,
            "outcome-due_date": "2024-04-30",
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert outcome.owner == owner
    assert not outcome.is_done


def test_owner_of_another_project_is_refused(client: Client, partner: Any, event: Event) -> None:
    from tests.factories import make_partner, make_project

    stranger = make_partner(make_project("OTHER", slug="other"), number=1)
    client.force_login(partner)
    response = client.post(
        add_url(event),
        {"outcome-kind": "action", "outcome-text": "x", "outcome-owner": stranger.pk},
    )
    assert response.status_code == 422
    assert not Outcome.objects.exists()


def test_owner_partner_ticks_it_off_and_opens_it_again(
    client: Client, other_partner: Any, event: Event
) -> None:
    outcome = make_outcome(event, owner=event.project.partners.get(number=3))
    client.force_login(other_partner)
    assert client.post(toggle_url(outcome), {"done": "1"}).status_code == 302
    outcome.refresh_from_db()
    assert outcome.is_done
    # The same form sent again does not undo it.
    client.post(toggle_url(outcome), {"done": "1"})
    outcome.refresh_from_db()
    assert outcome.is_done
    client.post(toggle_url(outcome), {"done": "0"})
    outcome.refresh_from_db()
    assert not outcome.is_done


def test_observer_cannot_tick(client: Client, observer: Any, event: Event) -> None:
    outcome = make_outcome(event)
    client.force_login(observer)
    assert client.post(toggle_url(outcome)).status_code == 403
    outcome.refresh_from_db()
    assert not outcome.is_done


def test_a_decision_has_nothing_to_tick(client: Client, partner: Any, event: Event) -> None:
    decision = make_outcome(event, kind=Outcome.Kind.DECISION, text="Meet again in June.")
    client.force_login(partner)
    response = client.post(toggle_url(decision), follow=True)
    assert b"A decision is not an action item" in response.content
    decision.refresh_from_db()
    assert not decision.is_done


def test_an_action_item_is_corrected_and_removed_after_asking(
    client: Client, coordinator: Any, project: Any
) -> None:
    event = make_event(project)
    outcome = make_outcome(event, text="Send the minutes")
    client.force_login(coordinator)
    edit = reverse("events:outcome_edit", args=[project.slug, event.pk, outcome.pk])
    delete = reverse("events:outcome_delete", args=[project.slug, event.pk, outcome.pk])

    refused = client.post(edit, {"outcome-kind": "action", "outcome-text": ""})
    saved = client.post(
        edit, {"outcome-kind": "action", "outcome-text": "Send the minutes by Friday"}
    )
    outcome.refresh_from_db()
    asked = client.get(delete)

    assert refused.status_code == 422
    assert saved.status_code == 302 and outcome.text == "Send the minutes by Friday"
    assert asked.status_code == 200 and "Remove the action item" in asked.content.decode()
    assert event.outcomes.filter(pk=outcome.pk).exists()
    assert client.post(delete).status_code == 302
    assert not event.outcomes.filter(pk=outcome.pk).exists()
