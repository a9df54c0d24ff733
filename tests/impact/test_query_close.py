"""impact:query_close: the coordinator closes a query (DataQuery.close), resolved (the figure is
right now) or accepted as it is, which needs a reason; the closure joins the thread with who and
when, and the figure loses its "Query open" mark. Nobody else may; a closed query stays closed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.models import DataQuery, QueryMessage
from impact.templatetags.impact_tags import open_query_subjects
from projects.models import Project
from tests.impact.factories import make_query
from tests.impact.test_query_create import records_of

pytestmark = pytest.mark.django_db

REASON = "The second worker started on 30 June: counted in RP2, as agreed."


@pytest.fixture
def query(project: Project, coordinator: User) -> DataQuery:
    """An answered query about P3's clause outcome, assigned to P3."""
    p3 = project.partners.get(number=3)
    outcome = records_of(project, p3)["procurement.clauseoutcome"]
    return make_query(
        outcome,
        project=project,
        assigned_to=p3,
        raised_by=coordinator,
        status=DataQuery.Status.ANSWERED,
    )


@pytest.fixture
def cora(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


def url(query: DataQuery) -> str:
    return reverse("impact:query_close", args=[query.project.slug, query.pk])


def closures(query: DataQuery) -> list[QueryMessage]:
    kinds = [QueryMessage.Kind.RESOLUTION, QueryMessage.Kind.ACCEPTANCE]
    return list(query.messages.filter(kind__in=kinds))


def test_the_coordinator_resolves_a_query(
    cora: Client, coordinator: User, query: DataQuery, project: Project
) -> None:
    assert open_query_subjects(project)  # the figure is marked
    response = cora.post(url(query), {"outcome": "resolved", "text": ""})

    assert response.status_code == 302
    assert response["Location"] == query.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Query {query.pk} resolved and closed."
    ]
    query.refresh_from_db()
    assert query.status == DataQuery.Status.RESOLVED
    assert query.closed_at is not None
    [closure] = closures(query)
    assert (closure.kind, closure.author, closure.text) == (
        QueryMessage.Kind.RESOLUTION,
        coordinator,
        "",
    )
    assert closure.at == query.closed_at
    record = query.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Resolved")
    assert open_query_subjects(project) == {}  # and is not any more


def test_the_coordinator_accepts_a_figure_as_it_is_with_a_reason(
    cora: Client, coordinator: User, query: DataQuery
) -> None:
    response = cora.post(url(query), {"outcome": "accepted", "text": f" {REASON} "})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Query {query.pk} closed: the figure is accepted as it is."
    ]
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ACCEPTED
    [closure] = closures(query)
    assert (closure.kind, closure.author, closure.text) == (
        QueryMessage.Kind.ACCEPTANCE,
        coordinator,
        REASON,
    )
    record = query.history.latest()
    assert record.history_change_reason == "Accepted as it is"
    html = cora.get(query.get_absolute_url()).content.decode()
    assert REASON in html
    assert "Accepted as it is" in html


@pytest.mark.parametrize("text", ["", "  "])
def test_an_acceptance_without_a_reason_is_refused_on_the_field(
    cora: Client, query: DataQuery, text: str
) -> None:
    response = cora.post(url(query), {"outcome": "accepted", "text": text})

    assert response.status_code == 422
    form = response.context["close_form"]
    assert form.errors["text"] == ["Say why the figure is accepted as it is."]
    assert "Say why the figure is accepted as it is." in response.content.decode()
    query.refresh_from_db()
    assert (query.status, query.closed_at) == (DataQuery.Status.ANSWERED, None)
    assert closures(query) == []


def test_an_open_query_may_be_closed_before_any_answer(cora: Client, query: DataQuery) -> None:
    DataQuery.objects.filter(pk=query.pk).update(status=DataQuery.Status.OPEN)
    assert cora.post(url(query), {"outcome": "resolved"}).status_code == 302
    query.refresh_from_db()
    assert query.status == DataQuery.Status.RESOLVED


@pytest.mark.parametrize("status", [DataQuery.Status.RESOLVED, DataQuery.Status.ACCEPTED])
def test_a_closed_query_stays_closed(cora: Client, query: DataQuery, status: str) -> None:
    DataQuery.objects.filter(pk=query.pk).update(status=status)

    response = cora.post(url(query), {"outcome": "accepted", "text": REASON})

    assert response.status_code == 422
    assert "This query is closed already." in response.content.decode()
    query.refresh_from_db()
    assert (query.status, query.closed_at) == (status, None)
    assert closures(query) == []


@pytest.mark.parametrize("data", [{}, {"outcome": "deleted"}])
def test_the_outcome_must_be_one_of_the_two(
    cora: Client, query: DataQuery, data: dict[str, Any]
) -> None:
    response = cora.post(url(query), data)
    assert response.status_code == 422
    assert "outcome" in response.context["close_form"].errors
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED


@pytest.mark.parametrize("who", ["other_partner", "partner", "observer"])
def test_only_the_coordinator_closes(
    client: Client, query: DataQuery, who: str, request: pytest.FixtureRequest
) -> None:
    """Not even the assigned partner (`other_partner`, P3) closes its own query."""
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(query), {"outcome": "accepted", "text": REASON})
    assert response.status_code == 403
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED
    assert closures(query) == []


def test_outsider_gets_404(client: Client, outsider: User, query: DataQuery) -> None:
    client.force_login(outsider)
    assert client.post(url(query), {"outcome": "resolved"}).status_code == 404
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED


def test_anonymous_is_sent_to_login(client: Client, query: DataQuery) -> None:
    response = client.post(url(query), {"outcome": "resolved"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    query.refresh_from_db()
    assert query.status == DataQuery.Status.ANSWERED


def test_get_is_not_allowed(cora: Client, query: DataQuery) -> None:
    assert cora.get(url(query)).status_code == 405
