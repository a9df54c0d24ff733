"""The conference report's review tells the people concerned (reports.workflows.
move_conference_report): the coordinators when it is sent for review, its writers (the author
partner's people) when it is sent back or published; never the actor, nobody outside the
project, nothing for a refused step."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from events.models import Event
from projects.models import Notification, Project
from reports.models import ConferenceReport
from tests.events.factories import make_event, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(project: Project) -> Event:
    """Organised by P2, the `partner`'s organisation, which writes its report."""
    return make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE)


@pytest.fixture
def cast(
    coordinator: User, partner: User, other_partner: User, observer: User, outsider: User
) -> None:
    """Everyone in the project, and one person outside it."""


def post(client: Client, user: User, event: Event, action: str, **data: str) -> int:
    client.force_login(user)
    report = ConferenceReport.objects.get(event=event)
    url = reverse(f"reports:conference_report_{action}", args=[event.project.slug, event.pk])
    return client.post(url, {"version": report.version, **data}).status_code


def told() -> set[tuple[str, str]]:
    return {(n.recipient.email, n.text) for n in Notification.objects.all()}


def test_sent_for_review_tells_the_coordinator(
    client: Client, cast: None, partner: User, event: Event
) -> None:
    make_report(event)

    assert post(client, partner, event, "submit") == 302

    assert told() == {
        ("coordinator@example.org", "The report on Final conference is sent for review.")
    }


def test_sent_back_tells_the_writers(
    client: Client, cast: None, coordinator: User, event: Event
) -> None:
    make_report(event, status=ConferenceReport.Status.IN_REVIEW)

    assert post(client, coordinator, event, "send_back", comment="Add the figures.") == 302

    assert told() == {
        ("partner@example.org", "The report on Final conference is sent back for changes.")
    }


def test_published_tells_the_writers(
    client: Client, cast: None, coordinator: User, event: Event
) -> None:
    make_report(event, status=ConferenceReport.Status.IN_REVIEW)

    assert post(client, coordinator, event, "publish") == 302

    assert told() == {("partner@example.org", "The report on Final conference is published.")}


def test_a_refused_step_tells_no_one(
    client: Client, cast: None, partner: User, coordinator: User, event: Event
) -> None:
    make_report(event, summary="")
    assert post(client, partner, event, "submit") == 422  # no summary yet
    assert post(client, coordinator, event, "send_back", comment="") in (403, 422)

    assert not Notification.objects.exists()
