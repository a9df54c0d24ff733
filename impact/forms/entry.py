"""The forms of indicator values: the figure one partner reports for one indicator in one
reporting period (with the breakdowns its indicator asks for), the review's state changes, and an
evidence file.

The rules on the figures (breakdowns add up, FTE never above the headcount, a required breakdown
given, a locked period or a computed indicator refusing any value, partner and period of the
indicator's project) are IndicatorValue.clean()'s; a ModelForm runs it and shows each message on
its field. The indicator, the partner and the period come from the page's address, not from the
form: a message about one of them goes to the top of the form.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BoundField
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from impact.models import Indicator, IndicatorValue
from projects.forms.versioned import VersionedModelForm, VersionOnlyForm

GENDER_FIELDS = Indicator.DISAGGREGATION_FIELDS[Indicator.Disaggregation.GENDER]
GROUP_FIELDS = Indicator.DISAGGREGATION_FIELDS[Indicator.Disaggregation.GROUP]
STAKEHOLDER_FIELDS = Indicator.DISAGGREGATION_FIELDS[Indicator.Disaggregation.STAKEHOLDER]


class IndicatorValueForm(VersionedModelForm):
    """Enter or correct a partner's value of an entered indicator for a period (a draft only).

    The instance carries its indicator, partner and period. Only the breakdowns the indicator
    asks for are fields (and any the value already has, so that a stored breakdown that no longer
    adds up can be corrected); the headcount only for an FTE indicator."""

    instance: IndicatorValue

    class Meta:
        model = IndicatorValue
        fields = (
            "value",
            "headcount",
            *GENDER_FIELDS,
            *GROUP_FIELDS,
            *STAKEHOLDER_FIELDS,
            "data_source",
            "collection_method",
            "note",
        )
        help_texts = {
            "headcount": _("The people behind the full-time equivalents: at least as many."),
            "note": _(
                "How the figure was counted, and anything the coordinator should know. No names "
                "or other details of individual people."
            ),
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    BREAKDOWNS: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (
        (Indicator.Disaggregation.GENDER, GENDER_FIELDS),
        (Indicator.Disaggregation.GROUP, GROUP_FIELDS),
        (Indicator.Disaggregation.STAKEHOLDER, STAKEHOLDER_FIELDS),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = self.instance
        indicator = value.indicator
        asked = set(indicator.disaggregations or [])
        for key, names in self.BREAKDOWNS:
            has_some = any(getattr(value, name) is not None for name in names)
            if key not in asked and not has_some:
                for name in names:
                    del self.fields[name]
        if indicator.unit != Indicator.Unit.FTE and value.headcount is None:
            del self.fields["headcount"]
        help_text = gettext("In %(unit)s, as the definition counts.") % {
            "unit": indicator.get_unit_display()
        }
        if indicator.target is not None:
            help_text += " " + gettext("The project's target is %(target)s.") % {
                "target": floatformat(indicator.target, "-2g")
            }
        self.fields["value"].help_text = help_text

    def _update_errors(self, errors: ValidationError) -> None:
        # The model's rules may name the period, the indicator or the partner, which the page's
        # address gives and which are no fields here: their messages go to the top of the form.
        if hasattr(errors, "error_dict"):
            by_field: dict[str, list[ValidationError]] = {}
            for name, messages in errors.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                by_field.setdefault(key, []).extend(messages)
            errors = ValidationError(by_field)
        # BaseModelForm._update_errors is not in django-stubs: reached by name.
        cast(Any, super())._update_errors(errors)

    def _present(self, names: tuple[str, ...]) -> list[BoundField]:
        return [self[name] for name in names if name in self.fields]

    # The template shows the figure first, then each breakdown in its own fieldset (its error,
    # "adds up to ...", sits on the first field of the group), then where the figure comes from.
    def main_fields(self) -> list[BoundField]:
        return self._present(("value", "headcount"))

    def gender_fields(self) -> list[BoundField]:
        return self._present(GENDER_FIELDS)

    def group_fields(self) -> list[BoundField]:
        return self._present(GROUP_FIELDS)

    def stakeholder_fields(self) -> list[BoundField]:
        return self._present(STAKEHOLDER_FIELDS)

    def source_fields(self) -> list[BoundField]:
        return self._present(("data_source", "collection_method", "note"))

    @property
    def stakeholder_whole(self) -> str:
        """What the categories add up to, as the stakeholder fieldset's hint says it."""
        if self.instance.indicator.unit == Indicator.Unit.FTE:
            return gettext("If given, the categories add up to the people.")
        return gettext("If given, the categories add up to the value.")

    @property
    def breakdown_whole(self) -> str:
        """What the breakdowns add up to, as the fieldsets' hint says it."""
        if self.instance.indicator.unit == Indicator.Unit.FTE:
            return gettext("If given, the three add up to the people.")
        return gettext("If given, the three add up to the value.")


class ValueSendBackForm(VersionOnlyForm):
    """Send a submitted value back to its partner: the coordinator, with a comment."""

    # Not required here: the model says what is missing (IndicatorValue.send_back).
    comment = forms.CharField(
        required=False,
        label=_("What should change"),
        help_text=_("The partner sees this comment on the value when it is back with them."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ValueEvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_(
            "An attendance sheet, a payroll extract, survey results or a report that backs the "
            "figure: PDF, Office or OpenDocument file, image or ZIP, up to the site's size "
            "limit. Black out the names of people first."
        ),
    )
