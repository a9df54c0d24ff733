"""procurement:clause_create: those who keep a tender add its social clauses, on one of its lots
or on the whole tender; the form explains the stages and units; award criteria carry weights
that add up to at most 100 % per lot."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import SocialClause, Tender
from projects.models import Project
from tests.procurement.factories import make_clause, make_tender

pytestmark = pytest.mark.django_db

AWARD = SocialClause.Stage.AWARD


@pytest.fixture
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality, recorded by P3, with lots 1 and 2."""
    return make_tender(project, lots=2)


def url(tender: Tender, query: str = "") -> str:
    return reverse("procurement:clause_create", args=[tender.project.slug, tender.pk]) + query


def good(**changes: Any) -> dict[str, Any]:
    return {
        "lot": "",
        "stage": SocialClause.Stage.PERFORMANCE,
        "category": SocialClause.Category.DISABILITY_EMPLOYMENT,
        "is_mandatory": "on",
        "description": "Two persons with disabilities work on the contract throughout.",
        "weight_percent": "",
        "target_quantity": "2",
        "target_unit": SocialClause.Unit.PERSONS,
        "verification": "Payroll extracts every six months.",
        "status": SocialClause.Status.PLANNED,
        "sanction_note": "",
        **changes,
    }


def test_coordinator_adds_a_clause_on_a_lot_and_returns_to_the_tender(
    client: Client, coordinator: User, tender: Tender
) -> None:
    lot = tender.lots.get(number=2)
    client.force_login(coordinator)

    response = client.post(url(tender), good(lot=str(lot.pk)))

    assert response.status_code == 302
    assert response["Location"] == tender.get_absolute_url()
    clause = tender.clauses.get()
    assert (clause.lot, clause.stage, clause.category, clause.is_mandatory) == (
        lot,
        SocialClause.Stage.PERFORMANCE,
        SocialClause.Category.DISABILITY_EMPLOYMENT,
        True,
    )
    assert (clause.target_quantity, clause.target_unit) == (Decimal(2), SocialClause.Unit.PERSONS)
    assert clause.verification == "Payroll extracts every six months."
    record = clause.history.get()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Added")


def test_the_recording_partner_adds_a_voluntary_clause_on_the_whole_tender(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)

    response = client.post(url(tender), good(is_mandatory=""))

    assert response.status_code == 302
    clause = tender.clauses.get()
    assert (clause.lot, clause.is_mandatory) == (None, False)


def test_the_form_offers_this_tenders_lots_or_the_whole_tender(
    client: Client, coordinator: User, tender: Tender, project: Project
) -> None:
    make_tender(project, lots=1)  # another tender's lot is not offered
    client.force_login(coordinator)

    response = client.get(url(tender))

    lot = response.context["form"]["lot"]
    assert [str(c.choice_label) for c in lot.subwidgets] == [
        "The whole tender",
        "Lot 1: Lot 1",
        "Lot 2: Lot 2",
    ]


def test_a_link_from_a_lot_preselects_it(client: Client, coordinator: User, tender: Tender) -> None:
    client.force_login(coordinator)

    form = client.get(url(tender, "?lot=2")).context["form"]

    assert form["lot"].value() == tender.lots.get(number=2).pk
    assert client.get(url(tender, "?lot=9")).context["form"]["lot"].value() is None


def test_the_form_explains_the_stages_and_the_units(
    client: Client, coordinator: User, tender: Tender
) -> None:
    client.force_login(coordinator)

    page = client.get(url(tender)).content.decode()

    assert "Award criterion: scored, with its weight in %." in page
    assert "Contract performance condition (Art. 70): what the supplier must do" in page
    assert "EUR subcontracted to the social economy" in page
    assert "the unit the outcomes are reported in each period" in page


def test_a_lot_of_another_tender_is_refused(
    client: Client, coordinator: User, tender: Tender, project: Project
) -> None:
    foreign = make_tender(project, lots=1).lots.get()
    client.force_login(coordinator)

    response = client.post(url(tender), good(lot=str(foreign.pk)))

    assert response.status_code == 422
    assert "Select a valid choice" in response.context["form"].errors["lot"][0]
    assert not SocialClause.objects.exists()


def test_award_criteria_above_100_percent_in_one_lot_are_refused_naming_the_numbers(
    client: Client, coordinator: User, tender: Tender
) -> None:
    lot = tender.lots.get(number=1)
    make_clause(tender, lot=lot, stage=AWARD, weight_percent=Decimal(60))
    # Criteria of another lot and of the whole tender weigh separately.
    make_clause(tender, lot=tender.lots.get(number=2), stage=AWARD, weight_percent=Decimal(50))
    make_clause(tender, lot=None, stage=AWARD, weight_percent=Decimal(50))
    client.force_login(coordinator)

    response = client.post(url(tender), good(lot=str(lot.pk), stage=AWARD, weight_percent="45"))

    assert response.status_code == 422
    [message] = response.context["form"].errors["weight_percent"]
    # The sum's decimals depend on the database (SQLite drops them, PostgreSQL keeps them).
    assert re.fullmatch(
        r"The award criteria of this lot would weigh 105(\.00)? % in all \(60(\.00)? % already, "
        r"and 45 % here\): at most 100 %\.",
        message,
    ), message
    assert tender.clauses.count() == 3
    # Up to 100 % is fine.
    assert (
        client.post(
            url(tender), good(lot=str(lot.pk), stage=AWARD, weight_percent="40")
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stage": AWARD, "weight_percent": "101"}, "weight_percent", "less than or equal to 100"),
        ({"stage": AWARD, "weight_percent": "-1"}, "weight_percent", "greater than or equal to 0"),
        (
            {"stage": AWARD, "weight_percent": ""},
            "weight_percent",
            "An award criterion has a weight, in per cent.",
        ),
        ({"weight_percent": "20"}, "weight_percent", "Only an award criterion has a weight."),
        (
            {"status": SocialClause.Status.NOT_FULFILLED, "sanction_note": " "},
            "sanction_note",
            "Say what followed the clause not being fulfilled.",
        ),
        ({"description": ""}, "description", "This field is required."),
        ({"target_quantity": "-2"}, "target_quantity", "greater than or equal to 0"),
        ({"target_unit": "jobs"}, "target_unit", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(
    client: Client,
    coordinator: User,
    tender: Tender,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(coordinator)

    response = client.post(url(tender), good(**changes))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not SocialClause.objects.exists()


def test_other_partner_may_not_add_a_clause(client: Client, partner: User, tender: Tender) -> None:
    client.force_login(partner)

    assert client.get(url(tender)).status_code == 403
    assert client.post(url(tender), good()).status_code == 403
    assert not SocialClause.objects.exists()


def test_observer_may_not_add_a_clause(client: Client, observer: User, tender: Tender) -> None:
    client.force_login(observer)

    assert client.get(url(tender)).status_code == 403
    assert client.post(url(tender), good()).status_code == 403
    assert not SocialClause.objects.exists()


def test_outsider_gets_404(client: Client, outsider: User, tender: Tender) -> None:
    client.force_login(outsider)

    assert client.get(url(tender)).status_code == 404
    assert client.post(url(tender), good()).status_code == 404
    assert not SocialClause.objects.exists()


def test_anonymous_is_sent_to_login(client: Client, tender: Tender) -> None:
    response = client.post(url(tender), good())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not SocialClause.objects.exists()


def test_other_methods_are_not_allowed(client: Client, coordinator: User, tender: Tender) -> None:
    client.force_login(coordinator)

    assert client.put(url(tender)).status_code == 405
    assert client.delete(url(tender)).status_code == 405
