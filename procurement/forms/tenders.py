"""The form of a tender's register entry (its lots, clauses and contracts have their own)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.models import Tender, split_cpv
from projects.forms.dates import bound_dates_to
from projects.forms.versioned import VersionedModelForm
from projects.models import Organisation, Partner, WorkPackage
from projects.permissions import Access, can_name_any_partner


class CpvCodesField(forms.CharField):
    """CPV codes typed as text ("45000000-7, 85311000-2"), the main one first, kept as a list.

    Only the parsing is here: Tender.clean checks every code (format and check digit) and puts
    each refusal, naming its code, on this field.
    """

    def prepare_value(self, value: Any) -> Any:
        # The stored list, shown as the text people type; typed text is shown back as it was.
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:
        return split_cpv(super().clean(value))


class TenderForm(VersionedModelForm):
    """Record or edit a tender. The coordinator names the partner keeping the record; a partner
    records their own organisation's tenders, and keeps the recorder as it is when editing."""

    instance: Tender

    cpv_codes = CpvCodesField(
        label=_("CPV codes"),
        max_length=500,
        help_text=_(
            "The main code first, then any others, separated by commas: 45000000-7, 85311000-2."
        ),
    )

    class Meta:
        model = Tender
        fields = (
            "reference",
            "title",
            "authority",
            "recorded_by",
            "cpv_codes",
            "procedure",
            "estimated_value",
            "status",
            "publication_date",
            "award_date",
            "notice_url",
            "work_package",
        )
        widgets = {
            "publication_date": forms.DateInput(attrs={"type": "date"}),
            "award_date": forms.DateInput(attrs={"type": "date"}),
            "estimated_value": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        help_texts = {
            "authority": _("The organisation that runs the procedure (usually a partner's)."),
            "estimated_value": _("In EUR, without VAT, as the notice gives it."),
            "award_date": _("Required once the tender is awarded; not before the publication."),
            "notice_url": _("The notice in TED or the national portal, if published."),
            "work_package": _("The work package or local pilot the tender belongs to, if any."),
        }

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = access.project
        authority = cast(forms.ModelChoiceField, self.fields["authority"])
        authority.queryset = Organisation.objects.order_by("short_name", "pk")
        work_package = cast(forms.ModelChoiceField, self.fields["work_package"])
        work_package.queryset = WorkPackage.objects.filter(project=project).order_by("number")
        recorded_by = cast(forms.ModelChoiceField, self.fields["recorded_by"])
        partners = Partner.objects.filter(project=project).select_related("organisation")
        if not can_name_any_partner(access):
            # A partner records for their own organisation; on an edit the recorder stays who it
            # is (the authority's staff may edit a tender another partner recorded). The field is
            # shown, fixed: what a browser posts for it is ignored.
            keeper = self.instance.recorded_by_id or access.partner_id or 0
            partners = partners.filter(pk=keeper)
            recorded_by.disabled = True
            recorded_by.empty_label = None
            self.initial["recorded_by"] = keeper
        recorded_by.queryset = partners
        # The window the model accepts too (Tender.clean checks), on the field and the picker.
        bound_dates_to(self, project)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        # The model's unique constraint names the project, which is not on the form, so
        # full_clean() leaves it out: check it here, where the message lands on the field.
        authority, reference = cleaned.get("authority"), cleaned.get("reference")
        if authority is not None and reference:
            taken = Tender.objects.filter(
                project_id=self.instance.project_id, authority=authority, reference=reference
            ).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "reference",
                    gettext("%(authority)s already has a tender %(reference)s in the register.")
                    % {"authority": authority, "reference": reference},
                )
        return cleaned


class TenderEditForm(TenderForm):
    """Edit a tender: the same fields, and a reason for its history."""

    change_reason = forms.CharField(
        label=_("What changed and why"),
        max_length=100,
        required=False,
        help_text=_("Optional; kept in the tender's history."),
    )
