"""Impact indicators and data quality in the browser, with a real Celery worker: a partner enters
its RP2 value of an indicator with a gender breakdown (from the impact page) and submits it; the
figure is eight times its RP1 value (training hours counted instead of persons), which the model
accepts (the breakdown adds up) but the "jump" check reports. The coordinator finds it on the
data-quality page, raises a query assigned to the partner and sends the value back; the partner
sees the query on its dashboard, corrects the figure, submits it again and answers; the coordinator
validates the value and resolves the query, and requests the RP2 progress report with the
data-quality annex, whose text (read back from the PDF) lists no open query and no finding.

Everything is done through the pages' links, labels and buttons, as a person would; every page is
checked by axe (tests/browser/conftest.py). The report is rendered by the worker process on the
test's committed data, as in test_progress_report.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from impact.models import DataQuery, Indicator, IndicatorValue, QueryMessage
from projects.models import Membership, Organisation, Partner, ReportingPeriod
from reports.models import GeneratedReport
from tests.browser.conftest import check_accessibility, login, navigating
from tests.conftest import CeleryWorker
from tests.factories import (
    PASSWORD,
    make_membership,
    make_organisation,
    make_partner,
    make_project,
    make_user,
)
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period
from tests.reports import pdf_text

pytestmark = pytest.mark.services

KPI = "KPI1"
NAME = "Public procurement officers trained"
SECTION = f"{KPI} {NAME}"
VALUE = f"{KPI}, P2 Dobrich, RP2"  # str(IndicatorValue): how the pages name the record
JUMP = f"{KPI} of P2 for RP2 is 64, 8 times the 8 reported for RP1: a unit mistake?"
QUESTION = (
    "RP2 reports 64 officers trained, eight times the 8 of RP1: were the training hours "
    "counted instead of the persons? Please check the attendance sheets."
)
ANSWER = "We had counted the hours. Corrected to the 12 officers on the attendance sheets."


@dataclass
class Cast:
    coordinator: str
    partner: str
    rp2: ReportingPeriod


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    """CO-RESP (M1 = October 2022, 18 months, over by now) with the coordinator's network and
    the municipality of Dobrich; RP1 = M1-M9, RP2 = M10-M18. KPI1 (persons, target 40, by
    gender) is reported by Dobrich alone, whose RP1 value, 8, is validated."""
    project = make_project("CO-RESP")
    easpd = make_partner(
        project,
        make_organisation("EASPD", kind=Organisation.Kind.NETWORK),
        number=1,
        role=Partner.Role.COORDINATOR,
    )
    dobrich = make_partner(
        project,
        make_organisation(
            "Dobrich",
            legal_name="Obshtina Dobrich",
            country="BG",
            kind=Organisation.Kind.PUBLIC_AUTHORITY,
        ),
        number=2,
    )
    coordinator = make_user("coordinator@easpd.example", full_name="Clara Coordinator")
    officer = make_user("impact@dobrich.example", full_name="Desislava Dimitrova")
    make_membership(coordinator, project, role=Membership.Role.COORDINATOR, partner=easpd)
    make_membership(officer, project, role=Membership.Role.PARTNER, partner=dobrich)
    rp1 = make_period(project, number=1, start_month=1, end_month=9)
    rp2 = make_period(project, number=2, start_month=10, end_month=18)
    indicator = make_indicator(
        project,
        code=KPI,
        name=NAME,
        definition="Procurement officers of a partner authority who completed the SRPP training.",
        unit=Indicator.Unit.PERSONS,
        target=Decimal(40),
        disaggregations=[Indicator.Disaggregation.GENDER],
        reporting_partners=[dobrich],
    )
    make_value(
        indicator, dobrich, rp1, value=Decimal(8), status=IndicatorValue.Status.VALIDATED,
        women=5, men=3, gender_other=0,
    )  # fmt: skip
    return Cast(coordinator.email, officer.email, rp2)


def log_out(page: Any) -> None:
    with navigating(page):
        page.get_by_role("button", name="Log out").click()


def click(page: Any, locator: Any) -> None:
    """Follow a link or press a button that loads a page (checked by axe)."""
    with navigating(page):
        locator.click()


def field(scope: Any, label: str) -> Any:
    """The form field labelled exactly `label` (Django's labels end with a colon)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def flash(page: Any, text: str) -> None:
    expect(page.get_by_text(text)).to_be_visible()


def heading(page: Any, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def open_main(page: Any, name: str) -> None:
    """One of the project's areas, through the main navigation."""
    nav = page.get_by_role("navigation", name="Main")
    click(page, nav.get_by_role("link", name=name, exact=True))


def open_data_quality(page: Any) -> None:
    open_main(page, "Impact")
    menu = page.get_by_role("navigation", name="Impact", exact=True)
    click(page, menu.get_by_role("link", name="Data quality"))
    heading(page, "Data quality")


def kpi_block(page: Any) -> Any:
    """KPI1's section on the entry page: its form or its saved value, and its definition."""
    return page.get_by_role("region", name=SECTION)


def fill_figures(page: Any, *, value: str, women: str, men: str, other: str) -> None:
    field(page, "Value").fill(value)
    gender = page.get_by_role("group", name="By gender")
    field(gender, "Women").fill(women)
    field(gender, "Men").fill(men)
    field(gender, "Other or not stated").fill(other)


def submit_value(page: Any) -> None:
    click(page, kpi_block(page).get_by_role("button", name="Submit"))
    flash(page, f"{KPI} for RP2 submitted to the coordinator for validation.")
    expect(kpi_block(page)).to_contain_text("waiting for the coordinator's validation")


def about_link(page: Any) -> Any:
    """The query page's link to the record it is about."""
    return (
        page.locator("dt", has_text="About")
        .locator("xpath=following-sibling::dd[1]")
        .get_by_role("link", name=VALUE)
    )


def request_report(page: Any, rp2: ReportingPeriod) -> GeneratedReport:
    open_main(page, "Reports")
    heading(page, "Progress reports")
    form = page.get_by_role("region", name="Request a progress report")
    # Every query is closed and the checks find nothing: no warning before sending.
    expect(form.get_by_text("Before you send a report:")).to_have_count(0)
    form.get_by_label(re.compile(r"^Period:?$")).select_option(label=str(rp2))
    for key, label in GeneratedReport.SECTIONS:
        box = form.get_by_label(str(label), exact=True)
        if key in ("impact", "gaps"):
            box.check()
        else:
            box.uncheck()
    click(page, form.get_by_role("button", name="Make the report"))
    report = GeneratedReport.objects.get()
    assert report.period_id == rp2.pk
    assert sorted(report.sections) == ["gaps", "impact"]
    status = page.locator("#report-status")
    expect(status.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.READY, report.error
    check_accessibility(page)  # the swapped-in status is markup no page load brought
    return report


def download_report(page: Any, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    download = info.value
    assert download.failure() is None, download.failure()
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    return saved.read_bytes()


def test_a_queried_figure_is_corrected_and_the_report_annex_is_clean(
    page: Any, celery_worker: CeleryWorker, cast: Cast, tmp_path: Path
) -> None:
    # The partner opens its RP2 entry page from the impact page and enters KPI1 by gender:
    # 64 (the training hours, not the persons), a breakdown that adds up.
    login(page, cast.partner, PASSWORD)
    panel = page.get_by_role("region", name="Queries waiting for your answer")
    expect(panel).to_contain_text("No query is waiting for your answer.")
    open_main(page, "Impact")
    heading(page, "Impact indicators")
    # The impact page charts each indicator with its table by partner; the indicator's page has
    # the figures by partner and period, each missing one of the partner's to enter.
    click(page, page.get_by_role("link", name=f"{KPI} by partner and reporting period"))
    table = page.get_by_role("table", name=f"{KPI} by partner and reporting period (persons)")
    row = table.get_by_role("row", name=re.compile(r"^P2 Dobrich"))
    click(page, row.get_by_role("link", name="Enter RP2"))
    heading(page, "Values of P2 Dobrich for RP2")
    block = kpi_block(page)
    expect(block.get_by_text("Aggregates only.")).to_be_visible()
    fill_figures(block, value="64", women="40", men="24", other="0")
    field(block, "Data source").fill("Attendance sheets of the SRPP training")
    field(block, "Collection method").fill("Count of the sheets")
    click(page, block.get_by_role("button", name="Save as a draft"))
    flash(page, f"{KPI} for RP2 saved as a draft. Submit it when the figure is final.")
    expect(kpi_block(page)).to_contain_text("40 women, 24 men, 0 other or not stated")
    submit_value(page)
    log_out(page)

    value = IndicatorValue.objects.get(period=cast.rp2)
    assert (value.value, value.women, value.men, value.gender_other) == (Decimal(64), 40, 24, 0)
    assert value.status == IndicatorValue.Status.SUBMITTED

    # The coordinator finds the jump on the data-quality page and raises a query about it.
    login(page, cast.coordinator, PASSWORD)
    panel = page.get_by_role("region", name="Answered queries to close")
    expect(panel).to_contain_text("No answered query is waiting to be closed.")
    open_data_quality(page)
    findings = page.get_by_role("table", name="Findings")
    expect(findings.get_by_role("row")).to_have_count(2)  # the header and the one finding
    finding = findings.get_by_role("row", name=re.compile("More than 5 times"))
    expect(finding).to_contain_text(JUMP)
    expect(finding).to_contain_text("Warning")
    expect(finding).to_contain_text("RP2")
    click(page, finding.get_by_role("link", name=f"Raise a query {VALUE}"))
    heading(page, "Raise a query")
    expect(page.get_by_role("link", name=VALUE)).to_be_visible()
    expect(page.locator("code", has_text="jump")).to_be_visible()
    expect(field(page, "Partner who answers").locator("option:checked")).to_have_text("P2 Dobrich")
    field(page, "Question").fill(QUESTION)
    click(page, page.get_by_role("button", name="Raise the query"))
    query = DataQuery.objects.get()
    flash(page, f"Query {query.pk} raised and assigned to P2 Dobrich.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Query {query.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")
    expect(page.get_by_role("region", name="Thread")).to_contain_text(QUESTION)

    # The value is submitted: the partner can correct it once the coordinator sends it back.
    click(page, about_link(page))
    heading(page, "Values of P2 Dobrich for RP2")
    block = kpi_block(page)
    expect(block).to_contain_text("An open query on this figure:")
    expect(block.get_by_role("button", name="Validate")).to_be_visible()
    field(block, "What should change").fill(f"See query {query.pk}: persons, not hours.")
    click(page, block.get_by_role("button", name="Send back to the partner"))
    flash(page, f"{KPI} for RP2 sent back to P2 Dobrich with your comment.")
    expect(kpi_block(page)).to_contain_text("Draft")
    open_data_quality(page)
    finding = page.get_by_role("table", name="Findings").get_by_role(
        "row", name=re.compile("More than 5 times")
    )
    expect(finding.get_by_role("link", name=f"Query {query.pk}: Open")).to_be_visible()
    expect(finding.get_by_role("link", name=re.compile("^Raise a query"))).to_have_count(0)
    log_out(page)

    # The partner sees the query on its dashboard, corrects the figure and answers.
    login(page, cast.partner, PASSWORD)
    panel = page.get_by_role("region", name="Queries waiting for your answer")
    expect(panel).to_contain_text("RP2 reports 64 officers trained")
    click(page, panel.get_by_role("link", name=f"Query {query.pk}"))
    expect(page.get_by_role("region", name="Thread")).to_contain_text(QUESTION)
    click(page, about_link(page))
    heading(page, "Values of P2 Dobrich for RP2")
    block = kpi_block(page)
    expect(block).to_contain_text("The coordinator sent it back:")
    expect(block).to_contain_text("persons, not hours.")
    click(page, block.get_by_role("link", name="Correct the figure"))
    heading(page, f"Correct {KPI} for RP2")
    expect(field(page, "Value")).to_have_value("64.00")
    fill_figures(page, value="12", women="7", men="5", other="0")
    field(page, "Note").fill("Counted once per officer, from the attendance sheets.")
    click(page, page.get_by_role("button", name="Save"))
    flash(page, f"{KPI} for RP2 saved.")
    expect(kpi_block(page)).to_contain_text("7 women, 5 men, 0 other or not stated")
    submit_value(page)
    # Back to the query, through the mark the value carries.
    block = kpi_block(page)
    expect(block).to_contain_text("An open query on this figure:")
    click(page, block.get_by_role("link", name=re.compile(r"^RP2 reports 64 officers")))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Query {query.pk}")
    field(page, "Your answer").fill(ANSWER)
    click(page, page.get_by_role("button", name="Send the answer"))
    flash(page, "Your answer is sent. The coordinator will close the query.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Answered")
    expect(page.get_by_role("region", name="Thread")).to_contain_text(ANSWER)
    expect(page.get_by_role("button", name="Close the query")).to_have_count(0)
    # The corrected figure is no jump any more: the finding is gone from the list.
    open_data_quality(page)
    expect(page.get_by_role("table", name="Findings")).to_have_count(0)
    expect(page.get_by_text("The checks found nothing")).to_be_visible()
    queries = page.get_by_role("table", name="Queries")
    expect(queries.get_by_role("row", name=re.compile(rf"^Query {query.pk}\b"))).to_contain_text(
        "Answered"
    )
    log_out(page)

    value.refresh_from_db()
    assert (value.value, value.women, value.men, value.gender_other) == (Decimal(12), 7, 5, 0)
    assert value.status == IndicatorValue.Status.SUBMITTED
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED

    # The coordinator validates the corrected value and resolves the query.
    login(page, cast.coordinator, PASSWORD)
    panel = page.get_by_role("region", name="Answered queries to close")
    expect(panel).to_contain_text("P2 answered")
    click(page, panel.get_by_role("link", name=f"Query {query.pk}"))
    expect(page.get_by_role("region", name="Thread")).to_contain_text(ANSWER)
    click(page, about_link(page))
    block = kpi_block(page)
    expect(block).to_contain_text("Submitted")
    expect(block).to_contain_text("12 persons")
    click(page, block.get_by_role("button", name="Validate"))
    flash(page, f"{KPI} for RP2 validated.")
    block = kpi_block(page)
    expect(block).to_contain_text("Validated by Clara Coordinator")
    click(page, block.get_by_role("link", name=re.compile(r"^RP2 reports 64 officers")))
    close = page.get_by_role("region", name="Close the query")
    expect(close.get_by_label("Resolved: the figure is right now")).to_be_checked()
    field(close, "Comment").fill("12 officers, validated.")
    click(page, close.get_by_role("button", name="Close the query"))
    flash(page, f"Query {query.pk} resolved and closed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resolved")
    expect(page.get_by_role("button", name="Close the query")).to_have_count(0)

    query.refresh_from_db()
    assert query.status == DataQuery.Status.RESOLVED
    assert list(query.messages.values_list("kind", flat=True)) == [
        QueryMessage.Kind.QUESTION,
        QueryMessage.Kind.ANSWER,
        QueryMessage.Kind.RESOLUTION,
    ]

    # The RP2 progress report with the impact chapter and the data-quality annex.
    report = request_report(page, cast.rp2)
    text = " ".join(pdf_text(download_report(page, tmp_path)).split())
    assert f"{KPI} {NAME}" in text, text
    assert "target 40, achieved 20" in text, text  # RP1's 8 and the corrected 12, validated
    assert "Annex: data gaps to close before sending" in text, text
    assert "Open queries No open query." in text, text
    assert "Findings of the data checks The checks found nothing." in text, text
    assert QUESTION not in text

    report.file.delete(save=False)  # the worker wrote it to the shared storage under var/
