"""The demo's impact indicators: the consortium's indicators with their targets, the figures
partners reported for RP1 and RP2 (valid, dated as it happened, reviewed by the coordinator), the
computed ones counted from the demo's own events and register, and the two deliberate
discrepancies with their queries, one answered and one open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model

from demo.loader import DemoConflict, load_demo
from impact.computed import computed_values
from impact.models import DataQuery, Indicator, IndicatorValue, PartnerTarget, QueryMessage
from procurement.models import ClauseOutcome, Reservation
from projects.models import Partner, Project, ReportingPeriod

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = dt.date(2024, 11, 4)  # some months after the project ended
PILOTS = ("Dobrich", "Gleisdorf", "Marina de Cudeyo")


@pytest.fixture
def demo(db: None) -> Project:
    return load_demo(today=TODAY)


def _counts() -> dict[str, int]:
    models: tuple[type[Model], ...] = (
        Indicator,
        PartnerTarget,
        IndicatorValue,
        DataQuery,
        QueryMessage,
    )
    return {model.__name__: model._default_manager.count() for model in models}


def _value(code: str, partner: str, period: int) -> IndicatorValue:
    return IndicatorValue.objects.get(
        indicator__code=code, partner__organisation__short_name=partner, period__number=period
    )


def _history(obj: IndicatorValue | DataQuery) -> list[str]:
    return [
        f"{h.history_date.astimezone(BRUSSELS):%Y-%m-%d %H:%M} {h.history_user.email}: "
        f"{h.history_change_reason}"
        for h in obj.history.order_by("history_date", "history_id")
    ]


def test_the_demo_has_the_consortiums_indicators(demo: Project) -> None:
    assert _counts() == {
        "Indicator": 8,
        "PartnerTarget": 9,
        "IndicatorValue": 18,  # three entered indicators x three partners x two periods
        "DataQuery": 2,
        "QueryMessage": 3,  # two questions, one answer
    }
    indicators = Indicator.objects.filter(project=demo)
    assert list(indicators.values_list("code", flat=True)) == [f"KPI{n}" for n in range(1, 9)]
    computed = indicators.filter(source=Indicator.Source.COMPUTED)
    assert {i.measure for i in computed} == {
        Indicator.Measure.TENDERS_WITH_SOCIAL_CLAUSES,
        Indicator.Measure.PERSONS_WITH_DISABILITIES,
        Indicator.Measure.PARTICIPANTS,
        Indicator.Measure.EVENTS_HELD,
        Indicator.Measure.ACTION_PLANS_ADOPTED,
    }
    participants = computed.get(measure=Indicator.Measure.PARTICIPANTS)
    assert participants.event_kind == "roundtable"
    assert participants.disaggregations == [
        Indicator.Disaggregation.STAKEHOLDER,
        Indicator.Disaggregation.GENDER,
    ]
    for indicator in indicators:
        # Every indicator has its target, when it is due, and who answers for it.
        assert indicator.target is not None and indicator.target_month is not None
        assert indicator.responsible is not None and indicator.work_package is not None
        assert len(indicator.definition) > 150, indicator.code
        # Computed ones are owed by nobody; entered ones by the partners that report them.
        assert indicator.reporting_partners.exists() == (not indicator.is_computed)
    disabilities = computed.get(measure=Indicator.Measure.PERSONS_WITH_DISABILITIES)
    assert (disabilities.esf_code, disabilities.sdg_target) == ("EECO12", "8.5")
    assert set(indicators.exclude(sdg_target="").values_list("sdg_target", flat=True)) == {
        "8.5",
        "12.7",
        "17.17",
    }
    fte = indicators.get(unit=Indicator.Unit.FTE)
    assert set(fte.disaggregations) == {"group", "gender"}


def test_partner_targets_add_up_to_the_project_target(demo: Project) -> None:
    for indicator in Indicator.objects.filter(partner_targets__isnull=False).distinct():
        shares = [t.target for t in indicator.partner_targets.all()]
        assert sum(shares) == indicator.target, indicator.code
        owners = {t.partner for t in indicator.partner_targets.all()}
        if not indicator.is_computed:
            assert owners == set(indicator.reporting_partners.all()), indicator.code


def test_every_row_is_valid(demo: Project) -> None:
    """The demo obeys the rules the forms do: each row passes its model's full_clean(), and each
    value did so when it was entered, before its period was locked."""
    for model in (Indicator, PartnerTarget, DataQuery, QueryMessage):
        for row in model._default_manager.all():
            row.full_clean()
    for value in IndicatorValue.objects.select_related("indicator", "period"):
        value.period.is_locked = False  # as it was when the partner entered it
        value.full_clean()


def test_a_locked_period_takes_no_new_figure(demo: Project) -> None:
    """RP1 was locked when the funder accepted it; its figures were all entered before."""
    rp1 = ReportingPeriod.objects.get(project=demo, number=1)
    assert rp1.is_locked and not ReportingPeriod.objects.get(project=demo, number=2).is_locked
    accepted = dt.datetime(2023, 10, 12, tzinfo=BRUSSELS)
    for value in IndicatorValue.objects.filter(period=rp1):
        assert value.entered_at < accepted and value.validated_at is not None
        assert value.validated_at < accepted
        with pytest.raises(ValidationError, match="locked"):
            value.full_clean()


def test_every_reporting_partner_reported_both_periods(demo: Project) -> None:
    for indicator in Indicator.objects.filter(source=Indicator.Source.ENTERED):
        owed = {(p.pk, n) for p in indicator.reporting_partners.all() for n in (1, 2)}
        given = set(indicator.values.values_list("partner_id", "period__number"))
        assert given == owed, indicator.code
    # Each entered after its period ended, by the partner's own staff, and submitted.
    for value in IndicatorValue.objects.select_related("period"):
        assert value.entered_at.date() > value.period.end_date
        assert value.status != IndicatorValue.Status.DRAFT
        entered_by = value.history.earliest("history_date").history_user
        assert entered_by.memberships.get(project=demo).partner == value.partner


def test_breakdowns_add_up_and_fte_stays_within_the_headcount(demo: Project) -> None:
    for value in IndicatorValue.objects.select_related("indicator"):
        indicator = value.indicator
        whole = value.headcount if indicator.unit == Indicator.Unit.FTE else value.value
        for key in indicator.disaggregations:
            names = Indicator.DISAGGREGATION_FIELDS[key]
            parts = [getattr(value, name) for name in names]
            assert None not in parts and sum(parts) == whole, (str(value), key)
        if indicator.unit == Indicator.Unit.FTE:
            assert value.headcount is not None and value.value <= value.headcount


def test_the_fte_in_reserved_lots_are_those_of_the_register(demo: Project) -> None:
    """KPI8 is entered from the suppliers' staff returns, the same ones behind the register's
    outcomes of the reserved lots: the two agree, and a municipality whose reserved contract had
    not started reported 0."""
    for value in IndicatorValue.objects.filter(indicator__code="KPI8"):
        outcome = ClauseOutcome.objects.filter(
            clause__tender__recorded_by=value.partner,
            clause__lot__reservation=Reservation.ART_20,
            period=value.period,
        ).first()
        if outcome is None:
            assert value.value == 0 and value.headcount == 0, str(value)
            continue
        assert (value.value, value.headcount) == (outcome.fte, outcome.headcount), str(value)
        for name in ("with_disabilities", "other_disadvantaged", "group_other", "women", "men"):
            assert getattr(value, name) == getattr(outcome, name), (str(value), name)


def test_the_review_history_says_who_did_what_and_when(demo: Project) -> None:
    value = _value("KPI8", "Gleisdorf", 2)
    assert _history(value) == [
        "2024-04-22 10:00 partner@gleisdorf.example: Entered",
        "2024-04-22 11:30 partner@gleisdorf.example: Submitted",
        "2024-05-06 15:00 coordinator@easpd.example: Validated",
    ]
    assert value.entered_at == dt.datetime(2024, 4, 22, 10, 0, tzinfo=BRUSSELS)
    assert (
        value.validated_by is not None and value.validated_by.email == "coordinator@easpd.example"
    )
    query = DataQuery.objects.about(_value("KPI7", "EUCIE", 2)).get()
    assert _history(query) == [
        "2024-05-08 16:00 coordinator@easpd.example: Raised",
        "2024-05-14 12:00 partner@eucie.example: Answered",
    ]
    assert query.raised_at == dt.datetime(2024, 5, 8, 16, 0, tzinfo=BRUSSELS)
    indicator = Indicator.objects.get(code="KPI6")
    defined = indicator.history.earliest("history_date")
    assert defined.history_change_reason == "Defined"
    assert defined.history_user.email == "coordinator@easpd.example"
    assert defined.history_date == dt.datetime(2022, 11, 14, 14, 0, tzinfo=BRUSSELS)


def _previous(value: IndicatorValue) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(
        indicator=value.indicator, partner=value.partner, period__number=value.period.number - 1
    ).first()


def _partner_target(value: IndicatorValue) -> Decimal | None:
    share = PartnerTarget.objects.filter(indicator=value.indicator, partner=value.partner).first()
    return None if share is None else share.target


def test_two_figures_jump_and_each_has_a_query(demo: Project) -> None:
    """The deliberate discrepancies are of a kind the model accepts (every breakdown adds up)
    and the checks flag: more than 5x the previous period's figure and more than 3x the
    partner's target. Each was held back with a query: Marina de Cudeyo's (hours typed as
    people) is open, EUCIE's (a real jump) answered and waiting for the coordinator."""
    coordinator = "coordinator@easpd.example"
    expected = {
        ("KPI6", "Marina de Cudeyo"): (DataQuery.Status.OPEN, ["question"]),
        ("KPI7", "EUCIE"): (DataQuery.Status.ANSWERED, ["question", "answer"]),
    }
    for (code, partner), (status, thread) in expected.items():
        value = _value(code, partner, 2)
        previous, target = _previous(value), _partner_target(value)
        assert previous is not None and target is not None
        assert value.value > 5 * previous.value and value.value > 3 * target
        assert value.status == IndicatorValue.Status.SUBMITTED  # not validated: queried
        query = DataQuery.objects.about(value).get()
        assert query.project == demo and query.assigned_to == value.partner
        assert query.status == status and query.is_unresolved
        assert query.raised_by is not None and query.raised_by.email == coordinator
        messages = list(query.messages.select_related("author"))
        assert [m.kind for m in messages] == thread
        assert messages[0].text == query.question and messages[0].author == query.raised_by
        if len(messages) > 1:
            answered_by = messages[1].author
            assert answered_by is not None
            assert answered_by.memberships.get(project=demo).partner == value.partner
            assert messages[1].at > messages[0].at
        # The question names the numbers.
        assert str(int(value.value)) in query.question
        assert str(int(previous.value)) in query.question


def test_no_other_figure_jumps(demo: Project) -> None:
    """The two discrepancies are the only ones of their kind: every other figure stays within
    5x the partner's previous one (where there was one above 0) and 3x its target."""
    queried = set(DataQuery.objects.values_list("subject_id", flat=True))
    assert len(queried) == 2
    for value in IndicatorValue.objects.exclude(pk__in=queried):
        previous, target = _previous(value), _partner_target(value)
        if previous is not None and previous.value > 0:
            assert value.value <= 5 * previous.value, str(value)
        if target is not None:
            assert value.value <= 3 * target, str(value)
        assert value.status == IndicatorValue.Status.VALIDATED, str(value)


def test_the_checks_flag_both_discrepancies_and_no_other_figure(demo: Project) -> None:
    """impact/checks.py finds both jumps, each above the partner's target too, and nothing else
    among the entered figures: every partner reported every period it owed."""
    from impact.checks import run_checks

    findings = run_checks(demo, today=TODAY)
    about_values = {
        (f.code, f.subject.pk)
        for f in findings
        if isinstance(f.subject, (IndicatorValue, Indicator))
    }
    marina, eucie = _value("KPI6", "Marina de Cudeyo", 2), _value("KPI7", "EUCIE", 2)
    assert about_values == {
        (code, value.pk) for code in ("jump", "above_target") for value in (marina, eucie)
    }
    # Each query was raised from the jump's finding.
    for value in (marina, eucie):
        assert DataQuery.objects.about(value).get().check_code == "jump"


def test_computed_indicators_equal_a_count_by_hand(demo: Project) -> None:
    """From events.toml and procurement.toml, counted by hand: the roundtables' attendance (the
    first two sessions of Dobrich and Gleisdorf in RP1, the rest after the summer), the pilots'
    tenders by publication date, the validated outcomes' persons with disabilities, and the
    plans adopted in September 2023."""
    partners = {p.organisation.short_name: p.pk for p in Partner.objects.filter(project=demo)}
    periods = {p.number: p.pk for p in demo.periods.all()}
    indicators = list(Indicator.objects.filter(project=demo, source=Indicator.Source.COMPUTED))
    by_code = {i.code: i.pk for i in indicators}
    by_hand = {
        "KPI1": {("Gleisdorf", 1): 1, ("Dobrich", 2): 1, ("Marina de Cudeyo", 2): 1},
        "KPI2": {
            ("Gleisdorf", 1): 2,
            ("Gleisdorf", 2): 2,
            ("Dobrich", 2): 2 + 4,
            ("Marina de Cudeyo", 2): 3,
        },
        "KPI3": {
            ("Dobrich", 1): 24 + 21,
            ("Dobrich", 2): 19,
            ("Gleisdorf", 1): 26 + 22,
            ("Gleisdorf", 2): 20,
            ("Marina de Cudeyo", 2): 18 + 17 + 19,
        },
        "KPI4": {
            ("Dobrich", 1): 2,
            ("Dobrich", 2): 1,
            ("Gleisdorf", 1): 2,
            ("Gleisdorf", 2): 1,
            ("Marina de Cudeyo", 2): 3,
        },
        "KPI5": {(city, 2): 1 for city in PILOTS},
    }
    expected = {
        (by_code[code], partners[partner], periods[period]): Decimal(n)
        for code, counts in by_hand.items()
        for (partner, period), n in counts.items()
    }
    got = {key: value for key, value in computed_values(demo, indicators).items() if value}
    assert got == expected


def test_an_earlier_day_gives_earlier_figures(db: None) -> None:
    """The day of the final conference: RP1's figures only, no query yet."""
    load_demo(today=dt.date(2024, 3, 22))
    assert Indicator.objects.count() == 8
    assert set(IndicatorValue.objects.values_list("period__number", flat=True)) == {1}
    assert set(IndicatorValue.objects.values_list("status", flat=True)) == {
        IndicatorValue.Status.VALIDATED
    }
    assert not DataQuery.objects.exists()


def test_between_question_and_answer_both_queries_are_open(db: None) -> None:
    load_demo(today=dt.date(2024, 5, 10))
    assert set(DataQuery.objects.values_list("status", flat=True)) == {DataQuery.Status.OPEN}
    assert QueryMessage.objects.count() == 2


def test_before_june_2023_the_fte_indicator_is_not_defined(db: None) -> None:
    """KPI8 came in June 2023, once the first reserved lot was awarded; nobody had reported yet."""
    load_demo(today=dt.date(2023, 5, 23))
    assert list(Indicator.objects.values_list("code", flat=True)) == [
        f"KPI{n}" for n in range(1, 8)
    ]
    assert not IndicatorValue.objects.exists()
    assert not ReportingPeriod.objects.filter(is_locked=True).exists()


def test_loading_twice_adds_nothing(demo: Project) -> None:
    before = _counts()
    with pytest.raises(DemoConflict):
        load_demo(today=TODAY)
    assert _counts() == before
