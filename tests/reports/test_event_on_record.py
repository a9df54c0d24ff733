"""A reported event stays on record: the reports app says so with on_delete=RESTRICT (the event
of a conference report, of a PDF; the partner who wrote a report), so the events app need not
know about reports. Deleting a whole project takes its reports with it (ConferenceReport.project
and GeneratedReport.project CASCADE), once the other apps' relations to Partner let it go: see
the expected failure at the end."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from events.models import Event
from events.workflows import delete_event
from projects.models import Project
from reports.models import ConferenceReport, GeneratedReport, Recommendation
from tests.events.factories import make_event, make_recommendation, make_report
from tests.factories import make_partner, make_project
from tests.reports import make_conference_pdf, make_progress_report

pytestmark = pytest.mark.django_db


def test_an_event_with_a_conference_report_is_not_deleted(project: Project) -> None:
    event = make_event(project)
    make_recommendation(make_report(event))

    with pytest.raises(ValidationError, match="Mark it cancelled instead"):
        delete_event(event)

    assert Event.objects.filter(pk=event.pk).exists()
    assert ConferenceReport.objects.filter(event=event).exists()
    assert Recommendation.objects.count() == 1


def test_an_event_a_pdf_was_made_of_is_not_deleted(project: Project, coordinator: User) -> None:
    event = make_event(project)
    make_conference_pdf(event, coordinator)

    with pytest.raises(ValidationError, match="stays on record"):
        delete_event(event)

    assert Event.objects.filter(pk=event.pk).exists()
    assert GeneratedReport.objects.filter(event=event).exists()


def test_the_delete_page_says_why_and_keeps_the_event(
    client: Client, coordinator: User, project: Project
) -> None:
    event = make_event(project)
    make_conference_pdf(event, coordinator)
    client.force_login(coordinator)

    response = client.post(
        reverse("events:event_delete", args=[project.slug, event.pk]), follow=True
    )

    assert response.redirect_chain == [(event.get_absolute_url(), 302)]
    assert "Mark it cancelled instead." in response.content.decode()
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_event_nothing_was_reported_from_is_deleted(project: Project) -> None:
    event = make_event(project)

    delete_event(event)

    assert not Event.objects.filter(pk=event.pk).exists()


def test_the_partner_who_wrote_a_report_stays_on_record(coordinator: User) -> None:
    other = make_project("OTHER", slug="other")
    organiser, writer = make_partner(other, number=1), make_partner(other, number=2)
    report = make_report(make_event(other, organiser=organiser))
    ConferenceReport.objects.filter(pk=report.pk).update(author=writer)

    with pytest.raises(RestrictedError):
        writer.delete()

    assert ConferenceReport.objects.filter(pk=report.pk, author=writer).exists()


def test_deleting_a_project_without_events_takes_its_progress_reports(coordinator: User) -> None:
    other = make_project("OTHER", slug="other")
    make_partner(other, number=1)
    make_progress_report(other, coordinator)

    other.delete()

    assert not GeneratedReport.objects.filter(project_id=other.pk).exists()


def test_deleting_a_whole_project_takes_its_reported_events_and_reports(
    project: Project, coordinator: User
) -> None:
    event = make_event(project)
    make_recommendation(make_report(event, status=ConferenceReport.Status.PUBLISHED))
    make_conference_pdf(event, coordinator)
    make_progress_report(project, coordinator)

    Project.objects.get(pk=project.pk).delete()

    assert not Event.objects.exists()
    assert not ConferenceReport.objects.exists()
    assert not Recommendation.objects.exists()
    assert not GeneratedReport.objects.exists()
