"""What goes into a PDF report, and how it becomes a PDF. No request and no Celery here: the
context functions are plain functions of the database and a point in time (`now`), so a report is
reproducible and testable without WeasyPrint; `render_pdf` is the only place WeasyPrint is called.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import posixpath
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

# Imported at module level on purpose: a Celery worker imports this before forking its children,
# which then share the loaded library (~0.4 s saved per child, STACK-NOTES.md).
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from events.models import Attendance, Event, Outcome
from projects.models import Deliverable, Level, Milestone, Risk, RiskReview, WorkPackage
from projects.timeline import build_timeline
from reports.models import ConferenceReport, ProgressReport, Recommendation

# The origin the print templates' static URLs are resolved against. It is never contacted: the
# fetcher below answers for it from the static files on disk, and refuses everything else.
STATIC_ORIGIN = "https://static.coresp.invalid"
BASE_URL = STATIC_ORIGIN + "/"


class StaticOnlyFetcher(URLFetcher):
    """A URL fetcher that serves the platform's own static files and nothing else.

    Any text a partner types ends up in a report's HTML. It is autoescaped, but if markup ever got
    through, WeasyPrint's default fetcher would follow http(s), file: and redirects (measured: six
    requests to a local server and /etc/passwd embedded as an attachment). This one never opens a
    socket or a file outside the static directories.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=set(), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        prefix = settings.STATIC_URL
        if origin != STATIC_ORIGIN or not parts.path.startswith(prefix):
            raise ValueError(f"Refused by the report's URL fetcher: {url[:80]}")
        relative = posixpath.normpath(unquote(parts.path[len(prefix) :]))
        if relative.startswith(("..", "/")) or "\x00" in relative:
            raise ValueError(f"Refused by the report's URL fetcher: {url[:80]}")
        found = finders.find(relative)
        path = Path(found) if isinstance(found, str) else Path(settings.STATIC_ROOT) / relative
        if not path.is_file():
            raise ValueError(f"No such static file: {relative}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float


def render_pdf(template: str, context: dict[str, Any]) -> RenderedPdf:
    """Render a print template to a tagged A4 PDF with WeasyPrint."""
    started = time.perf_counter()
    html = render_to_string(template, {**context, "static_origin": STATIC_ORIGIN})
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render()
    content = document.write_pdf(
        # PDF/UA-1: a tagged PDF with its structure, title and language, for screen readers.
        pdf_variant="pdf/ua-1",
        custom_metadata=True,
        jpeg_quality=75,
        dpi=150,
    )
    assert content is not None
    return RenderedPdf(
        content=content, pages=len(document.pages), seconds=time.perf_counter() - started
    )


# ---------------------------------------------------------------------------------------------
# Progress report


def _deliverable_timing(d: Deliverable, today: dt.date) -> str:
    """on_time, late or pending, as of `today`. The due date is the date owed to the funder: a
    deliverable approved inside the consortium but not yet submitted is late once it passes."""
    if d.submitted_date is not None:
        return "late" if d.is_late(d.submitted_date) else "on_time"
    return "late" if d.due_date < today else "pending"


def progress_report_context(report: ProgressReport, now: dt.datetime) -> dict[str, Any]:
    """Everything a progress report shows, as of `now`. Query count does not grow with rows."""
    project = report.project
    start, end = report.start_date, report.end_date
    today = timezone.localtime(now).date()
    sections = set(report.sections)

    work_packages = list(
        WorkPackage.objects.filter(project=project).select_related("lead__organisation")
    )
    deliverables = list(
        Deliverable.objects.filter(project=project)
        .select_related("lead__organisation", "work_package")
        .annotate(version_count=Count("versions"))
    )
    due_in_period = [d for d in deliverables if start <= d.due_date <= end]
    timing = Counter(_deliverable_timing(d, today) for d in due_in_period)
    milestones = list(
        Milestone.objects.filter(project=project).prefetch_related(
            Prefetch("work_packages", queryset=WorkPackage.objects.only("id", "number"))
        )
    )
    milestones_due = [m for m in milestones if start <= m.due_date <= end]
    risks = list(
        Risk.objects.filter(project=project)
        .select_related("owner__organisation")
        .prefetch_related(
            Prefetch("reviews", queryset=RiskReview.objects.order_by("-review_date", "-pk"))
        )
    )
    active_risks = [r for r in risks if r.status != Risk.Status.CLOSED]
    for risk in risks:
        reviews = list(risk.reviews.all())
        risk.latest_review = reviews[0] if reviews else None  # type: ignore[attr-defined]
        risk.reviewed_in_period = any(start <= r.review_date <= end for r in reviews)  # type: ignore[attr-defined]
    matrix = _risk_matrix(active_risks)

    events = list(
        Event.objects.filter(project=project, starts_at__date__gte=start, starts_at__date__lte=end)
        .select_related("organiser__organisation", "attendance", "report")
        .prefetch_related(
            Prefetch("report__recommendations", queryset=Recommendation.objects.all()),
            Prefetch("outcomes", queryset=Outcome.objects.select_related("owner__organisation")),
        )
        .order_by("starts_at")
    )
    held = [e for e in events if e.status == Event.Status.HELD]
    attendances = [_attendance_of(e) for e in held]
    participants = _participant_totals([a for a in attendances if a is not None])

    by_wp: dict[int, list[Deliverable]] = {}
    for d in deliverables:
        by_wp.setdefault(d.work_package_id, []).append(d)
    ms_by_wp: dict[int, list[Milestone]] = {}
    for m in milestones:
        for wp in m.work_packages.all():
            ms_by_wp.setdefault(wp.pk, []).append(m)
    wp_rows = []
    for wp in work_packages:
        items = by_wp.get(wp.pk, [])
        done = sum(1 for d in items if d.status in Deliverable.DONE_STATUSES)
        wp_rows.append(
            {
                "wp": wp,
                "deliverables": items,
                "milestones": ms_by_wp.get(wp.pk, []),
                "progress": round(100 * done / len(items)) if items else 0,
                "start_date": project.month_start(wp.start_month),
                "end_date": project.month_end(wp.end_month),
            }
        )

    gaps: dict[str, list[Any]] = {
        "late_without_justification": [
            d
            for d in deliverables
            if start <= d.due_date <= end
            and not d.delay_justification.strip()
            and _deliverable_timing(d, today) == "late"
        ],
        "events_without_attendance": [e for e in held if _attendance_of(e) is None],
        "risks_not_reviewed": [r for r in active_risks if not r.reviewed_in_period],  # type: ignore[attr-defined]
        "submitted_without_file": [
            d
            for d in deliverables
            if d.status in Deliverable.DONE_STATUSES and not d.version_count  # type: ignore[attr-defined]
        ],
    }

    return {
        "report": report,
        "project": project,
        "sections": sections,
        "data_as_of": now,
        "today": today,
        "period": report.period,
        "start": start,
        "end": end,
        "summary": {
            "due": len(due_in_period),
            "on_time": timing["on_time"],
            "late": timing["late"],
            "pending": timing["pending"],
            "milestones_due": len(milestones_due),
            "milestones_achieved": sum(
                1 for m in milestones_due if m.achieved_date and m.achieved_date <= today
            ),
            "risks_by_level": Counter(r.level for r in active_risks),
            "events_held": len(held),
            "participants": participants,
        },
        "work_packages": wp_rows,
        "due_in_period": due_in_period,
        "risks": risks,
        "matrix": matrix,
        "events": events,
        "timeline": build_timeline(
            duration_months=project.duration_months,
            work_packages=work_packages,
            deliverables=deliverables,
            milestones=milestones,
            today_month=project.month_of(today),
        ),
        "gaps": gaps,
        "gap_count": sum(len(rows) for rows in gaps.values()),
    }


def _attendance_of(event: Event) -> Attendance | None:
    try:
        return event.attendance
    except Attendance.DoesNotExist:
        return None


def _participant_totals(attendances: list[Attendance]) -> dict[str, Any]:
    categories = [
        (
            str(getattr(Attendance._meta.get_field(f), "verbose_name", f)),
            sum(getattr(a, f) or 0 for a in attendances),
        )
        for f in Attendance.STAKEHOLDER_FIELDS
    ]
    return {
        "total": sum(a.total for a in attendances),
        "in_person": sum(a.in_person or 0 for a in attendances),
        "online": sum(a.online or 0 for a in attendances),
        "categories": categories,
    }


def _risk_matrix(risks: list[Risk]) -> list[dict[str, Any]]:
    """Rows of likelihood high -> low, cells of impact low -> high, each with its count."""
    counts = Counter((r.likelihood, r.impact) for r in risks)
    rows = []
    for likelihood in reversed(Level.values):
        cells = []
        for impact in Level.values:
            score = likelihood * impact
            level = "high" if score >= 6 else "medium" if score >= 3 else "low"
            cells.append({"impact": impact, "count": counts[(likelihood, impact)], "level": level})
        rows.append({"likelihood": Level(likelihood).label, "cells": cells})
    return rows


# ---------------------------------------------------------------------------------------------
# Conference report


def conference_report_context(event: Event, now: dt.datetime) -> dict[str, Any]:
    """A single event's report as a PDF: the event, its attendance and its written report."""
    report = (
        ConferenceReport.objects.filter(event=event).select_related("author__organisation").first()
    )
    return {
        "project": event.project,
        "event": event,
        "attendance": _attendance_of(event),
        "conference_report": report,
        "recommendations": list(report.recommendations.all()) if report else [],
        "agenda": list(event.agenda_items.all()),
        "data_as_of": now,
    }
