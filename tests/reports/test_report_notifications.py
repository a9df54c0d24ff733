"""Whoever asked for a report is told when it is ready or has failed, once, by the workflow that
stored the outcome (reports.workflows.render_report, _fail, sweep_reports). Rendered here in
this process with the real renderer (the worker's tests are test_pipeline_*.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import User
from projects.models import Notification, Project
from reports import rendering
from reports.models import GeneratedReport
from reports.workflows import render_report, sweep_reports
from tests.reports import make_progress_report
from tests.reports.workers import broker_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def unreachable_broker() -> Iterator[None]:
    from coresp.celery import app as celery_app

    with broker_at(celery_app, "redis://127.0.0.1:1/0"):
        yield


def test_a_ready_report_tells_the_requester_once(
    project: Project, coordinator: User, partner: User
) -> None:
    report = make_progress_report(project, partner, sections=["summary"])

    assert render_report(report.pk) == "ready"
    assert render_report(report.pk) == "not claimed"  # a second delivery of the message

    notification = Notification.objects.get()
    assert notification.recipient == partner
    assert notification.kind == Notification.Kind.REPORT_READY
    assert notification.actor is None  # the platform did it
    assert notification.link == report.get_absolute_url()
    assert notification.text.startswith("Your report is ready: Progress report")


def test_a_failed_report_tells_the_requester(
    project: Project, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(rendering, "render_generated_report", broken)
    report = make_progress_report(project, coordinator, sections=["summary"])

    assert render_report(report.pk) == "failed"

    (notification,) = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (
        coordinator,
        Notification.Kind.REPORT_FAILED,
    )
    assert "You can try again." in notification.text


def test_a_report_the_sweep_fails_tells_the_requester(project: Project, coordinator: User) -> None:
    now = timezone.now()
    limit = dt.timedelta(seconds=django_settings.CELERY_TASK_TIME_LIMIT + 61)
    make_progress_report(
        project, coordinator, status=GeneratedReport.Status.RENDERING, attempts=1,
        started_at=now - limit,
    )  # fmt: skip

    assert sweep_reports(now=now)["failed"] == 1
    assert sweep_reports(now=now)["failed"] == 0

    assert [n.kind for n in Notification.objects.filter(recipient=coordinator)] == [
        Notification.Kind.REPORT_FAILED
    ]


def test_a_requester_who_left_the_project_is_not_told(project: Project, partner: User) -> None:
    report = make_progress_report(project, partner, sections=["summary"])
    partner.memberships.update(is_active=False)

    assert render_report(report.pk) == "ready"
    assert not Notification.objects.exists()
