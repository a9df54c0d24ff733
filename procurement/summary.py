"""The register's summary, per project and per partner: how many tenders carry social clauses and
what they are worth, the share of reserved lots and contracts, the contracts won by the social
economy, the tenders that combine social and environmental clauses, and the clauses' targets
against what validated outcomes report. The summary page and the progress report's SRPP chapter
both read it from here.

Every figure comes from an aggregate query (COUNT/SUM with FILTER, EXISTS where a join would
multiply rows), four queries whatever the size of the register, and nothing loops over rows in
Python: the only loops run over the aggregated groups (at most one per clause category and unit).
No request and no clock: the selection is given, so a report is reproducible.

What the selection means:
- `partner`: the tenders it records, and those whose contracting authority is its organisation
  (the tenders its staff keep, procurement.permissions.can_change_tender).
- `period` (or `start`/`end`): tenders published in it (a tender never published, such as a
  negotiated procedure without publication, counts by its award date); outcomes reported for it
  (for a date range: for the reporting periods that lie wholly inside it). Clause targets are
  those of the tenders published by its end, so a clause awarded in RP1 and reported in RP2 has
  its target beside its RP2 outcome.
- A social clause is one whose category is not environmental (SocialClause.ENVIRONMENTAL): a
  tender with only EU GPP criteria has environmental clauses but no social one.
- Cancelled tenders are left out of every figure (and counted, so the page can say so).
- Only validated outcomes count: a draft or a submitted one is not yet on record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

from procurement.models import ClauseOutcome, Contract, Lot, Reservation, SocialClause, Tender
from projects.models import Partner, Project, ReportingPeriod

ZERO = Decimal(0)
CENT = Decimal("0.01")


def _amount(value: Decimal | float | int | None) -> Decimal:
    """A sum from the database as a Decimal with two places (SQLite returns some as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a share of `whole`, in per cent with one decimal; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- the selection ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which part of a project's register a summary covers."""

    project: Project
    partner: Partner | None = None
    period: ReportingPeriod | None = None
    start: dt.date | None = None  # first day counted (the period's first day when a period)
    end: dt.date | None = None  # last day counted

    def partner_q(self) -> Q:
        """The partner's tenders (all the project's without a partner), whenever published."""
        q = Q(project=self.project)
        if self.partner is not None:
            q &= Q(recorded_by=self.partner) | Q(authority_id=self.partner.organisation_id)
        return q

    def tender_q(self) -> Q:
        """The selected tenders, on a Tender queryset annotated with `day` (tender_day)."""
        q = self.partner_q()
        if self.start is not None:
            q &= Q(day__gte=self.start)
        if self.end is not None:
            q &= Q(day__lte=self.end)
        return q

    def outcome_q(self) -> Q:
        """The selected outcomes, on a ClauseOutcome queryset: validated, of the period (or of
        the periods wholly inside the date range)."""
        q = Q(status=ClauseOutcome.Status.VALIDATED)
        if self.period is not None:
            return q & Q(period=self.period)
        first, last = period_months(self.project, self.start, self.end)
        if first is not None:
            q &= Q(period__start_month__gte=first)
        if last is not None:
            q &= Q(period__end_month__lte=last)
        return q


def make_selection(
    project: Project,
    *,
    partner: Partner | None = None,
    period: ReportingPeriod | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Selection:
    """A selection of `project`'s register; a period sets the dates (and wins over them)."""
    if period is not None:
        if period.project_id != project.pk:
            raise ValueError(f"RP{period.number} belongs to another project.")
        period.project = project  # its dates are months of this project: no query for them
        start, end = period.start_date, period.end_date
    return Selection(project=project, partner=partner, period=period, start=start, end=end)


def period_months(
    project: Project, start: dt.date | None, end: dt.date | None
) -> tuple[int | None, int | None]:
    """The first and last project months that lie wholly between `start` and `end`."""
    first = last = None
    if start is not None:
        month = max(1, project.month_of(start))
        first = month if project.month_start(month) >= start else month + 1
    if end is not None:
        month = project.month_of(end)
        last = month if month >= 1 and project.month_end(month) <= end else month - 1
    return first, last


def tender_day() -> Coalesce:
    """The day a tender counts in a period: its publication, else its award."""
    return Coalesce("publication_date", "award_date")


def _tenders(q: Q) -> QuerySet[Any, Any]:
    """The pks of the tenders `q` selects, cancelled ones left out: a subquery."""
    return (
        Tender.objects.annotate(day=tender_day())
        .filter(q)
        .exclude(status=Tender.Status.CANCELLED)
        .values("pk")
    )


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderFigures:
    in_register: int  # every tender of the project, whatever the selection
    cancelled: int  # selected but cancelled: left out of the figures below
    count: int
    estimated_value: Decimal
    with_social_clause: int
    with_social_clause_value: Decimal
    with_environmental_clause: int
    combining: int  # with social and environmental clauses
    combining_value: Decimal

    @property
    def without_social_clause(self) -> int:
        return self.count - self.with_social_clause

    @property
    def without_social_clause_value(self) -> Decimal:
        return self.estimated_value - self.with_social_clause_value

    @property
    def with_social_clause_percent(self) -> Decimal | None:
        return percent(self.with_social_clause, self.count)

    @property
    def with_social_clause_value_percent(self) -> Decimal | None:
        return percent(self.with_social_clause_value, self.estimated_value)

    @property
    def combining_percent(self) -> Decimal | None:
        return percent(self.combining, self.count)


@dataclass(frozen=True)
class ContractFigures:
    lots: int
    reserved_lots: int
    contracts: int
    awarded_value: Decimal
    reserved_contracts: int
    reserved_value: Decimal
    social_economy_contracts: int
    social_economy_value: Decimal

    @property
    def reserved_lots_percent(self) -> Decimal | None:
        return percent(self.reserved_lots, self.lots)

    @property
    def reserved_contracts_percent(self) -> Decimal | None:
        return percent(self.reserved_contracts, self.contracts)

    @property
    def reserved_value_percent(self) -> Decimal | None:
        return percent(self.reserved_value, self.awarded_value)

    @property
    def social_economy_percent(self) -> Decimal | None:
        return percent(self.social_economy_contracts, self.contracts)

    @property
    def social_economy_value_percent(self) -> Decimal | None:
        return percent(self.social_economy_value, self.awarded_value)


@dataclass(frozen=True)
class TargetRow:
    """The clauses of one category and unit: their targets against their validated outcomes.

    Targets and achievements add up, except in % of the workforce, where a sum means nothing:
    there both are averages (`is_average`)."""

    category: str
    category_label: str
    unit: str
    unit_label: str
    clauses: int
    with_target: int  # clauses that set a target quantity
    target: Decimal | None  # None when none of them does
    outcomes: int  # validated outcomes counted
    achieved: Decimal
    headcount: int  # persons employed
    with_disabilities: int
    fte: Decimal

    @property
    def is_average(self) -> bool:
        return self.unit == SocialClause.Unit.PERCENT_WORKFORCE

    @property
    def achieved_percent(self) -> Decimal | None:
        """What was achieved, in per cent of the target."""
        return None if self.target is None else percent(self.achieved, self.target)


@dataclass(frozen=True)
class Summary:
    selection: Selection
    tenders: TenderFigures
    contracts: ContractFigures
    targets: list[TargetRow]

    @property
    def is_register_empty(self) -> bool:
        return self.tenders.in_register == 0

    @property
    def headcount(self) -> int:
        return sum(row.headcount for row in self.targets)

    @property
    def with_disabilities(self) -> int:
        return sum(row.with_disabilities for row in self.targets)

    @property
    def fte(self) -> Decimal:
        return sum((row.fte for row in self.targets), ZERO)


def tender_figures(selection: Selection) -> TenderFigures:
    """One query: the project's tenders, each marked (EXISTS, so no join multiplies a tender's
    value) with whether it has social and environmental clauses, counted and summed."""
    clauses = SocialClause.objects.filter(tender=OuterRef("pk"))
    environmental = SocialClause.ENVIRONMENTAL
    picked = selection.tender_q()
    counted = picked & ~Q(status=Tender.Status.CANCELLED)
    social = counted & Q(has_social=True)
    both = social & Q(has_environmental=True)
    row = (
        Tender.objects.filter(project=selection.project)
        .annotate(
            day=tender_day(),
            has_social=Exists(clauses.exclude(category__in=environmental)),
            has_environmental=Exists(clauses.filter(category__in=environmental)),
        )
        .aggregate(
            in_register=Count("pk"),
            cancelled=Count("pk", filter=picked & Q(status=Tender.Status.CANCELLED)),
            count=Count("pk", filter=counted),
            value=Sum("estimated_value", filter=counted),
            social=Count("pk", filter=social),
            social_value=Sum("estimated_value", filter=social),
            environmental=Count("pk", filter=counted & Q(has_environmental=True)),
            both=Count("pk", filter=both),
            both_value=Sum("estimated_value", filter=both),
        )
    )
    return TenderFigures(
        in_register=row["in_register"],
        cancelled=row["cancelled"],
        count=row["count"],
        estimated_value=_amount(row["value"]),
        with_social_clause=row["social"],
        with_social_clause_value=_amount(row["social_value"]),
        with_environmental_clause=row["environmental"],
        combining=row["both"],
        combining_value=_amount(row["both_value"]),
    )


def contract_figures(selection: Selection) -> ContractFigures:
    """One query: the selected tenders' lots with their contracts (one per lot: no row is
    multiplied), counted and summed by reservation and by supplier type."""
    reserved = ~Q(reservation=Reservation.NONE)
    social_economy = Q(contract__supplier_type__in=Contract.SOCIAL_ECONOMY_TYPES)
    row = Lot.objects.filter(tender__in=_tenders(selection.tender_q())).aggregate(
        lots=Count("pk"),
        reserved_lots=Count("pk", filter=reserved),
        contracts=Count("contract"),
        value=Sum("contract__awarded_value"),
        reserved_contracts=Count("contract", filter=reserved),
        reserved_value=Sum("contract__awarded_value", filter=reserved),
        social_economy_contracts=Count("contract", filter=social_economy),
        social_economy_value=Sum("contract__awarded_value", filter=social_economy),
    )
    return ContractFigures(
        lots=row["lots"],
        reserved_lots=row["reserved_lots"],
        contracts=row["contracts"],
        awarded_value=_amount(row["value"]),
        reserved_contracts=row["reserved_contracts"],
        reserved_value=_amount(row["reserved_value"]),
        social_economy_contracts=row["social_economy_contracts"],
        social_economy_value=_amount(row["social_economy_value"]),
    )


def target_rows(selection: Selection) -> list[TargetRow]:
    """Two GROUP BY queries, by category and unit: the clauses' targets, then their validated
    outcomes (apart, because joining outcomes to clauses would count a target once per outcome).

    The clauses counted are those of the partner's tenders published by the end of the period,
    and any other of its clauses with a validated outcome in it, so every achievement has its
    target beside it."""
    partners_tenders = _tenders(selection.partner_q())
    outcomes = ClauseOutcome.objects.filter(
        selection.outcome_q(), clause__tender__in=partners_tenders
    )
    clauses = SocialClause.objects.filter(tender__in=partners_tenders)
    if selection.end is not None:
        published = _tenders(selection.partner_q() & Q(day__lte=selection.end))
        clauses = clauses.alias(reported=Exists(outcomes.filter(clause=OuterRef("pk")))).filter(
            Q(tender__in=published) | Q(reported=True)
        )
    targets = (
        clauses.order_by()
        .values("category", "target_unit")
        .annotate(
            clauses=Count("pk"),
            with_target=Count("target_quantity"),
            target_sum=Sum("target_quantity"),
            target_avg=Avg("target_quantity"),
        )
    )
    achieved = {
        (row["clause__category"], row["clause__target_unit"]): row
        for row in outcomes.order_by()
        .values("clause__category", "clause__target_unit")
        .annotate(
            outcomes=Count("pk"),
            achieved_sum=Sum("achieved"),
            achieved_avg=Avg("achieved"),
            headcount=Sum("headcount"),
            with_disabilities=Sum("with_disabilities"),
            fte=Sum("fte"),
        )
    }
    return _sorted_rows(list(targets), achieved)


def _sorted_rows(
    targets: Sequence[Mapping[str, Any]], achieved: Mapping[tuple[str, str], Mapping[str, Any]]
) -> list[TargetRow]:
    """Targets and achievements side by side, in the order of the category and unit choices."""
    category_labels = dict(SocialClause.Category.choices)
    unit_labels = dict(SocialClause.Unit.choices)
    categories = list(category_labels)
    units = list(unit_labels)
    rows = []
    for target in targets:
        key = (target["category"], target["target_unit"])
        outcome = achieved.get(key, {})
        average = key[1] == SocialClause.Unit.PERCENT_WORKFORCE
        rows.append(
            TargetRow(
                category=key[0],
                category_label=str(category_labels.get(key[0], key[0])),
                unit=key[1],
                unit_label=str(unit_labels.get(key[1], key[1])),
                clauses=target["clauses"],
                with_target=target["with_target"],
                target=(
                    _amount(target["target_avg" if average else "target_sum"])
                    if target["with_target"]
                    else None
                ),
                outcomes=outcome.get("outcomes", 0),
                achieved=_amount(outcome.get("achieved_avg" if average else "achieved_sum")),
                headcount=outcome.get("headcount") or 0,
                with_disabilities=outcome.get("with_disabilities") or 0,
                fte=_amount(outcome.get("fte")),
            )
        )

    def order(row: TargetRow) -> tuple[int, int]:
        return (
            categories.index(row.category) if row.category in categories else len(categories),
            units.index(row.unit) if row.unit in units else len(units),
        )

    return sorted(rows, key=order)


def register_summary(
    project: Project,
    *,
    partner: Partner | None = None,
    period: ReportingPeriod | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Summary:
    """The summary of `project`'s register, for a partner and a period (or dates) if given:
    four queries, whatever the number of tenders. Safe to call anywhere (it only reads)."""
    selection = make_selection(project, partner=partner, period=period, start=start, end=end)
    return Summary(
        selection=selection,
        tenders=tender_figures(selection),
        contracts=contract_figures(selection),
        targets=target_rows(selection),
    )


# --- the charts -------------------------------------------------------------------------------

# Units of the SVGs' viewBox; the pictures scale to the page width. Drawn by the templates with
# presentation attributes only (the CSP forbids style attributes).
CHART_LABEL_WIDTH = 250
CHART_PLOT_WIDTH = 300
CHART_VALUE_WIDTH = 250
CHART_TOP = 10
BAR_HEIGHT = 14
BAR_GAP = 4
ROW_GAP = 14
LABEL_CHARS = 40


def number(value: Decimal | int, places: str = "-2g") -> str:
    """A number as people read it in the active language (grouped, decimals only if any)."""
    return str(floatformat(value, places))


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    """One bar, with its value written just right of it (a bar's length is never its only
    message: the value is read, not guessed from a colour or a length)."""

    x: float
    y: float
    width: float
    height: float
    label: str  # written after the bar: "Target: 2 persons"
    is_target: bool = False  # drawn outlined; achievements and counts are filled

    @property
    def label_x(self) -> float:
        return self.x + self.width + 6

    @property
    def label_y(self) -> float:
        return self.y + self.height - 3


@dataclass(frozen=True)
class ChartRow:
    label: str  # shortened to fit the label column
    title: str  # the whole label and the values: the row's accessible name
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    axis_x: float
    rows: list[ChartRow]

    @property
    def plot_top(self) -> float:
        return CHART_TOP / 2

    @property
    def plot_bottom(self) -> float:
        return self.height - CHART_TOP / 2


def _length(value: Decimal | int, scale: Decimal | int) -> float:
    if not scale or not value:
        return 0.0
    return max(1.0, round(float(Decimal(value) / Decimal(scale)) * CHART_PLOT_WIDTH, 1))


def _chart(rows: list[ChartRow], height: float) -> Chart:
    return Chart(
        width=CHART_LABEL_WIDTH + CHART_PLOT_WIDTH + CHART_VALUE_WIDTH,
        height=height,
        axis_x=CHART_LABEL_WIDTH,
        rows=rows,
    )


def targets_chart(rows: Sequence[TargetRow]) -> Chart:
    """Two bars per category and unit, the target (outlined) and the achievement (filled). Bars
    of one unit share a scale (the largest target or achievement in that unit): persons and euros
    cannot share one."""
    scale: dict[str, Decimal] = {}
    for row in rows:
        scale[row.unit] = max(scale.get(row.unit, ZERO), row.target or ZERO, row.achieved)
    pitch = 2 * BAR_HEIGHT + BAR_GAP + ROW_GAP
    chart_rows = []
    for index, row in enumerate(rows):
        top = CHART_TOP + index * pitch
        figures = {"unit": row.unit_label, "achieved": number(row.achieved)}
        if row.target is not None:
            figures["target"] = number(row.target)
        if row.target is None:
            target = gettext("No target set")
        elif row.is_average:
            target = gettext("Target (average): %(target)s %(unit)s") % figures
        else:
            target = gettext("Target: %(target)s %(unit)s") % figures
        if row.is_average:
            achieved = gettext("Achieved (average): %(achieved)s %(unit)s") % figures
        else:
            achieved = gettext("Achieved: %(achieved)s %(unit)s") % figures
        chart_rows.append(
            ChartRow(
                label=_shorten(row.category_label),
                title=f"{row.category_label}: {target}; {achieved}",
                label_y=top + BAR_HEIGHT + BAR_GAP / 2 + 4,
                bars=[
                    Bar(
                        x=CHART_LABEL_WIDTH,
                        y=top,
                        width=_length(row.target or ZERO, scale[row.unit]),
                        height=BAR_HEIGHT,
                        label=target,
                        is_target=True,
                    ),
                    Bar(
                        x=CHART_LABEL_WIDTH,
                        y=top + BAR_HEIGHT + BAR_GAP,
                        width=_length(row.achieved, scale[row.unit]),
                        height=BAR_HEIGHT,
                        label=achieved,
                    ),
                ],
            )
        )
    return _chart(chart_rows, CHART_TOP + len(rows) * pitch - ROW_GAP + CHART_TOP)


def tenders_chart(figures: TenderFigures) -> Chart:
    """One bar each for the tenders with at least one social clause and those without, on the
    scale of all the tenders counted."""
    pitch = BAR_HEIGHT + ROW_GAP
    chart_rows = []
    for index, (label, count) in enumerate(
        [
            (gettext("With a social clause"), figures.with_social_clause),
            (gettext("Without a social clause"), figures.without_social_clause),
        ]
    ):
        top = CHART_TOP + index * pitch
        value = number(count, "g")
        chart_rows.append(
            ChartRow(
                label=label,
                title=f"{label}: {value}",
                label_y=top + BAR_HEIGHT - 3,
                bars=[
                    Bar(
                        x=CHART_LABEL_WIDTH,
                        y=top,
                        width=_length(count, figures.count),
                        height=BAR_HEIGHT,
                        label=value,
                    )
                ],
            )
        )
    return _chart(chart_rows, CHART_TOP + 2 * pitch - ROW_GAP + CHART_TOP)
