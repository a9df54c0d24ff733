"""Factory functions for events, their parts and conference reports (tests/factories.py style:
plain functions, explicit deterministic defaults, every one saves and returns its row)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import User
from events.models import AgendaItem, Attendance, Event, Material, Outcome
from projects.models import Partner, Project
from reports.models import ConferenceReport, Recommendation

BRUSSELS = ZoneInfo("Europe/Brussels")
# The CO-RESP final conference: long past, so attendance may be recorded.
PAST_START = dt.datetime(2024, 3, 22, 9, 0, tzinfo=BRUSSELS)
FUTURE_START = dt.datetime(2099, 6, 10, 10, 0, tzinfo=BRUSSELS)


def make_event(
    project: Project,
    *,
    organiser: Partner | None = None,
    title: str | None = None,
    kind: str = Event.Kind.ROUNDTABLE,
    format: str = Event.Format.IN_PERSON,
    starts_at: dt.datetime = PAST_START,
    ends_at: dt.datetime | None = None,
    time_zone: str = "Europe/Brussels",
    city: str = "Brussels",
    status: str = Event.Status.PLANNED,
    **fields: Any,
) -> Event:
    """An event of `project`, organised by P2 (the `partner` fixture's organisation) unless
    `organiser` says otherwise; it lasts three hours unless `ends_at` is given."""
    if organiser is None:
        organiser = project.partners.get(number=2)
    if title is None:
        title = f"Event {Event.objects.filter(project=project).count() + 1}"
    return Event.objects.create(
        project=project,
        organiser=organiser,
        title=title,
        kind=kind,
        format=format,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + dt.timedelta(hours=3),
        time_zone=time_zone,
        city=city,
        status=status,
        **fields,
    )


def make_agenda_item(
    event: Event,
    *,
    title: str = "Welcome",
    starts_at: dt.datetime | None = None,
    session_type: str = AgendaItem.SessionType.WELCOME,
    speakers: str = "",
) -> AgendaItem:
    return AgendaItem.objects.create(
        event=event,
        title=title,
        starts_at=starts_at or event.starts_at,
        session_type=session_type,
        speakers=speakers,
    )


def make_attendance(event: Event, *, total: int = 40, **fields: Any) -> Attendance:
    """Counts for `event`, validated like the form does (Attendance.clean)."""
    attendance = Attendance(event=event, total=total, **fields)
    attendance.full_clean()
    attendance.save()
    return attendance


def make_outcome(
    event: Event,
    *,
    text: str = "Circulate the minutes to all partners.",
    kind: str = Outcome.Kind.ACTION,
    owner: Partner | None = None,
    due_date: dt.date | None = dt.date(2024, 4, 5),
    is_done: bool = False,
) -> Outcome:
    return Outcome.objects.create(
        event=event, text=text, kind=kind, owner=owner, due_date=due_date, is_done=is_done
    )


def make_link(
    event: Event,
    *,
    added_by: User,
    title: str = "Recording",
    url: str = "https://video.example.org/final-conference",
    kind: str = Material.Kind.RECORDING,
) -> Material:
    return Material.objects.create(event=event, kind=kind, title=title, url=url, added_by=added_by)


def make_report(
    event: Event,
    *,
    status: str = ConferenceReport.Status.DRAFT,
    summary: str = "Partners and local stakeholders discussed social clauses.",
    recommendations: int = 0,
    **fields: Any,
) -> ConferenceReport:
    """The event's report, by its organiser, with `recommendations` numbered recommendations."""
    report = ConferenceReport.objects.create(
        event=event,
        author=event.organiser,
        status=status,
        summary=summary,
        published_at=PAST_START + dt.timedelta(days=10)
        if status == ConferenceReport.Status.PUBLISHED
        else None,
        **fields,
    )
    for n in range(1, recommendations + 1):
        make_recommendation(report, text=f"Recommendation {n} of {event.title}", position=n)
    return report


def make_recommendation(
    report: ConferenceReport,
    *,
    text: str = "Publish a clear national framework for reserved contracts.",
    audience: str = Recommendation.Audience.POLICY_MAKERS,
    position: int = 1,
) -> Recommendation:
    return Recommendation.objects.create(
        report=report, text=text, audience=audience, position=position
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_file(
    event: Event,
    *,
    added_by: User,
    name: str = "slides.pdf",
    content: bytes = PDF_BYTES,
    kind: str = Material.Kind.SLIDES,
    title: str = "Slides",
) -> Material:
    """A file material stored the way the upload view stores it (needs `private_media`)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from events.workflows import add_material_file
    from projects.files import check_upload

    checked = check_upload(SimpleUploadedFile(name, content))
    return add_material_file(event, checked, kind=kind, title=title, by=added_by)
