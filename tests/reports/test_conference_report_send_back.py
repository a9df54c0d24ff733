"""Sending a report back: the coordinator, with a comment the writers then see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from events.models import Event
from projects.models import Project
from reports.models import ConferenceReport
from tests.events.factories import make_event, make_report


@pytest.fixture
def event(project: Project) -> Event:
    """An event organised by P2, the `partner`'s organisation."""
    return make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE)


def url(event: Event) -> str:
    return reverse("reports:conference_report_send_back", args=[event.project.slug, event.pk])


def test_coordinator_sends_back_and_the_writers_see_the_comment(
    client: Client, coordinator: Any, partner: Any, event: Event
) -> None:
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(coordinator)
    response = client.post(
        url(event), {"version": report.version, "comment": "Add the figures by country."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.DRAFT
    client.force_login(partner)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "The coordinator sent it back" in html
    assert "Add the figures by country." in html


def test_a_comment_is_required(client: Client, coordinator: Any, event: Event) -> None:
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(coordinator)
    response = client.post(url(event), {"version": report.version, "comment": "  "})
    assert response.status_code == 422
    assert "Say what should change." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.IN_REVIEW


def test_other_partner_cannot_send_back(client: Client, other_partner: Any, event: Event) -> None:
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(other_partner)
    response = client.post(url(event), {"version": report.version, "comment": "No."})
    assert response.status_code == 403


def test_a_refused_send_back_shows_its_form_with_the_error_on_the_comment(
    client: Client, coordinator: Any, event: Event
) -> None:
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(coordinator)

    response = client.post(url(event), {"version": report.version, "comment": "  "})

    assert response.status_code == 422
    assertTemplateUsed(response, "reports/conference_report_refused.html")
    form = response.context["send_back_form"]
    assert form.errors == {"comment": ["Say what should change."]}
    html = response.content.decode()
    assert f'action="{url(event)}"' in html
    assert 'aria-invalid="true"' in html  # the error is tied to the field


def test_a_send_back_from_a_stale_page_keeps_the_comment(
    client: Client, coordinator: Any, event: Event
) -> None:
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    report.save_edit(report.version)  # someone saved after the page was loaded
    client.force_login(coordinator)

    response = client.post(url(event), {"version": 1, "comment": "Add the figures by country."})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this report" in html
    assert "Add the figures by country." in html
    # Sending it again is deliberate: against the version now shown.
    assert f'name="version" value="{report.version}"' in html
    report.refresh_from_db()
    assert report.status == ConferenceReport.Status.IN_REVIEW


def test_a_draft_cannot_be_sent_back(client: Client, coordinator: Any, event: Event) -> None:
    report = make_report(event)
    client.force_login(coordinator)

    response = client.post(url(event), {"version": report.version, "comment": "Why?"})

    assert response.status_code == 422
    assert "Only a report in review can be sent back." in response.content.decode()
