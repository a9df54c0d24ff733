"""reports:report_list: the request form (coordinators) and the earlier reports: what they cover,
who asked and when, their state, pages, size and how long they took."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from projects.models import Project
from reports.models import GeneratedReport
from tests.factories import make_membership, make_partner, make_project, make_user
from tests.reports import make_progress_report, make_reporting_period

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("reports:report_list", args=[project.slug])


def test_coordinator_sees_the_request_form_and_earlier_reports(
    client: Client, coordinator: User, project: Project
) -> None:
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    ready = make_progress_report(
        project, coordinator, period=period, status=GeneratedReport.Status.READY,
        pages=14, size=2_500_000, render_seconds=3.21,
        queued_at=dt.datetime(2023, 7, 3, 8, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    failed = make_progress_report(
        project, coordinator, start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 3, 31),
        status=GeneratedReport.Status.FAILED,
        queued_at=dt.datetime(2023, 7, 4, 8, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    client.force_login(coordinator)

    response = client.get(url(project))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="{reverse("reports:progress_report_request", args=[project.slug])}"' in html
    # The latest period that has begun is offered first (the project ended: RP1 is the last).
    assert f'<option value="{period.pk}" selected>RP1 (M1-M9)</option>' in html
    for key, _ in GeneratedReport.SECTIONS:
        assert f'value="{key}"' in html
    # Newest first.
    assert [r.pk for r in response.context["page_obj"]] == [failed.pk, ready.pk]
    assert f'href="{ready.get_absolute_url()}"' in html
    assert "RP1 (M1-M9)" in html
    assert "1 Jan 2023 to 31 Mar 2023" in html
    assert "Cora Coordinator, 3 Jul 2023 10:00" in html  # Brussels time
    assert "Ready" in html and "Failed" in html
    assert '<td class="num">14</td>' in html
    assert "2.4\xa0MB" in html
    assert "3.2 s" in html


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_other_members_see_the_reports_but_no_form(
    client: Client,
    coordinator: User,
    project: Project,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    report = make_progress_report(project, coordinator)
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(project))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Request a progress report" not in html
    assert "report_request" not in html and "/reports/request/" not in html
    assert f'href="{report.get_absolute_url()}"' in html


def test_an_empty_list_says_so(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)

    html = client.get(url(project)).content.decode()

    assert "No report has been made yet." in html


def test_reports_of_another_project_are_not_listed(
    client: Client, coordinator: User, project: Project
) -> None:
    other = make_project("OTHER")
    lead = make_partner(other, number=1)
    them = make_user("them@example.org")
    make_membership(them, other, role="coordinator", partner=lead)
    foreign = make_progress_report(other, them)
    client.force_login(coordinator)

    response = client.get(url(project))

    assert list(response.context["page_obj"]) == []
    assert foreign.get_absolute_url() not in response.content.decode()


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert client.post(url(project)).status_code == 405


def _queries(client: Client, project: Project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(project)).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_5_and_50_reports(
    client: Client, coordinator: User, project: Project
) -> None:
    """Session, user, membership (with project and partner), the paginator's count, the page of
    reports (with requester, period and event), the form's reporting periods, and the period it
    offers first."""
    period = make_reporting_period(project, number=1)

    def add_reports(total: int) -> None:
        for n in range(GeneratedReport.objects.count(), total):
            make_progress_report(project, coordinator, period=period if n % 2 else None)

    client.force_login(coordinator)
    add_reports(5)
    _queries(client, project)  # warm up
    with_5 = _queries(client, project)
    add_reports(50)
    with_50 = _queries(client, project)

    # The coordinator's page also says what a report's annex would list: the open queries (one)
    # and the findings of impact/checks.py's run_checks (twenty here: its rules' own queries).
    assert with_5 == with_50 == 7 + 21
