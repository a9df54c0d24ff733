"""The month calendar: events on their local days, month navigation, a constant query count."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from tests.events.factories import make_event


def url(project: Project, month: str | None = None) -> str:
    base = reverse("events:event_calendar", args=[project.slug])
    return f"{base}?month={month}" if month else base


def days_of(response: Any, title: str) -> list[dt.date]:
    return [
        day.date
        for week in response.context["weeks"]
        for day in week
        if any(e.title == title for e in day.events)
    ]


def test_events_sit_on_their_local_days(client: Client, partner: Any, project: Project) -> None:
    # 00:30 on 21 March in Sofia is still 20 March in Brussels: the calendar follows Sofia.
    make_event(
        project,
        title="Night session",
        time_zone="Europe/Sofia",
        starts_at=dt.datetime(2024, 3, 21, 0, 30, tzinfo=ZoneInfo("Europe/Sofia")),
        ends_at=dt.datetime(2024, 3, 21, 2, 0, tzinfo=ZoneInfo("Europe/Sofia")),
    )
    make_event(
        project,
        title="Mission",
        kind=Event.Kind.MISSION,
        starts_at=dt.datetime(2024, 3, 29, 9, 0, tzinfo=ZoneInfo("Europe/Brussels")),
        ends_at=dt.datetime(2024, 4, 2, 17, 0, tzinfo=ZoneInfo("Europe/Brussels")),
    )
    client.force_login(partner)
    response = client.get(url(project, "2024-03"))
    assert response.status_code == 200
    assert days_of(response, "Night session") == [dt.date(2024, 3, 21)]
    # Across the month's end: on each of its days in March, and its April days on April's page.
    assert days_of(response, "Mission") == [
        dt.date(2024, 3, 29), dt.date(2024, 3, 30), dt.date(2024, 3, 31),
    ]  # fmt: skip
    april = client.get(url(project, "2024-04"))
    assert days_of(april, "Mission") == [dt.date(2024, 4, 1), dt.date(2024, 4, 2)]
    assert b"Events in March 2024" in response.content
    assert b"?month=2024-02" in response.content
    assert b"?month=2024-04" in response.content


def test_a_wrong_month_shows_this_month(client: Client, partner: Any, project: Project) -> None:
    from django.utils import timezone

    client.force_login(partner)
    response = client.get(url(project, "2024-13"))
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_outsider_gets_404(client: Client, outsider: Any, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_events(
    client: Client, partner: Any, project: Project, count: int, django_assert_num_queries: Any
) -> None:
    start = dt.datetime(2024, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    for n in range(count):
        make_event(project, title=f"Event {n}", starts_at=start + dt.timedelta(hours=13 * n))
    client.force_login(partner)
    # 1 session, 2 user, 3 membership and project, 4 the month's events with their organisers.
    with django_assert_num_queries(4):
        client.get(url(project, "2024-03"))
