"""Reports: the written account of an event (ConferenceReport) and the PDFs generated in the
background (GeneratedReport: progress reports and conference reports), whose row, not Celery,
holds the state the page shows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from events.models import Attendance, Event
from projects.models import Partner, Project, ReportingPeriod, VersionedModel

if TYPE_CHECKING:
    from projects.permissions import Access


def _writes_the_report(access: Access) -> Q:
    """The rows (with an `event`) whose conference report `access` writes, for a member who is
    not the coordinator: the organiser's staff. The SQL form of reports.permissions.
    can_write_report (events.permissions.can_manage_event); the coordinator writes them all."""
    if access.is_partner and access.partner_id is not None:
        return Q(event__organiser_id=access.partner_id)
    return Q(pk__in=[])


class ConferenceReportQuerySet(models.QuerySet["ConferenceReport"]):
    def published(self) -> Self:
        return self.filter(status=ConferenceReport.Status.PUBLISHED)

    def in_project(self, project: Project) -> Self:
        return self.filter(project=project)

    def visible_to(self, access: Access) -> Self:
        """The reports of the project `access` may read: published ones for every member; a draft
        or a report in review only for its writers (the organiser's staff) and the coordinator."""
        rows = self.in_project(access.project)
        if access.is_coordinator:
            return rows
        return rows.filter(Q(status=ConferenceReport.Status.PUBLISHED) | _writes_the_report(access))


class ConferenceReport(VersionedModel):
    """The written account of one event, by its organising partner; the coordinator publishes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    # A report goes with its whole project, and only with it: the reported event and the partner
    # who wrote it stay on record while the project does (RESTRICT; events.workflows.delete_event
    # turns the refusal into a reason). The project is always the event's (see save()): Django
    # lets a RESTRICTed row go only when a CASCADE from the deleted object also reaches it.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="conference_reports", editable=False
    )
    event = models.OneToOneField(Event, on_delete=models.RESTRICT, related_name="report")
    author = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="conference_reports",
        help_text="The partner that writes it (the organiser, by default).",
    )
    summary = models.TextField(blank=True)
    key_messages = models.TextField(blank=True, help_text="One message per line.")
    success_stories = models.TextField(blank=True)
    challenges = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_comment = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])
    objects = models.Manager.from_queryset(ConferenceReportQuerySet)()

    def __str__(self) -> str:
        return f"Report on {self.event}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.project_id = self.event.project_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.event.get_absolute_url() + "#report-heading"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_in_review(self) -> bool:
        return self.status == self.Status.IN_REVIEW

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def attendance(self) -> Attendance | None:
        """The participant figures: always the event's own attendance, never a copy."""
        return self.event.attendance_or_none

    @property
    def key_message_list(self) -> list[str]:
        lines = (line.strip(" -•\t") for line in self.key_messages.splitlines())
        return [line for line in lines if line]

    def submit_for_review(self, *, expected_version: int) -> None:
        if self.status != self.Status.DRAFT:
            raise ValidationError("Only a draft can be sent for review.")
        if not self.summary.strip():
            raise ValidationError(
                {"summary": "Write a summary before sending the report for review."}
            )
        self.status = self.Status.IN_REVIEW
        self.save_edit(expected_version, reason="Sent for review")

    def publish(self, *, expected_version: int, now: dt.datetime) -> None:
        if self.status != self.Status.IN_REVIEW:
            raise ValidationError("Only a report in review can be published.")
        self.status, self.published_at, self.review_comment = self.Status.PUBLISHED, now, ""
        self.save_edit(expected_version, reason="Published")

    def send_back(self, *, comment: str, expected_version: int) -> None:
        if self.status != self.Status.IN_REVIEW:
            raise ValidationError("Only a report in review can be sent back.")
        if not comment.strip():
            raise ValidationError({"comment": "Say what should change."})
        self.status, self.review_comment = self.Status.DRAFT, comment.strip()
        self.save_edit(expected_version, reason="Sent back")


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def published(self) -> Self:
        return self.filter(report__status=ConferenceReport.Status.PUBLISHED)

    def visible_to(self, access: Access) -> Self:
        """The recommendations of the reports `access` may read (ConferenceReport's rule)."""
        return self.filter(report__in=ConferenceReport.objects.visible_to(access))

    def in_project(self, project: Project) -> Self:
        return self.filter(report__project=project)

    def for_audience(self, audience: str) -> Self:
        """Addressed to `audience`, or to everyone (which includes that audience)."""
        return self.filter(audience__in=[audience, Recommendation.Audience.ALL])


class Recommendation(models.Model):
    """One recommendation of a conference report, addressed to an audience."""

    class Audience(models.TextChoices):
        POLICY_MAKERS = "policy_makers", "Policy makers"
        CONTRACTING_AUTHORITIES = "contracting_authorities", "Contracting authorities"
        SOCIAL_ECONOMY = "social_economy", "Social economy organisations"
        ALL = "all", "All"

    report = models.ForeignKey(
        ConferenceReport, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField()
    audience = models.CharField(max_length=30, choices=Audience.choices)
    position = models.PositiveSmallIntegerField(default=0)

    objects = models.Manager.from_queryset(RecommendationQuerySet)()

    class Meta:
        ordering = ["report", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class GeneratedReportQuerySet(models.QuerySet["GeneratedReport"]):
    def stale_queued(self, now: dt.datetime, after: dt.timedelta) -> Self:
        return self.filter(status=GeneratedReport.Status.QUEUED, queued_at__lt=now - after)

    def stuck_rendering(self, now: dt.datetime, after: dt.timedelta) -> Self:
        return self.filter(status=GeneratedReport.Status.RENDERING, started_at__lt=now - after)

    def visible_to(self, access: Access) -> Self:
        """The PDFs of the project `access` may see. Progress reports: every member. The PDF of a
        conference report: its writers and the coordinator always; the other members only if it
        was made of the published report as it is (its version), never of an earlier draft."""
        rows = self.filter(project=access.project)
        if access.is_coordinator:
            return rows
        of_the_published_report = Q(
            event__report__status=ConferenceReport.Status.PUBLISHED,
            report_version=F("event__report__version"),
        )
        return rows.filter(
            Q(kind=GeneratedReport.Kind.PROGRESS)
            | of_the_published_report
            | _writes_the_report(access)
        )

    def of_conference_report(self, report: ConferenceReport) -> Self:
        """The PDFs made of `report` as it is now (its current version)."""
        return self.filter(
            kind=GeneratedReport.Kind.CONFERENCE,
            event_id=report.event_id,
            report_version=report.version,
        )

    def reusable(self) -> Self:
        """Made, or being made: a new request for the same thing is sent to one of these."""
        return self.exclude(status=GeneratedReport.Status.FAILED)


class GeneratedReport(models.Model):
    """A PDF rendered in the background: a progress report of the project, or the PDF of one
    event's conference report (`kind`). The row is the truth: the task claims it (queued ->
    rendering) with a conditional update, so a repeated message renders nothing."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress report"
        CONFERENCE = "conference", "Conference report"

    SECTIONS: ClassVar[list[tuple[str, str]]] = [
        ("summary", "Summary figures"),
        ("work_packages", "Work packages and deliverables"),
        ("risks", "Risk register"),
        ("events", "Events and their outcomes"),
        ("timeline", "Timeline"),
        ("gaps", "Data gaps to close before sending"),
    ]
    MAX_ATTEMPTS: ClassVar[int] = 3

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="generated_reports")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PROGRESS)
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # RESTRICT: an event a PDF was made of stays on record; it goes only with its project.
    event = models.ForeignKey(
        Event, on_delete=models.RESTRICT, null=True, blank=True, related_name="generated_reports"
    )
    # The conference report's version the PDF was asked for: one PDF per version, reused.
    report_version = models.PositiveIntegerField(null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    sections = models.JSONField(default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    data_as_of = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The Celery task id of the current claim: a message redelivered after its worker died
    # carries the same id and may take the render over; any other message may not.
    task_id = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="reports/", max_length=255, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="A plain-language reason shown to people.")

    objects = models.Manager.from_queryset(GeneratedReportQuerySet)()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}, {self.start_date:%-d %b %Y} to {self.end_date:%-d %b %Y}"
        )

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.project.slug, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def is_queued(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def is_rendering(self) -> bool:
        return self.status == self.Status.RENDERING

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def filename(self) -> str:
        if self.kind == self.Kind.CONFERENCE and self.event_id:
            return f"{self.project.acronym}-event-{self.event_id}-report.pdf"
        return (
            f"{self.project.acronym}-progress-{self.start_date:%Y%m%d}-{self.end_date:%Y%m%d}.pdf"
        )

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The report's period ends before it starts."})
        unknown = set(self.sections) - {key for key, _ in self.SECTIONS}
        if unknown:
            raise ValidationError({"sections": f"Unknown sections: {', '.join(sorted(unknown))}."})

    def claim(self, now: dt.datetime, *, task_id: str) -> int | None:
        """Take the report for rendering; returns this attempt's number, or None if the report
        is finished or another message holds it.

        queued -> rendering for exactly one caller (a conditional UPDATE). A redelivery of the
        message that made the claim (same task id: its worker died mid-render) takes it over.
        The attempt number is a fencing token: only the latest claim may store its PDF.
        """
        claimable = models.Q(status=self.Status.QUEUED)
        if task_id:
            claimable |= models.Q(status=self.Status.RENDERING, task_id=task_id)
        claimed = GeneratedReport.objects.filter(claimable, pk=self.pk).update(
            status=self.Status.RENDERING,
            started_at=now,
            attempts=models.F("attempts") + 1,
            task_id=task_id,
            error="",
        )
        if not claimed:
            return None
        self.refresh_from_db()
        return self.attempts

    def retry(self, now: dt.datetime) -> None:
        """Queue a failed report again (its attempts start over)."""
        with transaction.atomic():
            moved = GeneratedReport.objects.filter(pk=self.pk, status=self.Status.FAILED).update(
                status=self.Status.QUEUED,
                queued_at=now,
                attempts=0,
                error="",
                started_at=None,
                finished_at=None,
            )
            if not moved:
                raise ValidationError("Only a failed report can be retried.")
