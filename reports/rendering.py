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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

# Imported at module level on purpose: a Celery worker imports this before forking its children,
# which then share the loaded library (~0.4 s saved per child, STACK-NOTES.md).
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from events.models import Attendance, Event, Outcome
from impact.checks import Finding, run_checks
from impact.computed import IndicatorProgress, indicator_progress
from impact.models import DataQuery
from procurement.models import Tender
from procurement.summary import Summary, register_summary
from projects.models import Deliverable, Milestone, Project, Risk, RiskReview, WorkPackage
from projects.risks import cell_counts, risk_matrix
from projects.timeline import build_plan, build_timeline
from reports.models import ConferenceReport, GeneratedReport, Recommendation
from reports.pdf_tags import figure_descriptions, finish_tags
from reports.permissions import requester_access

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


def render_html(template: str, context: dict[str, Any]) -> str:
    """The HTML of a print template, in the active language (its <html lang>)."""
    return render_to_string(template, {**context, "static_origin": STATIC_ORIGIN})


def render_pdf(template: str, context: dict[str, Any]) -> RenderedPdf:
    """Render a print template to a tagged A4 PDF with WeasyPrint, in the active language (the
    PDF's /Lang is the template's <html lang>)."""
    started = time.perf_counter()
    html = render_html(template, context)
    source = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    document = source.render()
    written = document.write_pdf(
        # PDF/UA-1: a tagged PDF with its structure, title and language, for screen readers.
        pdf_variant="pdf/ua-1",
        custom_metadata=True,
        jpeg_quality=75,
        dpi=150,
    )
    assert written is not None
    # What WeasyPrint's tagger leaves out: the IDTree its table headers need, /Scope on TH and
    # the SVG figures' descriptions (reports/pdf_tags.py).
    content = finish_tags(written, figure_descriptions=figure_descriptions(source.etree_element))
    return RenderedPdf(
        content=content, pages=len(document.pages), seconds=time.perf_counter() - started
    )


# ---------------------------------------------------------------------------------------------
# Progress report: the rows are fetched once (a fixed number of queries, whatever the size of
# the project), then small pure functions over them compute each part of the report.


@dataclass(frozen=True)
class Span:
    """The dates a report covers, both included."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ProgressRows:
    """Everything a progress report reads from the database."""

    work_packages: list[WorkPackage]
    deliverables: list[Deliverable]
    file_counts: dict[int, int]  # deliverable id -> number of uploaded versions
    milestones: list[Milestone]  # with their work packages prefetched
    risks: list[Risk]  # with their reviews prefetched, the latest first
    events: list[Event]  # of the period: organiser, attendance, report and what hangs off it


@dataclass(frozen=True)
class RiskRow:
    risk: Risk
    latest_review: RiskReview | None
    reviewed_in_period: bool


@dataclass(frozen=True)
class EventRow:
    event: Event
    attendance: Attendance | None
    report: ConferenceReport | None  # published only: drafts stay with their writers


@dataclass(frozen=True)
class DeliverableSummary:
    due: list[Deliverable]  # due in the period
    on_time: int
    late: int
    pending: int


# The annotation that counts a deliverable's files; read back by name, as it is no model field.
FILE_COUNT = "version_count"


def fetch_progress_rows(project: Project, span: Span) -> ProgressRows:
    """Nine queries: work packages; deliverables with their file counts; milestones and their
    work packages; risks and their reviews; the period's events with organiser, attendance and
    report, their recommendations and their outcomes."""
    work_packages = list(
        WorkPackage.objects.filter(project=project).select_related("lead__organisation")
    )
    deliverables = list(
        Deliverable.objects.filter(project=project)
        .select_related("lead__organisation", "work_package")
        .annotate(**{FILE_COUNT: Count("versions")})
    )
    milestones = list(
        Milestone.objects.filter(project=project).prefetch_related(
            Prefetch("work_packages", queryset=WorkPackage.objects.only("id", "number"))
        )
    )
    risks = list(
        Risk.objects.filter(project=project)
        .select_related("owner__organisation")
        .prefetch_related(
            Prefetch("reviews", queryset=RiskReview.objects.order_by("-review_date", "-pk"))
        )
    )
    events = list(
        Event.objects.filter(
            project=project, starts_at__date__gte=span.start, starts_at__date__lte=span.end
        )
        .select_related("organiser__organisation", "attendance", "report")
        .prefetch_related(
            Prefetch("report__recommendations", queryset=Recommendation.objects.all()),
            Prefetch("outcomes", queryset=Outcome.objects.select_related("owner__organisation")),
        )
        .order_by("starts_at")
    )
    return ProgressRows(
        work_packages=work_packages,
        deliverables=list(deliverables),  # typed as plain rows: the count is read here
        file_counts={d.pk: getattr(d, FILE_COUNT) for d in deliverables},
        milestones=milestones,
        risks=risks,
        events=events,
    )


def summarise_deliverables(
    deliverables: list[Deliverable], span: Span, today: dt.date
) -> DeliverableSummary:
    """The deliverables due in the period, and how many are on time, late or pending."""
    due = [d for d in deliverables if d.due_date in span]
    timing = Counter(d.timing(today) for d in due)
    return DeliverableSummary(
        due=due,
        on_time=timing[Deliverable.Timing.ON_TIME],
        late=timing[Deliverable.Timing.LATE],
        pending=timing[Deliverable.Timing.PENDING],
    )


def summarise_milestones(milestones: list[Milestone], span: Span, today: dt.date) -> dict[str, int]:
    """Milestones due in the period, and those of them achieved by `today`."""
    due = [m for m in milestones if m.due_date in span]
    achieved = [m for m in due if m.achieved_date is not None and m.achieved_date <= today]
    return {"milestones_due": len(due), "milestones_achieved": len(achieved)}


def risk_rows(risks: list[Risk], span: Span) -> list[RiskRow]:
    """Each risk with its latest review and whether it was reviewed in the period (its reviews
    prefetched, the latest first)."""
    rows = []
    for risk in risks:
        reviews = list(risk.reviews.all())
        rows.append(
            RiskRow(
                risk=risk,
                latest_review=reviews[0] if reviews else None,
                reviewed_in_period=any(r.review_date in span for r in reviews),
            )
        )
    return rows


def _published_report(event: Event) -> ConferenceReport | None:
    try:
        report: ConferenceReport = event.report
    except ConferenceReport.DoesNotExist:
        return None
    return report if report.is_published else None


def event_rows(events: list[Event]) -> list[EventRow]:
    return [
        EventRow(event=e, attendance=e.attendance_or_none, report=_published_report(e))
        for e in events
    ]


def participant_totals(attendances: list[Attendance]) -> dict[str, Any]:
    """Participants of the events held, summed: total, in person, online, by stakeholder."""
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


def data_gaps(
    rows: ProgressRows,
    *,
    due: list[Deliverable],
    risks: list[RiskRow],
    held: list[EventRow],
    today: dt.date,
) -> dict[str, list[Any]]:
    """What to complete before the report is sent: each list names the rows concerned."""
    return {
        "late_without_justification": [
            d
            for d in due
            if d.timing(today) == Deliverable.Timing.LATE and not d.delay_justification.strip()
        ],
        "events_without_attendance": [row.event for row in held if row.attendance is None],
        "risks_not_reviewed": [
            row.risk for row in risks if row.risk.is_active and not row.reviewed_in_period
        ],
        "submitted_without_file": [
            d for d in rows.deliverables if d.is_done and not rows.file_counts[d.pk]
        ],
    }


def procurement_chapter(report: GeneratedReport) -> tuple[Summary, list[Tender]]:
    """The SRPP chapter: the register's summary for the report's period (or dates), as the
    register's summary page computes it, and the register's tenders published by the end of
    the span (cancelled ones left out), each with its number of social clauses. Two queries
    for the table, whatever the number of tenders, on top of the summary's own."""
    summary = register_summary(
        report.project, period=report.period, start=report.start_date, end=report.end_date
    )
    tenders = list(
        Tender.objects.filter(project=report.project)
        .exclude(status=Tender.Status.CANCELLED)
        .exclude(publication_date__gt=report.end_date)
        .for_lists()
        .annotate(clause_count=Count("clauses", distinct=True))
        .order_by("authority__short_name", "reference", "pk")
    )
    return summary, tenders


@dataclass(frozen=True)
class DataQuality:
    """What the annex lists: every query not yet closed and every finding of the checks."""

    queries: list[DataQuery]
    findings: list[Finding]

    @property
    def is_clean(self) -> bool:
        return not self.queries and not self.findings


# The checks that are the report's own data gaps (data_gaps above, listed by period): the annex
# lists those once, there, and the other findings below them.
DATA_GAP_CHECKS = frozenset(
    {
        "held_without_attendance",
        "late_without_justification",
        "risk_not_reviewed",
        "submitted_without_file",
    }
)


def data_quality(project: Project, today: dt.date) -> DataQuality:
    """The open queries (with whom they are assigned to) and the checks' findings (impact/
    checks.py, a fixed number of queries), for the annex and for the request page's warning."""
    queries = list(
        DataQuery.objects.filter(project=project)
        .unresolved()
        .select_related("assigned_to__organisation", "subject_type")
        .order_by("raised_at", "pk")
    )
    findings = [f for f in run_checks(project, today=today) if f.code not in DATA_GAP_CHECKS]
    return DataQuality(queries=queries, findings=findings)


def progress_report_context(report: GeneratedReport, now: dt.datetime) -> dict[str, Any]:
    """Everything a progress report shows, as of `now`. Query count does not grow with rows."""
    project = report.project
    span = Span(report.start_date, report.end_date)
    today = timezone.localtime(now).date()
    rows = fetch_progress_rows(project, span)

    deliverables = summarise_deliverables(rows.deliverables, span, today)
    risks = risk_rows(rows.risks, span)
    active = [r for r in rows.risks if r.is_active]
    events = event_rows(rows.events)
    held = [row for row in events if row.event.is_held]
    gaps = data_gaps(rows, due=deliverables.due, risks=risks, held=held, today=today)
    srpp, register = procurement_chapter(report) if "procurement" in report.sections else (None, [])
    indicators: list[IndicatorProgress] = (
        indicator_progress(project) if "impact" in report.sections else []
    )
    quality = data_quality(project, today) if "gaps" in report.sections else None
    plan = build_plan(
        project,
        work_packages=rows.work_packages,
        deliverables=rows.deliverables,
        milestones=rows.milestones,
    )
    return {
        "report": report,
        "project": project,
        "sections": set(report.sections),
        "data_as_of": now,
        "today": today,
        "period": report.period,
        "start": span.start,
        "end": span.end,
        "summary": {
            "due": len(deliverables.due),
            "on_time": deliverables.on_time,
            "late": deliverables.late,
            "pending": deliverables.pending,
            **summarise_milestones(rows.milestones, span, today),
            "risks_by_level": Counter(r.level for r in active),
            "events_held": len(held),
            "participants": participant_totals(
                [row.attendance for row in held if row.attendance is not None]
            ),
        },
        "work_packages": plan.rows,
        "project_milestones": plan.project_milestones,
        "due_in_period": deliverables.due,
        "risks": risks,
        "matrix": risk_matrix(cell_counts(active)),
        "events": events,
        "timeline": build_timeline(
            duration_months=project.duration_months,
            work_packages=rows.work_packages,
            deliverables=rows.deliverables,
            milestones=rows.milestones,
            today_month=project.month_of(today),
        ),
        "srpp": srpp,
        "register": register,
        "indicators": indicators,
        "quality": quality,
        "gaps": gaps,
        "gap_count": sum(len(listed) for listed in gaps.values())
        + (len(quality.queries) + len(quality.findings) if quality else 0),
    }


# ---------------------------------------------------------------------------------------------
# Conference report


def conference_report_context(pdf: GeneratedReport, now: dt.datetime) -> dict[str, Any]:
    """A single event's report as a PDF: the event, its attendance and its written report, if
    the member who asked for the PDF may read it (a draft is its writers' and the coordinator's:
    ConferenceReportQuerySet.visible_to); otherwise the PDF says there is no written report."""
    assert pdf.event is not None, "a conference report's PDF is made of an event"
    event = pdf.event
    event.project = pdf.project
    access = requester_access(pdf)
    report = (
        ConferenceReport.objects.visible_to(access)
        .filter(event=event)
        .select_related("author__organisation")
        .first()
        if access is not None
        else None
    )
    return {
        "project": event.project,
        "event": event,
        "attendance": event.attendance_or_none,
        "conference_report": report,
        "recommendations": list(report.recommendations.all()) if report else [],
        "good_practices": list(report.good_practices.order_by("title", "pk")) if report else [],
        "agenda": list(event.agenda_items.all()),
        "data_as_of": now,
    }


# ---------------------------------------------------------------------------------------------
# One renderer for each kind of generated report


@dataclass(frozen=True)
class Renderer:
    """What a kind of report prints: its context function and its print template."""

    context: Callable[[GeneratedReport, dt.datetime], dict[str, Any]]
    template: str


RENDERERS: dict[str, Renderer] = {
    GeneratedReport.Kind.PROGRESS: Renderer(progress_report_context, "reports/pdf/progress.html"),
    GeneratedReport.Kind.CONFERENCE: Renderer(
        conference_report_context, "reports/pdf/conference.html"
    ),
}


def render_generated_report(report: GeneratedReport, now: dt.datetime) -> RenderedPdf:
    """The PDF of `report`, as of `now`, by the renderer of its kind, in the report's language:
    its headings, labels, legends, dates and metadata (what people wrote stays as written)."""
    renderer = RENDERERS[report.kind]
    # The context too: labels it computes (the stakeholder categories) are translated as built.
    with translation.override(report.language):
        return render_pdf(renderer.template, renderer.context(report, now))
