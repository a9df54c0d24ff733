"""The recommendations page: every recommendation of the project's published reports,
filtered by audience and event kind, by page, at a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from reports.models import ConferenceReport, Recommendation
from tests.events.factories import make_event, make_recommendation, make_report

PUBLISHED = ConferenceReport.Status.PUBLISHED


def url(project: Project) -> str:
    return reverse("reports:recommendation_list", args=[project.slug])


def texts(response: Any) -> list[str]:
    return [r.text for r in response.context["page_obj"]]


@pytest.fixture
def recommendations(project: Project) -> None:
    conference = make_report(
        make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE),
        status=PUBLISHED,
    )
    make_recommendation(conference, text="Clear frameworks", audience="policy_makers")
    make_recommendation(conference, text="Work together", audience="all", position=2)
    roundtable = make_report(make_event(project, title="Roundtable"), status=PUBLISHED)
    make_recommendation(roundtable, text="Consult the market", audience="contracting_authorities")
    draft = make_report(make_event(project, title="Draft one"))
    make_recommendation(draft, text="Not published yet", audience="policy_makers")


@pytest.mark.usefixtures("recommendations")
def test_lists_recommendations_of_published_reports_only(
    client: Client, observer: Any, project: Project
) -> None:
    client.force_login(observer)
    response = client.get(url(project))
    assert response.status_code == 200
    assert sorted(texts(response)) == ["Clear frameworks", "Consult the market", "Work together"]
    assert b"Not published yet" not in response.content


@pytest.mark.usefixtures("recommendations")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A recommendation to all is also one to policy makers.
        ({"audience": "policy_makers"}, ["Clear frameworks", "Work together"]),
        ({"audience": "contracting_authorities"}, ["Consult the market", "Work together"]),
        ({"kind": Event.Kind.ROUNDTABLE}, ["Consult the market"]),
        ({"kind": Event.Kind.FINAL_CONFERENCE, "audience": "social_economy"}, ["Work together"]),
        ({"q": "market"}, ["Consult the market"]),
    ],
)
def test_filters(
    client: Client, partner: Any, project: Project, query: dict[str, str], expected: list[str]
) -> None:
    client.force_login(partner)
    assert sorted(texts(client.get(url(project), query))) == expected


def test_other_projects_recommendations_are_not_listed(
    client: Client, partner: Any, project: Project
) -> None:
    from tests.factories import make_partner, make_project

    other = make_project("OTHER", slug="other")
    theirs = make_report(
        make_event(other, organiser=make_partner(other, number=1)), status=PUBLISHED
    )
    make_recommendation(theirs, text="Someone else's")
    client.force_login(partner)
    assert texts(client.get(url(project))) == []


def test_outsider_gets_404(client: Client, outsider: Any, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow(
    client: Client, partner: Any, project: Project, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        report = make_report(make_event(project, title=f"Event {n}"), status=PUBLISHED)
        make_recommendation(report, text=f"First of {n}", audience="all")
        make_recommendation(report, text=f"Second of {n}", position=2)
    client.force_login(partner)
    # 1 session, 2 user, 3 membership and project, 4 count, 5 the page of recommendations with
    # their reports, events and authors.
    with django_assert_num_queries(5):
        response = client.get(url(project))
    assert len(response.context["page_obj"]) == min(2 * count, 50)
    assert Recommendation.objects.count() == 2 * count
