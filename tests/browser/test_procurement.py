"""The social procurement register in the browser, with a real Celery worker: a municipality's
procurement officer records a tender with its CPV codes, adds a lot reserved under Art. 20 and two
social clauses, records the award to a new work-integration social enterprise, and reports what
the disability clause delivered in RP2, with an evidence file, then submits it; the coordinator
reads the summary, validates the outcome, sees the summary count it, and requests the RP2
progress report, whose SRPP chapter (read back from the PDF) shows the outcome and the tender.

Everything is done through the pages' links, labels and buttons, as a person would; every page is
checked by axe (tests/browser/conftest.py). The report is rendered by the worker process on the
test's committed data, as in test_progress_report.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from procurement.models import ClauseOutcome, Contract, OutcomeEvidence, Reservation, Tender
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
from tests.procurement.factories import make_period
from tests.reports import pdf_text

pytestmark = pytest.mark.services

REFERENCE = "DOB-2023-014"
TITLE = "Cleaning of municipal buildings"
DISABILITY_CLAUSE = (
    "Employment of persons with disabilities (Contract performance condition (Art. 70))"
)
# The smallest file the platform's type detection recognises as a PDF.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class Cast:
    coordinator: str
    officer: str
    rp2: ReportingPeriod


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    """CO-RESP (M1 = October 2022, 18 months) with the coordinator's network and the
    municipality of Dobrich as partners; RP1 = M1-M9, RP2 = M10-M18 (July 2023 to March 2024).
    The tender is published in July 2023 and its contract starts in October: both in RP2."""
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
    officer = make_user("procurement@dobrich.example", full_name="Desislava Dimitrova")
    make_membership(coordinator, project, role=Membership.Role.COORDINATOR, partner=easpd)
    make_membership(officer, project, role=Membership.Role.PARTNER, partner=dobrich)
    make_period(project, number=1, start_month=1, end_month=9)
    rp2 = make_period(project, number=2, start_month=10, end_month=18)
    return Cast(coordinator.email, officer.email, rp2)


def log_out(page: Any) -> None:
    with navigating(page):
        page.get_by_role("button", name="Log out").click()


def click(page: Any, locator: Any) -> None:
    """Follow a link or press a button that loads a page (checked by axe)."""
    with navigating(page):
        locator.click()


def open_register(page: Any) -> None:
    """From any page of the project, through the main navigation."""
    nav = page.get_by_role("navigation", name="Main")
    click(page, nav.get_by_role("link", name="Procurement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tender register")


def open_register_page(page: Any, name: str) -> None:
    """One of the register's own pages, through its menu."""
    menu = page.get_by_role("navigation", name="Social procurement")
    click(page, menu.get_by_role("link", name=name, exact=True))


def field(scope: Any, label: str) -> Any:
    """The form field labelled exactly `label` (Django's labels end with a colon)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def flash(page: Any, text: str) -> None:
    expect(page.get_by_text(text)).to_be_visible()


def outcome_block(page: Any) -> Any:
    """The RP2 outcome on the tender's page: its figures, evidence and buttons."""
    return page.get_by_role("region", name=re.compile(r"^Outcome for RP2\b"))


def summary_figure(page: Any, term: str) -> str:
    """A figure of the summary's "Clause targets and outcomes" section, by its term."""
    section = page.get_by_role("region", name="Clause targets and outcomes")
    return (
        section.locator("dt", has_text=re.compile(rf"^{re.escape(term)}$"))
        .locator("xpath=following-sibling::dd[1]")
        .inner_text()
        .strip()
    )


def targets_row(page: Any) -> list[str]:
    """The disability row of the summary's targets table, cell by cell after its heading."""
    table = page.get_by_role("table", name=re.compile(r"^Clause targets against validated"))
    row = table.get_by_role("row", name=re.compile(r"^Employment of persons with disabilities"))
    return [cell.strip() for cell in row.get_by_role("cell").all_inner_texts()]


def record_tender(page: Any) -> None:
    click(page, page.get_by_role("link", name="Record a tender"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a tender")
    field(page, "Reference").fill(REFERENCE)
    field(page, "Title").fill(TITLE)
    field(page, "Contracting authority").select_option(label="Dobrich")
    expect(field(page, "Recorded by")).to_be_disabled()  # a partner records for its own
    field(page, "CPV codes").fill("90911200-8, 90919200-4")
    field(page, "Procedure").select_option(label="Open procedure")
    field(page, "Estimated value (EUR)").fill("180000.00")
    field(page, "Status").select_option(label="Published")
    field(page, "Publication date").fill("2023-07-03")
    click(page, page.get_by_role("button", name="Add to the register"))
    flash(page, f"{REFERENCE} added to the register.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{REFERENCE}: {TITLE}")
    expect(page.get_by_text("90911200-8 (main), 90919200-4")).to_be_visible()


def add_reserved_lot(page: Any) -> None:
    click(page, page.get_by_role("link", name="Add a lot"))
    expect(field(page, "Number")).to_have_value("2")  # the next free number
    field(page, "Title").fill("Cleaning of kindergartens")
    field(page, "Estimated value (EUR)").fill("95000.00")
    field(page, "Reservation").select_option(label=str(Reservation.ART_20.label))
    click(page, page.get_by_role("button", name="Add the lot"))
    flash(page, f"Lot 2 added to {REFERENCE}.")
    lots = page.get_by_role("table", name="Lots")
    expect(
        lots.get_by_role("row", name=re.compile(r"^Lot 2: Cleaning of kindergartens"))
    ).to_contain_text("Reserved under Art. 20")


def add_clauses(page: Any) -> None:
    # A contract performance condition on the reserved lot, with a target in persons.
    click(page, page.get_by_role("link", name="Add a clause"))
    field(page, "Lot").select_option(label="Lot 2: Cleaning of kindergartens")
    field(page, "Stage").select_option(label="Contract performance condition (Art. 70)")
    field(page, "Category").select_option(label="Employment of persons with disabilities")
    expect(field(page, "Mandatory")).to_be_checked()
    field(page, "Description").fill(
        "At least three persons with disabilities are employed on the contract throughout."
    )
    field(page, "Target").fill("3")
    field(page, "Unit").select_option(label="persons")
    field(page, "How it is verified").fill("Payroll extracts every six months.")
    click(page, page.get_by_role("button", name="Add the clause"))
    flash(page, f"Clause added: {DISABILITY_CLAUSE}.")

    # An award criterion on the whole tender, with its weight.
    click(page, page.get_by_role("link", name="Add a clause"))
    expect(field(page, "Lot")).to_have_value("")  # the whole tender
    field(page, "Stage").select_option(label="Award criterion")
    field(page, "Category").select_option(label="Apprenticeships and training")
    field(page, "Mandatory").uncheck()
    field(page, "Description").fill(
        "Points for each apprenticeship offered to long-term unemployed young people."
    )
    field(page, "Weight (%)").fill("15")
    click(page, page.get_by_role("button", name="Add the clause"))
    flash(page, "Clause added: Apprenticeships and training (Award criterion).")

    clauses = page.get_by_role("region", name="Social clauses")
    expect(clauses.get_by_role("table", name="The whole tender")).to_contain_text("15")
    expect(clauses.get_by_role("table", name="Lot 2: Cleaning of kindergartens")).to_contain_text(
        "3 persons"
    )


def record_award(page: Any) -> None:
    click(page, page.get_by_role("link", name="Record the award of lot 2"))
    expect(page.get_by_text("This lot is reserved under Art. 20")).to_be_visible()
    # The supplier is not in the list: left on its first line, and typed in below.
    expect(field(page, "Supplier")).to_have_value("")
    new = page.get_by_role("group", name="Or a new supplier")
    field(new, "Name").fill("Dobrudzha Works")
    field(new, "Legal name").fill("Dobrudzha Works Social Enterprise EOOD")
    field(new, "Country").select_option(label="Bulgaria")
    field(new, "Kind of organisation").select_option(label="Work-integration social enterprise")
    contract = page.get_by_role("group", name="The contract")
    field(contract, "Supplier type").select_option(label="Work-integration social enterprise")
    field(contract, "Awarded value (EUR)").fill("91500.00")
    field(contract, "Start date").fill("2023-10-01")
    field(contract, "End date").fill("2025-09-30")
    contract.get_by_label(re.compile(r"^Declared share")).fill("42")
    field(contract, "Evidence of the share").fill(
        "Registered as a class A social enterprise, no. 0317, on 12 January 2021."
    )
    click(page, page.get_by_role("button", name="Record the award"))
    flash(page, "Award of lot 2 to Dobrudzha Works saved.")
    contracts = page.get_by_role("table", name="Contracts")
    row = contracts.get_by_role("row", name=re.compile(r"^Lot 2: Cleaning of kindergartens"))
    expect(row).to_contain_text("Dobrudzha Works")
    expect(row).to_contain_text("91,500.00")
    expect(row).to_contain_text("42")


def report_outcome(page: Any, tmp_path: Path) -> None:
    click(
        page,
        page.get_by_role(
            "link", name=re.compile(rf"^Report an outcome {re.escape(DISABILITY_CLAUSE)}")
        ),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a clause outcome")
    expect(page.get_by_text("Aggregates only.")).to_be_visible()
    field(page, "Reporting period").select_option(label="RP2 (M10-M18)")
    field(page, "Achieved").fill("4")
    field(page, "People employed").fill("4")
    field(page, "Full-time equivalents").fill("3.5")
    gender = page.get_by_role("group", name="People employed, by gender")
    field(gender, "Women").fill("2")
    field(gender, "Men").fill("2")
    field(gender, "Other or not stated").fill("0")
    group = page.get_by_role("group", name="People employed, by group")
    field(group, "Persons with disabilities").fill("3")
    field(group, "Other disadvantaged persons").fill("1")
    field(group, "Others").fill("0")
    field(page, "Note").fill("Counted from the payroll of December 2023.")
    click(page, page.get_by_role("button", name="Save as a draft"))
    flash(page, "Outcome for RP2 saved as a draft. Submit it when the figures are final.")

    # The evidence, then the submission, from the outcome's block on the tender's page.
    evidence = tmp_path / "payroll-extract-2023-12.pdf"
    evidence.write_bytes(PDF)
    block = outcome_block(page)
    expect(block).to_contain_text("Draft")
    field(block, "Evidence file").set_input_files(evidence)
    click(page, block.get_by_role("button", name="Upload"))
    flash(page, "payroll-extract-2023-12.pdf added to the evidence for RP2.")
    block = outcome_block(page)
    expect(block.get_by_role("link", name="payroll-extract-2023-12.pdf")).to_be_visible()
    click(page, block.get_by_role("button", name="Submit"))
    flash(page, "Outcome for RP2 submitted. The coordinator will see it on their dashboard.")
    expect(outcome_block(page)).to_contain_text("waiting for the coordinator's validation")


def request_report(page: Any, rp2: ReportingPeriod) -> GeneratedReport:
    nav = page.get_by_role("navigation", name="Main")
    click(page, nav.get_by_role("link", name="Reports"))
    form = page.get_by_role("region", name="Request a progress report")
    form.get_by_label(re.compile(r"^Period:?$")).select_option(label=str(rp2))
    for key, label in GeneratedReport.SECTIONS:
        box = form.get_by_label(str(label), exact=True)
        if key == "procurement":
            expect(box).to_be_checked()
        else:
            box.uncheck()
    click(page, form.get_by_role("button", name="Make the report"))
    report = GeneratedReport.objects.get()
    assert report.period_id == rp2.pk
    assert report.sections == ["procurement"]
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


def test_a_municipality_records_a_tender_and_its_outcome_reaches_the_progress_report(
    page: Any, celery_worker: CeleryWorker, cast: Cast, tmp_path: Path
) -> None:
    # The municipality's procurement officer records the tender, its parts and the award.
    login(page, cast.officer, PASSWORD)
    open_register(page)
    expect(page.get_by_text("No tender is recorded yet.")).to_be_visible()
    record_tender(page)
    add_reserved_lot(page)
    add_clauses(page)
    record_award(page)
    report_outcome(page, tmp_path)
    log_out(page)

    tender = Tender.objects.get(reference=REFERENCE)
    assert tender.cpv_codes == ["90911200-8", "90919200-4"]
    assert tender.recorded_by.number == 2
    contract = Contract.objects.get(lot__tender=tender)
    assert (contract.lot.number, contract.supplier.legal_name, contract.declared_share) == (
        2,
        "Dobrudzha Works Social Enterprise EOOD",
        42,
    )
    assert contract.supplier_type == Contract.SupplierType.WISE
    outcome = ClauseOutcome.objects.get()
    assert outcome.status == ClauseOutcome.Status.SUBMITTED
    assert (outcome.period, outcome.headcount, outcome.with_disabilities) == (cast.rp2, 4, 3)

    # The coordinator sees it waiting, reads the summary (a submitted outcome does not count)...
    login(page, cast.coordinator, PASSWORD)
    waiting = page.get_by_role("region", name="Clause outcomes waiting for validation")
    expect(waiting.get_by_role("link", name=REFERENCE)).to_be_visible()
    open_register(page)
    open_register_page(page, "Summary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of the procurement register")
    assert summary_figure(page, "Persons employed") == "0"
    assert summary_figure(page, "Of them, persons with disabilities") == "0"
    before = targets_row(page)

    # ... validates the outcome on the tender's page ...
    open_register_page(page, "Tenders")
    click(page, page.get_by_role("link", name=REFERENCE))
    block = outcome_block(page)
    expect(block).to_contain_text("Submitted")
    with page.expect_download() as info:
        block.get_by_role("link", name="payroll-extract-2023-12.pdf").click()
    assert Path(info.value.path()).read_bytes() == PDF
    click(page, block.get_by_role("button", name="Validate"))
    flash(page, "Outcome for RP2 validated.")
    expect(outcome_block(page)).to_contain_text("Validated by Clara Coordinator")

    # ... and sees the summary count it, for the project and for RP2.
    open_register_page(page, "Summary")
    assert summary_figure(page, "Persons employed") == "4"
    assert summary_figure(page, "Of them, persons with disabilities") == "3"
    after = targets_row(page)
    # Unit, clauses, target, achieved, % of target, outcomes, persons, with disabilities, FTE.
    assert before == ["persons", "1", "3", "0", "0.0 %", "0", "0", "0", "0"], before
    assert after == ["persons", "1", "3", "4", "133.3 %", "1", "4", "3", "3.50"], after
    field(page, "Reporting period").select_option(label="RP2 (M10-M18)")
    click(page, page.get_by_role("button", name="Show"))
    assert summary_figure(page, "Persons employed") == "4"
    assert targets_row(page) == after

    # The coordinator requests the RP2 progress report with the SRPP chapter and reads it.
    report = request_report(page, cast.rp2)
    text = " ".join(pdf_text(download_report(page, tmp_path)).split())
    assert "Social procurement" in text
    # Target 3 persons; achieved 4; 4 people employed, 3 of them with disabilities.
    assert "Employment of persons with disabilities persons 3 4 4 3" in text, text
    assert f"{REFERENCE} {TITLE} Dobrich" in text, text
    assert "Tenders in the period 1 180,000.00" in text, text
    assert "of them on reserved lots 1 91,500.00" in text, text
    assert "of them to social economy suppliers 1 91,500.00" in text, text

    # The worker and the upload wrote to the shared storage under var/.
    report.file.delete(save=False)
    for evidence in OutcomeEvidence.objects.all():
        evidence.file.delete(save=False)
