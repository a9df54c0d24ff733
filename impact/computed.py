"""The figures of the indicators: those the platform computes from its own records, and every
indicator's progress against its target, by partner and by period. The impact page, an
indicator's page, the export and the progress report's impact chapter all read them from here.

A computed indicator is never typed: it is counted in SQL, grouped by partner and reporting
period, one aggregate query per source table whatever the number of indicators, partners,
periods or records (events need a second, small one: the time zones they are held in).
Attribution, the same in every figure:

- events (participants, events held): the organiser; held events only, in the period of their
  local start date (the date on the event's own calendar, in its time zone); participants are
  the attendance's total (an event without attendance counts as held, with no participants);
- tenders (with a social clause, their estimated value, contracts on reserved lots): the partner
  that records the tender, in the period of its publication date (a tender never published, such
  as a negotiated procedure without publication, by its award date: the day the register's
  summary counts it, procurement.summary.tender_day); cancelled tenders never count; a social
  clause is one that is not environmental (SocialClause.ENVIRONMENTAL);
- clause outcomes (persons employed, of them persons with disabilities): the partner recording
  the clause's tender, in the outcome's own period, validated outcomes only, as the register's
  summary sums them (a person employed in two periods counts in both);
- deliverables submitted: the lead partner, in the period of the submission date;
- local action plans adopted: the plan's partner, in the period of its adoption date.

A record dated outside every reporting period counts in none. Each computed figure says where it
comes from: `source_url` points to the indicator's page listing the records behind it
(`source_records`, one query), each linked to its own page.

Entered values count toward the achievement once validated; submitted ones are shown as awaiting
validation, drafts only on the indicator's page. Nothing here reads a request or the clock.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import Attendance, Event
from impact.models import DataQuery, Indicator, IndicatorValue, PartnerTarget
from procurement.models import (
    ClauseOutcome,
    Contract,
    LocalActionPlan,
    Reservation,
    SocialClause,
    Tender,
)
from procurement.summary import (
    BAR_GAP,
    BAR_HEIGHT,
    CHART_LABEL_WIDTH,
    CHART_PLOT_WIDTH,
    CHART_TOP,
    CHART_VALUE_WIDTH,
    LABEL_CHARS,
    ROW_GAP,
    Bar,
    Chart,
    ChartRow,
    number,
    percent,
    tender_day,
)
from projects.models import Deliverable, Partner, Project, ReportingPeriod

ZERO = Decimal(0)
M = Indicator.Measure
EVENT_MEASURES = frozenset({M.PARTICIPANTS, M.EVENTS_HELD})
TENDER_MEASURES = frozenset(
    {M.TENDERS_WITH_SOCIAL_CLAUSES, M.SOCIAL_TENDER_VALUE, M.RESERVED_CONTRACTS}
)
OUTCOME_MEASURES = frozenset({M.PERSONS_EMPLOYED, M.PERSONS_WITH_DISABILITIES})

# The column of its source query's groups that each measure reads.
COLUMN: dict[str, str] = {
    M.PARTICIPANTS: "participants",
    M.EVENTS_HELD: "events",
    M.TENDERS_WITH_SOCIAL_CLAUSES: "social",
    M.SOCIAL_TENDER_VALUE: "social_value",
    M.RESERVED_CONTRACTS: "reserved",
    M.PERSONS_EMPLOYED: "headcount",
    M.PERSONS_WITH_DISABILITIES: "with_disabilities",
    M.DELIVERABLES_SUBMITTED: "n",
    M.ACTION_PLANS_ADOPTED: "n",
}

# Where each measure's figures come from, told on the indicator's page (the rules of the module
# docstring, for the people who read the figures).
MEASURE_RULES: dict[str, Any] = {
    M.PARTICIPANTS: _(
        "The participants recorded in the attendance of each held event, counted for the "
        "partner that organised it, in the period of the event's date."
    ),
    M.EVENTS_HELD: _(
        "Each held event, counted for the partner that organised it, in the period of the "
        "event's date."
    ),
    M.TENDERS_WITH_SOCIAL_CLAUSES: _(
        "Each tender in the register with at least one social (not environmental) clause, "
        "counted for the partner that records it, in the period of its publication (or of its "
        "award, if it was never published). Cancelled tenders do not count."
    ),
    M.SOCIAL_TENDER_VALUE: _(
        "The estimated value of each tender with at least one social clause, counted for the "
        "partner that records it, in the period of its publication (or of its award, if it was "
        "never published). Cancelled tenders do not count."
    ),
    M.RESERVED_CONTRACTS: _(
        "The contracts awarded on reserved lots, counted for the partner that records the "
        "tender, in the period of its publication (or of its award, if it was never "
        "published). Cancelled tenders do not count."
    ),
    M.PERSONS_EMPLOYED: _(
        "The people employed that validated clause outcomes report, counted for the partner "
        "that records the tender, in the outcome's period: a person employed in two periods "
        "counts in both."
    ),
    M.PERSONS_WITH_DISABILITIES: _(
        "The persons with disabilities employed that validated clause outcomes report, counted "
        "for the partner that records the tender, in the outcome's period: a person employed "
        "in two periods counts in both."
    ),
    M.DELIVERABLES_SUBMITTED: _(
        "Each deliverable submitted to the funder, counted for its lead partner, in the period "
        "of its submission date."
    ),
    M.ACTION_PLANS_ADOPTED: _(
        "Each local action plan adopted, counted for its partner, in the period of its "
        "adoption date."
    ),
}

type Key = tuple[int, int | None, int]  # (indicator id, partner id or None, period id)


def _decimal(value: Decimal | float | int | None) -> Decimal:
    """A count or a sum from the database as a Decimal (SQLite returns some sums as floats)."""
    return Decimal(str(value or 0))


# --- periods ------------------------------------------------------------------------------------


def _periods(project: Project) -> list[ReportingPeriod]:
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("number"))
    for period in periods:
        period.project = project  # its dates are months of this project: no query for them
    return periods


def _zone(name: str) -> zoneinfo.ZoneInfo | dt.timezone:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC  # Event.clean refuses unknown zones; an old row falls back to UTC


def _midnight(day: dt.date, zone: zoneinfo.ZoneInfo | dt.timezone) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _date_period(field_name: str, periods: Sequence[ReportingPeriod]) -> Case:
    """The pk of the period whose dates hold the date `field_name` (NULL in none)."""
    whens = [
        When(**{f"{field_name}__range": (p.start_date, p.end_date)}, then=Value(p.pk))
        for p in periods
    ]
    return Case(*whens, default=None, output_field=IntegerField())


def _event_period(zones: Iterable[str], periods: Sequence[ReportingPeriod]) -> Case:
    """The pk of the period holding an event's local start date: for each time zone the events
    are held in, the period's first and last days as instants of that zone (a roundtable at 23:30
    in Lisbon on the period's last day is in the period, wherever the server is)."""
    whens = []
    for name in zones:
        zone = _zone(name)
        for p in periods:
            start = _midnight(p.start_date, zone)
            end = _midnight(p.end_date + dt.timedelta(days=1), zone)
            whens.append(
                When(time_zone=name, starts_at__gte=start, starts_at__lt=end, then=Value(p.pk))
            )
    return Case(*whens, default=None, output_field=IntegerField())


def period_of(day: dt.date | None, periods: Sequence[ReportingPeriod]) -> ReportingPeriod | None:
    """The period whose dates hold `day` (the first, should two overlap), the rule of
    _date_period and _event_period for one record in Python."""
    if day is None:
        return None
    return next((p for p in periods if p.start_date <= day <= p.end_date), None)


# --- the aggregate queries ----------------------------------------------------------------------


def _social_clauses() -> Any:
    """The social (not environmental) clauses of the tender in the outer query."""
    return SocialClause.objects.filter(tender=OuterRef("pk")).exclude(
        category__in=SocialClause.ENVIRONMENTAL
    )


def _reserved_contracts() -> Any:
    """The number of contracts on reserved lots of the tender in the outer query."""
    return (
        Contract.objects.filter(lot__tender=OuterRef("pk"))
        .exclude(lot__reservation=Reservation.NONE)
        .order_by()
        .values("lot__tender")
        .annotate(n=Count("pk"))
        .values("n")
    )


def _counted_tenders(project: Project) -> Any:
    """The project's tenders that figures count: not cancelled."""
    return Tender.objects.filter(project=project).exclude(status=Tender.Status.CANCELLED)


def _event_groups(project: Project, periods: Sequence[ReportingPeriod]) -> list[Any]:
    """Two queries: the time zones of the held events, then the held events counted and their
    participants summed by organiser, period and kind."""
    held = Event.objects.filter(project=project, status=Event.Status.HELD).order_by()
    zones = list(held.values_list("time_zone", flat=True).distinct())
    if not zones:
        return []
    return list(
        held.annotate(in_period=_event_period(zones, periods))
        .filter(in_period__isnull=False)
        .values("organiser_id", "in_period", "kind")
        .annotate(events=Count("pk"), participants=Sum("attendance__total"))
    )


def _tender_groups(project: Project, periods: Sequence[ReportingPeriod]) -> list[Any]:
    """One query: the counted tenders by recording partner and period: those with a social
    clause (EXISTS: a join would count a tender once per clause), their estimated value, and the
    contracts on their reserved lots (a subquery per tender, summed)."""
    social = Q(has_social=True)
    return list(
        _counted_tenders(project)
        .alias(
            day=tender_day(),
            has_social=Exists(_social_clauses()),
            reserved_contracts=Coalesce(
                Subquery(_reserved_contracts(), output_field=IntegerField()), 0
            ),
        )
        .annotate(in_period=_date_period("day", periods))
        .filter(in_period__isnull=False)
        .order_by()
        .values("recorded_by_id", "in_period")
        .annotate(
            social=Count("pk", filter=social),
            social_value=Sum("estimated_value", filter=social),
            reserved=Sum("reserved_contracts"),
        )
    )


def _outcome_groups(project: Project) -> list[Any]:
    """One query: validated outcomes of counted tenders by recording partner and period."""
    return list(
        ClauseOutcome.objects.filter(
            status=ClauseOutcome.Status.VALIDATED,
            clause__tender__in=_counted_tenders(project).values("pk"),
        )
        .order_by()
        .values("clause__tender__recorded_by_id", "period_id")
        .annotate(headcount=Sum("headcount"), with_disabilities=Sum("with_disabilities"))
    )


def _deliverable_groups(project: Project, periods: Sequence[ReportingPeriod]) -> list[Any]:
    """One query: deliverables submitted to the funder by lead partner and period."""
    return list(
        Deliverable.objects.filter(project=project, submitted_date__isnull=False)
        .annotate(in_period=_date_period("submitted_date", periods))
        .filter(in_period__isnull=False)
        .order_by()
        .values("lead_id", "in_period")
        .annotate(n=Count("pk"))
    )


def _plan_groups(project: Project, periods: Sequence[ReportingPeriod]) -> list[Any]:
    """One query: local action plans adopted, by partner and period."""
    return list(
        LocalActionPlan.objects.filter(project=project, adopted_on__isnull=False)
        .annotate(in_period=_date_period("adopted_on", periods))
        .filter(in_period__isnull=False)
        .order_by()
        .values("partner_id", "in_period")
        .annotate(n=Count("pk"))
    )


def _computed(
    project: Project, indicators: Sequence[Indicator], periods: Sequence[ReportingPeriod]
) -> dict[Key, Decimal]:
    computed = [i for i in indicators if i.is_computed and i.measure]
    if not computed or not periods:
        return {}
    measures = {i.measure for i in computed}
    values: dict[Key, Decimal] = defaultdict(Decimal)

    def add(indicator: Indicator, partner_id: int | None, period_id: int, amount: Any) -> None:
        values[(indicator.pk, partner_id, period_id)] += _decimal(amount)

    # Each query runs only when an indicator needs it; the loops below run over its groups (at
    # most partners x periods x kinds), never over the records.
    if measures & EVENT_MEASURES:
        groups = _event_groups(project, periods)
        for indicator in computed:
            if indicator.measure not in EVENT_MEASURES:
                continue
            for g in groups:
                if not indicator.event_kind or g["kind"] == indicator.event_kind:
                    add(indicator, g["organiser_id"], g["in_period"], g[COLUMN[indicator.measure]])
    if measures & TENDER_MEASURES:
        groups = _tender_groups(project, periods)
        for indicator in computed:
            if indicator.measure in TENDER_MEASURES:
                for g in groups:
                    add(
                        indicator, g["recorded_by_id"], g["in_period"], g[COLUMN[indicator.measure]]
                    )
    if measures & OUTCOME_MEASURES:
        groups = _outcome_groups(project)
        for indicator in computed:
            if indicator.measure in OUTCOME_MEASURES:
                for g in groups:
                    add(
                        indicator,
                        g["clause__tender__recorded_by_id"],
                        g["period_id"],
                        g[COLUMN[indicator.measure]],
                    )
    if M.DELIVERABLES_SUBMITTED in measures:
        groups = _deliverable_groups(project, periods)
        for indicator in computed:
            if indicator.measure == M.DELIVERABLES_SUBMITTED:
                for g in groups:
                    add(indicator, g["lead_id"], g["in_period"], g[COLUMN[indicator.measure]])
    if M.ACTION_PLANS_ADOPTED in measures:
        groups = _plan_groups(project, periods)
        for indicator in computed:
            if indicator.measure == M.ACTION_PLANS_ADOPTED:
                for g in groups:
                    add(indicator, g["partner_id"], g["in_period"], g[COLUMN[indicator.measure]])
    return dict(values)


def computed_values(project: Project, indicators: Sequence[Indicator]) -> dict[Key, Decimal]:
    """The figures of the computed indicators among `indicators`, keyed by (indicator id,
    partner id or None when no partner can be attributed, period id); a partner and period with
    no record behind them has no key. One query for the periods, then one per source table the
    indicators need (events: two), whatever their number. Safe to call anywhere (it only reads)."""
    if not any(i.is_computed for i in indicators):
        return {}
    return _computed(project, indicators, _periods(project))


# --- the records behind a figure ---------------------------------------------------------------


@dataclass(frozen=True)
class SourceRecord:
    """One record a computed figure counts: what it is, when, its share of the figure."""

    label: str
    url: str
    day: dt.date | None
    partner: Partner
    period: ReportingPeriod
    amount: Decimal  # what it adds to the figure (1 for a count; participants; EUR; persons)
    attendance: Attendance | None = None  # an event's: its participants' breakdowns


def source_url(
    indicator: Indicator, *, partner: Partner | None = None, period: ReportingPeriod | None = None
) -> str:
    """The indicator's page listing the records behind one figure (a partner, a period, both,
    or the whole achievement)."""
    url = reverse("impact:indicator_detail", args=[indicator.project.slug, indicator.code])
    return _with_choice(url, partner, period)


def _with_choice(url: str, partner: Partner | None, period: ReportingPeriod | None) -> str:
    """The indicator's page `url`, choosing a partner and a period (reversed once per indicator:
    a page of 50 indicators has thousands of figures)."""
    query = {}
    if partner is not None:
        query["partner"] = partner.number
    if period is not None:
        query["period"] = period.number
    return f"{url}?{urlencode(query)}#sources" if query else f"{url}#sources"


def source_records(
    indicator: Indicator,
    *,
    partner: Partner | None = None,
    period: ReportingPeriod | None = None,
) -> list[SourceRecord]:
    """The records behind a computed indicator's figure for `partner` and `period` (None: every
    partner, every period), in date order, each with its link: one query for the periods and one
    for the records. The same attribution as computed_values, record by record, so their amounts
    add up to the figure."""
    if not indicator.is_computed:
        return []
    project = indicator.project
    periods = _periods(project)
    if period is not None:
        periods = [p for p in periods if p.pk == period.pk]
    if not periods:
        return []
    first, last = periods[0].start_date, periods[-1].end_date
    for p in periods:
        first, last = min(first, p.start_date), max(last, p.end_date)
    records = _records(indicator, partner, periods, first, last)
    return sorted(records, key=lambda r: (r.day or dt.date.min, r.label))


def _records(
    indicator: Indicator,
    partner: Partner | None,
    periods: Sequence[ReportingPeriod],
    first: dt.date,
    last: dt.date,
) -> list[SourceRecord]:
    project, measure = indicator.project, indicator.measure
    out: list[SourceRecord] = []
    if measure in EVENT_MEASURES:
        # A window a day wider on each side than the periods (no zone is more than 14 hours
        # from UTC), then each event's own local date decides, as in _event_period.
        events = Event.objects.filter(
            project=project,
            status=Event.Status.HELD,
            starts_at__gte=_midnight(first - dt.timedelta(days=1), dt.UTC),
            starts_at__lt=_midnight(last + dt.timedelta(days=2), dt.UTC),
        ).select_related("organiser__organisation", "attendance")
        if indicator.event_kind:
            events = events.filter(kind=indicator.event_kind)
        if partner is not None:
            events = events.filter(organiser=partner)
        for event in events.order_by("starts_at", "pk"):
            day = event.starts_at.astimezone(_zone(event.time_zone)).date()
            found = period_of(day, periods)
            if found is None:
                continue
            event.project = project
            attendance = event.attendance_or_none
            if measure == M.EVENTS_HELD:
                amount = Decimal(1)
            else:
                amount = _decimal(attendance.total if attendance else 0)
            out.append(
                SourceRecord(
                    label=event.title,
                    url=event.get_absolute_url(),
                    day=day,
                    partner=event.organiser,
                    period=found,
                    amount=amount,
                    attendance=attendance,
                )
            )
    elif measure in TENDER_MEASURES:
        tenders = (
            _counted_tenders(project)
            .annotate(
                day=tender_day(),
                has_social=Exists(_social_clauses()),
                reserved_contracts=Coalesce(
                    Subquery(_reserved_contracts(), output_field=IntegerField()), 0
                ),
            )
            .filter(day__range=(first, last))
            .select_related("recorded_by__organisation")
        )
        if measure == M.RESERVED_CONTRACTS:
            tenders = tenders.filter(reserved_contracts__gt=0)
        else:
            tenders = tenders.filter(has_social=True)
        if partner is not None:
            tenders = tenders.filter(recorded_by=partner)
        for tender in tenders.order_by("day", "reference", "pk"):
            found = period_of(tender.day, periods)
            if found is None:
                continue
            tender.project = project
            if measure == M.TENDERS_WITH_SOCIAL_CLAUSES:
                amount = Decimal(1)
            elif measure == M.SOCIAL_TENDER_VALUE:
                amount = _decimal(tender.estimated_value)
            else:
                amount = _decimal(tender.reserved_contracts)
            out.append(
                SourceRecord(
                    label=str(tender),
                    url=tender.get_absolute_url(),
                    day=tender.day,
                    partner=tender.recorded_by,
                    period=found,
                    amount=amount,
                )
            )
    elif measure in OUTCOME_MEASURES:
        by_pk = {p.pk: p for p in periods}
        outcomes = ClauseOutcome.objects.filter(
            status=ClauseOutcome.Status.VALIDATED,
            clause__tender__in=_counted_tenders(project).values("pk"),
            period__in=list(by_pk),
        ).select_related("clause__tender__recorded_by__organisation")
        if partner is not None:
            outcomes = outcomes.filter(clause__tender__recorded_by=partner)
        name = "headcount" if measure == M.PERSONS_EMPLOYED else "with_disabilities"
        for outcome in outcomes.order_by("period__number", "clause__tender__reference", "pk"):
            tender = outcome.clause.tender
            tender.project = project
            found = by_pk[outcome.period_id]
            out.append(
                SourceRecord(
                    label=gettext("%(tender)s: %(clause)s")
                    % {"tender": tender.reference, "clause": outcome.clause},
                    url=f"{tender.get_absolute_url()}#outcome-{outcome.pk}",
                    day=None,
                    partner=tender.recorded_by,
                    period=found,
                    amount=_decimal(getattr(outcome, name)),
                )
            )
    elif measure == M.DELIVERABLES_SUBMITTED:
        deliverables = Deliverable.objects.filter(
            project=project, submitted_date__range=(first, last)
        ).select_related("lead__organisation")
        if partner is not None:
            deliverables = deliverables.filter(lead=partner)
        for deliverable in deliverables.order_by("submitted_date", "sort_key"):
            found = period_of(deliverable.submitted_date, periods)
            if found is None:
                continue
            deliverable.project = project
            out.append(
                SourceRecord(
                    label=str(deliverable),
                    url=deliverable.get_absolute_url(),
                    day=deliverable.submitted_date,
                    partner=deliverable.lead,
                    period=found,
                    amount=Decimal(1),
                )
            )
    elif measure == M.ACTION_PLANS_ADOPTED:
        plans = LocalActionPlan.objects.filter(
            project=project, adopted_on__range=(first, last)
        ).select_related("partner__organisation")
        if partner is not None:
            plans = plans.filter(partner=partner)
        for plan in plans.order_by("adopted_on", "pk"):
            found = period_of(plan.adopted_on, periods)
            if found is None:
                continue
            plan.project = project
            out.append(
                SourceRecord(
                    label=plan.title,
                    url=plan.get_absolute_url(),
                    day=plan.adopted_on,
                    partner=plan.partner,
                    period=found,
                    amount=Decimal(1),
                )
            )
    return out


@dataclass(frozen=True)
class Breakdown:
    """The participants behind a figure by one breakdown of the attendance (stakeholder
    category, gender, country), summed over the events that recorded it."""

    label: str
    rows: list[tuple[str, int]]
    events: int  # the events whose attendance gives this breakdown
    of_events: int  # the events counted

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)


def participant_breakdowns(records: Sequence[SourceRecord]) -> list[Breakdown]:
    """The breakdowns of the participants behind a figure, from its records' attendance (no
    query: fetched with the records). An event whose attendance leaves a breakdown empty is
    not in it, so each breakdown says how many of the events it covers."""
    attendances = [r.attendance for r in records if r.attendance is not None]
    out = []
    for label, fields in (
        (gettext("By stakeholder category"), Attendance.STAKEHOLDER_FIELDS),
        (gettext("By gender"), Attendance.GENDER_FIELDS),
    ):
        given = [a for a in attendances if any(getattr(a, f) is not None for f in fields)]
        rows = [
            (
                str(getattr(Attendance._meta.get_field(f), "verbose_name", f)),
                sum(getattr(a, f) or 0 for a in given),
            )
            for f in fields
        ]
        out.append(Breakdown(label=label, rows=rows, events=len(given), of_events=len(records)))
    by_country: dict[str, int] = defaultdict(int)
    with_countries = [a for a in attendances if a.by_country]
    for a in with_countries:
        for code, count in a.by_country.items():
            by_country[code] += int(count)
    out.append(
        Breakdown(
            label=gettext("By country"),
            rows=sorted(
                ((str(countries.name(code)) or code, n) for code, n in by_country.items()),
                key=lambda row: (-row[1], row[0]),
            ),
            events=len(with_countries),
            of_events=len(records),
        )
    )
    return out


# --- progress against the targets ---------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One partner's figure for one period: computed, entered (with its status), or missing."""

    period: ReportingPeriod
    value: Decimal | None  # None: nothing entered (a computed figure is 0 without records)
    status: str = ""  # an entered value's IndicatorValue.Status; "" when computed or missing
    status_label: str = ""
    value_id: int | None = None  # the entered IndicatorValue
    is_computed: bool = False
    has_open_query: bool = False  # someone asked about this figure and it is not resolved
    source_url: str = ""  # computed: the records behind it
    entry_url: str = ""  # entered: the entry page of its partner and period

    @property
    def counts(self) -> bool:
        """Whether it adds to the achievement: computed, or an entered value validated."""
        return self.value is not None and (
            self.is_computed or self.status == IndicatorValue.Status.VALIDATED
        )

    @property
    def is_awaiting(self) -> bool:
        """Entered and submitted: waiting for the coordinator's validation."""
        return self.status == IndicatorValue.Status.SUBMITTED

    @property
    def is_draft(self) -> bool:
        return self.status == IndicatorValue.Status.DRAFT

    @property
    def is_missing(self) -> bool:
        return self.value is None


def _achieved(figures: Iterable[Figure], *, average: bool) -> Decimal:
    counted = [f.value for f in figures if f.counts and f.value is not None]
    if not counted:
        return ZERO
    total = sum(counted, ZERO)
    return (total / len(counted)).quantize(Decimal("0.01")) if average else total


@dataclass(frozen=True)
class PartnerProgress:
    """One partner's row: its own target, its figure each period, what it achieved."""

    partner: Partner | None  # None: records no partner could be attributed
    target: Decimal | None
    reports_it: bool  # an entered indicator it must report every period
    figures: list[Figure]
    achieved: Decimal
    source_url: str = ""  # computed: the records behind its achievement

    @property
    def percent(self) -> Decimal | None:
        return None if self.target is None else percent(self.achieved, self.target)

    @property
    def awaiting(self) -> Decimal:
        return sum((f.value or ZERO for f in self.figures if f.is_awaiting), ZERO)


@dataclass(frozen=True)
class PeriodProgress:
    """All partners' figures of one period."""

    period: ReportingPeriod
    achieved: Decimal
    awaiting: Decimal  # entered values submitted, not yet validated
    source_url: str = ""


@dataclass(frozen=True)
class IndicatorProgress:
    """An indicator against its target: to date, by partner and by period."""

    indicator: Indicator
    target: Decimal | None  # the project's (or, for one partner, that partner's own)
    achieved: Decimal  # to date: computed figures and validated values
    awaiting: Decimal
    partners: list[PartnerProgress]
    periods: list[PeriodProgress]
    partner_targets: list[PartnerTarget] = field(default_factory=list)
    source_url: str = ""

    @property
    def percent(self) -> Decimal | None:
        """The achievement in per cent of the target (None without a target, or a target 0)."""
        return None if self.target is None else percent(self.achieved, self.target)

    @property
    def is_average(self) -> bool:
        """Per cent figures are averaged, not added up: a sum of shares means nothing."""
        return self.indicator.unit == Indicator.Unit.PERCENT

    @property
    def has_figures(self) -> bool:
        return any(f.value is not None for row in self.partners for f in row.figures)


def progress_prefetches() -> list[Prefetch]:
    """What indicator_progress reads of each indicator given to it: its reporting partners
    (with their organisations, for their names) and its partners' targets."""
    return [
        Prefetch(
            "reporting_partners",
            queryset=Partner.objects.select_related("organisation").order_by("number"),
        ),
        Prefetch("partner_targets", queryset=PartnerTarget.objects.order_by("partner_id")),
    ]


def project_indicators(project: Project) -> list[Indicator]:
    """Three queries: the project's indicators (with their work packages and responsible
    partners), their reporting partners, their partners' targets."""
    return list(
        Indicator.objects.filter(project=project)
        .select_related("work_package", "responsible__organisation")
        .prefetch_related(*progress_prefetches())
        .order_by("code")
    )


def queried_values(project: Project) -> set[int]:
    """The entered values someone asked about and whose query is not resolved: one query."""
    return set(
        DataQuery.objects.filter(
            project=project, subject_type=ContentType.objects.get_for_model(IndicatorValue)
        )
        .unresolved()
        .values_list("subject_id", flat=True)
    )


STATUS_LABELS = dict(IndicatorValue.Status.choices)


def indicator_progress(
    project: Project,
    *,
    partner: Partner | None = None,
    indicators: Sequence[Indicator] | None = None,
) -> list[IndicatorProgress]:
    """Every indicator of `project` (or the `indicators` given, fetched with
    progress_prefetches) against its target: to date, by partner and by
    period; for one `partner`, its figures against its own target only.

    A fixed number of queries, whatever the number of indicators, partners, periods or records:
    the indicators (three, unless given), the partners, the periods, the entered values, the open
    queries about them, and computed_values' (at most six). Safe to call anywhere."""
    if indicators is None:
        indicators = project_indicators(project)
    if not indicators:
        return []
    for indicator in indicators:
        indicator.project = project
    partners = {
        p.pk: p
        for p in Partner.objects.filter(project=project)
        .select_related("organisation")
        .order_by("number")
    }
    for p in partners.values():
        p.project = project
    periods = _periods(project)
    computed = _computed(project, indicators, periods)
    entered = [i.pk for i in indicators if not i.is_computed]
    values: dict[tuple[int, int, int], IndicatorValue] = {}
    if entered:
        rows = IndicatorValue.objects.filter(indicator_id__in=entered).only(
            "pk", "indicator_id", "partner_id", "period_id", "value", "status"
        )
        if partner is not None:
            rows = rows.filter(partner=partner)
        values = {(v.indicator_id, v.partner_id, v.period_id): v for v in rows.order_by()}
    fetched = _Fetched(
        partners=partners,
        periods=periods,
        computed=computed,
        values=values,
        queried=queried_values(project) if values else set(),
    )
    return [_progress(indicator, partner, fetched) for indicator in indicators]


@dataclass
class _Fetched:
    """What indicator_progress fetched, indexed once for every indicator."""

    partners: dict[int, Partner]
    periods: list[ReportingPeriod]
    computed: dict[Key, Decimal]
    values: dict[tuple[int, int, int], IndicatorValue]
    queried: set[int]
    with_figures: dict[int, set[int | None]] = field(default_factory=dict)
    entry_urls: dict[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in [*self.computed, *self.values]:
            self.with_figures.setdefault(key[0], set()).add(key[1])

    def entry_url(self, partner: Partner, period: ReportingPeriod) -> str:
        """The entry page of `partner` for `period`, reversed once for every indicator."""
        key = (partner.pk, period.pk)
        if key not in self.entry_urls:
            self.entry_urls[key] = reverse(
                "impact:value_entry", args=[partner.project.slug, partner.number, period.number]
            )
        return self.entry_urls[key]


def _progress(indicator: Indicator, only: Partner | None, fetched: _Fetched) -> IndicatorProgress:
    """One indicator's progress from the fetched rows (no query: the loops run over its
    partners and periods)."""
    partners, periods = fetched.partners, fetched.periods
    targets = list(indicator.partner_targets.all())
    target_of = {t.partner_id: t.target for t in targets}
    for t in targets:
        t.partner = partners[t.partner_id]
        t.indicator = indicator
    reporting = {p.pk for p in indicator.reporting_partners.all()}
    average = indicator.unit == Indicator.Unit.PERCENT
    computed = indicator.is_computed
    base = reverse("impact:indicator_detail", args=[indicator.project.slug, indicator.code])
    # The partners with a row: those that must report it, those with a target, those with a
    # figure, in partner order; records no partner could be attributed to come last.
    with_figures = fetched.with_figures.get(indicator.pk, set())
    row_ids: list[int | None] = [
        pk
        for pk in partners
        if pk in reporting or pk in target_of or pk in with_figures
        if only is None or pk == only.pk
    ]
    if None in with_figures and only is None:
        row_ids.append(None)
    rows: list[PartnerProgress] = []
    for pk in row_ids:
        partner = partners[pk] if pk is not None else None
        figures = [_figure(indicator, partner, period, base, fetched) for period in periods]
        rows.append(
            PartnerProgress(
                partner=partner,
                target=target_of.get(pk) if pk is not None else None,
                reports_it=pk in reporting and not computed,
                figures=figures,
                achieved=_achieved(figures, average=average),
                source_url=_with_choice(base, partner, None) if computed and partner else "",
            )
        )
    by_period = []
    for index, period in enumerate(periods):
        column = [row.figures[index] for row in rows]
        by_period.append(
            PeriodProgress(
                period=period,
                achieved=_achieved(column, average=average),
                awaiting=sum((f.value or ZERO for f in column if f.is_awaiting), ZERO),
                source_url=_with_choice(base, only, period) if computed else "",
            )
        )
    every_figure = [f for row in rows for f in row.figures]
    return IndicatorProgress(
        indicator=indicator,
        target=indicator.target if only is None else target_of.get(only.pk),
        achieved=_achieved(every_figure, average=average),
        awaiting=sum((row.awaiting for row in rows), ZERO),
        partners=rows,
        periods=by_period,
        partner_targets=targets,
        source_url=_with_choice(base, only, None) if computed else "",
    )


def _figure(
    indicator: Indicator,
    partner: Partner | None,
    period: ReportingPeriod,
    base: str,
    fetched: _Fetched,
) -> Figure:
    partner_id = partner.pk if partner is not None else None
    if indicator.is_computed:
        return Figure(
            period=period,
            value=fetched.computed.get((indicator.pk, partner_id, period.pk), ZERO),
            is_computed=True,
            source_url=_with_choice(base, partner, period) if partner is not None else "",
        )
    entry_url = fetched.entry_url(partner, period) if partner is not None else ""
    value = fetched.values.get((indicator.pk, partner_id or 0, period.pk))
    if value is None:
        return Figure(period=period, value=None, entry_url=entry_url)
    return Figure(
        period=period,
        value=value.value,
        status=value.status,
        status_label=str(STATUS_LABELS.get(value.status, value.status)),
        value_id=value.pk,
        has_open_query=value.pk in fetched.queried,
        entry_url=entry_url,
    )


# --- the chart ----------------------------------------------------------------------------------


def _length(value: Decimal, scale: Decimal) -> float:
    if not scale or not value:
        return 0.0
    return max(1.0, round(float(value / scale) * CHART_PLOT_WIDTH, 1))


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def progress_chart(progress: IndicatorProgress) -> Chart:
    """Two bars for the indicator, then two for each partner with a target or a figure: the
    target (outlined, above) and the achievement (filled, below), each labelled with its value,
    unit and share of the target, on one scale (the largest target or achievement): a bar's
    length is never its only message."""
    unit = str(progress.indicator.get_unit_display())
    entries: list[tuple[str, Decimal | None, Decimal]] = [
        (gettext("All partners"), progress.target, progress.achieved)
    ]
    for row in progress.partners:
        if row.target is None and not row.achieved:
            continue
        name = str(row.partner) if row.partner is not None else gettext("Not attributed")
        entries.append((name, row.target, row.achieved))
    if len(progress.partners) == 1 and len(entries) == 2:
        entries = entries[:1]  # one partner's page: its row is the whole
    scale = max([t or ZERO for _, t, _ in entries] + [a for _, _, a in entries], default=ZERO)
    pitch = 2 * BAR_HEIGHT + BAR_GAP + ROW_GAP
    rows = []
    for index, (name, target, achieved) in enumerate(entries):
        top = CHART_TOP + index * pitch
        figures = {"unit": unit, "achieved": number(achieved)}
        if target is None:
            target_label = gettext("No target set")
        else:
            figures["target"] = number(target)
            target_label = gettext("Target: %(target)s %(unit)s") % figures
        share = percent(achieved, target) if target is not None else None
        if share is None:
            achieved_label = gettext("Achieved: %(achieved)s %(unit)s") % figures
        else:
            figures["percent"] = number(share, "-1g")
            achieved_label = gettext("Achieved: %(achieved)s %(unit)s (%(percent)s %%)") % figures
        rows.append(
            ChartRow(
                label=_shorten(name),
                title=f"{name}: {target_label}; {achieved_label}",
                label_y=top + BAR_HEIGHT + BAR_GAP / 2 + 4,
                bars=[
                    Bar(
                        x=CHART_LABEL_WIDTH,
                        y=top,
                        width=_length(target or ZERO, scale),
                        height=BAR_HEIGHT,
                        label=target_label,
                        is_target=True,
                    ),
                    Bar(
                        x=CHART_LABEL_WIDTH,
                        y=top + BAR_HEIGHT + BAR_GAP,
                        width=_length(achieved, scale),
                        height=BAR_HEIGHT,
                        label=achieved_label,
                    ),
                ],
            )
        )
    return Chart(
        width=CHART_LABEL_WIDTH + CHART_PLOT_WIDTH + CHART_VALUE_WIDTH,
        height=CHART_TOP + len(entries) * pitch - ROW_GAP + CHART_TOP,
        axis_x=CHART_LABEL_WIDTH,
        rows=rows,
    )
