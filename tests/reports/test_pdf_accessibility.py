"""The progress report's tagged PDF as a screen reader gets it (PDF/UA-1): tagged, with its
language and title shown; every data cell's headers resolve through the IDTree to a header cell,
every header cell has a scope, the risk matrix keeps its row headers; the contents page has one
link per entry and no "." text (its leader dots are artifacts); terms stay paired with their
values; the timeline figure has an alternative text with a description, and the plan follows as
a table. Rendered in this process with reports.rendering (no worker), read with pikepdf, and with
pypdf for the text of each marked-content sequence (MCID)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from accounts.models import User
from projects.models import Project, WorkPackage
from reports import rendering
from reports.pdf_tags import finish_tags
from tests.factories import make_deliverable, make_milestone, make_risk
from tests.reports import ALL_SECTIONS, make_progress_report, make_reporting_period

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2023, 7, 3, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))


@dataclass
class Tagged:
    """A rendered PDF: its bytes, its structure elements in reading order, and the text of each
    element (its marked content and its descendants')."""

    content: bytes
    pdf: pikepdf.Pdf
    elements: list[pikepdf.Dictionary]
    texts: dict[tuple[int, int], str]  # objgen -> text
    marked: list[str]  # the text of each marked-content sequence the tree points to

    def text(self, element: Any) -> str:
        """The element's text, its white space collapsed (pypdf adds line breaks)."""
        return " ".join(self.texts.get(element.objgen, "").split())

    def of_type(self, tag: str) -> list[pikepdf.Dictionary]:
        return [e for e in self.elements if tag == e.S]

    def id_tree(self) -> pikepdf.NameTree:
        return pikepdf.NameTree(self.pdf.Root.StructTreeRoot.IDTree)


def struct_kids(element: Any) -> Iterator[Any]:
    kids = element.get("/K")
    if kids is None:
        return
    yield from kids if isinstance(kids, pikepdf.Array) else [kids]


class _MarkedText:
    """pypdf visitors that add each piece of text to the MCID it is drawn in."""

    def __init__(self, page: int, texts: dict[tuple[int, int], str]) -> None:
        self.page = page
        self.texts = texts
        self.mcid: int | None = None

    def operator(self, operator: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if operator == b"BDC" and len(args) > 1 and "/MCID" in args[1]:
            self.mcid = int(args[1]["/MCID"])
        elif operator in (b"EMC", b"BMC"):
            self.mcid = None

    def text(self, chunk: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if self.mcid is not None:
            self.texts[(self.page, self.mcid)] += chunk


def mcid_texts(content: bytes) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text drawn in that marked-content sequence. Artifacts have
    no MCID, so their text is not here."""
    texts: dict[tuple[int, int], str] = defaultdict(str)
    for index, page in enumerate(PdfReader(io.BytesIO(content)).pages):
        reader = _MarkedText(index, texts)
        page.extract_text(visitor_operand_before=reader.operator, visitor_text=reader.text)
    return texts


def read_tagged(content: bytes) -> Tagged:
    pdf = pikepdf.open(io.BytesIO(content))
    page_of = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    drawn = mcid_texts(content)
    elements: list[pikepdf.Dictionary] = []
    texts: dict[tuple[int, int], str] = {}
    marked: list[str] = []

    def visit(element: pikepdf.Dictionary, page: int | None) -> str:
        elements.append(element)
        if "/Pg" in element:
            page = page_of[element.Pg.objgen]
        parts = []
        for kid in struct_kids(element):
            if isinstance(kid, int) and page is not None:
                parts.append(drawn.get((page, kid), ""))
                marked.append(parts[-1])
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                parts.append(visit(kid, page))
        texts[element.objgen] = "".join(parts)
        return texts[element.objgen]

    for top in struct_kids(pdf.Root.StructTreeRoot):
        visit(top, None)
    return Tagged(content=content, pdf=pdf, elements=elements, texts=texts, marked=marked)


@pytest.fixture
def report_html_and_pdf(
    project: Project, work_package: WorkPackage, coordinator: User
) -> tuple[str, bytes]:
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    for n in range(1, 13):
        make_deliverable(work_package, number=f"D1.{n}", title=f"Report {n}", due_month=n)
    make_milestone(project, number="MS1", due_month=6, work_packages=[work_package])
    make_milestone(project, number="MS2", title="Final conference held", due_month=18)
    make_risk(project, owner=work_package.lead, likelihood=3, impact=2)
    make_risk(project, owner=work_package.lead, likelihood=1, impact=1)
    report = make_progress_report(project, coordinator, period=period, sections=ALL_SECTIONS)
    context = rendering.progress_report_context(report, NOW)
    html = rendering.render_html("reports/pdf/progress.html", context)
    return html, rendering.render_pdf("reports/pdf/progress.html", context).content


@pytest.fixture
def tagged(report_html_and_pdf: tuple[str, bytes]) -> Tagged:
    return read_tagged(report_html_and_pdf[1])


def test_the_pdf_is_tagged_with_its_language_and_shows_its_title(tagged: Tagged) -> None:
    root = tagged.pdf.Root
    assert bool(root.MarkInfo.Marked)
    assert str(root.Lang) == "en"
    assert bool(root.ViewerPreferences.DisplayDocTitle)


def test_every_data_cell_names_headers_that_resolve_to_header_cells(tagged: Tagged) -> None:
    ids = tagged.id_tree()
    cells = tagged.of_type("/TD")
    named = [c for c in cells if list(c.A.get("/Headers", []))]
    assert len(named) > 100, "the report's tables should name their headers"
    for cell in cells:
        for header in cell.A.get("/Headers", []):
            assert str(header) in ids, f"{header} is not in the IDTree"
            target = ids[str(header)]
            assert target.S == "/TH" and str(target.ID) == str(header)


def test_every_header_cell_has_a_scope(tagged: Tagged) -> None:
    headers = tagged.of_type("/TH")
    assert headers
    scopes = {str(h.A.Scope) for h in headers}
    assert scopes == {"/Column", "/Row"}


def test_the_risk_matrix_keeps_its_row_and_column_headers(tagged: Tagged) -> None:
    ids = tagged.id_tree()
    matrix = next(t for t in tagged.of_type("/Table") if "Likelihood \\ impact" in tagged.text(t))
    cells = [e for e in read_subtree(matrix) if e.S == "/TD"]
    assert [tagged.text(c) for c in cells] == [
        "0 Medium", "1 High", "0 High", "0 Low", "0 Medium", "0 High", "1 Low", "0 Low", "0 Medium"
    ]  # fmt: skip
    high_high = cells[2]  # rows run from high likelihood, columns from low impact
    headers = {tagged.text(ids[str(h)]): str(ids[str(h)].A.Scope) for h in high_high.A.Headers}
    assert headers == {"Likelihood high": "/Row", "Impact high": "/Column"}


def test_terms_stay_paired_with_their_values(tagged: Tagged) -> None:
    ids = tagged.id_tree()
    values = {
        tagged.text(ids[str(h)]): tagged.text(cell)
        for cell in tagged.of_type("/TD")
        for h in cell.A.get("/Headers", [])
        if str(ids[str(h)].A.Scope) == "/Row"
    }
    assert values["Programme"] == "Single Market Programme"
    assert values["Period covered"] == "1 October 2022 to 30 June 2023"
    assert values["Lead"] == "P2 CoopLab"


def test_no_text_is_only_a_dot_and_each_contents_entry_is_one_link(tagged: Tagged) -> None:
    assert len(tagged.marked) > 200  # the tree does point at the text
    assert [text for text in tagged.marked if text.strip() == "."] == []
    contents = next(e for e in tagged.of_type("/Sect") if tagged.text(e).startswith("Contents"))
    entries = [e for e in tagged.elements if e.S == "/LI" and e.P.P.objgen == contents.objgen]
    assert len(entries) == 9
    for entry in entries:
        links = [e for e in read_subtree(entry) if e.S == "/Link"]
        assert len(links) == 1, tagged.text(entry)
    # The dots are still drawn (an artifact), so the page reads as a contents page.
    text = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", "-layout", "-", "-"],
        input=tagged.content, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    assert "Risk register ......" in text


def read_subtree(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    yield element
    for kid in struct_kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from read_subtree(kid)


def test_every_figure_has_an_alternative_text_with_a_description(
    tagged: Tagged, report_html_and_pdf: tuple[str, bytes]
) -> None:
    figures = tagged.of_type("/Figure")
    assert figures, "the timeline is a figure"
    for figure in figures:
        alt = str(figure.get("/Alt", ""))
        title, _, description = alt.partition(". ")
        assert title == "Timeline of CO-RESP, M1 to M18"
        assert "work package as bars over the project's months" in description
        assert "The table after the chart gives the same information." in description
    # ... and that table is there: the plan, a row per work package.
    plans = [t for t in tagged.of_type("/Table") if "The plan as a table" in tagged.text(t)]
    assert plans and "M6 · D1.6 Report 6" in tagged.text(plans[0])
    # A milestone of no work package is the whole project's: it has its own row, as on the page.
    assert "The whole project M1-M18 None M18 · MS2 Final conference held" in tagged.text(plans[0])


def test_finishing_twice_changes_nothing_more(tagged: Tagged) -> None:
    again = read_tagged(finish_tags(tagged.content))
    assert len(again.of_type("/TH")) == len(tagged.of_type("/TH"))
    assert {str(k) for k, _ in again.id_tree().items()} == {
        str(k) for k, _ in tagged.id_tree().items()
    }
