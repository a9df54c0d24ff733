"""procurement:lot_delete: those who keep a tender delete a lot entered by mistake, after a page
that says what goes with it; a lot that is awarded, or whose clauses have reported outcomes, is
kept, and the page says why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import Lot, SocialClause, Tender
from projects.models import Project
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
    """T-001 of P3's municipality, recorded by P3, with lots 1 and 2."""
    return make_tender(project, lots=2)


@pytest.fixture
def lot(tender: Tender) -> Lot:
    return tender.lots.get(number=2)


def url(lot: Lot) -> str:
    tender = lot.tender
    return reverse("procurement:lot_delete", args=[tender.project.slug, tender.pk, lot.number])


def test_the_confirmation_page_names_the_clauses_that_go_with_the_lot(
    client: Client, coordinator: User, tender: Tender, lot: Lot
) -> None:
    make_clause(tender, lot=lot, category=SocialClause.Category.GENDER_EQUALITY)
    make_clause(tender, lot=lot)
    client.force_login(coordinator)

    response = client.get(url(lot))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Delete lot 2?" in page
    assert "Its 2 clauses go with it:" in page
    assert "Gender equality (Contract performance condition (Art. 70))" in page
    assert "Employment of persons with disabilities (Contract performance condition" in page
    assert tender.lots.count() == 2


def test_a_lot_without_clauses_says_the_tenders_own_clauses_stay(
    client: Client, coordinator: User, lot: Lot
) -> None:
    client.force_login(coordinator)

    page = client.get(url(lot)).content.decode()

    assert "It has no clauses of its own; the clauses on the whole tender stay." in page


def test_coordinator_deletes_the_lot_with_its_clauses(
    client: Client, coordinator: User, tender: Tender, lot: Lot
) -> None:
    make_clause(tender, lot=lot)
    whole_tender = make_clause(tender, lot=None)
    other_lot = make_clause(tender, lot=tender.lots.get(number=1))
    client.force_login(coordinator)

    response = client.post(url(lot))

    assert response.status_code == 302
    assert response["Location"] == tender.get_absolute_url()
    assert list(tender.lots.values_list("number", flat=True)) == [1]
    assert set(tender.clauses.all()) == {whole_tender, other_lot}


def test_the_recording_partner_deletes_a_lot(
    client: Client, other_partner: User, tender: Tender, lot: Lot
) -> None:
    client.force_login(other_partner)

    assert client.post(url(lot)).status_code == 302
    assert not tender.lots.filter(number=2).exists()


def test_an_awarded_lot_is_kept_and_the_page_says_why(
    client: Client, coordinator: User, tender: Tender, lot: Lot
) -> None:
    make_contract(lot)
    client.force_login(coordinator)

    page = client.get(url(lot))
    refused = client.post(url(lot))

    assert page.status_code == 200
    assert "Lot 2 cannot be deleted" in page.content.decode()
    assert "It is awarded to Integra Valencia." in page.content.decode()
    assert "Delete the lot</button>" not in page.content.decode()
    assert refused.status_code == 409
    assert "It is awarded to Integra Valencia." in refused.content.decode()
    assert tender.lots.filter(number=2).exists()


def test_a_lot_whose_clauses_have_outcomes_is_kept(
    client: Client, coordinator: User, project: Project, tender: Tender, lot: Lot
) -> None:
    clause = make_clause(tender, lot=lot)
    make_clause(tender, lot=lot)
    make_clause_outcome(clause, make_period(project, number=1))
    make_clause_outcome(clause, make_period(project, number=2, start_month=10, end_month=18))
    client.force_login(coordinator)

    refused = client.post(url(lot))

    assert refused.status_code == 409
    assert "1 of its clauses has outcomes reported." in refused.content.decode()
    assert tender.lots.filter(number=2).exists()
    assert tender.clauses.count() == 2


def test_other_partner_may_not_delete_a_lot(
    client: Client, partner: User, tender: Tender, lot: Lot
) -> None:
    client.force_login(partner)

    assert client.get(url(lot)).status_code == 403
    assert client.post(url(lot)).status_code == 403
    assert tender.lots.count() == 2


def test_observer_may_not_delete_a_lot(
    client: Client, observer: User, tender: Tender, lot: Lot
) -> None:
    client.force_login(observer)

    assert client.get(url(lot)).status_code == 403
    assert client.post(url(lot)).status_code == 403
    assert tender.lots.count() == 2


def test_outsider_gets_404(client: Client, outsider: User, tender: Tender, lot: Lot) -> None:
    client.force_login(outsider)

    assert client.get(url(lot)).status_code == 404
    assert client.post(url(lot)).status_code == 404
    assert tender.lots.count() == 2


def test_anonymous_is_sent_to_login(client: Client, tender: Tender, lot: Lot) -> None:
    response = client.post(url(lot))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert tender.lots.count() == 2


def test_other_methods_are_not_allowed(
    client: Client, coordinator: User, tender: Tender, lot: Lot
) -> None:
    client.force_login(coordinator)

    assert client.put(url(lot)).status_code == 405
    assert client.delete(url(lot)).status_code == 405
    assert tender.lots.count() == 2
