"""reports:report_detail: the report's state, live. An htmx request (the page polling itself) gets
only the status partial, which keeps polling while the report is queued or rendering and stops
once it is ready or failed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Project
from reports.models import GeneratedReport
from reports.workflows import FAILED_TOO_MANY
from tests.factories import make_membership, make_partner, make_project, make_user
from tests.reports import make_progress_report, make_reporting_period

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
POLLING = 'data-hx-trigger="every 2s"'


def url(report: GeneratedReport) -> str:
    return reverse("reports:report_detail", args=[report.project.slug, report.pk])


def test_a_queued_report_says_so_and_the_page_polls(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator)
    client.force_login(coordinator)

    response = client.get(url(report))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "1 Oct 2022 to 30 Jun 2023" in html
    assert "by Cora Coordinator" in html
    assert '<span class="badge">Queued</span>' in html
    assert POLLING in html
    assert f'data-hx-get="{url(report)}"' in html
    assert "Download the PDF" not in html


def test_the_reporting_period_is_named(client: Client, coordinator: User, project: Project) -> None:
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    report = make_progress_report(project, coordinator, period=period)
    client.force_login(coordinator)

    html = client.get(url(report)).content.decode()

    assert "RP1 (M1-M9): 1 Oct 2022 to 30 Jun 2023" in html


@pytest.mark.parametrize(
    ("status", "badge"),
    [
        (GeneratedReport.Status.QUEUED, '<span class="badge">Queued</span>'),
        (GeneratedReport.Status.RENDERING, '<span class="badge badge-medium">Being made</span>'),
    ],
)
def test_the_htmx_partial_keeps_polling_while_the_report_is_being_made(
    client: Client, coordinator: User, project: Project, status: str, badge: str
) -> None:
    report = make_progress_report(project, coordinator, status=status, attempts=1)
    client.force_login(coordinator)

    response = client.get(url(report), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    # Only the fragment that replaces itself: no page around it.
    assert html.strip().startswith('<div id="report-status"')
    assert "<html" not in html and "<body" not in html and "<h1" not in html
    assert badge in html
    assert POLLING in html
    assert 'data-hx-swap="outerHTML"' in html


def test_the_partial_of_a_ready_report_stops_polling_and_links_the_download(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.READY, file="reports/1/x.pdf",
        pages=12, size=345_678, render_seconds=2.46, attempts=1,
        data_as_of=dt.datetime(2023, 7, 3, 9, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    client.force_login(coordinator)

    response = client.get(url(report), headers=HTMX)

    html = response.content.decode()
    assert html.strip().startswith('<div id="report-status"')
    assert "<html" not in html
    assert "data-hx-trigger" not in html and "data-hx-get" not in html
    assert '<span class="badge badge-ok">Ready</span>' in html
    assert "12 pages, 337.6\xa0KB, made in 2.5 s with data as of 3 Jul 2023 11:30" in html
    download = reverse("reports:report_download", args=[project.slug, report.pk])
    assert f'href="{download}"' in html


def test_a_failed_report_shows_the_plain_reason_and_a_retry_button(
    client: Client, coordinator: User, project: Project
) -> None:
    reason = FAILED_TOO_MANY.format(n=GeneratedReport.MAX_ATTEMPTS)
    report = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.FAILED, error=reason, attempts=4
    )
    client.force_login(coordinator)

    html = client.get(url(report), headers=HTMX).content.decode()

    assert "data-hx-trigger" not in html
    assert '<span class="badge badge-late">Failed</span>' in html
    assert "The report could not be finished after 3 attempts" in html
    assert "Traceback" not in html
    retry = reverse("reports:report_retry", args=[project.slug, report.pk])
    assert f'action="{retry}"' in html
    assert ">Retry</button>" in html


def test_a_failed_report_without_a_reason_still_says_something(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator, status=GeneratedReport.Status.FAILED)
    client.force_login(coordinator)

    html = client.get(url(report)).content.decode()

    assert "The report could not be made." in html


def test_the_full_page_and_the_partial_render_the_same_status_markup(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(
        project, coordinator, status=GeneratedReport.Status.RENDERING, attempts=2,
        started_at=timezone.now(),
    )  # fmt: skip
    client.force_login(coordinator)

    partial = client.get(url(report), headers=HTMX).content.decode().strip()
    page = client.get(url(report)).content.decode()

    assert partial in page
    assert "(attempt 2)" in partial


def test_observer_sees_the_report_but_no_retry_or_delete(
    client: Client, coordinator: User, observer: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator, status=GeneratedReport.Status.FAILED)
    client.force_login(observer)

    response = client.get(url(report))

    html = response.content.decode()
    assert response.status_code == 200
    assert ">Retry</button>" not in html
    assert "Delete this report" not in html


def test_the_coordinator_sees_the_delete_link(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator)
    client.force_login(coordinator)

    html = client.get(url(report)).content.decode()

    assert f'href="{reverse("reports:report_delete", args=[project.slug, report.pk])}"' in html


def test_a_report_of_another_project_is_404_under_this_one(
    client: Client, coordinator: User, project: Project
) -> None:
    other = make_project("OTHER")
    lead = make_partner(other, number=1)
    other_coordinator = make_user("them@example.org")
    make_membership(other_coordinator, other, role="coordinator", partner=lead)
    foreign = make_progress_report(other, other_coordinator)
    client.force_login(coordinator)

    response = client.get(reverse("reports:report_detail", args=[project.slug, foreign.pk]))

    assert response.status_code == 404


def test_outsider_gets_404(
    client: Client, coordinator: User, outsider: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator)
    client.force_login(outsider)

    assert client.get(url(report)).status_code == 404
    assert client.get(url(report), headers=HTMX).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, coordinator: User, project: Project) -> None:
    report = make_progress_report(project, coordinator)

    response = client.get(url(report))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    report = make_progress_report(project, coordinator)
    client.force_login(coordinator)

    assert client.post(url(report)).status_code == 405


def test_a_poll_that_finds_the_same_state_gets_204_and_nothing_to_swap(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator, status=GeneratedReport.Status.RENDERING)
    client.force_login(coordinator)

    unchanged = client.get(url(report), {"status": "rendering"}, headers=HTMX)
    changed = client.get(url(report), {"status": "queued"}, headers=HTMX)

    # 204: htmx keeps the fragment, and the live region around it announces nothing new.
    assert unchanged.status_code == 204 and unchanged.content == b""
    assert changed.status_code == 200
    assert 'data-hx-vals=\'{"status": "rendering"}\'' in changed.content.decode()


def test_the_live_region_wraps_the_swapped_fragment(
    client: Client, coordinator: User, project: Project
) -> None:
    report = make_progress_report(project, coordinator)
    client.force_login(coordinator)

    html = client.get(url(report)).content.decode()

    assert re.search(r'<div aria-live="polite">\s*<div id="report-status"', html)
