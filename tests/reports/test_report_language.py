"""The language of a generated PDF (GeneratedReport.language): the report is rendered inside
translation.override of its language, so its headings, labels, dates and metadata follow it, and
its <html lang> (the PDF's /Lang) is that language; what people wrote stays as written. A
conference report's PDF is made in the project's reporting language (ConferenceReport.
pdf_language) and reused only for the same version in the same language.

The German words asserted are the glossary's (locale/glossary.toml: "Fortschrittsbericht",
"Arbeitspaket", "Risikoregister"), so a test fails when the PDF falls back to English, not when a
translator rewords a heading; the dates follow coresp/formats/de and Django's month names."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import User
from events.models import Attendance, Event
from projects.models import Project
from reports import rendering
from reports.models import ConferenceReport, GeneratedReport
from reports.templatetags import reports_tags
from reports.workflows import (
    FAILED_TOO_MANY,
    FAILED_UNEXPECTED,
    failure_message,
    render_report,
)
from tests.reports import make_conference_pdf, make_progress_report, make_reporting_period

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2023, 7, 3, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))


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
def rendered_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every print template rendered while the test runs (what WeasyPrint gets)."""
    pages: list[str] = []
    render_html = rendering.render_html

    def spy(template: str, context: dict[str, Any]) -> str:
        pages.append(render_html(template, context))
        return pages[-1]

    monkeypatch.setattr(rendering, "render_html", spy)
    return pages


def read(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


# --- progress reports -------------------------------------------------------------------------


def test_a_progress_report_in_german_is_rendered_in_german(
    project: Project, coordinator: User, rendered_html: list[str]
) -> None:
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    report = make_progress_report(
        project,
        coordinator,
        period=period,
        sections=["summary", "work_packages", "risks"],
        language="de",
    )

    pdf = read(rendering.render_generated_report(report, NOW).content)

    [html] = rendered_html
    assert '<html lang="de">' in html
    assert pdf.root_object["/Lang"] == "de"
    # German dates: the short and the long format, and the month's German name.
    metadata = pdf.metadata
    assert metadata is not None
    title = str(metadata["/Title"])
    assert "1.10.2022" in title and "30.6.2023" in title
    text = text_of(pdf)
    assert "1. Oktober 2022" in text
    assert "3.7.2023 09:30" in text  # the running footer's "data as of"
    assert "1 Oct 2022" not in text
    # The headings and labels are German; the project's own words stay as written.
    assert "Fortschrittsbericht" in text
    assert "Arbeitspakete" in text and "Risikoregister" in text
    assert "Work packages and deliverables" not in text and "Risk register" not in text
    assert "Progress report" not in text
    assert project.title in text.replace("\n", " ")


def test_a_progress_report_in_english_keeps_its_english(
    project: Project, coordinator: User, rendered_html: list[str]
) -> None:
    report = make_progress_report(project, coordinator, sections=["summary"])
    assert report.language == "en"

    with translation.override("de"):  # whoever asked, in whatever language
        pdf = read(rendering.render_generated_report(report, NOW).content)

    assert '<html lang="en">' in rendered_html[0]
    assert pdf.root_object["/Lang"] == "en"
    metadata = pdf.metadata
    assert metadata is not None
    assert metadata["/Title"] == "CO-RESP progress report 1 Oct 2022 to 30 Jun 2023"
    text = text_of(pdf)
    assert "Page 1 of 3" in text
    assert "Data as of 3 Jul 2023 09:30" in text
    assert "Period covered" in text and "1 October 2022 to 30 June 2023" in text


def test_rendering_leaves_the_active_language_as_it_was(
    project: Project, coordinator: User
) -> None:
    report = make_progress_report(project, coordinator, sections=["summary"], language="bg")

    with translation.override("fr"):
        rendering.render_generated_report(report, NOW)
        assert translation.get_language() == "fr"


def test_the_worker_renders_the_report_in_its_language(
    project: Project, coordinator: User, rendered_html: list[str]
) -> None:
    report = make_progress_report(project, coordinator, sections=["summary"], language="es")

    assert render_report(report.pk, task_id="t") == "ready"

    report.refresh_from_db()
    assert '<html lang="es">' in rendered_html[0]
    assert read(report.file.read()).root_object["/Lang"] == "es"


def test_a_pdf_in_another_language_says_so_in_its_file_name(
    project: Project, coordinator: User
) -> None:
    english = make_progress_report(project, coordinator)
    german = make_progress_report(project, coordinator, language="de")

    assert english.filename == "CO-RESP-progress-20221001-20230630.pdf"
    assert german.filename == "CO-RESP-progress-20221001-20230630-de.pdf"


def test_an_unknown_language_is_refused_by_the_model(project: Project, coordinator: User) -> None:
    from django.core.exceptions import ValidationError

    report = make_progress_report(project, coordinator, language="xx")

    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert "language" in refused.value.message_dict


# --- the running footer ----------------------------------------------------------------------


def test_page_x_of_y_in_english_is_the_footer_it_always_was() -> None:
    with translation.override("en"):
        assert reports_tags.page_x_of_y() == '"Page " counter(page) " of " counter(pages)'


def test_page_x_of_y_follows_the_translations_order_and_escapes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A translation that puts the total first, with characters that mean something in CSS/HTML.
    monkeypatch.setattr(reports_tags, "gettext", lambda _: '{pages} "pages" \\ {page}</style>')

    assert reports_tags.page_x_of_y() == (
        'counter(pages) " \\"pages\\" \\\\ " counter(page) "\\3c /style>"'
    )


def test_the_print_template_puts_the_footer_in_a_style_element() -> None:
    html = Template("{% load reports_tags %}<style>{% page_x_of_y %}</style>").render(Context())
    assert html == '<style>"Page " counter(page) " of " counter(pages)</style>'


# --- failure reasons --------------------------------------------------------------------------


def test_a_failure_reason_is_shown_as_stored_in_english(
    project: Project, coordinator: User
) -> None:
    too_many = FAILED_TOO_MANY.format(n=GeneratedReport.MAX_ATTEMPTS)
    for stored in (too_many, FAILED_UNEXPECTED, "A reason written by hand."):
        report = make_progress_report(
            project, coordinator, status=GeneratedReport.Status.FAILED, error=stored
        )
        with translation.override("en"):
            assert failure_message(report) == stored


# --- conference reports: the project's reporting language -------------------------------------


@pytest.fixture
def event(project: Project) -> Event:
    """A held roundtable with attendance and a published report."""
    organiser = project.partners.get(number=2)
    starts = dt.datetime(2023, 3, 15, 9, 0, tzinfo=dt.UTC)
    event = Event.objects.create(
        project=project, kind=Event.Kind.ROUNDTABLE, title="Roundtable in Valencia",
        starts_at=starts, ends_at=starts + dt.timedelta(hours=2), time_zone="Europe/Madrid",
        city="Valencia", country="ES", organiser=organiser, status=Event.Status.HELD,
    )  # fmt: skip
    Attendance.objects.create(event=event, total=40, in_person=40, social_economy=40)
    ConferenceReport.objects.create(
        event=event, author=organiser, status=ConferenceReport.Status.PUBLISHED,
        published_at=starts + dt.timedelta(days=10), summary="Vinieron cuarenta personas.",
    )  # fmt: skip
    return event


def pdf_url(event: Event) -> str:
    return reverse("reports:conference_report_pdf", args=[event.project.slug, event.pk])


def test_a_conference_pdf_is_made_in_the_projects_reporting_language(
    client: Client,
    event: Event,
    partner: User,
    rendered_html: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    event.project.reporting_language = "de"
    event.project.save()
    client.force_login(partner)  # whose own language does not matter

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(pdf_url(event), HTTP_ACCEPT_LANGUAGE="fr")

    pdf = GeneratedReport.objects.get()
    assert response["Location"] == pdf.get_absolute_url()
    assert pdf.language == "de"
    assert render_report(pdf.pk, task_id="t") == "ready"
    pdf.refresh_from_db()
    assert '<html lang="de">' in rendered_html[0]
    reader = read(pdf.file.read())
    assert reader.root_object["/Lang"] == "de"
    text = text_of(reader)
    assert "Vinieron cuarenta personas." in text  # what the partner wrote, as written
    assert "25. März 2023" in text  # published on 25 March, in German


def test_a_conference_pdf_is_reused_only_in_the_same_language(
    client: Client, event: Event, partner: User, django_capture_on_commit_callbacks: Any
) -> None:
    english = make_conference_pdf(event, partner)  # this version, in English
    event.project.reporting_language = "de"
    event.project.save()
    client.force_login(partner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(pdf_url(event))
        second = client.post(pdf_url(event))

    german = GeneratedReport.objects.exclude(pk=english.pk).get()
    assert german.language == "de"
    assert german.report_version == english.report_version
    assert first["Location"] == second["Location"] == german.get_absolute_url()
    assert len(callbacks) == 1


def test_the_event_page_links_the_pdf_in_the_projects_language(
    client: Client, event: Event, partner: User
) -> None:
    english = make_conference_pdf(event, partner)
    page = reverse("events:event_detail", args=[event.project.slug, event.pk])
    english_link = f'href="{english.get_absolute_url()}"'
    client.force_login(partner)

    assert english_link in client.get(page).content.decode()

    event.project.reporting_language = "de"
    event.project.save()
    html = client.get(page).content.decode()
    assert english_link not in html
    assert "Make a PDF of the report" in html
