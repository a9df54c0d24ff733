"""impact:value_export: every value of the project's indicators, entered (in every status) and
computed (every partner and period with records behind it), per indicator x partner x period,
as CSV or XLSX through the formula-safe writer (projects.exports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from events.models import Event
from impact.models import Indicator, IndicatorValue
from projects.models import Project, ReportingPeriod
from tests.events.factories import make_attendance, make_event
from tests.impact.factories import make_indicator, make_query, make_value
from tests.impact.test_impact_overview import grow
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
HEADER = [
    "Indicator", "Name", "Unit", "Source", "Partner", "Reporting period", "From", "To", "Value",
    "Status", "People", "Women", "Men", "Other or not stated", "Persons with disabilities",
    "Other disadvantaged persons", "Others", "Public authorities",
    "Social economy organisations", "Companies", "Organisations of persons with disabilities",
    "Procurement experts", "Other stakeholders", "Data source", "Collection method", "Note",
    "Open query",
]  # fmt: skip


def url(project: Project, fmt: str) -> str:
    return reverse("impact:value_export", args=[project.slug, fmt])


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


@pytest.fixture
def reader(client: Client, observer: User) -> Client:
    client.force_login(observer)
    return client


@pytest.fixture
def periods(project: Project) -> tuple[ReportingPeriod, ReportingPeriod]:
    return (
        make_period(project, number=1, start_month=1, end_month=9),
        make_period(project, number=2, start_month=10, end_month=18),
    )


@pytest.fixture
def values(
    project: Project, periods: tuple[ReportingPeriod, ReportingPeriod], coordinator: User
) -> None:
    """KPI1 entered: P2 RP1 5 validated with its breakdowns and sources, P3 RP1 3 draft with an
    open query. KPI2 computed: participants of P2's held events, 40 in RP1 and 12 in RP2."""
    rp1 = periods[0]
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    kpi1 = make_indicator(project, code="KPI1", name="Persons employed")
    make_value(
        kpi1, p2, rp1, value=Decimal(5), status=IndicatorValue.Status.VALIDATED,
        women=3, men=2, gender_other=0, data_source="Payroll of the WISE",
        collection_method="Extract", note="Two started in May.",
    )  # fmt: skip
    draft = make_value(kpi1, p3, rp1, value=Decimal(3))
    make_query(draft, project=project, assigned_to=p3, raised_by=coordinator)
    make_indicator(
        project,
        code="KPI2",
        name="Participants",
        source=Indicator.Source.COMPUTED,
        measure=Indicator.Measure.PARTICIPANTS,
    )
    for day, total in ((dt.datetime(2023, 3, 1, 10), 40), (dt.datetime(2023, 9, 1, 10), 12)):
        event = make_event(
            project, starts_at=day.replace(tzinfo=BRUSSELS), status=Event.Status.HELD
        )
        make_attendance(event, total=total)


def test_csv_has_every_value_entered_and_computed(
    reader: Client, project: Project, values: None
) -> None:
    response = reader.get(url(project, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="CO-RESP-indicator-values-'
    )
    assert csv_rows(response) == [
        HEADER,
        [
            "KPI1", "Persons employed", "persons", "Entered by partners per period",
            "P2 CoopLab", "RP1", "2022-10-01", "2023-06-30", "5.00", "Validated", "", "3", "2",
            "0", "", "", "", "", "", "", "", "", "", "Payroll of the WISE", "Extract",
            "Two started in May.", "No",
        ],
        [
            "KPI1", "Persons employed", "persons", "Entered by partners per period",
            "P3 Voorbeeld", "RP1", "2022-10-01", "2023-06-30", "3.00", "Draft", "", "", "", "",
            "", "", "", "", "", "", "", "", "", "", "", "", "Yes",
        ],
        [
            "KPI2", "Participants", "persons", "Computed from the platform's records",
            "P2 CoopLab", "RP1", "2022-10-01", "2023-06-30", "40", "Computed", "", "", "", "",
            "", "", "", "", "", "", "", "", "", "Participants of held events", "", "", "",
        ],
        [
            "KPI2", "Participants", "persons", "Computed from the platform's records",
            "P2 CoopLab", "RP2", "2023-07-01", "2024-03-31", "12", "Computed", "", "", "", "",
            "", "", "", "", "", "", "", "", "", "Participants of held events", "", "", "",
        ],
    ]  # fmt: skip


def test_xlsx_keeps_numbers_and_dates_typed(reader: Client, project: Project, values: None) -> None:
    response = reader.get(url(project, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body(response)))["Indicator values"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1][6:9] == [dt.datetime(2022, 10, 1), dt.datetime(2023, 6, 30), 5]
    assert rows[1][11] == 3
    assert rows[3][8] == 40
    assert len(rows) == 5


def test_text_that_looks_like_a_formula_is_written_as_text(
    reader: Client, project: Project, periods: tuple[ReportingPeriod, ReportingPeriod]
) -> None:
    kpi = make_indicator(project, code="KPI1", name='=HYPERLINK("https://evil.example","x")')
    make_value(kpi, project.partners.get(number=2), periods[0], note="+1 more", data_source="@x")

    row = csv_rows(reader.get(url(project, "csv")))[1]
    assert row[1] == '\'=HYPERLINK("https://evil.example","x")'
    assert (row[23], row[25]) == ("'@x", "'+1 more")

    sheet = load_workbook(io.BytesIO(body(reader.get(url(project, "xlsx")))))["Indicator values"]
    cells = next(sheet.iter_rows(min_row=2, max_row=2))
    assert (cells[1].value, cells[1].data_type) == ('=HYPERLINK("https://evil.example","x")', "s")
    assert cells[25].data_type == "s"


def test_the_headings_are_in_the_readers_language(
    reader: Client, project: Project, values: None
) -> None:
    rows = csv_rows(reader.get(url(project, "csv"), HTTP_ACCEPT_LANGUAGE="de"))
    assert len(rows[0]) == len(HEADER)


def test_an_empty_project_exports_the_header_alone(reader: Client, project: Project) -> None:
    assert csv_rows(reader.get(url(project, "csv"))) == [HEADER]


def test_the_export_costs_the_same_for_5_indicators_and_50(
    reader: Client, project: Project
) -> None:
    grow(project, indicators=5, partners=3, periods=2)
    reader.get(url(project, "csv"))
    with CaptureQueriesContext(connection) as few:
        small = csv_rows(reader.get(url(project, "csv")))
    grow(project, indicators=50, partners=10, periods=6)
    with CaptureQueriesContext(connection) as many:
        large = csv_rows(reader.get(url(project, "csv")))

    listing = "\n".join(q["sql"][:160] for q in many.captured_queries)
    assert len(few) == len(many), listing
    # session, user, member; indicators, partners, periods; computed_values: periods, event
    # time zones, events, tenders, outcomes, plans; open queries; entered values.
    assert len(many) == 3 + 3 + 6 + 2, listing
    # Entered: 10 of 50 indicators x 10 partners x 6 periods; computed: the 30 of the 40 whose
    # source has records for every partner and period in grow (events, tenders, plans; the
    # outcomes' indicators have none: no figure, no row).
    assert len(large) - 1 == 10 * 10 * 6 + 30 * 10 * 6
    assert len(small) - 1 == 1 * 3 * 2 + 3 * 3 * 2


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
