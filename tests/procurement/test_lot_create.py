"""procurement:lot_create: those who keep a tender (the coordinator, the recording partner's
staff, the contracting authority's staff) add its lots, numbered on from the highest by default;
other partners and observers only read the tender."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import Lot, Reservation, Tender
from projects.models import Project
from tests.factories import make_organisation
from tests.procurement.factories import make_lot, make_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality, recorded by P3, with lot 1."""
    return make_tender(project)


def url(tender: Tender) -> str:
    return reverse("procurement:lot_create", args=[tender.project.slug, tender.pk])


def good(**changes: Any) -> dict[str, Any]:
    return {
        "number": "2",
        "title": "Cleaning of schools",
        "estimated_value": "45000.50",
        "reservation": Reservation.ART_20,
        **changes,
    }


def test_coordinator_adds_a_lot_and_returns_to_the_tender(
    client: Client, coordinator: User, tender: Tender
) -> None:
    client.force_login(coordinator)

    response = client.post(url(tender), good())

    assert response.status_code == 302
    assert response["Location"] == tender.get_absolute_url()
    lot = tender.lots.get(number=2)
    assert (lot.title, str(lot.estimated_value), lot.reservation) == (
        "Cleaning of schools",
        "45000.50",
        Reservation.ART_20,
    )
    record = lot.history.get()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Added")


def test_the_recording_partner_adds_a_lot(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)

    assert client.post(url(tender), good()).status_code == 302
    assert tender.lots.count() == 2


def test_the_authoritys_staff_add_a_lot_to_a_tender_another_partner_recorded(
    client: Client, other_partner: User, project: Project
) -> None:
    tender = make_tender(
        project,
        recorded_by=project.partners.get(number=1),
        authority=project.partners.get(number=3).organisation,
    )
    client.force_login(other_partner)

    assert client.post(url(tender), good()).status_code == 302
    assert tender.lots.count() == 2


def test_the_number_offered_is_the_one_after_the_highest(
    client: Client, coordinator: User, tender: Tender, project: Project
) -> None:
    make_lot(tender, number=3)
    empty = make_tender(project, lots=0)
    client.force_login(coordinator)

    assert client.get(url(tender)).context["form"]["number"].value() == 4
    assert client.get(url(empty)).context["form"]["number"].value() == 1


def test_the_form_explains_the_reservations(
    client: Client, coordinator: User, tender: Tender
) -> None:
    client.force_login(coordinator)

    page = client.get(url(tender)).content.decode()

    assert "Reserved under Art. 20 of Directive 2014/24/EU" in page
    assert "the award records the share of disabled or disadvantaged employees" in page


def test_a_number_already_taken_is_refused_naming_a_free_one(
    client: Client, coordinator: User, tender: Tender
) -> None:
    client.force_login(coordinator)

    response = client.post(url(tender), good(number="1"))

    assert response.status_code == 422
    assert response.context["form"].errors["number"] == [
        "This tender has a lot 1 already; lot 2 is free."
    ]
    assert list(tender.lots.values_list("number", flat=True)) == [1]


def test_the_same_number_in_another_tender_is_fine(
    client: Client, coordinator: User, tender: Tender, project: Project
) -> None:
    other = make_tender(project, lots=0)
    client.force_login(coordinator)

    assert client.post(url(other), good(number="1")).status_code == 302
    assert other.lots.get().number == 1


def test_bad_input_is_refused_on_its_fields_and_nothing_is_saved(
    client: Client, coordinator: User, tender: Tender
) -> None:
    client.force_login(coordinator)

    response = client.post(url(tender), good(title="", number="0", estimated_value="-5"))

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"title", "number", "estimated_value"}
    assert "This field is required." in response.content.decode()
    assert tender.lots.count() == 1


def test_a_lot_numbered_by_someone_else_meanwhile_is_a_conflict(
    client: Client, coordinator: User, tender: Tender, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both forms passed the check before either saved: the unique constraint decides.
    from procurement.forms.parts import LotForm

    monkeypatch.setattr(LotForm, "clean_number", lambda form: form.cleaned_data["number"])
    client.force_login(coordinator)

    response = client.post(url(tender), good(number="1"))

    assert response.status_code == 409
    assert "Someone else added a lot with this number" in response.content.decode()
    assert list(tender.lots.values_list("title", flat=True)) == ["Lot 1"]


def test_other_partner_may_not_add_a_lot(client: Client, partner: User, tender: Tender) -> None:
    # P2 (CoopLab) neither recorded the tender nor is its authority: it reads, it does not write.
    client.force_login(partner)

    assert client.get(url(tender)).status_code == 403
    assert client.post(url(tender), good()).status_code == 403
    assert tender.lots.count() == 1


def test_a_partner_keeps_only_tenders_its_organisation_recorded_or_runs(
    client: Client, other_partner: User, project: Project
) -> None:
    tender = make_tender(
        project,
        recorded_by=project.partners.get(number=2),
        authority=make_organisation("Stad Elders", kind="public_authority"),
    )
    client.force_login(other_partner)

    assert client.post(url(tender), good()).status_code == 403
    assert tender.lots.count() == 1


def test_observer_may_not_add_a_lot(client: Client, observer: User, tender: Tender) -> None:
    client.force_login(observer)

    assert client.get(url(tender)).status_code == 403
    assert client.post(url(tender), good()).status_code == 403
    assert tender.lots.count() == 1


def test_outsider_gets_404(client: Client, outsider: User, tender: Tender) -> None:
    client.force_login(outsider)

    assert client.get(url(tender)).status_code == 404
    assert client.post(url(tender), good()).status_code == 404
    assert tender.lots.count() == 1


def test_a_tender_of_another_project_is_not_found(
    client: Client, coordinator: User, project: Project
) -> None:
    from tests.factories import make_partner, make_project

    elsewhere = make_project("OTHER")
    make_partner(elsewhere, make_organisation("Gemeente Elders"), number=3)
    foreign = make_tender(elsewhere)
    client.force_login(coordinator)

    response = client.get(reverse("procurement:lot_create", args=[project.slug, foreign.pk]))

    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client: Client, tender: Tender) -> None:
    response = client.post(url(tender), good())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert tender.lots.count() == 1


def test_other_methods_are_not_allowed(client: Client, coordinator: User, tender: Tender) -> None:
    client.force_login(coordinator)

    assert client.put(url(tender)).status_code == 405
    assert client.delete(url(tender)).status_code == 405
    assert Lot.objects.count() == 1
