"""Requesting, rendering and sweeping PDF reports. The row is the state; Celery only carries ids.

Contract of the pipeline (ARCHITECTURE.md, "Background work"):
- a request creates the row and sends the task after the transaction commits;
- the task claims the row with a conditional update, renders from scratch, stores the PDF under a
  new name and marks the row ready, so a repeated message does nothing;
- the sweep re-sends rows left queued (the broker was down or lost the message) and fails rows
  stuck rendering past the hard time limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from kombu.exceptions import OperationalError

from projects.files import generated_name
from projects.models import Notification, Project, ReportingPeriod
from projects.notifications import coordinators, members_of_partner, notify
from reports import rendering
from reports.models import ConferenceReport, GeneratedReport

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# The reasons a report failed, as its page shows them. They are stored in English on the row
# (the worker writes them, for whoever reads the page later, in whatever language) and translated
# as they are shown (failure_message); gettext_noop puts them in the catalogues.
FAILED_TOO_LONG = gettext_noop(
    "The report took longer than the time allowed and was stopped. Try a shorter period or "
    "fewer sections, then press Retry."
)
# Translators: {n} is the number of attempts made (3); keep {n} as it is.
FAILED_TOO_MANY = gettext_noop(
    "The report could not be finished after {n} attempts: the process rendering it stopped each "
    "time. Try a shorter period or fewer sections; if it happens again, tell the site's admin."
)
FAILED_UNEXPECTED = gettext_noop(
    "Something went wrong while the report was being made. The error has been logged for the "
    "site's admin; press Retry to try again."
)
FAILED_STUCK = gettext_noop(
    "The report was still being made long after the time limit, so it was stopped. Press Retry "
    "to try again."
)


def failure_message(report: GeneratedReport) -> str:
    """Why `report` failed, in the active language: its stored (English) reason translated if it
    is one of the reasons above, else as stored."""
    attempts = GeneratedReport.MAX_ATTEMPTS
    if report.error == FAILED_TOO_MANY.format(n=attempts):
        return gettext(FAILED_TOO_MANY).format(n=attempts)
    if report.error in (FAILED_TOO_LONG, FAILED_UNEXPECTED, FAILED_STUCK):
        return gettext(report.error)
    return report.error


def _enqueue(report_id: int) -> None:
    """Send the render task; if the broker cannot be reached the row stays queued and the sweep
    sends it again later. Never raises: the request that created the row has already succeeded."""
    from reports.tasks import render_report_task

    try:
        render_report_task.delay(report_id)
    except (OperationalError, OSError):
        logger.warning("Could not reach the broker for report %s; the sweep will retry", report_id)
    except Exception:
        logger.exception("Could not send report %s; the sweep will retry", report_id)


@transaction.atomic
def request_progress_report(
    project: Project,
    *,
    requested_by: User,
    period: ReportingPeriod | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    sections: list[str],
    language: str | None = None,
) -> GeneratedReport:
    """Queue a progress report for a period (or a date range), in `language` (by default the
    project's reporting language). Only coordinators may call it
    (reports.permissions.can_request_progress_report). Each call queues a new one."""
    if period is not None:
        start_date, end_date = period.start_date, period.end_date
    assert start_date is not None and end_date is not None
    report = GeneratedReport(
        project=project,
        kind=GeneratedReport.Kind.PROGRESS,
        period=period,
        start_date=start_date,
        end_date=end_date,
        sections=sections,
        language=language or project.reporting_language,
        requested_by=requested_by,
    )
    report.full_clean()
    report.save()
    transaction.on_commit(lambda: _enqueue(report.pk))
    return report


@transaction.atomic
def request_conference_pdf(report: ConferenceReport, *, requested_by: User) -> GeneratedReport:
    """The PDF of `report` as it is now: the one made (or being made) of this version in the
    project's reporting language (ConferenceReport.pdf_language) if there is one, else a new one,
    queued. Safe to call twice: one PDF per version of the report and language.

    The caller has checked that `requested_by` may ask (reports.permissions.
    can_request_conference_pdf)."""
    # Locking the report makes two requests for the same version queue one PDF, not two.
    locked = ConferenceReport.objects.select_for_update().get(pk=report.pk)
    locked.event = report.event
    existing = GeneratedReport.objects.of_conference_report(locked).reusable().first()
    if existing is not None:
        return existing
    event = report.event
    day = timezone.localtime(event.starts_at, event.zone).date()
    pdf = GeneratedReport.objects.create(
        project=event.project,
        kind=GeneratedReport.Kind.CONFERENCE,
        event=event,
        report_version=locked.version,
        language=locked.pdf_language,
        start_date=day,
        end_date=day,
        sections=[],
        requested_by=requested_by,
    )
    transaction.on_commit(lambda: _enqueue(pdf.pk))
    return pdf


# Who hears of each step of a conference report: the coordinators when it is sent for review,
# its writers (the author partner's people) when the coordinator answers.
CONFERENCE_KINDS = {
    "submit_for_review": Notification.Kind.CONFERENCE_REPORT_IN_REVIEW,
    "send_back": Notification.Kind.CONFERENCE_REPORT_SENT_BACK,
    "publish": Notification.Kind.CONFERENCE_REPORT_PUBLISHED,
}


def move_conference_report(
    report: ConferenceReport, action: str, *, by: User, **arguments: Any
) -> None:
    """Take `report` through `action` (the ConferenceReport method of that name, called with
    `arguments`) and tell the people concerned, in one transaction: a refused move
    (ValidationError, StaleEdit) changes nothing and tells no one. The caller checked `by`."""
    kind = CONFERENCE_KINDS[action]
    with transaction.atomic():
        getattr(report, action)(**arguments)
        if kind == Notification.Kind.CONFERENCE_REPORT_IN_REVIEW:
            recipients = coordinators(report.project)
        else:
            recipients = members_of_partner(report.author_id)
        notify(
            kind,
            project=report.project,
            about=report,
            subject=report.event.title,
            link=report.get_absolute_url(),
            recipients=recipients,
            actor=by,
        )


def retry_report(report: GeneratedReport, *, now: dt.datetime) -> None:
    """Queue a failed report again."""
    report.retry(now)
    transaction.on_commit(lambda: _enqueue(report.pk))


def _tell_requester(report_id: int, kind: str) -> None:
    """Notify whoever asked for the report that it is ready or failed (the platform did it)."""
    report = GeneratedReport.objects.select_related("project").get(pk=report_id)
    with translation.override(report.language or None):
        subject = str(report)
    notify(
        kind,
        project=report.project,
        about=report,
        subject=subject,
        link=report.get_absolute_url(),
        recipients=[report.requested_by_id],
    )


def _fail(report_id: int, attempt: int | None, reason: str, now: dt.datetime) -> None:
    rows = GeneratedReport.objects.filter(pk=report_id, status=GeneratedReport.Status.RENDERING)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    with transaction.atomic():
        # Told once: only the claim that moved the row to failed tells.
        if rows.update(status=GeneratedReport.Status.FAILED, error=reason, finished_at=now):
            _tell_requester(report_id, Notification.Kind.REPORT_FAILED)


def render_report(report_id: int, *, task_id: str = "") -> str:
    """Render report `report_id` if it is still to be rendered; returns what happened.

    Safe to run twice, or concurrently: only one claim renders, and only the latest claim may store
    its file (its attempt number must still match when it marks the row ready).
    """
    now = timezone.now()
    report = (
        GeneratedReport.objects.select_related("project", "event", "period")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return "gone"
    attempt = report.claim(now, task_id=task_id)
    if attempt is None:
        return "not claimed"
    if attempt > GeneratedReport.MAX_ATTEMPTS:
        _fail(report_id, attempt, FAILED_TOO_MANY.format(n=GeneratedReport.MAX_ATTEMPTS), now)
        return "failed"
    try:
        pdf = rendering.render_generated_report(report, now)
    except SoftTimeLimitExceeded:
        _fail(report_id, attempt, FAILED_TOO_LONG, timezone.now())
        return "failed"
    except Exception:
        logger.exception("Rendering report %s failed", report_id)
        _fail(report_id, attempt, FAILED_UNEXPECTED, timezone.now())
        return "failed"

    storage = GeneratedReport._meta.get_field("file").storage
    # A new name for every render: the old file is never half-overwritten, and a render that
    # lost its claim deletes only its own file.
    name = storage.save(
        f"reports/{report.project_id}/{generated_name('pdf')}", ContentFile(pdf.content)
    )
    with transaction.atomic():
        stored = GeneratedReport.objects.filter(
            pk=report_id, status=GeneratedReport.Status.RENDERING, attempts=attempt
        ).update(
            status=GeneratedReport.Status.READY,
            file=name,
            pages=pdf.pages,
            size=len(pdf.content),
            sha256=hashlib.sha256(pdf.content).hexdigest(),
            render_seconds=round(pdf.seconds, 3),
            data_as_of=now,
            finished_at=timezone.now(),
        )
        if stored:
            _tell_requester(report_id, Notification.Kind.REPORT_READY)
    if not stored:
        storage.delete(name)
        return "superseded"
    if report.file.name and report.file.name != name:
        storage.delete(report.file.name)
    return "ready"


def sweep_reports(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-send reports left queued too long; fail those stuck rendering past the hard limit."""
    now = now or timezone.now()
    requeue_after = dt.timedelta(seconds=settings.REPORT_REQUEUE_AFTER)
    stuck_after = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    queued = list(
        GeneratedReport.objects.stale_queued(now, requeue_after).values_list("pk", flat=True)
    )
    for pk in queued:
        # Move queued_at on so the next sweep waits again before re-sending.
        GeneratedReport.objects.filter(pk=pk, status=GeneratedReport.Status.QUEUED).update(
            queued_at=now
        )
        _enqueue(pk)
    stuck = 0
    for pk in list(
        GeneratedReport.objects.stuck_rendering(now, stuck_after).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            if (
                GeneratedReport.objects.stuck_rendering(now, stuck_after)
                .filter(pk=pk)
                .update(status=GeneratedReport.Status.FAILED, error=FAILED_STUCK, finished_at=now)
            ):
                stuck += 1
                _tell_requester(pk, Notification.Kind.REPORT_FAILED)
    return {"requeued": len(queued), "failed": stuck}
