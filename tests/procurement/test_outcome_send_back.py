"""procurement:outcome_send_back: the coordinator returns a submitted outcome to its partner as a
draft, saying what should change (ClauseOutcome.send_back); nobody else may, and a send-back
without a comment is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

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

COMMENT = "The payroll extract shows three people on the contract, not two."


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
        "procurement:outcome_send_back", args=[tender.project.slug, tender.pk, outcome.pk]
    )


def edit_url(outcome: ClauseOutcome) -> str:
    tender = outcome.clause.tender
    return reverse("procurement:outcome_edit", args=[tender.project.slug, tender.pk, outcome.pk])


def test_the_coordinator_sends_it_back_with_a_comment_and_the_partner_may_correct_it(
    cora: Client, coordinator: User, other_partner: User, outcome: ClauseOutcome
) -> None:
    response = cora.post(url(outcome), {"version": outcome.version, "comment": f"  {COMMENT} "})

    assert response.status_code == 302
    assert response["Location"] == outcome.clause.tender.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Outcome for RP1 sent back to the partner with your comment."
    ]
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version, outcome.review_comment) == ("draft", 2, COMMENT)
    record = outcome.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Sent back")
    # Back with the partner: a draft again, its edit form showing the comment.
    partner_client = Client()
    partner_client.force_login(other_partner)
    page = partner_client.get(edit_url(outcome))
    assert page.status_code == 200
    assert COMMENT in page.content.decode()


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_send_back_without_a_comment_is_refused_on_the_field(
    cora: Client, outcome: ClauseOutcome, comment: str
) -> None:
    response = cora.post(url(outcome), {"version": outcome.version, "comment": comment})

    assert response.status_code == 422
    form = response.context["review"]["send_back_form"]
    assert form.errors["comment"] == ["Say what should change."]
    assert "Say what should change." in response.content.decode()
    outcome.refresh_from_db()
    assert (outcome.status, outcome.version, outcome.review_comment) == ("submitted", 1, "")


@pytest.mark.parametrize("status", [ClauseOutcome.Status.DRAFT, ClauseOutcome.Status.VALIDATED])
def test_only_a_submitted_outcome_is_sent_back(
    cora: Client, outcome: ClauseOutcome, status: str
) -> None:
    ClauseOutcome.objects.filter(pk=outcome.pk).update(status=status)

    response = cora.post(url(outcome), {"version": outcome.version, "comment": COMMENT})

    assert response.status_code == 422
    assert "Only a submitted outcome can be sent back." in response.content.decode()
    outcome.refresh_from_db()
    assert (outcome.status, outcome.review_comment) == (status, "")


def test_a_stale_page_is_refused_keeping_the_comment(cora: Client, outcome: ClauseOutcome) -> None:
    ClauseOutcome.objects.filter(pk=outcome.pk).update(version=3, achieved=3, headcount=3)

    response = cora.post(url(outcome), {"version": 1, "comment": COMMENT})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this outcome after you opened the page." in html
    form = response.context["review"]["send_back_form"]
    # The comment is kept, against the version now shown: sending it again is deliberate.
    assert (form["comment"].value(), form["version"].value()) == (COMMENT, 3)
    assert COMMENT in html
    outcome.refresh_from_db()
    assert (outcome.status, outcome.review_comment) == ("submitted", "")


@pytest.mark.parametrize("who", ["other_partner", "partner", "observer"])
def test_only_the_coordinator_sends_back(
    client: Client, outcome: ClauseOutcome, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(outcome), {"version": outcome.version, "comment": COMMENT})
    assert response.status_code == 403
    outcome.refresh_from_db()
    assert (outcome.status, outcome.review_comment) == ("submitted", "")


def test_outsider_gets_404(client: Client, outsider: User, outcome: ClauseOutcome) -> None:
    client.force_login(outsider)
    response = client.post(url(outcome), {"version": outcome.version, "comment": COMMENT})
    assert response.status_code == 404
    outcome.refresh_from_db()
    assert outcome.status == "submitted"


def test_anonymous_is_sent_to_login(client: Client, outcome: ClauseOutcome) -> None:
    response = client.post(url(outcome), {"version": outcome.version, "comment": COMMENT})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    outcome.refresh_from_db()
    assert outcome.status == "submitted"


def test_get_is_not_allowed(cora: Client, outcome: ClauseOutcome) -> None:
    assert cora.get(url(outcome)).status_code == 405
