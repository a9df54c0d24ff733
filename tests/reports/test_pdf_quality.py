"""The progress report PDF as a document: A4, tagged PDF/UA-1 with title, author and language,
a contents page whose page numbers are right, running header and "page X of Y" footer, long
tables that repeat their header and never split a row, the timeline as vector graphics, and only
the project's own fonts. Rendered in this process with reports.rendering (no worker)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from accounts.models import User
from projects.models import Project, WorkPackage
from reports import rendering
from reports.models import GeneratedReport
from tests.factories import make_deliverable, make_milestone, make_risk
from tests.reports import ALL_SECTIONS, make_progress_report, make_reporting_period

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2023, 7, 3, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))
A4 = (595.28, 841.89)  # points
ROWS = 70  # enough deliverables for their table to run over three pages


@pytest.fixture
def pdf(project: Project, work_package: WorkPackage, coordinator: User) -> PdfReader:
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    for n in range(1, ROWS + 1):
        make_deliverable(
            work_package, number=f"D1.{n}", title=f"Report {n}", due_month=n % 18 + 1,
            delay_justification=f"Because{n}",
        )  # fmt: skip
    make_milestone(project, number="MS1", due_month=6, work_packages=[work_package])
    make_risk(project, owner=work_package.lead, likelihood=3, impact=2)
    report = make_progress_report(project, coordinator, period=period, sections=ALL_SECTIONS)
    return render(report)


def render(report: GeneratedReport) -> PdfReader:
    context = rendering.progress_report_context(report, NOW)
    content = rendering.render_pdf("reports/pdf/progress.html", context).content
    return PdfReader(io.BytesIO(content))


def entry(dictionary: DictionaryObject, *keys: str) -> Any:
    """dictionary[k1][k2]..., following indirect references."""
    value: Any = dictionary
    for key in keys:
        value = value.get_object()[key]
    return value.get_object()


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_every_page_is_a4(pdf: PdfReader) -> None:
    sizes = {
        (round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in pdf.pages
    }
    assert sizes == {A4}


def test_the_pdf_says_its_title_author_language_and_date(pdf: PdfReader) -> None:
    metadata = pdf.metadata
    assert metadata is not None
    assert metadata["/Title"] == "CO-RESP progress report 1 Oct 2022 to 30 Jun 2023"
    assert metadata["/Author"] == "CO-RESP consortium"
    assert metadata["/Creator"] == "CO-RESP platform"
    assert metadata["/Subject"] == "Progress report of the CO-RESP project"
    assert str(metadata["/CreationDate"]).startswith("D:20230703093000")
    catalog = pdf.root_object
    assert catalog["/Lang"] == "en"
    # Viewers show the title, not the file name (PDF/UA asks for it).
    assert bool(entry(catalog, "/ViewerPreferences", "/DisplayDocTitle"))


def test_the_pdf_is_tagged_pdf_ua_1(pdf: PdfReader) -> None:
    catalog = pdf.root_object
    assert bool(entry(catalog, "/MarkInfo", "/Marked"))
    assert "/StructTreeRoot" in catalog
    assert pdf.xmp_metadata is not None
    xmp = pdf.xmp_metadata.stream.get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert '<rdf:li xml:lang="x-default">CO-RESP progress report' in xmp


def test_every_page_has_the_running_header_and_page_x_of_y(pdf: PdfReader) -> None:
    texts = page_texts(pdf)
    total = len(texts)
    assert total >= 8
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        if number > 1:  # not on the cover
            assert "CO-RESP Progress report RP1 (M1-M9)" in " ".join(text.split())
            assert "Data as of 3 Jul 2023 09:30" in text


def test_the_contents_give_the_right_page_numbers(pdf: PdfReader) -> None:
    texts = page_texts(pdf)
    contents = next(t for t in texts if t.lstrip().startswith("Contents"))
    entries = re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)$", contents, flags=re.MULTILINE)
    titles = [title.strip() for title, _ in entries]
    assert titles == [
        "Summary figures",
        "Work packages and deliverables",
        "WP1 Project management and quality",
        "Risk register",
        "Events of the period",
        "Social procurement",
        "Impact indicators",
        "Timeline",
        "Annex: data gaps to close",
    ]
    for title, page in entries:
        heading = title.strip().split(":")[0]  # the annex's heading is longer than its entry
        assert heading in texts[int(page) - 1], f"{title!r} is not on page {page}"


def test_a_long_table_repeats_its_header_and_never_splits_a_row(pdf: PdfReader) -> None:
    texts = page_texts(pdf)
    pages_with_rows = [
        i for i, t in enumerate(texts) if re.search(r"^D1\.\d+ Report \d+", t, re.MULTILINE)
    ]
    assert len(pages_with_rows) >= 3, "the table should run over several pages"
    for i in pages_with_rows:
        assert "No. Title Lead Type" in texts[i], f"no header row on page {i + 1}"
    # Each row (number ... justification) is on one page, and on one only.
    flat = ["".join(t.split()) for t in texts]
    for n in range(1, ROWS + 1):
        starts = [i for i in pages_with_rows if re.search(rf"^D1\.{n} Report {n} ", texts[i], re.M)]
        assert len(starts) == 1, f"row D1.{n} is on pages {starts}"
        assert f"Because{n}" in flat[starts[0]], f"row D1.{n} is split across pages"


def _has_images(resources: Any, seen: set[int]) -> bool:
    """Whether any raster image is drawn, looking inside form XObjects too."""
    if not resources or "/XObject" not in resources:
        return False
    for ref in resources["/XObject"].values():
        key = getattr(ref, "idnum", id(ref))
        if key in seen:
            continue
        seen.add(key)
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            return True
        inner = xobject.get("/Resources")
        if isinstance(inner, DictionaryObject) and _has_images(inner, seen):
            return True
    return False


def test_the_timeline_is_vector_graphics_and_the_fonts_are_the_projects_own(
    pdf: PdfReader,
) -> None:
    texts = page_texts(pdf)
    timeline_page = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Timeline"))
    assert "M1" in texts[timeline_page] and "M18" in texts[timeline_page]
    seen: set[int] = set()
    assert not any(_has_images(page.get("/Resources"), seen) for page in pdf.pages)

    fonts = set()
    for page in pdf.pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    # Installed with the platform (fonts-dejavu-core), embedded as subsets, never fetched.
    assert fonts and all(name.startswith("DejaVu") for name in fonts), fonts


def test_only_the_chosen_sections_are_printed(
    project: Project, coordinator: User, work_package: WorkPackage
) -> None:
    make_risk(project, owner=work_package.lead)
    report = make_progress_report(project, coordinator, sections=["summary"])

    text = "\n".join(page_texts(render(report)))

    assert "Summary figures" in text
    for other in ("Risk register", "Events of the period", "Annex: data gaps", "Timeline"):
        assert other not in text
