"""reports:conference_report_pdf: any member has one event's conference report made into a PDF,
through the same pipeline (row, task after commit, claim, render, download)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from events.models import Attendance, Event
from projects.models import Project
from reports.models import ConferenceReport, ProgressReport, Recommendation
from reports.workflows import render_report
from tests.factories import make_membership, make_partner, make_project, make_user
from tests.reports import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path


@pytest.fixture
def event(project: Project) -> Event:
    """A roundtable in Valencia that starts at 00:30 on 15 March 2023 local time (23:30 UTC on
    the 14th), held, with attendance and a published report."""
    organiser = project.partners.get(number=2)
    starts = dt.datetime(2023, 3, 14, 23, 30, tzinfo=dt.UTC)
    event = Event.objects.create(
        project=project, kind=Event.Kind.ROUNDTABLE, title="Roundtable in Valencia",
        starts_at=starts, ends_at=starts + dt.timedelta(hours=1), time_zone="Europe/Madrid",
        venue="Las Naves", city="Valencia", country="ES", organiser=organiser,
        status=Event.Status.HELD,
    )  # fmt: skip
    Attendance.objects.create(
        event=event, total=40, in_person=40, public_authorities=15, social_economy=25
    )
    report = ConferenceReport.objects.create(
        event=event, author=organiser, status=ConferenceReport.Status.PUBLISHED,
        published_at=starts + dt.timedelta(days=10), summary="Forty people came.",
        key_messages="Meet providers early.\nWrite social clauses together.",
        lessons_learned="Invite buyers personally.",
    )  # fmt: skip
    Recommendation.objects.create(
        report=report, text="Reserve lots for social enterprises.", position=1,
        audience=Recommendation.Audience.CONTRACTING_AUTHORITIES,
    )  # fmt: skip
    return event


def url(event: Event) -> str:
    return reverse("reports:conference_report_pdf", args=[event.project.slug, event.pk])


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_any_member_asks_for_the_pdf(
    client: Client,
    event: Event,
    who: str,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(event))

    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.kind == ProgressReport.Kind.CONFERENCE
    assert report.event == event
    assert report.status == ProgressReport.Status.QUEUED
    assert report.requested_by == user
    # The event's own day where it happens, not the UTC date.
    assert report.start_date == report.end_date == dt.date(2023, 3, 15)
    assert len(callbacks) == 1


def test_the_pdf_is_made_and_downloaded(
    client: Client, event: Event, partner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(partner)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url(event))
    report = ProgressReport.objects.get()

    # What the worker does with the message (tested with a real worker in test_pipeline_*).
    assert render_report(report.pk, task_id="t") == "ready"

    detail = client.get(report.get_absolute_url()).content.decode()
    assert "Conference report: Roundtable in Valencia" in detail
    assert "Download the PDF" in detail
    response = client.get(reverse("reports:report_download", args=[event.project.slug, report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="CO-RESP-event-{event.pk}-report.pdf"'
    )
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    response.close()
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata is not None
    assert reader.metadata["/Title"] == "Roundtable in Valencia: conference report"
    assert reader.root_object["/Lang"] == "en"
    # Without whitespace: pypdf splits some kerned words ("T otal").
    text = "".join(pdf_text(content).split())
    for expected in (
        "Roundtable in Valencia", "Las Naves, Valencia, Spain", "Total 40", "Public authorities 15",
        "Forty people came.", "Meet providers early.", "Write social clauses together.",
        "Reserve lots for social enterprises.", "Invite buyers personally.",
    ):  # fmt: skip
        assert "".join(expected.split()) in text


def test_an_event_without_a_written_report_still_gets_a_pdf(
    project: Project, event: Event, coordinator: User
) -> None:
    ConferenceReport.objects.filter(event=event).delete()
    report = ProgressReport.objects.create(
        project=project, kind=ProgressReport.Kind.CONFERENCE, event=event,
        start_date=dt.date(2023, 3, 14), end_date=dt.date(2023, 3, 14), requested_by=coordinator,
    )  # fmt: skip

    assert render_report(report.pk, task_id="t") == "ready"

    report.refresh_from_db()
    with report.file.open("rb") as f:
        assert "No written report for this event yet." in pdf_text(f.read())


def test_an_event_of_another_project_is_404(
    client: Client, coordinator: User, project: Project
) -> None:
    other = make_project("OTHER")
    organiser = make_partner(other, number=1)
    them = make_user("them@example.org")
    make_membership(them, other, role="coordinator", partner=organiser)
    foreign = Event.objects.create(
        project=other, kind=Event.Kind.WEBINAR, title="Elsewhere", format=Event.Format.ONLINE,
        starts_at=dt.datetime(2023, 3, 1, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2023, 3, 1, 10, tzinfo=dt.UTC), organiser=organiser,
    )  # fmt: skip
    client.force_login(coordinator)

    url_of_foreign = reverse("reports:conference_report_pdf", args=[project.slug, foreign.pk])
    response = client.post(url_of_foreign)

    assert response.status_code == 404
    assert ProgressReport.objects.count() == 0


def test_outsider_gets_404(client: Client, outsider: User, event: Event) -> None:
    client.force_login(outsider)

    assert client.post(url(event)).status_code == 404
    assert ProgressReport.objects.count() == 0


def test_anonymous_is_sent_to_login(client: Client, event: Event) -> None:
    response = client.post(url(event))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert ProgressReport.objects.count() == 0


def test_get_is_not_allowed(client: Client, coordinator: User, event: Event) -> None:
    client.force_login(coordinator)

    assert client.get(url(event)).status_code == 405
    assert ProgressReport.objects.count() == 0
