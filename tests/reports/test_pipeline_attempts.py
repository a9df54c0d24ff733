"""reports.workflows.render_report without a worker: the claim, the attempt counter that stops a
report that keeps killing its worker, the fencing that lets only the latest claim store its file,
and failures that tell people what happened in plain words.

The task calls render_report(id, task_id=<the message's id>); these tests call it the same way,
in this process. Renders here are small (one section, a handful of rows).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from projects.models import Project
from reports import workflows
from reports.models import GeneratedReport
from reports.workflows import FAILED_TOO_MANY, FAILED_UNEXPECTED, render_report, retry_report
from tests.reports import make_progress_report, pdf_text, report_files

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
def report(project: Project, coordinator: User) -> GeneratedReport:
    return make_progress_report(project, coordinator, sections=["summary"])


def test_a_queued_report_is_claimed_rendered_and_stored(
    report: GeneratedReport, private_storage: Path
) -> None:
    assert render_report(report.pk, task_id="task-1") == "ready"

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.READY
    assert (report.attempts, report.task_id) == (1, "task-1")
    assert report.pages and report.size and report.render_seconds is not None
    assert report.data_as_of and report.started_at and report.finished_at
    files = report_files(private_storage, report.project)
    assert [f.relative_to(private_storage).as_posix() for f in files] == [report.file.name]
    assert "CO-RESP" in pdf_text(files[0].read_bytes())


def test_a_report_that_keeps_killing_its_worker_fails_after_three_attempts(
    report: GeneratedReport, private_storage: Path
) -> None:
    # Three deliveries of the same message, each claimed and then lost with its worker (the
    # redelivery of a message whose worker died carries the same task id).
    now = timezone.now()
    assert [report.claim(now, task_id="doomed") for _ in range(3)] == [1, 2, 3]

    # The fourth delivery gives up instead of rendering again.
    assert render_report(report.pk, task_id="doomed") == "failed"

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.FAILED
    assert report.error == FAILED_TOO_MANY.format(n=GeneratedReport.MAX_ATTEMPTS)
    assert report.error.startswith("The report could not be finished after 3 attempts")
    assert "Traceback" not in report.error and "Error" not in report.error
    assert report.finished_at is not None
    assert not report.file
    assert report_files(private_storage, report.project) == []


def test_a_failed_report_retried_starts_its_attempts_over_and_is_made(
    report: GeneratedReport,
    private_storage: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    for _ in range(3):
        report.claim(now, task_id="doomed")
    render_report(report.pk, task_id="doomed")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retry_report(report, now=timezone.now())
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert (report.status, report.attempts, report.error) == (GeneratedReport.Status.QUEUED, 0, "")

    assert render_report(report.pk, task_id="retry-task") == "ready"
    report.refresh_from_db()
    assert (report.status, report.attempts) == (GeneratedReport.Status.READY, 1)
    assert len(report_files(private_storage, report.project)) == 1


def test_another_message_cannot_take_over_a_report_being_rendered(
    report: GeneratedReport,
) -> None:
    assert report.claim(timezone.now(), task_id="first") == 1

    assert render_report(report.pk, task_id="second") == "not claimed"
    assert render_report(report.pk, task_id="") == "not claimed"

    report.refresh_from_db()
    assert (report.status, report.attempts, report.task_id) == (
        GeneratedReport.Status.RENDERING, 1, "first",
    )  # fmt: skip


@pytest.mark.parametrize("status", [GeneratedReport.Status.READY, GeneratedReport.Status.FAILED])
def test_a_finished_report_is_never_rendered_again(
    project: Project, coordinator: User, status: str
) -> None:
    report = make_progress_report(project, coordinator, status=status, attempts=1, task_id="t")

    assert render_report(report.pk, task_id="t") == "not claimed"
    assert render_report(report.pk, task_id="new") == "not claimed"

    report.refresh_from_db()
    assert (report.status, report.attempts) == (status, 1)


def test_a_deleted_report_is_gone(report: GeneratedReport) -> None:
    pk = report.pk
    report.delete()

    assert render_report(pk, task_id="t") == "gone"


def test_only_the_latest_claim_stores_its_pdf(
    report: GeneratedReport, private_storage: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that was thought dead (its message redelivered and claimed again) finishes after
    all: its attempt number no longer matches, so it deletes its own file and stores nothing."""
    real_render_pdf = workflows.rendering.render_pdf

    def render_while_redelivered(*args: Any, **kwargs: Any) -> Any:
        pdf = real_render_pdf(*args, **kwargs)
        # Meanwhile the redelivered message (same id) claimed the report again: attempt 2.
        assert GeneratedReport.objects.get(pk=report.pk).claim(timezone.now(), task_id="t") == 2
        return pdf

    monkeypatch.setattr(workflows.rendering, "render_pdf", render_while_redelivered)

    assert render_report(report.pk, task_id="t") == "superseded"

    report.refresh_from_db()
    assert (report.status, report.attempts) == (GeneratedReport.Status.RENDERING, 2)
    assert not report.file
    assert report_files(private_storage, report.project) == []


def test_a_new_render_replaces_the_old_file(report: GeneratedReport, private_storage: Path) -> None:
    render_report(report.pk, task_id="t1")
    report.refresh_from_db()
    old_name = report.file.name
    # Made again (an admin re-queued it by hand): the old PDF goes, the new one stays.
    GeneratedReport.objects.filter(pk=report.pk).update(status=GeneratedReport.Status.QUEUED)

    assert render_report(report.pk, task_id="t2") == "ready"

    report.refresh_from_db()
    assert report.file.name != old_name
    files = report_files(private_storage, report.project)
    assert [f.relative_to(private_storage).as_posix() for f in files] == [report.file.name]


def test_an_unexpected_error_fails_the_report_with_a_plain_reason_and_logs_the_details(
    report: GeneratedReport, caplog: pytest.LogCaptureFixture
) -> None:
    # Data the renderer cannot read (sections must be a list of names).
    GeneratedReport.objects.filter(pk=report.pk).update(sections=5)

    with caplog.at_level(logging.ERROR, logger="reports.workflows"):
        assert render_report(report.pk, task_id="t") == "failed"

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.FAILED
    assert report.error == FAILED_UNEXPECTED
    assert "Traceback" not in report.error and "TypeError" not in report.error
    # The admin gets the traceback, in the log.
    (record,) = [r for r in caplog.records if r.name == "reports.workflows"]
    assert record.getMessage() == f"Rendering report {report.pk} failed"
    assert record.exc_info is not None and record.exc_info[0] is TypeError
