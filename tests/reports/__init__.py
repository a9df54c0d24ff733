"""Tests of the reports app. The helpers below are shared by the tests of generated reports
(test_report_*, test_progress_*, test_pipeline_*, test_pdf_*, test_conference_report_pdf); they
are plain factory functions like tests/factories.py, kept here because only these tests use them.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from accounts.models import User
from events.models import Event
from projects.models import Project, ReportingPeriod
from reports.models import ConferenceReport, GeneratedReport

ALL_SECTIONS = [key for key, _ in GeneratedReport.SECTIONS]

# The smallest file the download view may hand out: the view never looks inside it.
TINY_PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_reporting_period(
    project: Project, *, number: int = 1, start_month: int = 1, end_month: int = 9, **fields: Any
) -> ReportingPeriod:
    """RP<number>, by default M1-M9: 1 October 2022 to 30 June 2023 in the cast's project."""
    return ReportingPeriod.objects.create(
        project=project, number=number, start_month=start_month, end_month=end_month, **fields
    )


def make_progress_report(
    project: Project,
    requested_by: User,
    *,
    start_date: dt.date = dt.date(2022, 10, 1),
    end_date: dt.date = dt.date(2023, 6, 30),
    sections: list[str] | None = None,
    status: str = GeneratedReport.Status.QUEUED,
    **fields: Any,
) -> GeneratedReport:
    """A progress report row as the request makes it (queued), or in the `status` given."""
    return GeneratedReport.objects.create(
        project=project,
        start_date=start_date,
        end_date=end_date,
        sections=ALL_SECTIONS if sections is None else sections,
        requested_by=requested_by,
        status=status,
        **fields,
    )


def make_ready_report(
    project: Project, requested_by: User, *, content: bytes = TINY_PDF, **fields: Any
) -> GeneratedReport:
    """A ready report whose (tiny, fake) PDF is in storage, as the task leaves it."""
    report = make_progress_report(
        project, requested_by, status=GeneratedReport.Status.READY, pages=1, size=len(content),
        render_seconds=0.4, attempts=1, **fields,
    )  # fmt: skip
    report.file.save("report.pdf", ContentFile(content), save=True)
    return report


def make_conference_pdf(
    event: Event,
    requested_by: User,
    *,
    report_version: int | None = None,
    status: str = GeneratedReport.Status.QUEUED,
    content: bytes | None = None,
) -> GeneratedReport:
    """The PDF row of `event`'s conference report as the request makes it (queued), for the
    report's `report_version` (by default its current one); ready with `content` in storage
    when `content` is given."""
    if report_version is None:
        report_version = (
            ConferenceReport.objects.filter(event=event).values_list("version", flat=True).first()
        )
    day = event.local_start.date()
    pdf = GeneratedReport.objects.create(
        project=event.project, kind=GeneratedReport.Kind.CONFERENCE, event=event,
        report_version=report_version, start_date=day, end_date=day, sections=[],
        requested_by=requested_by, status=GeneratedReport.Status.READY if content else status,
    )  # fmt: skip
    if content is not None:
        pdf.pages, pdf.size, pdf.attempts = 1, len(content), 1
        pdf.file.save("report.pdf", ContentFile(content), save=True)
    return pdf


def report_files(media_root: Path, project: Project) -> list[Path]:
    """The PDFs stored for `project`'s reports (the task writes reports/<project id>/<name>.pdf)."""
    folder = media_root / "reports" / str(project.pk)
    return sorted(folder.glob("*.pdf")) if folder.is_dir() else []


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, as pypdf extracts it."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
