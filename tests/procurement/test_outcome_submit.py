"""procurement:outcome_submit: the tender's keepers send a draft outcome to the coordinator
(ClauseOutcome.submit, through the versioned-edit door: a stale page is refused)."""

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
    """A draft for RP1, sent back once before (its old comment is cleared on submission)."""
    clause = make_clause(tender, lot=tender.lots.get(number=1))
    return make_clause_outcome(
        clause, make_period(project), review_comment="Add the payroll extract."
    )


@pytest.fixture
def keeper(client: Client, other_partner: User) -> Client:
    client.force_login(other_partner)
    return client


def url(outcome: ClauseOutcome) -> str:
    tender = outcome.clause.tender
    return reverse("procurement:outcome_submit", args=[tender.project.slug, tender.pk, outcome.pk])


def test_a_keeper_submits_a_draft(
    keeper: Client, other_partner: User, outcome: ClauseOutcome
) -> None:
    before = timezone.now()

    response = keeper.post(url(outcome), {"version": outcome.version})

    assert response.status_code == 302
    assert response["Location"] == outcome.clause.tender.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Outcome for RP1 submitted. The coordinator will see it on their dashboard."
    ]
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version, outcome.review_comment) == ("submitted", 2, "")
    assert outcome.submitted_at is not None
    assert before <= outcome.submitted_at <= timezone.now()
    record = outcome.history.latest()
    assert (record.history_user, record.history_change_reason) == (other_partner, "Submitted")


def test_the_coordinator_may_submit_too(
    client: Client, coordinator: User, outcome: ClauseOutcome
) -> None:
    client.force_login(coordinator)
    assert client.post(url(outcome), {"version": outcome.version}).status_code == 302
    outcome.refresh_from_db()
    assert outcome.status == "submitted"


@pytest.mark.parametrize("status", [ClauseOutcome.Status.SUBMITTED, ClauseOutcome.Status.VALIDATED])
def test_only_a_draft_is_submitted(keeper: Client, outcome: ClauseOutcome, status: str) -> None:
    ClauseOutcome.objects.filter(pk=outcome.pk).update(status=status)

    response = keeper.post(url(outcome), {"version": outcome.version})

    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was changed:" in html
    assert "Only a draft can be submitted." in html
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version) == (status, 1)


def test_a_stale_page_is_refused_with_the_current_state(
    keeper: Client, outcome: ClauseOutcome
) -> None:
    """Someone corrected the figures after this page was loaded: they are checked again."""
    ClauseOutcome.objects.filter(pk=outcome.pk).update(version=2, achieved=3, headcount=3)

    response = keeper.post(url(outcome), {"version": 1})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this outcome after you opened the page." in html
    assert response.context["review"]["outcome"].achieved == 3  # the figures as they are now
    assert response.context["review"]["can_submit"] is True
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version) == ("draft", 2)


@pytest.mark.parametrize("data", [{}, {"version": "x"}])
def test_a_form_without_its_version_is_refused(
    keeper: Client, outcome: ClauseOutcome, data: dict[str, str]
) -> None:
    response = keeper.post(url(outcome), data)
    assert response.status_code == 422
    assert "The page was out of date: reload it and try again." in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.status == "draft"


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_others_get_403_and_nothing_changes(
    client: Client, outcome: ClauseOutcome, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(outcome), {"version": outcome.version}).status_code == 403
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version) == ("draft", 1)


def test_outsider_gets_404(client: Client, outsider: User, outcome: ClauseOutcome) -> None:
    client.force_login(outsider)
    assert client.post(url(outcome), {"version": outcome.version}).status_code == 404
    outcome.refresh_from_db()
    assert outcome.status == "draft"


def test_an_outcome_is_only_reachable_through_its_own_tender(
    keeper: Client, project: Project, outcome: ClauseOutcome
) -> None:
    other = make_tender(project)
    wrong = reverse("procurement:outcome_submit", args=[project.slug, other.pk, outcome.pk])
    assert keeper.post(wrong, {"version": outcome.version}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, outcome: ClauseOutcome) -> None:
    response = client.post(url(outcome), {"version": outcome.version})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    outcome.refresh_from_db()
    assert outcome.status == "draft"


def test_get_is_not_allowed(keeper: Client, outcome: ClauseOutcome) -> None:
    assert keeper.get(url(outcome)).status_code == 405
