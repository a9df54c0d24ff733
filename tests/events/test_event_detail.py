"""The event's page: details in the event's zone, agenda, attendance, materials, outcomes, the
published report and the history; the same number of queries for 5 or 50 of each."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from events.models import AgendaItem, Event
from projects.models import Project
from reports.models import ConferenceReport, Recommendation
from tests.events.factories import (
    make_agenda_item,
    make_attendance,
    make_event,
    make_link,
    make_outcome,
    make_recommendation,
    make_report,
)
from tests.procurement.factories import make_good_practice

VIENNA = ZoneInfo("Europe/Vienna")


def url(event: Event) -> str:
    return reverse("events:event_detail", args=[event.project.slug, event.pk])


@pytest.fixture
def gleisdorf(project: Project) -> Event:
    return make_event(
        project,
        title="First roundtable in Gleisdorf",
        time_zone="Europe/Vienna",
        starts_at=dt.datetime(2023, 5, 25, 14, 0, tzinfo=VIENNA),
        ends_at=dt.datetime(2023, 5, 25, 17, 30, tzinfo=VIENNA),
        venue="Rathaus",
        city="Gleisdorf",
        country="AT",
        status=Event.Status.HELD,
        recording_url="https://video.example.org/gleisdorf-1",
        work_package=project.work_packages.get(number=1),
    )


def test_page_shows_times_in_the_event_zone_with_its_name(
    client: Client, other_partner: Any, gleisdorf: Event
) -> None:
    make_agenda_item(
        gleisdorf,
        title="Which contracts suit a social clause?",
        starts_at=dt.datetime(2023, 5, 25, 14, 30, tzinfo=VIENNA),
        session_type=AgendaItem.SessionType.WORKSHOP,
        speakers="Head of procurement, Stadtgemeinde Gleisdorf\nResearcher, ZfSW",
    )
    client.force_login(other_partner)
    html = client.get(url(gleisdorf)).content.decode()
    assert "Thursday 25 May 2023, 14:00\N{EN DASH}17:30 CEST (Europe/Vienna)" in html
    assert "Rathaus, Gleisdorf, Austria" in html
    assert ">14:30</time>" in html
    assert 'Researcher, <span class="muted">ZfSW</span>' in html
    assert "Watch the event" in html
    # other_partner reads but does not manage.
    assert "Edit the event" not in html
    assert "Add an agenda item" not in html


def test_manager_sees_the_forms(client: Client, partner: Any, gleisdorf: Event) -> None:
    client.force_login(partner)
    html = client.get(url(gleisdorf)).content.decode()
    for text in (
        "Edit the event", "Add an agenda item", "Upload a file", "Add a link",
        "Record a decision or an action item", "Record attendance", "Write the report",
    ):  # fmt: skip
        assert text in html


def test_published_report_shows_with_the_attendance_figures(
    client: Client, observer: Any, gleisdorf: Event
) -> None:
    make_attendance(gleisdorf, total=23, public_authorities=9, social_economy=8, companies=6)
    report = make_report(
        gleisdorf, status=ConferenceReport.Status.PUBLISHED, summary="Buyers met suppliers."
    )
    make_recommendation(
        report,
        text="Consult the market before a tender with a hiring clause.",
        audience=Recommendation.Audience.CONTRACTING_AUTHORITIES,
    )
    client.force_login(observer)
    html = client.get(url(gleisdorf)).content.decode()
    assert "Buyers met suppliers." in html
    assert "Consult the market before a tender with a hiring clause." in html
    assert "For contracting authorities" in html
    # The figures come from the event's attendance: shown in the report's own section.
    report_section = html[html.index('id="report-heading"') :]
    assert "23 participants" in report_section


def test_draft_report_is_hidden_from_readers(
    client: Client, other_partner: Any, partner: Any, gleisdorf: Event
) -> None:
    make_report(gleisdorf, summary="A draft nobody else should see yet.")
    client.force_login(other_partner)
    assert b"A draft nobody else should see yet." not in client.get(url(gleisdorf)).content
    client.force_login(partner)
    assert b"A draft nobody else should see yet." in client.get(url(gleisdorf)).content


def test_unknown_event_is_404(client: Client, partner: Any, project: Project) -> None:
    client.force_login(partner)
    assert client.get(reverse("events:event_detail", args=[project.slug, 999])).status_code == 404


def test_event_of_another_project_is_404(client: Client, partner: Any, project: Project) -> None:
    from tests.factories import make_partner, make_project

    other = make_project("OTHER", slug="other")
    theirs = make_event(other, organiser=make_partner(other, number=1))
    client.force_login(partner)
    response = client.get(reverse("events:event_detail", args=[project.slug, theirs.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow(
    client: Client,
    partner: Any,
    coordinator: Any,
    gleisdorf: Event,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    make_attendance(gleisdorf, total=20, women=10, men=10, by_country={"AT": 20})
    report = make_report(gleisdorf, status=ConferenceReport.Status.PUBLISHED)
    owner = gleisdorf.project.partners.get(number=3)
    for n in range(count):
        make_agenda_item(gleisdorf, title=f"Session {n}", speakers="A, B\nC, D")
        make_link(gleisdorf, added_by=coordinator, title=f"Link {n}")
        make_outcome(gleisdorf, text=f"Action {n}", owner=owner)
        make_recommendation(report, text=f"Recommendation {n}", position=n)
        report.good_practices.add(make_good_practice(gleisdorf.project, title=f"Practice {n}"))
        gleisdorf.title = f"Title {n}"
        gleisdorf.save_edit(gleisdorf.version)
    client.force_login(partner)
    # 1 session, 2 user, 3 membership and project, 4 the event with organiser and work package,
    # 5 attendance, 6 outcomes with owners, 7 agenda, 8 materials with who added them, 9 the
    # event's history, 10 organisers named in it, 11 work packages named in it, 12 attendance
    # history, 13 the event it names, 14 outcome form's partner choices; the reports app's tag:
    # 15 the report with its author and organisation, 16 its recommendations, 17 the good
    # practices it cites, 18 its PDF.
    with django_assert_num_queries(18):
        response = client.get(url(gleisdorf))
    assert len(response.context["agenda"]) == count
