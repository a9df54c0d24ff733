"""procurement:tender_detail: a tender's page, read by every member: its facts, lots and their
reservations, contracts, social clauses, the outcomes reported per clause and period, the plan
actions that led to it, and its history; links to change them for those who keep the tender."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from procurement.models import ClauseOutcome, Contract, Reservation, SocialClause, Tender
from projects.models import Project
from tests.events.factories import make_event
from tests.factories import make_partner, make_project
from tests.procurement.factories import (
    CPV_CLEANING,
    CPV_CONSTRUCTION,
    make_action_plan,
    make_clause,
    make_clause_outcome,
    make_contract,
    make_lot,
    make_period,
    make_plan_action,
    make_supplier,
    make_tender,
)

pytestmark = pytest.mark.django_db


def url(tender: Tender) -> str:
    return reverse("procurement:tender_detail", args=[tender.project.slug, tender.pk])


def link(name: str, tender: Tender, *args: object) -> str:
    return reverse(f"procurement:{name}", args=[tender.project.slug, tender.pk, *args])


@pytest.fixture
def tender(project: Project) -> Tender:
    """P3's cleaning tender in two lots; lot 2 reserved under Art. 20 and awarded to a
    work-integration social enterprise; a clause on the whole tender and two on lot 2, one
    with outcomes for RP1 (validated) and RP2 (a draft)."""
    tender = make_tender(
        project,
        reference="VB-2023-04",
        title="Cleaning of municipal buildings",
        cpv_codes=[CPV_CLEANING, CPV_CONSTRUCTION],
        estimated_value=Decimal("1250000.50"),
        notice_url="https://ted.europa.eu/en/notice/-/detail/123456-2023",
        lots=1,
    )
    lot2 = make_lot(tender, number=2, title="Schools", reservation=Reservation.ART_20)
    make_contract(
        lot2,
        supplier=make_supplier("Integra"),
        awarded_value=Decimal("95000.00"),
        start_date=dt.date(2023, 6, 1),
        end_date=dt.date(2025, 5, 31),
        declared_share=Decimal("45.50"),
        share_evidence="Registered WISE no. 42.",
    )
    make_clause(
        tender,
        stage=SocialClause.Stage.SPECIFICATION,
        category=SocialClause.Category.ACCESSIBILITY,
        description="Accessible products only.",
        target_quantity=None,
        is_mandatory=False,
    )
    jobs = make_clause(
        tender,
        lot=lot2,
        description="Two persons with disabilities on the cleaning team.",
        verification="Payroll extracts every six months.",
        status=SocialClause.Status.IN_EXECUTION,
    )
    make_clause(
        tender,
        lot=lot2,
        stage=SocialClause.Stage.AWARD,
        category=SocialClause.Category.GENDER_EQUALITY,
        description="Equal pay plan.",
        weight_percent=Decimal("12.50"),
        target_quantity=None,
    )
    rp1 = make_period(project, number=1, start_month=1, end_month=9)
    rp2 = make_period(project, number=2, start_month=10, end_month=18)
    make_clause_outcome(jobs, rp1, achieved=Decimal(2), status=ClauseOutcome.Status.VALIDATED)
    make_clause_outcome(jobs, rp2, achieved=Decimal(3), headcount=3)
    return tender


def test_shows_the_facts(client: Client, partner: User, tender: Tender) -> None:
    client.force_login(partner)

    response = client.get(url(tender))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>VB-2023-04: Cleaning of municipal buildings</h1>" in html
    assert "Gemeente Voorbeeld (Voorbeeld)" in html  # the authority
    assert "P3 Voorbeeld" in html  # the recorder
    assert f"{CPV_CLEANING} (main), {CPV_CONSTRUCTION}" in html
    assert "1,250,000.50" in html
    assert '<time datetime="2023-03-01">1 Mar 2023</time>' in html
    assert "Not awarded yet" in html
    assert 'href="https://ted.europa.eu/en/notice/-/detail/123456-2023"' in html
    assert "Open procedure" in html and "Published" in html


def test_shows_lots_with_their_reservation_and_contracts(
    client: Client, partner: User, tender: Tender
) -> None:
    client.force_login(partner)

    response = client.get(url(tender))

    lots = response.context["lots"]
    assert [(row.lot.number, row.contract is not None) for row in lots] == [(1, False), (2, True)]
    html = response.content.decode()
    assert "Lot 1: Lot 1" in html and "Lot 2: Schools" in html
    assert "Reserved under Art. 20 of Directive 2014/24/EU" in html
    assert "Not reserved" in html
    # The contract of lot 2: supplier, type, value, dates, declared share.
    assert "Integra" in html
    assert "Work-integration social enterprise" in html
    assert "95,000.00" in html
    assert '<time datetime="2023-06-01">1 Jun 2023</time>' in html
    assert '<time datetime="2025-05-31">31 May 2025</time>' in html
    assert "45.5" in html


def test_shows_clauses_per_lot_and_on_the_whole_tender(
    client: Client, observer: User, tender: Tender
) -> None:
    client.force_login(observer)

    response = client.get(url(tender))

    groups = [
        (lot.number if lot else None, [row.clause.description for row in rows])
        for lot, rows in response.context["clause_groups"]
    ]
    assert groups == [
        (None, ["Accessible products only."]),
        (1, []),
        (2, ["Two persons with disabilities on the cleaning team.", "Equal pay plan."]),
    ]
    html = response.content.decode()
    assert "The whole tender" in html
    assert "Technical specification (incl. accessibility)" in html
    assert "Contract performance condition (Art. 70)" in html
    assert "Employment of persons with disabilities" in html
    assert "Voluntary" in html and "Mandatory" in html
    assert "12.5" in html  # the award criterion's weight
    assert "2 persons" in html  # the target with its unit
    assert "In execution" in html
    assert "Verified by: Payroll extracts every six months." in html


def test_shows_the_outcomes_per_clause_and_period(
    client: Client, observer: User, tender: Tender
) -> None:
    client.force_login(observer)

    response = client.get(url(tender))

    html = response.content.decode()
    assert "RP1 (M1-M9)" in html and "RP2 (M10-M18)" in html
    assert "3 persons" in html  # achieved in RP2, in the clause's unit
    assert "Validated" in html and "Draft" in html
    # The award criterion's lot is awarded, so it may be reported; the whole-tender clause too.
    assert "No outcome reported yet." in html


def test_clauses_of_a_lot_not_awarded_say_when_they_are_reported(
    client: Client, other_partner: User, project: Project
) -> None:
    tender = make_tender(project)
    clause = make_clause(tender, lot=tender.lots.get())
    client.force_login(other_partner)

    html = client.get(url(tender)).content.decode()

    assert "Reported once the lot is awarded." in html
    assert link("outcome_create", tender, clause.pk) not in html


def test_those_who_keep_the_tender_get_links_to_change_it(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)

    response = client.get(url(tender))

    assert response.context["can_change"] is True
    html = response.content.decode()
    jobs = tender.clauses.get(category=SocialClause.Category.DISABILITY_EMPLOYMENT)
    draft = ClauseOutcome.objects.get(status=ClauseOutcome.Status.DRAFT)
    validated = ClauseOutcome.objects.get(status=ClauseOutcome.Status.VALIDATED)
    for href in [
        link("tender_edit", tender),
        link("tender_delete", tender),
        link("lot_create", tender),
        link("lot_edit", tender, 1),
        link("lot_edit", tender, 2),
        link("contract_edit", tender, 1),
        link("contract_edit", tender, 2),
        link("clause_create", tender),
        link("clause_edit", tender, jobs.pk),
        link("outcome_create", tender, jobs.pk),
        link("outcome_edit", tender, draft.pk),
    ]:
        assert f'href="{href}"' in html, href
    assert "Record the award of lot 1" in html and "Edit the award of lot 2" in html
    # A validated outcome is on record: no edit link.
    assert link("outcome_edit", tender, validated.pk) not in html


def test_the_coordinator_is_offered_the_review_of_a_submitted_outcome(
    client: Client, coordinator: User, tender: Tender
) -> None:
    draft = ClauseOutcome.objects.get(status=ClauseOutcome.Status.DRAFT)
    draft.status = ClauseOutcome.Status.SUBMITTED
    draft.save()
    client.force_login(coordinator)

    html = client.get(url(tender)).content.decode()

    assert f'<a href="#outcome-{draft.pk}">Review<span' in html


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_readers_get_no_links_to_change_it(
    client: Client, tender: Tender, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(tender))

    assert response.status_code == 200
    assert response.context["can_change"] is False
    html = response.content.decode()
    prefix = link("tender_detail", tender)
    # No link to a page under the tender's address but its own.
    assert f'href="{prefix}' not in html.replace(f'href="{prefix}"', "")


def test_a_partner_of_the_authority_keeps_a_tender_another_partner_recorded(
    client: Client, other_partner: User, project: Project
) -> None:
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    tender = make_tender(project, recorded_by=p2, authority=p3.organisation)
    client.force_login(other_partner)

    assert client.get(url(tender)).context["can_change"] is True


def test_shows_the_plan_actions_that_led_to_it(
    client: Client, partner: User, project: Project, tender: Tender
) -> None:
    roundtable = make_event(project, title="Local roundtable in Voorbeeld")
    plan = make_action_plan(project, title="Voorbeeld buys social", adopted_at=roundtable)
    make_plan_action(plan, number=2, what="Reserve the cleaning of schools.", tender=tender)
    client.force_login(partner)

    html = client.get(url(tender)).content.decode()

    plan_url = reverse("procurement:action_plan_detail", args=[project.slug, plan.pk])
    event_url = reverse("events:event_detail", args=[project.slug, roundtable.pk])
    assert f'Action 2 of <a href="{plan_url}">Voorbeeld buys social</a> (Voorbeeld)' in html
    assert f'adopted at <a href="{event_url}">Local roundtable in Voorbeeld</a>' in html
    assert "Reserve the cleaning of schools." in html


def test_without_plan_actions_says_so(client: Client, partner: User, tender: Tender) -> None:
    client.force_login(partner)
    html = client.get(url(tender)).content.decode()
    assert "No action of a local action plan refers to this tender." in html


def test_shows_the_history(client: Client, other_partner: User, tender: Tender) -> None:
    tender.title = "Cleaning of all municipal buildings"
    tender.save_edit(1, reason="Renamed")
    client.force_login(other_partner)

    response = client.get(url(tender))

    entries = response.context["history"]
    assert [e.reason for e in entries] == ["Renamed", ""]
    html = response.content.decode()
    assert "Renamed" in html
    assert "Cleaning of municipal buildings → Cleaning of all municipal buildings" in html


def test_outsider_gets_404(client: Client, outsider: User, tender: Tender) -> None:
    client.force_login(outsider)
    assert client.get(url(tender)).status_code == 404


def test_a_tender_of_another_project_is_404(
    client: Client, partner: User, project: Project
) -> None:
    other = make_project("Other", slug="other")
    tender = make_tender(other, recorded_by=make_partner(other, number=1))
    client.force_login(partner)
    wrong = reverse("procurement:tender_detail", args=[project.slug, tender.pk])
    assert client.get(wrong).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, tender: Tender) -> None:
    response = client.get(url(tender))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_other_methods_are_not_allowed(client: Client, other_partner: User, tender: Tender) -> None:
    client.force_login(other_partner)
    assert client.post(url(tender)).status_code == 405


# --- what the page costs ------------------------------------------------------------------


def grow(tender: Tender, n: int) -> None:
    """Add `n` lots, each awarded, with a clause and that clause's outcomes for RP1 and RP2."""
    project = tender.project
    rp1, rp2 = project.periods.get(number=1), project.periods.get(number=2)
    start = tender.lots.count()
    supplier = make_supplier(f"Supplier {start}")
    for number in range(start + 1, start + n + 1):
        lot = make_lot(tender, number=number)
        Contract.objects.create(
            lot=lot,
            supplier=supplier,
            supplier_type=Contract.SupplierType.SHELTERED,
            awarded_value=Decimal(1000),
            start_date=dt.date(2023, 6, 1),
        )
        clause = make_clause(tender, lot=lot)
        make_clause_outcome(clause, rp1)
        make_clause_outcome(clause, rp2, status=ClauseOutcome.Status.SUBMITTED)


def cost(client: Client, tender: Tender) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(tender))
    assert response.status_code == 200
    return len(queries)


# session, user, member, the tender (with its authority, recorder and work package), the lots
# with their contracts and suppliers, the clauses, the outcomes with their periods and
# validators, their evidence (with who uploaded it), the plan actions with their plans, partners
# and events, the history records with their users, then the names of the recorders and of the
# authorities the records name (projects.history), and the open queries on the page's records
# (impact_tags.query_mark, once per page).
DETAIL_QUERIES = 13


@pytest.mark.parametrize("who", ["coordinator", "other_partner", "observer"])
def test_the_page_costs_the_same_for_1_lot_and_for_20(
    client: Client, project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    make_period(project, number=1, start_month=1, end_month=9)
    make_period(project, number=2, start_month=10, end_month=18)
    tender = make_tender(project, lots=0)
    client.force_login(request.getfixturevalue(who))
    client.get(url(tender))  # warm up

    grow(tender, 1)
    one = cost(client, tender)
    grow(tender, 19)
    twenty = cost(client, tender)

    assert one == twenty == DETAIL_QUERIES


def test_the_page_costs_the_same_in_a_register_of_5_tenders_and_of_500(
    client: Client, other_partner: User, project: Project
) -> None:
    from tests.procurement.test_tender_list import add_tenders

    tender = make_tender(project)
    client.force_login(other_partner)
    client.get(url(tender))  # warm up

    add_tenders(project, 5)
    few = cost(client, tender)
    add_tenders(project, 495)
    many = cost(client, tender)

    # Its lot has no outcome: no evidence to fetch, no record to mark.
    assert few == many == DETAIL_QUERIES - 2
