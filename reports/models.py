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
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from events.models import Attendance, Event
from procurement.models import GoodPractice
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
        DRAFT = "draft", pgettext_lazy("conference report status", "Draft")
        IN_REVIEW = "in_review", pgettext_lazy("conference report status", "In review")
        PUBLISHED = "published", pgettext_lazy("conference report status", "Published")

    # A report goes with its whole project, and only with it: the reported event and the partner
    # who wrote it stay on record while the project does (RESTRICT; events.workflows.delete_event
    # turns the refusal into a reason). The project is always the event's (see save()): Django
    # lets a RESTRICTed row go only when a CASCADE from the deleted object also reaches it.
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="conference_reports",
        editable=False,
        verbose_name=_("project"),
    )
    event = models.OneToOneField(
        Event, on_delete=models.RESTRICT, related_name="report", verbose_name=_("event")
    )
    author = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="conference_reports",
        verbose_name=_("author"),
        help_text=_("The partner that writes it (the organiser, by default)."),
    )
    summary = models.TextField(_("summary"), blank=True)
    key_messages = models.TextField(
        _("key messages"), blank=True, help_text=_("One message per line.")
    )
    success_stories = models.TextField(_("success stories"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    good_practices = models.ManyToManyField(
        GoodPractice,
        blank=True,
        related_name="cited_in",
        verbose_name=_("good practices cited"),
        help_text=_("Cases from the project's collection that the report refers to."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])
    objects = models.Manager.from_queryset(ConferenceReportQuerySet)()

    class Meta:
        verbose_name = _("conference report")
        verbose_name_plural = _("conference reports")

    def __str__(self) -> str:
        return gettext("Report on %(event)s") % {"event": self.event}

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
    def pdf_language(self) -> str:
        """The language its PDF is made in: the project's reporting language. One PDF per version
        is shared by every reader (an observer cannot have one made), so it follows the project,
        not whoever asked first; and the project's language is the one its reports are written
        in, so the headings match the text."""
        return self.event.project.reporting_language

    @property
    def key_message_list(self) -> list[str]:
        lines = (line.strip(" -•\t") for line in self.key_messages.splitlines())
        return [line for line in lines if line]

    def submit_for_review(self, *, expected_version: int) -> None:
        if self.status != self.Status.DRAFT:
            raise ValidationError(_("Only a draft can be sent for review."))
        if not self.summary.strip():
            raise ValidationError(
                {"summary": _("Write a summary before sending the report for review.")}
            )
        self.status = self.Status.IN_REVIEW
        # History reasons are stored, so in English; marked for the catalogues all the same, for
        # a history page that translates them as it shows them.
        self.save_edit(expected_version, reason=gettext_noop("Sent for review"))

    def publish(self, *, expected_version: int, now: dt.datetime) -> None:
        if self.status != self.Status.IN_REVIEW:
            raise ValidationError(_("Only a report in review can be published."))
        self.status, self.published_at, self.review_comment = self.Status.PUBLISHED, now, ""
        self.save_edit(expected_version, reason=gettext_noop("Published"))

    def send_back(self, *, comment: str, expected_version: int) -> None:
        if self.status != self.Status.IN_REVIEW:
            raise ValidationError(_("Only a report in review can be sent back."))
        if not comment.strip():
            raise ValidationError({"comment": _("Say what should change.")})
        self.status, self.review_comment = self.Status.DRAFT, comment.strip()
        self.save_edit(expected_version, reason=gettext_noop("Sent back"))


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
        POLICY_MAKERS = "policy_makers", _("Policy makers")
        CONTRACTING_AUTHORITIES = "contracting_authorities", _("Contracting authorities")
        SOCIAL_ECONOMY = "social_economy", _("Social economy organisations")
        ALL = "all", pgettext_lazy("recommendation audience: everyone", "All")

    report = models.ForeignKey(
        ConferenceReport,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("report"),
    )
    text = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=30, choices=Audience.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = models.Manager.from_queryset(RecommendationQuerySet)()

    class Meta:
        ordering = ["report", "position", "pk"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

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
        """The PDFs made of `report` as it is now (its current version), in the language its PDF
        is made in (ConferenceReport.pdf_language)."""
        return self.filter(
            kind=GeneratedReport.Kind.CONFERENCE,
            event_id=report.event_id,
            report_version=report.version,
            language=report.pdf_language,
        )

    def reusable(self) -> Self:
        """Made, or being made: a new request for the same thing is sent to one of these."""
        return self.exclude(status=GeneratedReport.Status.FAILED)


class GeneratedReport(models.Model):
    """A PDF rendered in the background: a progress report of the project, or the PDF of one
    event's conference report (`kind`). The row is the truth: the task claims it (queued ->
    rendering) with a conditional update, so a repeated message renders nothing."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("generated report status", "Queued")
        RENDERING = "rendering", pgettext_lazy("generated report status", "Rendering")
        READY = "ready", pgettext_lazy("generated report status", "Ready")
        FAILED = "failed", pgettext_lazy("generated report status", "Failed")

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        CONFERENCE = "conference", _("Conference report")

    SECTIONS: ClassVar[list[tuple[str, Any]]] = [
        ("summary", _("Summary figures")),
        ("work_packages", _("Work packages and deliverables")),
        ("risks", _("Risk register")),
        ("events", _("Events and their outcomes")),
        ("procurement", _("Social procurement")),
        ("impact", _("Impact indicators")),
        ("timeline", _("Timeline")),
        ("gaps", _("Data gaps to close before sending")),
    ]
    MAX_ATTEMPTS: ClassVar[int] = 3

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="generated_reports",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PROGRESS)
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporting period"),
    )
    # RESTRICT: an event a PDF was made of stays on record; it goes only with its project.
    event = models.ForeignKey(
        Event,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="generated_reports",
        verbose_name=_("event"),
    )
    # The conference report's version the PDF was asked for: one PDF per version, reused.
    report_version = models.PositiveIntegerField(_("report version"), null=True, blank=True)
    # The language of the PDF's own words (headings, labels, dates), not of what people wrote.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the report's headings, labels and dates."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    sections = models.JSONField(_("sections"), default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    data_as_of = models.DateTimeField(_("data as of"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The Celery task id of the current claim: a message redelivered after its worker died
    # carries the same id and may take the render over; any other message may not.
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to="reports/", max_length=255, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    render_seconds = models.FloatField(_("render seconds"), null=True, blank=True)
    # Stored in English (written by the worker, for whoever reads it later, in any language);
    # the page translates it as it shows it (reports.workflows.failure_message).
    error = models.TextField(
        _("error"), blank=True, help_text=_("A plain-language reason shown to people.")
    )

    objects = models.Manager.from_queryset(GeneratedReportQuerySet)()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["status", "queued_at"])]
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")

    def __str__(self) -> str:
        return gettext("%(kind)s, %(start)s to %(end)s") % {
            "kind": self.get_kind_display(),
            "start": date_format(self.start_date, "SHORT_DATE_FORMAT"),
            "end": date_format(self.end_date, "SHORT_DATE_FORMAT"),
        }

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
        # The site's language keeps the names files have always had; another gets its code.
        language = "" if self.language == settings.LANGUAGE_CODE else f"-{self.language}"
        if self.kind == self.Kind.CONFERENCE and self.event_id:
            return f"{self.project.acronym}-event-{self.event_id}-report{language}.pdf"
        return (
            f"{self.project.acronym}-progress-{self.start_date:%Y%m%d}-{self.end_date:%Y%m%d}"
            f"{language}.pdf"
        )

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The report's period ends before it starts.")})
        unknown = set(self.sections) - {key for key, _label in self.SECTIONS}
        if unknown:
            raise ValidationError(
                {
                    "sections": _("Unknown sections: %(sections)s.")
                    % {"sections": ", ".join(sorted(unknown))}
                }
            )

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
                raise ValidationError(_("Only a failed report can be retried."))
