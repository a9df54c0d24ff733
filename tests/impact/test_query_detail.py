"""impact:query_detail: a query's page, for every member: the record it is about (linked), its
thread with who wrote what and when, its history, and the forms the viewer may use now (the
answer for the assigned partner's staff and the coordinator, closing for the coordinator)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from impact.models import DataQuery, QueryMessage
from procurement.models import ClauseOutcome
from projects.models import Project
from tests.factories import make_organisation, make_partner, make_project
from tests.impact.factories import make_query
from tests.impact.test_query_create import records_of

pytestmark = pytest.mark.django_db

QUESTION = "RP1 counts 2 people but the breakdown by gender adds up to 3."
ANSWER = "The payroll extract was wrong: corrected to 3 people."


@pytest.fixture
def outcome(project: Project) -> ClauseOutcome:
    """An outcome of P3's tender (`other_partner` keeps it)."""
    record = records_of(project, project.partners.get(number=3))["procurement.clauseoutcome"]
    assert isinstance(record, ClauseOutcome)
    return record


@pytest.fixture
def query(project: Project, outcome: ClauseOutcome, coordinator: User) -> DataQuery:
    return make_query(
        outcome,
        project=project,
        assigned_to=project.partners.get(number=3),
        raised_by=coordinator,
        question=QUESTION,
        check_code="breakdown_sum",
    )


def url(query: DataQuery) -> str:
    return reverse("impact:query_detail", args=[query.project.slug, query.pk])


def page(client: Client, user: User, query: DataQuery) -> str:
    client.force_login(user)
    response = client.get(url(query))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_reads_the_query_its_record_and_its_thread(
    client: Client,
    query: DataQuery,
    outcome: ClauseOutcome,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    html = page(client, request.getfixturevalue(who), query)

    assert f"Query {query.pk}" in html
    assert "Open" in html
    tender_url = reverse(
        "procurement:tender_detail", args=[query.project.slug, outcome.clause.tender_id]
    )
    assert f'<a href="{tender_url}#outcomes-heading">T-001: ' in html
    assert "(clause outcome)" in html
    assert "<code>breakdown_sum</code>" in html
    assert "P3 Voorbeeld" in html
    assert QUESTION in html
    assert "by Cora Coordinator" in html


def test_the_thread_shows_each_message_with_who_and_when(
    client: Client, query: DataQuery, other_partner: User, coordinator: User
) -> None:
    at = query.messages.get().at + dt.timedelta(hours=2)
    QueryMessage.objects.create(
        query=query, author=other_partner, kind=QueryMessage.Kind.ANSWER, text=ANSWER, at=at
    )

    html = page(client, coordinator, query)

    assert "<strong>Answer</strong>" in html
    assert ANSWER in html
    assert "by Olga Other" in html
    # Seconds and a +HHMM offset: a valid HTML date-time has no microseconds.
    iso = timezone.localtime(at).strftime("%Y-%m-%dT%H:%M:%S%z")
    assert f'by Olga Other, <time datetime="{iso}">' in html
    assert html.index(QUESTION) < html.index(ANSWER)


@pytest.mark.parametrize(
    ("who", "answers", "closes"),
    [
        ("coordinator", True, True),
        ("other_partner", True, False),  # P3's staff: the query is assigned to P3
        ("partner", False, False),
        ("observer", False, False),
    ],
)
def test_the_forms_follow_who_may_answer_and_close(
    client: Client,
    query: DataQuery,
    who: str,
    answers: bool,
    closes: bool,
    request: pytest.FixtureRequest,
) -> None:
    html = page(client, request.getfixturevalue(who), query)
    slug = query.project.slug
    assert (reverse("impact:query_answer", args=[slug, query.pk]) in html) is answers
    assert (reverse("impact:query_close", args=[slug, query.pk]) in html) is closes
    assert ("Accepted as it is: the figure stands" in html) is closes


@pytest.mark.parametrize("status", [DataQuery.Status.RESOLVED, DataQuery.Status.ACCEPTED])
def test_a_closed_query_offers_no_form(
    client: Client, query: DataQuery, coordinator: User, status: str
) -> None:
    DataQuery.objects.filter(pk=query.pk).update(
        status=status, closed_at=dt.datetime(2023, 9, 1, 10, 0, tzinfo=dt.UTC)
    )
    html = page(client, coordinator, query)
    assert '<form method="post" action="/p/' not in html.split("<footer")[0]
    assert str(DataQuery.Status(status).label) in html
    assert '<time datetime="2023-09-01T12:00:00+0200">1 Sep 2023</time>' in html  # Brussels


def test_the_history_names_who_raised_it(
    client: Client, coordinator: User, project: Project, outcome: ClauseOutcome
) -> None:
    client.force_login(coordinator)
    link = reverse("impact:query_create", args=[project.slug])
    link += f"?subject_type=procurement.clauseoutcome&subject_id={outcome.pk}"
    client.post(link, {"assigned_to": project.partners.get(number=3).pk, "question": QUESTION})
    query = DataQuery.objects.get()

    html = client.get(url(query)).content.decode()

    history = html[html.index('id="history-heading"') :]
    assert "<strong>Raised</strong>" in history
    assert "by Cora Coordinator" in history


def test_a_deleted_record_is_said_so(client: Client, query: DataQuery, coordinator: User) -> None:
    ClauseOutcome.objects.filter(pk=query.subject_id).delete()
    assert "The record was deleted." in page(client, coordinator, query)


def test_a_query_of_another_project_is_404(client: Client, partner: User, project: Project) -> None:
    other = make_project("Other", slug="other")
    theirs = make_partner(other, make_organisation("Elsewhere"), number=1)
    query = make_query(theirs, project=other, assigned_to=theirs)
    client.force_login(partner)
    wrong = reverse("impact:query_detail", args=[project.slug, query.pk])
    assert client.get(wrong).status_code == 404


def test_outsider_gets_404(client: Client, outsider: User, query: DataQuery) -> None:
    client.force_login(outsider)
    assert client.get(url(query)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, query: DataQuery) -> None:
    response = client.get(url(query))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_other_methods_are_not_allowed(
    client: Client, other_partner: User, query: DataQuery
) -> None:
    client.force_login(other_partner)
    assert client.post(url(query)).status_code == 405


# --- what the page costs ------------------------------------------------------------------


def grow(query: DataQuery, n: int, author: User) -> None:
    """Add `n` answers to the thread, each a change in the query's history too."""
    for k in range(n):
        QueryMessage.objects.create(
            query=query,
            author=author,
            kind=QueryMessage.Kind.ANSWER,
            text=f"Answer {k}",
            at=timezone.now() + dt.timedelta(minutes=k),
        )
        query.status = DataQuery.Status.ANSWERED if k % 2 else DataQuery.Status.OPEN
        query.save()


def cost(client: Client, query: DataQuery) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(query))
    assert response.status_code == 200
    return len(queries)


# session, user, member, the query (with its partner and content type), the thread with its
# authors, its record (with what its name and link need), the history records with their users,
# then the content types, partners and users the records name (projects.history), and the user
# who raised it (access_query does not select it).
DETAIL_QUERIES = 11


def test_the_page_costs_the_same_for_5_messages_and_50(
    client: Client, query: DataQuery, other_partner: User
) -> None:
    client.force_login(other_partner)
    client.get(url(query))  # warm up
    grow(query, 5, other_partner)
    few = cost(client, query)
    grow(query, 45, other_partner)
    many = cost(client, query)
    assert few == many == DETAIL_QUERIES
