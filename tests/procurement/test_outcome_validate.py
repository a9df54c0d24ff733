"""procurement:outcome_validate: the coordinator accepts a submitted outcome's figures
(ClauseOutcome.validate, through the versioned-edit door); nobody else may, and only a submitted
outcome is validated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from procurement.models import ClauseOutcome, Tender
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
    """T-001 of P3's municipality (`other_partner` keeps it), lot 1 awarded from 1 June 2023."""
    tender = make_tender(project)
    make_contract(tender.lots.get(number=1), start_date=dt.date(2023, 6, 1))
    return tender


@pytest.fixture
def outcome(project: Project, tender: Tender) -> ClauseOutcome:
    """RP1's outcome, submitted by P3."""
    clause = make_clause(tender, lot=tender.lots.get(number=1))
    return make_clause_outcome(
        clause,
        make_period(project),
        status=ClauseOutcome.Status.SUBMITTED,
        submitted_at=dt.datetime(2023, 7, 10, 9, 0, tzinfo=dt.UTC),
    )


@pytest.fixture
def cora(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


def url(outcome: ClauseOutcome) -> str:
    tender = outcome.clause.tender
    return reverse(
        "procurement:outcome_validate", args=[tender.project.slug, tender.pk, outcome.pk]
    )


def test_the_coordinator_validates_a_submitted_outcome(
    cora: Client, coordinator: User, outcome: ClauseOutcome
) -> None:
    before = timezone.now()

    response = cora.post(url(outcome), {"version": outcome.version})

    assert response.status_code == 302
    assert response["Location"] == outcome.clause.tender.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Outcome for RP1 validated."]
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version, outcome.validated_by) == (
        "validated",
        2,
        coordinator,
    )
    assert outcome.validated_at is not None
    assert before <= outcome.validated_at <= timezone.now()
    record = outcome.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Validated")


@pytest.mark.parametrize("status", [ClauseOutcome.Status.DRAFT, ClauseOutcome.Status.VALIDATED])
def test_only_a_submitted_outcome_is_validated(
    cora: Client, outcome: ClauseOutcome, status: str
) -> None:
    ClauseOutcome.objects.filter(pk=outcome.pk).update(status=status)

    response = cora.post(url(outcome), {"version": outcome.version})

    assert response.status_code == 422
    assert "Only a submitted outcome can be validated." in response.content.decode()
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version, outcome.validated_by) == (status, 1, None)


def test_a_stale_page_is_refused_with_the_current_state(
    cora: Client, outcome: ClauseOutcome
) -> None:
    """The partner's figures changed after the page was loaded (sent back, corrected and
    submitted again): the coordinator validates what they saw, or nothing."""
    ClauseOutcome.objects.filter(pk=outcome.pk).update(version=4, achieved=3, headcount=3)

    response = cora.post(url(outcome), {"version": 1})

    assert response.status_code == 409
    assert "Someone else changed this outcome after you opened the page." in (
        response.content.decode()
    )
    review = response.context["review"]
    assert (review["outcome"].achieved, review["can_validate"]) == (3, True)
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version, outcome.validated_at) == ("submitted", 4, None)


def test_a_form_without_its_version_is_refused(cora: Client, outcome: ClauseOutcome) -> None:
    response = cora.post(url(outcome), {})
    assert response.status_code == 422
    assert "The page was out of date: reload it and try again." in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.status == "submitted"


@pytest.mark.parametrize("who", ["other_partner", "partner", "observer"])
def test_only_the_coordinator_validates(
    client: Client, outcome: ClauseOutcome, who: str, request: pytest.FixtureRequest
) -> None:
    """Not even the tender's keepers (`other_partner`): the coordinator checks their numbers."""
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(outcome), {"version": outcome.version}).status_code == 403
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version) == ("submitted", 1)


def test_outsider_gets_404(client: Client, outsider: User, outcome: ClauseOutcome) -> None:
    client.force_login(outsider)
    assert client.post(url(outcome), {"version": outcome.version}).status_code == 404
    outcome.refresh_from_db()
    assert outcome.status == "submitted"


def test_an_outcome_is_only_reachable_through_its_own_tender(
    cora: Client, project: Project, outcome: ClauseOutcome
) -> None:
    other = make_tender(project)
    wrong = reverse("procurement:outcome_validate", args=[project.slug, other.pk, outcome.pk])
    assert cora.post(wrong, {"version": outcome.version}).status_code == 404
    outcome.refresh_from_db()
    assert outcome.status == "submitted"


def test_anonymous_is_sent_to_login(client: Client, outcome: ClauseOutcome) -> None:
    response = client.post(url(outcome), {"version": outcome.version})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    outcome.refresh_from_db()
    assert outcome.status == "submitted"


def test_get_is_not_allowed(cora: Client, outcome: ClauseOutcome) -> None:
    assert cora.get(url(outcome)).status_code == 405
