"""reports:report_retry: a failed report is queued again (its attempts start over) and the task is
sent after commit; any other report is left as it is."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Project
from reports.models import GeneratedReport
from reports.workflows import FAILED_UNEXPECTED
from tests.reports import make_progress_report

pytestmark = pytest.mark.django_db


def url(report: GeneratedReport) -> str:
    return reverse("reports:report_retry", args=[report.project.slug, report.pk])


def failed_report(project: Project, requested_by: User) -> GeneratedReport:
    now = timezone.now()
    return make_progress_report(
        project, requested_by, status=GeneratedReport.Status.FAILED, attempts=2,
        error=FAILED_UNEXPECTED, started_at=now, finished_at=now, task_id="old-task",
    )  # fmt: skip


def test_coordinator_retries_a_failed_report(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = failed_report(project, coordinator)
    queued_before = report.queued_at
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(report), follow=True)

    assert response.redirect_chain == [(report.get_absolute_url(), 302)]
    assert "The report is queued again." in response.content.decode()
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.QUEUED
    assert report.attempts == 0
    assert report.error == ""
    assert report.started_at is None and report.finished_at is None
    assert report.queued_at > queued_before
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    "status",
    [GeneratedReport.Status.QUEUED, GeneratedReport.Status.RENDERING, GeneratedReport.Status.READY],
)
def test_only_a_failed_report_can_be_retried(
    client: Client,
    coordinator: User,
    project: Project,
    status: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = make_progress_report(project, coordinator, status=status, attempts=1)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(report), follow=True)

    assert response.redirect_chain == [(report.get_absolute_url(), 302)]
    assert "Only a failed report can be retried." in response.content.decode()
    report.refresh_from_db()
    assert report.status == status
    assert report.attempts == 1
    assert callbacks == []


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_members_who_did_not_request_it_may_not_retry(
    client: Client,
    coordinator: User,
    project: Project,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    report = failed_report(project, coordinator)
    client.force_login(request.getfixturevalue(who))

    response = client.post(url(report))

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.FAILED


def test_outsider_gets_404(
    client: Client, coordinator: User, outsider: User, project: Project
) -> None:
    report = failed_report(project, coordinator)
    client.force_login(outsider)

    assert client.post(url(report)).status_code == 404
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.FAILED


def test_anonymous_is_sent_to_login(client: Client, coordinator: User, project: Project) -> None:
    report = failed_report(project, coordinator)

    response = client.post(url(report))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_get_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    report = failed_report(project, coordinator)
    client.force_login(coordinator)

    assert client.get(url(report)).status_code == 405
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.FAILED
