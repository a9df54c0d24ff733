"""The event list: upcoming and past events, filters, and a query count that does not grow."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from tests.events.factories import FUTURE_START, PAST_START, make_event


def url(project: Project) -> str:
    return reverse("events:event_list", args=[project.slug])


def titles(response: Any, key: str) -> list[str]:
    rows = response.context[key]
    return [e.title for e in (rows.object_list if hasattr(rows, "object_list") else rows)]


def test_upcoming_first_then_past_newest_first(
    client: Client, observer: Any, project: Project
) -> None:
    make_event(project, title="Kick-off", starts_at=PAST_START - dt.timedelta(days=500))
    make_event(project, title="Final conference", starts_at=PAST_START)
    make_event(project, title="Follow-up webinar", starts_at=FUTURE_START)
    make_event(
        project,
        title="Cancelled visit",
        starts_at=FUTURE_START + dt.timedelta(days=3),
        status=Event.Status.CANCELLED,
    )
    client.force_login(observer)
    response = client.get(url(project))
    assert response.status_code == 200
    assert titles(response, "upcoming") == ["Follow-up webinar", "Cancelled visit"]
    assert titles(response, "page_obj") == ["Final conference", "Kick-off"]
    assert b"Cancelled" in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": Event.Kind.MISSION}, ["Mission"]),
        ({"status": Event.Status.HELD}, ["Roundtable in Dobrich"]),
        ({"country": "BG"}, ["Roundtable in Dobrich"]),
        ({"q": "dobrich"}, ["Roundtable in Dobrich"]),
        ({"date_from": "2023-05-01", "date_until": "2023-05-31"}, ["Roundtable in Dobrich"]),
    ],
)
def test_filters(
    client: Client,
    partner: Any,
    project: Project,
    query: dict[str, str],
    expected: list[str],
) -> None:
    sofia = ZoneInfo("Europe/Sofia")
    make_event(
        project,
        title="Roundtable in Dobrich",
        city="Dobrich",
        country="BG",
        time_zone="Europe/Sofia",
        starts_at=dt.datetime(2023, 5, 23, 10, 0, tzinfo=sofia),
        status=Event.Status.HELD,
    )
    make_event(
        project,
        title="Mission",
        kind=Event.Kind.MISSION,
        country="FR",
        starts_at=dt.datetime(2023, 4, 18, 9, 0, tzinfo=ZoneInfo("Europe/Paris")),
    )
    client.force_login(partner)
    response = client.get(url(project), query)
    assert titles(response, "page_obj") == expected


def test_filter_by_organiser_and_work_package(
    client: Client, partner: Any, project: Project
) -> None:
    work_package = project.work_packages.get(number=1)
    make_event(project, title="By P2 in WP1", work_package=work_package)
    make_event(project, title="By P3", organiser=project.partners.get(number=3))
    client.force_login(partner)
    p3 = project.partners.get(number=3).pk
    assert titles(client.get(url(project), {"organiser": p3}), "page_obj") == ["By P3"]
    response = client.get(url(project), {"work_package": work_package.pk})
    assert titles(response, "page_obj") == ["By P2 in WP1"]


def test_only_the_countries_of_the_project_events_are_offered(
    client: Client, partner: Any, project: Project
) -> None:
    make_event(project, country="AT", city="Gleisdorf")
    client.force_login(partner)
    choices = client.get(url(project)).context["filter"].form.fields["country"].choices
    assert [code for code, _ in choices] == ["", "AT"]


def test_observer_sees_no_add_button(client: Client, observer: Any, project: Project) -> None:
    client.force_login(observer)
    assert b"Add an event" not in client.get(url(project)).content


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_events(
    client: Client,
    partner: Any,
    project: Project,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    work_package = project.work_packages.get(number=1)
    for n in range(count):
        make_event(
            project,
            title=f"Past {n}",
            starts_at=PAST_START - dt.timedelta(days=n),
            work_package=work_package,
            organiser=project.partners.get(number=1 + n % 3),
            country="BE",
        )
        make_event(project, title=f"Upcoming {n}", starts_at=FUTURE_START + dt.timedelta(days=n))
    client.force_login(partner)
    # 1 session, 2 user, 3 membership and project, 4 the countries of the project's events,
    # 5 upcoming events (with organiser, work package, project), 6 count of past events,
    # 7 organiser choices, 8 work package choices, 9 the page of past events.
    with django_assert_num_queries(9):
        response = client.get(url(project))
    assert len(response.context["upcoming"]) == count
