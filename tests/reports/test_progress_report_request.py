"""reports:progress_report_request: the coordinator asks for a progress report; the row is
created queued and the task is sent once the transaction commits.

No rendering here: the on-commit callbacks are captured and not run, so nothing reaches the
broker (or, without REDIS_URL, the eager in-process task). The pipeline has its own tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Project
from reports.models import GeneratedReport
from tests.factories import make_project
from tests.reports import ALL_SECTIONS, make_reporting_period

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("reports:progress_report_request", args=[project.slug])


def test_coordinator_requests_a_report_for_a_period(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
) -> None:
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url(project), {"period": period.pk, "sections": ["summary", "risks"]}
        )

    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.status == GeneratedReport.Status.QUEUED
    assert report.kind == GeneratedReport.Kind.PROGRESS
    assert report.project == project
    assert report.period == period
    assert (report.start_date, report.end_date) == (dt.date(2022, 10, 1), dt.date(2023, 6, 30))
    assert report.sections == ["summary", "risks"]
    assert report.requested_by == coordinator
    assert report.attempts == 0
    assert not report.file
    # One callback: the task is sent only once the row is committed, never before.
    assert len(callbacks) == 1


def test_coordinator_requests_a_report_for_a_date_range(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url(project),
            {"start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ALL_SECTIONS},
        )

    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.period is None
    assert (report.start_date, report.end_date) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    assert report.sections == ALL_SECTIONS
    assert len(callbacks) == 1


def test_the_detail_page_says_it_is_queued_after_the_redirect(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url(project),
            {"start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["summary"]},
            follow=True,
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your report is queued." in html
    assert "Queued" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"sections": ["summary"]},
            "Choose a reporting period, or give both dates of a range.",
            id="no-period-and-no-dates",
        ),
        pytest.param(
            {"start_date": "2023-01-01", "sections": ["summary"]},
            "Choose a reporting period, or give both dates of a range.",
            id="only-one-date",
        ),
        pytest.param(
            {"start_date": "2023-03-31", "end_date": "2023-01-01", "sections": ["summary"]},
            "The range ends before it starts.",
            id="end-before-start",
        ),
        pytest.param(
            {"start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["budget"]},
            "Select a valid choice. budget is not one of the available choices.",
            id="unknown-section",
        ),
        pytest.param(
            {"start_date": "2023-01-01", "end_date": "2023-03-31"},
            "This field is required.",
            id="no-section",
        ),
        pytest.param(
            {"start_date": "2023-13-01", "end_date": "2023-03-31", "sections": ["summary"]},
            "Enter a valid date.",
            id="not-a-date",
        ),
    ],
)
def test_bad_input_is_refused_with_422_and_nothing_is_saved(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
    data: dict[str, Any],
    message: str,
) -> None:
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(project), data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert GeneratedReport.objects.count() == 0
    assert callbacks == []


def test_a_period_of_another_project_is_refused(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = make_project("OTHER", start_date=dt.date(2023, 1, 1))
    foreign_period = make_reporting_period(other, number=1)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url(project), {"period": foreign_period.pk, "sections": ["summary"]})

    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert GeneratedReport.objects.count() == 0
    assert callbacks == []


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_may_request(
    client: Client,
    project: Project,
    who: str,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url(project),
            {"start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["summary"]},
        )

    assert response.status_code == 403
    assert GeneratedReport.objects.count() == 0
    assert callbacks == []


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)

    response = client.post(
        url(project),
        {"start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["summary"]},
    )

    assert response.status_code == 404
    assert GeneratedReport.objects.count() == 0


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.post(
        url(project),
        {"start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["summary"]},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert GeneratedReport.objects.count() == 0


def test_get_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert client.get(url(project)).status_code == 405


# --- the language of the PDF ------------------------------------------------------------------


def test_the_form_offers_the_projects_reporting_language(
    client: Client, coordinator: User, project: Project
) -> None:
    project.reporting_language = "fr"
    project.save()
    client.force_login(coordinator)

    html = client.get(reverse("reports:report_list", args=[project.slug])).content.decode()

    assert '<option value="fr" selected>Français</option>' in html
    # Every language, each in its own name.
    for code, name in [
        ("en", "English"),
        ("de", "Deutsch"),
        ("es", "Español"),
        ("bg", "Български"),
    ]:
        assert f'<option value="{code}">{name}</option>' in html


def test_a_report_requested_in_german_is_made_in_german(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url(project),
            {
                "start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["summary"],
                "language": "de",
            },
        )  # fmt: skip

    assert response.status_code == 302
    assert GeneratedReport.objects.get().language == "de"


def test_without_a_language_the_report_is_in_the_projects(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
) -> None:
    project.reporting_language = "es"
    project.save()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            url(project),
            {"start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["summary"]},
        )

    assert GeneratedReport.objects.get().language == "es"


@pytest.mark.parametrize("language", ["xx", "de-AT", "EN"])
def test_an_unknown_language_is_refused_with_422(
    client: Client,
    coordinator: User,
    project: Project,
    django_capture_on_commit_callbacks: Any,
    language: str,
) -> None:
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url(project),
            {
                "start_date": "2023-01-01", "end_date": "2023-03-31", "sections": ["summary"],
                "language": language,
            },
        )  # fmt: skip

    assert response.status_code == 422
    assert f"Select a valid choice. {language} is not one of the available choices." in (
        response.content.decode()
    )
    assert GeneratedReport.objects.count() == 0
    assert callbacks == []
