"""The demo's social procurement register: each pilot's chain from its roundtable to what its
clauses delivered, valid rows, dated as it happened, and loaded only once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model

from demo.loader import DemoConflict, load_demo
from events.models import Event
from procurement.models import (
    ART_20_MINIMUM_SHARE,
    ClauseOutcome,
    Contract,
    GoodPractice,
    LocalActionPlan,
    Lot,
    PlanAction,
    Reservation,
    SocialClause,
    Tender,
    validate_cpv,
)
from projects.models import Organisation, Project

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = dt.date(2024, 11, 4)  # some months after the project ended
PILOTS = ("Dobrich", "Gleisdorf", "Marina de Cudeyo")


@pytest.fixture
def demo(db: None) -> Project:
    return load_demo(today=TODAY)


def _counts() -> dict[str, int]:
    models: tuple[type[Model], ...] = (
        Tender,
        Lot,
        SocialClause,
        Contract,
        ClauseOutcome,
        LocalActionPlan,
        PlanAction,
        GoodPractice,
        Organisation,
    )
    return {model.__name__: model._default_manager.count() for model in models}


def test_the_register_holds_the_pilots_procurement(demo: Project) -> None:
    assert _counts() == {
        "Tender": 3,
        "Lot": 6,
        "SocialClause": 9,
        "Contract": 6,
        "ClauseOutcome": 8,
        "LocalActionPlan": 3,
        "PlanAction": 10,
        "GoodPractice": 4,
        "Organisation": 7 + 6,  # the partners' and the six suppliers
    }
    authorities = Tender.objects.values_list("authority__short_name", flat=True)
    assert sorted(authorities) == sorted(PILOTS)
    assert set(Tender.objects.values_list("status", flat=True)) == {Tender.Status.AWARDED}
    # Every outcome went through the review: none left a draft or waiting.
    assert set(ClauseOutcome.objects.values_list("status", flat=True)) == {
        ClauseOutcome.Status.VALIDATED
    }
    assert set(ClauseOutcome.objects.values_list("period__number", flat=True)) == {1, 2}


def test_every_row_is_valid(demo: Project) -> None:
    """The demo obeys the rules the forms do: each row passes its model's full_clean()."""
    models: tuple[type[Model], ...] = (
        Tender,
        Lot,
        SocialClause,
        Contract,
        ClauseOutcome,
        LocalActionPlan,
        PlanAction,
        GoodPractice,
    )
    for model in models:
        for row in model._default_manager.all():
            row.full_clean()
    for tender in Tender.objects.all():
        for code in tender.cpv_codes:
            validate_cpv(code)  # the check digit too


@pytest.mark.parametrize("city", PILOTS)
def test_each_pilot_follows_the_chain_from_roundtable_to_outcome(demo: Project, city: str) -> None:
    """roundtable -> local action plan -> action -> tender -> clause -> outcome, in one
    municipality, each link its own."""
    plan = LocalActionPlan.objects.get(project=demo, partner__organisation__short_name=city)
    roundtable = plan.adopted_at
    assert roundtable is not None and roundtable.kind == Event.Kind.ROUNDTABLE
    assert roundtable.city == city and roundtable.organiser == plan.partner
    assert roundtable.status == Event.Status.HELD
    assert plan.adopted_on == roundtable.local_start.date()
    assert 2 <= plan.actions.count() <= 4

    action = plan.actions.get(tender__isnull=False)
    tender = action.tender
    assert tender is not None
    assert tender.authority == plan.partner.organisation and tender.recorded_by == plan.partner
    assert 2 <= tender.clauses.count() <= 3
    assert len(tender.cpv_codes) >= 2 and tender.cpv_division == tender.main_cpv[:2]

    # A reserved lot, awarded to a social economy supplier that declared its share.
    reserved = tender.lots.get(reservation=Reservation.ART_20)
    contract = reserved.contract
    assert contract.is_social_economy
    assert contract.declared_share is not None and contract.declared_share >= ART_20_MINIMUM_SHARE
    assert contract.share_evidence
    assert contract.supplier.short_name not in PILOTS
    assert tender.lots.filter(contract__isnull=True).count() == 0

    outcomes = ClauseOutcome.objects.filter(clause__tender=tender)
    assert outcomes.exists()
    for outcome in outcomes:
        lot = outcome.clause.lot
        assert lot is not None
        # Reported only for a period the lot's contract had started in.
        assert outcome.period.end_date >= lot.contract.start_date
        assert outcome.validated_by is not None and outcome.validated_by.email.startswith(
            "coordinator@"
        )
        assert outcome.clause.status == SocialClause.Status.IN_EXECUTION


def test_the_clauses_cover_the_kinds_the_pilots_used(demo: Project) -> None:
    clauses = SocialClause.objects.filter(tender__project=demo)
    stages = set(clauses.values_list("stage", flat=True))
    assert {
        SocialClause.Stage.RESERVATION,
        SocialClause.Stage.SPECIFICATION,
        SocialClause.Stage.AWARD,
        SocialClause.Stage.PERFORMANCE,
    } <= stages
    disability = clauses.get(
        stage=SocialClause.Stage.PERFORMANCE,
        category=SocialClause.Category.DISABILITY_EMPLOYMENT,
        tender__authority__short_name="Dobrich",
    )
    assert disability.target_unit == SocialClause.Unit.PERSONS and disability.target_quantity == 3
    for award in clauses.filter(stage=SocialClause.Stage.AWARD):
        assert award.weight_percent is not None and 0 < award.weight_percent <= 100
    assert clauses.filter(category=SocialClause.Category.ACCESSIBILITY).count() >= 2
    # One tender combines social and environmental clauses.
    environmental = [c for c in clauses if c.is_environmental]
    assert len(environmental) == 1
    assert environmental[0].tender.clauses.exclude(pk=environmental[0].pk).exists()


def test_a_work_integration_social_enterprise_holds_a_contract(demo: Project) -> None:
    contract = Contract.objects.get(supplier_type=Contract.SupplierType.WISE)
    assert contract.supplier.kind == Organisation.Kind.WISE
    assert contract.lot.reservation == Reservation.ART_20
    assert contract.lot.tender.authority.short_name == "Gleisdorf"
    # The three reserved lots went to social economy suppliers, the others to companies.
    for row in Contract.objects.all():
        assert row.is_social_economy == row.lot.is_reserved
        assert row.awarded_value <= (row.lot.estimated_value or Decimal(0))


def test_outcomes_are_aggregates_that_add_up(demo: Project) -> None:
    for outcome in ClauseOutcome.objects.select_related("clause"):
        # Every outcome gives the headcount and both breakdowns in full (no field left empty).
        genders = [getattr(outcome, name) for name in ClauseOutcome.GENDER_FIELDS]
        groups = [getattr(outcome, name) for name in ClauseOutcome.GROUP_FIELDS]
        assert outcome.headcount is not None and outcome.fte is not None
        assert None not in genders and None not in groups
        assert outcome.fte <= outcome.headcount
        assert sum(genders) == sum(groups) == outcome.headcount
        if outcome.clause.target_unit == SocialClause.Unit.PERCENT_WORKFORCE:
            share = Decimal(100 * groups[0]) / outcome.headcount  # with disabilities
            assert outcome.achieved == share.quantize(Decimal("0.01"))
    # Gleisdorf's hours clause: the two periods together stay below the hours promised.
    hours = SocialClause.objects.get(target_unit=SocialClause.Unit.HOURS)
    done = sum(o.achieved for o in hours.outcomes.all())
    assert hours.target_quantity is not None and done < hours.target_quantity


def test_rp1_outcomes_were_validated_before_the_period_was_locked(demo: Project) -> None:
    rp1 = ClauseOutcome.objects.filter(period__number=1)
    assert rp1.count() == 2
    assert {o.clause.tender.authority.short_name for o in rp1} == {"Gleisdorf"}
    for outcome in rp1:
        assert outcome.period.is_locked  # accepted by the funder on 12 October 2023
        assert outcome.validated_at is not None
        assert outcome.validated_at.date() < dt.date(2023, 10, 12)


def _history(obj: Tender | ClauseOutcome | PlanAction) -> list[str]:
    return [
        f"{h.history_date.astimezone(BRUSSELS):%Y-%m-%d %H:%M} {h.history_user.email}: "
        f"{h.history_change_reason}"
        for h in obj.history.order_by("history_date", "history_id")
    ]


def test_the_history_says_who_did_what_and_when(demo: Project) -> None:
    tender = Tender.objects.get(reference="DOB-2023-041")
    assert _history(tender) == [
        "2023-09-13 10:00 partner@dobrich.example: Recorded",
        "2023-11-27 10:00 partner@dobrich.example: Award recorded",
    ]
    assert tender.created_at == dt.datetime(2023, 9, 13, 10, 0, tzinfo=BRUSSELS)
    outcome = ClauseOutcome.objects.get(
        clause__tender=tender, clause__stage=SocialClause.Stage.PERFORMANCE
    )
    assert _history(outcome) == [
        "2024-04-15 10:00 partner@dobrich.example: Recorded",
        "2024-04-15 11:30 partner@dobrich.example: Submitted",
        "2024-04-29 15:00 coordinator@easpd.example: Validated",
    ]
    assert outcome.submitted_at == dt.datetime(2024, 4, 15, 11, 30, tzinfo=BRUSSELS)
    action = PlanAction.objects.get(tender=tender)
    assert _history(action) == [
        "2023-11-02 10:00 partner@dobrich.example: Recorded",
        "2023-11-27 10:00 partner@dobrich.example: Done",
    ]
    clause = outcome.clause
    assert [h.status for h in clause.history.order_by("history_date")] == [
        SocialClause.Status.PLANNED,
        SocialClause.Status.IN_EXECUTION,
    ]
    assert clause.history.latest("history_date").history_date.date() == dt.date(2024, 1, 2)


def test_good_practices_were_found_on_the_mission(demo: Project) -> None:
    mission = Event.objects.get(project=demo, kind=Event.Kind.MISSION)
    practices = GoodPractice.objects.filter(project=demo)
    assert 3 <= practices.count() <= 5
    for practice in practices:
        assert practice.found_at == mission
        assert practice.country == mission.country
        assert practice.instruments and practice.results and practice.sector
        assert practice.recorded_by.organisation.short_name == "EUCIE"
    # Actions of every plan draw on them.
    assert GoodPractice.objects.filter(actions__isnull=False).distinct().count() >= 3
    assert {
        a.plan.partner.organisation.short_name
        for a in PlanAction.objects.filter(good_practices__isnull=False)
    } == set(PILOTS)


def test_an_earlier_day_gives_an_earlier_register(db: None) -> None:
    """The day of the final conference: RP2's outcomes are not reported yet."""
    load_demo(today=dt.date(2024, 3, 22))
    assert Tender.objects.count() == 3 and LocalActionPlan.objects.count() == 3
    assert set(ClauseOutcome.objects.values_list("period__number", flat=True)) == {1}
    # Marina de Cudeyo's second action was done only in April.
    action = PlanAction.objects.get(
        plan__partner__organisation__short_name="Marina de Cudeyo", number=2
    )
    assert action.status == PlanAction.Status.IN_PROGRESS


def test_before_the_roundtables_only_the_first_tender_is_there(db: None) -> None:
    load_demo(today=dt.date(2023, 5, 23))
    tender = Tender.objects.get()
    assert tender.authority.short_name == "Gleisdorf"
    assert tender.status == Tender.Status.PUBLISHED and tender.award_date is None
    assert not Contract.objects.exists() and not ClauseOutcome.objects.exists()
    assert set(SocialClause.objects.values_list("status", flat=True)) == {
        SocialClause.Status.PLANNED
    }
    assert not LocalActionPlan.objects.exists()
    assert GoodPractice.objects.count() == 4


def test_loading_twice_adds_nothing(demo: Project) -> None:
    before = _counts()
    with pytest.raises(DemoConflict):
        load_demo(today=TODAY)
    assert _counts() == before
