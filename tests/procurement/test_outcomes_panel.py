"""The dashboard's clause outcomes panel ({% procurement_outcomes_panel access today %}): a
partner's clauses still to report for the current period, the coordinator's outcomes waiting for
validation, nothing for observers; a fixed number of queries whatever the register holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import ClauseOutcome, SocialClause, Tender
from procurement.permissions import can_change_tender, tenders_kept_by
from projects.models import Project, ReportingPeriod
from projects.permissions import access_project
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_period,
    make_supplier,
    make_tender,
)

pytestmark = pytest.mark.django_db

# Mid-August 2023: M11 of the cast's project, in RP2 (M10-M18, to 31 March 2024).
TODAY = dt.date(2023, 8, 15)


@pytest.fixture
def periods(project: Project) -> tuple[ReportingPeriod, ReportingPeriod]:
    return (
        make_period(project, number=1, start_month=1, end_month=9),
        make_period(project, number=2, start_month=10, end_month=18),
    )


def render(user: User, project: Project, today: dt.date = TODAY) -> str:
    template = Template("{% load procurement_tags %}{% procurement_outcomes_panel access today %}")
    access = access_project(user, project.slug)
    return template.render(Context({"access": access, "today": today}))


def awarded(project: Project, *, start: dt.date = dt.date(2023, 6, 1), **fields: Any) -> Tender:
    """A tender (P3's by default) whose lot 1 is awarded from `start`."""
    tender = make_tender(project, **fields)
    supplier = make_supplier(f"Supplier of {tender.reference}")
    make_contract(tender.lots.get(number=1), supplier=supplier, start_date=start)
    return tender


def clause(tender: Tender, description: str, *, whole: bool = False) -> SocialClause:
    return make_clause(
        tender, lot=None if whole else tender.lots.get(number=1), description=description
    )


def create_url(c: SocialClause, period: ReportingPeriod) -> str:
    args = [c.tender.project.slug, c.tender_id, c.pk]
    return reverse("procurement:outcome_create", args=args) + f"?period={period.pk}"


def edit_url(o: ClauseOutcome) -> str:
    args = [o.clause.tender.project.slug, o.clause.tender_id, o.pk]
    return reverse("procurement:outcome_edit", args=args)


def test_a_partner_sees_its_clauses_still_to_report_for_the_current_period(
    project: Project, other_partner: User, periods: tuple[ReportingPeriod, ReportingPeriod]
) -> None:
    rp1, rp2 = periods
    tender = awarded(project, reference="T-CLEAN")
    missing = clause(tender, "missing")
    drafted = clause(tender, "drafted")
    draft = make_clause_outcome(drafted, rp2)
    make_clause_outcome(clause(tender, "submitted"), rp2, status=ClauseOutcome.Status.SUBMITTED)
    make_clause_outcome(clause(tender, "validated"), rp2, status=ClauseOutcome.Status.VALIDATED)
    only_rp1 = clause(tender, "last period only")
    make_clause_outcome(only_rp1, rp1, status=ClauseOutcome.Status.VALIDATED)
    whole = clause(tender, "whole tender", whole=True)
    # Not due: no contract yet; a contract starting after RP2 ends; another partner's tender.
    clause(make_tender(project, reference="T-NOAWARD"), "no contract")
    clause(awarded(project, reference="T-LATE", start=dt.date(2024, 5, 1)), "late")
    clause(awarded(project, reference="T-P2", recorded_by=project.partners.get(number=2)), "P2")

    html = render(other_partner, project)

    assert "Clause outcomes to report for RP2" in html
    assert create_url(missing, rp2) in html
    assert edit_url(draft) in html
    assert create_url(only_rp1, rp2) in html
    assert create_url(whole, rp2) in html
    assert "T-CLEAN" in html
    for absent in ("T-NOAWARD", "T-LATE", "T-P2"):
        assert absent not in html
    assert html.count("<li>") == 4


def test_the_panel_lists_the_rows_with_their_links(
    project: Project, other_partner: User, periods: tuple[ReportingPeriod, ReportingPeriod]
) -> None:
    _rp1, rp2 = periods
    tender = awarded(project)
    c = clause(tender, "missing")
    html = render(other_partner, project)
    assert f'href="{create_url(c, rp2)}">report the outcome</a>' in html
    assert f'href="{tender.get_absolute_url()}">{tender.reference}</a>' in html


def test_a_partner_keeps_the_tenders_of_its_organisations_authority(
    project: Project,
    partner: User,
    other_partner: User,
    periods: tuple[ReportingPeriod, ReportingPeriod],
) -> None:
    """P2 (`partner`) reads P3's tenders but reports only on those it keeps: the ones it recorded
    and the ones its own organisation runs as the contracting authority."""
    p2 = project.partners.get(number=2)
    clause(awarded(project, reference="T-P3"), "P3's own")
    clause(awarded(project, reference="T-BYP2", recorded_by=p2), "recorded by P2")
    clause(awarded(project, reference="T-FORP2", authority=p2.organisation), "P2 is the authority")

    html = render(partner, project)

    assert "T-BYP2" in html
    assert "T-FORP2" in html
    assert "T-P3" not in html
    # The tender recorded by P3 for P2's authority is P3's to report too.
    assert "T-FORP2" in render(other_partner, project)


def test_nothing_to_report_says_so(
    project: Project, other_partner: User, periods: tuple[ReportingPeriod, ReportingPeriod]
) -> None:
    _rp1, rp2 = periods
    make_clause_outcome(
        clause(awarded(project), "done"), rp2, status=ClauseOutcome.Status.SUBMITTED
    )
    html = render(other_partner, project)
    assert (
        "Nothing to report: every clause of your tenders with a running contract is submitted "
        "for RP2." in html
    )


def test_before_the_first_period_begins_it_says_so(project: Project, other_partner: User) -> None:
    make_period(project, number=1, start_month=4, end_month=9)  # begins 1 January 2023
    clause(awarded(project), "waiting")
    html = render(other_partner, project, today=dt.date(2022, 11, 15))
    assert "No reporting period has begun yet." in html
    assert "<li>" not in html


def test_after_the_project_ends_the_last_period_is_the_current_one(
    project: Project, other_partner: User, periods: tuple[ReportingPeriod, ReportingPeriod]
) -> None:
    clause(awarded(project), "late report")
    assert "to report for RP2" in render(other_partner, project, today=dt.date(2026, 1, 1))


def test_a_long_list_stops_at_ten_and_links_to_the_register(
    project: Project, other_partner: User, periods: tuple[ReportingPeriod, ReportingPeriod]
) -> None:
    tender = awarded(project)
    for n in range(11):
        clause(tender, f"clause {n}")
    html = render(other_partner, project)
    assert html.count("<li>") == 10
    assert "More on the register" in html
    assert reverse("procurement:tender_list", args=[project.slug]) in html


def test_the_coordinator_sees_the_outcomes_waiting_for_validation(
    project: Project, coordinator: User, periods: tuple[ReportingPeriod, ReportingPeriod]
) -> None:
    rp1, rp2 = periods
    tender = awarded(project, reference="T-WAIT")
    waiting = make_clause_outcome(
        clause(tender, "waiting"),
        rp2,
        status=ClauseOutcome.Status.SUBMITTED,
        submitted_at=dt.datetime(2023, 8, 1, 9, 0, tzinfo=dt.UTC),
    )
    make_clause_outcome(clause(tender, "draft"), rp2)
    make_clause_outcome(clause(tender, "done"), rp1, status=ClauseOutcome.Status.VALIDATED)

    html = render(coordinator, project)

    assert "Clause outcomes waiting for validation" in html
    assert f'href="{tender.get_absolute_url()}#outcome-{waiting.pk}">T-WAIT</a>' in html
    assert "RP2, submitted 1 Aug 2023" in html
    assert html.count("<li>") == 1
    assert "to report for" not in html  # the coordinator reviews; partners report


def test_the_coordinator_with_nothing_waiting_is_told_so(
    project: Project, coordinator: User
) -> None:
    assert "No outcome is waiting for validation." in render(coordinator, project)


def test_observers_see_nothing_and_cost_nothing(
    project: Project,
    observer: User,
    periods: tuple[ReportingPeriod, ReportingPeriod],
    django_assert_num_queries: Any,
) -> None:
    clause(awarded(project), "due")
    template = Template("{% load procurement_tags %}{% procurement_outcomes_panel access today %}")
    context = Context({"access": access_project(observer, project.slug), "today": TODAY})
    with django_assert_num_queries(0):
        html = template.render(context)
    assert html.strip() == ""


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_the_panels_rule_is_can_change_tender(
    project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    """tenders_kept_by (the query) and can_change_tender (one tender) give the same answers."""
    p2 = project.partners.get(number=2)
    tenders = [
        make_tender(project),
        make_tender(project, recorded_by=p2),
        make_tender(project, authority=p2.organisation),
        make_tender(project, authority=project.partners.get(number=1).organisation),
    ]
    access = access_project(request.getfixturevalue(who), project.slug)
    by_query = set(
        Tender.objects.filter(project=project)
        .filter(tenders_kept_by(access))
        .values_list("pk", flat=True)
    )
    assert by_query == {t.pk for t in tenders if can_change_tender(access, t)}


@pytest.mark.parametrize("count", [5, 50])
def test_a_partners_panel_costs_two_queries_whatever_the_number(
    project: Project,
    other_partner: User,
    periods: tuple[ReportingPeriod, ReportingPeriod],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    _rp1, rp2 = periods
    tender = awarded(project)
    for n in range(count):
        c = clause(tender, f"clause {n}", whole=n % 3 == 0)
        if n % 2:
            make_clause_outcome(c, rp2)  # a draft: still due, with its edit link
    template = Template("{% load procurement_tags %}{% procurement_outcomes_panel access today %}")
    context = Context({"access": access_project(other_partner, project.slug), "today": TODAY})
    # 1 the current period, 2 the clauses due with their tenders, lots and drafts (one query).
    with django_assert_num_queries(2):
        html = template.render(context)
    assert html.count("<li>") == min(count, 10)


@pytest.mark.parametrize("count", [5, 50])
def test_the_coordinators_panel_costs_one_query_whatever_the_number(
    project: Project,
    coordinator: User,
    periods: tuple[ReportingPeriod, ReportingPeriod],
    count: int,
    django_assert_num_queries: Any,
) -> None:
    _rp1, rp2 = periods
    tender = awarded(project)
    for n in range(count):
        make_clause_outcome(
            clause(tender, f"clause {n}"), rp2, status=ClauseOutcome.Status.SUBMITTED
        )
    template = Template("{% load procurement_tags %}{% procurement_outcomes_panel access today %}")
    context = Context({"access": access_project(coordinator, project.slug), "today": TODAY})
    # 1 the submitted outcomes with their clauses, tenders, lots and periods.
    with django_assert_num_queries(1):
        html = template.render(context)
    assert html.count("<li>") == min(count, 10)


def test_the_dashboard_shows_the_panel(
    client: Client, project: Project, other_partner: User, periods: Any
) -> None:
    clause(awarded(project, reference="T-DASH"), "due")
    client.force_login(other_partner)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Clause outcomes to report for RP2" in html
    assert "T-DASH" in html
