"""impact:query_answer: the staff of the partner a query is assigned to (and the coordinator)
answer it (DataQuery.answer): the query becomes "answered" and the answer joins its thread with
who and when. Nobody else may; an empty answer, or one to a closed query, is refused."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.models import DataQuery, QueryMessage
from projects.models import Project
from tests.impact.factories import make_query
from tests.impact.test_query_create import records_of

pytestmark = pytest.mark.django_db

ANSWER = "The payroll extract was wrong: corrected to 3 people."


@pytest.fixture
def query(project: Project, coordinator: User) -> DataQuery:
    """An open query about P3's clause outcome, assigned to P3 (`other_partner`'s)."""
    p3 = project.partners.get(number=3)
    outcome = records_of(project, p3)["procurement.clauseoutcome"]
    return make_query(outcome, project=project, assigned_to=p3, raised_by=coordinator)


@pytest.fixture
def olga(client: Client, other_partner: User) -> Client:
    client.force_login(other_partner)
    return client


def url(query: DataQuery) -> str:
    return reverse("impact:query_answer", args=[query.project.slug, query.pk])


def answers(query: DataQuery) -> list[QueryMessage]:
    return list(query.messages.filter(kind=QueryMessage.Kind.ANSWER))


def test_the_assigned_partner_answers_and_the_answer_joins_the_thread(
    olga: Client, other_partner: User, query: DataQuery
) -> None:
    response = olga.post(url(query), {"text": f"  {ANSWER}  "})

    assert response.status_code == 302
    assert response["Location"] == query.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your answer is sent. The coordinator will close the query."
    ]
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED
    [answer] = answers(query)
    assert (answer.author, answer.text) == (other_partner, ANSWER)
    assert answer.at > query.messages.get(kind=QueryMessage.Kind.QUESTION).at
    record = query.history.latest()
    assert (record.history_user, record.history_change_reason) == (other_partner, "Answered")
    # The page shows it, and the history says who answered.
    html = olga.get(query.get_absolute_url()).content.decode()
    assert ANSWER in html
    assert "<strong>Answered</strong>" in html


def test_the_coordinator_may_answer_for_the_partner(
    client: Client, coordinator: User, query: DataQuery
) -> None:
    client.force_login(coordinator)
    assert client.post(url(query), {"text": ANSWER}).status_code == 302
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED
    assert [a.author for a in answers(query)] == [coordinator]


def test_an_answered_query_takes_a_further_answer(olga: Client, query: DataQuery) -> None:
    olga.post(url(query), {"text": ANSWER})
    assert olga.post(url(query), {"text": "And the evidence is uploaded."}).status_code == 302
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED
    assert len(answers(query)) == 2


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_answer_is_refused_on_the_field(olga: Client, query: DataQuery, text: str) -> None:
    response = olga.post(url(query), {"text": text})

    assert response.status_code == 422
    assert response.context["answer_form"].errors["text"] == ["Write the answer."]
    html = response.content.decode()
    assert "Nothing was saved:" in html
    assert "Write the answer." in html
    query.refresh_from_db()
    assert query.status == DataQuery.Status.OPEN
    assert answers(query) == []


@pytest.mark.parametrize("status", [DataQuery.Status.RESOLVED, DataQuery.Status.ACCEPTED])
def test_a_closed_query_takes_no_answer(olga: Client, query: DataQuery, status: str) -> None:
    DataQuery.objects.filter(pk=query.pk).update(status=status)

    response = olga.post(url(query), {"text": ANSWER})

    assert response.status_code == 422
    html = response.content.decode()
    assert "This query is closed." in html
    # The page offers no answer form any more.
    assert f'action="{url(query)}"' not in html
    query.refresh_from_db()
    assert query.status == status
    assert answers(query) == []


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_nobody_else_answers(
    client: Client, query: DataQuery, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(query), {"text": ANSWER})
    assert response.status_code == 403
    query.refresh_from_db()
    assert query.status == DataQuery.Status.OPEN
    assert answers(query) == []


def test_outsider_gets_404(client: Client, outsider: User, query: DataQuery) -> None:
    client.force_login(outsider)
    assert client.post(url(query), {"text": ANSWER}).status_code == 404
    assert answers(query) == []


def test_anonymous_is_sent_to_login(client: Client, query: DataQuery) -> None:
    response = client.post(url(query), {"text": ANSWER})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert answers(query) == []


def test_get_is_not_allowed(olga: Client, query: DataQuery) -> None:
    assert olga.get(url(query)).status_code == 405
