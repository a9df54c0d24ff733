"""procurement:clause_delete: those who keep a tender delete a clause entered by mistake, after a
confirmation page; a clause with reported outcomes is kept, and the page says why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import SocialClause, Tender
from projects.models import Project
from tests.procurement.factories import make_clause, make_clause_outcome, make_period, make_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(project: Project) -> Tender:
    return make_tender(project)


@pytest.fixture
def clause(tender: Tender) -> SocialClause:
    return make_clause(tender, lot=tender.lots.get())


def url(clause: SocialClause) -> str:
    tender = clause.tender
    return reverse("procurement:clause_delete", args=[tender.project.slug, tender.pk, clause.pk])


def test_the_confirmation_page_names_the_clause(
    client: Client, coordinator: User, clause: SocialClause
) -> None:
    client.force_login(coordinator)

    response = client.get(url(clause))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Delete this clause?" in page
    assert "At least two persons with disabilities work on the contract." in page
    assert SocialClause.objects.filter(pk=clause.pk).exists()


def test_coordinator_deletes_a_clause_and_returns_to_the_tender(
    client: Client, coordinator: User, tender: Tender, clause: SocialClause
) -> None:
    client.force_login(coordinator)

    response = client.post(url(clause))

    assert response.status_code == 302
    assert response["Location"] == tender.get_absolute_url()
    assert not SocialClause.objects.exists()
    assert tender.lots.count() == 1


def test_the_recording_partner_deletes_a_clause(
    client: Client, other_partner: User, clause: SocialClause
) -> None:
    client.force_login(other_partner)

    assert client.post(url(clause)).status_code == 302
    assert not SocialClause.objects.exists()


def test_a_clause_with_outcomes_is_kept_and_the_page_says_why(
    client: Client, coordinator: User, project: Project, clause: SocialClause
) -> None:
    make_clause_outcome(clause, make_period(project, number=2, start_month=10, end_month=18))
    make_clause_outcome(clause, make_period(project, number=1))
    client.force_login(coordinator)

    page = client.get(url(clause))
    refused = client.post(url(clause))

    assert page.status_code == 200
    assert "This clause cannot be deleted" in page.content.decode()
    assert "It has outcomes reported for RP1, RP2." in page.content.decode()
    assert "Delete the clause</button>" not in page.content.decode()
    assert refused.status_code == 409
    assert SocialClause.objects.filter(pk=clause.pk).exists()


def test_other_partner_may_not_delete_a_clause(
    client: Client, partner: User, clause: SocialClause
) -> None:
    client.force_login(partner)

    assert client.get(url(clause)).status_code == 403
    assert client.post(url(clause)).status_code == 403
    assert SocialClause.objects.filter(pk=clause.pk).exists()


def test_observer_may_not_delete_a_clause(
    client: Client, observer: User, clause: SocialClause
) -> None:
    client.force_login(observer)

    assert client.get(url(clause)).status_code == 403
    assert client.post(url(clause)).status_code == 403
    assert SocialClause.objects.filter(pk=clause.pk).exists()


def test_outsider_gets_404(client: Client, outsider: User, clause: SocialClause) -> None:
    client.force_login(outsider)

    assert client.get(url(clause)).status_code == 404
    assert client.post(url(clause)).status_code == 404
    assert SocialClause.objects.filter(pk=clause.pk).exists()


def test_anonymous_is_sent_to_login(client: Client, clause: SocialClause) -> None:
    response = client.post(url(clause))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SocialClause.objects.filter(pk=clause.pk).exists()


def test_other_methods_are_not_allowed(
    client: Client, coordinator: User, clause: SocialClause
) -> None:
    client.force_login(coordinator)

    assert client.put(url(clause)).status_code == 405
    assert client.delete(url(clause)).status_code == 405
    assert SocialClause.objects.filter(pk=clause.pk).exists()
