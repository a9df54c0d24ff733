"""reports:conference_report_pdf: partners and the coordinator have an event's published report
made into a PDF, through the same pipeline (row, task after commit, claim, render, download);
one PDF per version of the report, which every member then reaches, observers included (they
create no rows). A report not yet published is its writers' and the coordinator's: no one else
has it made into a PDF, sees a PDF made of it, or finds it in one (Leak 1 of issue 8)."""

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
from reports import rendering
from reports.models import ConferenceReport, GeneratedReport, Recommendation
from reports.workflows import render_report
from tests.factories import make_membership, make_partner, make_project, make_user
from tests.reports import TINY_PDF, make_conference_pdf, pdf_text

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


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner"])
def test_partners_and_the_coordinator_ask_for_the_pdf(
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

    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.kind == GeneratedReport.Kind.CONFERENCE
    assert report.event == event
    assert report.status == GeneratedReport.Status.QUEUED
    assert report.requested_by == user
    assert report.report_version == ConferenceReport.objects.get(event=event).version
    # The event's own day where it happens, not the UTC date.
    assert report.start_date == report.end_date == dt.date(2023, 3, 15)
    assert len(callbacks) == 1


def test_the_pdf_is_made_and_downloaded(
    client: Client, event: Event, partner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(partner)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url(event))
    report = GeneratedReport.objects.get()

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
    report = GeneratedReport.objects.create(
        project=project, kind=GeneratedReport.Kind.CONFERENCE, event=event,
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
    assert GeneratedReport.objects.count() == 0


def test_outsider_gets_404(client: Client, outsider: User, event: Event) -> None:
    client.force_login(outsider)

    assert client.post(url(event)).status_code == 404
    assert GeneratedReport.objects.count() == 0


def test_anonymous_is_sent_to_login(client: Client, event: Event) -> None:
    response = client.post(url(event))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert GeneratedReport.objects.count() == 0


def test_get_is_not_allowed(client: Client, coordinator: User, event: Event) -> None:
    client.force_login(coordinator)

    assert client.get(url(event)).status_code == 405
    assert GeneratedReport.objects.count() == 0


# --- Leak 1: a report that is not published yet is its writers' and the coordinator's only -----

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
NOT_PUBLISHED = [ConferenceReport.Status.DRAFT, ConferenceReport.Status.IN_REVIEW]
READERS = ["observer", "other_partner"]  # other_partner: staff of P3, not the report's author


def _unpublish(event: Event, status: str) -> None:
    ConferenceReport.objects.filter(event=event).update(status=status, published_at=None)


@pytest.mark.parametrize("status", NOT_PUBLISHED)
@pytest.mark.parametrize("who", READERS)
def test_a_reader_cannot_have_a_report_not_yet_published_made_into_a_pdf(
    client: Client,
    event: Event,
    who: str,
    status: str,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _unpublish(event, status)
    client.force_login(request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(event))

    assert response.status_code in (403, 404)
    assert GeneratedReport.objects.count() == 0  # no row
    assert callbacks == []  # no task


@pytest.mark.parametrize("status", NOT_PUBLISHED)
@pytest.mark.parametrize("who", READERS)
def test_a_reader_cannot_see_or_download_an_existing_pdf_of_a_report_not_yet_published(
    client: Client,
    event: Event,
    coordinator: User,
    who: str,
    status: str,
    request: pytest.FixtureRequest,
) -> None:
    _unpublish(event, status)
    # A PDF made of it earlier (by its writers, or through the old request that let anyone).
    pdf = make_conference_pdf(event, coordinator, content=TINY_PDF)
    client.force_login(request.getfixturevalue(who))
    slug = event.project.slug

    assert client.get(reverse("reports:report_detail", args=[slug, pdf.pk])).status_code == 404
    assert client.get(reverse("reports:report_download", args=[slug, pdf.pk])).status_code == 404
    listed = client.get(reverse("reports:report_list", args=[slug])).content.decode()
    assert "Roundtable in Valencia" not in listed


@pytest.mark.parametrize("status", NOT_PUBLISHED)
def test_the_writers_still_see_the_pdf_of_their_report(
    client: Client, event: Event, coordinator: User, partner: User, status: str
) -> None:
    _unpublish(event, status)
    pdf = make_conference_pdf(event, coordinator)
    for user in (coordinator, partner):
        client.force_login(user)
        detail = reverse("reports:report_detail", args=[event.project.slug, pdf.pk])
        assert client.get(detail).status_code == 200


@pytest.mark.parametrize("status", NOT_PUBLISHED)
@pytest.mark.parametrize("who", READERS)
def test_a_pdf_asked_for_by_a_reader_does_not_print_a_report_not_yet_published(
    event: Event, who: str, status: str, request: pytest.FixtureRequest
) -> None:
    _unpublish(event, status)
    # A row left by the old request, which let any member queue one.
    pdf = make_conference_pdf(event, request.getfixturevalue(who))

    context = rendering.conference_report_context(pdf, NOW)

    assert context["conference_report"] is None
    assert context["recommendations"] == []


@pytest.mark.parametrize("who", ["coordinator", "partner"])
def test_a_pdf_asked_for_by_a_writer_prints_their_draft(
    event: Event, who: str, request: pytest.FixtureRequest
) -> None:
    _unpublish(event, ConferenceReport.Status.DRAFT)
    pdf = make_conference_pdf(event, request.getfixturevalue(who))

    context = rendering.conference_report_context(pdf, NOW)

    assert context["conference_report"].summary == "Forty people came."


def test_a_draft_is_not_made_into_a_pdf_even_by_its_writers(
    client: Client, event: Event, partner: User
) -> None:
    _unpublish(event, ConferenceReport.Status.DRAFT)
    client.force_login(partner)

    assert client.post(url(event)).status_code == 403
    assert GeneratedReport.objects.count() == 0


# --- one PDF per version of the report; observers create no rows -------------------------------


@pytest.mark.parametrize("status", [GeneratedReport.Status.QUEUED, GeneratedReport.Status.READY])
@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_a_second_request_for_the_same_version_goes_to_the_pdf_already_made(
    client: Client,
    event: Event,
    coordinator: User,
    who: str,
    status: str,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Any,
) -> None:
    made = make_conference_pdf(event, coordinator, status=status)
    client.force_login(request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(event))

    assert response.status_code == 302
    assert response["Location"] == made.get_absolute_url()
    assert GeneratedReport.objects.get() == made
    assert callbacks == []


def test_the_event_page_links_to_the_pdf_made_of_this_version(
    client: Client, event: Event, coordinator: User, observer: User
) -> None:
    made = make_conference_pdf(event, coordinator)
    client.force_login(observer)

    html = client.get(event.get_absolute_url()).content.decode()

    assert f'href="{made.get_absolute_url()}"' in html
    assert "Make a PDF of the report" not in html


def test_an_observer_does_not_create_a_pdf(
    client: Client, event: Event, observer: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(observer)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(event))

    assert response.status_code == 403
    assert GeneratedReport.objects.count() == 0
    assert callbacks == []
    html = client.get(event.get_absolute_url()).content.decode()
    assert "No PDF has been made of this report yet." in html
    assert "Make a PDF of the report" not in html


def test_a_pdf_of_another_version_or_a_failed_one_is_not_reused(
    client: Client, event: Event, coordinator: User, partner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    report = ConferenceReport.objects.get(event=event)
    make_conference_pdf(event, coordinator, report_version=report.version + 1)
    make_conference_pdf(event, coordinator, status=GeneratedReport.Status.FAILED)
    client.force_login(partner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(event))

    new = GeneratedReport.objects.get(requested_by=partner)
    assert response["Location"] == new.get_absolute_url()
    assert new.report_version == report.version
    assert GeneratedReport.objects.count() == 3
    assert len(callbacks) == 1


def test_an_observer_sees_the_pdf_of_the_published_version_only_and_none_of_unknown_version(
    client: Client, event: Event, coordinator: User, observer: User
) -> None:
    report = ConferenceReport.objects.get(event=event)
    current = make_conference_pdf(event, coordinator, content=TINY_PDF)
    other = make_conference_pdf(event, coordinator, report_version=report.version + 1)
    # Made before PDFs remembered their version: what it printed is not known.
    unknown = make_conference_pdf(event, coordinator)
    GeneratedReport.objects.filter(pk=unknown.pk).update(report_version=None)
    client.force_login(observer)
    slug = event.project.slug

    assert (
        client.get(reverse("reports:report_download", args=[slug, current.pk])).status_code == 200
    )
    for hidden in (other, unknown):
        assert (
            client.get(reverse("reports:report_detail", args=[slug, hidden.pk])).status_code == 404
        )
