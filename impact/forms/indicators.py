"""The form of an indicator (a versioned edit) and its partners' targets (an inline formset),
both the coordinator's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from impact.models import Indicator, PartnerTarget
from projects.forms.ids import IdMultipleChoiceField
from projects.forms.versioned import VersionedModelForm
from projects.models import Partner, Project, WorkPackage


def project_partners(project: Project) -> QuerySet[Partner]:
    return Partner.objects.filter(project=project).select_related("organisation").order_by("number")


class IndicatorForm(VersionedModelForm):
    """Define or edit an indicator: what counts, its unit and target, where its values come from
    (entered by partners, or computed by the platform), and who reports it."""

    instance: Indicator

    disaggregations = forms.MultipleChoiceField(
        choices=Indicator.Disaggregation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=capfirst(Indicator._meta.get_field("disaggregations").verbose_name),
        help_text=_("The breakdowns every entered value must give, adding up to its total."),
    )

    class Meta:
        model = Indicator
        fields = (
            "code",
            "name",
            "definition",
            "unit",
            "kind",
            "work_package",
            "responsible",
            "baseline",
            "target",
            "target_month",
            "source",
            "measure",
            "event_kind",
            "reporting_partners",
            "disaggregations",
            "requires_evidence",
            "esf_code",
            "toms_code",
            "sdg_target",
        )
        field_classes = {"reporting_partners": IdMultipleChoiceField}
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 5}),
            "source": forms.RadioSelect,
            "reporting_partners": forms.CheckboxSelectMultiple,
            "baseline": forms.NumberInput(attrs={"step": "0.01"}),
            "target": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        help_texts = {
            "code": _("Capitals and digits, unique in the project: KPI1."),
            "measure": _(
                "Computed indicators only: what the platform counts, per partner and period."
            ),
            "event_kind": _("Event measures only: empty counts events of every kind."),
            "reporting_partners": _(
                "Entered indicators only: the partners that owe a value every period."
            ),
        }

    # What the form page shows under each heading, in this order.
    FIELDSETS: Sequence[tuple[Any, tuple[str, ...]]] = (
        (
            _("The indicator"),
            ("code", "name", "definition", "unit", "kind", "work_package", "responsible"),
        ),
        (
            pgettext_lazy("the target of an indicator", "Target"),
            ("baseline", "target", "target_month"),
        ),
        (_("Where its values come from"), ("source", "measure", "event_kind")),
        (
            _("What partners report"),
            ("reporting_partners", "disaggregations", "requires_evidence"),
        ),
        (_("References to other frameworks"), ("esf_code", "toms_code", "sdg_target")),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        work_package = cast(forms.ModelChoiceField, self.fields["work_package"])
        work_package.queryset = WorkPackage.objects.filter(project=project).order_by("number")
        responsible = cast(forms.ModelChoiceField, self.fields["responsible"])
        responsible.queryset = project_partners(project)
        reporting = cast(forms.ModelMultipleChoiceField, self.fields["reporting_partners"])
        reporting.queryset = project_partners(project)
        target_month = self.fields["target_month"]
        target_month.widget.attrs.update(min=1, max=project.duration_months)
        target_month.help_text = gettext("The project month it is due, 1 to %(last)s.") % {
            "last": project.duration_months
        }
        if self.instance.pk is None:
            self.initial.setdefault("source", Indicator.Source.ENTERED)

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        # The unique constraint names the project, which is not a field of the form: Django's
        # own check skips it, so it is checked here (and the database has the last word: a
        # clash between this check and the save is a StaleEdit, see indicator_create).
        taken = Indicator.objects.filter(project=self.project, code=code).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise forms.ValidationError(self.code_taken(code))
        return code

    @staticmethod
    def code_taken(code: str) -> str:
        return gettext("The project has an indicator %(code)s already: choose another code.") % {
            "code": code
        }

    def clean_disaggregations(self) -> list[str]:
        chosen = set(self.cleaned_data["disaggregations"])
        # Stored in the order of the choices, whatever order the browser sent.
        return [value for value in Indicator.Disaggregation.values if value in chosen]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        computed = cleaned.get("source") == Indicator.Source.COMPUTED
        if computed and cleaned.get("reporting_partners"):
            self.add_error(
                "reporting_partners",
                gettext("The platform counts a computed indicator: no partner reports it."),
            )
        if computed and self.instance.pk is not None:
            entered = self.instance.values.count()
            if entered:
                self.add_error(
                    "source",
                    ngettext(
                        "%(count)s value is entered for this indicator: a computed indicator "
                        "has none. Keep it entered, or define a new computed one.",
                        "%(count)s values are entered for this indicator: a computed indicator "
                        "has none. Keep it entered, or define a new computed one.",
                        entered,
                    )
                    % {"count": entered},
                )
        return cleaned


class BasePartnerTargetFormSet(BaseInlineFormSet):
    """The partners' own targets: one row per partner at most, chosen from the project's."""

    def __init__(self, *args: Any, partners: Sequence[Partner], **kwargs: Any) -> None:
        self.partners = list(partners)
        instance = kwargs.get("instance")
        have = set()
        if instance is not None and instance.pk is not None:
            have = set(instance.partner_targets.values_list("partner_id", flat=True))
        # An empty row for each partner without a target yet, its partner chosen: a row left
        # without a figure is skipped.
        missing = [p for p in self.partners if p.pk not in have]
        kwargs.setdefault("initial", [{"partner": p.pk} for p in missing])
        super().__init__(*args, **kwargs)
        self.extra = len(missing)

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        partner = cast(forms.ModelChoiceField, form.fields["partner"])
        # The project's partners, fetched once for every row (a queryset per row would be a
        # query per row).
        partner.queryset = Partner.objects.filter(pk__in=[p.pk for p in self.partners])
        partner.choices = [("", "---------")] + [(p.pk, str(p)) for p in self.partners]

    def clean(self) -> None:
        # Before the formset's own unique check, so a second row for a partner is named on
        # its partner field (a form with an error is left out of that check).
        seen: set[int] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form in self.deleted_forms:
                continue
            partner = form.cleaned_data.get("partner")
            if partner is None:
                continue
            if partner.pk in seen:
                form.add_error(
                    "partner",
                    gettext("%(partner)s has a target already.") % {"partner": partner},
                )
            seen.add(partner.pk)
        super().clean()


PartnerTargetFormSet = inlineformset_factory(
    Indicator,
    PartnerTarget,
    formset=BasePartnerTargetFormSet,
    fields=("partner", "target"),
    extra=0,
    can_delete=True,
    widgets={"target": forms.NumberInput(attrs={"step": "0.01", "min": "0"})},
)


def partner_targets(
    data: Any, indicator: Indicator, partners: Sequence[Partner]
) -> BasePartnerTargetFormSet:
    """The formset of `indicator`'s partner targets (bound to `data` when posted)."""
    return cast(
        BasePartnerTargetFormSet,
        PartnerTargetFormSet(data, instance=indicator, prefix="targets", partners=partners),
    )
