"""impact_tags: the dashboard's queries panel ({% impact_queries_panel access %}: a partner's open
queries to answer, the coordinator's answered queries to close, nothing for observers; a fixed
number of queries), and the "Query open" mark on figures ({% query_mark record %},
`has_open_query`, `open_query_subjects`: one query per page however many figures it marks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from impact.models import DataQuery, QueryMessage
from impact.templatetags.impact_tags import open_query_subjects
from procurement.models import ClauseOutcome
from projects.models import Partner, Project
from projects.permissions import access_project
from tests.factories import make_organisation, make_partner, make_project, make_risk
from tests.impact.factories import make_query
from tests.impact.test_query_create import records_of
from tests.procurement.factories import make_clause, make_clause_outcome, make_period

pytestmark = pytest.mark.django_db

PANEL = Template("{% load impact_tags %}{% impact_queries_panel access today %}")
TODAY = dt.date(2024, 5, 20)  # in RP2 of the cast's project, when it has periods


def render(user: User, project: Project) -> str:
    return PANEL.render(Context({"access": access_project(user, project.slug), "today": TODAY}))


def partner_number(project: Project, number: int) -> Partner:
    return project.partners.get(number=number)


def answer(query: DataQuery, author: User, at: dt.datetime) -> None:
    QueryMessage.objects.create(
        query=query, author=author, kind=QueryMessage.Kind.ANSWER, text="Corrected.", at=at
    )
    DataQuery.objects.filter(pk=query.pk).update(status=DataQuery.Status.ANSWERED)


def detail_url(query: DataQuery) -> str:
    return reverse("impact:query_detail", args=[query.project.slug, query.pk])


# --- the panel -----------------------------------------------------------------------------


def test_a_partner_sees_the_open_queries_assigned_to_it(
    project: Project, other_partner: User
) -> None:
    p2, p3 = partner_number(project, 2), partner_number(project, 3)
    risk = make_risk(project, owner=p3)
    mine = make_query(risk, project=project, assigned_to=p3, question="Is the score right?")
    answered = make_query(risk, project=project, assigned_to=p3, question="Answered one")
    answer(answered, other_partner, timezone.now())
    make_query(risk, project=project, assigned_to=p3, status=DataQuery.Status.RESOLVED)
    make_query(risk, project=project, assigned_to=p2, question="P2's")
    other = make_project("Other", slug="other")
    theirs = make_partner(other, make_organisation("Elsewhere"), number=3)
    make_query(theirs, project=other, assigned_to=theirs, question="Elsewhere's")

    html = render(other_partner, project)

    assert "Queries waiting for your answer" in html
    assert html.count("<li>") == 1
    date = mine.raised_at.astimezone(timezone.get_current_timezone())
    assert (
        f'<a href="{detail_url(mine)}">Query {mine.pk}</a> (risk), raised {date:%-d %b %Y}: '
        "Is the score right?" in html
    )


def test_a_partner_with_nothing_to_answer_is_told_so(project: Project, partner: User) -> None:
    assert "No query is waiting for your answer." in render(partner, project)


def test_the_coordinator_sees_the_answered_queries_to_close(
    project: Project, coordinator: User, other_partner: User
) -> None:
    p3 = partner_number(project, 3)
    risk = make_risk(project, owner=p3)
    later = make_query(risk, project=project, assigned_to=p3)
    first = make_query(risk, project=project, assigned_to=p3)
    answer(later, other_partner, dt.datetime(2023, 8, 3, 9, 0, tzinfo=dt.UTC))
    answer(first, other_partner, dt.datetime(2023, 8, 2, 9, 0, tzinfo=dt.UTC))
    make_query(risk, project=project, assigned_to=p3)  # open: the partner's to answer
    make_query(risk, project=project, assigned_to=p3, status=DataQuery.Status.ACCEPTED)

    html = render(coordinator, project)

    assert "Answered queries to close" in html
    assert html.count("<li>") == 2
    assert (
        f'<a href="{detail_url(first)}">Query {first.pk}</a> (risk): P3 answered 2 Aug 2023' in html
    )
    assert html.index(f"Query {first.pk}<") < html.index(f"Query {later.pk}<")
    assert "waiting for your answer" not in html


def test_the_coordinator_with_nothing_to_close_is_told_so(
    project: Project, coordinator: User
) -> None:
    assert "No answered query is waiting to be closed." in render(coordinator, project)


def test_observers_see_nothing_and_cost_nothing(
    project: Project, observer: User, django_assert_num_queries: Any
) -> None:
    p3 = partner_number(project, 3)
    make_query(make_risk(project, owner=p3), project=project, assigned_to=p3)
    context = Context({"access": access_project(observer, project.slug), "today": TODAY})
    with django_assert_num_queries(0):
        html = PANEL.render(context)
    assert html.strip() == ""


def test_a_long_list_stops_at_ten_and_links_to_the_data_quality_page(
    project: Project, other_partner: User
) -> None:
    p3 = partner_number(project, 3)
    risk = make_risk(project, owner=p3)
    for _ in range(11):
        make_query(risk, project=project, assigned_to=p3)
    html = render(other_partner, project)
    assert html.count("<li>") == 10
    assert "All queries on the data-quality page" in html
    assert reverse("impact:data_quality", args=[project.slug]) in html


def grow(project: Project, n: int, answered_by: User | None = None) -> None:
    """`n` queries assigned to P3 on records of several kinds; answered ones if `answered_by`."""
    p3 = partner_number(project, 3)
    records = list(records_of(project, p3).values())
    for k in range(n):
        query = make_query(records[k % len(records)], project=project, assigned_to=p3)
        if answered_by is not None:
            answer(query, answered_by, timezone.now())


@pytest.mark.parametrize("count", [5, 50])
def test_a_partners_panel_costs_two_queries_whatever_the_number(
    project: Project, other_partner: User, count: int, django_assert_num_queries: Any
) -> None:
    grow(project, count)
    context = Context({"access": access_project(other_partner, project.slug), "today": TODAY})
    # 1 the open queries assigned to P3, with their content types; 2 the current period.
    with django_assert_num_queries(2):
        html = PANEL.render(context)
    assert html.count("<li>") == min(count, 10)


@pytest.mark.parametrize("count", [5, 50])
def test_the_coordinators_panel_costs_one_query_whatever_the_number(
    project: Project,
    coordinator: User,
    other_partner: User,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    grow(project, count, answered_by=other_partner)
    context = Context({"access": access_project(coordinator, project.slug)})
    # 1 the answered queries with their content types, partners and last answers' times.
    with django_assert_num_queries(1):
        html = PANEL.render(context)
    assert html.count("<li>") == min(count, 10)


def test_the_dashboard_shows_the_panel(
    client: Client, project: Project, other_partner: User
) -> None:
    p3 = partner_number(project, 3)
    query = make_query(make_risk(project, owner=p3), project=project, assigned_to=p3)
    client.force_login(other_partner)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Queries waiting for your answer" in html
    assert detail_url(query) in html


# --- the mark on figures --------------------------------------------------------------------


@pytest.fixture
def outcomes(project: Project) -> list[ClauseOutcome]:
    """Three outcomes of P3's tender: RP1 of two clauses, and RP2 of the first."""
    p3 = partner_number(project, 3)
    first = records_of(project, p3)["procurement.clauseoutcome"]
    assert isinstance(first, ClauseOutcome)
    tender = first.clause.tender
    rp2 = make_period(project, number=2, start_month=10, end_month=18)
    second = make_clause_outcome(make_clause(tender, lot=tender.lots.get(number=1)), first.period)
    return [first, second, make_clause_outcome(first.clause, rp2)]


MARKS = Template("{% load impact_tags %}{% for o in rows %}[{% query_mark o %}]{% endfor %}")


def test_open_query_subjects_names_the_records_with_a_query_not_yet_closed(
    project: Project, outcomes: list[ClauseOutcome], django_assert_num_queries: Any
) -> None:
    p3 = partner_number(project, 3)
    first, second, third = outcomes
    older = make_query(first, project=project, assigned_to=p3)
    make_query(first, project=project, assigned_to=p3)  # a second one: the oldest is linked
    answered = make_query(second, project=project, assigned_to=p3, status="answered")
    make_query(third, project=project, assigned_to=p3, status=DataQuery.Status.RESOLVED)
    with django_assert_num_queries(1):
        marked = open_query_subjects(project)
    assert marked == {
        ("procurement.clauseoutcome", first.pk): older.pk,
        ("procurement.clauseoutcome", second.pk): answered.pk,
    }


def test_the_mark_says_query_open_and_links_to_the_query(
    project: Project, outcomes: list[ClauseOutcome]
) -> None:
    p3 = partner_number(project, 3)
    _first, second, third = outcomes
    query = make_query(second, project=project, assigned_to=p3)
    make_query(third, project=project, assigned_to=p3, status=DataQuery.Status.ACCEPTED)

    html = MARKS.render(Context({"project": project, "rows": outcomes}))

    assert html == (
        "[]"
        f'[<a class="badge badge-medium query-mark" href="{detail_url(query)}">Query open'
        f'<span class="visually-hidden"> (query {query.pk})</span></a>]'
        "[]"
    )


def test_the_mark_costs_one_query_per_page_however_many_figures(
    project: Project, outcomes: list[ClauseOutcome], django_assert_num_queries: Any
) -> None:
    p3 = partner_number(project, 3)
    for outcome in outcomes:
        make_query(outcome, project=project, assigned_to=p3)
    page = Template(
        "{% load impact_tags %}{% for o in rows %}{% with x=o %}{% query_mark x %}{% endwith %}"
        '{% endfor %}{% include "impact/includes/queries_panel.html" %}'
    )
    with django_assert_num_queries(1):
        html = page.render(Context({"project": project, "rows": outcomes * 3}))
    assert html.count("Query open") == 9


def test_a_page_that_read_them_already_pays_nothing(
    project: Project, outcomes: list[ClauseOutcome], django_assert_num_queries: Any
) -> None:
    p3 = partner_number(project, 3)
    make_query(outcomes[0], project=project, assigned_to=p3)
    open_queries = open_query_subjects(project)
    template = Template(
        "{% load impact_tags %}{% for o in rows %}"
        "{% if o|has_open_query:open_queries %}Q{% else %}-{% endif %}{% query_mark o %}"
        "{% endfor %}"
    )
    context = Context({"project": project, "rows": outcomes, "open_queries": open_queries})
    with django_assert_num_queries(0):
        html = template.render(context)
    assert html.startswith("Q<a ")
    assert html.endswith("--")


def test_the_tender_page_marks_an_outcome_with_an_open_query(
    client: Client, project: Project, outcomes: list[ClauseOutcome], partner: User
) -> None:
    p3 = partner_number(project, 3)
    first = outcomes[0]
    query = make_query(first, project=project, assigned_to=p3)
    client.force_login(partner)
    tender_url = first.clause.tender.get_absolute_url()

    html = client.get(tender_url).content.decode()

    assert html.count("Query open") == 1
    assert f'href="{detail_url(query)}">Query open' in html
    DataQuery.objects.filter(pk=query.pk).update(status=DataQuery.Status.RESOLVED)
    assert "Query open" not in client.get(tender_url).content.decode()


def test_a_partner_is_led_to_its_values_of_the_current_period(
    project: Project, other_partner: User
) -> None:
    from tests.procurement.factories import make_period

    make_period(project, number=1, start_month=1, end_month=9)
    make_period(project, number=2, start_month=10, end_month=18)
    html = render(other_partner, project)
    entry = reverse("impact:value_entry", args=[project.slug, 3, 2])
    assert f'href="{entry}"' in html and "Your indicator values for RP2" in html
