"""The data-quality checks: rules run over every entered value and over the records behind the
computed indicators (event attendance, clause outcomes), and over the progress report's "data
gaps" (deliverables, risks, events), each finding with a code, a severity and a message that
names the numbers. The data-quality page lists them; the coordinator turns one into a query.

`run_checks(project, *, today)` runs every rule, each a small function below with its own query
(or two): the database finds the rows that trip a rule (sums, comparisons, EXISTS and a window in
SQL) and returns only those, so the number of queries is fixed (RULE_QUERIES + CONTEXT_QUERIES)
and the rows that travel are the findings, whatever the size of the project. The rules are the
models' own, restated as filters: the breakdown sums are those of IndicatorValue.clean,
ClauseOutcome.clean and Attendance.clean (an empty number counts as zero, a breakdown with no
number given is no breakdown); where a model method decides (Deliverable.timing), SQL only
narrows the rows and the method has the last word.

What the data can and cannot show:
- Double counting: a clause outcome counts the people employed on a contract for a period; two
  outcomes of social clauses on the same contract (the same lot, or the whole tender and one of
  its lots) for the same period may count the same people twice. Outcomes of one tender all
  belong to its recorder, so "two partners counting the same contract" cannot be seen in clause
  outcomes; an event organised by one partner whose participants another partner's entered value
  also reports, or an entered value citing an event, is out of reach: an entered value names no
  event or contract.
- Figures entered after the period was locked: IndicatorValue.clean refuses any value of a
  locked period, so none can be entered through the platform. The lock's moment is not recorded
  (ReportingPeriod keeps no history), so the check looks for what a bypass (the admin, a script)
  would leave: a figure of a locked period that is not validated, which the funder's report
  cannot have included. Clause outcomes are checked the same way (their model does not refuse a
  locked period).
- Computed indicators have no typed figure to compare with a target or the previous period: the
  "jump" and "target" rules run over entered values; the records behind computed figures have
  their own rules (attendance, outcomes).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any, cast

from django.db import models
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Trim
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from events.models import Attendance, Event
from impact.models import Indicator, IndicatorValue, PartnerTarget, ValueEvidence
from procurement.models import ClauseOutcome, OutcomeEvidence, SocialClause
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Partner,
    Project,
    ReportingPeriod,
    Risk,
    RiskReview,
)

ERROR = "error"
WARNING = "warning"
SEVERITIES: dict[str, Promise] = {
    ERROR: pgettext_lazy("check severity", "Error"),
    WARNING: pgettext_lazy("check severity", "Warning"),
}

# A value more than JUMP_FACTOR times the previous period's, or more than TARGET_FACTOR times
# its target, is most likely a unit mistake (EUR for thousands, hours for persons).
JUMP_FACTOR = 5
TARGET_FACTOR = 3


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    label: Promise


# Every rule, in the order the page lists their findings. A code never changes: queries store it
# (DataQuery.check_code).
RULES: tuple[Rule, ...] = (
    Rule("breakdown_sum", ERROR, _("A breakdown does not add up")),
    Rule("fte_headcount", ERROR, _("Full-time equivalents above the headcount")),
    Rule("missing_value", ERROR, _("No value for a period that has ended")),
    Rule("outcome_without_evidence", ERROR, _("A validated outcome without evidence")),
    Rule("value_without_evidence", ERROR, _("A value without evidence")),
    Rule("entered_after_lock", ERROR, _("A figure entered after the period was locked")),
    Rule("jump", WARNING, _("More than 5 times the previous period's value")),
    Rule("above_target", WARNING, _("More than 3 times the target")),
    Rule("double_count", WARNING, _("The same contract counted twice in a period")),
    Rule("held_without_attendance", WARNING, _("A held event without attendance")),
    Rule("late_without_justification", WARNING, _("A late deliverable without a justification")),
    Rule("risk_not_reviewed", WARNING, _("An open risk not reviewed in the period")),
    Rule(
        "submitted_without_file", WARNING, _("A deliverable approved or submitted without a file")
    ),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_ORDER = {rule.code: k for k, rule in enumerate(RULES)}


@dataclass(frozen=True)
class Finding:
    """One record that trips one rule: what is wrong, with its numbers, and whose it is."""

    code: str
    severity: str  # "error" | "warning"
    message: str
    subject: models.Model
    partner_id: int | None
    period_id: int | None

    @property
    def rule(self) -> Rule:
        return RULES_BY_CODE[self.code]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class Context:
    """What every rule reads besides its own rows: fetched once per run."""

    project: Project
    today: dt.date
    periods: dict[int, ReportingPeriod]  # by id, in number order
    partners: dict[int, Partner]  # by id, with their organisations
    indicators: dict[int, Indicator]  # by id

    def period_of(self, day: dt.date) -> ReportingPeriod | None:
        return next((p for p in self.periods.values() if p.start_date <= day <= p.end_date), None)

    def current_period(self) -> ReportingPeriod | None:
        """The period today falls in; after the last one, the last one; None before the first."""
        started = [p for p in self.periods.values() if p.start_date <= self.today]
        return started[-1] if started else None

    def finding(
        self,
        code: str,
        message: str,
        subject: models.Model,
        *,
        partner_id: int | None,
        period_id: int | None,
    ) -> Finding:
        return Finding(
            code=code,
            severity=RULES_BY_CODE[code].severity,
            message=message,
            subject=subject,
            partner_id=partner_id,
            period_id=period_id,
        )


# Periods, partners, indicators: the queries every run makes before its rules.
CONTEXT_QUERIES = 3


def run_checks(project: Project, *, today: dt.date) -> list[Finding]:
    """Every rule over `project` as of `today`: the findings, errors first, then by rule, partner
    and period. A fixed number of queries (CONTEXT_QUERIES + RULE_QUERIES), whatever the rows;
    reads only, so it is safe to run on every page view."""
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("number"))
    partners = list(
        Partner.objects.filter(project=project).select_related("organisation").order_by("number")
    )
    indicators = list(Indicator.objects.filter(project=project))
    for period in periods:
        period.project = project
    for partner in partners:
        partner.project = project
    for indicator in indicators:
        indicator.project = project
    context = Context(
        project=project,
        today=today,
        periods={p.pk: p for p in periods},
        partners={p.pk: p for p in partners},
        indicators={i.pk: i for i in indicators},
    )
    findings = [finding for rule in CHECKS for finding in rule(context)]
    number = {p.pk: p.number for p in partners}
    period_number = {p.pk: p.number for p in periods}
    findings.sort(
        key=lambda f: (
            0 if f.is_error else 1,
            _ORDER[f.code],
            number.get(f.partner_id or 0, 0),
            period_number.get(f.period_id or 0, 0),
            f.subject._meta.label_lower,
            f.subject.pk,
        )
    )
    return findings


# --- numbers and names in messages ------------------------------------------------------------


def _n(value: Decimal | int | float) -> str:
    """A figure as the pages show it: localised, grouped, decimals only when there are some."""
    return floatformat(value, "-2g")


def _times(value: Decimal, base: Decimal) -> str:
    return floatformat(Decimal(value) / Decimal(base), "-1g")


def _day(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _sum(names: Iterable[str]) -> Any:
    """The sum of nullable counts, the empty ones as zero (the models' own breakdown rule)."""
    total: Any = Value(0)
    for name in names:
        total = total + Coalesce(F(name), 0)
    return total


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions)


def _given(names: Iterable[str]) -> Q:
    """Any of the breakdown's numbers is given: the breakdown is filled in."""
    return _any(Q(**{f"{name}__isnull": False}) for name in names)


# --- entered values ---------------------------------------------------------------------------


def _values(context: Context) -> QuerySet[IndicatorValue]:
    """The project's entered values, as rows to attach the context's indicator, partner and
    period to (no join for them)."""
    return IndicatorValue.objects.filter(indicator__project=context.project).order_by()


def _attach(context: Context, value: IndicatorValue) -> IndicatorValue:
    value.indicator = context.indicators[value.indicator_id]
    value.partner = context.partners[value.partner_id]
    value.period = context.periods[value.period_id]
    return value


def _value_name(value: IndicatorValue) -> dict[str, Any]:
    return {
        "indicator": value.indicator.code,
        "partner": value.partner.code,
        "period": value.period.number,
    }


def value_breakdowns(context: Context) -> Iterator[Finding]:
    """breakdown_sum: a value whose breakdown by gender or by group, given, does not add up to
    the value (to the headcount, for an FTE indicator): IndicatorValue.clean's rule."""
    whole = Case(
        When(indicator__unit=Indicator.Unit.FTE, then=F("headcount")),
        default=F("value"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    breakdowns = Indicator.DISAGGREGATION_FIELDS
    sums = {f"{key}_total": _sum(names) for key, names in breakdowns.items()}
    trips = _any(
        _given(names) & ~Q(**{f"{key}_total": F("whole")}) for key, names in breakdowns.items()
    )
    rows = _values(context).annotate(whole=whole, **sums).filter(whole__isnull=False).filter(trips)
    for value in rows:
        _attach(context, value)
        for key, names in breakdowns.items():
            total = getattr(value, f"{key}_total")
            if all(getattr(value, name) is None for name in names) or total == value.whole:
                continue
            params = {
                **_value_name(value),
                "label": Indicator.Disaggregation(key).label,
                "total": _n(total),
                "whole": _n(value.whole),
            }
            if value.indicator.unit == Indicator.Unit.FTE:
                message = gettext(
                    "%(indicator)s of %(partner)s for RP%(period)s: the breakdown %(label)s "
                    "adds up to %(total)s, not to the headcount of %(whole)s."
                )
            else:
                message = gettext(
                    "%(indicator)s of %(partner)s for RP%(period)s: the breakdown %(label)s "
                    "adds up to %(total)s, not to the value of %(whole)s."
                )
            yield context.finding(
                "breakdown_sum",
                message % params,
                value,
                partner_id=value.partner_id,
                period_id=value.period_id,
            )


def value_fte_above_headcount(context: Context) -> Iterator[Finding]:
    """fte_headcount: an FTE value above the people behind it."""
    rows = _values(context).filter(
        indicator__unit=Indicator.Unit.FTE, headcount__isnull=False, value__gt=F("headcount")
    )
    for value in rows:
        _attach(context, value)
        yield context.finding(
            "fte_headcount",
            gettext(
                "%(indicator)s of %(partner)s for RP%(period)s: %(fte)s full-time equivalents "
                "for %(people)s people; FTE cannot be above the headcount."
            )
            % {**_value_name(value), "fte": _n(value.value), "people": _n(value.headcount or 0)},
            value,
            partner_id=value.partner_id,
            period_id=value.period_id,
        )


def value_jumps(context: Context) -> Iterator[Finding]:
    """jump: a value more than JUMP_FACTOR times the same partner's value of the period just
    before (by number) for the same indicator."""
    previous = IndicatorValue.objects.filter(
        indicator_id=OuterRef("indicator_id"),
        partner_id=OuterRef("partner_id"),
        period__project=context.project,
        period__number=OuterRef("period__number") - 1,
    ).values("value")[:1]
    rows = (
        _values(context)
        .annotate(previous=Subquery(previous, output_field=DecimalField()))
        .filter(previous__gt=0, value__gt=F("previous") * JUMP_FACTOR)
    )
    for value in rows:
        _attach(context, value)
        before: Decimal = value.previous
        yield context.finding(
            "jump",
            gettext(
                "%(indicator)s of %(partner)s for RP%(period)s is %(value)s, %(times)s times the "
                "%(previous)s reported for RP%(previous_period)s: a unit mistake?"
            )
            % {
                **_value_name(value),
                "value": _n(value.value),
                "times": _times(value.value, before),
                "previous": _n(before),
                "previous_period": value.period.number - 1,
            },
            value,
            partner_id=value.partner_id,
            period_id=value.period_id,
        )


def values_above_target(context: Context) -> Iterator[Finding]:
    """above_target: one period's value more than TARGET_FACTOR times the target (the partner's
    own target where it has one, else the project's)."""
    own = PartnerTarget.objects.filter(
        indicator_id=OuterRef("indicator_id"), partner_id=OuterRef("partner_id")
    ).values("target")[:1]
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        _values(context)
        .annotate(own_target=Subquery(own, output_field=money))
        .annotate(target=Coalesce(F("own_target"), F("indicator__target"), output_field=money))
        .filter(target__gt=0, value__gt=F("target") * TARGET_FACTOR)
    )
    for value in rows:
        _attach(context, value)
        target: Decimal = value.target
        params = {
            **_value_name(value),
            "value": _n(value.value),
            "times": _times(value.value, target),
            "target": _n(target),
        }
        if value.own_target is not None:
            message = gettext(
                "%(indicator)s of %(partner)s for RP%(period)s is %(value)s, %(times)s times "
                "the partner's target of %(target)s: a unit mistake?"
            )
        else:
            message = gettext(
                "%(indicator)s of %(partner)s for RP%(period)s is %(value)s, %(times)s times "
                "the project's target of %(target)s: a unit mistake?"
            )
        yield context.finding(
            "above_target",
            message % params,
            value,
            partner_id=value.partner_id,
            period_id=value.period_id,
        )


def missing_values(context: Context) -> Iterator[Finding]:
    """missing_value: a period that has ended, and a partner that reports an entered indicator
    without a submitted (or validated) value for it. The finding is about the indicator: there
    is no value to point at."""
    ended = [p for p in context.periods.values() if p.end_date < context.today]
    owed = [
        (indicator_id, partner_id)
        for indicator_id, partner_id in Indicator.reporting_partners.through.objects.filter(
            indicator__project=context.project, indicator__source=Indicator.Source.ENTERED
        ).values_list("indicator_id", "partner_id")
    ]
    if not ended or not owed:
        return
    statuses = dict(
        ((indicator_id, partner_id, period_id), status)
        for indicator_id, partner_id, period_id, status in _values(context)
        .filter(period__in=ended)
        .values_list("indicator_id", "partner_id", "period_id", "status")
    )
    for period in ended:
        for indicator_id, partner_id in owed:
            status = statuses.get((indicator_id, partner_id, period.pk))
            if status in (IndicatorValue.Status.SUBMITTED, IndicatorValue.Status.VALIDATED):
                continue
            indicator = context.indicators[indicator_id]
            params = {
                "indicator": indicator.code,
                "partner": context.partners[partner_id].code,
                "period": period.number,
                "end": _day(period.end_date),
            }
            if status is None:
                message = gettext(
                    "%(partner)s has not reported %(indicator)s for RP%(period)s, which ended on "
                    "%(end)s."
                )
            else:
                message = gettext(
                    "%(indicator)s of %(partner)s for RP%(period)s is still a draft; the period "
                    "ended on %(end)s."
                )
            yield context.finding(
                "missing_value",
                message % params,
                indicator,
                partner_id=partner_id,
                period_id=period.pk,
            )


def values_without_evidence(context: Context) -> Iterator[Finding]:
    """value_without_evidence: a submitted or validated value of an indicator that requires
    evidence, with no file backing it (a draft is still being put together)."""
    rows = (
        _values(context)
        .filter(indicator__requires_evidence=True)
        .exclude(status=IndicatorValue.Status.DRAFT)
        .filter(~Exists(ValueEvidence.objects.filter(value=OuterRef("pk"))))
    )
    for value in rows:
        _attach(context, value)
        yield context.finding(
            "value_without_evidence",
            gettext(
                "%(indicator)s of %(partner)s for RP%(period)s has no evidence file, which the "
                "indicator requires."
            )
            % _value_name(value),
            value,
            partner_id=value.partner_id,
            period_id=value.period_id,
        )


def values_entered_after_lock(context: Context) -> Iterator[Finding]:
    """entered_after_lock: a value of a locked period that is not validated (see the module's
    docstring: the model refuses such values, so this finds what went around it)."""
    rows = (
        _values(context)
        .filter(period__is_locked=True)
        .exclude(status=IndicatorValue.Status.VALIDATED)
    )
    for value in rows:
        _attach(context, value)
        yield context.finding(
            "entered_after_lock",
            gettext(
                "%(indicator)s of %(partner)s for RP%(period)s is not validated, but RP%(period)s "
                "is locked: it was reported to the funder without this figure, which was entered "
                "or changed after the lock."
            )
            % _value_name(value),
            value,
            partner_id=value.partner_id,
            period_id=value.period_id,
        )


# --- clause outcomes --------------------------------------------------------------------------


def _outcomes(context: Context) -> QuerySet[ClauseOutcome]:
    return (
        ClauseOutcome.objects.filter(clause__tender__project=context.project)
        .select_related("clause__tender", "clause__lot")
        .order_by()
    )


def _attach_outcome(context: Context, outcome: ClauseOutcome) -> ClauseOutcome:
    outcome.period = context.periods[outcome.period_id]
    outcome.clause.tender.project = context.project
    return outcome


def _category(clause: SocialClause) -> str:
    """get_category_display without its per-call hashing of every choice."""
    return str(SocialClause.Category(clause.category).label)


def _outcome_name(outcome: ClauseOutcome) -> dict[str, Any]:
    return {
        "clause": _category(outcome.clause),
        "tender": outcome.clause.tender.reference,
        "period": outcome.period.number,
    }


def _outcome_finding(context: Context, code: str, message: str, outcome: ClauseOutcome) -> Finding:
    return context.finding(
        code,
        message,
        outcome,
        partner_id=outcome.clause.tender.recorded_by_id,
        period_id=outcome.period_id,
    )


def outcome_breakdowns(context: Context) -> Iterator[Finding]:
    """breakdown_sum: an outcome whose breakdown by gender or by group, given, does not add up
    to the people employed (or is given without them): ClauseOutcome.clean's rule."""
    breakdowns = {"gender": ClauseOutcome.GENDER_FIELDS, "group": ClauseOutcome.GROUP_FIELDS}
    sums = {f"{key}_total": _sum(names) for key, names in breakdowns.items()}
    trips = _any(
        _given(names) & (Q(headcount__isnull=True) | ~Q(**{f"{key}_total": F("headcount")}))
        for key, names in breakdowns.items()
    )
    labels = {"gender": gettext("by gender"), "group": gettext("by group")}
    for outcome in _outcomes(context).annotate(**sums).filter(trips):
        _attach_outcome(context, outcome)
        for key, names in breakdowns.items():
            total = getattr(outcome, f"{key}_total")
            given = any(getattr(outcome, name) is not None for name in names)
            if not given or total == outcome.headcount:
                continue
            params = {**_outcome_name(outcome), "label": labels[key], "total": _n(total)}
            if outcome.headcount is None:
                message = gettext(
                    "%(clause)s, tender %(tender)s, RP%(period)s: a breakdown %(label)s of "
                    "%(total)s people, but no number of people employed."
                )
            else:
                params["headcount"] = _n(outcome.headcount)
                message = gettext(
                    "%(clause)s, tender %(tender)s, RP%(period)s: the breakdown %(label)s adds up "
                    "to %(total)s, not to the %(headcount)s people employed."
                )
            yield _outcome_finding(context, "breakdown_sum", message % params, outcome)


def outcome_fte_above_headcount(context: Context) -> Iterator[Finding]:
    """fte_headcount: an outcome reporting more full-time equivalents than people employed."""
    rows = _outcomes(context).filter(
        headcount__isnull=False, fte__isnull=False, fte__gt=F("headcount")
    )
    for outcome in rows:
        _attach_outcome(context, outcome)
        yield _outcome_finding(
            context,
            "fte_headcount",
            gettext(
                "%(clause)s, tender %(tender)s, RP%(period)s: %(fte)s full-time equivalents for "
                "%(people)s people employed; FTE cannot be above the headcount."
            )
            % {
                **_outcome_name(outcome),
                "fte": _n(outcome.fte or 0),
                "people": _n(outcome.headcount or 0),
            },
            outcome,
        )


def _social() -> Q:
    """Outcomes of social clauses: an environmental clause employs nobody."""
    return ~Q(clause__category__in=SocialClause.ENVIRONMENTAL)


def double_counted_outcomes(context: Context) -> Iterator[Finding]:
    """double_count: two outcomes of social clauses counting people employed on the same
    contract for the same period: two clauses of one lot, or one of the whole tender and one of
    its lots (a whole-tender clause applies to every lot's contract). One finding per contract
    and period, about the outcome entered last."""
    # How many such outcomes share the row's tender and period: a window over one scan of the
    # project's outcomes (a correlated EXISTS per row cost ~0.5 s on 2,500 outcomes in SQLite).
    sharing = Window(Count("pk"), partition_by=[F("clause__tender_id"), F("period_id")])
    rows = (
        _outcomes(context)
        .filter(_social(), headcount__gt=0)
        .annotate(sharing=sharing)
        .filter(sharing__gt=1)
    )
    # tender, period -> lot id (None: the whole tender) -> outcomes
    groups: dict[tuple[int, int], dict[int | None, list[ClauseOutcome]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for outcome in rows:
        _attach_outcome(context, outcome)
        key = (outcome.clause.tender_id, outcome.period_id)
        groups[key][outcome.clause.lot_id].append(outcome)
    for lots in groups.values():
        whole = lots.get(None, [])
        contracts: dict[int | None, list[ClauseOutcome]] = {
            lot: [*whole, *listed] for lot, listed in lots.items() if lot is not None
        }
        if not contracts:
            contracts = {None: whole}
        for listed in contracts.values():
            if len(listed) < 2:
                continue
            listed.sort(key=lambda o: o.pk)
            last = listed[-1]
            lot = last.clause.lot
            figures = ", ".join(
                gettext("%(clause)s: %(people)s")
                % {"clause": _category(o.clause), "people": _n(o.headcount or 0)}
                for o in listed
            )
            params = {
                "tender": last.clause.tender.reference,
                "contract": str(lot) if lot is not None else gettext("the whole tender"),
                "period": last.period.number,
                "count": len(listed),
                "figures": figures,
            }
            yield _outcome_finding(
                context,
                "double_count",
                ngettext(
                    "Tender %(tender)s, %(contract)s, RP%(period)s: %(count)s outcome counts "
                    "people employed on the same contract (%(figures)s); the same people may be "
                    "counted twice.",
                    "Tender %(tender)s, %(contract)s, RP%(period)s: %(count)s outcomes count "
                    "people employed on the same contract (%(figures)s); the same people may be "
                    "counted twice.",
                    len(listed),
                )
                % params,
                last,
            )


EVIDENCE_MEASURES: dict[str, str] = {
    Indicator.Measure.PERSONS_EMPLOYED: "headcount__gt",
    Indicator.Measure.PERSONS_WITH_DISABILITIES: "with_disabilities__gt",
}


def outcomes_without_evidence(context: Context) -> Iterator[Finding]:
    """outcome_without_evidence: a validated outcome without evidence, counted by a computed
    indicator that requires evidence (persons employed, or persons with disabilities employed,
    through social clauses)."""
    requiring = [
        i
        for i in context.indicators.values()
        if i.is_computed and i.requires_evidence and i.measure in EVIDENCE_MEASURES
    ]
    if not requiring:
        return
    counted = _any(Q(**{EVIDENCE_MEASURES[i.measure]: 0}) for i in requiring)
    rows = (
        _outcomes(context)
        .filter(_social(), counted, status=ClauseOutcome.Status.VALIDATED)
        .filter(~Exists(OutcomeEvidence.objects.filter(outcome=OuterRef("pk"))))
    )
    for outcome in rows:
        _attach_outcome(context, outcome)
        codes = [
            i.code
            for i in requiring
            if (getattr(outcome, EVIDENCE_MEASURES[i.measure].removesuffix("__gt")) or 0) > 0
        ]
        yield _outcome_finding(
            context,
            "outcome_without_evidence",
            gettext(
                "%(clause)s, tender %(tender)s, RP%(period)s: a validated outcome of %(people)s "
                "people employed has no evidence, which %(indicators)s requires."
            )
            % {
                **_outcome_name(outcome),
                "people": _n(outcome.headcount or 0),
                "indicators": ", ".join(codes),
            },
            outcome,
        )


def outcomes_entered_after_lock(context: Context) -> Iterator[Finding]:
    """entered_after_lock: an outcome of a locked period that is not validated."""
    rows = (
        _outcomes(context)
        .filter(period__is_locked=True)
        .exclude(status=ClauseOutcome.Status.VALIDATED)
    )
    for outcome in rows:
        _attach_outcome(context, outcome)
        yield _outcome_finding(
            context,
            "entered_after_lock",
            gettext(
                "%(clause)s, tender %(tender)s, RP%(period)s: the outcome is not validated, but "
                "RP%(period)s is locked: it was reported to the funder without this figure, which "
                "was entered or changed after the lock."
            )
            % _outcome_name(outcome),
            outcome,
        )


# --- events -----------------------------------------------------------------------------------


def _event_finding(context: Context, code: str, message: str, subject: models.Model) -> Finding:
    event: Event = subject if isinstance(subject, Event) else cast(Any, subject).event
    period = context.period_of(event.local_start.date())
    return context.finding(
        code,
        message,
        subject,
        partner_id=event.organiser_id,
        period_id=period.pk if period else None,
    )


def _attendance_message(attendance: Attendance, label: str, given: int) -> str:
    return gettext(
        "%(event)s: the %(breakdown)s breakdown adds up to %(given)s, not to the %(total)s "
        "participants."
    ) % {
        "event": attendance.event.title,
        "breakdown": label,
        "given": _n(given),
        "total": _n(attendance.total),
    }


def attendance_breakdowns(context: Context) -> Iterator[Finding]:
    """breakdown_sum: attendance whose in person + online, stakeholder or gender breakdown,
    given, does not add up to the total (Attendance.clean's rule); the breakdown by country is
    JSON, summed here for the rows that have one (two queries)."""
    breakdowns = {
        "format": (
            pgettext("attendance breakdown", "in person + online"),
            Attendance.FORMAT_FIELDS,
        ),
        "stakeholders": (
            pgettext("attendance breakdown", "stakeholder category"),
            Attendance.STAKEHOLDER_FIELDS,
        ),
        "genders": (pgettext("attendance breakdown", "gender"), Attendance.GENDER_FIELDS),
    }
    sums = {f"{key}_total": _sum(names) for key, (_label, names) in breakdowns.items()}
    trips = _any(
        _given(names) & ~Q(**{f"{key}_total": F("total")})
        for key, (_label, names) in breakdowns.items()
    )
    attendances = Attendance.objects.filter(event__project=context.project).order_by()
    # The countries first, as narrow rows: only the attendance they find off is fetched whole.
    off_by_country: dict[int, int] = {}
    for pk, total, by_country in attendances.exclude(by_country={}).values_list(
        "pk", "total", "by_country"
    ):
        try:
            given = sum(int(n) for n in by_country.values())
        except (TypeError, ValueError, AttributeError):
            continue  # not numbers: Attendance.clean refuses them, and there is no sum
        if given != total:
            off_by_country[pk] = given
    rows = (
        attendances.select_related("event")
        .annotate(**sums)
        .filter(trips | Q(pk__in=list(off_by_country)))
    )
    for attendance in rows:
        attendance.event.project = context.project
        for key, (label, names) in breakdowns.items():
            total = getattr(attendance, f"{key}_total")
            if any(getattr(attendance, n) is not None for n in names) and total != attendance.total:
                yield _event_finding(
                    context,
                    "breakdown_sum",
                    _attendance_message(attendance, label, total),
                    attendance,
                )
        if attendance.pk in off_by_country:
            yield _event_finding(
                context,
                "breakdown_sum",
                _attendance_message(
                    attendance,
                    pgettext("attendance breakdown", "country"),
                    off_by_country[attendance.pk],
                ),
                attendance,
            )


def held_without_attendance(context: Context) -> Iterator[Finding]:
    """held_without_attendance: an event marked held with no attendance recorded (a data gap of
    the progress report)."""
    rows = Event.objects.filter(
        project=context.project, status=Event.Status.HELD, attendance__isnull=True
    ).order_by()
    for event in rows:
        event.project = context.project
        yield _event_finding(
            context,
            "held_without_attendance",
            gettext("%(event)s was held on %(date)s, but its attendance is not recorded.")
            % {"event": event.title, "date": _day(event.local_start.date())},
            event,
        )


# --- deliverables and risks: the progress report's data gaps ---------------------------------


def late_without_justification(context: Context) -> Iterator[Finding]:
    """late_without_justification: a deliverable late toward the funder (Deliverable.timing)
    with no justification of the delay."""
    rows = (
        Deliverable.objects.filter(project=context.project)
        .filter(
            Q(submitted_date__gt=F("due_date"))
            | Q(submitted_date__isnull=True, due_date__lt=context.today)
        )
        .alias(justification=Trim("delay_justification"))
        .filter(justification="")
        .defer("description", "review_comment")
        .order_by()
    )
    for deliverable in rows:
        if deliverable.timing(context.today) != Deliverable.Timing.LATE:
            continue
        deliverable.project = context.project
        params = {"number": deliverable.number, "due": _day(deliverable.due_date)}
        days = deliverable.delay_days
        if days is not None:
            message = ngettext(
                "%(number)s was submitted %(days)s day after its due date (%(due)s), with no "
                "justification of the delay.",
                "%(number)s was submitted %(days)s days after its due date (%(due)s), with no "
                "justification of the delay.",
                days,
            ) % {**params, "days": days}
        else:
            message = (
                gettext(
                    "%(number)s was due on %(due)s and is not submitted yet, with no "
                    "justification of the delay."
                )
                % params
            )
        period = context.period_of(deliverable.due_date)
        yield context.finding(
            "late_without_justification",
            message,
            deliverable,
            partner_id=deliverable.lead_id,
            period_id=period.pk if period else None,
        )


def submitted_without_file(context: Context) -> Iterator[Finding]:
    """submitted_without_file: a deliverable approved or submitted to the funder with no file
    uploaded."""
    rows = (
        Deliverable.objects.filter(project=context.project, status__in=Deliverable.DONE_STATUSES)
        .filter(~Exists(DeliverableVersion.objects.filter(deliverable=OuterRef("pk"))))
        .defer("description", "delay_justification", "review_comment")
        .order_by()
    )
    for deliverable in rows:
        deliverable.project = context.project
        if deliverable.is_submitted:
            message = gettext("%(number)s is submitted to the funder, but has no file uploaded.")
        else:
            message = gettext("%(number)s is approved, but has no file uploaded.")
        period = context.period_of(deliverable.due_date)
        yield context.finding(
            "submitted_without_file",
            message % {"number": deliverable.number},
            deliverable,
            partner_id=deliverable.lead_id,
            period_id=period.pk if period else None,
        )


def risks_not_reviewed(context: Context) -> Iterator[Finding]:
    """risk_not_reviewed: a risk not closed and not reviewed in the current period (the one today
    falls in)."""
    period = context.current_period()
    if period is None:
        return
    start, end = period.start_date, period.end_date
    rows = (
        Risk.objects.filter(project=context.project)
        .active()
        .filter(
            ~Exists(
                RiskReview.objects.filter(
                    risk=OuterRef("pk"), review_date__gte=start, review_date__lte=end
                )
            )
        )
        .annotate(latest_review=Max("reviews__review_date"))
        .defer("description", "mitigation")
        .order_by()
    )
    for risk in rows:
        risk.project = context.project
        params = {
            "risk": risk.code,
            "period": period.number,
            "start": _day(start),
            "end": _day(end),
        }
        latest: dt.date | None = cast(Any, risk).latest_review  # annotated by the query
        if latest is None:
            message = gettext(
                "%(risk)s has not been reviewed in RP%(period)s (%(start)s to %(end)s), and was "
                "never reviewed."
            )
        else:
            params["latest"] = _day(latest)
            message = gettext(
                "%(risk)s has not been reviewed in RP%(period)s (%(start)s to %(end)s); its "
                "latest review is of %(latest)s."
            )
        yield context.finding(
            "risk_not_reviewed",
            message % params,
            risk,
            partner_id=risk.owner_id,
            period_id=period.pk,
        )


CHECKS: tuple[Callable[[Context], Iterator[Finding]], ...] = (
    value_breakdowns,
    outcome_breakdowns,
    attendance_breakdowns,
    value_fte_above_headcount,
    outcome_fte_above_headcount,
    value_jumps,
    values_above_target,
    missing_values,
    double_counted_outcomes,
    held_without_attendance,
    outcomes_without_evidence,
    values_without_evidence,
    values_entered_after_lock,
    outcomes_entered_after_lock,
    late_without_justification,
    risks_not_reviewed,
    submitted_without_file,
)
# One query per rule (missing_values and attendance_breakdowns: two), whatever the rows; a rule
# with nothing to look at (no period ended, no indicator asking for evidence, no period started)
# skips its query.
RULE_QUERIES = len(CHECKS) + 2
