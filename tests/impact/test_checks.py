"""impact.checks: each rule with a record that trips it and one that does not, the order and
severities of the findings, and a query count that stays the same for few records and many.

The cast's project runs M1 = October 2022 to M18 = March 2024; RP1 is M1-M9 (1 October 2022 to
30 June 2023) and RP2 M10-M18 (1 July 2023 to 31 March 2024). The checks run as of TODAY, in RP2:
RP1 has ended, RP2 has not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from events.models import Attendance, Event
from impact.checks import (
    CONTEXT_QUERIES,
    RULE_QUERIES,
    RULES,
    RULES_BY_CODE,
    Finding,
    run_checks,
)
from impact.models import Indicator, IndicatorValue, PartnerTarget, ValueEvidence
from procurement.models import ClauseOutcome, Contract, Lot, OutcomeEvidence, SocialClause
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Organisation,
    Partner,
    Project,
    ReportingPeriod,
    Risk,
    RiskReview,
)
from tests.events.factories import make_attendance, make_event
from tests.factories import make_deliverable, make_risk
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_period,
    make_supplier,
    make_tender,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 1, 15)
SUBMITTED = IndicatorValue.Status.SUBMITTED
VALIDATED = IndicatorValue.Status.VALIDATED
C = SocialClause.Category


@pytest.fixture
def rp1(project: Project) -> ReportingPeriod:
    return make_period(project, number=1, start_month=1, end_month=9)


@pytest.fixture
def rp2(project: Project, rp1: ReportingPeriod) -> ReportingPeriod:
    return make_period(project, number=2, start_month=10, end_month=18)


@pytest.fixture
def p2(project: Project) -> Partner:
    return project.partners.get(number=2)


@pytest.fixture
def p3(project: Project) -> Partner:
    return project.partners.get(number=3)


def found(project: Project, code: str, today: dt.date = TODAY) -> list[Finding]:
    return [f for f in run_checks(project, today=today) if f.code == code]


def messages(project: Project, code: str, today: dt.date = TODAY) -> list[str]:
    return [f.message for f in found(project, code, today)]


def indicator(project: Project, **fields: object) -> Indicator:
    """An entered indicator nobody owes (so that missing_value stays quiet), unless told."""
    fields.setdefault("reporting_partners", [])
    return make_indicator(project, **fields)  # type: ignore[arg-type]


def award(lot: Lot) -> Contract:
    """The lot's contract, to the one supplier of these tests."""
    supplier = Organisation.objects.filter(short_name="Integra Valencia").first()
    return make_contract(lot, supplier=supplier or make_supplier())


# --- breakdown_sum ----------------------------------------------------------------------------


def test_a_value_whose_gender_breakdown_does_not_add_up_is_an_error(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = indicator(project, code="KPI1")
    # Created without clean(): as an import or the admin could, which the check is there for.
    wrong = make_value(kpi, p2, rp1, value=Decimal(15), women=5, men=7)
    make_value(kpi, p3, rp1, value=Decimal(15), women=8, men=7)

    [finding] = found(project, "breakdown_sum")

    assert finding.subject == wrong
    assert (finding.severity, finding.partner_id, finding.period_id) == ("error", p2.pk, rp1.pk)
    assert finding.message == (
        "KPI1 of P2 for RP1: the breakdown by gender adds up to 12, not to the value of 15."
    )


def test_an_fte_value_breakdown_adds_up_to_the_headcount(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = indicator(project, code="KPI2", unit=Indicator.Unit.FTE)
    make_value(kpi, p2, rp1, value=Decimal("3.5"), headcount=5, with_disabilities=2, group_other=2)
    make_value(kpi, p3, rp1, value=Decimal("3.5"), headcount=4, with_disabilities=2, group_other=2)

    assert messages(project, "breakdown_sum") == [
        "KPI2 of P2 for RP1: the breakdown by group (persons with disabilities, other "
        "disadvantaged, other) adds up to 4, not to the headcount of 5."
    ]


def test_an_outcome_whose_breakdown_does_not_add_up_to_the_people_employed(
    project: Project, rp1: ReportingPeriod, p3: Partner
) -> None:
    tender = make_tender(project, reference="T1")
    award(tender.lots.get())
    clause = make_clause(tender)
    training = make_clause(tender, category=SocialClause.Category.APPRENTICESHIPS)
    unemployed = make_clause(tender, category=SocialClause.Category.LONG_TERM_UNEMPLOYED)
    wrong = make_clause_outcome(clause, rp1, headcount=4, women=1, men=2)
    without_people = make_clause_outcome(
        training, rp1, achieved=Decimal(10), headcount=None, women=1, men=1
    )
    make_clause_outcome(unemployed, rp1, headcount=4, women=2, men=2)

    findings = found(project, "breakdown_sum")

    assert [f.subject for f in findings] == [wrong, without_people]
    assert {f.partner_id for f in findings} == {p3.pk}
    assert [f.message for f in findings] == [
        "Employment of persons with disabilities, tender T1, RP1: the breakdown by gender adds "
        "up to 3, not to the 4 people employed.",
        "Apprenticeships and training, tender T1, RP1: a breakdown by gender of 2 people, but no "
        "number of people employed.",
    ]


def test_attendance_whose_breakdowns_do_not_add_up_to_the_total(
    project: Project, rp2: ReportingPeriod, p2: Partner
) -> None:
    event = make_event(project, title="Roundtable Valencia", status=Event.Status.HELD)
    # Attendance.clean refuses these: created around it, as the check exists for.
    wrong = Attendance.objects.create(
        event=event, total=40, women=20, men=10, by_country={"BE": 30, "NL": 5}
    )
    right = make_event(project, title="Roundtable Gent", status=Event.Status.HELD)
    make_attendance(right, total=40, women=20, men=20, public_authorities=40, by_country={"BE": 40})

    findings = found(project, "breakdown_sum")

    assert [f.subject for f in findings] == [wrong, wrong]
    assert {(f.partner_id, f.period_id) for f in findings} == {(p2.pk, rp2.pk)}
    assert [f.message for f in findings] == [
        "Roundtable Valencia: the gender breakdown adds up to 30, not to the 40 participants.",
        "Roundtable Valencia: the country breakdown adds up to 35, not to the 40 participants.",
    ]


# --- fte_headcount ----------------------------------------------------------------------------


def test_fte_above_the_headcount_in_a_value_and_in_an_outcome(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = indicator(project, code="KPI3", unit=Indicator.Unit.FTE)
    too_many = make_value(kpi, p2, rp1, value=Decimal(6), headcount=5)
    make_value(kpi, p3, rp1, value=Decimal(5), headcount=5)
    tender = make_tender(project, reference="T1")
    award(tender.lots.get())
    outcome = make_clause_outcome(make_clause(tender), rp1, headcount=2, fte=Decimal("2.5"))
    other = make_clause(tender, category=SocialClause.Category.LONG_TERM_UNEMPLOYED)
    make_clause_outcome(
        other,
        make_period(project, number=2, start_month=10, end_month=18),
        headcount=2,
        fte=Decimal(2),
    )

    findings = found(project, "fte_headcount")

    assert [f.subject for f in findings] == [too_many, outcome]
    assert [f.message for f in findings] == [
        "KPI3 of P2 for RP1: 6 full-time equivalents for 5 people; FTE cannot be above the "
        "headcount.",
        "Employment of persons with disabilities, tender T1, RP1: 2.50 full-time equivalents "
        "for 2 people employed; FTE cannot be above the headcount.",
    ]


# --- jump and above_target --------------------------------------------------------------------


def test_a_value_more_than_five_times_the_previous_periods_is_a_likely_unit_mistake(
    project: Project, rp1: ReportingPeriod, rp2: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = indicator(project, code="KPI1", target=None)
    make_value(kpi, p2, rp1, value=Decimal(4))
    jumped = make_value(kpi, p2, rp2, value=Decimal(21))
    make_value(kpi, p3, rp1, value=Decimal(4))
    make_value(kpi, p3, rp2, value=Decimal(20))  # five times exactly: not more

    [finding] = found(project, "jump")

    assert (finding.subject, finding.severity, finding.period_id) == (jumped, "warning", rp2.pk)
    assert finding.message == (
        "KPI1 of P2 for RP2 is 21, 5.3 times the 4 reported for RP1: a unit mistake?"
    )


def test_a_value_more_than_three_times_the_target(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = indicator(project, code="KPI1", target=Decimal(20))
    make_value(kpi, p2, rp1, value=Decimal(60))  # three times exactly: not more
    above = make_value(kpi, p3, rp1, value=Decimal(61))
    other = indicator(project, code="KPI2", target=Decimal(100))
    PartnerTarget.objects.create(indicator=other, partner=p2, target=Decimal(10))
    above_own = make_value(other, p2, rp1, value=Decimal(31))
    make_value(other, p3, rp1, value=Decimal(31))  # P3 has no target of its own: 100

    findings = found(project, "above_target")

    assert [f.subject for f in findings] == [above_own, above]
    assert [f.message for f in findings] == [
        "KPI2 of P2 for RP1 is 31, 3.1 times the partner's target of 10: a unit mistake?",
        "KPI1 of P3 for RP1 is 61, 3.1 times the project's target of 20: a unit mistake?",
    ]


# --- missing_value ----------------------------------------------------------------------------


def test_a_partner_that_must_report_has_no_value_for_an_ended_period(
    project: Project, rp1: ReportingPeriod, rp2: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = make_indicator(project, code="KPI1", reporting_partners=[p2, p3])
    make_value(kpi, p2, rp1, status=SUBMITTED)
    # RP2 has not ended on TODAY: nothing is owed for it yet.

    [finding] = found(project, "missing_value")

    assert (finding.subject, finding.partner_id, finding.period_id) == (kpi, p3.pk, rp1.pk)
    assert finding.message == "P3 has not reported KPI1 for RP1, which ended on 30 Jun 2023."


def test_a_draft_is_not_reported_yet(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = make_indicator(project, code="KPI1", reporting_partners=[p3])
    make_value(kpi, p3, rp1)
    make_value(kpi, p2, rp1)  # P2 does not report KPI1: its draft owes nothing

    assert messages(project, "missing_value") == [
        "KPI1 of P3 for RP1 is still a draft; the period ended on 30 Jun 2023."
    ]
    IndicatorValue.objects.filter(partner=p3).update(status=VALIDATED)
    assert messages(project, "missing_value") == []


def test_a_computed_indicator_is_owed_by_nobody(project: Project, rp1: ReportingPeriod) -> None:
    computed = make_indicator(
        project, source=Indicator.Source.COMPUTED, measure=Indicator.Measure.EVENTS_HELD
    )
    computed.reporting_partners.set(project.partners.all())  # left over from its entered days
    assert found(project, "missing_value") == []


# --- double_count -----------------------------------------------------------------------------


def test_two_outcomes_on_the_same_contract_for_the_same_period_may_count_people_twice(
    project: Project, rp1: ReportingPeriod, rp2: ReportingPeriod, p3: Partner
) -> None:
    tender = make_tender(project, reference="T1", lots=2)
    lot1, lot2 = tender.lots.order_by("number")
    award(lot1)
    award(lot2)
    whole = make_clause(tender)  # the whole tender: both lots' contracts
    on_lot2 = make_clause(tender, lot=lot2, category=SocialClause.Category.LONG_TERM_UNEMPLOYED)
    make_clause_outcome(whole, rp1, headcount=3)
    last = make_clause_outcome(on_lot2, rp1, headcount=2)
    # The same clauses in RP2: one outcome only. An environmental clause employs nobody.
    make_clause_outcome(whole, rp2, headcount=3)
    green = make_clause(tender, lot=lot2, category=SocialClause.Category.GPP)
    make_clause_outcome(green, rp2, headcount=3)

    [finding] = found(project, "double_count")

    assert (finding.subject, finding.partner_id, finding.period_id) == (last, p3.pk, rp1.pk)
    assert finding.severity == "warning"
    assert finding.message == (
        "Tender T1, Lot 2: Lot 2, RP1: 2 outcomes count people employed on the same contract "
        "(Employment of persons with disabilities: 3, Long-term unemployed: 2); the same people "
        "may be counted twice."
    )


def test_outcomes_of_different_lots_are_different_contracts(
    project: Project, rp1: ReportingPeriod
) -> None:
    tender = make_tender(project, reference="T1", lots=2)
    lot1, lot2 = tender.lots.order_by("number")
    award(lot1)
    award(lot2)
    make_clause_outcome(make_clause(tender, lot=lot1), rp1, headcount=3)
    make_clause_outcome(make_clause(tender, lot=lot2), rp1, headcount=2)

    assert found(project, "double_count") == []


# --- held_without_attendance ------------------------------------------------------------------


def test_a_held_event_without_attendance(
    project: Project, rp2: ReportingPeriod, p2: Partner
) -> None:
    held = make_event(project, title="Roundtable Valencia", status=Event.Status.HELD)
    counted = make_event(project, title="Roundtable Gent", status=Event.Status.HELD)
    make_attendance(counted)
    make_event(project, title="Planned roundtable")  # not held: nothing to count yet

    [finding] = found(project, "held_without_attendance")

    assert (finding.subject, finding.partner_id, finding.period_id) == (held, p2.pk, rp2.pk)
    assert finding.message == (
        "Roundtable Valencia was held on 22 Mar 2024, but its attendance is not recorded."
    )


# --- outcome_without_evidence and value_without_evidence --------------------------------------


def evidence_indicator(project: Project, measure: str) -> Indicator:
    return make_indicator(
        project,
        code="KPI9",
        source=Indicator.Source.COMPUTED,
        measure=measure,
        requires_evidence=True,
    )


def add_outcome_evidence(outcome: ClauseOutcome) -> None:
    OutcomeEvidence.objects.create(
        outcome=outcome,
        file="procurement/evidence/payroll.pdf",
        original_name="payroll.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
    )


def test_a_validated_outcome_without_evidence_where_the_indicator_requires_it(
    project: Project, rp1: ReportingPeriod, rp2: ReportingPeriod, p3: Partner
) -> None:
    tender = make_tender(project, reference="T1")
    award(tender.lots.get())
    clause = make_clause(tender)
    bare = make_clause_outcome(clause, rp1, headcount=3, status=ClauseOutcome.Status.VALIDATED)
    backed = make_clause_outcome(clause, rp2, headcount=3, status=ClauseOutcome.Status.VALIDATED)
    add_outcome_evidence(backed)
    other = make_clause(tender, category=SocialClause.Category.LONG_TERM_UNEMPLOYED)
    make_clause_outcome(other, rp1, status=ClauseOutcome.Status.SUBMITTED)  # not validated yet

    assert found(project, "outcome_without_evidence") == []  # no indicator asks for evidence

    evidence_indicator(project, Indicator.Measure.PERSONS_EMPLOYED)
    [finding] = found(project, "outcome_without_evidence")

    assert (finding.subject, finding.partner_id, finding.severity) == (bare, p3.pk, "error")
    assert finding.message == (
        "Employment of persons with disabilities, tender T1, RP1: a validated outcome of 3 "
        "people employed has no evidence, which KPI9 requires."
    )


def test_persons_with_disabilities_need_evidence_only_where_they_are_counted(
    project: Project, rp1: ReportingPeriod
) -> None:
    evidence_indicator(project, Indicator.Measure.PERSONS_WITH_DISABILITIES)
    tender = make_tender(project, reference="T1")
    award(tender.lots.get())
    counted = make_clause_outcome(
        make_clause(tender),
        rp1,
        headcount=2,
        with_disabilities=2,
        group_other=0,
        status=ClauseOutcome.Status.VALIDATED,
    )
    make_clause_outcome(
        make_clause(tender, category=SocialClause.Category.LONG_TERM_UNEMPLOYED),
        rp1,
        headcount=2,
        with_disabilities=0,
        group_other=2,
        status=ClauseOutcome.Status.VALIDATED,
    )

    assert [f.subject for f in found(project, "outcome_without_evidence")] == [counted]


def test_a_submitted_value_without_evidence_where_the_indicator_requires_it(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner, coordinator: User
) -> None:
    kpi = indicator(project, code="KPI1", requires_evidence=True)
    bare = make_value(kpi, p2, rp1, status=SUBMITTED)
    backed = make_value(kpi, p3, rp1, status=VALIDATED)
    ValueEvidence.objects.create(
        value=backed,
        file="impact/evidence/list.pdf",
        original_name="list.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        uploaded_by=coordinator,
    )
    make_value(kpi, p3, make_period(project, number=2, start_month=10, end_month=18))  # a draft
    make_value(indicator(project, code="KPI2"), p2, rp1, status=SUBMITTED)  # needs none

    [finding] = found(project, "value_without_evidence")

    assert (finding.subject, finding.partner_id) == (bare, p2.pk)
    assert finding.message == (
        "KPI1 of P2 for RP1 has no evidence file, which the indicator requires."
    )


# --- entered_after_lock -----------------------------------------------------------------------


def test_the_model_refuses_a_value_in_a_locked_period_so_the_check_finds_none(
    project: Project, rp1: ReportingPeriod, p2: Partner
) -> None:
    kpi = indicator(project, code="KPI1")
    validated = make_value(kpi, p2, rp1, status=VALIDATED)
    rp1.is_locked = True
    rp1.save()
    late = IndicatorValue(
        indicator=kpi, partner=project.partners.get(number=3), period=rp1, value=Decimal(7)
    )

    with pytest.raises(ValidationError, match="RP1 is locked"):
        late.full_clean()

    assert late.pk is None
    assert found(project, "entered_after_lock") == []
    validated.refresh_from_db()
    assert validated.status == VALIDATED  # what the funder got stays, and is no finding


def test_a_figure_that_went_around_the_lock_is_an_error(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = indicator(project, code="KPI1")
    rp1.is_locked = True
    rp1.save()
    around = make_value(kpi, p2, rp1)  # objects.create: no clean(), as a script would
    tender = make_tender(project, reference="T1")
    award(tender.lots.get())
    # ClauseOutcome does not refuse a locked period: the check is its only guard.
    outcome = make_clause_outcome(make_clause(tender), rp1, status=ClauseOutcome.Status.SUBMITTED)
    make_clause_outcome(
        make_clause(tender, category=SocialClause.Category.LONG_TERM_UNEMPLOYED),
        rp1,
        status=ClauseOutcome.Status.VALIDATED,
    )

    findings = found(project, "entered_after_lock")

    assert [f.subject for f in findings] == [around, outcome]
    assert [(f.severity, f.partner_id) for f in findings] == [("error", p2.pk), ("error", p3.pk)]
    assert findings[0].message == (
        "KPI1 of P2 for RP1 is not validated, but RP1 is locked: it was reported to the funder "
        "without this figure, which was entered or changed after the lock."
    )


# --- the progress report's data gaps ----------------------------------------------------------


def test_a_late_deliverable_without_a_justification(
    project: Project, rp1: ReportingPeriod, deliverable: Deliverable, p2: Partner
) -> None:
    wp = deliverable.work_package
    submitted: dict[str, Any] = {
        "status": Deliverable.Status.SUBMITTED,
        "submitted_date": dt.date(2023, 4, 12),
    }
    late_submitted = make_deliverable(wp, number="D1.2", due_month=6, **submitted)
    make_deliverable(
        wp, number="D1.3", due_month=6, delay_justification="Translation.", **submitted
    )
    make_deliverable(wp, number="D1.4", due_month=6, delay_justification="  ")
    make_deliverable(wp, number="D1.5", due_month=18)  # due 31 March 2024: pending on TODAY

    findings = found(project, "late_without_justification")

    assert [f.subject.number for f in findings] == ["D1.1", "D1.2", "D1.4"]  # type: ignore[attr-defined]
    assert {(f.partner_id, f.period_id, f.severity) for f in findings} == {
        (p2.pk, rp1.pk, "warning")
    }
    assert findings[0].message == (
        "D1.1 was due on 31 Mar 2023 and is not submitted yet, with no justification of the delay."
    )
    assert findings[1].subject == late_submitted
    assert findings[1].message == (
        "D1.2 was submitted 12 days after its due date (31 Mar 2023), with no justification of "
        "the delay."
    )


def test_an_open_risk_not_reviewed_in_the_current_period(
    project: Project, rp2: ReportingPeriod, p2: Partner, p3: Partner, coordinator: User
) -> None:
    stale = make_risk(project, owner=p2)
    RiskReview.objects.create(
        risk=stale,
        review_date=dt.date(2023, 2, 1),
        likelihood=2,
        impact=2,
        status=Risk.Status.OPEN,
        note="Fine.",
        reviewed_by=coordinator,
    )
    never = make_risk(project, owner=p3)
    reviewed = make_risk(project, owner=p3)
    RiskReview.objects.create(
        risk=reviewed,
        review_date=dt.date(2023, 11, 1),
        likelihood=2,
        impact=2,
        status=Risk.Status.OPEN,
        note="Fine.",
        reviewed_by=coordinator,
    )
    make_risk(project, owner=p3, status=Risk.Status.CLOSED)

    findings = found(project, "risk_not_reviewed")

    assert [f.subject for f in findings] == [stale, never]
    assert [(f.partner_id, f.period_id) for f in findings] == [(p2.pk, rp2.pk), (p3.pk, rp2.pk)]
    assert [f.message for f in findings] == [
        "R1 has not been reviewed in RP2 (1 Jul 2023 to 31 Mar 2024); its latest review is of "
        "1 Feb 2023.",
        "R2 has not been reviewed in RP2 (1 Jul 2023 to 31 Mar 2024), and was never reviewed.",
    ]
    assert found(project, "risk_not_reviewed", today=dt.date(2022, 9, 1)) == []  # no period yet


def test_a_deliverable_approved_or_submitted_without_a_file(
    project: Project, deliverable: Deliverable, coordinator: User
) -> None:
    wp = deliverable.work_package
    approved = make_deliverable(wp, number="D1.2", due_month=12, status=Deliverable.Status.APPROVED)
    submitted = make_deliverable(
        wp,
        number="D1.3",
        due_month=12,
        submitted_date=dt.date(2023, 9, 1),
        status=Deliverable.Status.SUBMITTED,
    )
    with_file = make_deliverable(
        wp, number="D1.4", due_month=12, status=Deliverable.Status.APPROVED
    )
    DeliverableVersion.objects.create(
        deliverable=with_file,
        file="deliverables/d14.pdf",
        original_name="d14.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        uploaded_by=coordinator,
    )

    findings = found(project, "submitted_without_file")

    assert [f.subject for f in findings] == [approved, submitted]
    assert [f.message for f in findings] == [
        "D1.2 is approved, but has no file uploaded.",
        "D1.3 is submitted to the funder, but has no file uploaded.",
    ]


# --- the whole run ----------------------------------------------------------------------------


def test_a_clean_project_has_no_findings(
    project: Project, rp1: ReportingPeriod, p2: Partner
) -> None:
    kpi = make_indicator(project, code="KPI1", reporting_partners=[p2])
    make_value(kpi, p2, rp1, value=Decimal(10), women=5, men=5, status=VALIDATED)
    assert run_checks(project, today=TODAY) == []


def test_errors_come_first_then_the_rules_in_order(
    project: Project, rp1: ReportingPeriod, p2: Partner, p3: Partner
) -> None:
    kpi = indicator(project, code="KPI1", target=Decimal(1), reporting_partners=[p3])
    make_value(kpi, p2, rp1, value=Decimal(15), women=5, men=7)  # breakdown and target

    findings = run_checks(project, today=TODAY)

    assert [(f.severity, f.code) for f in findings] == [
        ("error", "breakdown_sum"),
        ("error", "missing_value"),
        ("warning", "above_target"),
    ]
    assert all(f.severity == RULES_BY_CODE[f.code].severity for f in findings)
    assert len({r.code for r in RULES}) == len(RULES)


def add_records(project: Project, n: int, periods: list[ReportingPeriod]) -> None:
    """`n` more of every kind of record, each tripping its rules, bulk-created."""
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    start = Indicator.objects.filter(project=project).count()
    kpis = Indicator.objects.bulk_create(
        Indicator(
            project=project,
            code=f"B{start + k}",
            name="Bulk",
            definition="Bulk.",
            unit=Indicator.Unit.PERSONS,
            target=Decimal(1),
            requires_evidence=True,
        )
        for k in range(n)
    )
    Indicator.reporting_partners.through.objects.bulk_create(
        Indicator.reporting_partners.through(indicator_id=i.pk, partner_id=p3.pk) for i in kpis
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=i,
            partner=p2,
            period=period,
            value=Decimal(10 + 50 * k),
            women=1,
            men=1,
            status=SUBMITTED,
        )
        for i in kpis
        for k, period in enumerate(periods)
    )
    for k in range(n):
        tender = make_tender(project, reference=f"BT{start + k}")
        award(tender.lots.get())
        for category in (C.DISABILITY_EMPLOYMENT, C.LONG_TERM_UNEMPLOYED):
            make_clause_outcome(
                make_clause(tender, category=category),
                periods[0],
                headcount=2,
                fte=Decimal(3),
                women=5,
                status=ClauseOutcome.Status.VALIDATED,
            )
        make_event(project, status=Event.Status.HELD)  # without attendance
        Attendance.objects.create(
            event=make_event(project, status=Event.Status.HELD),
            total=10,
            women=3,
            by_country={"BE": 1},
        )
        make_risk(project, owner=p2)
        make_deliverable(
            project.work_packages.get(number=1), due_month=3, status=Deliverable.Status.APPROVED
        )


def test_the_checks_cost_the_same_queries_for_few_records_and_many(
    project: Project, rp1: ReportingPeriod, rp2: ReportingPeriod
) -> None:
    make_indicator(
        project,
        code="KPI9",
        source=Indicator.Source.COMPUTED,
        measure=Indicator.Measure.PERSONS_EMPLOYED,
        requires_evidence=True,
    )
    rp1.is_locked = True
    rp1.save()

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            findings = run_checks(project, today=TODAY)
        return len(queries), len(findings)

    add_records(project, 2, [rp1, rp2])
    few, few_findings = cost()
    add_records(project, 20, [rp1, rp2])
    many, many_findings = cost()

    assert few == many == CONTEXT_QUERIES + RULE_QUERIES
    assert many_findings > few_findings > 0
    codes = {f.code for f in run_checks(project, today=TODAY)}
    assert codes == {r.code for r in RULES}  # every rule ran on rows, and found them
