"""Impact indicators and data quality: the indicators a consortium reports against, with targets;
the values partners enter per reporting period (or the platform computes from its own records:
event attendance, the procurement register, deliverables, local action plans); and the queries the
coordinator raises on any figure, answered by a partner and resolved by the coordinator.

One record feeds every figure: a computed indicator is never typed, it is counted in SQL from the
events and tenders behind it (impact/computed.py); checks over values and records find the
discrepancies (impact/checks.py) and become queries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from events.models import Event
from projects.models import (
    InProjectQuerySet,
    Partner,
    Project,
    ReportingPeriod,
    VersionedModel,
    WorkPackage,
)

if TYPE_CHECKING:
    from accounts.models import User


class Indicator(VersionedModel):
    """An indicator the consortium reports against: its shared definition, unit and target."""

    class Unit(models.TextChoices):
        COUNT = "count", pgettext_lazy("indicator unit", "count")
        PERSONS = "persons", pgettext_lazy("indicator unit", "persons")
        FTE = "fte", pgettext_lazy("indicator unit", "full-time equivalents")
        EUR = "eur", pgettext_lazy("indicator unit", "EUR")
        PERCENT = "percent", pgettext_lazy("indicator unit", "per cent")

    class Kind(models.TextChoices):
        OUTPUT = "output", pgettext_lazy("indicator kind", "Output")
        RESULT = "result", pgettext_lazy("indicator kind", "Result")

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered by partners per period")
        COMPUTED = "computed", _("Computed from the platform's records")

    class Measure(models.TextChoices):
        """What a computed indicator counts, and from which records (impact/computed.py)."""

        PARTICIPANTS = "participants", _("Participants of held events")
        EVENTS_HELD = "events_held", _("Events held")
        TENDERS_WITH_SOCIAL_CLAUSES = "social_tenders", _("Tenders with social clauses")
        SOCIAL_TENDER_VALUE = (
            "social_tender_value",
            _("Estimated value of tenders with social clauses (EUR)"),
        )
        RESERVED_CONTRACTS = "reserved_contracts", _("Contracts on reserved lots")
        PERSONS_EMPLOYED = (
            "persons_employed",
            _("Persons employed through social clauses (validated outcomes)"),
        )
        PERSONS_WITH_DISABILITIES = (
            "persons_disabilities",
            _("Persons with disabilities employed through social clauses (validated outcomes)"),
        )
        DELIVERABLES_SUBMITTED = "deliverables_submitted", _("Deliverables submitted")
        ACTION_PLANS_ADOPTED = "action_plans", _("Local action plans adopted")

    class Disaggregation(models.TextChoices):
        GENDER = "gender", pgettext_lazy("disaggregation", "by gender")
        GROUP = "group", _("by group (persons with disabilities, other disadvantaged, other)")
        STAKEHOLDER = "stakeholder", _("by stakeholder category")
        COUNTRY = "country", pgettext_lazy("disaggregation", "by country")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("project")
    )
    code = models.CharField(
        _("code"),
        max_length=12,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9.-]{0,11}$", _("Capitals and digits: KPI1."))],
    )
    name = models.CharField(_("name"), max_length=255)
    definition = models.TextField(
        _("definition"),
        help_text=_("What counts and what does not: the definition every partner counts by."),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OUTPUT)
    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("work package"),
    )
    responsible = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("responsible partner"),
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("For the whole project; partners' own targets are set below."),
    )
    target_month = models.PositiveSmallIntegerField(
        _("target month"), null=True, blank=True, help_text=_("The project month it is due.")
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ENTERED
    )
    measure = models.CharField(
        _("measure"),
        max_length=24,
        choices=Measure.choices,
        blank=True,
        help_text=_("Computed indicators only: what the platform counts."),
    )
    event_kind = models.CharField(
        _("events of the kind"),
        max_length=20,
        choices=Event.Kind.choices,
        blank=True,
        help_text=_("Event measures only: empty counts every kind."),
    )
    disaggregations = models.JSONField(_("disaggregation required"), default=list, blank=True)
    requires_evidence = models.BooleanField(
        _("evidence required"),
        default=False,
        help_text=_("Each entered value needs a file that backs it."),
    )
    reporting_partners: models.ManyToManyField[Partner, Any] = models.ManyToManyField(
        Partner,
        blank=True,
        related_name="reported_indicators",
        verbose_name=_("partners that report it"),
        help_text=_("Entered indicators: the partners that owe a value every period."),
    )
    # References to external frameworks, as codes (never their copied text).
    esf_code = models.CharField(
        _("ESF+ common indicator"), max_length=12, blank=True, help_text=_("e.g. EECO12.")
    )
    toms_code = models.CharField(
        _("National TOMs measure"), max_length=12, blank=True, help_text=_("e.g. NT3.")
    )
    sdg_target = models.CharField(
        _("SDG target"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{1,2}\.[0-9a-z]{1,2}$", _("Like 8.5 or 10.2."))],
    )

    history = HistoricalRecords(excluded_fields=["version"], m2m_fields=[reporting_partners])
    objects = models.Manager.from_queryset(InProjectQuerySet["Indicator"])()

    DISAGGREGATION_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        Disaggregation.GENDER: ("women", "men", "gender_other"),
        Disaggregation.GROUP: ("with_disabilities", "other_disadvantaged", "group_other"),
        # The categories of event attendance (events.Attendance.STAKEHOLDER_FIELDS).
        Disaggregation.STAKEHOLDER: (
            "public_authorities",
            "social_economy",
            "companies",
            "dpo",
            "experts",
            "other_stakeholders",
        ),
    }

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("impact:indicator_detail", args=[self.project.slug, self.code])

    @property
    def is_computed(self) -> bool:
        return self.source == self.Source.COMPUTED

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.is_computed and not self.measure:
            errors["measure"] = gettext("Say what the platform counts for a computed indicator.")
        if not self.is_computed and self.measure:
            errors["measure"] = gettext("Only a computed indicator has a measure.")
        if self.event_kind and self.measure not in {
            self.Measure.PARTICIPANTS,
            self.Measure.EVENTS_HELD,
        }:
            errors["event_kind"] = gettext("Only the event measures count events of a kind.")
        if not self.is_computed and self.Disaggregation.COUNTRY in (self.disaggregations or []):
            # By country is counted from attendance (a computed indicator), never typed.
            errors["disaggregations"] = gettext(
                "The breakdown by country comes from event attendance: choose it for a computed "
                "indicator of participants, not for one the partners enter."
            )
        unknown = [d for d in self.disaggregations or [] if d not in self.Disaggregation.values]
        if unknown:
            errors["disaggregations"] = gettext("Unknown disaggregations: %(names)s.") % {
                "names": ", ".join(unknown)
            }
        if self.project_id:
            if self.target_month is not None:
                try:
                    self.project.check_month(self.target_month, "target_month")
                except ValidationError as error:
                    errors.update(error.message_dict)
            wp = self.work_package
            if wp is not None and wp.project_id != self.project_id:
                errors["work_package"] = gettext("This work package belongs to another project.")
            responsible = self.responsible
            if responsible is not None and responsible.project_id != self.project_id:
                errors["responsible"] = gettext("This partner belongs to another project.")
        if errors:
            raise ValidationError(errors)


class PartnerTarget(models.Model):
    """A partner's own share of an indicator's target."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="partner_targets",
        verbose_name=_("indicator"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["indicator", "partner__number"]
        verbose_name = _("partner target")
        verbose_name_plural = _("partner targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "partner"], name="partner_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.partner}: {self.target}"


class IndicatorValueQuerySet(models.QuerySet["IndicatorValue"]):
    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            indicator__project__memberships__user=user,
            indicator__project__memberships__is_active=True,
        )


class IndicatorValue(VersionedModel):
    """The figure a partner reports for an entered indicator in one reporting period."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("indicator value status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("indicator value status", "Submitted")
        VALIDATED = "validated", pgettext_lazy("indicator value status", "Validated")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="indicator_values",
        verbose_name=_("partner"),
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.RESTRICT,
        related_name="indicator_values",
        verbose_name=_("reporting period"),
    )
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    headcount = models.PositiveIntegerField(
        _("people"), null=True, blank=True, help_text=_("FTE indicators: the people behind them.")
    )
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    gender_other = models.PositiveIntegerField(_("other or not stated"), null=True, blank=True)
    with_disabilities = models.PositiveIntegerField(
        _("persons with disabilities"), null=True, blank=True
    )
    other_disadvantaged = models.PositiveIntegerField(
        _("other disadvantaged persons"), null=True, blank=True
    )
    group_other = models.PositiveIntegerField(_("others"), null=True, blank=True)
    # By stakeholder category: the categories (and their labels) of event attendance.
    public_authorities = models.PositiveIntegerField(_("public authorities"), null=True, blank=True)
    social_economy = models.PositiveIntegerField(
        _("social economy organisations"), null=True, blank=True
    )
    companies = models.PositiveIntegerField(_("companies"), null=True, blank=True)
    dpo = models.PositiveIntegerField(
        _("organisations of persons with disabilities"), null=True, blank=True
    )
    experts = models.PositiveIntegerField(_("procurement experts"), null=True, blank=True)
    other_stakeholders = models.PositiveIntegerField(
        pgettext_lazy("stakeholder category", "other"), null=True, blank=True
    )
    data_source = models.CharField(
        _("data source"), max_length=255, blank=True, help_text=_("e.g. the payroll of the WISE.")
    )
    collection_method = models.CharField(
        _("collection method"), max_length=255, blank=True, help_text=_("e.g. a survey.")
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )

    history = HistoricalRecords(excluded_fields=["version"])
    objects = models.Manager.from_queryset(IndicatorValueQuerySet)()

    class Meta:
        ordering = ["indicator", "partner__number", "period__number"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "partner", "period"], name="indicator_value_once"
            )
        ]

    def __str__(self) -> str:
        return gettext("%(indicator)s, %(partner)s, RP%(period)s") % {
            "indicator": self.indicator.code,
            "partner": self.partner,
            "period": self.period.number,
        }

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT and not self.period.is_locked

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.period_id and self.period.is_locked:
            errors["period"] = self.locked_message()
        if self.indicator_id:
            indicator = self.indicator
            if indicator.is_computed:
                errors["indicator"] = gettext(
                    "%(code)s is computed by the platform: nobody types its values."
                ) % {"code": indicator.code}
            if self.partner_id and self.partner.project_id != indicator.project_id:
                errors["partner"] = gettext("This partner belongs to another project.")
            if self.period_id and self.period.project_id != indicator.project_id:
                errors["period"] = gettext("This reporting period belongs to another project.")
            people = self.headcount if indicator.unit == Indicator.Unit.FTE else None
            if people is not None and self.value is not None and self.value > people:
                errors["value"] = gettext(
                    "%(fte)s full-time equivalents for %(people)s people: FTE cannot be above "
                    "the headcount."
                ) % {"fte": self.value, "people": self.headcount}
            whole = self.headcount if indicator.unit == Indicator.Unit.FTE else self.value
            for key, names in Indicator.DISAGGREGATION_FIELDS.items():
                values = [getattr(self, name) for name in names]
                if all(v is None for v in values):
                    if key in (indicator.disaggregations or []):
                        errors[names[0]] = gettext("%(code)s asks for the breakdown %(label)s.") % {
                            "code": indicator.code,
                            "label": Indicator.Disaggregation(key).label,
                        }
                    continue
                total = sum(v or 0 for v in values)
                if whole is not None and total != whole:
                    errors[names[0]] = gettext(
                        "The breakdown %(label)s adds up to %(total)s, not to %(whole)s."
                    ) % {
                        "label": Indicator.Disaggregation(key).label,
                        "total": total,
                        "whole": whole,
                    }
        if errors:
            raise ValidationError(errors)

    @property
    def stakeholder_breakdown(self) -> list[tuple[str, int | None]]:
        """(label, count) by stakeholder category, or [] when none is given."""
        names = Indicator.DISAGGREGATION_FIELDS[Indicator.Disaggregation.STAKEHOLDER]
        if all(getattr(self, name) is None for name in names):
            return []
        fields = [self._meta.get_field(name) for name in names]
        return [(str(getattr(f, "verbose_name", f.name)), getattr(self, f.name)) for f in fields]

    @property
    def needs_evidence(self) -> bool:
        """Its indicator asks for a file behind each value and none is there yet (one query,
        none when `evidence` was prefetched)."""
        return self.indicator.requires_evidence and not self.evidence.all()

    def locked_message(self) -> str:
        return gettext(
            "RP%(number)s is locked: it was reported to the funder and is kept as it was."
        ) % {"number": self.period.number}

    def _refuse_if_locked(self) -> None:
        # A locked period was reported to the funder: no state of its values changes either.
        if self.period.is_locked:
            raise ValidationError(self.locked_message())

    # The review cycle, as ClauseOutcome's: one method per transition, through save_edit.
    def submit(self, *, now: dt.datetime, expected_version: int) -> None:
        if self.status != self.Status.DRAFT:
            raise ValidationError(gettext("Only a draft can be submitted."))
        # The figures are checked again: the indicator may ask for more than when they were
        # saved (a breakdown, evidence), and a locked period or a computed indicator refuses.
        self.clean()
        if self.needs_evidence:
            raise ValidationError(
                gettext(
                    "%(code)s asks for evidence: add a file that backs the figure before "
                    "submitting it."
                )
                % {"code": self.indicator.code}
            )
        self.status, self.submitted_at, self.review_comment = self.Status.SUBMITTED, now, ""
        self.save_edit(expected_version, reason=gettext_noop("Submitted"))

    def validate(self, *, by: User, now: dt.datetime, expected_version: int) -> None:
        if self.status != self.Status.SUBMITTED:
            raise ValidationError(gettext("Only a submitted value can be validated."))
        self._refuse_if_locked()
        self.status, self.validated_at, self.validated_by = self.Status.VALIDATED, now, by
        self.save_edit(expected_version, reason=gettext_noop("Validated"))

    def send_back(self, *, comment: str, expected_version: int) -> None:
        if self.status != self.Status.SUBMITTED:
            raise ValidationError(gettext("Only a submitted value can be sent back."))
        self._refuse_if_locked()
        if not comment.strip():
            raise ValidationError({"comment": gettext("Say what should change.")})
        self.status, self.review_comment = self.Status.DRAFT, comment.strip()
        self.save_edit(expected_version, reason=gettext_noop("Sent back"))


class ValueEvidence(models.Model):
    """A file backing an entered value: private, served after an access check."""

    value = models.ForeignKey(
        IndicatorValue, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("value")
    )
    file = models.FileField(_("file"), upload_to="impact/evidence/")
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["value", "uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class DataQueryQuerySet(InProjectQuerySet["DataQuery"]):
    def unresolved(self) -> Self:
        return self.filter(status__in=DataQuery.UNRESOLVED)

    def about(self, subject: models.Model) -> Self:
        return self.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )


class DataQuery(models.Model):
    """A question about one figure or record (a check's finding, or the coordinator's own),
    assigned to a partner: open -> answered -> resolved, or accepted as it is."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("query status", "Open")
        ANSWERED = "answered", pgettext_lazy("query status", "Answered")
        RESOLVED = "resolved", pgettext_lazy("query status", "Resolved")
        ACCEPTED = "accepted", pgettext_lazy("query status", "Accepted as it is")

    UNRESOLVED: ClassVar[tuple[str, ...]] = (Status.OPEN, Status.ANSWERED)

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="data_queries", verbose_name=_("project")
    )
    # The record the query is about: an indicator value, a clause outcome, an event's
    # attendance, a tender... (a generic relation: every app's records can be queried).
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("about a")
    )
    subject_id = models.PositiveBigIntegerField(_("record"))
    subject = GenericForeignKey("subject_type", "subject_id")
    check_code = models.CharField(
        _("check"), max_length=40, blank=True, help_text=_("The check whose finding it is.")
    )
    question = models.TextField(_("question"))
    assigned_to = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="data_queries",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = models.Manager.from_queryset(DataQueryQuerySet)()

    class Meta:
        ordering = ["project", "-raised_at", "-pk"]
        verbose_name = _("query")
        verbose_name_plural = _("queries")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="query_subject")]

    def __str__(self) -> str:
        return gettext("Query %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("impact:query_detail", args=[self.project.slug, self.pk])

    @property
    def is_unresolved(self) -> bool:
        return self.status in self.UNRESOLVED

    def answer(self, *, by: User, text: str, now: dt.datetime) -> QueryMessage:
        """The assigned partner explains or says what they corrected."""
        if not self.is_unresolved:
            raise ValidationError(gettext("This query is closed."))
        if not text.strip():
            raise ValidationError({"text": gettext("Write the answer.")})
        self.status = self.Status.ANSWERED
        self.save(update_fields=["status"])
        return QueryMessage.objects.create(
            query=self, author=by, text=text.strip(), kind=QueryMessage.Kind.ANSWER, at=now
        )

    def close(self, *, by: User, accepted: bool, text: str, now: dt.datetime) -> QueryMessage:
        """The coordinator resolves it (the figure is right now) or accepts it as it is."""
        if not self.is_unresolved:
            raise ValidationError(gettext("This query is closed already."))
        if accepted and not text.strip():
            raise ValidationError({"text": gettext("Say why the figure is accepted as it is.")})
        self.status = self.Status.ACCEPTED if accepted else self.Status.RESOLVED
        self.closed_at = now
        self.save(update_fields=["status", "closed_at"])
        return QueryMessage.objects.create(
            query=self,
            author=by,
            text=text.strip(),
            kind=QueryMessage.Kind.ACCEPTANCE if accepted else QueryMessage.Kind.RESOLUTION,
            at=now,
        )


class QueryMessage(models.Model):
    """One message of a query's thread."""

    class Kind(models.TextChoices):
        QUESTION = "question", pgettext_lazy("query message", "Question")
        ANSWER = "answer", pgettext_lazy("query message", "Answer")
        COMMENT = "comment", pgettext_lazy("query message", "Comment")
        RESOLUTION = "resolution", pgettext_lazy("query message", "Resolved")
        ACCEPTANCE = "acceptance", pgettext_lazy("query message", "Accepted as it is")

    query = models.ForeignKey(
        DataQuery, on_delete=models.CASCADE, related_name="messages", verbose_name=_("query")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["query", "at", "pk"]
        verbose_name = _("query message")
        verbose_name_plural = _("query messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"


def checks_key(slug: str, language: str, today: dt.date) -> str:
    """The cache key of a kept run of the data-quality checks (impact.views.quality.checked)."""
    return f"impact:checks:{slug}:{language}:{today.isoformat()}"


def forget_checks(slug: str) -> None:
    """Forget the project's kept runs of the checks (every language, today and yesterday: a run
    is kept under the day it ran, either side of midnight), so the next view of the data-quality
    page runs them again. One cache call; safe to call any time."""
    today = timezone.localdate()
    cache.delete_many(
        [
            checks_key(slug, language, day)
            for language, _name in settings.LANGUAGES
            for day in (today, today - dt.timedelta(days=1))
        ]
    )
