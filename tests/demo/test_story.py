"""The demo's data files: all of them read, every name in them points at someone, and a typo in
them stops the reading with the file and the key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from demo.story import (
    DATA,
    FILES,
    AttendanceRecord,
    ContractRecord,
    People,
    Step,
    StoryError,
    read_story,
    record_from_table,
)
from procurement.models import validate_cpv


def test_every_data_file_is_read() -> None:
    assert sorted(path.name for path in DATA.glob("*.toml")) == sorted(FILES)


def test_the_story_has_the_whole_project() -> None:
    story = read_story()
    assert story.plan.project.acronym == "CO-RESP"
    assert len(story.partners) == 7
    assert len(story.people.people) == 10
    assert len(story.plan.work_packages) == 5
    assert len(story.deliverables.deliverables) == 22
    assert len(story.milestones.milestones) == 6
    assert len(story.risks.risks) == 11
    assert len(story.events.events) == 12
    assert len(story.reports.reports) == 4
    procurement = story.procurement
    assert len(procurement.tenders) == 3
    assert len(procurement.action_plans) == 3
    assert len(procurement.good_practices) == 4
    assert len(procurement.suppliers) == 6
    impact = story.impact
    assert len(impact.indicators) == 8
    assert len(impact.values) == 18
    assert len(impact.queries) == 2


def test_every_name_in_the_story_points_at_someone() -> None:
    story = read_story()
    partners = {partner.short_name for partner in story.partners}
    people = {person.key for person in story.people.people}
    assert len(partners) == len(story.partners) and len(people) == len(story.people.people)
    assert {person.partner for person in story.people.people} - {None} <= partners
    assert {wp.lead for wp in story.plan.work_packages} <= partners
    deliverables = story.deliverables.deliverables
    assert {d.lead for d in deliverables} <= partners
    assert {step.by for d in deliverables for step in d.steps} <= people
    assert {step.action for d in deliverables for step in d.steps} <= set(
        story.deliverables.step_times
    )
    risks = story.risks.risks
    assert {risk.owner for risk in risks} <= partners
    assert {risk.raised_by for risk in risks} | {r.by for risk in risks for r in risk.reviews} <= (
        people
    )
    events = story.events.events
    assert {event.organiser for event in events} <= partners
    assert {o.owner for event in events for o in event.outcomes} - {None} <= partners
    assert {report.event for report in story.reports.reports} <= {event.key for event in events}
    numbers = {wp.number for wp in story.plan.work_packages}
    assert {n for m in story.milestones.milestones for n in m.work_packages} <= numbers
    assert {n for risk in risks for n in risk.work_packages} <= numbers

    procurement = story.procurement
    keys = {event.key for event in events}
    tenders = procurement.tenders
    assert {t.authority for t in tenders} | {t.recorded_by for t in tenders} <= partners
    assert {t.work_package for t in tenders} - {None} <= numbers
    suppliers = {s.key for s in procurement.suppliers}
    contracts = [c for t in tenders if t.award for c in t.award.contracts]
    assert {c.supplier for c in contracts} == suppliers  # each supplier won something
    plans = procurement.action_plans
    assert {plan.partner for plan in plans} <= partners
    assert {plan.adopted_at for plan in plans} <= keys
    references = {t.reference for t in tenders}
    actions = [action for plan in plans for action in plan.actions]
    assert {a.tender for a in actions} - {None} <= references
    practices = procurement.good_practices
    assert {a for action in actions for a in action.good_practices} <= {p.key for p in practices}
    assert {p.found_at for p in practices} <= keys and {p.recorded_by for p in practices} <= (
        partners
    )

    impact = story.impact
    codes = {indicator.code for indicator in impact.indicators}
    assert len(codes) == len(impact.indicators)
    for indicator in impact.indicators:
        named = {indicator.responsible} | set(indicator.reporting_partners)
        assert named - {None} <= partners, indicator.code
        assert {t.partner for t in indicator.partner_targets} <= partners, indicator.code
        assert indicator.work_package is None or indicator.work_package in numbers
    periods = {period.number for period in story.plan.reporting_periods}
    for value in impact.values:
        assert value.indicator in codes and value.partner in partners
        assert value.period in periods
    entered = {(v.indicator, v.partner, v.period) for v in impact.values}
    assert len(entered) == len(impact.values)  # one value per indicator, partner and period
    for query in impact.queries:
        assert (query.indicator, query.partner, query.period) in entered


def test_every_cpv_code_has_its_check_digit() -> None:
    for tender in read_story().procurement.tenders:
        for code in tender.cpv_codes:
            validate_cpv(code)


def test_the_register_happens_in_order() -> None:
    """Each tender is recorded once published, its contracts start after the award is recorded
    (so a clause goes into execution after it), its outcomes are reported after their period
    and validated after they were submitted, before the funder accepted the period's report;
    each plan is recorded after the roundtable that adopted it, and after the tenders its
    actions point at."""
    story = read_story()
    procurement = story.procurement
    periods = {period.number: period for period in story.plan.reporting_periods}
    start = story.plan.project.start_date
    recorded = {}
    for tender in procurement.tenders:
        assert tender.recorded_on >= tender.publication_date, tender.reference
        recorded[tender.reference] = tender.recorded_on
        award = tender.award
        assert award is not None
        assert tender.publication_date <= award.date <= award.recorded_on, tender.reference
        for contract in award.contracts:
            assert contract.start_date >= award.recorded_on, tender.reference
        for clause in tender.clauses:
            for outcome in clause.outcomes:
                period = periods[outcome.period]
                # The first day after the period (M1 starts on the project's start date).
                year, month = divmod(start.month - 1 + period.end_month, 12)
                assert outcome.submitted_on >= dt.date(start.year + year, month + 1, 1)
                assert outcome.validated_on is not None
                assert outcome.validated_on >= outcome.submitted_on
                if period.accepted_on is not None:
                    assert outcome.validated_on < period.accepted_on, tender.reference
    events = {event.key: event for event in story.events.events}
    for plan in procurement.action_plans:
        assert plan.adopted_on == events[plan.adopted_at].start.date()
        assert plan.recorded_on > plan.adopted_on
        for action in plan.actions:
            if action.tender is not None:
                assert recorded[action.tender] <= plan.recorded_on, plan.title
            if action.done_on is not None:
                assert action.done_on >= plan.recorded_on, plan.title
    for practice in procurement.good_practices:
        assert practice.recorded_on > events[practice.found_at].end.date()


def test_the_impact_figures_happen_in_order() -> None:
    """Each value is entered once its indicator is defined and its period is over, submitted and
    validated after that, all before the funder accepted the period's report (which locks it);
    each query is raised after the value was submitted, and answered after it was raised."""
    story = read_story()
    impact = story.impact
    periods = {period.number: period for period in story.plan.reporting_periods}
    start = story.plan.project.start_date
    defined = {indicator.code: indicator.defined_on for indicator in impact.indicators}
    submitted = {}
    for value in impact.values:
        period = periods[value.period]
        year, month = divmod(start.month - 1 + period.end_month, 12)
        assert value.entered_on >= dt.date(start.year + year, month + 1, 1), value
        assert value.entered_on > defined[value.indicator], value
        assert value.submitted_on is not None and value.submitted_on >= value.entered_on
        if value.validated_on is not None:
            assert value.validated_on >= value.submitted_on, value
        if period.accepted_on is not None:
            assert value.validated_on is not None and value.validated_on < period.accepted_on
        submitted[(value.indicator, value.partner, value.period)] = value
    for query in impact.queries:
        value = submitted[(query.indicator, query.partner, query.period)]
        assert value.submitted_on is not None and query.raised_on > value.submitted_on
        assert value.validated_on is None  # the coordinator asked instead of validating
        if query.answer is not None:
            assert query.answer.on > query.raised_on


def test_a_template_gives_its_fields_with_the_city_filled_in() -> None:
    events = {event.key: event for event in read_story().events.events}
    dobrich = events["dobrich-1"]
    assert dobrich.title == "Local roundtable in Dobrich (1 of 3): mapping the contracts"
    assert dobrich.kind == "roundtable" and dobrich.work_package == 3
    assert dobrich.agenda[0].speakers == ("Mayor's office, Dobrich",)
    # Its own fields stay its own.
    assert dobrich.city == "Dobrich" and dobrich.time_zone == "Europe/Sofia"
    assert events["marina-de-cudeyo-3"].agenda[-1].speakers == ("Mayor's office, Marina de Cudeyo",)


def test_the_risk_reviews_come_in_date_order() -> None:
    """demo/loader.py lets each review set the risk's scores: so each must be the latest."""
    for risk in read_story().risks.risks:
        days = [review.on for review in risk.reviews]
        assert days == sorted(days) and all(day >= risk.raised_on for day in days), risk.title


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(StoryError, match=r"deliverables.toml.steps\[0\]: unknown field whom"):
        record_from_table(
            Step,
            {"on": dt.date(2023, 1, 1), "action": "start", "by": "naso", "whom": "naso"},
            "deliverables.toml.steps[0]",
        )


def test_a_missing_field_is_refused() -> None:
    with pytest.raises(StoryError, match=r"people\.toml: missing field joined_at"):
        record_from_table(People, {"password": "x", "people": []}, "people.toml")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-01-01", "expected date"),
        (dt.datetime(2023, 1, 1, 9, 0), "expected date"),  # a date-time is no date
    ],
)
def test_a_value_of_the_wrong_type_is_refused(value: object, expected: str) -> None:
    with pytest.raises(StoryError, match=expected):
        record_from_table(Step, {"on": value, "action": "start", "by": "naso"}, "a step")


def test_a_yes_is_no_number() -> None:
    with pytest.raises(StoryError, match="total: expected int, got True"):
        record_from_table(AttendanceRecord, {"total": True}, "attendance")


def test_a_list_of_the_wrong_things_is_refused() -> None:
    with pytest.raises(StoryError, match=r"people\[0\]: expected a table"):
        record_from_table(
            People,
            {"password": "x", "joined_at": dt.datetime(2022, 9, 26, 9), "people": ["someone"]},
            "people",
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(48200, Decimal(48200)), ("48200.50", Decimal("48200.50")), ("65", Decimal(65))],
)
def test_an_amount_is_an_integer_or_a_string(value: object, expected: Decimal) -> None:
    contract = record_from_table(
        ContractRecord,
        {
            "lot": 1,
            "supplier": "s",
            "supplier_type": "wise",
            "awarded_value": value,
            "start_date": dt.date(2024, 1, 1),
        },
        "a contract",
    )
    assert contract.awarded_value == expected


@pytest.mark.parametrize("value", [48200.5, "48 200", "NaN", True])
def test_an_amount_is_never_a_float_or_words(value: object) -> None:
    with pytest.raises(StoryError, match="awarded_value: expected an amount"):
        record_from_table(
            ContractRecord,
            {
                "lot": 1,
                "supplier": "s",
                "supplier_type": "wise",
                "awarded_value": value,
                "start_date": dt.date(2024, 1, 1),
            },
            "a contract",
        )
