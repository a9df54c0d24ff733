"""The progress report's SRPP chapter: the procurement register's summary for the period (the
figures of procurement/summary.py, as the register's summary page shows them), clause targets
against validated outcomes, and the register table; read back from the PDF."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.models import User
from procurement.models import ClauseOutcome, Reservation, SocialClause
from projects.models import Project
from reports import rendering
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_lot,
    make_period,
    make_tender,
)
from tests.reports import make_progress_report

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2023, 7, 3, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def register(project: Project) -> None:
    """RP1 (M1-M9): one tender with a reserved lot awarded to a WISE, a clause with a target
    of 2 persons and a validated outcome of 3 (2 with disabilities); one without clauses."""
    period = make_period(project)
    tender = make_tender(project, reference="VB-2023-07", title="Cleaning of the town hall")
    lot = tender.lots.get()
    lot.reservation = Reservation.ART_20
    lot.save()
    make_contract(lot, declared_share=Decimal(45), share_evidence="Registered as a WISE.")
    clause = make_clause(tender, lot=lot, target_quantity=Decimal(2))
    make_clause_outcome(
        clause,
        period,
        achieved=Decimal(3),
        headcount=3,
        with_disabilities=2,
        other_disadvantaged=1,
        group_other=0,
        status=ClauseOutcome.Status.VALIDATED,
    )
    make_tender(project, reference="VB-2023-09", title="Office paper", lots=1)
    make_lot(make_tender(project, reference="VB-2024-01", publication_date=dt.date(2024, 1, 5)))


def test_the_chapter_shows_the_register_for_the_period(project: Project, coordinator: User) -> None:
    register(project)
    report = make_progress_report(project, coordinator, sections=["procurement"])

    text = text_of(rendering.render_generated_report(report, NOW).content)

    assert "Social procurement" in text
    assert "Tenders in the period 2 240,000.00" in text
    assert "of them with at least one social clause 1 120,000.00" in text
    assert "of them on reserved lots 1 95,000.00" in text
    assert "of them to social economy suppliers 1 95,000.00" in text
    label = str(SocialClause.Category.DISABILITY_EMPLOYMENT.label)
    assert f"{label} persons 2 3 3 2" in text
    assert "VB-2023-07 Cleaning of the town hall Voorbeeld" in text
    assert "VB-2023-09 Office paper" in text
    assert "VB-2024-01" not in text  # published after the period


def test_the_chapter_is_left_out_unless_asked_for(project: Project, coordinator: User) -> None:
    register(project)
    report = make_progress_report(project, coordinator, sections=["summary"])
    text = text_of(rendering.render_generated_report(report, NOW).content)
    assert "Social procurement" not in text and "VB-2023-07" not in text


def test_an_empty_register_says_so(project: Project, coordinator: User) -> None:
    report = make_progress_report(project, coordinator, sections=["procurement"])
    text = text_of(rendering.render_generated_report(report, NOW).content)
    assert "No tender is in the procurement register yet." in text


def test_the_chapter_costs_the_same_queries_for_3_tenders_and_60(
    project: Project, coordinator: User
) -> None:
    register(project)
    report = make_progress_report(project, coordinator, sections=["procurement"])
    with CaptureQueriesContext(connection) as few:
        rendering.procurement_chapter(report)
    for n in range(57):
        make_clause(
            make_tender(project, reference=f"X-{n}"), stage=SocialClause.Stage.SPECIFICATION
        )
    with CaptureQueriesContext(connection) as many:
        rendering.procurement_chapter(report)
    assert len(few) == len(many)
