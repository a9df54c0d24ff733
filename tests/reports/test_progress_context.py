"""reports.rendering.progress_report_context: what a progress report says, as of a given moment,
computed without WeasyPrint; and a number of queries that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from events.models import Attendance, Event, Outcome
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Project,
    Risk,
    RiskReview,
    WorkPackage,
)
from reports import rendering
from reports.models import ConferenceReport, GeneratedReport, Recommendation
from tests.factories import make_deliverable, make_milestone, make_risk, make_work_package
from tests.reports import ALL_SECTIONS, make_progress_report, make_reporting_period

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
# The report is made on 15 May 2023, inside RP1 (M1-M9: 1 October 2022 to 30 June 2023).
NOW = dt.datetime(2023, 5, 15, 12, 0, tzinfo=BRUSSELS)


def utc(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def report(project: Project, coordinator: User) -> GeneratedReport:
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    return make_progress_report(
        project, coordinator, period=period, start_date=period.start_date,
        end_date=period.end_date,
    )  # fmt: skip


def test_deliverables_due_in_the_period_are_on_time_late_or_pending_as_of_now(
    report: GeneratedReport, work_package: WorkPackage, coordinator: User
) -> None:
    d11 = make_deliverable(
        work_package, number="D1.1", due_month=3, status=Deliverable.Status.SUBMITTED,
        submitted_date=dt.date(2022, 12, 20),
    )  # fmt: skip
    DeliverableVersion.objects.create(
        deliverable=d11, file="deliverables/handbook.pdf", original_name="handbook.pdf",
        content_type="application/pdf", size=1000, sha256="0" * 64, uploaded_by=coordinator,
    )  # fmt: skip
    make_deliverable(
        work_package, number="D1.2", due_month=6, status=Deliverable.Status.SUBMITTED,
        submitted_date=dt.date(2023, 4, 20),
    )  # fmt: skip
    make_deliverable(
        work_package, number="D1.3", due_month=5, status=Deliverable.Status.IN_PREPARATION,
        delay_justification="A partner changed its staff.",
    )  # fmt: skip
    make_deliverable(work_package, number="D1.4", due_month=9)  # 30 June 2023: still to come
    make_deliverable(work_package, number="D1.5", due_month=8, status=Deliverable.Status.APPROVED)
    make_deliverable(work_package, number="D1.6", due_month=12)  # after the period

    context = rendering.progress_report_context(report, NOW)

    assert [d.number for d in context["due_in_period"]] == ["D1.1", "D1.2", "D1.3", "D1.4", "D1.5"]
    summary = context["summary"]
    # On time: D1.1. Late: D1.2 (submitted after its due date), D1.3 (overdue). Pending: D1.4 and
    # D1.5: approved inside the consortium counts only once it is submitted to the funder.
    assert (summary["due"], summary["on_time"], summary["late"], summary["pending"]) == (5, 1, 2, 2)
    gaps = context["gaps"]
    # D1.2 came late and says nothing about it; D1.3 is overdue but explained.
    assert [d.number for d in gaps["late_without_justification"]] == ["D1.2"]
    # Done without a file: D1.2 and D1.5 (D1.1 has its file).
    assert [d.number for d in gaps["submitted_without_file"]] == ["D1.2", "D1.5"]
    # The work package's table lists all its deliverables, the period's and the others.
    (row,) = context["work_packages"]
    assert [d.number for d in row.deliverables] == [
        "D1.1",
        "D1.2",
        "D1.3",
        "D1.4",
        "D1.5",
        "D1.6",
    ]
    assert row.progress == 50  # D1.1, D1.2, D1.5 of 6 are submitted or approved


def test_milestones_count_as_achieved_only_by_the_report_date(
    report: GeneratedReport, project: Project, work_package: WorkPackage
) -> None:
    make_milestone(
        project, number="MS1", due_month=6, achieved_date=dt.date(2023, 3, 20),
        achievement_note="Held.", work_packages=[work_package],
    )  # fmt: skip
    make_milestone(
        project, number="MS2", due_month=9, achieved_date=dt.date(2023, 6, 10),
        achievement_note="Held.",
    )  # fmt: skip
    make_milestone(project, number="MS3", due_month=12)

    summary = rendering.progress_report_context(report, NOW)["summary"]

    assert (summary["milestones_due"], summary["milestones_achieved"]) == (2, 1)


def test_risks_give_the_matrix_the_levels_and_the_latest_review(
    report: GeneratedReport, project: Project, coordinator: User
) -> None:
    owner = project.partners.get(number=1)
    r1 = make_risk(project, owner=owner, title="Buyers stay away", likelihood=3, impact=3)
    r2 = make_risk(project, owner=owner, title="Partner leaves", likelihood=2, impact=2)
    make_risk(project, owner=owner, title="Late translations", likelihood=1, impact=2)
    make_risk(project, owner=owner, title="Old", likelihood=3, impact=3, status=Risk.Status.CLOSED)
    for risk, day, note in [
        (r1, dt.date(2023, 1, 10), "First look."),
        (r1, dt.date(2023, 4, 1), "Invitations sent."),
        (r2, dt.date(2022, 9, 15), "Before the project."),
    ]:
        RiskReview.objects.create(
            risk=risk, review_date=day, likelihood=risk.likelihood, impact=risk.impact,
            status="open", note=note, reviewed_by=coordinator,
        )  # fmt: skip

    context = rendering.progress_report_context(report, NOW)

    counts = [[cell.count for cell in row] for row in context["matrix"]]
    assert [row[0].likelihood.label for row in context["matrix"]] == ["High", "Medium", "Low"]
    assert counts == [[0, 0, 1], [0, 1, 0], [0, 1, 0]]
    assert [[cell.level for cell in row] for row in context["matrix"]] == [
        ["medium", "high", "high"],
        ["low", "medium", "high"],
        ["low", "low", "medium"],
    ]
    by_level = context["summary"]["risks_by_level"]
    assert (by_level["high"], by_level["medium"], by_level["low"]) == (1, 1, 1)
    latest = {row.risk.title: row.latest_review for row in context["risks"]}
    assert latest["Buyers stay away"].note == "Invitations sent."
    assert latest["Late translations"] is None
    assert [r.title for r in context["gaps"]["risks_not_reviewed"]] == [
        "Partner leaves",
        "Late translations",
    ]


def test_participants_are_summed_over_the_events_held_in_the_period(
    report: GeneratedReport, project: Project
) -> None:
    organiser = project.partners.get(number=2)

    def event(title: str, starts: dt.datetime, status: str = Event.Status.HELD) -> Event:
        return Event.objects.create(
            project=project, kind=Event.Kind.ROUNDTABLE, title=title, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3), city="Valencia", organiser=organiser,
            status=status,
        )  # fmt: skip

    Attendance.objects.create(
        event=event("Valencia", utc(2023, 3, 14, 9)), total=40, in_person=30, online=10,
        public_authorities=15, social_economy=20, companies=5,
    )  # fmt: skip
    Attendance.objects.create(
        event=event("Webinar", utc(2023, 5, 10, 12)), total=25, online=25, experts=25
    )
    event("Held, not counted yet", utc(2023, 5, 12, 9))  # no attendance: a gap
    event("Cancelled", utc(2023, 6, 1, 9), status=Event.Status.CANCELLED)
    Attendance.objects.create(event=event("After the period", utc(2023, 9, 5, 9)), total=100)

    context = rendering.progress_report_context(report, NOW)

    summary = context["summary"]
    assert summary["events_held"] == 3
    participants = summary["participants"]
    assert (participants["total"], participants["in_person"], participants["online"]) == (
        65,
        30,
        35,
    )
    assert dict(participants["categories"]) == {
        "public authorities": 15,
        "social economy organisations": 20,
        "companies": 5,
        "organisations of persons with disabilities": 0,
        "procurement experts": 25,
        "other": 0,
    }
    assert [row.event.title for row in context["events"]] == [
        "Valencia", "Webinar", "Held, not counted yet", "Cancelled",
    ]  # fmt: skip
    assert [e.title for e in context["gaps"]["events_without_attendance"]] == [
        "Held, not counted yet"
    ]


def _annex(context: dict[str, Any]) -> str:
    html = render_to_string(
        "reports/pdf/progress.html", {**context, "static_origin": rendering.STATIC_ORIGIN}
    )
    return html[html.index('id="gaps"') :]


def test_an_empty_project_has_no_gaps(report: GeneratedReport) -> None:
    context = rendering.progress_report_context(report, NOW)

    assert context["gap_count"] == 0
    assert context["summary"]["due"] == 0
    assert context["data_as_of"] == NOW
    assert "No gaps found: the data is complete for this period." in _annex(context)


def test_the_annex_counts_and_lists_the_gaps(
    report: GeneratedReport, project: Project, work_package: WorkPackage
) -> None:
    make_deliverable(work_package, number="D1.1", title="Handbook", due_month=3)  # overdue
    make_risk(project, owner=work_package.lead, title="Never looked at")

    context = rendering.progress_report_context(report, NOW)

    assert context["gap_count"] == 2
    annex = _annex(context)
    assert "No gaps found" not in annex
    assert "<li>D1.1 Handbook (due 31 Dec 2022)</li>" in annex
    assert "<li>R1 Never looked at</li>" in annex


# --- queries ----------------------------------------------------------------------------------


def _add_rows(project: Project, coordinator: User, n: int) -> None:
    """n work packages, and per work package n deliverables (with a file), a milestone, a risk
    with two reviews, and a held event with attendance, a published report, two
    recommendations and an outcome."""
    lead = project.partners.get(number=2)
    start = project.work_packages.count() + 1
    for w in range(start, start + n):
        wp = make_work_package(project, number=w, lead=lead)
        for i in range(1, n + 1):
            d = make_deliverable(
                wp, number=f"D{w}.{i}", due_month=i % 9 + 1, status=Deliverable.Status.SUBMITTED,
                submitted_date=dt.date(2023, 1, 1),
            )  # fmt: skip
            DeliverableVersion.objects.create(
                deliverable=d, file=f"deliverables/{w}-{i}.pdf", original_name="d.pdf",
                content_type="application/pdf", size=1, sha256="0" * 64, uploaded_by=coordinator,
            )  # fmt: skip
        make_milestone(project, number=f"MS{w}", due_month=w % 9 + 1, work_packages=[wp])
        risk = make_risk(project, owner=lead, likelihood=w % 3 + 1, impact=2, work_packages=[wp])
        for day in (dt.date(2023, 1, 5), dt.date(2023, 2, 5)):
            RiskReview.objects.create(
                risk=risk, review_date=day, likelihood=2, impact=2, status="open", note="ok",
                reviewed_by=coordinator,
            )  # fmt: skip
        starts = utc(2023, 2, w % 27 + 1, 9)
        event = Event.objects.create(
            project=project, kind=Event.Kind.WORKSHOP, title=f"Workshop {w}", starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2), city="Lyon", organiser=lead,
            work_package=wp, status=Event.Status.HELD,
        )  # fmt: skip
        Attendance.objects.create(event=event, total=10, in_person=10, companies=10)
        Outcome.objects.create(event=event, text="Send the minutes.", owner=lead)
        conference = ConferenceReport.objects.create(
            event=event, author=lead, status=ConferenceReport.Status.PUBLISHED,
            published_at=starts, summary="Done.", key_messages="One\nTwo",
        )  # fmt: skip
        for position in (1, 2):
            Recommendation.objects.create(
                report=conference, text=f"Do {position}", audience="all", position=position
            )


def _queries_to_build_and_render(report_id: int) -> int:
    """Queries of everything a render does before WeasyPrint: the context and the template
    (WeasyPrint itself never touches the database)."""
    with CaptureQueriesContext(connection) as queries:
        report = GeneratedReport.objects.select_related("project", "event", "period").get(
            pk=report_id
        )
        context = rendering.progress_report_context(report, NOW)
        render_to_string(
            "reports/pdf/progress.html", {**context, "static_origin": rendering.STATIC_ORIGIN}
        )
    return len(queries)


def test_building_a_report_runs_the_same_queries_for_few_and_many_rows(
    project: Project, coordinator: User
) -> None:
    """The report row (with project and period); work packages; deliverables with their file
    count; milestones; their work packages; risks; their reviews; events with organiser,
    attendance and report; their recommendations; their outcomes; the requester's name on the
    cover; and the SRPP chapter: the register's summary (four, procurement/summary.py) and the
    register's table (one; its own count test is in test_progress_report_procurement.py); the
    impact chapter (the indicators: none here, so one); and the annex's data quality (the open
    queries, one, and impact/checks.py's run_checks: twenty here, its rules' own queries, which
    do not grow with the rows either)."""
    period = make_reporting_period(project, number=1, start_month=1, end_month=9)
    report = make_progress_report(project, coordinator, period=period, sections=ALL_SECTIONS)

    _add_rows(project, coordinator, 2)
    with_2 = _queries_to_build_and_render(report.pk)
    _add_rows(project, coordinator, 6)  # 8 work packages, 40 deliverables, 8 risks, 8 events
    with_8 = _queries_to_build_and_render(report.pk)

    assert Deliverable.objects.count() == 2 * 2 + 6 * 6
    assert with_2 == with_8 == 11 + 5 + 1 + 21
