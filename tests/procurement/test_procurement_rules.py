"""The register's rules on the models themselves (full_clean), whichever form or import writes
the rows: award weights, reservations and their declared share, the order of the dates, and the
parts of one tender staying in that tender."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from procurement.models import Contract, Lot, Reservation, SocialClause, Tender
from projects.models import Organisation, Project
from tests.procurement.factories import make_clause, make_contract, make_supplier, make_tender

pytestmark = pytest.mark.django_db

AWARD = SocialClause.Stage.AWARD


def errors_of(obj: Any) -> dict[str, list[str]]:
    """The messages full_clean gives, by field ({} when the row is valid)."""
    try:
        obj.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.fixture
def tender(project: Project) -> Tender:
    """Published 1 March 2023, with lots 1 and 2."""
    return make_tender(project, lots=2)


def lot(tender: Tender, number: int = 1) -> Lot:
    return tender.lots.get(number=number)


def clause(tender: Tender, **fields: Any) -> SocialClause:
    """An unsaved clause of `tender`."""
    return SocialClause(
        tender=tender,
        stage=fields.pop("stage", SocialClause.Stage.PERFORMANCE),
        category=fields.pop("category", SocialClause.Category.DISABILITY_EMPLOYMENT),
        description="Two persons with disabilities work on the contract.",
        **fields,
    )


# --- award criteria ---------------------------------------------------------------------------


def test_award_weights_above_100_percent_in_one_lot_are_refused_naming_the_numbers(
    tender: Tender,
) -> None:
    make_clause(tender, lot=lot(tender), stage=AWARD, weight_percent=Decimal(70))
    make_clause(tender, lot=lot(tender), stage=AWARD, weight_percent=Decimal("20.5"))

    errors = errors_of(clause(tender, lot=lot(tender), stage=AWARD, weight_percent=Decimal(15)))

    [message] = errors["weight_percent"]
    # The sum's decimals depend on the database (SQLite drops them, PostgreSQL keeps them).
    assert re.fullmatch(
        r"The award criteria of this lot would weigh 105\.50? % in all \(90\.50? % already, "
        r"and 15 % here\): at most 100 %\.",
        message,
    ), message


def test_award_weights_of_100_percent_in_all_are_accepted(tender: Tender) -> None:
    make_clause(tender, lot=lot(tender), stage=AWARD, weight_percent=Decimal(70))

    assert errors_of(clause(tender, lot=lot(tender), stage=AWARD, weight_percent=Decimal(30))) == {}


def test_each_lot_and_the_whole_tender_have_their_own_100_percent(tender: Tender) -> None:
    make_clause(tender, lot=lot(tender, 1), stage=AWARD, weight_percent=Decimal(80))
    make_clause(tender, lot=None, stage=AWARD, weight_percent=Decimal(80))

    assert (
        errors_of(clause(tender, lot=lot(tender, 2), stage=AWARD, weight_percent=Decimal(80))) == {}
    )
    assert errors_of(clause(tender, lot=None, stage=AWARD, weight_percent=Decimal(20))) == {}
    assert "weight_percent" in errors_of(
        clause(tender, lot=None, stage=AWARD, weight_percent=Decimal(21))
    )


def test_a_saved_criterion_does_not_count_against_itself(tender: Tender) -> None:
    criterion = make_clause(tender, lot=lot(tender), stage=AWARD, weight_percent=Decimal(100))

    assert errors_of(criterion) == {}


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (Decimal("100.01"), "Ensure this value is less than or equal to 100."),
        (Decimal("-0.5"), "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_weight_outside_0_to_100_is_refused(
    tender: Tender, weight: Decimal, message: str
) -> None:
    errors = errors_of(clause(tender, lot=lot(tender), stage=AWARD, weight_percent=weight))

    assert message in errors["weight_percent"]


def test_an_award_criterion_has_a_weight(tender: Tender) -> None:
    assert errors_of(clause(tender, stage=AWARD)) == {
        "weight_percent": ["An award criterion has a weight, in per cent."]
    }


@pytest.mark.parametrize(
    "stage", [s for s in SocialClause.Stage.values if s != SocialClause.Stage.AWARD]
)
def test_only_an_award_criterion_has_a_weight(tender: Tender, stage: str) -> None:
    assert errors_of(clause(tender, stage=stage, weight_percent=Decimal(10))) == {
        "weight_percent": ["Only an award criterion has a weight."]
    }


def test_a_clause_on_a_lot_of_another_tender_is_refused(tender: Tender, project: Project) -> None:
    foreign = make_tender(project, lots=1).lots.get()

    assert errors_of(clause(tender, lot=foreign)) == {
        "lot": ["This lot belongs to another tender."]
    }


# --- the tender's dates -----------------------------------------------------------------------


def test_an_award_before_the_publication_is_refused(tender: Tender) -> None:
    tender.award_date = dt.date(2023, 2, 28)

    assert errors_of(tender)["award_date"] == [
        "The award (2023-02-28) cannot come before the publication (2023-03-01)."
    ]


def test_an_award_on_the_day_of_publication_is_accepted(tender: Tender) -> None:
    tender.award_date = dt.date(2023, 3, 1)

    assert errors_of(tender) == {}


# --- contracts --------------------------------------------------------------------------------


def contract(lot: Lot, **fields: Any) -> Contract:
    """An unsaved award of `lot`."""
    return Contract(
        lot=lot,
        supplier=make_supplier(f"Supplier {Organisation.objects.count() + 1}"),
        supplier_type=Contract.SupplierType.SHELTERED,
        awarded_value=Decimal("95000.00"),
        start_date=fields.pop("start_date", dt.date(2023, 6, 1)),
        **fields,
    )


@pytest.fixture
def reserved(tender: Tender) -> Lot:
    lot = tender.lots.get(number=2)
    lot.reservation = Reservation.ART_20
    lot.save()
    return lot


def test_an_art_20_reservation_without_a_declared_share_is_refused(reserved: Lot) -> None:
    assert errors_of(contract(reserved)) == {
        "declared_share": [
            "The lot is reserved under Art. 20: give the share of disabled or disadvantaged "
            "employees the supplier declared."
        ]
    }


def test_an_art_20_share_below_30_percent_is_refused_naming_it(reserved: Lot) -> None:
    award = contract(reserved, declared_share=Decimal("29.99"), share_evidence="Registered CEE")

    assert errors_of(award) == {
        "declared_share": [
            "Art. 20 asks for at least 30 % of disabled or disadvantaged employees; the "
            "supplier declared 29.99 %."
        ]
    }


def test_an_art_20_share_needs_its_evidence(reserved: Lot) -> None:
    assert errors_of(contract(reserved, declared_share=Decimal(30))) == {
        "share_evidence": ["Say what the declared share rests on."]
    }


def test_an_art_20_share_of_30_percent_with_evidence_is_accepted(reserved: Lot) -> None:
    award = contract(reserved, declared_share=Decimal(30), share_evidence="Registered CEE")

    assert errors_of(award) == {}


@pytest.mark.parametrize("reservation", [Reservation.NONE, Reservation.ART_77])
def test_other_lots_need_no_declared_share(tender: Tender, reservation: str) -> None:
    other = lot(tender)
    other.reservation = reservation

    assert errors_of(contract(other)) == {}


def test_a_contract_cannot_start_before_the_award(tender: Tender) -> None:
    tender.award_date = dt.date(2023, 5, 15)

    assert errors_of(contract(lot(tender), start_date=dt.date(2023, 5, 14))) == {
        "start_date": ["The contract cannot start (2023-05-14) before the award (2023-05-15)."]
    }
    assert errors_of(contract(lot(tender), start_date=dt.date(2023, 5, 15))) == {}


def test_a_contract_cannot_end_before_it_starts(tender: Tender) -> None:
    award = contract(lot(tender), end_date=dt.date(2023, 5, 31))

    assert errors_of(award) == {
        "end_date": ["The contract cannot end (2023-05-31) before it starts (2023-06-01)."]
    }


def test_contract_dates_far_from_the_project_are_refused(tender: Tender) -> None:
    award = contract(lot(tender), start_date=dt.date(2020, 9, 30), end_date=dt.date(2030, 1, 1))

    assert errors_of(award) == {
        "start_date": ["2020-09-30 is too far from the project (2020-10-01 to 2029-12-31)."],
        "end_date": ["2030-01-01 is too far from the project (2020-10-01 to 2029-12-31)."],
    }


def test_a_lot_has_one_contract(tender: Tender) -> None:
    make_contract(lot(tender))

    assert "lot" in errors_of(contract(lot(tender)))
