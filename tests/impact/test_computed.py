"""impact.computed: each computed measure equals a count made by hand from the events and their
attendance, the tenders, clause outcomes, deliverables and local action plans built here, with
the same attribution to partners and periods (local event dates across time zones, publication
or award dates, outcome periods); the records behind each figure add up to it; indicator_progress
against targets, by partner and by period; the fixed number of queries; the chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from events.models import Event
from impact.computed import (
    computed_values,
    indicator_progress,
    participant_breakdowns,
    progress_chart,
    source_records,
    source_url,
)
from impact.models import Indicator, IndicatorValue, PartnerTarget
from procurement.models import ClauseOutcome, Reservation, SocialClause, Tender
from procurement.summary import CHART_PLOT_WIDTH
from projects.models import Deliverable, Partner, Project, ReportingPeriod
from tests.events.factories import make_attendance, make_event
from tests.factories import make_deliverable
from tests.impact.factories import make_indicator, make_query, make_value
from tests.procurement.factories import (
    make_action_plan,
    make_clause,
    make_clause_outcome,
    make_contract,
    make_lot,
    make_period,
    make_supplier,
    make_tender,
)

pytestmark = pytest.mark.django_db

M = Indicator.Measure
HELD = Event.Status.HELD
VALIDATED = ClauseOutcome.Status.VALIDATED
BRUSSELS = ZoneInfo("Europe/Brussels")
LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")


def computed(project: Project, measure: str, **fields: object) -> Indicator:
    fields.setdefault("unit", Indicator.Unit.COUNT)
    return make_indicator(
        project,
        source=Indicator.Source.COMPUTED,
        measure=measure,
        **fields,  # type: ignore[arg-type]
    )


class Cast:
    """The cast's project (M1 = October 2022): RP1 = M1-M9, 1 October 2022 to 30 June 2023;
    RP2 = M10-M18, 1 July 2023 to 31 March 2024. P1, P2 and P3 as in tests/conftest.py."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.rp1 = make_period(project, number=1, start_month=1, end_month=9)
        self.rp2 = make_period(project, number=2, start_month=10, end_month=18)
        self.p1, self.p2, self.p3 = (project.partners.get(number=n) for n in (1, 2, 3))


@pytest.fixture
def cast(project: Project) -> Cast:
    return Cast(project)


def figures(values: dict, indicator: Indicator) -> dict[tuple[int | None, int], Decimal]:
    """The figures of one indicator, keyed by (partner id, period id)."""
    return {(k[1], k[2]): v for k, v in values.items() if k[0] == indicator.pk}


# --- events ---------------------------------------------------------------------------------


def held(cast: Cast, when: dt.datetime, **fields: object) -> Event:
    fields.setdefault("status", HELD)
    return make_event(cast.project, starts_at=when, **fields)  # type: ignore[arg-type]


@pytest.fixture
def events(cast: Cast) -> dict[str, Event]:
    """Roundtables and workshops of P2 and P3, held, planned or cancelled, across time zones:

    a  P2 roundtable, 15 March 2023 Brussels, 40 participants            RP1
    b  P2 roundtable, 30 June 2023 23:30 Lisbon (22:30 UTC), 25          RP1 (its local date)
    c  P2 workshop, 1 July 2023 00:30 Brussels (30 June 22:30 UTC), 12   RP2 (its local date)
    d  P3 roundtable, 30 June 2023 20:00 New York (1 July 00:00 UTC), 8  RP1 (its local date)
    e  P3 roundtable, 10 October 2023 Brussels, held without attendance  RP2
    f  P2 roundtable, planned (never held), 99                           none
    g  P2 roundtable, cancelled                                          none
    h  P2 roundtable, 20 May 2024, after the last period, 7              none
    """
    e = {
        "a": held(cast, dt.datetime(2023, 3, 15, 10, tzinfo=BRUSSELS)),
        "b": held(cast, dt.datetime(2023, 6, 30, 23, 30, tzinfo=LISBON), time_zone="Europe/Lisbon"),
        "c": held(cast, dt.datetime(2023, 7, 1, 0, 30, tzinfo=BRUSSELS), kind=Event.Kind.WORKSHOP),
        "d": held(
            cast,
            dt.datetime(2023, 6, 30, 20, tzinfo=NEW_YORK),
            organiser=cast.p3,
            time_zone="America/New_York",
        ),
        "e": held(cast, dt.datetime(2023, 10, 10, 10, tzinfo=BRUSSELS), organiser=cast.p3),
        "f": held(cast, dt.datetime(2023, 3, 1, 10, tzinfo=BRUSSELS), status=Event.Status.PLANNED),
        "g": held(
            cast, dt.datetime(2023, 3, 2, 10, tzinfo=BRUSSELS), status=Event.Status.CANCELLED
        ),
        "h": held(cast, dt.datetime(2024, 5, 20, 10, tzinfo=BRUSSELS)),
    }
    for key, total in {"a": 40, "b": 25, "c": 12, "d": 8, "f": 99, "g": 30, "h": 7}.items():
        make_attendance(e[key], total=total)
    return e


def test_participants_are_the_attendance_of_held_events_by_organiser_and_local_date(
    cast: Cast, events: dict[str, Event]
) -> None:
    participants = computed(cast.project, M.PARTICIPANTS)

    values = figures(computed_values(cast.project, [participants]), participants)

    assert values == {
        (cast.p2.pk, cast.rp1.pk): Decimal(40 + 25),  # a, b
        (cast.p2.pk, cast.rp2.pk): Decimal(12),  # c
        (cast.p3.pk, cast.rp1.pk): Decimal(8),  # d
        (cast.p3.pk, cast.rp2.pk): Decimal(0),  # e: held, no attendance recorded
    }


def test_events_held_are_counted_and_an_event_kind_narrows_them(
    cast: Cast, events: dict[str, Event]
) -> None:
    every = computed(cast.project, M.EVENTS_HELD)
    roundtables = computed(cast.project, M.EVENTS_HELD, event_kind=Event.Kind.ROUNDTABLE)
    workshop_people = computed(cast.project, M.PARTICIPANTS, event_kind=Event.Kind.WORKSHOP)

    values = computed_values(cast.project, [every, roundtables, workshop_people])

    assert figures(values, every) == {
        (cast.p2.pk, cast.rp1.pk): Decimal(2),  # a, b
        (cast.p2.pk, cast.rp2.pk): Decimal(1),  # c
        (cast.p3.pk, cast.rp1.pk): Decimal(1),  # d
        (cast.p3.pk, cast.rp2.pk): Decimal(1),  # e
    }
    assert figures(values, roundtables) == {
        (cast.p2.pk, cast.rp1.pk): Decimal(2),
        (cast.p3.pk, cast.rp1.pk): Decimal(1),
        (cast.p3.pk, cast.rp2.pk): Decimal(1),
    }
    assert figures(values, workshop_people) == {(cast.p2.pk, cast.rp2.pk): Decimal(12)}


def test_a_count_made_by_hand_from_the_events_equals_the_figures(
    cast: Cast, events: dict[str, Event]
) -> None:
    """Every held event, its local start date looked up in the periods by hand."""
    participants = computed(cast.project, M.PARTICIPANTS)
    by_hand: dict[tuple[int, int], Decimal] = {}
    for event in Event.objects.filter(project=cast.project, status=HELD):
        day = event.local_start.date()
        period = next(
            (
                p
                for p in (cast.rp1, cast.rp2)
                if cast.project.month_start(p.start_month)
                <= day
                <= cast.project.month_end(p.end_month)
            ),
            None,
        )
        if period is None:
            continue
        key = (event.organiser_id, period.pk)
        attendance = event.attendance_or_none
        by_hand[key] = by_hand.get(key, Decimal(0)) + (attendance.total if attendance else 0)

    assert figures(computed_values(cast.project, [participants]), participants) == by_hand


def test_the_records_behind_an_event_figure_are_its_events(
    cast: Cast, events: dict[str, Event]
) -> None:
    participants = computed(cast.project, M.PARTICIPANTS)

    records = source_records(participants, partner=cast.p2, period=cast.rp1)

    assert [(r.label, r.amount, r.day) for r in records] == [
        (events["a"].title, Decimal(40), dt.date(2023, 3, 15)),
        (events["b"].title, Decimal(25), dt.date(2023, 6, 30)),
    ]
    assert records[0].url == events["a"].get_absolute_url()
    every = source_records(participants)
    assert {r.label for r in every} == {events[k].title for k in "abcde"}
    assert sum(r.amount for r in every) == 40 + 25 + 12 + 8


def test_the_participants_behind_a_figure_are_broken_down_from_the_attendance(
    cast: Cast,
) -> None:
    first = held(cast, dt.datetime(2023, 3, 1, 10, tzinfo=BRUSSELS))
    make_attendance(
        first, total=10, public_authorities=6, social_economy=4, women=7, men=3,
        by_country={"ES": 8, "BG": 2},
    )  # fmt: skip
    second = held(cast, dt.datetime(2023, 4, 1, 10, tzinfo=BRUSSELS))
    make_attendance(second, total=5, public_authorities=1, companies=4, by_country={"ES": 5})
    held(cast, dt.datetime(2023, 5, 1, 10, tzinfo=BRUSSELS))  # no attendance recorded
    participants = computed(cast.project, M.PARTICIPANTS)

    stakeholders, genders, by_country = participant_breakdowns(source_records(participants))

    assert (stakeholders.events, stakeholders.of_events) == (2, 3)
    assert dict(stakeholders.rows)["public authorities"] == 7
    assert dict(stakeholders.rows)["companies"] == 4
    assert stakeholders.total == 15
    assert (genders.events, genders.rows[:2]) == (1, [("women", 7), ("men", 3)])
    assert by_country.rows == [("Spain", 13), ("Bulgaria", 2)]


# --- the register -----------------------------------------------------------------------------


@pytest.fixture
def register(cast: Cast) -> dict[str, Tender]:
    """Tenders, their clauses, reserved lots and contracts, and clause outcomes:

    T1  P3's, published 1 March 2023 (RP1), EUR 120,000, a disability clause; its lot reserved
        (Art. 20) and awarded; RP1 outcome validated (2 employed, 2 with disabilities), RP2
        outcome only submitted (3, 3).
    T2  P2's, published 1 September 2023 (RP2), EUR 80,000, a training clause; lot 2 reserved
        and awarded, lot 1 awarded, not reserved; RP2 outcome validated (4 employed, 1 with
        disabilities).
    T3  P3's, published 1 May 2023 (RP1), EUR 40,000, only a GPP (environmental) clause.
    T4  P3's, published 1 April 2023, cancelled, with a disability clause: in no figure.
    T5  P2's, never published (negotiated), awarded 2 October 2023 (RP2), EUR 5,000, a gender
        clause.
    T6  P3's, published 1 June 2024, after the last period, with a clause: in no figure.
    """
    p = cast.project
    supplier = make_supplier()
    t1 = make_tender(p, reference="T1", estimated_value=Decimal("120000"))
    lot = t1.lots.get()
    lot.reservation = Reservation.ART_20
    lot.save()
    disability = make_clause(t1)
    make_contract(
        lot, supplier=supplier, declared_share=40, share_evidence="Registered sheltered workshop."
    )
    make_clause_outcome(
        disability, cast.rp1, headcount=2, with_disabilities=2, group_other=0, status=VALIDATED
    )
    make_clause_outcome(
        disability,
        cast.rp2,
        achieved=Decimal(3),
        headcount=3,
        with_disabilities=3,
        status=ClauseOutcome.Status.SUBMITTED,
    )

    t2 = make_tender(
        p,
        reference="T2",
        recorded_by=cast.p2,
        publication_date=dt.date(2023, 9, 1),
        estimated_value=Decimal("80000"),
        lots=2,
    )
    lot1, lot2 = t2.lots.order_by("number")
    lot2.reservation = Reservation.ART_20
    lot2.save()
    training = make_clause(
        t2,
        category=SocialClause.Category.APPRENTICESHIPS,
        target_unit=SocialClause.Unit.HOURS,
        target_quantity=Decimal(500),
    )
    make_contract(lot1, supplier=supplier, start_date=dt.date(2023, 10, 1))
    make_contract(
        lot2,
        supplier=supplier,
        start_date=dt.date(2023, 10, 1),
        declared_share=80,
        share_evidence="CEE.",
    )
    make_clause_outcome(
        training,
        cast.rp2,
        achieved=Decimal(300),
        headcount=4,
        with_disabilities=1,
        other_disadvantaged=3,
        status=VALIDATED,
    )

    t3 = make_tender(
        p, reference="T3", publication_date=dt.date(2023, 5, 1), estimated_value=Decimal("40000")
    )
    make_clause(t3, category=SocialClause.Category.GPP, stage=SocialClause.Stage.SPECIFICATION)

    t4 = make_tender(
        p,
        reference="T4",
        status=Tender.Status.CANCELLED,
        publication_date=dt.date(2023, 4, 1),
        estimated_value=Decimal("10000"),
    )
    make_clause(t4)

    t5 = make_tender(
        p,
        reference="T5",
        recorded_by=cast.p2,
        procedure=Tender.Procedure.NEGOTIATED_WITHOUT_PUBLICATION,
        publication_date=None,
        status=Tender.Status.AWARDED,
        award_date=dt.date(2023, 10, 2),
        estimated_value=Decimal("5000"),
    )
    make_clause(t5, category=SocialClause.Category.GENDER_EQUALITY, target_quantity=None)

    t6 = make_tender(p, reference="T6", publication_date=dt.date(2024, 6, 1))
    make_clause(t6)
    make_lot(t6, reservation=Reservation.ART_20)
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6}


def test_tenders_with_social_clauses_count_by_recorder_and_publication_or_award(
    cast: Cast, register: dict[str, Tender]
) -> None:
    tenders = computed(cast.project, M.TENDERS_WITH_SOCIAL_CLAUSES)
    value = computed(cast.project, M.SOCIAL_TENDER_VALUE, unit=Indicator.Unit.EUR)

    values = computed_values(cast.project, [tenders, value])

    # T3 (only environmental) and T4 (cancelled) count nowhere, nor T6 (after RP2); T5 by its
    # award date. A group without a social tender still has its key (0): T3's.
    assert figures(values, tenders) == {
        (cast.p3.pk, cast.rp1.pk): Decimal(1),  # T1 (T3 has no social clause)
        (cast.p2.pk, cast.rp2.pk): Decimal(2),  # T2, T5
    }
    assert figures(values, value) == {
        (cast.p3.pk, cast.rp1.pk): Decimal("120000"),
        (cast.p2.pk, cast.rp2.pk): Decimal("85000"),
    }


def test_contracts_on_reserved_lots_are_counted_with_their_tender(
    cast: Cast, register: dict[str, Tender]
) -> None:
    reserved = computed(cast.project, M.RESERVED_CONTRACTS)

    values = figures(computed_values(cast.project, [reserved]), reserved)

    # T1's one lot (reserved, awarded); T2's lot 2 (reserved, awarded; lot 1 is not reserved);
    # T6's reserved lot has no contract and is after the last period anyway.
    assert {k: v for k, v in values.items() if v} == {
        (cast.p3.pk, cast.rp1.pk): Decimal(1),
        (cast.p2.pk, cast.rp2.pk): Decimal(1),
    }


def test_persons_employed_are_the_validated_outcomes_by_their_period(
    cast: Cast, register: dict[str, Tender]
) -> None:
    employed = computed(cast.project, M.PERSONS_EMPLOYED, unit=Indicator.Unit.PERSONS)
    disabled = computed(cast.project, M.PERSONS_WITH_DISABILITIES, unit=Indicator.Unit.PERSONS)

    values = computed_values(cast.project, [employed, disabled])

    # T1's RP2 outcome is only submitted: not on record yet.
    assert figures(values, employed) == {
        (cast.p3.pk, cast.rp1.pk): Decimal(2),
        (cast.p2.pk, cast.rp2.pk): Decimal(4),
    }
    assert figures(values, disabled) == {
        (cast.p3.pk, cast.rp1.pk): Decimal(2),
        (cast.p2.pk, cast.rp2.pk): Decimal(1),
    }


def test_a_count_made_by_hand_from_the_register_equals_the_figures(
    cast: Cast, register: dict[str, Tender]
) -> None:
    social = computed(cast.project, M.TENDERS_WITH_SOCIAL_CLAUSES)
    employed = computed(cast.project, M.PERSONS_EMPLOYED)
    values = computed_values(cast.project, [social, employed])
    periods = (cast.rp1, cast.rp2)

    by_hand: dict[tuple[int, int], Decimal] = {}
    for tender in Tender.objects.filter(project=cast.project).exclude(
        status=Tender.Status.CANCELLED
    ):
        day = tender.publication_date or tender.award_date
        assert day is not None
        period = next((p for p in periods if p.start_date <= day <= p.end_date), None)
        has_social = any(not c.is_environmental for c in tender.clauses.all())
        if period is not None and has_social:
            key = (tender.recorded_by_id, period.pk)
            by_hand[key] = by_hand.get(key, Decimal(0)) + 1
    assert {k: v for k, v in figures(values, social).items() if v} == by_hand

    people: dict[tuple[int, int], Decimal] = {}
    for outcome in ClauseOutcome.objects.filter(status=VALIDATED):
        key = (outcome.clause.tender.recorded_by_id, outcome.period_id)
        people[key] = people.get(key, Decimal(0)) + (outcome.headcount or 0)
    assert figures(values, employed) == people


@pytest.mark.parametrize(
    "measure",
    [
        M.TENDERS_WITH_SOCIAL_CLAUSES,
        M.SOCIAL_TENDER_VALUE,
        M.RESERVED_CONTRACTS,
        M.PERSONS_EMPLOYED,
        M.PERSONS_WITH_DISABILITIES,
    ],
)
def test_the_records_behind_each_register_figure_add_up_to_it(
    cast: Cast, register: dict[str, Tender], measure: str
) -> None:
    indicator = computed(cast.project, measure)
    values = figures(computed_values(cast.project, [indicator]), indicator)

    for (partner_id, period_id), value in values.items():
        assert partner_id is not None  # every record of the register has its partner
        partner = Partner.objects.get(pk=partner_id)
        period = ReportingPeriod.objects.get(pk=period_id)
        records = source_records(indicator, partner=partner, period=period)
        assert sum((r.amount for r in records), Decimal(0)) == value, (partner, period)
        assert all(r.url.startswith("/p/co-resp/tenders/") for r in records)


def test_the_records_behind_the_social_tenders_are_named(
    cast: Cast, register: dict[str, Tender]
) -> None:
    indicator = computed(cast.project, M.TENDERS_WITH_SOCIAL_CLAUSES)

    records = source_records(indicator, partner=cast.p2, period=cast.rp2)

    assert [r.label for r in records] == [str(register["t2"]), str(register["t5"])]
    assert [r.day for r in records] == [dt.date(2023, 9, 1), dt.date(2023, 10, 2)]
    assert records[0].url == register["t2"].get_absolute_url()


# --- deliverables and plans -------------------------------------------------------------------


def test_deliverables_submitted_count_for_their_lead_in_the_period_of_submission(
    cast: Cast, work_package: object
) -> None:
    wp = cast.project.work_packages.get()
    submitted = Deliverable.Status.SUBMITTED
    make_deliverable(wp, number="D1.1", status=submitted, submitted_date=dt.date(2023, 3, 31))
    make_deliverable(wp, number="D1.2", status=submitted, submitted_date=dt.date(2023, 7, 2))
    make_deliverable(
        wp, number="D1.3", lead=cast.p3, status=submitted, submitted_date=dt.date(2023, 6, 30)
    )
    make_deliverable(wp, number="D1.4", status=Deliverable.Status.APPROVED)  # not submitted
    indicator = computed(cast.project, M.DELIVERABLES_SUBMITTED)

    values = figures(computed_values(cast.project, [indicator]), indicator)

    assert values == {
        (cast.p2.pk, cast.rp1.pk): Decimal(1),
        (cast.p2.pk, cast.rp2.pk): Decimal(1),
        (cast.p3.pk, cast.rp1.pk): Decimal(1),
    }
    records = source_records(indicator, partner=cast.p2)
    assert [r.label for r in records] == ["D1.1 Deliverable D1.1", "D1.2 Deliverable D1.2"]
    assert records[0].url == "/p/co-resp/deliverables/D1.1/"


def test_local_action_plans_adopted_count_for_their_partner_by_adoption_date(
    cast: Cast,
) -> None:
    make_action_plan(cast.project, adopted_on=dt.date(2023, 2, 1))
    make_action_plan(cast.project, adopted_on=dt.date(2023, 6, 30))
    make_action_plan(cast.project, partner=cast.p2, adopted_on=dt.date(2023, 12, 1))
    make_action_plan(cast.project, partner=cast.p2)  # not adopted yet
    indicator = computed(cast.project, M.ACTION_PLANS_ADOPTED)

    values = figures(computed_values(cast.project, [indicator]), indicator)

    assert values == {
        (cast.p3.pk, cast.rp1.pk): Decimal(2),
        (cast.p2.pk, cast.rp2.pk): Decimal(1),
    }
    assert len(source_records(indicator, period=cast.rp1)) == 2


# --- what computed_values costs ---------------------------------------------------------------


def test_all_measures_take_one_query_per_source_table(
    cast: Cast, events: dict[str, Event], register: dict[str, Tender]
) -> None:
    indicators = [computed(cast.project, m) for m in M.values]
    indicators += [computed(cast.project, m, code=f"X{n}") for n, m in enumerate(M.values)]
    entered = make_indicator(cast.project)

    with CaptureQueriesContext(connection) as queries:
        values = computed_values(cast.project, [*indicators, entered])

    # periods; event time zones, events; tenders; outcomes; deliverables; plans.
    assert len(queries) == 7, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    assert not any(k[0] == entered.pk for k in values)


def test_entered_indicators_alone_cost_no_query(cast: Cast) -> None:
    entered = make_indicator(cast.project)
    with CaptureQueriesContext(connection) as queries:
        assert computed_values(cast.project, [entered]) == {}
    assert len(queries) == 0


def test_without_periods_nothing_is_computed(project: Project) -> None:
    make_event(project, status=HELD)
    indicator = computed(project, M.EVENTS_HELD)
    assert computed_values(project, [indicator]) == {}


# --- progress against the targets ---------------------------------------------------------------


@pytest.fixture
def entered(cast: Cast, coordinator: User) -> Indicator:
    """KPI1, reported by P2 and P3, target 20 persons (P2 12, P3 8):

    P2: RP1 5 validated, RP2 6 submitted;  P3: RP1 3 validated (queried), RP2 4 draft."""
    indicator = make_indicator(cast.project, code="KPI1", target=Decimal(20))
    PartnerTarget.objects.create(indicator=indicator, partner=cast.p2, target=Decimal(12))
    PartnerTarget.objects.create(indicator=indicator, partner=cast.p3, target=Decimal(8))
    v = IndicatorValue.Status
    make_value(indicator, cast.p2, cast.rp1, value=Decimal(5), status=v.VALIDATED)
    make_value(indicator, cast.p2, cast.rp2, value=Decimal(6), status=v.SUBMITTED)
    queried = make_value(indicator, cast.p3, cast.rp1, value=Decimal(3), status=v.VALIDATED)
    make_value(indicator, cast.p3, cast.rp2, value=Decimal(4))
    make_query(queried, project=cast.project, assigned_to=cast.p3, raised_by=coordinator)
    return indicator


def test_progress_counts_validated_values_and_shows_the_others(
    cast: Cast, entered: Indicator
) -> None:
    (progress,) = indicator_progress(cast.project)

    assert progress.indicator == entered
    assert (progress.target, progress.achieved, progress.awaiting) == (
        Decimal(20),
        Decimal(8),  # 5 + 3 validated
        Decimal(6),  # P2's RP2, submitted
    )
    assert progress.percent == Decimal("40.0")
    p2, p3 = progress.partners
    assert (p2.partner, p2.target, p2.achieved, p2.percent) == (
        cast.p2,
        Decimal(12),
        Decimal(5),
        Decimal("41.7"),
    )
    assert p2.reports_it and p3.reports_it
    assert [(f.value, f.status, f.counts) for f in p3.figures] == [
        (Decimal(3), IndicatorValue.Status.VALIDATED, True),
        (Decimal(4), IndicatorValue.Status.DRAFT, False),
    ]
    assert [f.has_open_query for f in p3.figures] == [True, False]
    assert [(p.period, p.achieved, p.awaiting) for p in progress.periods] == [
        (cast.rp1, Decimal(8), Decimal(0)),
        (cast.rp2, Decimal(0), Decimal(6)),
    ]


def test_a_partner_that_must_report_has_a_row_without_values(
    cast: Cast,
) -> None:
    make_indicator(cast.project, reporting_partners=[cast.p1])

    (progress,) = indicator_progress(cast.project)

    (row,) = progress.partners
    assert row.partner == cast.p1
    assert [f.is_missing for f in row.figures] == [True, True]
    assert row.achieved == 0


def test_one_partners_progress_is_against_its_own_target(cast: Cast, entered: Indicator) -> None:
    (progress,) = indicator_progress(cast.project, partner=cast.p3)

    assert (progress.target, progress.achieved, progress.percent) == (
        Decimal(8),
        Decimal(3),
        Decimal("37.5"),
    )
    assert [row.partner for row in progress.partners] == [cast.p3]


def test_per_cent_figures_are_averaged(cast: Cast) -> None:
    indicator = make_indicator(cast.project, unit=Indicator.Unit.PERCENT, target=Decimal(30))
    make_value(indicator, cast.p2, cast.rp1, value=Decimal(20), status="validated")
    make_value(indicator, cast.p3, cast.rp1, value=Decimal(40), status="validated")

    (progress,) = indicator_progress(cast.project)

    assert progress.is_average
    assert progress.achieved == Decimal(30)
    assert progress.percent == Decimal("100.0")


def test_computed_progress_links_each_figure_to_its_records(
    cast: Cast, events: dict[str, Event]
) -> None:
    indicator = computed(cast.project, M.PARTICIPANTS, code="KPI9", target=Decimal(100))

    (progress,) = indicator_progress(cast.project)

    assert progress.achieved == Decimal(40 + 25 + 12 + 8)
    assert progress.percent == Decimal("85.0")
    p2 = progress.partners[0]
    assert p2.partner == cast.p2
    assert [f.value for f in p2.figures] == [Decimal(65), Decimal(12)]
    assert p2.figures[0].source_url == source_url(indicator, partner=cast.p2, period=cast.rp1)
    assert p2.figures[0].source_url == "/p/co-resp/indicators/KPI9/?partner=2&period=1#sources"
    assert progress.periods[1].source_url == "/p/co-resp/indicators/KPI9/?period=2#sources"
    assert progress.source_url == "/p/co-resp/indicators/KPI9/#sources"


def test_progress_costs_the_same_for_every_size(cast: Cast, entered: Indicator) -> None:
    computed(cast.project, M.EVENTS_HELD)
    computed(cast.project, M.PERSONS_EMPLOYED)
    with CaptureQueriesContext(connection) as queries:
        indicator_progress(cast.project)
    # indicators, reporting partners, partner targets; partners; periods; event zones, events,
    # outcomes (no held events: the zones query finds none, and events are not counted);
    # values; open queries.
    listing = "\n".join(q["sql"][:120] for q in queries.captured_queries)
    assert len(queries) == 3 + 1 + 1 + 1 + 1 + 1 + 1, listing


# --- the chart --------------------------------------------------------------------------------


def test_the_chart_has_the_whole_then_each_partner_on_one_scale(
    cast: Cast, entered: Indicator
) -> None:
    (progress,) = indicator_progress(cast.project)

    chart = progress_chart(progress)

    assert [row.label for row in chart.rows] == ["All partners", "P2 CoopLab", "P3 Voorbeeld"]
    target, achieved = chart.rows[0].bars
    assert (target.is_target, target.width) == (True, CHART_PLOT_WIDTH)  # the largest: 20
    assert achieved.width == round(8 / 20 * CHART_PLOT_WIDTH, 1)
    assert target.label == "Target: 20 persons"
    assert achieved.label == "Achieved: 8 persons (40 %)"
    assert chart.rows[1].title == ("P2 CoopLab: Target: 12 persons; Achieved: 5 persons (41.7 %)")


def test_the_chart_of_an_indicator_without_target_says_so(cast: Cast) -> None:
    make_indicator(cast.project, target=None)

    (progress,) = indicator_progress(cast.project)
    chart = progress_chart(progress)

    assert chart.rows[0].bars[0].label == "No target set"
    assert chart.rows[0].bars[0].width == 0
