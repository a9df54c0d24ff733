"""The likelihood x impact matrix of a risk register: the risk list page and the PDF report both
draw it from here, with each cell's level from projects.models.risk_level."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.http import QueryDict

from projects.models import Level, Risk, risk_level


@dataclass(frozen=True)
class MatrixCell:
    likelihood: Level
    impact: Level
    count: int
    level: str  # low, medium or high: the cell's colour, as a risk of these scores has
    query: str = ""  # the list's query string filtered to this cell ("" where nothing links)


def cell_counts(risks: Iterable[Risk]) -> Counter[tuple[int, int]]:
    """(likelihood, impact) -> number of risks, for rows already fetched (the list page counts
    with one GROUP BY query instead)."""
    return Counter((risk.likelihood, risk.impact) for risk in risks)


def risk_matrix(
    counts: Mapping[tuple[int, int], int], query: QueryDict | None = None
) -> list[list[MatrixCell]]:
    """The 3 x 3 matrix: likelihood rows from high to low, impact columns from low to high.

    `counts` maps (likelihood, impact) to a number of risks. With `query` (the list's current
    filter), each cell links to the list filtered to it: likelihood and impact replaced, the page
    dropped.
    """
    rows = []
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
