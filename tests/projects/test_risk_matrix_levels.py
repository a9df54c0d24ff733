"""The risk matrix does not tell its levels by colour alone (WCAG 1.4.1 / 1.4.11), on the risk
list page and in the PDF report: each cell prints its level's word, a legend lists the levels
with their scores, and the fills chosen in the site and print stylesheets are at least 3:1
against white (non-text contrast) with the cells' text and links at least 4.5:1 on them. The
ratios are computed from the CSS rules themselves, so a colour change that breaks them fails."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Level, Project, WorkPackage
from projects.risks import matrix_legend
from reports import rendering
from tests.factories import make_risk
from tests.reports import make_progress_report

pytestmark = pytest.mark.django_db

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW
CSS = Path(settings.BASE_DIR) / "static" / "css"
WORDS = {"high": "High", "medium": "Medium", "low": "Low"}
TIMES = "\N{MULTIPLICATION SIGN}"
LEGEND = [
    f"High: likelihood {TIMES} impact from 6 to 9",
    f"Medium: likelihood {TIMES} impact from 3 to 4",
    f"Low: likelihood {TIMES} impact from 1 to 2",
]


class MatrixReader(HTMLParser):
    """The level cells of the table.matrix (class and text) and the items of ul.matrix-legend."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self.legend: list[str] = []
        self._in: str | None = None  # "matrix" or "legend"
        self._cell: list[str] | None = None
        self._cell_class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "matrix" in classes:
            self._in = "matrix"
        elif tag == "ul" and "matrix-legend" in classes:
            self._in = "legend"
        elif tag == "td" and self._in == "matrix" and any(c.startswith("cell-") for c in classes):
            self._cell, self._cell_class = [], " ".join(classes)
        elif tag == "li" and self._in == "legend":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("table", "ul"):
            self._in = None
        elif tag == "td" and self._cell is not None:
            self.cells.append((self._cell_class, " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "li" and self._cell is not None:
            self.legend.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_matrix(html: str) -> MatrixReader:
    reader = MatrixReader()
    reader.feed(html)
    return reader


def assert_each_cell_prints_its_level(reader: MatrixReader) -> None:
    assert len(reader.cells) == 9
    for classes, text in reader.cells:
        level = classes.removeprefix("cell-")
        assert level in WORDS, classes
        assert text.endswith(WORDS[level]), f"{text!r} does not print {WORDS[level]!r}"


def test_each_cell_of_the_page_matrix_prints_its_level_and_a_legend_follows(
    client: Client, observer: User, project: Project, work_package: WorkPackage
) -> None:
    make_risk(project, owner=work_package.lead, likelihood=H, impact=H)
    make_risk(project, owner=work_package.lead, likelihood=L, impact=M)
    client.force_login(observer)

    response = client.get(reverse("projects:risk_list", args=[project.slug]))

    reader = read_matrix(response.content.decode())
    assert_each_cell_prints_its_level(reader)
    assert ("cell-high", "1 High") in reader.cells
    assert ("cell-low", "1 Low") in reader.cells
    assert reader.legend == LEGEND


def test_each_cell_of_the_pdf_matrix_prints_its_level_and_a_legend_follows(
    project: Project, work_package: WorkPackage, coordinator: User
) -> None:
    make_risk(project, owner=work_package.lead, likelihood=M, impact=H)
    report = make_progress_report(project, coordinator, sections=["risks"])
    now = dt.datetime(2023, 7, 3, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))

    html = rendering.render_html(
        "reports/pdf/progress.html", rendering.progress_report_context(report, now)
    )

    reader = read_matrix(html)
    assert_each_cell_prints_its_level(reader)
    assert ("cell-high", "1 High") in reader.cells
    assert reader.legend == LEGEND


def test_the_legend_gives_every_possible_score_to_one_level() -> None:
    covered = {
        score
        for entry in matrix_legend()
        for score in range(entry.lowest, entry.highest + 1)
        if any(score == lk * im for lk in Level for im in Level)
    }
    assert covered == {lk * im for lk in Level for im in Level}


# --- Contrast, from the stylesheets -----------------------------------------------------------


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rgb or #rrggbb."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    darker, lighter = sorted((luminance(first), luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


def declarations(css: str, selector: str) -> dict[str, str]:
    """The declarations of the rule whose selector list is exactly `selector`."""
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if [s.strip() for s in selectors.split(",")] == [selector]:
            return {
                name.strip(): value.strip()
                for name, value in (d.split(":", 1) for d in body.split(";") if ":" in d)
            }
    raise AssertionError(f"no rule {selector!r}")


def test_the_contrast_checker_is_right() -> None:
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54
    # The old pastel fills, 1.10-1.17:1 against white, fail.
    assert contrast("#fde8e8", "#ffffff") < 3


@pytest.mark.parametrize("sheet", ["site.css", "print.css"])
@pytest.mark.parametrize("level", ["high", "medium", "low"])
def test_each_level_fill_stands_out_from_white_and_its_text_reads_on_it(
    sheet: str, level: str
) -> None:
    css = (CSS / sheet).read_text()
    cell = declarations(css, f".matrix td.cell-{level}")
    fill, text = cell["background"], cell["color"]
    assert contrast(fill, "#ffffff") >= 3, f"{sheet}: {level} fill {fill} against white"
    assert contrast(text, fill) >= 4.5, f"{sheet}: {level} text {text} on {fill}"
    # The legend's swatch is the same colour as the cells it explains.
    assert declarations(css, f".matrix-legend li.legend-{level}")["border-left-color"] == fill


@pytest.mark.parametrize("level", ["high", "medium", "low"])
def test_the_page_matrix_links_read_on_their_fill(level: str) -> None:
    css = (CSS / "site.css").read_text()
    fill = declarations(css, f".matrix td.cell-{level}")["background"]
    link = next(
        body
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
        if f".matrix td.cell-{level} a" in [s.strip() for s in selectors.split(",")]
    )
    colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", link)
    assert colour, link
    assert contrast(colour.group(1), fill) >= 4.5
