"""The whole pipeline, for real: the coordinator requests a progress report through the page, the
task goes through the Redis broker to a Celery worker process, the page's polled status goes from
queued to ready, and the PDF downloaded through the view says what the project's data says."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from events.models import Attendance, Event
from projects.models import Deliverable, Project, ReportingPeriod, Risk, RiskReview, WorkPackage
from reports.models import ConferenceReport, GeneratedReport, Recommendation
from tests.conftest import CeleryWorker
from tests.factories import make_deliverable, make_milestone, make_risk, make_work_package
from tests.reports import ALL_SECTIONS, make_reporting_period, pdf_text
from tests.reports.workers import wait_for

pytestmark = pytest.mark.services

DUE_IN_PERIOD = ["D1.1", "D1.2", "D2.1", "D3.1"]
WORK_PACKAGES = [
    "WP1 Project management and quality",
    "WP2 Roundtables with public buyers",
    "WP3 Dissemination and exploitation",
]


def utc(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def build_project(
    project: Project, work_package: WorkPackage, coordinator: User
) -> ReportingPeriod:
    """The cast's project with three work packages, deliverables due in RP1 (M1-M9, October 2022
    to June 2023) and after it, risks of every level, and events held in and after the period."""
    p1, p2, p3 = (project.partners.get(number=n) for n in (1, 2, 3))
    wp2 = make_work_package(project, number=2, title="Roundtables with public buyers", lead=p3)
    wp3 = make_work_package(project, number=3, title="Dissemination and exploitation", lead=p1)

    # Due in the period: one on time (D1.1), three late: D1.2 submitted late, D2.1 never done,
    # D3.1 approved but never submitted to the funder.
    make_deliverable(
        work_package, number="D1.1", title="Project handbook", due_month=3,
        status=Deliverable.Status.SUBMITTED, submitted_date=dt.date(2022, 12, 20),
    )  # fmt: skip
    make_deliverable(
        work_package, number="D1.2", title="Quality plan", due_month=6,
        status=Deliverable.Status.SUBMITTED, submitted_date=dt.date(2023, 4, 20),
        delay_justification="Waited for the partners' comments.",
    )  # fmt: skip
    make_deliverable(wp2, number="D2.1", title="Roundtable methodology", due_month=9)
    make_deliverable(
        wp3, number="D3.1", title="Communication plan", due_month=4,
        status=Deliverable.Status.APPROVED,
    )  # fmt: skip
    # Due after the period.
    make_deliverable(work_package, number="D1.3", title="Final quality report", due_month=18)
    make_deliverable(wp2, number="D2.2", title="Roundtable outcomes", due_month=15)
    make_deliverable(wp3, number="D3.2", title="Exploitation plan", due_month=12)

    make_milestone(
        project, number="MS1", due_month=6, work_packages=[work_package],
        achieved_date=dt.date(2023, 3, 20), achievement_note="Kick-off held.",
    )  # fmt: skip
    make_milestone(project, number="MS2", due_month=12, work_packages=[wp2])

    # Open risks: likelihood x impact 3x3 and 3x2 (high), 2x2 (medium), 1x1 (low); and a closed
    # one that the matrix leaves out.
    r1 = make_risk(project, owner=p2, title="Buyers do not come", likelihood=3, impact=3)
    make_risk(project, owner=p3, title="Legal change", likelihood=3, impact=2,
              status=Risk.Status.MONITORED)  # fmt: skip
    make_risk(project, owner=p1, title="Partner leaves", likelihood=2, impact=2)
    make_risk(project, owner=p1, title="Translation delays", likelihood=1, impact=1)
    make_risk(
        project, owner=p1, title="Old risk", likelihood=3, impact=3, status=Risk.Status.CLOSED
    )
    RiskReview.objects.create(
        risk=r1, review_date=dt.date(2023, 5, 2), likelihood=3, impact=3, status="open",
        note="Personal invitations sent.", reviewed_by=coordinator,
    )  # fmt: skip

    valencia = Event.objects.create(
        project=project, kind=Event.Kind.ROUNDTABLE, title="Roundtable in Valencia",
        starts_at=utc(2023, 3, 14, 9), ends_at=utc(2023, 3, 14, 13), city="Valencia",
        country="ES", organiser=p2, work_package=wp2, status=Event.Status.HELD,
    )  # fmt: skip
    Attendance.objects.create(
        event=valencia, total=40, in_person=30, online=10,
        public_authorities=15, social_economy=20, companies=5,
    )  # fmt: skip
    webinar = Event.objects.create(
        project=project, kind=Event.Kind.WEBINAR, title="Webinar on reserved contracts",
        format=Event.Format.ONLINE, starts_at=utc(2023, 5, 10, 12), ends_at=utc(2023, 5, 10, 13),
        organiser=p1, status=Event.Status.HELD,
    )  # fmt: skip
    Attendance.objects.create(event=webinar, total=25, online=25, experts=25)
    Event.objects.create(
        project=project, kind=Event.Kind.WORKSHOP, title="Workshop in Utrecht",
        starts_at=utc(2023, 6, 20, 8), ends_at=utc(2023, 6, 20, 15), city="Utrecht",
        organiser=p3,
    )  # fmt: skip
    later = Event.objects.create(
        project=project, kind=Event.Kind.TPM, title="Meeting after the period",
        starts_at=utc(2023, 10, 5, 8), ends_at=utc(2023, 10, 5, 15), city="Brussels",
        organiser=p1, status=Event.Status.HELD,
    )  # fmt: skip
    Attendance.objects.create(event=later, total=100)

    report = ConferenceReport.objects.create(
        event=valencia, author=p2, status=ConferenceReport.Status.PUBLISHED,
        published_at=utc(2023, 3, 30, 10), summary="Forty people came.",
        key_messages="Meet providers before writing the tender.",
    )  # fmt: skip
    Recommendation.objects.create(
        report=report, text="Reserve lots for social enterprises.",
        audience=Recommendation.Audience.CONTRACTING_AUTHORITIES, position=1,
    )  # fmt: skip
    return make_reporting_period(project, number=1, start_month=1, end_month=9)


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_request_render_and_download_a_progress_report(
    celery_worker: CeleryWorker,
    client: Client,
    project: Project,
    work_package: WorkPackage,
    coordinator: User,
) -> None:
    period = build_project(project, work_package, coordinator)
    client.force_login(coordinator)

    # Every section, as the form offers them. The test's data is committed (transactional_db),
    # so the request's on-commit hook really sends the task to the broker.
    response = client.post(
        reverse("reports:progress_report_request", args=[project.slug]),
        {"period": period.pk, "sections": ALL_SECTIONS},
    )
    report = GeneratedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()

    # Poll the page's status fragment as htmx does, until it stops asking to be polled.
    detail = reverse("reports:report_detail", args=[project.slug, report.pk])
    seen: list[str] = []

    def fragment_when_finished() -> str:
        html = client.get(detail, headers={"HX-Request": "true"}).content.decode()
        seen.extend(re.findall(r'<span class="badge[^"]*">([^<]+)</span>', html))
        return "" if "data-hx-trigger" in html else html

    fragment = wait_for(fragment_when_finished, timeout=60, interval=0.2, what="the report")
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.READY, report.error
    assert "Ready" in fragment and "Download the PDF" in fragment
    assert seen[-1] == "Ready"
    assert report.attempts == 1
    assert report.data_as_of is not None and report.render_seconds

    download = client.get(reverse("reports:report_download", args=[project.slug, report.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="CO-RESP-progress-20221001-20230630.pdf"'
    )
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    download.close()

    # What the row says about the file is true.
    reader = PdfReader(io.BytesIO(content))
    assert report.pages == len(reader.pages)
    assert report.size == len(content)
    assert report.sha256 == hashlib.sha256(content).hexdigest()

    # Title and language, for the PDF's readers and screen readers.
    assert reader.metadata is not None
    assert reader.metadata["/Title"] == "CO-RESP progress report 1 Oct 2022 to 30 Jun 2023"
    assert reader.metadata["/Author"] == "CO-RESP consortium"
    assert reader.root_object["/Lang"] == "en"

    text = pdf_text(content)
    flat, rows = squeeze(text), lines(text)
    assert "CO-RESP" in text
    assert "Co-creating socially responsible public procurement" in " ".join(rows)
    for number in DUE_IN_PERIOD:
        assert number in text
    for title in WORK_PACKAGES:
        assert squeeze(title) in flat
    # The per-work-package tables list every deliverable of the work package, so the summary
    # counts say which were due in the period: 4, one on time, three late, none pending.
    assert "4deliverablesdueintheperiod" in flat
    assert "1ontime" in flat and "3late" in flat and "0pending" in flat
    assert "1/1milestonesdueandachieved" in flat

    # Each cell gives its count and its level in words (not by colour alone).
    matrix = rows.index("Likelihood \\ impact Impact low Impact medium Impact high")
    assert rows[matrix + 1 : matrix + 4] == [
        "Likelihood high 0 Medium 1 High 1 High",
        "Likelihood medium 0 Low 1 Medium 0 High",
        "Likelihood low 1 Low 0 Low 0 Medium",
    ]
    by_level = rows.index("Level Risks")
    assert rows[by_level + 1 : by_level + 4] == ["High 2", "Medium 1", "Low 1"]

    # Participants of the two events held in the period (not the one after it).
    assert "Total participants 65" in rows
    assert "of whom in person / online 30 / 35" in rows
    assert "Public authorities 15" in rows
    assert "Social economy organisations 20" in rows
    assert "Companies 5" in rows
    assert "Procurement experts 25" in rows
    assert "2eventsheld" in flat

    # The events of the period, with the published report's messages.
    assert "Roundtable in Valencia" in text
    assert "Webinar on reserved contracts" in text
    assert "Workshop in Utrecht" in text
    assert "Meeting after the period" not in text
    assert "Meet providers before writing the tender." in rows
    assert squeeze("Reserve lots for social enterprises.") in flat

    report.file.delete(save=False)  # keep var/ tidy: the worker wrote it to the shared storage
