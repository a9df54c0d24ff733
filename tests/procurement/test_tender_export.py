"""procurement:tender_export: the filtered register as CSV or XLSX, every page of it and nothing
else, through the formula-safe writer (projects.exports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from procurement.models import Reservation, SocialClause, Tender
from projects.models import Project
from tests.procurement.factories import (
    CPV_CLEANING,
    CPV_CONSTRUCTION,
    make_clause,
    make_lot,
    make_tender,
)
from tests.procurement.test_tender_list import add_tenders

pytestmark = pytest.mark.django_db

HEADER = [
    "Reference", "Title", "Contracting authority", "Recorded by", "Procedure", "Status",
    "Main CPV code", "CPV codes", "Estimated value (EUR)", "Publication date", "Award date",
    "Reserved lots", "Social clauses", "Work package", "Notice address",
]  # fmt: skip


def url(project: Project, fmt: str, query: str = "") -> str:
    return reverse("procurement:tender_export", args=[project.slug, fmt]) + query


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_sheet(response: Any) -> Any:
    return load_workbook(io.BytesIO(body(response)))["Tenders"]


@pytest.fixture
def reader(client: Client, observer: User) -> Client:
    client.force_login(observer)
    return client


@pytest.fixture
def tender(project: Project, work_package: Any) -> Tender:
    tender = make_tender(
        project,
        reference="VB-01",
        title="Cleaning of schools",
        cpv_codes=[CPV_CLEANING, CPV_CONSTRUCTION],
        status=Tender.Status.AWARDED,
        award_date=dt.date(2023, 5, 2),
        estimated_value=Decimal("1250000.50"),
        notice_url="https://ted.europa.eu/notice/1",
        work_package=work_package,
    )
    make_lot(tender, number=2, reservation=Reservation.ART_20)
    make_clause(tender)
    make_clause(tender, stage=SocialClause.Stage.SELECTION)
    return tender


def test_csv_has_a_row_per_tender_with_its_facts(
    reader: Client, project: Project, tender: Tender
) -> None:
    response = reader.get(url(project, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="CO-RESP-tenders-')
    assert csv_rows(response) == [
        HEADER,
        [
            "VB-01",
            "Cleaning of schools",
            "Voorbeeld",
            "P3 Voorbeeld",
            "Open procedure",
            "Awarded",
            CPV_CLEANING,
            f"{CPV_CLEANING}, {CPV_CONSTRUCTION}",
            "1250000.50",
            "2023-03-01",
            "2023-05-02",
            "Yes",
            "2",
            "WP1",
            "https://ted.europa.eu/notice/1",
        ],
    ]


def test_xlsx_keeps_numbers_and_dates_typed(
    reader: Client, project: Project, tender: Tender
) -> None:
    response = reader.get(url(project, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = [list(r) for r in xlsx_sheet(response).iter_rows(values_only=True)]
    assert rows[0] == HEADER
    row = rows[1]
    assert row[0] == "VB-01"
    assert row[8] == 1250000.5
    assert row[9] == dt.datetime(2023, 3, 1)
    assert row[11:13] == ["Yes", 2]


def test_holds_exactly_the_filtered_rows_of_every_page(
    reader: Client, project: Project, tender: Tender
) -> None:
    add_tenders(project, 130)  # every other one with a reserved lot
    query = "?reserved=yes&sort=reference"
    listed = reader.get(reverse("procurement:tender_list", args=[project.slug]) + query)
    shown = listed.context["page_obj"].paginator
    assert shown.num_pages == 2

    rows = csv_rows(reader.get(url(project, "csv", query + "&page=2")))

    expected = [t.reference for t in shown.object_list]
    assert [r[0] for r in rows[1:]] == expected  # in the list's order, both pages
    assert len(expected) == 66
    assert {r[11] for r in rows[1:]} == {"Yes"}


def test_without_filters_holds_the_whole_register(
    reader: Client, project: Project, tender: Tender
) -> None:
    add_tenders(project, 60)
    rows = csv_rows(reader.get(url(project, "csv")))
    assert len(rows) == 1 + 61


def test_text_that_looks_like_a_formula_is_written_as_text(
    reader: Client, project: Project
) -> None:
    make_tender(project, reference="=1+1", title='=HYPERLINK("https://evil.example","x")')

    rows = csv_rows(reader.get(url(project, "csv")))
    assert rows[1][:2] == ["'=1+1", '\'=HYPERLINK("https://evil.example","x")']

    sheet = xlsx_sheet(reader.get(url(project, "xlsx")))
    cells = next(sheet.iter_rows(min_row=2, max_row=2))
    assert (cells[0].value, cells[0].data_type) == ("=1+1", "s")
    assert cells[1].data_type == "s"


def test_an_unknown_format_is_404(reader: Client, project: Project) -> None:
    assert reader.get(url(project, "pdf")).status_code == 404


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project, "csv")).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project, "csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_other_methods_are_not_allowed(reader: Client, project: Project) -> None:
    assert reader.post(url(project, "csv")).status_code == 405
