"""The forms for a tender's parts: its lots, its social clauses, and the award (contract) of a lot.

Lots, clauses and contracts are plain models (no version): their forms save with a reason in the
history record, and a concurrent write the database refuses (a lot number taken, a lot awarded
meanwhile) comes back as StaleEdit, as it does from VersionedModel.save_edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.forms import BoundField
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.models import (
    ART_20_MINIMUM_SHARE,
    Contract,
    Lot,
    Reservation,
    SocialClause,
    Tender,
)
from projects.forms.dates import bound_dates_to
from projects.history import record_history
from projects.models import Organisation, StaleEdit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def money_input() -> forms.NumberInput:
    """EUR with two decimals."""
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def percent_input() -> forms.NumberInput:
    return forms.NumberInput(
        attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}
    )


def date_input(tender: Tender) -> forms.DateInput:
    """A date picker bounded to the window around the project the model accepts."""
    first, last = tender.project.date_window()
    return forms.DateInput(
        format="%Y-%m-%d",
        attrs={"type": "date", "min": first.isoformat(), "max": last.isoformat()},
    )


class PartForm(forms.ModelForm):
    """A form for one part of a tender: saves with `reason` in the history record."""

    def save_part(self, *, reason: str) -> Any:
        """Save, with `reason` (stored, English) in the history record; StaleEdit (nothing saved)
        when the database refuses the row because someone else wrote first."""
        try:
            with transaction.atomic():
                return self._save_in_transaction(reason)
        except IntegrityError as error:
            raise StaleEdit from error

    def _save_in_transaction(self, reason: str) -> Any:
        instance = self.save(commit=False)
        record_history(instance, reason)
        instance.save()
        return instance


# --- lots -------------------------------------------------------------------------------------


def next_lot_number(tender: Tender) -> int:
    """The number after the tender's highest lot (1 for its first)."""
    highest = Lot.objects.filter(tender=tender).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


class LotForm(PartForm):
    """A lot of a tender: the view gives it a Lot with its tender set."""

    instance: Lot

    class Meta:
        model = Lot
        fields = ("number", "title", "estimated_value", "reservation")
        widgets = {"estimated_value": money_input()}
        help_texts = {
            "number": _("The lot's number in the tender. A tender without lots has lot 1."),
            "title": _("As the tender names the lot, e.g. 'Cleaning of schools'."),
            "estimated_value": _("In EUR."),
            "reservation": _(
                "A reserved lot is open only to sheltered workshops and social enterprises "
                "(Art. 20) or to organisations with a public service mission (Art. 77, Art. 24). "
                "Under Art. 20 the award records the share of disabled or disadvantaged "
                "employees the supplier declared: at least 30 %."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs.update({"min": 1, "inputmode": "numeric"})
        if self.instance.pk is None and self.instance.number is None:
            self.initial["number"] = next_lot_number(self.instance.tender)

    def clean_number(self) -> int:
        # The unique constraint names the tender, which is not on the form, so ModelForm would
        # not check it: say which number is free instead of failing on save.
        number = cast(int, self.cleaned_data["number"])
        tender = self.instance.tender
        if Lot.objects.filter(tender=tender, number=number).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                gettext("This tender has a lot %(number)s already; lot %(free)s is free.")
                % {"number": number, "free": next_lot_number(tender)}
            )
        return number


# --- social clauses ---------------------------------------------------------------------------

STAGE_HELP = _(
    "Where the clause enters the procedure. Reservation: the lot is open only to reserved "
    "suppliers. Technical specification: a requirement every offer must meet, accessibility "
    "included. Selection criterion: what a bidder must show to take part. Award criterion: "
    "scored, with its weight in %. Contract performance condition (Art. 70): what the supplier "
    "must do while the contract runs."
)
UNIT_HELP = _(
    "What the target counts, and the unit the outcomes are reported in each period: persons "
    "employed through the clause, their full-time equivalents, hours of employment, a share of "
    "the supplier's workforce in %, or EUR subcontracted to the social economy."
)


class ClauseForm(PartForm):
    """A social clause of a tender, on one of its lots or on the whole tender: the view gives it
    a SocialClause with its tender set."""

    instance: SocialClause

    class Meta:
        model = SocialClause
        fields = (
            "lot",
            "stage",
            "category",
            "is_mandatory",
            "description",
            "weight_percent",
            "target_quantity",
            "target_unit",
            "verification",
            "status",
            "sanction_note",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "weight_percent": percent_input(),
            "target_quantity": forms.NumberInput(
                attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}
            ),
            "verification": forms.Textarea(attrs={"rows": 2}),
            "sanction_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "stage": STAGE_HELP,
            "category": _(
                "The social or environmental aim. The summary counts tenders that combine both."
            ),
            "weight_percent": _(
                "Award criteria only: the share of the score, 0 to 100. The award criteria of "
                "one lot (or of the whole tender) weigh at most 100 % together."
            ),
            "target_quantity": _("Empty when the clause sets no number."),
            "target_unit": UNIT_HELP,
            "sanction_note": _(
                "What followed a clause not fulfilled (a penalty, a warning): required when "
                "its status is 'Not fulfilled'."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lot = cast(forms.ModelChoiceField, self.fields["lot"])
        lot.queryset = Lot.objects.filter(tender=self.instance.tender)
        lot.empty_label = gettext("The whole tender")


# --- contracts --------------------------------------------------------------------------------

# The new supplier's fields on the contract form, and the Organisation fields they fill.
NEW_SUPPLIER_FIELDS = {
    "new_supplier_name": "short_name",
    "new_supplier_legal_name": "legal_name",
    "new_supplier_country": "country",
    "new_supplier_kind": "kind",
}


def _organisation_field(name: str, label: StrOrPromise) -> forms.Field:
    """Organisation's own form field (its choices, its length), optional on the contract form:
    needed only when a new supplier is typed."""
    model_field = Organisation._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # a concrete field of Organisation's own
    field = model_field.formfield(required=False, label=label)
    assert field is not None
    return field


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        organisation = cast(Organisation, obj)
        if organisation.legal_name == organisation.short_name:
            return organisation.short_name
        return f"{organisation.short_name} ({organisation.legal_name})"


class ContractForm(PartForm):
    """The award of a lot: the supplier is an organisation in the list, or a new one typed in and
    created with the contract. The view gives it the lot's Contract (or a new one for the lot).

    The declared share and its evidence are on the form only for a lot reserved under Art. 20,
    where Contract.clean requires them."""

    instance: Contract

    supplier = SupplierChoiceField(
        queryset=Organisation.objects.order_by("short_name", "pk"),
        required=False,
        label=_("Supplier"),
        empty_label=_("(a new supplier, typed below)"),
        help_text=_("The organisation the lot was awarded to, if it is in the list."),
    )
    # A supplier not in the list: the page groups these under "Or a new supplier".
    new_supplier_name = _organisation_field("short_name", _("Name"))
    new_supplier_legal_name = _organisation_field("legal_name", _("Legal name"))
    new_supplier_country = _organisation_field("country", _("Country"))
    new_supplier_kind = _organisation_field("kind", _("Kind of organisation"))

    class Meta:
        model = Contract
        # The supplier is the declared field above (the model's field stays off the form, so
        # that a supplier typed in, not yet saved, passes the model's validation).
        fields = (
            "supplier_type",
            "awarded_value",
            "start_date",
            "end_date",
            "declared_share",
            "share_evidence",
        )
        widgets = {
            "awarded_value": money_input(),
            "declared_share": percent_input(),
            "share_evidence": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "supplier_type": _(
                "Social economy enterprises, work-integration social enterprises and sheltered "
                "workshops count as social economy suppliers in the summary."
            ),
            "awarded_value": _("In EUR, as awarded."),
            "end_date": _("Empty while the contract runs with no end date set."),
        }

    field_order = (
        "supplier",
        *NEW_SUPPLIER_FIELDS,
        "supplier_type",
        "awarded_value",
        "start_date",
        "end_date",
        "declared_share",
        "share_evidence",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_supplier: Organisation | None = None
        lot = self.instance.lot
        tender = lot.tender
        if self.instance.pk is not None:
            # Not a model field of the form's (Meta.fields), so ModelForm leaves it empty.
            self.initial.setdefault("supplier", self.instance.supplier_id)
        for name in ("start_date", "end_date"):
            self.fields[name].widget = date_input(tender)
        bound_dates_to(self, tender.project)
        if tender.award_date:
            self.fields["start_date"].help_text = gettext("Not before the award (%(award)s).") % {
                "award": tender.award_date.isoformat()
            }
        if lot.reservation == Reservation.ART_20:
            share, evidence = self.fields["declared_share"], self.fields["share_evidence"]
            share.help_text = gettext(
                "Required: the lot is reserved under Art. 20 of Directive 2014/24/EU, which asks "
                "for at least %(minimum)s %% of disabled or disadvantaged employees."
            ) % {"minimum": ART_20_MINIMUM_SHARE}
            evidence.help_text = gettext(
                "Required with the share: e.g. the registration as a special employment centre, "
                "its number and date."
            )
            # Required is Contract.clean's rule, with its own message; the attribute tells
            # assistive technology (the form is novalidate, so browsers do not block on it).
            share.widget.attrs["required"] = True
            evidence.widget.attrs["required"] = True
        else:
            del self.fields["declared_share"], self.fields["share_evidence"]

    @property
    def is_art_20(self) -> bool:
        return "declared_share" in self.fields

    # The page shows the form in groups: the supplier in the list, or a new one, and the
    # contract itself.
    def new_supplier_fields(self) -> list[BoundField]:
        return [self[name] for name in NEW_SUPPLIER_FIELDS]

    def contract_fields(self) -> list[BoundField]:
        supplier = {"supplier", *NEW_SUPPLIER_FIELDS}
        return [field for field in self.visible_fields() if field.name not in supplier]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        supplier = cleaned.get("supplier")
        typed = {name: cleaned.get(name) for name in NEW_SUPPLIER_FIELDS if cleaned.get(name)}
        if supplier is not None and typed:
            self.add_error(
                "supplier",
                gettext("Choose the supplier in the list or type a new one below, not both."),
            )
        elif supplier is not None:
            self.instance.supplier = supplier
        elif not typed:
            self.add_error("supplier", gettext("Choose the supplier, or type a new one below."))
        elif not self.errors.keys() & NEW_SUPPLIER_FIELDS.keys():
            self._clean_new_supplier(cleaned)
        return cleaned

    def _clean_new_supplier(self, cleaned: dict[str, Any]) -> None:
        missing = [name for name in NEW_SUPPLIER_FIELDS if not cleaned.get(name)]
        for name in missing:
            self.add_error(name, gettext("A new supplier needs this too."))
        if missing:
            return
        organisation = Organisation(
            **{field: cleaned.get(name) or "" for name, field in NEW_SUPPLIER_FIELDS.items()}
        )
        try:
            organisation.full_clean(validate_unique=False)
        except forms.ValidationError as error:
            form_names = {field: name for name, field in NEW_SUPPLIER_FIELDS.items()}
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(form_names.get(field), message)
            return
        taken = Organisation.objects.filter(legal_name__iexact=organisation.legal_name).first()
        if taken is not None:
            self.add_error(
                "new_supplier_legal_name",
                gettext("%(name)s is in the list already (as %(short)s): choose it there.")
                % {"name": taken.legal_name, "short": taken.short_name},
            )
            return
        self.new_supplier = organisation

    def _save_in_transaction(self, reason: str) -> Any:
        # The new supplier and the contract are saved together, or neither.
        if self.new_supplier is not None:
            self.new_supplier.save()
            self.instance.supplier = self.new_supplier
        return super()._save_in_transaction(reason)
