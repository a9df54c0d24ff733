"""procurement:clause_edit: those who keep a tender correct its clauses (moving one between its
lots, changing its status, its target); other partners and observers only read them."""

from __future__ import annotations

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


@pytest.fixture
def clause(tender: Tender) -> SocialClause:
    """An award criterion of lot 1, weighing 60 %."""
    return make_clause(
        tender,
        lot=tender.lots.get(number=1),
        stage=AWARD,
        category=SocialClause.Category.LONG_TERM_UNEMPLOYED,
        weight_percent=Decimal(60),
    )


def url(clause: SocialClause, pk: int | None = None) -> str:
    tender = clause.tender
    return reverse(
        "procurement:clause_edit", args=[tender.project.slug, tender.pk, pk or clause.pk]
    )


def form_data(clause: SocialClause, **changes: Any) -> dict[str, Any]:
    return {
        "lot": str(clause.lot_id or ""),
        "stage": clause.stage,
        "category": clause.category,
        "is_mandatory": "on" if clause.is_mandatory else "",
        "description": clause.description,
        "weight_percent": "" if clause.weight_percent is None else str(clause.weight_percent),
        "target_quantity": "" if clause.target_quantity is None else str(clause.target_quantity),
        "target_unit": clause.target_unit,
        "verification": clause.verification,
        "status": clause.status,
        "sanction_note": clause.sanction_note,
        **changes,
    }


def test_coordinator_edits_a_clause_and_returns_to_the_tender(
    client: Client, coordinator: User, tender: Tender, clause: SocialClause
) -> None:
    lot2 = tender.lots.get(number=2)
    client.force_login(coordinator)
    assert client.get(url(clause)).context["form"]["lot"].value() == clause.lot_id

    response = client.post(
        url(clause),
        form_data(
            clause,
            lot=str(lot2.pk),
            status=SocialClause.Status.IN_EXECUTION,
            target_quantity="3.5",
            target_unit=SocialClause.Unit.FTE,
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == tender.get_absolute_url()
    clause.refresh_from_db()
    assert (clause.lot, clause.status, clause.target_quantity, clause.target_unit) == (
        lot2,
        SocialClause.Status.IN_EXECUTION,
        Decimal("3.5"),
        SocialClause.Unit.FTE,
    )
    assert clause.history.latest().history_change_reason == "Edited"


def test_the_recording_partner_edits_a_clause(
    client: Client, other_partner: User, clause: SocialClause
) -> None:
    client.force_login(other_partner)

    response = client.post(url(clause), form_data(clause, description="Reworded."))

    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.description == "Reworded."


def test_a_criterion_does_not_count_its_own_weight_twice(
    client: Client, coordinator: User, tender: Tender, clause: SocialClause
) -> None:
    make_clause(tender, lot=clause.lot, stage=AWARD, weight_percent=Decimal(10))
    client.force_login(coordinator)

    assert client.post(url(clause), form_data(clause, weight_percent="90")).status_code == 302
    refused = client.post(url(clause), form_data(clause, weight_percent="90.5"))

    assert refused.status_code == 422
    assert "would weigh 100.5" in refused.context["form"].errors["weight_percent"][0]
    clause.refresh_from_db()
    assert clause.weight_percent == Decimal(90)


def test_a_clause_not_fulfilled_needs_its_sanction_note(
    client: Client, coordinator: User, clause: SocialClause
) -> None:
    client.force_login(coordinator)

    refused = client.post(url(clause), form_data(clause, status=SocialClause.Status.NOT_FULFILLED))
    saved = client.post(
        url(clause),
        form_data(
            clause,
            status=SocialClause.Status.NOT_FULFILLED,
            sanction_note="A 2 % penalty on the March invoice.",
        ),
    )

    assert refused.status_code == 422
    assert refused.context["form"].errors["sanction_note"] == [
        "Say what followed the clause not being fulfilled."
    ]
    assert saved.status_code == 302
    clause.refresh_from_db()
    assert clause.sanction_note == "A 2 % penalty on the March invoice."


def test_bad_input_is_refused_and_the_page_names_the_stored_clause(
    client: Client, coordinator: User, clause: SocialClause
) -> None:
    client.force_login(coordinator)

    response = client.post(
        url(clause),
        form_data(clause, stage=SocialClause.Stage.SELECTION, category="gpp", description=""),
    )

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"weight_percent", "description"}
    assert "Edit Long-term unemployed (Award criterion)" in response.content.decode()
    clause.refresh_from_db()
    assert (clause.stage, clause.category) == (AWARD, SocialClause.Category.LONG_TERM_UNEMPLOYED)


def test_a_lot_of_another_tender_is_refused(
    client: Client, coordinator: User, project: Project, clause: SocialClause
) -> None:
    foreign = make_tender(project, lots=1).lots.get()
    client.force_login(coordinator)

    response = client.post(url(clause), form_data(clause, lot=str(foreign.pk)))

    assert response.status_code == 422
    assert "lot" in response.context["form"].errors
    clause.refresh_from_db()
    assert clause.lot is not None and clause.lot.tender_id == clause.tender_id


def test_a_clause_of_another_tender_is_not_found_under_this_one(
    client: Client, coordinator: User, project: Project, clause: SocialClause
) -> None:
    other = make_clause(make_tender(project))
    client.force_login(coordinator)

    assert client.get(url(clause, pk=other.pk)).status_code == 404


def test_other_partner_may_not_edit_a_clause(
    client: Client, partner: User, clause: SocialClause
) -> None:
    client.force_login(partner)

    assert client.get(url(clause)).status_code == 403
    assert client.post(url(clause), form_data(clause, description="Mine.")).status_code == 403
    clause.refresh_from_db()
    assert clause.description != "Mine."


def test_observer_may_not_edit_a_clause(
    client: Client, observer: User, clause: SocialClause
) -> None:
    client.force_login(observer)

    assert client.get(url(clause)).status_code == 403
    assert client.post(url(clause), form_data(clause, description="Mine.")).status_code == 403
    clause.refresh_from_db()
    assert clause.description != "Mine."


def test_outsider_gets_404(client: Client, outsider: User, clause: SocialClause) -> None:
    client.force_login(outsider)

    assert client.get(url(clause)).status_code == 404
    assert client.post(url(clause), form_data(clause, description="Mine.")).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, clause: SocialClause) -> None:
    response = client.post(url(clause), form_data(clause, description="Mine."))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    clause.refresh_from_db()
    assert clause.description != "Mine."


def test_other_methods_are_not_allowed(
    client: Client, coordinator: User, clause: SocialClause
) -> None:
    client.force_login(coordinator)

    assert client.put(url(clause)).status_code == 405
    assert client.delete(url(clause)).status_code == 405
