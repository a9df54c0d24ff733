"""The likelihood x impact matrix of a risk register: the risk list page and the PDF report both
draw it from here, with each cell's level from projects.models.risk_level, the level's word
printed in the cell and a legend of the levels (colour is never the only sign of a level)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from projects.models import Level, Risk, risk_level

# The words of the levels, printed in the matrix's cells and its legend.
LEVEL_LABELS: dict[str, Promise] = {
    "high": pgettext_lazy("risk level", "High"),
    "medium": pgettext_lazy("risk level", "Medium"),
    "low": pgettext_lazy("risk level", "Low"),
}


@dataclass(frozen=True)
class LegendEntry:
    level: str
    label: Promise
    lowest: int  # the lowest and highest score (likelihood x impact) of the level
    highest: int


@dataclass(frozen=True)
class MatrixCell:
    likelihood: Level
    impact: Level
    count: int
    level: str  # low, medium or high: the cell's colour, as a risk of these scores has
    query: str = ""  # the list's query string filtered to this cell ("" where nothing links)

    @property
    def label(self) -> Promise:
        """The level's word ("High"), printed in the cell."""
        return LEVEL_LABELS[self.level]


class RiskMatrix(list[list[MatrixCell]]):
    """The matrix's rows, with the legend of the levels its cells show."""

    @property
    def legend(self) -> list[LegendEntry]:
        return matrix_legend()


def matrix_legend() -> list[LegendEntry]:
    """Each level, high first, with the scores that have it (from risk_level itself, so the
    legend cannot drift from the rule)."""
    scores: dict[str, list[int]] = {}
    for likelihood in Level:
        for impact in Level:
            scores.setdefault(risk_level(likelihood, impact), []).append(likelihood * impact)
    return [
        LegendEntry(level, LEVEL_LABELS[level], min(scores[level]), max(scores[level]))
        for level in ("high", "medium", "low")
    ]


def cell_counts(risks: Iterable[Risk]) -> Counter[tuple[int, int]]:
    """(likelihood, impact) -> number of risks, for rows already fetched (the list page counts
    with one GROUP BY query instead)."""
    return Counter((risk.likelihood, risk.impact) for risk in risks)


def risk_matrix(
    counts: Mapping[tuple[int, int], int], query: QueryDict | None = None
) -> RiskMatrix:
    """The 3 x 3 matrix: likelihood rows from high to low, impact columns from low to high.

    `counts` maps (likelihood, impact) to a number of risks. With `query` (the list's current
    filter), each cell links to the list filtered to it: likelihood and impact replaced, the page
    dropped.
    """
    rows = RiskMatrix()
    for likelihood in reversed(Level):
        row = []
        for impact in Level:
            link = ""
            if query is not None:
                cell_query = query.copy()
                cell_query.pop("page", None)
                cell_query["likelihood"], cell_query["impact"] = str(likelihood), str(impact)
                link = cell_query.urlencode()
            row.append(
                MatrixCell(
                    likelihood=likelihood,
                    impact=impact,
                    count=counts.get((likelihood, impact), 0),
                    level=risk_level(likelihood, impact),
                    query=link,
                )
            )
        rows.append(row)
    return rows
