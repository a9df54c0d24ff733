"""The social procurement register: the tenders partners' contracting authorities run, their lots
and social clauses, the contracts awarded, and what each clause delivered period by period; the
local action plans that led to the tenders, and the good practices the consortium collects.

The SRPP thread: a local roundtable (events.Event) adopts a LocalActionPlan; one of its actions
leads to a Tender; the tender's SocialClauses enter at a stage (a reservation, the specification,
selection, an award criterion, a performance condition under Art. 70 of Directive 2014/24/EU);
its lots are awarded as Contracts; every reporting period the partner reports each clause's
ClauseOutcome, in aggregates only (never named workers: disability is special-category data under
Art. 9 GDPR), and the coordinator validates it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from events.models import Event
from projects.models import (
    InProjectQuerySet,
    Organisation,
    Partner,
    Project,
    ReportingPeriod,
    VersionedModel,
    WorkPackage,
)

if TYPE_CHECKING:
    from accounts.models import User

# --- CPV codes --------------------------------------------------------------------------------

CPV_FORMAT = re.compile(r"^(\d{8})-(\d)$")
CPV_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
# Codes of the CPV 2008 list (Regulation (EC) No 213/2008) whose published check digit does not
# follow the rule: the Publications Office confirmed the list has such errata and will not fix
# them, so a code as published must still be accepted.
CPV_PUBLISHED_EXCEPTIONS = frozenset({"03300000-2"})


def cpv_check_digit(digits: str) -> int:
    """The check digit of an 8-digit CPV code: the digits weighted 3, 7, 1, ... modulo 10."""
    return sum(int(d) * w for d, w in zip(digits, CPV_WEIGHTS, strict=True)) % 10


def validate_cpv(code: str) -> None:
    """A CPV code as the Official Journal writes it, `45000000-7`, with its check digit."""
    match = CPV_FORMAT.match(code)
    if match is None:
        raise ValidationError(
            gettext(
                "%(code)s is not a CPV code: write eight digits, a hyphen and the check "
                "digit (45000000-7)."
            )
            % {"code": code}
        )
    digits, check = match.groups()
    if code in CPV_PUBLISHED_EXCEPTIONS:
        return
    expected = cpv_check_digit(digits)
    if int(check) != expected:
        raise ValidationError(
            gettext("The check digit of CPV %(digits)s is %(expected)s, not %(check)s.")
            % {"digits": digits, "expected": expected, "check": check}
        )


def split_cpv(text: str) -> list[str]:
    """CPV codes typed as a list (commas, semicolons, spaces or lines between them)."""
    return [code for code in re.split(r"[\s,;]+", text.strip()) if code]


# --- the register -----------------------------------------------------------------------------


class Reservation(models.TextChoices):
    """Whether a lot is reserved, and under which article."""

    NONE = "none", pgettext_lazy("reservation", "Not reserved")
    ART_20 = (
        "art20",
        _(
            "Reserved under Art. 20 of Directive 2014/24/EU (sheltered workshops, social and "
            "professional integration)"
        ),
    )
    ART_77 = (
        "art77",
        _("Reserved under Art. 77 of Directive 2014/24/EU (health, social and cultural services)"),
    )
    ART_24_CONCESSIONS = "art24c", _("Reserved under Art. 24 of Directive 2014/23/EU (concessions)")


# Art. 20(1) of Directive 2014/24/EU: at least 30 % of the employees are disabled or disadvantaged.
ART_20_MINIMUM_SHARE = Decimal(30)


class TenderQuerySet(InProjectQuerySet["Tender"]):
    def with_social_clause(self) -> Self:
        return self.filter(clauses__isnull=False).distinct()

    def for_lists(self) -> Self:
        return self.select_related("authority", "recorded_by__organisation", "work_package")


class Tender(VersionedModel):
    """A procurement procedure run by a contracting authority, recorded by a partner."""

    class Procedure(models.TextChoices):
        OPEN = "open", pgettext_lazy("procurement procedure", "Open procedure")
        RESTRICTED = "restricted", pgettext_lazy("procurement procedure", "Restricted procedure")
        COMPETITIVE_NEGOTIATION = "negotiation", _("Competitive procedure with negotiation")
        NEGOTIATED_WITHOUT_PUBLICATION = (
            "negotiated",
            _("Negotiated procedure without prior publication"),
        )
        COMPETITIVE_DIALOGUE = "dialogue", _("Competitive dialogue")
        INNOVATION_PARTNERSHIP = "innovation", _("Innovation partnership")
        LIGHT_REGIME = "light", _("Light regime for social and other specific services")
        BELOW_THRESHOLD = "below", _("Below the EU thresholds")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("tender status", "Planned")
        PUBLISHED = "published", pgettext_lazy("tender status", "Published")
        AWARDED = "awarded", pgettext_lazy("tender status", "Awarded")
        CANCELLED = "cancelled", pgettext_lazy("tender status", "Cancelled")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tenders", verbose_name=_("project")
    )
    recorded_by = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="tenders",
        verbose_name=_("recorded by"),
        help_text=_("The partner that keeps this tender's record up to date."),
    )
    authority = models.ForeignKey(
        Organisation,
        on_delete=models.RESTRICT,
        related_name="tenders",
        verbose_name=_("contracting authority"),
    )
    reference = models.CharField(
        _("reference"), max_length=60, help_text=_("The authority's file number.")
    )
    title = models.CharField(_("title"), max_length=255)
    cpv_codes = models.JSONField(
        _("CPV codes"), default=list, help_text=_("The main code first, e.g. 45000000-7.")
    )
    # The main code's division (its first two digits), for the register's filter.
    cpv_division = models.CharField(_("CPV division"), max_length=2, editable=False, blank=True)
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    estimated_value = models.DecimalField(
        _("estimated value (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    award_date = models.DateField(_("award date"), null=True, blank=True)
    notice_url = models.URLField(_("notice address"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenders",
        verbose_name=_("work package"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # cpv_division is kept in the history too: projects.history.history_entries reads every
    # concrete field of a history record (except its HIDDEN_FIELDS).
    history = HistoricalRecords(excluded_fields=["version"])
    objects = models.Manager.from_queryset(TenderQuerySet)()

    class Meta:
        ordering = ["project", "-publication_date", "reference", "pk"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "authority", "reference"], name="tender_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:tender_detail", args=[self.project.slug, self.pk])

    @property
    def main_cpv(self) -> str:
        return self.cpv_codes[0] if self.cpv_codes else ""

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        codes_errors = []
        for code in self.cpv_codes or []:
            try:
                validate_cpv(code)
            except ValidationError as error:
                codes_errors.extend(error.messages)
        if codes_errors:
            errors["cpv_codes"] = codes_errors
        elif len(set(self.cpv_codes or [])) != len(self.cpv_codes or []):
            errors["cpv_codes"] = gettext("Each CPV code once.")
        if self.publication_date and self.award_date and self.award_date < self.publication_date:
            errors["award_date"] = gettext(
                "The award (%(award)s) cannot come before the publication (%(publication)s)."
            ) % {
                "award": self.award_date.isoformat(),
                "publication": self.publication_date.isoformat(),
            }
        if self.status == self.Status.AWARDED and not self.award_date:
            errors["award_date"] = gettext("An awarded tender has an award date.")
        if self.project_id:
            for name in ("publication_date", "award_date"):
                message = self.project.date_outside_window(getattr(self, name))
                if message:
                    errors.setdefault(name, message)
            wp = self.work_package
            if wp is not None and wp.project_id != self.project_id:
                errors["work_package"] = gettext("This work package belongs to another project.")
            if self.recorded_by_id and self.recorded_by.project_id != self.project_id:
                errors["recorded_by"] = gettext("This partner belongs to another project.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.cpv_division = self.main_cpv[:2]
        super().save(*args, **kwargs)


class Lot(models.Model):
    """A lot of a tender (a tender without lots has lot 1), and whether it is reserved."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="lots", verbose_name=_("tender")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=255)
    estimated_value = models.DecimalField(
        _("estimated value (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    reservation = models.CharField(
        _("reservation"), max_length=8, choices=Reservation.choices, default=Reservation.NONE
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["tender", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique")
        ]

    def __str__(self) -> str:
        return gettext("Lot %(number)s: %(title)s") % {"number": self.number, "title": self.title}

    @property
    def is_reserved(self) -> bool:
        return self.reservation != Reservation.NONE

    def deletion_blockers(self) -> list[str]:
        """Why this lot may not be deleted ([] if it may): its award and its clauses' reported
        outcomes are on record for the reports, and deleting the lot would take them along."""
        reasons = []
        contract = Contract.objects.filter(lot=self).select_related("supplier").first()
        if contract is not None:
            reasons.append(
                gettext("It is awarded to %(supplier)s.") % {"supplier": contract.supplier}
            )
        reported = self.clauses.filter(outcomes__isnull=False).distinct().count()
        if reported:
            reasons.append(
                ngettext(
                    "%(count)s of its clauses has outcomes reported.",
                    "%(count)s of its clauses have outcomes reported.",
                    reported,
                )
                % {"count": reported}
            )
        return reasons


class SocialClause(models.Model):
    """A social (or environmental) consideration written into a tender or one of its lots."""

    class Stage(models.TextChoices):
        RESERVATION = "reservation", pgettext_lazy("clause stage", "Reservation")
        SPECIFICATION = "specification", _("Technical specification (incl. accessibility)")
        SELECTION = "selection", _("Selection criterion")
        AWARD = "award", _("Award criterion")
        PERFORMANCE = "performance", _("Contract performance condition (Art. 70)")

    class Category(models.TextChoices):
        DISABILITY_EMPLOYMENT = "disability", _("Employment of persons with disabilities")
        DISADVANTAGED_EMPLOYMENT = "disadvantaged", _("Employment of other disadvantaged persons")
        LONG_TERM_UNEMPLOYED = "unemployed", _("Long-term unemployed")
        APPRENTICESHIPS = "training", _("Apprenticeships and training")
        DECENT_WORK = "decent_work", _("Decent work and working conditions")
        GENDER_EQUALITY = "gender", _("Gender equality")
        ACCESSIBILITY = "accessibility", pgettext_lazy("clause category", "Accessibility")
        SOCIAL_ECONOMY_SUBCONTRACTING = "subcontracting", _("Subcontracting to the social economy")
        FAIR_TRADE = "fair_trade", _("Fair trade")
        GPP = "gpp", _("EU green public procurement criteria")
        ENERGY = "energy", _("Energy and emissions")
        CIRCULAR = "circular", _("Circular economy and waste")
        ECOLABEL = "ecolabel", _("Eco-labels")
        OTHER = "other", pgettext_lazy("clause category", "Other")

    ENVIRONMENTAL: ClassVar[frozenset[str]] = frozenset(
        {Category.GPP, Category.ENERGY, Category.CIRCULAR, Category.ECOLABEL}
    )

    class Unit(models.TextChoices):
        PERSONS = "persons", pgettext_lazy("clause target unit", "persons")
        FTE = "fte", pgettext_lazy("clause target unit", "full-time equivalents")
        HOURS = "hours", pgettext_lazy("clause target unit", "hours of employment")
        # xgettext:no-python-format
        PERCENT_WORKFORCE = "percent", pgettext_lazy("clause target unit", "% of the workforce")
        EUR_SUBCONTRACTED = "eur", pgettext_lazy("clause target unit", "EUR subcontracted")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("clause status", "Planned")
        IN_EXECUTION = "in_execution", pgettext_lazy("clause status", "In execution")
        FULFILLED = "fulfilled", pgettext_lazy("clause status", "Fulfilled")
        PARTLY_FULFILLED = "partly", pgettext_lazy("clause status", "Partly fulfilled")
        NOT_FULFILLED = "not_fulfilled", pgettext_lazy("clause status", "Not fulfilled")

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("tender")
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clauses",
        verbose_name=_("lot"),
        help_text=_("Empty when the clause applies to the whole tender."),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    is_mandatory = models.BooleanField(
        _("mandatory"), default=True, help_text=_("Untick for a voluntary clause.")
    )
    description = models.TextField(
        _("description"), help_text=_("The clause as the tender words it.")
    )
    weight_percent = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Award criteria only: the share of the score."),
    )
    target_quantity = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    target_unit = models.CharField(
        _("unit"), max_length=10, choices=Unit.choices, default=Unit.PERSONS
    )
    verification = models.TextField(
        _("how it is verified"), blank=True, help_text=_("e.g. payroll extracts every six months.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    sanction_note = models.TextField(
        _("sanction note"), blank=True, help_text=_("What followed a clause not fulfilled.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["tender", "lot__number", "pk"]
        verbose_name = _("social clause")
        verbose_name_plural = _("social clauses")

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_stage_display()})"

    @property
    def is_environmental(self) -> bool:
        return self.category in self.ENVIRONMENTAL

    def deletion_blockers(self) -> list[str]:
        """Why this clause may not be deleted ([] if it may): its reported outcomes (and their
        evidence) are on record for the reports."""
        periods = [
            f"RP{number}"
            for number in self.outcomes.order_by("period__number").values_list(
                "period__number", flat=True
            )
        ]
        if not periods:
            return []
        return [
            gettext("It has outcomes reported for %(periods)s.") % {"periods": ", ".join(periods)}
        ]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.lot is not None and self.tender_id and self.lot.tender_id != self.tender_id:
            errors["lot"] = gettext("This lot belongs to another tender.")
        if self.stage == self.Stage.AWARD:
            if self.weight_percent is None:
                errors["weight_percent"] = gettext("An award criterion has a weight, in per cent.")
            elif self.tender_id:
                # The criteria of the same lot (or of the whole tender: lot empty) share 100 %.
                others = SocialClause.objects.filter(
                    tender_id=self.tender_id, lot=self.lot, stage=self.Stage.AWARD
                ).exclude(pk=self.pk).aggregate(total=Sum("weight_percent"))["total"] or Decimal(0)
                # SQLite sums to 60, PostgreSQL to 60.00: the same figure in every message.
                others = Decimal(others).quantize(Decimal("0.01"))
                if others + self.weight_percent > 100:
                    errors["weight_percent"] = gettext(
                        "The award criteria of this lot would weigh %(total)s %% in all "
                        "(%(others)s %% already, and %(weight)s %% here): at most 100 %%."
                    ) % {
                        "total": others + self.weight_percent,
                        "others": others,
                        "weight": self.weight_percent,
                    }
        elif self.weight_percent is not None:
            errors["weight_percent"] = gettext("Only an award criterion has a weight.")
        if self.status == self.Status.NOT_FULFILLED and not self.sanction_note.strip():
            errors["sanction_note"] = gettext("Say what followed the clause not being fulfilled.")
        if errors:
            raise ValidationError(errors)


class Contract(models.Model):
    """The award of a lot to a supplier."""

    class SupplierType(models.TextChoices):
        MAINSTREAM = "mainstream", _("Mainstream company")
        SOCIAL_ECONOMY = "social_economy", _("Social economy enterprise")
        WISE = "wise", _("Work-integration social enterprise")
        SHELTERED = "sheltered", _("Sheltered workshop / special employment centre")
        OTHER = "other", pgettext_lazy("supplier type", "Other")

    SOCIAL_ECONOMY_TYPES: ClassVar[frozenset[str]] = frozenset(
        {SupplierType.SOCIAL_ECONOMY, SupplierType.WISE, SupplierType.SHELTERED}
    )

    lot = models.OneToOneField(
        Lot, on_delete=models.CASCADE, related_name="contract", verbose_name=_("lot")
    )
    supplier = models.ForeignKey(
        Organisation,
        on_delete=models.RESTRICT,
        related_name="contracts",
        verbose_name=_("supplier"),
    )
    supplier_type = models.CharField(
        _("supplier type"), max_length=16, choices=SupplierType.choices
    )
    awarded_value = models.DecimalField(
        _("awarded value (EUR)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    declared_share = models.DecimalField(
        _("declared share of disabled or disadvantaged employees (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("For a lot reserved under Art. 20: the share the supplier declared."),
    )
    share_evidence = models.TextField(
        _("evidence of the share"),
        blank=True,
        help_text=_("e.g. the registration as a special employment centre, its number and date."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["lot"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return gettext("%(lot)s, awarded to %(supplier)s") % {
            "lot": self.lot,
            "supplier": self.supplier,
        }

    @property
    def is_social_economy(self) -> bool:
        return self.supplier_type in self.SOCIAL_ECONOMY_TYPES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = gettext(
                "The contract cannot end (%(end)s) before it starts (%(start)s)."
            ) % {
                "end": self.end_date.isoformat(),
                "start": self.start_date.isoformat(),
            }
        if self.lot_id:
            tender = self.lot.tender
            for name in ("start_date", "end_date"):
                message = tender.project.date_outside_window(getattr(self, name))
                if message:
                    errors.setdefault(name, message)
            if tender.award_date and self.start_date and self.start_date < tender.award_date:
                errors.setdefault(
                    "start_date",
                    gettext("The contract cannot start (%(start)s) before the award (%(award)s).")
                    % {
                        "start": self.start_date.isoformat(),
                        "award": tender.award_date.isoformat(),
                    },
                )
            if self.lot.reservation == Reservation.ART_20:
                if self.declared_share is None:
                    errors["declared_share"] = gettext(
                        "The lot is reserved under Art. 20: give the share of disabled or "
                        "disadvantaged employees the supplier declared."
                    )
                elif self.declared_share < ART_20_MINIMUM_SHARE:
                    errors["declared_share"] = gettext(
                        "Art. 20 asks for at least %(minimum)s %% of disabled or disadvantaged "
                        "employees; the supplier declared %(share)s %%."
                    ) % {"minimum": ART_20_MINIMUM_SHARE, "share": self.declared_share}
                elif not self.share_evidence.strip():
                    errors["share_evidence"] = gettext("Say what the declared share rests on.")
        if errors:
            raise ValidationError(errors)


class ClauseOutcomeQuerySet(models.QuerySet["ClauseOutcome"]):
    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            clause__tender__project__memberships__user=user,
            clause__tender__project__memberships__is_active=True,
        )

    def validated(self) -> Self:
        return self.filter(status=ClauseOutcome.Status.VALIDATED)


class ClauseOutcome(VersionedModel):
    """What a clause delivered in one reporting period, in aggregates only."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("outcome status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("outcome status", "Submitted")
        VALIDATED = "validated", pgettext_lazy("outcome status", "Validated")

    clause = models.ForeignKey(
        SocialClause, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("clause")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.RESTRICT,
        related_name="clause_outcomes",
        verbose_name=_("reporting period"),
    )
    achieved = models.DecimalField(
        _("achieved"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("In the clause's unit."),
    )
    headcount = models.PositiveIntegerField(
        _("people employed"), null=True, blank=True, help_text=_("Heads, not names.")
    )
    fte = models.DecimalField(
        _("full-time equivalents"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
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
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
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

    GENDER_FIELDS: ClassVar[tuple[str, ...]] = ("women", "men", "gender_other")
    GROUP_FIELDS: ClassVar[tuple[str, ...]] = (
        "with_disabilities",
        "other_disadvantaged",
        "group_other",
    )

    history = HistoricalRecords(excluded_fields=["version"])
    objects = models.Manager.from_queryset(ClauseOutcomeQuerySet)()

    class Meta:
        ordering = ["clause", "period__number"]
        verbose_name = _("clause outcome")
        verbose_name_plural = _("clause outcomes")
        constraints = [
            models.UniqueConstraint(fields=["clause", "period"], name="outcome_once_per_period")
        ]

    def __str__(self) -> str:
        return gettext("%(clause)s in %(period)s") % {"clause": self.clause, "period": self.period}

    @property
    def is_editable(self) -> bool:
        """Its figures change only while a draft: a submitted outcome waits for the coordinator,
        a validated one is on record (and in the periodic report)."""
        return self.status == self.Status.DRAFT

    # The review cycle: one method per transition, each through the versioned-edit door, so two
    # people acting on the same outcome cannot both win. History reasons are stored in English.
    def submit(self, *, now: dt.datetime, expected_version: int) -> None:
        if self.status != self.Status.DRAFT:
            raise ValidationError(gettext("Only a draft can be submitted."))
        self.status, self.submitted_at, self.review_comment = self.Status.SUBMITTED, now, ""
        self.save_edit(expected_version, reason=gettext_noop("Submitted"))

    def validate(self, *, by: User, now: dt.datetime, expected_version: int) -> None:
        if self.status != self.Status.SUBMITTED:
            raise ValidationError(gettext("Only a submitted outcome can be validated."))
        self.status, self.validated_at, self.validated_by = self.Status.VALIDATED, now, by
        self.save_edit(expected_version, reason=gettext_noop("Validated"))

    def send_back(self, *, comment: str, expected_version: int) -> None:
        if self.status != self.Status.SUBMITTED:
            raise ValidationError(gettext("Only a submitted outcome can be sent back."))
        if not comment.strip():
            raise ValidationError({"comment": gettext("Say what should change.")})
        self.status, self.review_comment = self.Status.DRAFT, comment.strip()
        self.save_edit(expected_version, reason=gettext_noop("Sent back"))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.headcount is not None and self.fte is not None and self.fte > self.headcount:
            errors["fte"] = gettext(
                "%(fte)s full-time equivalents for %(headcount)s people: FTE cannot be above the "
                "headcount."
            ) % {"fte": self.fte, "headcount": self.headcount}
        counts_persons = self.clause_id and self.clause.target_unit == SocialClause.Unit.PERSONS
        if counts_persons and self.headcount is not None and self.achieved != self.headcount:
            errors["headcount"] = gettext(
                "The clause counts persons: %(achieved)s achieved but %(headcount)s people "
                "employed."
            ) % {"achieved": self.achieved, "headcount": self.headcount}
        for names, label in (
            (self.GENDER_FIELDS, gettext("by gender")),
            (self.GROUP_FIELDS, gettext("by group")),
        ):
            values = [getattr(self, name) for name in names]
            if all(v is None for v in values):
                continue
            total = sum(v or 0 for v in values)
            if self.headcount is None:
                errors[names[0]] = gettext(
                    "A breakdown %(label)s needs the number of people employed."
                ) % {"label": label}
            elif total != self.headcount:
                errors[names[0]] = gettext(
                    "The breakdown %(label)s adds up to %(total)s, not to the %(headcount)s "
                    "people employed."
                ) % {"label": label, "total": total, "headcount": self.headcount}
        if self.clause_id and self.period_id:
            if self.period.project_id != self.clause.tender.project_id:
                errors["period"] = gettext("This reporting period belongs to another project.")
            else:
                contract = (
                    Contract.objects.filter(
                        lot__tender_id=self.clause.tender_id,
                        **({"lot_id": self.clause.lot_id} if self.clause.lot_id else {}),
                    )
                    .order_by("start_date")
                    .first()
                )
                if contract is None:
                    errors["period"] = gettext(
                        "No contract is awarded for this clause's lot yet: record the award first."
                    )
                elif self.period.end_date < contract.start_date:
                    errors["period"] = gettext(
                        "%(period)s ended on %(end)s, before the contract started (%(start)s)."
                    ) % {
                        "period": f"RP{self.period.number}",
                        "end": self.period.end_date.isoformat(),
                        "start": contract.start_date.isoformat(),
                    }
        if errors:
            raise ValidationError(errors)


class OutcomeEvidence(models.Model):
    """A file backing an outcome (payroll extract, certificate): private, served after a check."""

    outcome = models.ForeignKey(
        ClauseOutcome, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("outcome")
    )
    file = models.FileField(_("file"), upload_to="procurement/evidence/")
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
        ordering = ["outcome", "uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


# --- local action plans and good practices ----------------------------------------------------


class LocalActionPlan(VersionedModel):
    """A partner's local action plan, adopted at an event (a local roundtable)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="action_plans", verbose_name=_("project")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.RESTRICT, related_name="action_plans", verbose_name=_("partner")
    )
    title = models.CharField(_("title"), max_length=255)
    adopted_at = models.ForeignKey(
        Event,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("adopted at"),
        help_text=_("The event (a local roundtable) where the plan was adopted."),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = models.Manager.from_queryset(InProjectQuerySet["LocalActionPlan"])()

    class Meta:
        ordering = ["project", "partner__number", "pk"]
        verbose_name = _("local action plan")
        verbose_name_plural = _("local action plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("procurement:action_plan_detail", args=[self.project.slug, self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.project_id:
            if self.partner_id and self.partner.project_id != self.project_id:
                errors["partner"] = gettext("This partner belongs to another project.")
            if self.adopted_at is not None and self.adopted_at.project_id != self.project_id:
                errors["adopted_at"] = gettext("This event belongs to another project.")
            message = self.project.date_outside_window(self.adopted_on)
            if message:
                errors["adopted_on"] = message
        if errors:
            raise ValidationError(errors)


class PlanAction(models.Model):
    """One action of a local action plan; it may lead to a tender."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("action status", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
        DONE = "done", pgettext_lazy("action status", "Done")
        DROPPED = "dropped", pgettext_lazy("action status", "Dropped")

    plan = models.ForeignKey(
        LocalActionPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    what = models.TextField(_("what"))
    responsible_body = models.CharField(_("responsible body"), max_length=255)
    due_month = models.PositiveSmallIntegerField(_("due month"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    tender = models.ForeignKey(
        Tender,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("tender it led to"),
    )
    good_practices: models.ManyToManyField[GoodPractice, Any] = models.ManyToManyField(
        "GoodPractice", blank=True, related_name="actions", verbose_name=_("good practices")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="action_number_unique")
        ]

    def __str__(self) -> str:
        return gettext("Action %(number)s") % {"number": self.number}

    @property
    def due_date(self) -> dt.date | None:
        """The last day of the due month (None without one, or past the project's end)."""
        project = self.plan.project
        if self.due_month is None or not 1 <= self.due_month <= project.duration_months:
            return None
        return project.month_end(self.due_month)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.plan_id:
            project = self.plan.project
            if self.due_month is not None:
                try:
                    project.check_month(self.due_month, "due_month")
                except ValidationError as error:
                    raise ValidationError(error.message_dict) from None
            if self.tender is not None and self.tender.project_id != project.pk:
                errors["tender"] = gettext("This tender belongs to another project.")
        if errors:
            raise ValidationError(errors)


class GoodPractice(models.Model):
    """A case of socially responsible procurement the consortium collected."""

    class Stage(models.TextChoices):
        PREPARATION = "preparation", _("Preparation and market engagement")
        TENDERING = "tendering", pgettext_lazy("procurement stage", "Tendering")
        AWARD = "award", pgettext_lazy("procurement stage", "Award")
        EXECUTION = "execution", _("Contract execution")

    class Instrument(models.TextChoices):
        RESERVED_CONTRACT = "reserved", _("Reserved contract")
        SPECIFICATION = "specification", _("Social requirement in the specification")
        AWARD_CRITERION = "award", _("Social award criterion")
        PERFORMANCE_CONDITION = "performance", _("Contract performance condition")
        LOTS = "lots", _("Division into lots")
        MARKET_ENGAGEMENT = "market", _("Market engagement with the social economy")
        SUBCONTRACTING = "subcontracting", _("Subcontracting to the social economy")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="good_practices", verbose_name=_("project")
    )
    recorded_by = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="good_practices",
        verbose_name=_("recorded by"),
    )
    title = models.CharField(_("title"), max_length=255)
    country = CountryField(_("country"))
    contracting_authority = models.CharField(_("contracting authority"), max_length=255)
    sector = models.CharField(_("sector"), max_length=120, help_text=_("e.g. catering, cleaning."))
    stage = models.CharField(_("procurement stage"), max_length=12, choices=Stage.choices)
    instruments = models.JSONField(_("SRPP instruments used"), default=list)
    results = models.TextField(_("results"))
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("A publication or web address.")
    )
    found_at = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
        verbose_name=_("found at"),
        help_text=_("The event where the consortium learnt of it."),
    )

    history = HistoricalRecords()
    objects = models.Manager.from_queryset(InProjectQuerySet["GoodPractice"])()

    class Meta:
        ordering = ["project", "title", "pk"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("procurement:good_practice_detail", args=[self.project.slug, self.pk])

    def instrument_labels(self) -> list[str]:
        labels = dict(self.Instrument.choices)
        return [str(labels[i]) for i in self.instruments if i in labels]

    def clean(self) -> None:
        unknown = [i for i in self.instruments or [] if i not in self.Instrument.values]
        if unknown:
            raise ValidationError(
                {
                    "instruments": gettext("Unknown instruments: %(names)s.")
                    % {"names": ", ".join(unknown)}
                }
            )
        found_at = self.found_at
        if self.project_id and found_at is not None and found_at.project_id != self.project_id:
            raise ValidationError({"found_at": gettext("This event belongs to another project.")})
