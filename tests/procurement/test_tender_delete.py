"""procurement:tender_delete: those who keep a tender delete one recorded by mistake, after a
confirmation page; a tender with a validated outcome stays on record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import ClauseOutcome, Contract, Lot, OutcomeEvidence, SocialClause, Tender
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
    """P3's tender (the `other_partner` keeps it): a lot awarded, a clause with a draft outcome."""
    tender = make_tender(project, reference="VB-01", title="Cleaning of schools")
    lot = tender.lots.get()
    make_contract(lot, start_date=dt.date(2023, 6, 1))
    clause = make_clause(tender, lot=lot)
    make_clause_outcome(clause, make_period(project))
    return tender


def url(tender: Tender) -> str:
    return reverse("procurement:tender_delete", args=[tender.project.slug, tender.pk])


def test_the_confirmation_page_says_what_goes(
    client: Client, other_partner: User, tender: Tender
) -> None:
    client.force_login(other_partner)

    response = client.get(url(tender))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete this tender?" in html
    assert (
        "goes for everyone in the project, with its lots (1), social clauses (1), contracts (1) "
        "and the outcomes reported for its clauses (1), and their evidence files."
    ) in html
    assert "mark it cancelled instead" in html
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_deleting_removes_the_tender_and_all_its_parts(
    client: Client, other_partner: User, project: Project, tender: Tender
) -> None:
    client.force_login(other_partner)

    response = client.post(url(tender), follow=True)

    assert response.redirect_chain == [
        (reverse("procurement:tender_list", args=[project.slug]), 302)
    ]
    assert "VB-01 deleted." in response.content.decode()
    assert not Tender.objects.exists()
    assert not Lot.objects.exists()
    assert not SocialClause.objects.exists()
    assert not Contract.objects.exists()
    assert not ClauseOutcome.objects.exists()


def test_the_evidence_files_go_after_the_commit(
    client: Client,
    other_partner: User,
    tender: Tender,
    django_capture_on_commit_callbacks: Any,
) -> None:
    name = default_storage.save("procurement/evidence/payroll.pdf", ContentFile(b"%PDF-1.4"))
    OutcomeEvidence.objects.create(
        outcome=ClauseOutcome.objects.get(),
        file=name,
        original_name="payroll.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
    )
    client.force_login(other_partner)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(tender)).status_code == 302

    assert not OutcomeEvidence.objects.exists()
    assert not default_storage.exists(name)


def test_a_tender_with_a_validated_outcome_stays_on_record(
    client: Client, coordinator: User, tender: Tender
) -> None:
    ClauseOutcome.objects.update(status=ClauseOutcome.Status.VALIDATED)
    client.force_login(coordinator)
    reason = (
        "1 outcome of this tender&#x27;s clauses is validated, so the tender stays on record. "
        "Mark it cancelled instead."
    )

    page = client.get(url(tender))
    assert page.status_code == 200
    assert reason in page.content.decode()
    assert "Delete the tender" not in page.content.decode()  # no button to press

    refused = client.post(url(tender))
    assert refused.status_code == 409
    assert reason in refused.content.decode()
    assert Tender.objects.filter(pk=tender.pk).exists()
    assert ClauseOutcome.objects.count() == 1


def test_the_coordinator_may_delete(client: Client, coordinator: User, tender: Tender) -> None:
    client.force_login(coordinator)
    assert client.post(url(tender)).status_code == 302
    assert not Tender.objects.exists()


def test_the_staff_of_the_authoritys_partner_may_delete(
    client: Client, other_partner: User, project: Project
) -> None:
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    tender = make_tender(project, recorded_by=p2, authority=p3.organisation)
    client.force_login(other_partner)
    assert client.post(url(tender)).status_code == 302
    assert not Tender.objects.exists()


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_others_may_not_delete(
    client: Client, tender: Tender, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(tender)).status_code == 403
    assert client.post(url(tender)).status_code == 403
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_outsider_gets_404(client: Client, outsider: User, tender: Tender) -> None:
    client.force_login(outsider)
    assert client.get(url(tender)).status_code == 404
    assert client.post(url(tender)).status_code == 404
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_anonymous_is_sent_to_login(client: Client, tender: Tender) -> None:
    response = client.post(url(tender))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Tender.objects.filter(pk=tender.pk).exists()


def test_other_methods_are_not_allowed(client: Client, other_partner: User, tender: Tender) -> None:
    client.force_login(other_partner)
    assert client.put(url(tender)).status_code == 405
    assert client.delete(url(tender)).status_code == 405
    assert Tender.objects.filter(pk=tender.pk).exists()
