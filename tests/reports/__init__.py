"""Tests of the reports app. The helpers below are shared by the progress-report tests
(test_report_*, test_progress_*, test_pipeline_*, test_pdf_*); they are plain factory functions
like tests/factories.py, kept here because only these tests use them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from accounts.models import User
from projects.models import Project, ReportingPeriod
from reports.models import ProgressReport

ALL_SECTIONS = [key for key, _ in ProgressReport.SECTIONS]

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
    status: str = ProgressReport.Status.QUEUED,
    **fields: Any,
) -> ProgressReport:
    """A progress report row as the request makes it (queued), or in the `status` given."""
    return ProgressReport.objects.create(
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
) -> ProgressReport:
    """A ready report whose (tiny, fake) PDF is in storage, as the task leaves it."""
    report = make_progress_report(
        project, requested_by, status=ProgressReport.Status.READY, pages=1, size=len(content),
        render_seconds=0.4, attempts=1, **fields,
    )  # fmt: skip
    report.file.save("report.pdf", ContentFile(content), save=True)
    return report


def report_files(media_root: Path, project: Project) -> list[Path]:
    """The PDFs stored for `project`'s reports (the task writes reports/<project id>/<name>.pdf)."""
    folder = media_root / "reports" / str(project.pk)
    return sorted(folder.glob("*.pdf")) if folder.is_dir() else []


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, as pypdf extracts it."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
