"""procurement:lot_edit: those who keep a tender correct its lots (number, title, value,
reservation); other partners and observers only read them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import Lot, Reservation, Tender
from projects.models import Project
from tests.procurement.factories import make_contract, make_lot, make_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality, recorded by P3, with lots 1 and 2."""
    return make_tender(project, lots=2)


@pytest.fixture
def lot(tender: Tender) -> Lot:
    return tender.lots.get(number=1)


def url(lot: Lot, number: int | None = None) -> str:
    tender = lot.tender
    return reverse(
        "procurement:lot_edit", args=[tender.project.slug, tender.pk, number or lot.number]
    )


def form_data(lot: Lot, **changes: Any) -> dict[str, Any]:
    return {
        "number": str(lot.number),
        "title": lot.title,
        "estimated_value": "" if lot.estimated_value is None else str(lot.estimated_value),
        "reservation": lot.reservation,
        **changes,
    }


def test_coordinator_edits_a_lot_and_returns_to_the_tender(
    client: Client, coordinator: User, tender: Tender, lot: Lot
) -> None:
    client.force_login(coordinator)
    assert client.get(url(lot)).context["form"]["title"].value() == "Lot 1"

    response = client.post(
        url(lot),
        form_data(lot, number="5", title="Schools", reservation=Reservation.ART_77),
    )

    assert response.status_code == 302
    assert response["Location"] == tender.get_absolute_url()
    lot.refresh_from_db()
    assert (lot.number, lot.title, lot.reservation) == (5, "Schools", Reservation.ART_77)
    assert lot.history.latest().history_change_reason == "Edited"


def test_the_recording_partner_edits_a_lot(client: Client, other_partner: User, lot: Lot) -> None:
    client.force_login(other_partner)

    assert client.post(url(lot), form_data(lot, title="Town hall")).status_code == 302
    lot.refresh_from_db()
    assert lot.title == "Town hall"


def test_a_number_of_another_lot_is_refused_and_the_page_names_the_stored_lot(
    client: Client, coordinator: User, lot: Lot
) -> None:
    client.force_login(coordinator)

    response = client.post(url(lot), form_data(lot, number="2", title="Renamed"))

    assert response.status_code == 422
    assert response.context["form"].errors["number"] == [
        "This tender has a lot 2 already; lot 3 is free."
    ]
    assert "Edit lot 1: Lot 1" in response.content.decode()
    lot.refresh_from_db()
    assert (lot.number, lot.title) == (1, "Lot 1")


def test_keeping_its_own_number_is_fine(client: Client, coordinator: User, lot: Lot) -> None:
    client.force_login(coordinator)

    assert client.post(url(lot), form_data(lot, estimated_value="10.25")).status_code == 302
    lot.refresh_from_db()
    assert str(lot.estimated_value) == "10.25"


def test_bad_input_is_refused_on_its_fields_and_nothing_is_saved(
    client: Client, coordinator: User, lot: Lot
) -> None:
    client.force_login(coordinator)

    response = client.post(
        url(lot), form_data(lot, title="", estimated_value="-1", reservation="art99")
    )

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"title", "estimated_value", "reservation"}
    lot.refresh_from_db()
    assert (lot.title, lot.reservation) == ("Lot 1", Reservation.NONE)


def test_reserving_an_awarded_lot_under_art_20_asks_for_the_declared_share(
    client: Client, coordinator: User, lot: Lot
) -> None:
    make_contract(lot)  # awarded before the reservation was recorded: no declared share
    client.force_login(coordinator)

    response = client.post(url(lot), form_data(lot, reservation=Reservation.ART_20))

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.reservation == Reservation.ART_20
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Lot 1 saved.",
        "Lot 1 is now reserved under Art. 20: record the share of disabled or disadvantaged "
        "employees its supplier declared on the award.",
    ]


def test_reserving_a_lot_not_yet_awarded_needs_no_warning(
    client: Client, coordinator: User, lot: Lot
) -> None:
    client.force_login(coordinator)

    response = client.post(url(lot), form_data(lot, reservation=Reservation.ART_20))

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Lot 1 saved."]


def test_an_unknown_lot_is_not_found(client: Client, coordinator: User, lot: Lot) -> None:
    client.force_login(coordinator)

    assert client.get(url(lot, number=9)).status_code == 404


def test_a_lot_of_another_tender_is_not_found_under_this_one(
    client: Client, coordinator: User, tender: Tender, project: Project
) -> None:
    other = make_tender(project, lots=0)
    make_lot(other, number=7)
    client.force_login(coordinator)

    response = client.get(reverse("procurement:lot_edit", args=[project.slug, tender.pk, 7]))

    assert response.status_code == 404


def test_other_partner_may_not_edit_a_lot(client: Client, partner: User, lot: Lot) -> None:
    client.force_login(partner)

    assert client.get(url(lot)).status_code == 403
    assert client.post(url(lot), form_data(lot, title="Mine")).status_code == 403
    lot.refresh_from_db()
    assert lot.title == "Lot 1"


def test_observer_may_not_edit_a_lot(client: Client, observer: User, lot: Lot) -> None:
    client.force_login(observer)

    assert client.get(url(lot)).status_code == 403
    assert client.post(url(lot), form_data(lot, title="Mine")).status_code == 403
    lot.refresh_from_db()
    assert lot.title == "Lot 1"


def test_outsider_gets_404(client: Client, outsider: User, lot: Lot) -> None:
    client.force_login(outsider)

    assert client.get(url(lot)).status_code == 404
    assert client.post(url(lot), form_data(lot, title="Mine")).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, lot: Lot) -> None:
    response = client.post(url(lot), form_data(lot, title="Mine"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    lot.refresh_from_db()
    assert lot.title == "Lot 1"


def test_other_methods_are_not_allowed(client: Client, coordinator: User, lot: Lot) -> None:
    client.force_login(coordinator)

    assert client.put(url(lot)).status_code == 405
    assert client.delete(url(lot)).status_code == 405
