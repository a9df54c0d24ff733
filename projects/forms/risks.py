"""Forms of the risk register."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.forms.dates import bound_dates_to
from projects.forms.ids import IdMultipleChoiceField
from projects.forms.versioned import VersionedModelForm
from projects.models import Partner, Risk, RiskReview, WorkPackage
from projects.permissions import Access, can_name_any_partner


class RiskForm(VersionedModelForm):
    """Raise a risk. The coordinator may name any partner as owner; a partner only their own."""

    instance: Risk

    class Meta:
        model = Risk
        fields: tuple[str, ...] = (
            "title",
            "description",
            "category",
            "work_packages",
            "likelihood",
            "impact",
            "mitigation",
            "owner",
        )
        field_classes = {"work_packages": IdMultipleChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "mitigation": forms.Textarea(attrs={"rows": 4}),
            "work_packages": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "title": _("A short name for the register, e.g. 'Low turnout at local roundtables'."),
            "description": _("What could happen, why, and what it would affect."),
            "work_packages": _("The work packages it would affect; none for the whole project."),
            "likelihood": _("How likely it is to happen before the project ends."),
            "impact": _("How badly it would hurt the project's results if it happened."),
            "mitigation": _("What is done to make it less likely or less harmful."),
            "owner": _("The partner who watches it and reviews it."),
        }

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = access.project
        work_packages = cast(forms.ModelMultipleChoiceField, self.fields["work_packages"])
        work_packages.queryset = WorkPackage.objects.filter(project=project)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owners = Partner.objects.filter(project=project).select_related("organisation")
        if not can_name_any_partner(access):
            # A partner answers for their own organisation only; the coordinator reassigns.
            owners = owners.filter(pk=access.partner_id or 0)
            owner.empty_label = None
            if self.instance.owner_id is None:
                self.initial["owner"] = access.partner_id
        owner.queryset = owners


class RiskEditForm(RiskForm):
    """Edit a risk's register entry. Scores and status change through reviews (a dated log),
    so they are not here."""

    change_reason = forms.CharField(
        label=_("What changed and why"),
        max_length=100,
        required=False,
        help_text=_("Optional; kept in the risk's history."),
    )

    class Meta(RiskForm.Meta):
        fields = ("title", "description", "category", "work_packages", "mitigation", "owner")


class RiskReviewForm(forms.ModelForm):
    """A dated reassessment: the latest review sets the risk's current scores and status."""

    class Meta:
        model = RiskReview
        fields = ("review_date", "likelihood", "impact", "status", "note")
        widgets = {
            "review_date": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"review_date": _("Reviewed on")}
        help_texts = {
            "review_date": _(
                "Not in the future. A review dated before the latest one is logged "
                "but does not change the current scores."
            ),
        }

    def __init__(self, *args: Any, risk: Risk, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["review_date"].initial = today
        self.fields["review_date"].widget.attrs["max"] = today.isoformat()
        # Start from the current assessment: a review often confirms it.
        self.fields["likelihood"].initial = risk.likelihood
        self.fields["impact"].initial = risk.impact
        self.fields["status"].initial = risk.status
        bound_dates_to(self, risk.project)

    def clean_review_date(self) -> dt.date:
        review_date: dt.date = self.cleaned_data["review_date"]
        if review_date > self.today:
            raise forms.ValidationError(gettext("The date is in the future."))
        return review_date
