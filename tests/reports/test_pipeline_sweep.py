"""reports.workflows.sweep_reports: fails reports stuck rendering past the hard time limit, sends
again those left queued too long, and leaves everything else alone. Safe to run any time.

No worker here: sending goes to a broker that refuses connections, so the sweep's re-send is seen
(the row's queued_at moves on, the log says why nothing went out) without running anything. The
sweep that really gets a report made is in test_pipeline_faults.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import User
from projects.models import Project
from reports.models import GeneratedReport
from reports.workflows import FAILED_STUCK, sweep_reports
from tests.reports import make_progress_report
from tests.reports.workers import broker_at

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"
NOW = dt.datetime(2023, 7, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def unreachable_broker() -> Iterator[None]:
    """Nothing this module sends may run (eagerly) or reach a real broker."""
    from coresp.celery import app as celery_app

    with broker_at(celery_app, DEAD_BROKER):
        yield


def hard_limit() -> dt.timedelta:
    return dt.timedelta(seconds=django_settings.CELERY_TASK_TIME_LIMIT)


def test_a_report_stuck_rendering_past_the_hard_limit_is_failed_in_plain_words(
    project: Project, coordinator: User
) -> None:
    stuck = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.RENDERING, attempts=1,
        task_id="lost", started_at=NOW - hard_limit() - dt.timedelta(seconds=61),
    )  # fmt: skip

    assert sweep_reports(now=NOW) == {"requeued": 0, "failed": 1}

    stuck.refresh_from_db()
    assert stuck.status == GeneratedReport.Status.FAILED
    assert stuck.error == FAILED_STUCK
    assert stuck.error.startswith("The report was still being made long after the time limit")
    assert "Traceback" not in stuck.error and "TimeLimitExceeded" not in stuck.error
    assert stuck.finished_at == NOW


def test_a_report_rendering_within_the_limit_is_left_alone(
    project: Project, coordinator: User
) -> None:
    # Just inside the grace the sweep gives (the hard limit and a minute).
    busy = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.RENDERING, attempts=1,
        started_at=NOW - hard_limit() - dt.timedelta(seconds=59),
    )  # fmt: skip

    assert sweep_reports(now=NOW) == {"requeued": 0, "failed": 0}

    busy.refresh_from_db()
    assert busy.status == GeneratedReport.Status.RENDERING
    assert busy.error == ""


def test_a_report_left_queued_too_long_is_sent_again(
    project: Project,
    coordinator: User,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.REPORT_REQUEUE_AFTER = 60
    lost = make_progress_report(project, coordinator, queued_at=NOW - dt.timedelta(seconds=61))
    fresh = make_progress_report(project, coordinator, queued_at=NOW - dt.timedelta(seconds=30))

    caplog.set_level(logging.WARNING, logger="reports.workflows")
    assert sweep_reports(now=NOW) == {"requeued": 1, "failed": 0}

    # It tried to send `lost` (the broker here refuses), not `fresh`.
    assert f"Could not reach the broker for report {lost.pk}" in caplog.text
    assert f"report {fresh.pk};" not in caplog.text
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == fresh.status == GeneratedReport.Status.QUEUED
    # queued_at moved on: the next sweep waits a full minute again before re-sending.
    assert lost.queued_at == NOW
    assert fresh.queued_at == NOW - dt.timedelta(seconds=30)
    # 31 s later `fresh` has waited 61 s and goes; `lost` was re-sent only 31 s ago and stays.
    later = NOW + dt.timedelta(seconds=31)
    assert sweep_reports(now=later) == {"requeued": 1, "failed": 0}
    assert f"Could not reach the broker for report {fresh.pk}" in caplog.text
    assert sweep_reports(now=later) == {"requeued": 0, "failed": 0}


def test_finished_reports_are_never_touched(project: Project, coordinator: User) -> None:
    long_ago = NOW - dt.timedelta(days=30)
    ready = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.READY, queued_at=long_ago,
        started_at=long_ago, finished_at=long_ago, attempts=1,
    )  # fmt: skip
    failed = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.FAILED, queued_at=long_ago,
        started_at=long_ago, finished_at=long_ago, attempts=1, error="Earlier reason.",
    )  # fmt: skip

    assert sweep_reports(now=NOW) == {"requeued": 0, "failed": 0}

    for report, status, error in [(ready, "ready", ""), (failed, "failed", "Earlier reason.")]:
        report.refresh_from_db()
        assert (report.status, report.error, report.finished_at) == (status, error, long_ago)


def test_sweeping_twice_changes_nothing_more(project: Project, coordinator: User) -> None:
    make_progress_report(
        project, coordinator, status=GeneratedReport.Status.RENDERING, attempts=1,
        started_at=NOW - dt.timedelta(hours=2),
    )  # fmt: skip

    assert sweep_reports(now=NOW) == {"requeued": 0, "failed": 1}
    assert sweep_reports(now=NOW) == {"requeued": 0, "failed": 0}


def test_the_sweep_runs_on_the_clock_by_default(project: Project, coordinator: User) -> None:
    stuck = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.RENDERING, attempts=1,
        started_at=timezone.now() - dt.timedelta(hours=2),
    )  # fmt: skip

    assert sweep_reports() == {"requeued": 0, "failed": 1}
    stuck.refresh_from_db()
    assert stuck.status == GeneratedReport.Status.FAILED


def test_the_beat_schedule_runs_the_sweep_every_half_minute() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep-reports"]
    assert entry["task"] == "reports.sweep_reports_task"
    assert entry["schedule"] <= django_settings.REPORT_REQUEUE_AFTER
