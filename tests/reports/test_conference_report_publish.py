"""Publishing a report: the coordinator only, from review; it then shows on the event's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from reports.models import ConferenceReport
from tests.events.factories import make_attendance, make_event, make_recommendation, make_report


@pytest.fixture
def event(project: Project) -> Event:
    """An event organised by P2, the `partner`'s organisation."""
    return make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE)


def url(event: Event) -> str:
    return reverse("reports:conference_report_publish", args=[event.project.slug, event.pk])


def test_coordinator_publishes_and_everyone_sees_it_with_the_figures(
    client: Client, coordinator: Any, other_partner: Any, event: Event
) -> None:
    make_attendance(event, total=64, public_authorities=30, social_economy=34)
    report = make_report(
        event, status=ConferenceReport.Status.IN_REVIEW, summary="What the roundtable achieved."
    )
    make_recommendation(report, text="Reserve cleaning contracts for social enterprises.")
    client.force_login(coordinator)
    assert client.post(url(event), {"version": report.version}).status_code == 302
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.PUBLISHED
    assert report.published_at is not None
    client.force_login(other_partner)
    html = client.get(event.get_absolute_url()).content.decode()
    section = html[html.index('id="report-heading"') :]
    assert "What the roundtable achieved." in section
    assert "Reserve cleaning contracts for social enterprises." in section
    assert "64 participants" in section
    assert "34 from social economy organisations" in section


def test_a_draft_cannot_be_published(client: Client, coordinator: Any, event: Event) -> None:
    report = make_report(event)
    client.force_login(coordinator)
    response = client.post(url(event), {"version": report.version})
    assert response.status_code == 422
    assert "Only a report in review can be published." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.DRAFT


def test_partner_cannot_publish_their_own_report(
    client: Client, partner: Any, event: Event
) -> None:
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(partner)
    assert client.post(url(event), {"version": report.version}).status_code == 403
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.IN_REVIEW
