"""Sending a draft report for review: its writers only, a summary first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from reports.models import ConferenceReport
from tests.events.factories import make_event, make_report


@pytest.fixture
def event(project: Project) -> Event:
    """An event organised by P2, the `partner`'s organisation."""
    return make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE)


def url(event: Event) -> str:
    return reverse("reports:conference_report_submit", args=[event.project.slug, event.pk])


def test_partner_sends_the_draft_for_review(client: Client, partner: Any, event: Event) -> None:
    report = make_report(event)
    client.force_login(partner)
    assert client.post(url(event), {"version": report.version}).status_code == 302
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.IN_REVIEW


def test_a_report_without_summary_is_refused_with_the_reason(
    client: Client, partner: Any, event: Event
) -> None:
    report = make_report(event, summary="")
    client.force_login(partner)
    response = client.post(url(event), {"version": report.version})
    assert response.status_code == 422
    assert "Write a summary before sending the report for review." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.DRAFT


def test_stale_page_is_refused(client: Client, partner: Any, event: Event) -> None:
    report = make_report(event)
    report.save_edit(report.version)
    client.force_login(partner)
    response = client.post(url(event), {"version": 1}, follow=True)
    assert b"Someone else changed this report" in response.content
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.DRAFT


def test_no_report_yet_is_404(client: Client, partner: Any, event: Event) -> None:
    client.force_login(partner)
    assert client.post(url(event), {"version": 1}).status_code == 404


def test_observer_cannot_submit(client: Client, observer: Any, event: Event) -> None:
    report = make_report(event)
    client.force_login(observer)
    assert client.post(url(event), {"version": report.version}).status_code == 403
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.DRAFT


def test_get_is_405(client: Client, partner: Any, event: Event) -> None:
    make_report(event)
    client.force_login(partner)
    assert client.get(url(event)).status_code == 405


def test_a_refused_submit_offers_the_edit_form(client: Client, partner: Any, event: Event) -> None:
    report = make_report(event, summary="")
    client.force_login(partner)

    html = client.post(url(event), {"version": report.version}).content.decode()

    edit = reverse("reports:conference_report_edit", args=[event.project.slug, event.pk])
    assert f'href="{edit}"' in html


def test_a_stale_submit_is_409_and_changes_nothing(
    client: Client, partner: Any, event: Event
) -> None:
    report = make_report(event)
    report.save_edit(report.version)
    client.force_login(partner)

    response = client.post(url(event), {"version": 1})

    assert response.status_code == 409
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.DRAFT
