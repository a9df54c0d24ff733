"""The consortium and its plan: organisations, projects, partners, work packages, deliverables,
milestones and risks.

EU projects count time in months from the start date: "M6" is the sixth month, and something due in
M6 is due on the last day of that month. Numbers follow the grant agreement (WP1, D1.1, MS1, P1).
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from coresp.text import in_sentence
from projects.history import forget_reason, record_history, without_history

if TYPE_CHECKING:
    from accounts.models import User


class StaleEdit(Exception):
    """Someone else changed the object after this form was loaded."""


def add_months(start: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `start`."""
    index = start.year * 12 + (start.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


class Organisation(models.Model):
    """A legal entity that takes part in projects."""

    class Kind(models.TextChoices):
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")
        SOCIAL_ECONOMY = "social_economy", _("Social economy organisation")
        WISE = "wise", _("Work-integration social enterprise")
        NETWORK = "network", pgettext_lazy("organisation kind", "Network")
        NGO = "ngo", pgettext_lazy("organisation kind", "NGO")
        UNIVERSITY = "university", pgettext_lazy("organisation kind", "University")
        COMPANY = "company", pgettext_lazy("organisation kind", "Company")

    legal_name = models.CharField(_("legal name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    pic = models.CharField(
        "PIC",  # the EU's code, the same in every language
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", _("A PIC has nine digits."))],
        help_text=_("Participant Identification Code in the EU Funding & Tenders portal."),
    )

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__is_active=True).distinct()


# How far a date about a project may be from it (Project.date_window).
DATE_WINDOW_YEARS_BEFORE = 2
DATE_WINDOW_YEARS_AFTER = 5


class Project(models.Model):
    """A funded project run by a consortium of partners."""

    class Programme(models.TextChoices):
        # The programmes' names as the EU writes them in each language; Erasmus+ and Interreg
        # are the same in all.
        SMP = "smp", _("Single Market Programme")
        ERASMUS = "erasmus", "Erasmus+"
        ESF = "esf", _("ESF+")
        HORIZON = "horizon", _("Horizon Europe")
        INTERREG = "interreg", "Interreg"
        OTHER = "other", pgettext_lazy("funding programme", "Other")

    acronym = models.CharField(_("acronym"), max_length=30, unique=True)
    slug = models.SlugField(
        _("slug"), max_length=40, unique=True, help_text=_("Used in the project's web addresses.")
    )
    title = models.CharField(_("title"), max_length=255)
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    grant_agreement_number = models.CharField(
        _("grant agreement number"), max_length=30, blank=True
    )
    start_date = models.DateField(_("start date"), help_text=_("Month 1 begins on this date."))
    duration_months = models.PositiveSmallIntegerField(
        _("duration months"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    website = models.URLField(_("website"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # The language of the reports the project sends (the funder's, usually English): the periodic
    # report's default and every conference report PDF's language.
    reporting_language = models.CharField(
        _("reporting language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language of the project's PDF reports, unless one is chosen for a report."
        ),
    )

    objects = models.Manager.from_queryset(ProjectQuerySet)()

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        return reverse("projects:project_dashboard", args=[self.slug])

    def month_start(self, month: int) -> dt.date:
        """The first day of project month `month` (M1 starts on the start date)."""
        if month == 1:
            return self.start_date
        return add_months(self.start_date, month - 1)

    def month_end(self, month: int) -> dt.date:
        """The last day of project month `month`: the due date of anything due in that month."""
        first = add_months(self.start_date, month - 1)
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])

    @property
    def end_date(self) -> dt.date:
        return self.month_end(self.duration_months)

    def month_of(self, day: dt.date) -> int:
        """The project month `day` falls in (0 before the start, > duration after the end)."""
        if day < self.start_date:
            return 0
        return (day.year - self.start_date.year) * 12 + day.month - self.start_date.month + 1

    def date_window(self) -> tuple[dt.date, dt.date]:
        """The first and last day a date about the project may be, inclusive: preparation
        starts before month 1 (a tender published, a kick-off booked) and follow-up (a contract,
        final payment, a late submission) runs on after the last month. Every form and every
        model check of a date uses this one window."""
        start, end = self.start_date, self.end_date
        return (
            start.replace(year=start.year - DATE_WINDOW_YEARS_BEFORE, day=1),
            end.replace(year=end.year + DATE_WINDOW_YEARS_AFTER, month=12, day=31),
        )

    def date_outside_window(self, day: dt.date | None) -> str:
        """Why `day` is refused ("" if it is not): too far before or after the project."""
        if day is None:
            return ""
        first, last = self.date_window()
        if first <= day <= last:
            return ""
        return gettext("%(day)s is too far from the project (%(first)s to %(last)s).") % {
            "day": day.isoformat(),
            "first": first.isoformat(),
            "last": last.isoformat(),
        }

    def check_month(self, month: int | None, field: str) -> None:
        """The one range check of a project month (a due, start or end month): M1 to the last
        month. Raises ValidationError on `field`; an empty month is the field's own business."""
        if month is not None and not 1 <= month <= self.duration_months:
            raise ValidationError(
                {
                    # Translators: M6 is project month 6, as EU projects count time.
                    field: gettext("M%(month)s is outside the project, which runs M1-M%(last)s.")
                    % {"month": month, "last": self.duration_months}
                }
            )


class Partner(models.Model):
    """An organisation's participation in a project, numbered as in the grant agreement."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", pgettext_lazy("partner role", "Coordinator")
        BENEFICIARY = "beneficiary", pgettext_lazy("partner role", "Beneficiary")
        AFFILIATED = "affiliated", pgettext_lazy("partner role", "Affiliated entity")
        ASSOCIATED = "associated", pgettext_lazy("partner role", "Associated partner")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="partners", verbose_name=_("project")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("organisation"),
    )
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("1 for the coordinator."))
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.BENEFICIARY
    )

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="partner_number_unique"),
            models.UniqueConstraint(
                fields=["project", "organisation"], name="partner_organisation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"P{self.number} {self.organisation.short_name}"

    @property
    def code(self) -> str:
        return f"P{self.number}"


class Membership(models.Model):
    """A person's place in a project: for which partner, and with which role."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", pgettext_lazy("membership role", "Coordinator")
        PARTNER = "partner", pgettext_lazy("membership role", "Partner")
        OBSERVER = "observer", pgettext_lazy("membership role", "Observer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("partner"),
        help_text=_("Empty for observers from outside the consortium (funder, evaluator)."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("is active"), default=True)

    class Meta:
        ordering = ["project", "role", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return gettext("%(person)s in %(project)s (%(role)s)") % {
            "person": self.user,
            "project": self.project,
            "role": self.get_role_display(),
        }

    def clean(self) -> None:
        if (
            self.partner is not None
            and self.project_id
            and self.partner.project_id != self.project_id
        ):
            raise ValidationError({"partner": gettext("This partner belongs to another project.")})
        if self.role in (self.Role.COORDINATOR, self.Role.PARTNER) and not self.partner_id:
            raise ValidationError(
                {"partner": gettext("Coordinators and partners act for a partner.")}
            )

    @property
    def role_sentence(self) -> str:
        """ "you are coordinator for EASPD": one sentence per role, since a role's name inside a
        sentence is written differently from its label (lower case in English, a capital in
        German, with the article some languages need)."""
        if self.partner is None:
            sentences = {
                self.Role.COORDINATOR: gettext("you are coordinator"),
                self.Role.PARTNER: gettext("you are partner"),
                self.Role.OBSERVER: gettext("you are observer"),
            }
            return sentences[self.Role(self.role)]
        organisation = {"organisation": self.partner.organisation.short_name}
        sentences = {
            self.Role.COORDINATOR: gettext("you are coordinator for %(organisation)s"),
            self.Role.PARTNER: gettext("you are partner for %(organisation)s"),
            self.Role.OBSERVER: gettext("you are observer for %(organisation)s"),
        }
        return sentences[self.Role(self.role)] % organisation

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    @property
    def is_observer(self) -> bool:
        return self.role == self.Role.OBSERVER


class ReportingPeriod(models.Model):
    """RP1..n: the stretch of months a periodic report to the funder covers."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="periods", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    start_month = models.PositiveSmallIntegerField(_("start month"))
    end_month = models.PositiveSmallIntegerField(_("end month"))
    report_due_date = models.DateField(_("report due date"), null=True, blank=True)
    is_locked = models.BooleanField(
        _("is locked"), default=False, help_text=_("Reported to the funder; kept as it was.")
    )

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="period_number_unique")
        ]

    def __str__(self) -> str:
        return f"RP{self.number} (M{self.start_month}-M{self.end_month})"

    def clean(self) -> None:
        if not self.project_id:
            return
        self.project.check_month(self.start_month, "start_month")
        self.project.check_month(self.end_month, "end_month")
        if self.end_month < self.start_month:
            raise ValidationError({"end_month": gettext("The period ends before it starts.")})

    @property
    def start_date(self) -> dt.date:
        return self.project.month_start(self.start_month)

    @property
    def end_date(self) -> dt.date:
        return self.project.month_end(self.end_month)


def current_period(project: Project, today: dt.date) -> ReportingPeriod | None:
    """The reporting period partners are reporting on: the latest that has begun by `today`
    (the last one once the project has ended; None before the first begins). One query."""
    period = (
        ReportingPeriod.objects.filter(project=project, start_month__lte=project.month_of(today))
        .order_by("-start_month", "-number")
        .first()
    )
    if period is not None:
        period.project = project  # its dates, without a query
    return period


def _month_errors(project: Project, month: int | None, field: str) -> dict[str, str]:
    """Project.check_month's message on `field`, for a clean() that gathers all its errors."""
    try:
        project.check_month(month, field)
    except ValidationError as error:
        return {field: " ".join(error.messages)}
    return {}


class InProjectQuerySet[M: models.Model](models.QuerySet[M]):
    """Rows that belong to a project; `visible_to` keeps those of the user's projects."""

    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated:
            return self.none()
        return self.filter(project__memberships__user=user, project__memberships__is_active=True)


class WorkPackage(models.Model):
    """A work package: a lead partner, a span of months, objectives."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="work_packages", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=255)
    lead = models.ForeignKey(
        Partner, on_delete=models.RESTRICT, related_name="led_work_packages", verbose_name=_("lead")
    )
    start_month = models.PositiveSmallIntegerField(_("start month"))
    end_month = models.PositiveSmallIntegerField(_("end month"))
    objectives = models.TextField(_("objectives"), blank=True)

    objects = models.Manager.from_queryset(InProjectQuerySet["WorkPackage"])()

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="work_package_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"WP{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("projects:workpackage_detail", args=[self.project.slug, self.number])

    def clean(self) -> None:
        if not self.project_id:
            return
        self.project.check_month(self.start_month, "start_month")
        self.project.check_month(self.end_month, "end_month")
        if self.start_month and self.end_month and self.end_month < self.start_month:
            raise ValidationError({"end_month": gettext("The work package ends before it starts.")})
        if self.lead_id and self.lead.project_id != self.project_id:
            raise ValidationError({"lead": gettext("The lead partner belongs to another project.")})


@dataclass(frozen=True)
class Progress:
    """How far a work package has come: how many of its deliverables are done (approved or
    submitted, Deliverable.is_done) out of all of them."""

    done: int
    total: int

    @classmethod
    def of(cls, deliverables: Iterable[Deliverable]) -> Progress:
        rows = list(deliverables)
        return cls(done=sum(d.is_done for d in rows), total=len(rows))

    @property
    def percent(self) -> int:
        """The share done as a whole percentage; 0 for a work package with no deliverables."""
        return round(100 * self.done / self.total) if self.total else 0


class VersionedModel(models.Model):
    """A row edited through forms by several people: saves name the version they started from."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save_edit(
        self,
        expected_version: int | None,
        *,
        reason: str = "",
        m2m: Callable[[], None] | None = None,
    ) -> None:
        """The one door for a versioned edit: save if nobody saved since `expected_version` was
        read, with `reason` in the history record, else raise StaleEdit (nothing saved).

        The conditional UPDATE is the lock: of two saves that started from the same version,
        exactly one moves it on; the other changes nothing, and from then on the row is locked
        until this transaction ends, so `m2m` (a form's save_m2m) cannot interleave with another
        save's. Its writes go into the same history record as the fields: they are made without
        a record of their own, before the save that writes it.

        A new row (no pk yet) is inserted. An IntegrityError is someone else's concurrent write
        (two first drafts of a one-to-one, say): StaleEdit too. The caller validated already.
        """
        try:
            with transaction.atomic():
                if self.pk is None:
                    record_history(self, reason)
                    self.save()
                    if m2m is not None:
                        # The row did not exist when its first record was written: setting its
                        # many-to-many fields writes a second, bookkeeping one (no reason).
                        forget_reason(self)
                        m2m()
                    return
                if expected_version is None:
                    raise StaleEdit  # a form that lost its version cannot prove it is current
                moved = (
                    type(self)
                    ._default_manager.filter(pk=self.pk, version=expected_version)
                    .update(version=F("version") + 1)
                )
                if not moved:
                    raise StaleEdit
                self.version = expected_version + 1
                if m2m is not None:
                    with without_history(self):
                        m2m()
                record_history(self, reason)
                self.save()
        except IntegrityError as error:
            raise StaleEdit from error


class DeliverableQuerySet(InProjectQuerySet["Deliverable"]):
    def due_by(self, day: dt.date) -> Self:
        return self.filter(due_date__lte=day)

    # Deliverable.is_done and is_overdue as conditions, for queries that combine several
    # (DeliverableQuerySet.first_of_each on the dashboard).
    @staticmethod
    def open_condition() -> Q:
        return ~Q(status__in=Deliverable.DONE_STATUSES)

    @staticmethod
    def overdue_condition(today: dt.date) -> Q:
        return DeliverableQuerySet.open_condition() & Q(due_date__lt=today)

    def open(self) -> Self:
        return self.filter(self.open_condition())

    def overdue(self, today: dt.date) -> Self:
        return self.filter(self.overdue_condition(today))

    def with_related(self) -> Self:
        return self.select_related("work_package", "lead__organisation")

    def first_of_each(
        self, groups: dict[str, Q], *, order: tuple[str, ...], limit: int
    ) -> dict[str, list[Deliverable]]:
        """The first `limit` rows (in `order`) of each group, in ONE query.

        Each group's ids come from a LIMITed subquery; the row is flagged with the groups it
        heads, so the groups may overlap. A dashboard pays one round trip instead of one a list.
        """
        heads = {
            name: Q(pk__in=self.filter(condition).order_by(*order).values("pk")[:limit])
            for name, condition in groups.items()
        }
        flags = {
            f"heads_{name}": ExpressionWrapper(head, BooleanField()) for name, head in heads.items()
        }
        rows = list(
            self.filter(reduce(operator.or_, heads.values())).annotate(**flags).order_by(*order)
        )
        return {name: [row for row in rows if getattr(row, f"heads_{name}")] for name in groups}

    def for_lists(self) -> Self:
        """What a list row shows: the long texts stay in the database."""
        return self.with_related().defer("description", "delay_justification", "review_comment")


DELIVERABLE_NUMBER = re.compile(r"^D(\d{1,2})\.(\d{1,2})$")
MILESTONE_NUMBER = re.compile(r"^MS(\d{1,3})$")


class Deliverable(VersionedModel):
    """A contractual output, due at the end of a project month."""

    # The EU's codes (before the colon) stay as they are in every language; what follows is
    # their meaning. OTHER is a code only.
    class Type(models.TextChoices):
        R = "R", pgettext_lazy("deliverable type", "R: document, report")
        DEM = "DEM", pgettext_lazy("deliverable type", "DEM: demonstrator, pilot, prototype")
        DEC = "DEC", pgettext_lazy("deliverable type", "DEC: websites, patent filings, videos")
        DATA = "DATA", pgettext_lazy("deliverable type", "DATA: data sets, microdata")
        DMP = "DMP", pgettext_lazy("deliverable type", "DMP: data management plan")
        ETHICS = "ETHICS", pgettext_lazy("deliverable type", "ETHICS: ethics requirements")
        SECURITY = "SECURITY", pgettext_lazy("deliverable type", "SECURITY: security requirements")
        OTHER = "OTHER", "OTHER"

    class Dissemination(models.TextChoices):
        PU = "PU", pgettext_lazy("dissemination level", "PU: public")
        SEN = "SEN", pgettext_lazy("dissemination level", "SEN: sensitive")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("deliverable status", "Planned")
        IN_PREPARATION = "in_preparation", pgettext_lazy("deliverable status", "In preparation")
        IN_REVIEW = "in_review", pgettext_lazy("deliverable status", "In review")
        CHANGES_REQUESTED = (
            "changes_requested",
            pgettext_lazy("deliverable status", "Changes requested"),
        )
        APPROVED = "approved", pgettext_lazy("deliverable status", "Approved")
        SUBMITTED = "submitted", pgettext_lazy("deliverable status", "Submitted to the funder")

    DONE_STATUSES: ClassVar[tuple[str, ...]] = (Status.APPROVED, Status.SUBMITTED)

    class Timing(models.TextChoices):
        """Where a deliverable stands toward the funder's due date (see `timing`)."""

        ON_TIME = "on_time", pgettext_lazy("deliverable timing", "On time")
        LATE = "late", pgettext_lazy("deliverable timing", "Late")
        PENDING = "pending", pgettext_lazy("deliverable timing", "Pending")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="deliverables", verbose_name=_("project")
    )
    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.RESTRICT,
        related_name="deliverables",
        verbose_name=_("work package"),
    )
    number = models.CharField(
        _("number"),
        max_length=10,
        help_text=_("D, the work package's number, a dot and a sequence number, e.g. D2.1."),
    )
    sort_key = models.PositiveIntegerField(_("sort key"), default=0, editable=False)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        Partner, on_delete=models.RESTRICT, related_name="led_deliverables", verbose_name=_("lead")
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.R)
    dissemination = models.CharField(
        _("dissemination level"),
        max_length=3,
        choices=Dissemination.choices,
        default=Dissemination.PU,
    )
    due_month = models.PositiveSmallIntegerField(
        _("due month"), help_text=_("Project month, e.g. 6 for M6.")
    )
    # Derived from the project's start and due_month on save; stored so lists filter and sort on it.
    due_date = models.DateField(_("due date"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    submitted_date = models.DateField(_("submitted date"), null=True, blank=True)
    delay_justification = models.TextField(_("delay justification"), blank=True)
    review_comment = models.TextField(
        _("review comment"), blank=True, help_text=_("The coordinator's latest request.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["sort_key", "version", "updated_at", "created_at"])
    objects = models.Manager.from_queryset(DeliverableQuerySet)()

    class Meta:
        ordering = ["project", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="deliverable_number_unique")
        ]
        indexes = [models.Index(fields=["project", "due_date"])]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:deliverable_detail", args=[self.project.slug, self.number])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        match = DELIVERABLE_NUMBER.match(self.number or "")
        if not match:
            errors["number"] = gettext("Write the number as D<work package>.<n>, for example D2.1.")
        elif self.work_package_id and int(match.group(1)) != self.work_package.number:
            errors["number"] = gettext(
                "%(number)s does not belong to %(work_package)s: its number should start with "
                "D%(work_package_number)s."
            ) % {
                "number": self.number,
                "work_package": self.work_package.code,
                "work_package_number": self.work_package.number,
            }
        if self.project_id:
            errors.update(_month_errors(self.project, self.due_month, "due_month"))
            if self.work_package_id and self.work_package.project_id != self.project_id:
                errors["work_package"] = gettext("This work package belongs to another project.")
            if self.lead_id and self.lead.project_id != self.project_id:
                errors["lead"] = gettext("This partner belongs to another project.")
            if (
                match
                and Deliverable.objects.filter(project_id=self.project_id, number=self.number)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["number"] = gettext("%(number)s already exists in this project.") % {
                    "number": self.number
                }
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.due_date = self.project.month_end(self.due_month)
        if match := DELIVERABLE_NUMBER.match(self.number):
            self.sort_key = int(match.group(1)) * 1000 + int(match.group(2))
        super().save(*args, **kwargs)

    # The deliverable's state, for pages, the PDF and templates alike (a template asks these,
    # never compares a status string).
    @property
    def is_done(self) -> bool:
        """Approved inside the consortium or submitted to the funder: no work left on it."""
        return self.status in self.DONE_STATUSES

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_in_review(self) -> bool:
        return self.status == self.Status.IN_REVIEW

    @property
    def has_changes_requested(self) -> bool:
        return self.status == self.Status.CHANGES_REQUESTED

    def is_overdue(self, today: dt.date) -> bool:
        """Past its due date and not done yet: what the lists and the dashboard flag."""
        return not self.is_done and self.due_date < today

    def is_late(self, on: dt.date | None) -> bool:
        """Whether a submission on `on` comes after the due date."""
        return on is not None and on > self.due_date

    @property
    def was_submitted_late(self) -> bool:
        return self.is_late(self.submitted_date)

    def timing(self, today: dt.date) -> Deliverable.Timing:
        """On time, late or pending toward the funder, as of `today`. The due date is the date
        owed to the funder: a deliverable approved inside the consortium but not submitted yet
        is pending until its due date, and late after it."""
        if self.submitted_date is not None:
            return self.Timing.LATE if self.was_submitted_late else self.Timing.ON_TIME
        return self.Timing.LATE if self.due_date < today else self.Timing.PENDING

    @property
    def delay_days(self) -> int | None:
        """Days between the due date and a late submission; None when not submitted late."""
        if self.submitted_date and self.submitted_date > self.due_date:
            return (self.submitted_date - self.due_date).days
        return None

    # One door for each status change. The view checks who may act (projects/permissions.py);
    # these methods check that the change makes sense from the current status.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "start": (Status.PLANNED,),
        "submit_for_review": (Status.IN_PREPARATION, Status.CHANGES_REQUESTED, Status.PLANNED),
        "request_changes": (Status.IN_REVIEW,),
        "approve": (Status.IN_REVIEW,),
        "record_submission": (Status.APPROVED,),
    }

    # Why an action is refused: one whole sentence each.
    REFUSALS: ClassVar[dict[str, Any]] = {
        # Translators: %(status)s is the deliverable's status in lower case ("in review").
        "start": _("%(number)s is %(status)s: it cannot be started now."),
        "submit_for_review": _("%(number)s is %(status)s: it cannot be submitted for review now."),
        "request_changes": _("%(number)s is %(status)s: it cannot be sent back for changes now."),
        "approve": _("%(number)s is %(status)s: it cannot be approved now."),
        "record_submission": _(
            "%(number)s is %(status)s: it cannot be recorded as submitted to the funder now."
        ),
    }

    def can(self, action: str) -> bool:
        return self.status in self.TRANSITIONS[action]

    def _move(self, action: str, to: str, expected_version: int, reason: str) -> None:
        if not self.can(action):
            raise ValidationError(
                str(self.REFUSALS[action])
                % {"number": self.number, "status": in_sentence(self.get_status_display())}
            )
        self.status = to
        self.save_edit(expected_version, reason=reason)

    # The reasons given to save_edit are stored with the history record, so in English; marked
    # (gettext_noop) for a history page that translates them as it shows them.
    def start(self, *, expected_version: int) -> None:
        self._move(
            "start", self.Status.IN_PREPARATION, expected_version, gettext_noop("Work started")
        )

    def submit_for_review(self, *, expected_version: int) -> None:
        self._move(
            "submit_for_review",
            self.Status.IN_REVIEW,
            expected_version,
            gettext_noop("Submitted for review"),
        )

    def request_changes(self, *, comment: str, expected_version: int) -> None:
        if not comment.strip():
            raise ValidationError({"comment": gettext("Say what should change.")})
        self.review_comment = comment.strip()
        self._move(
            "request_changes",
            self.Status.CHANGES_REQUESTED,
            expected_version,
            gettext_noop("Changes requested"),
        )

    def approve(self, *, expected_version: int) -> None:
        self.review_comment = ""
        self._move("approve", self.Status.APPROVED, expected_version, gettext_noop("Approved"))

    def record_submission(
        self, *, on: dt.date, justification: str, expected_version: int, today: dt.date
    ) -> None:
        if on > today:
            raise ValidationError(
                {"submitted_date": gettext("The submission date is in the future.")}
            )
        if self.is_late(on) and not justification.strip():
            days = (on - self.due_date).days
            raise ValidationError(
                {
                    "delay_justification": ngettext(
                        "Submitted %(days)d day after the due date (%(due_date)s): explain the "
                        "delay.",
                        "Submitted %(days)d days after the due date (%(due_date)s): explain the "
                        "delay.",
                        days,
                    )
                    % {"days": days, "due_date": date_format(self.due_date, "DATE_FORMAT")}
                }
            )
        self.submitted_date = on
        self.delay_justification = justification.strip()
        self._move(
            "record_submission",
            self.Status.SUBMITTED,
            expected_version,
            gettext_noop("Submitted to the funder"),
        )


class DeliverableVersion(models.Model):
    """One uploaded file of a deliverable; the file itself lives in private storage."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("deliverable"),
    )
    file = models.FileField(_("file"), upload_to="deliverables/%Y/%m/", max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("sha256", max_length=64)  # the name of the hash, in every language
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["deliverable", "-uploaded_at", "-pk"]
        verbose_name = _("deliverable version")
        verbose_name_plural = _("deliverable versions")

    def __str__(self) -> str:
        return f"{self.deliverable.number}: {self.original_name}"


class ProgressUpdate(models.Model):
    """A partner's note on how far a deliverable has come."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.CASCADE,
        related_name="progress_updates",
        verbose_name=_("deliverable"),
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    percent = models.PositiveSmallIntegerField(
        _("percent"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0 to 100."),
    )
    note = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["deliverable", "-date", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return gettext("%(number)s %(percent)s%% on %(date)s") % {
            "number": self.deliverable.number,
            "percent": self.percent,
            "date": self.date,
        }


class MilestoneQuerySet(InProjectQuerySet["Milestone"]):
    def pending(self) -> Self:
        return self.filter(achieved_date__isnull=True)


class Milestone(models.Model):
    """A control point: due in a project month, met when its means of verification is."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    number = models.CharField(_("number"), max_length=6, help_text=_("MS and a number, e.g. MS3."))
    sort_key = models.PositiveIntegerField(_("sort key"), default=0, editable=False)
    title = models.CharField(_("title"), max_length=255)
    work_packages = models.ManyToManyField(
        WorkPackage, related_name="milestones", blank=True, verbose_name=_("work packages")
    )
    due_month = models.PositiveSmallIntegerField(_("due month"))
    due_date = models.DateField(_("due date"), editable=False)
    means_of_verification = models.TextField(_("means of verification"))
    achieved_date = models.DateField(_("achieved date"), null=True, blank=True)
    achievement_note = models.TextField(_("achievement note"), blank=True)

    history = HistoricalRecords(excluded_fields=["sort_key"], m2m_fields=[work_packages])
    objects = models.Manager.from_queryset(MilestoneQuerySet)()

    class Meta:
        ordering = ["project", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="milestone_number_unique")
        ]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:milestone_detail", args=[self.project.slug, self.number])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not MILESTONE_NUMBER.match(self.number or ""):
            errors["number"] = gettext("Write the number as MS<n>, for example MS3.")
        elif (
            self.project_id
            and Milestone.objects.filter(project_id=self.project_id, number=self.number)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["number"] = gettext("%(number)s already exists in this project.") % {
                "number": self.number
            }
        if self.project_id:
            errors.update(_month_errors(self.project, self.due_month, "due_month"))
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.due_date = self.project.month_end(self.due_month)
        if match := MILESTONE_NUMBER.match(self.number):
            self.sort_key = int(match.group(1))
        super().save(*args, **kwargs)

    @property
    def is_achieved(self) -> bool:
        return self.achieved_date is not None

    def is_overdue(self, today: dt.date) -> bool:
        return not self.is_achieved and self.due_date < today

    def mark_achieved(self, *, on: dt.date, note: str, today: dt.date) -> None:
        if self.is_achieved:
            raise ValidationError(self._already_achieved(self.achieved_date))
        if on > today:
            raise ValidationError({"achieved_date": gettext("The date is in the future.")})
        if not note.strip():
            raise ValidationError(
                {"achievement_note": gettext("Say how the means of verification was met.")}
            )
        with transaction.atomic():
            # Read again under a row lock: of two people marking it at once, the second is told.
            current = Milestone.objects.select_for_update().get(pk=self.pk)
            if current.is_achieved:
                raise ValidationError(self._already_achieved(current.achieved_date))
            self.achieved_date = on
            self.achievement_note = note.strip()
            record_history(self, gettext_noop("Marked achieved"))  # stored: English
            self.save()

    def _already_achieved(self, on: dt.date | None) -> str:
        # The date as it always was written here (ISO, 2023-06-01).
        return gettext("%(number)s was already achieved on %(date)s.") % {
            "number": self.number,
            "date": on,
        }


class Level(models.IntegerChoices):
    LOW = 1, pgettext_lazy("risk likelihood or impact", "Low")
    MEDIUM = 2, pgettext_lazy("risk likelihood or impact", "Medium")
    HIGH = 3, pgettext_lazy("risk likelihood or impact", "High")


# A risk's score is likelihood x impact (1 to 9); from it, its level.
HIGH_SCORE = 6  # high on one axis and at least medium on the other
MEDIUM_SCORE = 3


def risk_level(likelihood: int, impact: int) -> str:
    """low (score 1-2), medium (3-4) or high (6-9): the colour of a risk and of its cell in the
    likelihood x impact matrix. The one place a level is computed (Risk.level asks it too)."""
    score = likelihood * impact
    return "high" if score >= HIGH_SCORE else "medium" if score >= MEDIUM_SCORE else "low"


class RiskQuerySet(InProjectQuerySet["Risk"]):
    def active(self) -> Self:
        return self.exclude(status=Risk.Status.CLOSED)

    def scored_high(self) -> Self:
        """Active risks of the high level (risk_level), counted in the database."""
        return (
            self.active()
            .alias(risk_score=F("likelihood") * F("impact"))
            .filter(risk_score__gte=HIGH_SCORE)
        )

    def highest_first(self) -> Self:
        """By score (Risk.score), the highest first; by number among equals."""
        return self.order_by((F("likelihood") * F("impact")).desc(), "number")


class Risk(VersionedModel):
    """An entry in the project's risk register."""

    class Category(models.TextChoices):
        MANAGEMENT = "management", pgettext_lazy("risk category", "Management and coordination")
        PARTNERSHIP = "partnership", pgettext_lazy("risk category", "Partnership")
        STAKEHOLDERS = "stakeholders", pgettext_lazy("risk category", "Stakeholder engagement")
        DATA = "data", pgettext_lazy("risk category", "Data and evidence")
        LEGAL = "legal", pgettext_lazy("risk category", "Legal and policy")
        FINANCIAL = "financial", pgettext_lazy("risk category", "Financial")
        TECHNICAL = "technical", pgettext_lazy("risk category", "Technical")
        EXTERNAL = "external", pgettext_lazy("risk category", "External")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("risk status", "Open")
        MONITORED = "monitored", pgettext_lazy("risk status", "Monitored")
        MATERIALISED = "materialised", pgettext_lazy("risk status", "Materialised")
        CLOSED = "closed", pgettext_lazy("risk status", "Closed")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="risks", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    work_packages = models.ManyToManyField(
        WorkPackage, related_name="risks", blank=True, verbose_name=_("work packages")
    )
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), choices=Level.choices, default=Level.MEDIUM
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=Level.choices, default=Level.MEDIUM
    )
    mitigation = models.TextField(_("mitigation measures"), blank=True)
    owner = models.ForeignKey(
        Partner, on_delete=models.RESTRICT, related_name="owned_risks", verbose_name=_("owner")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(
        excluded_fields=["version", "created_at"], m2m_fields=[work_packages]
    )
    objects = models.Manager.from_queryset(RiskQuerySet)()

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="risk_number_unique")
        ]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"R{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("projects:risk_detail", args=[self.project.slug, self.number])

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        return risk_level(self.likelihood, self.impact)

    @property
    def is_active(self) -> bool:
        """Not closed: on the matrix and due for reviews."""
        return self.status != self.Status.CLOSED

    def clean(self) -> None:
        if self.project_id and self.owner_id and self.owner.project_id != self.project_id:
            raise ValidationError({"owner": gettext("This partner belongs to another project.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.number:
            super().save(*args, **kwargs)
            return
        # Numbers are never reused. Two risks raised at the same moment may pick the same next
        # number: the unique constraint refuses the second, which then takes the one after.
        for attempt in range(5):
            last = Risk.objects.filter(project_id=self.project_id).aggregate(models.Max("number"))
            self.number = (last["number__max"] or 0) + 1
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                self.pk, self.number = None, 0
                if attempt == 4:
                    raise


class RiskReview(models.Model):
    """A dated reassessment of a risk; the latest review sets the risk's current scores."""

    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("risk")
    )
    review_date = models.DateField(_("review date"), default=timezone.localdate)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=Level.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices)
    status = models.CharField(_("status"), max_length=20, choices=Risk.Status.choices)
    note = models.TextField(_("note"), help_text=_("What changed, and what is being done."))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["risk", "-review_date", "-pk"]
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")

    def __str__(self) -> str:
        return gettext("%(risk)s reviewed %(date)s") % {
            "risk": self.risk.code,
            "date": self.review_date,
        }


def latest_reviews(risks: QuerySet[Risk] | list[Risk]) -> dict[int, RiskReview]:
    """The latest review of each risk, in one query."""
    ids = [risk.pk for risk in risks]
    latest: dict[int, RiskReview] = {}
    for review in RiskReview.objects.filter(risk_id__in=ids).order_by(
        "risk_id", "review_date", "pk"
    ):
        latest[review.risk_id] = review
    return latest


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_reader(self, user: Any) -> Self:
        """`user`'s notifications about projects they still belong to (a person who has left a
        project no longer reads what happens in it)."""
        return self.filter(
            recipient=user,
            project__memberships__user=user,
            project__memberships__is_active=True,
        )

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One person told of one thing that happened in a project: a row per recipient and event,
    made by the workflow that did the thing (projects.notifications.notify), never by a signal.

    The sentence is not stored: it is written from `kind` and `subject` in the reader's
    language when shown (Notification.text)."""

    class Kind(models.TextChoices):
        DELIVERABLE_IN_REVIEW = "deliverable_in_review", _("A deliverable is sent for review")
        DELIVERABLE_CHANGES_REQUESTED = (
            "deliverable_changes_requested",
            _("Changes are requested on a deliverable"),
        )
        DELIVERABLE_APPROVED = "deliverable_approved", _("A deliverable is approved")
        DELIVERABLE_SUBMITTED = (
            "deliverable_submitted",
            _("A deliverable's submission to the funder is recorded"),
        )
        CONFERENCE_REPORT_IN_REVIEW = (
            "conference_report_in_review",
            _("A conference report is sent for review"),
        )
        CONFERENCE_REPORT_SENT_BACK = (
            "conference_report_sent_back",
            _("A conference report is sent back to its writers"),
        )
        CONFERENCE_REPORT_PUBLISHED = (
            "conference_report_published",
            _("A conference report is published"),
        )
        REPORT_READY = "report_ready", _("A report you asked for is ready")
        REPORT_FAILED = "report_failed", _("A report you asked for could not be made")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # What it is about: any record of any app (a deliverable, a report, a comment...).
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    about = GenericForeignKey("content_type", "object_id")
    subject = models.CharField(
        _("subject"), max_length=300, help_text=_("The record's name when it happened.")
    )
    link = models.CharField(_("link"), max_length=500, help_text=_("The record's page."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = models.Manager.from_queryset(NotificationQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    # The sentence of each kind; %(subject)s is the record's name ("D1.1 Project handbook").
    SENTENCES: ClassVar[dict[str, Any]] = {
        Kind.DELIVERABLE_IN_REVIEW: _("%(subject)s is sent for review."),
        Kind.DELIVERABLE_CHANGES_REQUESTED: _("Changes are requested on %(subject)s."),
        Kind.DELIVERABLE_APPROVED: _("%(subject)s is approved."),
        Kind.DELIVERABLE_SUBMITTED: _("%(subject)s is recorded as submitted to the funder."),
        # Translators: %(subject)s is the event's title.
        Kind.CONFERENCE_REPORT_IN_REVIEW: _("The report on %(subject)s is sent for review."),
        Kind.CONFERENCE_REPORT_SENT_BACK: _("The report on %(subject)s is sent back for changes."),
        Kind.CONFERENCE_REPORT_PUBLISHED: _("The report on %(subject)s is published."),
        Kind.REPORT_READY: _("Your report is ready: %(subject)s."),
        Kind.REPORT_FAILED: _("Your report could not be made: %(subject)s. You can try again."),
    }

    @property
    def text(self) -> str:
        return str(self.SENTENCES[self.kind]) % {"subject": self.subject}
