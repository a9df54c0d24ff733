"""projects.imports.import_deliverables: the grant agreement's deliverable table, all or nothing.

Test data is made by the small helpers below (this module does not depend on tests/factories.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from projects import imports
from projects.imports import RowError, import_deliverables
from projects.models import Deliverable, Organisation, Partner, Project, WorkPackage

pytestmark = pytest.mark.django_db

HEADER = "Number,Title,Work package,Lead,Type,Dissemination,Due month,Description"


# --- helpers ----------------------------------------------------------------------------------


def _consortium() -> Project:
    """SRPP, M1 = January 2024 to M24 = December 2025: P1 EASPD leads WP1, P2 CoopLab WP2, P3."""
    project = Project.objects.create(
        acronym="SRPP",
        slug="srpp",
        title="Socially responsible public procurement",
        programme=Project.Programme.SMP,
        start_date=dt.date(2024, 1, 1),
        duration_months=24,
    )
    partners = [
        _partner(project, 1, "EASPD", "European Association of Service providers"),
        _partner(project, 2, "CoopLab", "CoopLab S. Coop."),
        _partner(project, 3, "Voorbeeld", "Gemeente Voorbeeld"),
    ]
    for number, lead in ((1, partners[0]), (2, partners[1])):
        WorkPackage.objects.create(
            project=project,
            number=number,
            title=f"Work package {number}",
            lead=lead,
            start_month=1,
            end_month=24,
        )
    return project


def _partner(project: Project, number: int, short_name: str, legal_name: str) -> Partner:
    organisation = Organisation.objects.create(
        short_name=short_name,
        legal_name=legal_name,
        country="BE",
        kind=Organisation.Kind.SOCIAL_ECONOMY,
    )
    return Partner.objects.create(project=project, organisation=organisation, number=number)


def _csv(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO("\n".join([header, *lines]).encode(encoding))


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Notes").append(["Anything on a second sheet is ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _import_csv(project: Project, *lines: str, **kwargs: str) -> imports.ImportResult:
    return import_deliverables(project, _csv(*lines, **kwargs), filename="deliverables.csv")


# --- valid files ------------------------------------------------------------------------------


def test_valid_csv_creates_deliverables_with_derived_due_dates() -> None:
    project = _consortium()

    result = _import_csv(
        project,
        "D1.1,Project handbook,WP1,P1,R,PU,M2,How the consortium works",
        'D2.1,"Roundtables, a report",2,CoopLab,dec,SEN,13,',
        "d2.2,Evidence base,WP2,3,DATA,PU,M24,",
    )

    assert result.ok, result.errors
    assert len(result.created) == 3
    rows = {d.number: d for d in Deliverable.objects.select_related("work_package", "lead")}
    assert set(rows) == {"D1.1", "D2.1", "D2.2"}
    handbook, roundtables, evidence = rows["D1.1"], rows["D2.1"], rows["D2.2"]
    # The due date is the last day of the due month: M2 = February of a leap year.
    assert handbook.due_date == dt.date(2024, 2, 29)
    assert roundtables.due_date == dt.date(2025, 1, 31)
    assert evidence.due_date == dt.date(2025, 12, 31)
    assert (handbook.work_package.number, handbook.lead.number) == (1, 1)
    assert (roundtables.work_package.number, roundtables.lead.number) == (2, 2)
    assert (evidence.work_package.number, evidence.lead.number) == (2, 3)
    assert roundtables.title == "Roundtables, a report"
    assert roundtables.type == Deliverable.Type.DEC
    assert roundtables.dissemination == Deliverable.Dissemination.SEN
    assert handbook.description == "How the consortium works"
    assert evidence.sort_key == 2002
    assert handbook.status == Deliverable.Status.PLANNED
    assert handbook.history.get().history_change_reason == "Imported from deliverables.csv"


def test_semicolon_csv_with_bom_and_loose_headers_imports() -> None:
    project = _consortium()
    header = " NUMBER ;Title;work_package;Lead partner;TYPE;Dissemination level;Due  Month;Remarks"
    body = "\n".join(
        [
            header,
            "D1.1;Handbook, first edition;WP 1;easpd;R — Document, report;PU — Public;M6;x",
            "D1.2;Quality plan;1;P2;R;PU;6;",
        ]
    )
    file = io.BytesIO(body.encode("utf-8-sig"))

    result = import_deliverables(project, file, filename="Deliverables.CSV")

    assert result.ok, result.errors
    handbook = Deliverable.objects.get(number="D1.1")
    assert handbook.title == "Handbook, first edition"
    assert handbook.lead.number == 1
    assert (handbook.type, handbook.dissemination) == ("R", "PU")
    assert handbook.due_date == dt.date(2024, 6, 30)
    assert Deliverable.objects.get(number="D1.2").lead.number == 2


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_titles_with_commas_semicolons_and_quotes_are_read_whole(delimiter: str) -> None:
    project = _consortium()
    rows = [
        ["Number", "Title", "Work package", "Lead", "Type", "Dissemination", "Due month"],
        ["D1.1", "Guide; part one, part two, part three, annexes", "WP1", "P1", "R", "PU", "M2"],
        ["D1.2", 'The "buy social" checklist, v2; final', "WP1", "P1", "R", "PU", "M3"],
    ]
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)

    result = import_deliverables(
        project, io.BytesIO(text.getvalue().encode()), filename="deliverables.csv"
    )

    assert result.ok, result.errors
    assert list(Deliverable.objects.values_list("title", flat=True)) == [rows[1][1], rows[2][1]]


def test_valid_xlsx_imports() -> None:
    project = _consortium()
    file = _xlsx(
        [
            ["Number", "Title", "Work package", "Lead", "Type", "Dissemination", "Due month"],
            ["D1.1", "Project handbook", "WP1", "P1", "R", "PU", "M3"],
            [],  # a blank row in the middle is skipped
            ["D2.1", "Local action plans", 2, 2, "DEM", "PU", 18],
        ]
    )

    result = import_deliverables(project, file, filename="grant-agreement.xlsx")

    assert result.ok, result.errors
    assert list(Deliverable.objects.values_list("number", "due_date", "lead__number")) == [
        ("D1.1", dt.date(2024, 3, 31), 1),
        ("D2.1", dt.date(2025, 6, 30), 2),
    ]


def test_xlsx_errors_carry_the_row_number_the_spreadsheet_shows() -> None:
    project = _consortium()
    file = _xlsx(
        [
            ["Number", "Title", "Work package", "Lead", "Type", "Dissemination", "Due month"],
            ["D1.1", "Project handbook", "WP1", "P1", "R", "PU", "M3"],
            [None, None, None],
            ["D2.1", "Local action plans", 2, 2, "DEM", "PU", 99],
        ]
    )

    result = import_deliverables(project, file, filename="grant-agreement.xlsx")

    assert [(e.row, e.column) for e in result.errors] == [(4, "due month")]
    assert not Deliverable.objects.exists()


# --- row errors: nothing is imported ----------------------------------------------------------


def test_one_bad_row_among_good_ones_imports_nothing_and_names_the_row_and_column() -> None:
    project = _consortium()

    result = _import_csv(
        project,
        "D1.1,Project handbook,WP1,P1,R,PU,M2,",
        "D1.2,Quality plan,WP1,P9,R,PU,M3,",
        "D2.1,Roundtables,WP2,P2,R,PU,M6,",
    )

    assert not result.ok
    assert result.created == []
    assert result.errors == [RowError(3, "lead", "P9 is not a partner in SRPP.")]
    assert not Deliverable.objects.exists()


def test_duplicates_inside_the_file_are_reported() -> None:
    project = _consortium()

    result = _import_csv(
        project,
        "D1.1,Project handbook,WP1,P1,R,PU,M2,",
        "D1.2,Quality plan,WP1,P1,R,PU,M3,",
        "D1.1,Handbook again,WP1,P1,R,PU,M4,",
    )

    assert result.errors == [RowError(4, "number", "D1.1 is also on row 2.")]
    assert not Deliverable.objects.exists()


def test_duplicates_of_existing_deliverables_are_reported() -> None:
    project = _consortium()
    work_package = project.work_packages.get(number=1)
    Deliverable.objects.create(
        project=project,
        work_package=work_package,
        lead=work_package.lead,
        number="D1.1",
        title="Project handbook",
        due_month=2,
    )

    result = _import_csv(
        project,
        "D1.2,Quality plan,WP1,P1,R,PU,M3,",
        "D1.1,Handbook again,WP1,P1,R,PU,M4,",
    )

    assert result.errors == [RowError(3, "number", "D1.1 already exists in this project.")]
    assert Deliverable.objects.count() == 1


def test_due_months_outside_the_project_or_unreadable_are_reported() -> None:
    project = _consortium()

    result = _import_csv(
        project,
        "D1.1,Project handbook,WP1,P1,R,PU,M25,",
        "D1.2,Quality plan,WP1,P1,R,PU,June,",
        "D1.3,Mid-term report,WP1,P1,R,PU,M0,",
    )

    assert result.errors == [
        RowError(2, "due month", "M25 is outside the project, which runs M1-M24."),
        RowError(3, "due month", "Write the due month as M6 or 6."),
        RowError(4, "due month", "M0 is outside the project, which runs M1-M24."),
    ]
    assert not Deliverable.objects.exists()


def test_malformed_numbers_and_numbers_of_another_work_package_are_reported() -> None:
    project = _consortium()

    result = _import_csv(
        project,
        "D1-1,Project handbook,WP1,P1,R,PU,M2,",
        "D2.1,Quality plan,WP1,P1,R,PU,M3,",
    )

    assert result.errors == [
        RowError(2, "number", "Write the number as D<work package>.<n>, for example D2.1."),
        RowError(3, "number", "D2.1 does not belong to WP1: its number should start with D1."),
    ]
    assert not Deliverable.objects.exists()


def test_unknown_codes_work_packages_and_empty_cells_are_reported() -> None:
    project = _consortium()

    result = _import_csv(
        project,
        "D1.1,,WP1,P1,REPORT,PU,M2,",
        "D1.2,Quality plan,WP7,Nobody,R,CO,M3,",
    )

    assert result.errors == [
        RowError(2, "title", "The cell is empty."),
        RowError(
            2,
            "type",
            "“REPORT” is not a type code: use one of R, DEM, DEC, DATA, DMP, ETHICS, SECURITY, "
            "OTHER.",
        ),
        RowError(3, "work package", "WP7 is not in SRPP."),
        RowError(
            3,
            "lead",
            "“Nobody” is not a partner in SRPP: use the partner number (P3) or short name.",
        ),
        RowError(3, "dissemination", "“CO” is not a dissemination code: use one of PU, SEN."),
    ]


# --- files that cannot be used at all ---------------------------------------------------------


def test_a_file_that_is_neither_csv_nor_xlsx_is_rejected() -> None:
    project = _consortium()

    with pytest.raises(ValidationError, match=r"CSV file .* or an Excel workbook"):
        import_deliverables(project, io.BytesIO(b"%PDF-1.7"), filename="deliverables.pdf")


def test_a_csv_renamed_to_xlsx_is_rejected() -> None:
    project = _consortium()

    with pytest.raises(ValidationError, match="cannot be read as an Excel workbook"):
        import_deliverables(project, _csv("D1.1,A,WP1,P1,R,PU,M2,"), filename="table.xlsx")


def test_missing_required_columns_are_named() -> None:
    project = _consortium()
    file = _csv("D1.1,Handbook,WP1,R,PU", header="Number,Title,Work package,Type,Dissemination")

    with pytest.raises(ValidationError) as caught:
        import_deliverables(project, file, filename="deliverables.csv")

    assert "Missing columns: lead, due month." in caught.value.messages[0]
    assert not Deliverable.objects.exists()


def test_a_csv_that_is_not_utf8_is_rejected() -> None:
    project = _consortium()
    file = _csv("D1.1,Étude préliminaire,WP1,P1,R,PU,M2,", encoding="latin-1")

    with pytest.raises(ValidationError, match="not UTF-8"):
        import_deliverables(project, file, filename="deliverables.csv")


def test_a_header_without_rows_is_rejected() -> None:
    project = _consortium()

    with pytest.raises(ValidationError, match="no deliverables below it"):
        import_deliverables(project, _csv(), filename="deliverables.csv")


def test_too_many_rows_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    project = _consortium()
    monkeypatch.setattr(imports, "MAX_ROWS", 2)

    with pytest.raises(ValidationError, match="more than 2 deliverables"):
        _import_csv(
            project,
            "D1.1,A,WP1,P1,R,PU,M2,",
            "D1.2,B,WP1,P1,R,PU,M2,",
            "D1.3,C,WP1,P1,R,PU,M2,",
        )
    assert not Deliverable.objects.exists()


def test_a_file_over_the_size_limit_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    project = _consortium()
    monkeypatch.setattr(imports, "MAX_FILE_SIZE", 100)
    file = _csv(*[f"D1.{n},Deliverable {n},WP1,P1,R,PU,M2," for n in range(1, 10)])

    with pytest.raises(ValidationError, match="larger than"):
        import_deliverables(project, file, filename="deliverables.csv")
