"""Import a project's deliverable list from the grant agreement's table (CSV or XLSX).

All or nothing: every row is checked first, with the model's own rules (Deliverable.full_clean),
and the rows are created in one transaction only when none fails. A site admin runs this from the
Project admin; the errors go back to them as (row, column, message), the row numbered as the
spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from projects.history import record_history
from projects.models import Deliverable, Partner, Project, WorkPackage

MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_ROWS = 2000
# A grant agreement table has about ten columns; reading at most this many keeps a sheet whose
# used range is declared as 16,384 columns wide from costing 16,384 cells a row.
MAX_COLUMNS = 50
# An XLSX file is a zip: 2 MB of it may inflate to far more. Refuse before openpyxl inflates it.
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024

# Canonical column -> the model field it fills. The names are the header's words, in English
# whatever the reader's language (ALIASES matches English headers only), so messages name the
# columns as the file must spell them. Headers are matched after lower-casing and
# dropping everything but letters and digits, so "Work package", "work_package" and
# " WORK  PACKAGE " are the same column.
COLUMNS: dict[str, str] = {
    "number": "number",
    "title": "title",
    "work package": "work_package",
    "lead": "lead",
    "type": "type",
    "dissemination": "dissemination",
    "due month": "due_month",
    "description": "description",
}
REQUIRED = [column for column in COLUMNS if column != "description"]
ALIASES: dict[str, str] = {
    "number": "number",
    "no": "number",
    "deliverablenumber": "number",
    "deliverableno": "number",
    "title": "title",
    "deliverabletitle": "title",
    "deliverablename": "title",
    "workpackage": "work package",
    "wp": "work package",
    "wpnumber": "work package",
    "lead": "lead",
    "leadpartner": "lead",
    "leadbeneficiary": "lead",
    "type": "type",
    "deliverabletype": "type",
    "dissemination": "dissemination",
    "disseminationlevel": "dissemination",
    "duemonth": "due month",
    "due": "due month",
    "duedatemonth": "due month",
    "description": "description",
}
FIELD_COLUMNS = {field_name: column for column, field_name in COLUMNS.items()}

WORK_PACKAGE = re.compile(r"^(?:WP)?\s*(\d{1,3})$", re.IGNORECASE)
PARTNER_NUMBER = re.compile(r"^P?\s*(\d{1,3})$", re.IGNORECASE)
MONTH = re.compile(r"^M?\s*(\d{1,3})$", re.IGNORECASE)
# The Funding & Tenders portal writes "R — Document, report" and "PU — Public": keep the code.
LEADING_CODE = re.compile(r"^\s*([A-Za-z]+)")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: list[Deliverable] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_deliverables(project: Project, file: IO[bytes], *, filename: str) -> ImportResult:
    """Create the deliverables listed in `file`, or none of them if any row is wrong.

    Raises ValidationError when the file as a whole cannot be used (not CSV/XLSX, too big, too
    many rows, unreadable, a required column missing); row problems come back in the result.
    Not safe to run twice: a second run reports every number as already existing.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("csv", "xlsx"):
        raise ValidationError(
            gettext(
                "Upload the deliverable table as a CSV file (.csv) or an Excel workbook (.xlsx)."
            )
        )
    data = _read_limited(file)
    columns, records = _table(_csv_rows(data) if extension == "csv" else _xlsx_rows(data))

    work_packages = {wp.number: wp for wp in WorkPackage.objects.filter(project=project)}
    partners = list(Partner.objects.filter(project=project).select_related("organisation"))
    result = ImportResult()
    seen: dict[str, int] = {}
    for row_number, values in records:
        cells = {column: _text(values[index]) for column, index in columns.items()}
        deliverable, errors = _check_row(project, row_number, cells, work_packages, partners)
        if deliverable is not None and "number" not in {error.column for error in errors}:
            if deliverable.number in seen:
                errors.append(
                    RowError(
                        row_number,
                        "number",
                        gettext("%(number)s is also on row %(row)s.")
                        % {"number": deliverable.number, "row": seen[deliverable.number]},
                    )
                )
            else:
                seen[deliverable.number] = row_number
        result.errors.extend(errors)
        if not errors and deliverable is not None:
            result.created.append(deliverable)
    if result.errors:
        result.created = []
        return result

    try:
        with transaction.atomic():
            for deliverable in result.created:
                record_history(deliverable, f"Imported from {filename}")
                deliverable.save()
    except IntegrityError as exc:
        # Someone added one of these numbers between the check and the save.
        raise ValidationError(
            gettext(
                "Deliverables were added to this project while the file was being checked. "
                "Nothing was imported: upload the file again."
            )
        ) from exc
    return result


def _read_limited(file: IO[bytes]) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_FILE_SIZE:
        raise _too_big()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_FILE_SIZE + 1)
    if len(data) > MAX_FILE_SIZE:
        raise _too_big()
    if not data:
        raise ValidationError(gettext("The file is empty."))
    return data


def _too_big() -> ValidationError:
    return ValidationError(
        gettext(
            "The file is larger than %(megabytes)s MB: a deliverable table should be far "
            "smaller. Remove other sheets or images and try again."
        )
        % {"megabytes": MAX_FILE_SIZE // (1024 * 1024)}
    )


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            gettext("The CSV file is not UTF-8 text. Save it again as “CSV UTF-8”.")
        ) from exc
    sample = text[:8192]
    lines = sample.splitlines()
    header_line = lines[0] if lines else ""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","
    # Header names hold neither commas nor semicolons, so the header line settles what the
    # sniffer could not (one line only) or got wrong (a long title full of the other one).
    other = ";" if delimiter == "," else ","
    if header_line.count(other) > header_line.count(delimiter):
        delimiter = other
    # Only the delimiter comes from the sniffer: its guess at quoting (doublequote=False when the
    # sample has no "" in it) would misread a later title with quotes in it. Spreadsheets write
    # Excel's quoting.
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise ValidationError(
            gettext("The CSV file cannot be read: %(error)s.") % {"error": exc}
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    unreadable = ValidationError(
        gettext(
            "The file cannot be read as an Excel workbook (.xlsx). Save it again from your "
            "spreadsheet program as “Excel Workbook (.xlsx)”."
        )
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise unreadable from exc
    if inflated > MAX_XLSX_UNCOMPRESSED:
        raise _too_big()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, InvalidFileException ...)
        raise unreadable from exc
    try:
        if not workbook.worksheets:
            raise unreadable
        sheet = workbook.worksheets[0]
        assert isinstance(sheet, ReadOnlyWorksheet)  # what read_only=True opens
        # Some programs write a wrong used range, and read-only mode trusts it: read everything.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    finally:
        workbook.close()


def _table(rows: Iterator[Any]) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """Each known column's index, and the non-blank rows below the header with their numbers."""
    header_row = 0
    columns: dict[str, int] = {}
    records: list[tuple[int, list[Any]]] = []
    for row_number, values in enumerate(rows, start=1):
        values = list(values)[:MAX_COLUMNS]
        if not any(_text(value) for value in values):
            continue
        if not header_row:
            header_row = row_number
            columns = _header(values)
            continue
        if len(records) == MAX_ROWS:
            raise ValidationError(
                ngettext(
                    "The file has more than %(count)s deliverable. Split it into smaller files.",
                    "The file has more than %(count)s deliverables. Split it into smaller files.",
                    MAX_ROWS,
                )
                % {"count": number_format(MAX_ROWS, force_grouping=True)}
            )
        # Short rows (trailing empty cells dropped by the CSV writer) read as empty cells.
        records.append((row_number, values + [None] * (MAX_COLUMNS - len(values))))
    if not header_row:
        raise ValidationError(gettext("The file is empty."))
    if not records:
        raise ValidationError(gettext("The file has a header row but no deliverables below it."))
    return columns, records


def _header(values: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        key = re.sub(r"[^a-z0-9]", "", _text(value).lower())
        column = ALIASES.get(key)
        if column is None:
            continue  # other columns (e.g. "Remarks") are allowed and ignored
        if column in columns:
            raise ValidationError(
                gettext("The header has two “%(column)s” columns: keep one.") % {"column": column}
            )
        columns[column] = index
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise ValidationError(
            gettext(
                # Translators: the column names are the words the file's header must use, in
                # English.
                "The first row must be the header. Missing columns: %(missing)s. Expected: "
                "%(expected)s (description is optional)."
            )
            % {"missing": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        )
    return columns


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet stores the month 6 as 6.0
    return str(value).strip()


def _check_row(
    project: Project,
    row: int,
    cells: dict[str, str],
    work_packages: dict[int, WorkPackage],
    partners: list[Partner],
) -> tuple[Deliverable | None, list[RowError]]:
    """The unsaved deliverable a row describes, and what is wrong with it."""
    errors: list[RowError] = []
    values: dict[str, Any] = {
        "project": project,
        "number": re.sub(r"\s+", "", cells["number"]).upper(),
        "title": cells["title"],
        "description": cells.get("description", ""),
        "type": _code(cells["type"]),
        "dissemination": _code(cells["dissemination"]),
    }

    if raw := cells["work package"]:
        match = WORK_PACKAGE.match(raw)
        if not match:
            errors.append(
                RowError(row, "work package", gettext("Write the work package as WP2 or 2."))
            )
        elif (work_package := work_packages.get(int(match.group(1)))) is None:
            errors.append(
                RowError(
                    row,
                    "work package",
                    gettext("WP%(number)s is not in %(project)s.")
                    % {"number": match.group(1), "project": project},
                )
            )
        else:
            values["work_package"] = work_package

    if raw := cells["lead"]:
        lead, message = _find_partner(raw, partners, project)
        if lead is None:
            errors.append(RowError(row, "lead", message))
        else:
            values["lead"] = lead

    if raw := cells["due month"]:
        match = MONTH.match(raw)
        if not match:
            errors.append(RowError(row, "due month", gettext("Write the due month as M6 or 6.")))
        else:
            # M0 and months after the end too: Deliverable.clean asks Project.check_month.
            values["due_month"] = int(match.group(1))

    deliverable = Deliverable(**values)
    failed = {COLUMNS[error.column] for error in errors}
    try:
        # due_date is derived on save; fields whose cell could not be read are reported above.
        deliverable.full_clean(exclude=[*failed, "due_date"])
    except ValidationError as exc:
        for field_name, field_errors in exc.error_dict.items():
            column = FIELD_COLUMNS.get(
                field_name, "" if field_name == NON_FIELD_ERRORS else field_name
            )
            for error in field_errors:
                errors.append(RowError(row, column, _message(error, column, cells)))
    errors.sort(
        key=lambda error: list(COLUMNS).index(error.column) if error.column in COLUMNS else 99
    )
    return deliverable, errors


def _code(raw: str) -> str:
    match = LEADING_CODE.match(raw)
    return match.group(1).upper() if match else raw


def _find_partner(
    raw: str, partners: list[Partner], project: Project
) -> tuple[Partner | None, str]:
    if match := PARTNER_NUMBER.match(raw):
        number = int(match.group(1))
        for partner in partners:
            if partner.number == number:
                return partner, ""
        return None, gettext("P%(number)s is not a partner in %(project)s.") % {
            "number": number,
            "project": project,
        }
    name = raw.casefold()
    found = [
        partner
        for partner in partners
        if name
        in (partner.organisation.short_name.casefold(), partner.organisation.legal_name.casefold())
    ]
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, gettext(
            "Several partners are called “%(name)s”: use the partner number (P3 or 3)."
        ) % {"name": raw}
    return (
        None,
        gettext(
            "“%(name)s” is not a partner in %(project)s: use the partner number (P3) or short name."
        )
        % {"name": raw, "project": project},
    )


def _message(error: ValidationError, column: str, cells: dict[str, str]) -> str:
    if error.code == "invalid_choice" and column in ("type", "dissemination"):
        if column == "type":
            message = gettext("“%(value)s” is not a type code: use one of %(codes)s.")
            codes = ", ".join(Deliverable.Type.values)
        else:
            message = gettext("“%(value)s” is not a dissemination code: use one of %(codes)s.")
            codes = ", ".join(Deliverable.Dissemination.values)
        return message % {"value": cells[column], "codes": codes}
    if error.code in ("blank", "null"):
        return gettext("The cell is empty.")
    return " ".join(error.messages)
