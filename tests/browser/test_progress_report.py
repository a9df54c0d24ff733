"""In the browser, with a real Celery worker: the coordinator requests a progress report from the
Reports page, lands on the report's page while it is queued, watches it turn ready without
reloading (htmx polls the status partial every 2 s), and downloads the PDF; an observer can
download it too but is offered no request form.

The live server runs in a thread of this process and sends the task with this process's Celery
app, which `celery_broker` (pulled in by `celery_worker`) points at Redis: the render happens in
the worker process, on the test's committed data. Uses the browser fixtures of
tests/browser/conftest.py (Chromium, axe on every page).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from projects.models import Deliverable, Project, ReportingPeriod, WorkPackage
from reports.models import GeneratedReport
from tests.browser.conftest import check_accessibility, login, navigating
from tests.conftest import CeleryWorker
from tests.factories import PASSWORD, make_deliverable, make_work_package
from tests.reports import make_reporting_period, pdf_text

pytestmark = pytest.mark.services

FILENAME = "CO-RESP-progress-20221001-20230630.pdf"
# A mark left on the page's window: it survives an htmx swap, not a reload.
NOT_RELOADED = "window.__coresp_not_reloaded"


@pytest.fixture
def period(project: Project, work_package: WorkPackage) -> ReportingPeriod:
    """The cast's project, small enough to render in a few seconds: two work packages, four
    deliverables (three due in RP1, one after it) and RP1 = M1-M9 (October 2022 to June 2023)."""
    wp2 = make_work_package(
        project,
        number=2,
        title="Roundtables with public buyers",
        lead=project.partners.get(number=3),
    )
    make_deliverable(
        work_package, number="D1.1", title="Project handbook", due_month=3,
        status=Deliverable.Status.SUBMITTED, submitted_date=dt.date(2022, 12, 20),
    )  # fmt: skip
    make_deliverable(work_package, number="D1.2", title="Quality plan", due_month=6)
    make_deliverable(wp2, number="D2.1", title="Roundtable methodology", due_month=8)
    make_deliverable(wp2, number="D2.2", title="Roundtable outcomes", due_month=15)
    return make_reporting_period(project, number=1, start_month=1, end_month=9)


def open_reports(page: Any) -> None:
    """From any page of the project, through the main navigation."""
    nav = page.get_by_role("navigation", name="Main")
    with navigating(page):
        nav.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports")


def download_pdf(page: Any, tmp_path: Path, name: str) -> bytes:
    """Click the download link as a person would; the PDF's bytes as the browser saved them."""
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == FILENAME
    saved = tmp_path / name
    download.save_as(saved)
    return saved.read_bytes()


def log_out(page: Any) -> None:
    with navigating(page):
        page.get_by_role("button", name="Log out").click()


def test_coordinator_watches_a_report_become_ready_and_an_observer_downloads_it(
    page: Any,
    celery_worker: CeleryWorker,
    project: Project,
    period: ReportingPeriod,
    coordinator: User,
    observer: User,
    tmp_path: Path,
) -> None:
    # The coordinator opens Reports, picks the period and leaves every section ticked.
    login(page, coordinator.email, PASSWORD)
    open_reports(page)
    form = page.locator(
        "section", has=page.get_by_role("heading", name="Request a progress report")
    )
    form.get_by_label(re.compile(r"^Period:?$")).select_option(label=str(period))
    for _key, label in GeneratedReport.SECTIONS:
        expect(form.get_by_label(str(label), exact=True)).to_be_checked()

    polled: list[str] = []  # the status partial's requests, sent by htmx
    page.on(
        "request",
        lambda r: polled.append(r.url) if r.headers.get("hx-request") == "true" else None,
    )
    # The page they land on is the one the server rendered before the worker finished: check
    # that response, since the DOM may already have been swapped by the time we look.
    with (
        page.expect_response(
            lambda r: re.search(r"/reports/\d+/$", r.url) is not None and r.request.method == "GET"
        ) as landed,
        navigating(page),
    ):
        form.get_by_role("button", name="Make the report").click()
    report = GeneratedReport.objects.get()
    assert page.url.endswith(report.get_absolute_url())
    landing_html = landed.value.text()
    assert re.search(r">(Queued|Being made)</span>", landing_html), landing_html
    assert 'data-hx-trigger="every 2s"' in landing_html
    expect(page.get_by_text("Your report is queued.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress report")

    # No reload: htmx swaps the status partial in place until the worker has made the PDF.
    page.evaluate(f"{NOT_RELOADED} = true")
    status = page.locator("#report-status")
    expect(status.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    assert page.evaluate(NOT_RELOADED) is True, "the page was reloaded"
    assert polled, "the status never was polled by htmx"
    assert page.url.endswith(report.get_absolute_url())
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.READY, report.error
    expect(status).to_contain_text(f"{report.pages} pages")
    expect(status).not_to_have_attribute("data-hx-trigger", re.compile(".*"))  # polling has stopped
    # The swapped-in state is new markup that no page load brought: check it with axe too.
    check_accessibility(page)

    content = download_pdf(page, tmp_path, "coordinator.pdf")
    assert content.startswith(b"%PDF")
    assert len(content) == report.size
    text = pdf_text(content)
    assert "CO-RESP" in text
    for number in ("D1.1", "D1.2", "D2.1"):
        assert number in text
    log_out(page)

    # The observer can download the same report, but is offered no form to request one.
    login(page, observer.email, PASSWORD)
    open_reports(page)
    expect(page.get_by_role("heading", name="Request a progress report")).to_have_count(0)
    expect(page.get_by_role("button", name="Make the report")).to_have_count(0)
    expect(page.locator("form[action$='/reports/request/']")).to_have_count(0)
    with navigating(page):
        page.get_by_role("link", name="Progress report").click()
    expect(page.locator("#report-status").get_by_text("Ready", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Delete this report")).to_have_count(0)
    assert download_pdf(page, tmp_path, "observer.pdf") == content

    report.file.delete(save=False)  # the worker wrote it to the shared storage under var/
