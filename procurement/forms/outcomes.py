"""The forms of clause outcomes: the figures of one clause in one reporting period, the review's
state changes, and an evidence file.

The rules on the figures (breakdowns add up to the headcount, FTE never above it, a clause counting
persons achieves its headcount, a period after the contract started) are ClauseOutcome.clean()'s;
a ModelForm runs it and shows each message on its field. Only "one outcome per clause and period"
is checked here: the clause is not a field of the form, so the model's unique constraint is not
validated by it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from django import forms
from django.forms import BoundField
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.models import ClauseOutcome
from projects.forms.versioned import VersionedModelForm, VersionOnlyForm
from projects.models import Project, ReportingPeriod, current_period

# Said on the form, above the figures: what the platform takes, and why nothing more.
AGGREGATES_ONLY = _(
    "Enter totals only, never the names of workers or anything else that identifies a person. "
    "Whether someone has a disability is special-category personal data (Art. 9 GDPR): the "
    "platform keeps counts, not people."
)


class ClauseOutcomeForm(VersionedModelForm):
    """Report or correct a clause's outcome for a reporting period (a draft only)."""

    instance: ClauseOutcome

    MAIN_FIELDS: ClassVar[tuple[str, ...]] = ("period", "achieved", "headcount", "fte")

    class Meta:
        model = ClauseOutcome
        fields = (
            "period",
            "achieved",
            "headcount",
            "fte",
            *ClauseOutcome.GENDER_FIELDS,
            *ClauseOutcome.GROUP_FIELDS,
            "note",
        )
        help_texts = {
            "headcount": _("Heads, not names: everyone who worked on the contract in the period."),
            "fte": _("At most the number of people employed."),
            "note": _(
                "How the figures were counted, and anything the coordinator should know. No "
                "names or other details of individual workers."
            ),
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, project: Project, today: dt.date, asked_period: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        periods = ReportingPeriod.objects.filter(project=project).order_by("number")
        period = cast(forms.ModelChoiceField, self.fields["period"])
        period.queryset = periods
        if self.instance.pk is None and not self.is_bound:
            # A new outcome offers the period the link named (the dashboard's), else the current.
            asked = periods.filter(pk=int(asked_period)).first() if asked_period.isdigit() else None
            self.initial["period"] = asked or current_period(project, today)
        clause = self.instance.clause
        self.fields["achieved"].help_text = gettext(
            "In the clause's unit: %(unit)s. The target is %(target)s."
        ) % {
            "unit": clause.get_target_unit_display(),
            "target": "—"
            if clause.target_quantity is None
            else floatformat(clause.target_quantity, -2),
        }
        if clause.target_unit == clause.Unit.PERSONS:
            self.fields["achieved"].help_text += " " + gettext(
                "The clause counts persons: the same number as the people employed."
            )

    def _bound(self, names: tuple[str, ...]) -> list[BoundField]:
        return [self[name] for name in names]

    # The template shows the figures in three groups: the totals, then each breakdown in its own
    # fieldset (its error, "adds up to ...", sits on the first field of the group).
    def main_fields(self) -> list[BoundField]:
        return self._bound(self.MAIN_FIELDS)

    def gender_fields(self) -> list[BoundField]:
        return self._bound(ClauseOutcome.GENDER_FIELDS)

    def group_fields(self) -> list[BoundField]:
        return self._bound(ClauseOutcome.GROUP_FIELDS)

    def note_field(self) -> BoundField:
        return self["note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period")
        if period is not None:
            taken = (
                ClauseOutcome.objects.filter(clause_id=self.instance.clause_id, period=period)
                .exclude(pk=self.instance.pk)
                .exists()
            )
            if taken:
                self.add_error(
                    "period",
                    gettext(
                        "RP%(number)s already has an outcome for this clause: correct that one "
                        "instead."
                    )
                    % {"number": period.number},
                )
        return data


class OutcomeSendBackForm(VersionOnlyForm):
    """Send a submitted outcome back to its partner: the coordinator, with a comment."""

    # Not required here: the model says what is missing (ClauseOutcome.send_back).
    comment = forms.CharField(
        required=False,
        label=_("What should change"),
        help_text=_("The partner sees this comment on the outcome when it is back with them."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_(
            "A payroll extract, a certificate or a report that backs the figures: PDF, Office or "
            "OpenDocument file, image or ZIP, up to the site's size limit. Black out the names "
            "of workers first."
        ),
    )
