"""projects:deliverable_export: the filtered deliverable list as CSV or XLSX, every page of it,
and nothing else."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell, MergedCell

from accounts.models import User
from projects.models import Deliverable, Project, WorkPackage
from tests.factories import make_deliverable, make_work_package

pytestmark = pytest.mark.django_db

HEADER = [
    "Number", "Title", "Work package", "Lead partner", "Type", "Dissemination level",
    "Due month", "Due date", "Status", "Submitted", "Delay justification",
]  # fmt: skip


def url(project: Project, fmt: str, query: str = "") -> str:
    return reverse("projects:deliverable_export", args=[project.slug, fmt]) + query


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response: Any) -> list[list[str]]:
    # utf-8-sig: the file starts with a byte order mark, so spreadsheet programs read it as UTF-8.
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_rows(response: Any) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    sheet = workbook["Deliverables"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_cells(response: Any) -> list[list[Cell | MergedCell]]:
    """The cells themselves (not only their values): each knows its data type."""
    workbook = load_workbook(io.BytesIO(body(response)))
    return [list(row) for row in workbook["Deliverables"].iter_rows()]


@pytest.fixture
def many(project: Project, work_package: WorkPackage) -> list[Deliverable]:
    """130 deliverables over two work packages (three pages of the list); every third in review
    (44), the others planned (86, two pages)."""
    wp2 = make_work_package(project, number=2, lead=project.partners.get(number=3))
    made = []
    for i in range(130):
        wp = work_package if i < 65 else wp2
        made.append(
            make_deliverable(
                wp,
                number=f"D{wp.number}.{i % 65 + 1}",
                title=f"Deliverable {i:03d}",
                due_month=1 + i % 18,
                status=Deliverable.Status.IN_REVIEW if i % 3 == 0 else Deliverable.Status.PLANNED,
            )
        )
    return made


@pytest.fixture
def reader(client: Client, other_partner: User) -> Client:
    client.force_login(other_partner)
    return client


def test_csv_holds_every_filtered_row_across_all_pages_and_only_those(
    reader: Client, project: Project, many: list[Deliverable]
) -> None:
    query = "?status=planned&sort=due"
    listed = reader.get(reverse("projects:deliverable_list", args=[project.slug]) + query)
    assert listed.context["page_obj"].paginator.num_pages == 2  # 86 rows: 50 + 36

    response = reader.get(url(project, "csv", query + "&page=2"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == HEADER
    planned = [d for d in many if d.status == Deliverable.Status.PLANNED]
    # Both pages, whatever page the list showed, and not one in-review row.
    assert sorted(r[0] for r in rows[1:]) == sorted(d.number for d in planned)
    assert len(rows) == 1 + 86
    assert {r[8] for r in rows[1:]} == {"Planned"}


def test_csv_applies_several_filters_at_once(
    reader: Client, project: Project, many: list[Deliverable]
) -> None:
    wp2 = project.work_packages.get(number=2)
    rows = csv_rows(reader.get(url(project, "csv", f"?status=in_review&work_package={wp2.pk}")))
    expected = [
        d.number
        for d in many
        if d.status == Deliverable.Status.IN_REVIEW and d.work_package_id == wp2.pk
    ]
    assert [r[0] for r in rows[1:]] == expected


def test_csv_without_filters_holds_all_130_rows_of_three_pages(
    reader: Client, project: Project, many: list[Deliverable]
) -> None:
    rows = csv_rows(reader.get(url(project, "csv")))
    assert len(rows) == 1 + 130
    assert sorted(r[0] for r in rows[1:]) == sorted(d.number for d in many)


def test_csv_row_has_the_deliverables_facts(
    reader: Client, project: Project, deliverable: Deliverable
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(
        status=Deliverable.Status.SUBMITTED,
        submitted_date=dt.date(2023, 4, 10),
        delay_justification="The funder moved the deadline, then forgot.",
    )
    rows = csv_rows(reader.get(url(project, "csv")))
    assert rows[1] == [
        "D1.1",
        "Project handbook",
        "WP1",
        "P2 CoopLab",
        "R",
        "PU",
        "M6",
        "2023-03-31",
        "Submitted to the funder",
        "2023-04-10",
        "The funder moved the deadline, then forgot.",
    ]


def test_xlsx_holds_exactly_the_filtered_rows(
    reader: Client, project: Project, many: list[Deliverable]
) -> None:
    response = reader.get(url(project, "xlsx", "?status=in_review&sort=-due"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = xlsx_rows(response)
    assert rows[0] == HEADER
    in_review = [d for d in many if d.status == Deliverable.Status.IN_REVIEW]
    assert sorted(r[0] for r in rows[1:]) == sorted(d.number for d in in_review)
    due_dates = [r[7] for r in rows[1:]]
    assert due_dates == sorted(due_dates, reverse=True)  # in the list's order
    assert isinstance(due_dates[0], dt.datetime | dt.date)  # a real date cell, not text


def test_xlsx_and_csv_agree(reader: Client, project: Project, many: list[Deliverable]) -> None:
    query = "?q=Deliverable 1&sort=title"
    from_csv = [r[:2] for r in csv_rows(reader.get(url(project, "csv", query)))]
    from_xlsx = [
        [str(c) for c in r[:2]] for r in xlsx_rows(reader.get(url(project, "xlsx", query)))
    ]
    assert from_csv == from_xlsx
    assert len(from_csv) == 1 + 30  # "Deliverable 100".."129"


FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)"]


@pytest.fixture
def formulas(work_package: WorkPackage) -> list[Deliverable]:
    """Deliverables whose titles a spreadsheet would run as formulas if written as they are."""
    return [
        make_deliverable(work_package, number=f"D1.{n}", title=title, due_month=6)
        for n, title in enumerate(FORMULAS, start=1)
    ]


def test_titles_that_look_like_formulas_are_text_cells_in_xlsx(
    reader: Client, project: Project, formulas: list[Deliverable]
) -> None:
    _header, *rows = xlsx_cells(reader.get(url(project, "xlsx")))
    titles = [row[1] for row in rows]
    assert [cell.data_type for cell in titles] == ["s"] * 4  # "f" would be a live formula
    assert [cell.value for cell in titles] == FORMULAS  # the text itself, unchanged
    due_dates = [row[7] for row in rows]
    assert [cell.data_type for cell in due_dates] == ["d"] * 4  # dates stay dates


def test_titles_that_look_like_formulas_are_neutralised_in_csv(
    reader: Client, project: Project, formulas: list[Deliverable]
) -> None:
    rows = csv_rows(reader.get(url(project, "csv")))
    assert [r[1] for r in rows[1:]] == ["'" + title for title in FORMULAS]
    assert [r[0] for r in rows[1:]] == ["D1.1", "D1.2", "D1.3", "D1.4"]  # the rest as it was


def test_the_file_is_an_attachment_named_after_the_project_and_the_day(
    reader: Client, project: Project, deliverable: Deliverable
) -> None:
    response = reader.get(url(project, "csv"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="CO-RESP-deliverables-')
    assert disposition.endswith('.csv"')


def test_an_unknown_format_gets_404(reader: Client, project: Project) -> None:
    assert reader.get(url(project, "pdf")).status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_export(
    client: Client,
    project: Project,
    deliverable: Deliverable,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(project, "xlsx")).status_code == 200


def test_outsider_gets_404(client: Client, project: Project, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get(url(project, "csv")).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project, "csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(reader: Client, project: Project) -> None:
    assert reader.post(url(project, "csv")).status_code == 405
