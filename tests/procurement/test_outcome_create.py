"""procurement:outcome_create: the tender's keepers (and the coordinator) report what a clause
delivered in a reporting period, as a draft, in aggregates only; figures that do not add up, a
period before the contract or a second outcome for the same period are refused, naming the
numbers, with nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import ClauseOutcome, SocialClause, Tender
from projects.models import Project, ReportingPeriod
from tests.factories import make_project
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_period,
    make_tender,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality, recorded by P3 (`other_partner` keeps it), lot 1 awarded from
    1 June 2023."""
    tender = make_tender(project)
    make_contract(tender.lots.get(number=1), start_date=dt.date(2023, 6, 1))
    return tender


@pytest.fixture
def clause(tender: Tender) -> SocialClause:
    """Two persons with disabilities on lot 1 (the clause counts persons)."""
    return make_clause(tender, lot=tender.lots.get(number=1))


@pytest.fixture
def rp1(project: Project) -> ReportingPeriod:
    """RP1, M1-M9: 1 October 2022 to 30 June 2023."""
    return make_period(project, number=1, start_month=1, end_month=9)


@pytest.fixture
def rp2(project: Project, rp1: ReportingPeriod) -> ReportingPeriod:
    """RP2, M10-M18: 1 July 2023 to 31 March 2024 (the project's last months)."""
    return make_period(project, number=2, start_month=10, end_month=18)


@pytest.fixture
def keeper(client: Client, other_partner: User) -> Client:
    client.force_login(other_partner)
    return client


def url(clause: SocialClause) -> str:
    tender = clause.tender
    return reverse("procurement:outcome_create", args=[tender.project.slug, tender.pk, clause.pk])


def form_data(period: ReportingPeriod, **changes: Any) -> dict[str, Any]:
    """Two people, both with disabilities, one woman and one man, 1.5 FTE: it adds up."""
    return {
        "period": str(period.pk),
        "achieved": "2",
        "headcount": "2",
        "fte": "1.5",
        "women": "1",
        "men": "1",
        "gender_other": "0",
        "with_disabilities": "2",
        "other_disadvantaged": "0",
        "group_other": "0",
        "note": "From the supplier's payroll, June 2023.",
        **changes,
    }


def test_a_keeper_reports_an_outcome_as_a_draft(
    keeper: Client, other_partner: User, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    response = keeper.post(url(clause), form_data(rp1))

    assert response.status_code == 302
    assert response["Location"] == clause.tender.get_absolute_url()
    outcome = ClauseOutcome.objects.get()
    assert (outcome.clause, outcome.period, outcome.status) == (clause, rp1, "draft")
    assert (outcome.achieved, outcome.headcount, outcome.fte) == (Decimal(2), 2, Decimal("1.5"))
    assert (outcome.women, outcome.men, outcome.gender_other) == (1, 1, 0)
    assert (outcome.with_disabilities, outcome.other_disadvantaged, outcome.group_other) == (
        2,
        0,
        0,
    )
    assert outcome.note == "From the supplier's payroll, June 2023."
    assert outcome.version == 1
    record = outcome.history.get()
    assert (record.history_user, record.history_change_reason) == (other_partner, "Reported")


def test_the_coordinator_may_report_too(
    client: Client, coordinator: User, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    client.force_login(coordinator)
    assert client.post(url(clause), form_data(rp1)).status_code == 302
    assert ClauseOutcome.objects.get().period == rp1


def test_breakdowns_are_optional(
    keeper: Client, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    empty = dict.fromkeys(
        ("fte", "women", "men", "gender_other", "with_disabilities", "other_disadvantaged"), ""
    )
    data = form_data(rp1, **empty, group_other="")
    assert keeper.post(url(clause), data).status_code == 302
    outcome = ClauseOutcome.objects.get()
    assert (outcome.headcount, outcome.women, outcome.with_disabilities) == (2, None, None)


def test_a_clause_in_hours_need_not_match_the_headcount(
    keeper: Client, tender: Tender, rp1: ReportingPeriod
) -> None:
    hours = make_clause(
        tender,
        lot=tender.lots.get(number=1),
        category=SocialClause.Category.LONG_TERM_UNEMPLOYED,
        target_quantity=Decimal(1000),
        target_unit=SocialClause.Unit.HOURS,
    )
    assert keeper.post(url(hours), form_data(rp1, achieved="520")).status_code == 302
    assert ClauseOutcome.objects.get().achieved == Decimal(520)


def test_a_clause_on_the_whole_tender_counts_any_of_its_contracts(
    keeper: Client, tender: Tender, rp1: ReportingPeriod
) -> None:
    whole = make_clause(tender, lot=None)
    assert keeper.post(url(whole), form_data(rp1)).status_code == 302


def test_the_form_says_it_takes_aggregates_only_and_offers_the_current_period(
    keeper: Client, clause: SocialClause, rp2: ReportingPeriod
) -> None:
    response = keeper.get(url(clause))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Aggregates only." in html
    assert "never the names of workers" in html
    assert "special-category personal data (Art. 9 GDPR)" in html
    assert "No names or other details of individual workers." in html  # on the note
    # The project has ended (M18 is long past): its last period is the current one.
    assert response.context["form"]["period"].initial == rp2
    assert "In the clause's unit: persons. The target is 2." in html


def test_the_period_the_dashboard_link_names_is_offered(
    keeper: Client, clause: SocialClause, rp1: ReportingPeriod, rp2: ReportingPeriod
) -> None:
    response = keeper.get(url(clause) + f"?period={rp1.pk}")
    assert response.context["form"]["period"].initial == rp1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"women": "1", "men": "0", "gender_other": "0"},
            "women",
            "The breakdown by gender adds up to 1, not to the 2 people employed.",
        ),
        (
            {"with_disabilities": "2", "other_disadvantaged": "1", "group_other": "0"},
            "with_disabilities",
            "The breakdown by group adds up to 3, not to the 2 people employed.",
        ),
        (
            {"fte": "2.5"},
            "fte",
            "2.5 full-time equivalents for 2 people: FTE cannot be above the headcount.",
        ),
        (
            {"achieved": "3"},
            "headcount",
            "The clause counts persons: 3 achieved but 2 people employed.",
        ),
        (
            {"headcount": "", "fte": ""},
            "women",
            "A breakdown by gender needs the number of people employed.",
        ),
        ({"achieved": "-1"}, "achieved", "Ensure this value is greater than or equal to 0."),
        ({"men": "-1"}, "men", "Ensure this value is greater than or equal to 0."),
        ({"achieved": ""}, "achieved", "This field is required."),
    ],
)
def test_figures_that_do_not_hold_are_refused_naming_the_numbers(
    keeper: Client,
    clause: SocialClause,
    rp1: ReportingPeriod,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = keeper.post(url(clause), form_data(rp1, **changes))

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert ClauseOutcome.objects.count() == 0


def test_a_period_that_ended_before_the_contract_started_is_refused(
    keeper: Client, project: Project, rp1: ReportingPeriod
) -> None:
    tender = make_tender(project)
    make_contract(tender.lots.get(number=1), start_date=dt.date(2023, 7, 1))
    clause = make_clause(tender, lot=tender.lots.get(number=1))

    response = keeper.post(url(clause), form_data(rp1))

    assert response.status_code == 422
    assert response.context["form"].errors["period"] == [
        "RP1 ended on 2023-06-30, before the contract started (2023-07-01)."
    ]
    assert ClauseOutcome.objects.count() == 0


def test_an_outcome_without_a_contract_is_refused(
    keeper: Client, project: Project, rp1: ReportingPeriod
) -> None:
    tender = make_tender(project)
    clause = make_clause(tender, lot=tender.lots.get(number=1))

    response = keeper.post(url(clause), form_data(rp1))

    assert response.status_code == 422
    assert response.context["form"].errors["period"] == [
        "No contract is awarded for this clause's lot yet: record the award first."
    ]
    assert ClauseOutcome.objects.count() == 0


def test_a_second_outcome_for_the_same_period_is_refused(
    keeper: Client, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    first = make_clause_outcome(clause, rp1, note="The first one")

    response = keeper.post(url(clause), form_data(rp1))

    assert response.status_code == 422
    assert response.context["form"].errors["period"] == [
        "RP1 already has an outcome for this clause: correct that one instead."
    ]
    assert list(ClauseOutcome.objects.all()) == [first]


def test_a_period_of_another_project_is_not_offered(
    keeper: Client, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    elsewhere = make_period(make_project("OTHER"), number=1)
    response = keeper.post(url(clause), form_data(elsewhere))
    assert response.status_code == 422
    assert "period" in response.context["form"].errors
    assert ClauseOutcome.objects.count() == 0


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_others_get_403_and_nothing_is_saved(
    client: Client,
    clause: SocialClause,
    rp1: ReportingPeriod,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    """`partner` (P2) reads P3's tenders but does not keep them; observers only read."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(clause)).status_code == 403
    assert client.post(url(clause), form_data(rp1)).status_code == 403
    assert ClauseOutcome.objects.count() == 0


def test_outsider_gets_404(
    client: Client, outsider: User, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    client.force_login(outsider)
    assert client.get(url(clause)).status_code == 404
    assert client.post(url(clause), form_data(rp1)).status_code == 404
    assert ClauseOutcome.objects.count() == 0


def test_a_clause_is_only_reachable_through_its_own_tender(
    keeper: Client, project: Project, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    other = make_tender(project)
    wrong = reverse("procurement:outcome_create", args=[project.slug, other.pk, clause.pk])
    assert keeper.post(wrong, form_data(rp1)).status_code == 404
    assert ClauseOutcome.objects.count() == 0


def test_anonymous_is_sent_to_login(
    client: Client, clause: SocialClause, rp1: ReportingPeriod
) -> None:
    response = client.post(url(clause), form_data(rp1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert ClauseOutcome.objects.count() == 0


def test_other_methods_are_not_allowed(keeper: Client, clause: SocialClause) -> None:
    assert keeper.put(url(clause)).status_code == 405
    assert keeper.delete(url(clause)).status_code == 405
