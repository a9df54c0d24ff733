"""reports:report_download: a ready report's PDF, from private storage, for every member and
observer of the project; 404 for anyone else and for a report that is not ready."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Project
from reports.models import GeneratedReport
from tests.reports import TINY_PDF, make_progress_report, make_ready_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Path) -> Path:
    """Private files of this test only, in its own directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path


def url(report: GeneratedReport) -> str:
    return reverse("reports:report_download", args=[report.project.slug, report.pk])


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_and_observer_downloads_the_pdf(
    client: Client, coordinator: User, project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    report = make_ready_report(project, coordinator)
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(report))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="CO-RESP-progress-20221001-20230630.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == TINY_PDF  # type: ignore[attr-defined]
    response.close()


@pytest.mark.parametrize(
    "status",
    [
        GeneratedReport.Status.QUEUED,
        GeneratedReport.Status.RENDERING,
        GeneratedReport.Status.FAILED,
    ],
)
def test_a_report_that_is_not_ready_is_404(
    client: Client, coordinator: User, project: Project, status: str
) -> None:
    report = make_progress_report(project, coordinator, status=status)
    client.force_login(coordinator)

    assert client.get(url(report)).status_code == 404


def test_a_report_being_made_again_is_404_even_with_its_old_file(
    client: Client, coordinator: User, project: Project
) -> None:
    """A retried report keeps its old file name until the new render replaces it: the old PDF
    is not handed out as if it were the new one."""
    report = make_ready_report(project, coordinator)
    GeneratedReport.objects.filter(pk=report.pk).update(status=GeneratedReport.Status.RENDERING)
    client.force_login(coordinator)

    assert client.get(url(report)).status_code == 404


def test_a_ready_row_without_a_file_is_404(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator, status=GeneratedReport.Status.READY)
    client.force_login(coordinator)

    assert client.get(url(report)).status_code == 404


def test_outsider_gets_404(
    client: Client, coordinator: User, outsider: User, project: Project
) -> None:
    report = make_ready_report(project, coordinator)
    client.force_login(outsider)

    assert client.get(url(report)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, coordinator: User, project: Project) -> None:
    report = make_ready_report(project, coordinator)

    response = client.get(url(report))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    report = make_ready_report(project, coordinator)
    client.force_login(coordinator)

    assert client.post(url(report)).status_code == 405
