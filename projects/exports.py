"""The one way data leaves the platform as a spreadsheet: a header and rows, written as CSV or XLSX.

Every text cell goes through the formula guard. Text that people typed (a deliverable's title, a
recommendation) is opened by the reader's spreadsheet program, which would run a cell beginning
with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)` sends the reader to any address). In
XLSX a text cell is stored as a string, never as a formula; in CSV, where every cell is text, a
leading apostrophe makes the spreadsheet show the text as it is. Dates and numbers keep their type.

CSV streams (one row at a time, however many rows) and starts with a byte order mark, so that
spreadsheet programs read it as UTF-8. XLSX is a zip file written at the end: openpyxl's
write-only workbook keeps little in memory, and the response is sent once it is complete.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

type CellValue = str | int | float | Decimal | dt.date | dt.datetime | None

FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet program reads as the start of a formula (tab and carriage return too: some
# programs skip them and read what follows).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as it is: an apostrophe before a formula's first character."""
    return "'" + text if text.startswith(FORMULA_START) else text


def spreadsheet_response(
    fmt: str,
    *,
    filename: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
) -> HttpResponse | StreamingHttpResponse:
    """`header` and `rows` as an attachment `filename`.`fmt` (csv or xlsx; `title` names the
    XLSX sheet). `rows` is consumed once, as the file is written: pass an iterator of a query."""
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(content_type=XLSX_TYPE)
        write_xlsx(response, title=title, header=header, rows=rows)
    else:
        raise ValueError(f"Unknown spreadsheet format: {fmt}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


class _Echo:
    """A file that hands back what is written: csv.writer then returns each line."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: CellValue) -> CellValue:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _naive(value).isoformat(sep=" ")
    return neutralise(value) if isinstance(value, str) else value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[CellValue]]) -> Iterator[str]:
    """The CSV file line by line, starting with a byte order mark."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([_csv_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def _naive(value: dt.datetime) -> dt.datetime:
    """Local wall-clock time: spreadsheets have no time zones (openpyxl refuses aware values)."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: CellValue) -> Cell | CellValue:
    if isinstance(value, str):
        # Characters XML cannot hold (control characters) would make openpyxl refuse the file.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # openpyxl types text starting with "=" as a formula ("f")
        return cell
    if isinstance(value, dt.datetime):
        return _naive(value)
    return value


def write_xlsx(
    into: HttpResponse,
    *,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
) -> None:
    """One sheet called `title`: the header, then the rows, written into `into`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([_xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(into)
