from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.forms.dates import bound_dates_to
from projects.forms.versioned import VersionedModelForm, VersionOnlyForm
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Partner,
    ProgressUpdate,
    Project,
    WorkPackage,
)


class DistinctIds:
    """Several forms share the deliverable's page: give each its own HTML ids (the field names,
    and so what the views read, stay the same)."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


# What only planners (the coordinator) change: the deliverable as the grant agreement has it.
PLANNING_FIELDS = ("number", "title", "work_package", "lead", "type", "dissemination", "due_month")


class DeliverableForm(VersionedModelForm):
    """Create or edit a deliverable. Only planners (the coordinator) change the contractual
    fields; the lead organisation's staff edit the description."""

    instance: Deliverable

    class Meta:
        model = Deliverable
        fields = (*PLANNING_FIELDS, "description")
        help_texts = {
            "lead": _("The partner responsible: its staff log progress and submit for review."),
            "description": _("What the deliverable contains and who it is for."),
        }

    def __init__(self, *args: Any, can_plan: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.instance.project
        if can_plan:
            cast(
                forms.ModelChoiceField, self.fields["work_package"]
            ).queryset = WorkPackage.objects.filter(project=project)
            cast(forms.ModelChoiceField, self.fields["lead"]).queryset = Partner.objects.filter(
                project=project
            ).select_related("organisation")
            self.fields["due_month"].help_text = gettext(
                "Project month, 1 to %(last)s; due on the last day of that month."
            ) % {"last": project.duration_months}
        else:
            for name in PLANNING_FIELDS:
                del self.fields[name]


class RequestChangesForm(DistinctIds, VersionOnlyForm):
    id_prefix = "changes"
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Comment"),
        help_text=_("What the lead partner should change before submitting again."),
    )


class RecordSubmissionForm(DistinctIds, VersionOnlyForm):
    id_prefix = "submission"
    submitted_date = forms.DateField(
        label=_("Submitted to the funder on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    delay_justification = forms.CharField(
        required=False,
        label=_("Delay justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the submission is after the due date."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_dates_to(self, project)


class ProgressUpdateForm(DistinctIds, forms.ModelForm):
    id_prefix = "progress"

    class Meta:
        model = ProgressUpdate
        fields = ("percent", "note")
        labels = {"percent": _("Progress (%)"), "note": _("Progress note")}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"note": _("What was done since the last update, and what comes next.")}


class VersionUploadForm(DistinctIds, forms.ModelForm):
    id_prefix = "upload"
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Office or OpenDocument file, image or ZIP, up to the site's size limit."),
    )

    class Meta:
        model = DeliverableVersion
        fields = ("note",)
        help_texts = {"note": _("Optional, e.g. 'draft for internal review'.")}
