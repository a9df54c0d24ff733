"""reports:report_delete: the coordinator deletes a report after confirming; its PDF goes too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Project
from reports.models import GeneratedReport
from tests.reports import make_progress_report, make_ready_report

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
    return reverse("reports:report_delete", args=[report.project.slug, report.pk])


def test_get_asks_for_confirmation_and_deletes_nothing(
    client: Client, coordinator: User, project: Project, private_storage: Path
) -> None:
    report = make_ready_report(project, coordinator)
    client.force_login(coordinator)

    response = client.get(url(report))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete this report?" in html
    assert '<form method="post"' in html
    assert ">Delete the report</button>" in html
    assert f'href="{report.get_absolute_url()}"' in html  # "Keep it"
    assert GeneratedReport.objects.filter(pk=report.pk).exists()
    assert (private_storage / str(report.file.name)).is_file()


def test_post_deletes_the_row_and_its_file(
    client: Client, coordinator: User, project: Project, private_storage: Path
) -> None:
    report = make_ready_report(project, coordinator)
    stored = private_storage / str(report.file.name)
    assert stored.is_file()
    client.force_login(coordinator)

    response = client.post(url(report), follow=True)

    list_url = reverse("reports:report_list", args=[project.slug])
    assert response.redirect_chain == [(list_url, 302)]
    assert "The report was deleted." in response.content.decode()
    assert not GeneratedReport.objects.filter(pk=report.pk).exists()
    assert not stored.exists()


def test_a_report_without_a_file_is_deleted_too(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator, status=GeneratedReport.Status.FAILED)
    client.force_login(coordinator)

    response = client.post(url(report))

    assert response.status_code == 302
    assert not GeneratedReport.objects.filter(pk=report.pk).exists()


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_coordinator_may_delete(
    client: Client,
    coordinator: User,
    project: Project,
    private_storage: Path,
    who: str,
    method: str,
    request: pytest.FixtureRequest,
) -> None:
    report = make_ready_report(project, coordinator)
    client.force_login(request.getfixturevalue(who))

    response = getattr(client, method)(url(report))

    assert response.status_code == 403
    assert GeneratedReport.objects.filter(pk=report.pk).exists()
    assert (private_storage / str(report.file.name)).is_file()


def test_outsider_gets_404(
    client: Client, coordinator: User, outsider: User, project: Project
) -> None:
    report = make_ready_report(project, coordinator)
    client.force_login(outsider)

    assert client.get(url(report)).status_code == 404
    assert client.post(url(report)).status_code == 404
    assert GeneratedReport.objects.filter(pk=report.pk).exists()


def test_anonymous_is_sent_to_login(client: Client, coordinator: User, project: Project) -> None:
    report = make_ready_report(project, coordinator)

    response = client.post(url(report))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert GeneratedReport.objects.filter(pk=report.pk).exists()


def test_other_methods_are_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    report = make_ready_report(project, coordinator)
    client.force_login(coordinator)

    assert client.delete(url(report)).status_code == 405
    assert client.put(url(report)).status_code == 405
    assert GeneratedReport.objects.filter(pk=report.pk).exists()
