"""Forms of the local action plans: the plan (a versioned edit) and its actions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import Case, Max, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Event
from procurement.models import GoodPractice, LocalActionPlan, PlanAction, Tender
from projects.forms.dates import bound_dates_to
from projects.forms.ids import IdMultipleChoiceField
from projects.forms.versioned import VersionedModelForm
from projects.models import Partner, Project
from projects.permissions import Access, can_name_any_partner


class EventChoiceField(forms.ModelChoiceField):
    """An event of the project, named with its kind and local date, so two events of the same
    title (every partner's "Local roundtable") can be told apart."""

    def label_from_instance(self, obj: models.Model) -> str:
        event = cast(Event, obj)
        return gettext("%(title)s (%(kind)s, %(date)s)") % {
            "title": event.title,
            "kind": event.get_kind_display(),
            "date": date_format(event.local_start.date(), "SHORT_DATE_FORMAT"),
        }


def project_events(project: Project, *, first_kind: str | None = None) -> models.QuerySet[Event]:
    """The project's events in date order; those of `first_kind` (the roundtables) first."""
    events = Event.objects.filter(project=project)
    if first_kind is None:
        return events.order_by("starts_at", "pk")
    return events.order_by(
        Case(When(kind=first_kind, then=Value(0)), default=Value(1)), "starts_at", "pk"
    )


def limit_partner(
    form: forms.ModelForm, name: str, access: Access, *, suggest_own: bool = False
) -> None:
    """The coordinator names any partner of the project; a partner names their own only, and
    finds it chosen already on a new row (so does the coordinator where `suggest_own`)."""
    choice = cast(forms.ModelChoiceField, form.fields[name])
    partners = Partner.objects.filter(project=access.project).select_related("organisation")
    own_only = not can_name_any_partner(access)
    if own_only:
        partners = partners.filter(pk=access.partner_id or 0)
        choice.empty_label = None
    if form.instance.pk is None and (own_only or suggest_own):
        # form.initial, not the field's: a new instance's empty value is in form.initial already.
        form.initial[name] = access.partner_id
    choice.queryset = partners


class LocalActionPlanForm(VersionedModelForm):
    """Record or edit a local action plan: whose it is, and the roundtable that adopted it."""

    instance: LocalActionPlan

    adopted_at = EventChoiceField(
        queryset=Event.objects.none(),
        required=False,
        label=_("Adopted at"),
        help_text=_("The event (a local roundtable) where the plan was adopted."),
    )

    class Meta:
        model = LocalActionPlan
        fields = ("title", "partner", "adopted_at", "adopted_on", "summary")
        widgets = {
            "adopted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "title": _("As the plan names itself, e.g. 'Gleisdorf local action plan for SRPP'."),
            "partner": _("The partner whose plan it is: its staff keep it up to date."),
            "summary": _("What the plan sets out to change in the authority's procurement."),
        }

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = access.project
        limit_partner(self, "partner", access)
        adopted_at = cast(EventChoiceField, self.fields["adopted_at"])
        adopted_at.queryset = project_events(project, first_kind=Event.Kind.ROUNDTABLE)
        bound_dates_to(self, project)


class PlanActionForm(forms.ModelForm):
    """Add or edit one action of a plan: what, who, by when, and the tender it led to."""

    instance: PlanAction

    class Meta:
        model = PlanAction
        fields = (
            "number",
            "what",
            "responsible_body",
            "due_month",
            "status",
            "tender",
            "good_practices",
        )
        field_classes = {"good_practices": IdMultipleChoiceField}
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "good_practices": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "responsible_body": _("e.g. the procurement office, the social services department."),
            "tender": _("The procurement procedure the action led to, once it is recorded."),
            "good_practices": _("The cases the action draws on; hold Ctrl to choose several."),
        }

    def __init__(self, *args: Any, plan: LocalActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        project = plan.project
        if self.instance.pk is None:
            highest = plan.actions.aggregate(highest=Max("number"))["highest"]
            self.initial["number"] = (highest or 0) + 1
        self.fields["number"].widget.attrs["min"] = 1
        due_month = self.fields["due_month"]
        due_month.widget.attrs.update(min=1, max=project.duration_months)
        due_month.help_text = gettext("Project month, 1 to %(last)s.") % {
            "last": project.duration_months
        }
        tender = cast(forms.ModelChoiceField, self.fields["tender"])
        tender.queryset = Tender.objects.filter(project=project).order_by("reference", "pk")
        practices = cast(forms.ModelMultipleChoiceField, self.fields["good_practices"])
        practices.queryset = GoodPractice.objects.filter(project=project).order_by("title", "pk")

    def clean_number(self) -> int:
        number: int = self.cleaned_data["number"]
        # The unique constraint names the plan, which is not a field of the form: Django's own
        # check skips it, so the plan's numbers are checked here (and the database has the
        # last word, see plan_action_create).
        taken = self.plan.actions.filter(number=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(self.number_taken(number))
        return number

    @staticmethod
    def number_taken(number: int) -> str:
        return gettext("The plan has an action %(number)s already: choose another number.") % {
            "number": number
        }
