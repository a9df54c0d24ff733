"""Forms of the plan: work packages, milestones and the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.forms.dates import bound_dates_to
from projects.models import Project


class MilestoneAchieveForm(forms.Form):
    """Mark a milestone achieved: the date and how its means of verification was met.

    Field names are the model's, so the ValidationError of Milestone.mark_achieved lands on them.
    """

    achieved_date = forms.DateField(
        label=_("Achieved on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the means of verification was met; not in the future."),
    )
    achievement_note = forms.CharField(
        label=_("How it was met"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Point to the evidence: a deliverable, minutes, a published page."),
    )

    def __init__(self, *args: Any, today: dt.date, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["achieved_date"].initial = today
        self.fields["achieved_date"].widget.attrs["max"] = today.isoformat()
        bound_dates_to(self, project)

    def clean_achieved_date(self) -> dt.date:
        # Milestone.mark_achieved checks this too; checking here as well reports it together
        # with the other fields' errors.
        achieved: dt.date = self.cleaned_data["achieved_date"]
        if achieved > self.today:
            raise forms.ValidationError(gettext("The date is in the future."))
        return achieved
