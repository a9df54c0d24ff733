"""The pipeline survives its faults, each test with a real worker process of its own
(tests/reports/workers.py) on the real Redis broker and PostgreSQL:

- the worker's pool process is SIGKILLed mid-render: the message is requeued (acks_late +
  reject_on_worker_lost), a new pool process renders it, and the report ends ready, rendered
  twice but with one file;
- the broker is down when the report is requested: the request still succeeds, the row stays
  queued, and once the broker is back the sweep sends it again and it is made;
- the same task message delivered twice renders once, and a later message does nothing;
- a render that outlives the soft time limit is stopped and says so in plain words;
- a render killed at the hard time limit is left rendering (its message is acknowledged, never
  redelivered) and the sweep fails it with a plain reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from projects.models import Deliverable, Partner, Project
from reports.models import GeneratedReport
from reports.tasks import render_report_task
from reports.workflows import (
    FAILED_STUCK,
    FAILED_TOO_LONG,
    request_progress_report,
    sweep_reports,
)
from tests.conftest import call_failed
from tests.factories import make_work_package
from tests.reports import make_progress_report, report_files
from tests.reports.workers import (
    Worker,
    configure_broker,
    forget_queue,
    purge_queue,
    route_reports_to,
    start_worker,
    unique_queue,
    wait_for,
)

pytestmark = pytest.mark.services

# A port nothing listens on: connecting is refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@dataclass
class Pipeline:
    """This test's queue, private storage and worker processes."""

    queue: str
    media_root: Path
    log_dir: Path
    redis_url: str
    workers: list[Worker] = field(default_factory=list)

    def start_worker(self, *, wait: bool = True, extra_env: dict[str, str] | None = None) -> Worker:
        worker = start_worker(
            queue=self.queue, media_root=self.media_root, log_dir=self.log_dir,
            redis_url=self.redis_url, wait=wait, extra_env=extra_env,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- worker {w.name} ---\n{w.log()}" for w in self.workers)


@pytest.fixture
def pipeline(
    postgres: None,
    celery_broker: str,
    transactional_db: None,
    tmp_path: Path,
    settings: Any,
    request: pytest.FixtureRequest,
) -> Iterator[Pipeline]:
    from coresp.celery import app as celery_app

    media_root = tmp_path / "private"
    media_root.mkdir()
    # This process reads the files the workers write (the download view, the checks).
    settings.PRIVATE_MEDIA_ROOT = media_root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root, "base_url": None},
        },
    }
    pipeline = Pipeline(
        queue=unique_queue(), media_root=media_root, log_dir=tmp_path, redis_url=celery_broker
    )
    purge_queue(celery_app, celery_broker, pipeline.queue)
    try:
        with route_reports_to(celery_app, pipeline.queue):
            yield pipeline
    finally:
        for worker in pipeline.workers:
            worker.stop()
        configure_broker(celery_app, celery_broker)
        forget_queue(celery_broker, pipeline.queue)
        if call_failed(request):
            print(pipeline.logs())


def add_deliverables(project: Project, lead: Partner, count: int) -> None:
    """`count` deliverables over new work packages of up to 80 each: a report that takes
    WeasyPrint a few seconds (about 7 ms a row with PDF/UA tagging)."""
    rows: list[Deliverable] = []
    wp_number = project.work_packages.count()
    while len(rows) < count:
        wp_number += 1
        wp = make_work_package(project, number=wp_number, lead=lead, title=f"Pilots {wp_number}")
        for n in range(1, min(80, count - len(rows)) + 1):
            month = n % project.duration_months + 1
            rows.append(
                Deliverable(
                    project=project,
                    work_package=wp,
                    lead=lead,
                    number=f"D{wp_number}.{n}",
                    sort_key=wp_number * 1000 + n,
                    due_month=month,
                    due_date=project.month_end(month),
                    title=f"Local pilot report {wp_number}.{n}: procurement clauses in use",
                )
            )
    # bulk_create skips save(), which derives due_date and sort_key: they are set above.
    Deliverable.objects.bulk_create(rows)


def status_of(report: GeneratedReport) -> str:
    return GeneratedReport.objects.values_list("status", flat=True).get(pk=report.pk)


def wait_until_finished(report: GeneratedReport, timeout: float = 60) -> GeneratedReport:
    """The report once it is ready or failed, read again from the database."""

    def finished() -> bool:
        report.refresh_from_db()
        return report.is_finished

    wait_for(finished, timeout=timeout, what=f"report {report.pk} to be ready or failed")
    return report


def assert_one_file_matching(pipeline: Pipeline, report: GeneratedReport) -> None:
    files = report_files(pipeline.media_root, report.project)
    assert [f.relative_to(pipeline.media_root).as_posix() for f in files] == [report.file.name]
    content = files[0].read_bytes()
    assert content.startswith(b"%PDF-")
    assert report.size == len(content)
    assert report.sha256 == hashlib.sha256(content).hexdigest()


def test_a_worker_killed_mid_render_is_replaced_and_the_report_is_made_once(
    pipeline: Pipeline, project: Project, coordinator: User
) -> None:
    worker = pipeline.start_worker(wait=False)  # starts while the data is written
    add_deliverables(project, project.partners.get(number=2), 400)
    worker.wait_ready()

    report = request_progress_report(
        project, requested_by=coordinator, start_date=project.start_date,
        end_date=project.end_date, sections=["work_packages"],
    )  # fmt: skip

    wait_for(
        lambda: status_of(report) == GeneratedReport.Status.RENDERING,
        timeout=30, interval=0.02, what="the worker to claim the report",
    )  # fmt: skip
    time.sleep(0.5)  # into WeasyPrint's layout, which takes seconds for 400 rows
    assert status_of(report) == GeneratedReport.Status.RENDERING, "rendered before the kill"
    first_child = worker.kill_pool_child()

    report = wait_until_finished(report, timeout=90)

    assert report.status == GeneratedReport.Status.READY, report.error
    # Claimed twice: the killed attempt and the redelivered message, which took the claim over
    # because it carries the same task id.
    assert report.attempts == 2
    assert report.error == ""
    assert report.pages and report.pages > 5
    assert_one_file_matching(pipeline, report)
    log = worker.log()
    assert f"pid:{first_child} exited with 'signal 9 (SIGKILL)'" in log
    assert "WorkerLostError" in log
    # The pool replaced its child, and the worker itself lived on.
    assert worker.process.poll() is None
    assert worker.pool_children() and first_child not in worker.pool_children()


def test_a_report_requested_while_the_broker_is_down_is_made_once_the_sweep_resends_it(
    pipeline: Pipeline,
    project: Project,
    coordinator: User,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from coresp.celery import app as celery_app

    worker = pipeline.start_worker(wait=False)
    configure_broker(celery_app, DEAD_BROKER)

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="reports.workflows"):
        report = request_progress_report(
            project, requested_by=coordinator, start_date=project.start_date,
            end_date=project.end_date, sections=["summary", "risks"],
        )  # fmt: skip
    took = time.monotonic() - started

    # The request succeeded, quickly, and said why nothing was sent.
    assert took < 15
    assert f"Could not reach the broker for report {report.pk}" in caplog.text
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.QUEUED

    # The broker is back and a worker listens; the message was never sent, so nothing happens
    # until the sweep.
    configure_broker(celery_app, pipeline.redis_url)
    worker.wait_ready()
    time.sleep(1)
    assert status_of(report) == GeneratedReport.Status.QUEUED

    settings.REPORT_REQUEUE_AFTER = 0
    assert sweep_reports() == {"requeued": 1, "failed": 0}

    report = wait_until_finished(report)
    assert report.status == GeneratedReport.Status.READY, report.error
    assert report.attempts == 1
    assert_one_file_matching(pipeline, report)
    # The sweep moved queued_at on, so a second sweep right away does not send it again.
    assert sweep_reports() == {"requeued": 0, "failed": 0}


def _task_results(worker: Worker, task_id: str) -> list[str]:
    """The return values the worker logged for task `task_id`, in order."""
    pattern = re.compile(
        rf"Task reports\.render_report_task\[{re.escape(task_id)}\] "
        r"succeeded in [\d.e-]+s: '([^']*)'"
    )
    return pattern.findall(worker.log())


def test_the_same_message_delivered_twice_renders_once(
    pipeline: Pipeline, project: Project, coordinator: User
) -> None:
    worker = pipeline.start_worker(wait=False)
    # A committed, queued report whose task has not been sent: this test sends it itself.
    report = make_progress_report(project, coordinator, sections=["summary"])
    worker.wait_ready()
    task_id = str(uuid.uuid4())

    # The same message twice, as a broker may deliver it after a lost acknowledgement.
    render_report_task.apply_async(args=(report.pk,), task_id=task_id)
    render_report_task.apply_async(args=(report.pk,), task_id=task_id)

    results = wait_for(
        lambda: len(_task_results(worker, task_id)) == 2 and _task_results(worker, task_id),
        timeout=60, what="both deliveries to be handled",
    )  # fmt: skip
    assert results == ["ready", "not claimed"]
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.READY
    assert report.attempts == 1
    assert report.task_id == task_id
    assert_one_file_matching(pipeline, report)
    before = GeneratedReport.objects.filter(pk=report.pk).values().get()

    # A new message for a ready report (a stale sweep, a double click) does nothing either.
    later = render_report_task.apply_async(args=(report.pk,))

    assert wait_for(
        lambda: _task_results(worker, later.id), timeout=60, what="the later message"
    ) == ["not claimed"]
    assert GeneratedReport.objects.filter(pk=report.pk).values().get() == before
    assert_one_file_matching(pipeline, report)


def test_a_render_past_the_soft_time_limit_fails_with_a_plain_reason(
    pipeline: Pipeline, project: Project, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One second to render 400 rows. The limits come from the environment (settings.py), and
    # Celery 5.7 writes the *sender's* limits into each message (Task.from_config), so this
    # process, which sends, needs them as much as the worker does.
    limits = {"CELERY_TASK_SOFT_TIME_LIMIT": "1", "CELERY_TASK_TIME_LIMIT": "30"}
    task = render_report_task._get_current_object()  # type: ignore[attr-defined]
    monkeypatch.setattr(task, "soft_time_limit", 1)
    monkeypatch.setattr(task, "time_limit", 30)
    monkeypatch.setattr(task, "_exec_options", None)  # the send options, cached on first send
    worker = pipeline.start_worker(wait=False, extra_env=limits)
    add_deliverables(project, project.partners.get(number=2), 400)
    worker.wait_ready()

    report = request_progress_report(
        project, requested_by=coordinator, start_date=project.start_date,
        end_date=project.end_date, sections=["work_packages"],
    )  # fmt: skip

    report = wait_until_finished(report)
    assert report.status == GeneratedReport.Status.FAILED
    assert report.error == FAILED_TOO_LONG
    assert "Traceback" not in report.error and "SoftTimeLimitExceeded" not in report.error
    assert report.attempts == 1
    assert report.finished_at is not None
    assert not report.file
    assert report_files(pipeline.media_root, project) == []
    assert "Soft time limit (1" in worker.log()


def test_a_render_killed_at_the_hard_time_limit_is_failed_by_the_sweep(
    pipeline: Pipeline,
    project: Project,
    coordinator: User,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    # The soft limit normally stops a render first. The hard limit is for a render that cannot
    # be interrupted (stuck inside a C library): simulated by turning the soft limit off.
    task = render_report_task._get_current_object()  # type: ignore[attr-defined]
    monkeypatch.setattr(task, "soft_time_limit", None)
    monkeypatch.setattr(task, "time_limit", 2)
    monkeypatch.setattr(task, "_exec_options", None)
    limits = {"CELERY_TASK_SOFT_TIME_LIMIT": "0", "CELERY_TASK_TIME_LIMIT": "2"}
    worker = pipeline.start_worker(wait=False, extra_env=limits)
    add_deliverables(project, project.partners.get(number=2), 400)
    worker.wait_ready()

    report = request_progress_report(
        project, requested_by=coordinator, start_date=project.start_date,
        end_date=project.end_date, sections=["work_packages"],
    )  # fmt: skip

    wait_for(
        lambda: "Hard time limit (2s) exceeded" in worker.log(),
        timeout=60, what="the hard time limit",
    )  # fmt: skip
    time.sleep(1)  # time for a redelivery, if there were one
    report.refresh_from_db()
    assert (report.status, report.attempts) == (GeneratedReport.Status.RENDERING, 1)
    assert report.started_at is not None
    assert report_files(pipeline.media_root, project) == []

    # The sweep, once the hard limit and its minute of grace have passed.
    later = report.started_at + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 61)
    assert sweep_reports(now=later) == {"requeued": 0, "failed": 1}

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.FAILED
    assert report.error == FAILED_STUCK
    assert report.attempts == 1
    assert worker.log().count("received") == 1, "the killed render was delivered again"
