"""procurement:contract_edit: those who keep a tender record the award of a lot (one contract per
lot, created or corrected on the same address), to an organisation in the list or to a new one
typed in and created with it; a lot reserved under Art. 20 records the share the supplier
declared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import Contract, Lot, Reservation, Tender
from projects.models import Organisation, Project
from tests.procurement.factories import make_contract, make_lot, make_supplier, make_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality, recorded by P3, published 1 March 2023, awarded 15 May 2023,
    with lot 1."""
    return make_tender(project, status=Tender.Status.AWARDED, award_date=dt.date(2023, 5, 15))


@pytest.fixture
def lot(tender: Tender) -> Lot:
    return tender.lots.get(number=1)


@pytest.fixture
def supplier(db: None) -> Organisation:
    return make_supplier("Integra Valencia")


def url(lot: Lot) -> str:
    tender = lot.tender
    return reverse("procurement:contract_edit", args=[tender.project.slug, tender.pk, lot.number])


def good(supplier: Organisation | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "supplier": str(supplier.pk) if supplier else "",
        "new_supplier_name": "",
        "new_supplier_legal_name": "",
        "new_supplier_country": "",
        "new_supplier_kind": "",
        "supplier_type": Contract.SupplierType.WISE,
        "awarded_value": "95000.00",
        "start_date": "2023-06-01",
        "end_date": "2025-05-31",
        **changes,
    }


def new_supplier(**changes: Any) -> dict[str, Any]:
    typed = {
        "new_supplier_name": "Nou Set",
        "new_supplier_legal_name": "Nou Set Inserció S.L.",
        "new_supplier_country": "ES",
        "new_supplier_kind": Organisation.Kind.WISE,
    }
    return good(None, **{**typed, **changes})


def test_the_form_offers_the_organisations_and_a_new_supplier(
    client: Client, coordinator: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(coordinator)

    response = client.get(url(lot))

    assert response.status_code == 200
    labels = [str(c.choice_label) for c in response.context["form"]["supplier"].subwidgets]
    assert labels[0] == "(a new supplier, typed below)"
    assert "Integra Valencia (Integra Valencia S. Coop.)" in labels
    page = response.content.decode()
    assert "Record the award of lot 1: Lot 1" in page
    assert 'name="new_supplier_legal_name"' in page
    # An unreserved lot asks for no declared share.
    assert "declared_share" not in response.context["form"].fields
    assert 'min="2020-10-01"' in page and 'max="2029-12-31"' in page


def test_coordinator_records_the_award_to_an_organisation_in_the_list(
    client: Client, coordinator: User, tender: Tender, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(coordinator)
    organisations = Organisation.objects.count()

    response = client.post(url(lot), good(supplier))

    assert response.status_code == 302
    assert response["Location"] == tender.get_absolute_url()
    contract = Contract.objects.get(lot=lot)
    assert contract.supplier == supplier
    assert (contract.supplier_type, contract.awarded_value) == (
        Contract.SupplierType.WISE,
        Decimal("95000.00"),
    )
    assert (contract.start_date, contract.end_date) == (dt.date(2023, 6, 1), dt.date(2025, 5, 31))
    assert Organisation.objects.count() == organisations
    record = contract.history.get()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Awarded")


def test_a_new_supplier_typed_in_is_created_with_the_award(
    client: Client, other_partner: User, lot: Lot
) -> None:
    client.force_login(other_partner)

    response = client.post(url(lot), new_supplier())

    assert response.status_code == 302
    contract = Contract.objects.get(lot=lot)
    created = contract.supplier
    assert (created.short_name, created.legal_name, str(created.country), created.kind) == (
        "Nou Set",
        "Nou Set Inserció S.L.",
        "ES",
        Organisation.Kind.WISE,
    )


def test_choosing_and_typing_a_supplier_is_refused(
    client: Client, coordinator: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(coordinator)
    organisations = Organisation.objects.count()

    response = client.post(url(lot), {**new_supplier(), "supplier": str(supplier.pk)})

    assert response.status_code == 422
    assert response.context["form"].errors["supplier"] == [
        "Choose the supplier in the list or type a new one below, not both."
    ]
    assert not Contract.objects.exists()
    assert Organisation.objects.count() == organisations


def test_no_supplier_at_all_is_refused(client: Client, coordinator: User, lot: Lot) -> None:
    client.force_login(coordinator)

    response = client.post(url(lot), good(None))

    assert response.status_code == 422
    assert response.context["form"].errors["supplier"] == [
        "Choose the supplier, or type a new one below."
    ]
    assert not Contract.objects.exists()


def test_a_new_supplier_needs_its_legal_name_country_and_kind(
    client: Client, coordinator: User, lot: Lot
) -> None:
    client.force_login(coordinator)
    organisations = Organisation.objects.count()

    response = client.post(url(lot), good(None, new_supplier_name="Nou Set"))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"new_supplier_legal_name", "new_supplier_country", "new_supplier_kind"}
    assert errors["new_supplier_kind"] == ["A new supplier needs this too."]
    assert not Contract.objects.exists()
    assert Organisation.objects.count() == organisations


def test_a_new_supplier_already_in_the_list_is_refused(
    client: Client, coordinator: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(coordinator)
    organisations = Organisation.objects.count()

    response = client.post(
        url(lot), new_supplier(new_supplier_legal_name="integra valencia s. coop.")
    )

    assert response.status_code == 422
    assert response.context["form"].errors["new_supplier_legal_name"] == [
        "Integra Valencia S. Coop. is in the list already (as Integra Valencia): choose it there."
    ]
    assert not Contract.objects.exists()
    assert Organisation.objects.count() == organisations


def test_a_refused_contract_creates_no_new_supplier(
    client: Client, coordinator: User, lot: Lot
) -> None:
    client.force_login(coordinator)
    organisations = Organisation.objects.count()

    response = client.post(url(lot), new_supplier(end_date="2023-05-31", awarded_value="-1"))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["end_date"] == [
        "The contract cannot end (2023-05-31) before it starts (2023-06-01)."
    ]
    assert "awarded_value" in errors
    assert not Contract.objects.exists()
    assert Organisation.objects.count() == organisations


def test_a_contract_cannot_start_before_the_award(
    client: Client, coordinator: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(coordinator)

    response = client.post(url(lot), good(supplier, start_date="2023-05-01"))

    assert response.status_code == 422
    assert response.context["form"].errors["start_date"] == [
        "The contract cannot start (2023-05-01) before the award (2023-05-15)."
    ]
    assert "Not before the award (2023-05-15)." in response.content.decode()
    assert not Contract.objects.exists()


def test_dates_far_from_the_project_are_refused(
    client: Client, coordinator: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(coordinator)

    response = client.post(url(lot), good(supplier, end_date="2031-01-01"))

    assert response.status_code == 422
    assert response.context["form"].errors["end_date"] == [
        "2031-01-01 is too far from the project (2020-10-01 to 2029-12-31)."
    ]
    assert not Contract.objects.exists()


def test_an_art_20_lot_asks_for_the_declared_share_and_says_why(
    client: Client, coordinator: User, tender: Tender
) -> None:
    reserved = make_lot(tender, reservation=Reservation.ART_20)
    client.force_login(coordinator)

    response = client.get(url(reserved))

    page = response.content.decode()
    assert "This lot is reserved under Art. 20 of Directive 2014/24/EU" in page
    assert "Required: the lot is reserved under Art. 20" in page
    assert "at least 30 % of disabled or disadvantaged employees" in page
    assert 'name="declared_share"' in page and 'name="share_evidence"' in page


@pytest.mark.parametrize(
    ("share", "evidence", "field", "message"),
    [
        (
            "",
            "",
            "declared_share",
            "The lot is reserved under Art. 20: give the share of disabled or disadvantaged "
            "employees the supplier declared.",
        ),
        (
            "25",
            "Registered as a special employment centre",
            "declared_share",
            "Art. 20 asks for at least 30 % of disabled or disadvantaged employees; the supplier "
            "declared 25 %.",
        ),
        ("45", "", "share_evidence", "Say what the declared share rests on."),
    ],
)
def test_an_art_20_award_without_a_sufficient_declared_share_is_refused(
    client: Client,
    coordinator: User,
    tender: Tender,
    supplier: Organisation,
    share: str,
    evidence: str,
    field: str,
    message: str,
) -> None:
    reserved = make_lot(tender, reservation=Reservation.ART_20)
    client.force_login(coordinator)

    response = client.post(
        url(reserved), good(supplier, declared_share=share, share_evidence=evidence)
    )

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert not Contract.objects.exists()


def test_an_art_20_award_with_the_declared_share_is_recorded(
    client: Client, coordinator: User, tender: Tender, supplier: Organisation
) -> None:
    reserved = make_lot(tender, reservation=Reservation.ART_20)
    client.force_login(coordinator)

    response = client.post(
        url(reserved),
        good(supplier, declared_share="42.5", share_evidence="Registered CEE no. 46/123"),
    )

    assert response.status_code == 302
    contract = Contract.objects.get(lot=reserved)
    assert (contract.declared_share, contract.share_evidence) == (
        Decimal("42.50"),
        "Registered CEE no. 46/123",
    )


def test_the_award_is_corrected_on_the_same_address(
    client: Client, coordinator: User, lot: Lot, supplier: Organisation
) -> None:
    contract = make_contract(lot, supplier=supplier)
    other = make_supplier("Ecoserveis", legal_name="Ecoserveis SCCL")
    client.force_login(coordinator)

    page = client.get(url(lot))
    response = client.post(url(lot), good(other, awarded_value="91000.10"))

    assert page.context["form"]["supplier"].value() == supplier.pk
    assert "Edit the award of lot 1: Lot 1" in page.content.decode()
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.supplier, contract.awarded_value) == (other, Decimal("91000.10"))
    assert Contract.objects.count() == 1
    assert contract.history.latest().history_change_reason == "Edited"


def test_an_award_recorded_by_someone_else_meanwhile_is_a_conflict(
    client: Client,
    coordinator: User,
    lot: Lot,
    supplier: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The other person's award is saved after this form was validated, before it saves: the
    # one-to-one refuses the second contract, and the new supplier goes with it.
    from procurement.forms.parts import ContractForm

    clean = ContractForm.clean

    def clean_then_award(form: ContractForm) -> dict[str, Any]:
        cleaned = clean(form)
        make_contract(Lot.objects.get(pk=lot.pk), supplier=supplier)
        return cleaned

    monkeypatch.setattr(ContractForm, "clean", clean_then_award)
    client.force_login(coordinator)
    organisations = Organisation.objects.count()

    response = client.post(url(lot), new_supplier())

    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "Someone else recorded this lot's award while you were editing it. Nothing was saved: "
        "reload the page to see their version."
    ]
    assert Contract.objects.get().supplier == supplier
    assert Organisation.objects.count() == organisations


def test_other_partner_may_not_record_the_award(
    client: Client, partner: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(partner)
    organisations = Organisation.objects.count()

    assert client.get(url(lot)).status_code == 403
    assert client.post(url(lot), new_supplier()).status_code == 403
    assert not Contract.objects.exists()
    assert Organisation.objects.count() == organisations


def test_observer_may_not_record_the_award(
    client: Client, observer: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(observer)

    assert client.get(url(lot)).status_code == 403
    assert client.post(url(lot), good(supplier)).status_code == 403
    assert not Contract.objects.exists()


def test_outsider_gets_404(
    client: Client, outsider: User, lot: Lot, supplier: Organisation
) -> None:
    client.force_login(outsider)

    assert client.get(url(lot)).status_code == 404
    assert client.post(url(lot), good(supplier)).status_code == 404
    assert not Contract.objects.exists()


def test_an_unknown_lot_is_not_found(client: Client, coordinator: User, tender: Tender) -> None:
    client.force_login(coordinator)

    response = client.get(
        reverse("procurement:contract_edit", args=[tender.project.slug, tender.pk, 9])
    )

    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client: Client, lot: Lot, supplier: Organisation) -> None:
    response = client.post(url(lot), good(supplier))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Contract.objects.exists()


def test_other_methods_are_not_allowed(client: Client, coordinator: User, lot: Lot) -> None:
    client.force_login(coordinator)

    assert client.put(url(lot)).status_code == 405
    assert client.delete(url(lot)).status_code == 405
