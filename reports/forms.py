"""Forms of conference reports, their recommendations, the recommendations page's filter, and the
request for a progress report."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models import Event
from procurement.models import GoodPractice
from projects.forms.dates import bound_dates_to
from projects.forms.ids import IdMultipleChoiceField
from projects.forms.versioned import VersionedModelForm, VersionOnlyForm
from projects.models import ReportingPeriod
from projects.permissions import Access
from reports.models import (
    ConferenceReport,
    GeneratedReport,
    Recommendation,
    RecommendationQuerySet,
)


class ConferenceReportForm(VersionedModelForm):
    """The written account. Participant figures are not here: they come from the event's
    attendance, so they are typed once, on the attendance form."""

    instance: ConferenceReport

    class Meta:
        model = ConferenceReport
        fields = (
            "summary", "key_messages", "success_stories", "challenges", "lessons_learned",
            "next_steps", "good_practices",
        )  # fmt: skip
        field_classes = {"good_practices": IdMultipleChoiceField}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "key_messages": forms.Textarea(attrs={"rows": 5}),
            "success_stories": forms.Textarea(attrs={"rows": 5}),
            "challenges": forms.Textarea(attrs={"rows": 5}),
            "lessons_learned": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 4}),
            "good_practices": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "summary": _(
                "What the event was, who came and what it achieved, in a few paragraphs. "
                "Needed before the report goes to the coordinator."
            ),
            "key_messages": _("One message per line."),
            "success_stories": _("Examples that worked: contracts, clauses, people hired."),
            "challenges": _("What stood in the way, as the participants described it."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The project's own collection (procurement's good practices), as checkboxes.
        practices = self.fields["good_practices"]
        assert isinstance(practices, forms.ModelMultipleChoiceField)
        practices.queryset = GoodPractice.objects.filter(
            project_id=self.instance.event.project_id
        ).order_by("title", "pk")


class SendBackForm(VersionOnlyForm):
    # Not required here: the model says what is missing (ConferenceReport.send_back).
    comment = forms.CharField(
        required=False,
        label=_("What should change"),
        help_text=_("The writers see this comment on the report when it is back with them."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BaseRecommendationFormSet(BaseInlineFormSet):
    def save_in_order(self) -> None:
        """Save the kept recommendations, numbered in the order they appear in the form, and
        delete the ones ticked for deletion. The caller holds the transaction."""
        position = 0
        for form in self.forms:
            if form in self.deleted_forms:
                if form.instance.pk is not None:
                    form.instance.delete()
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra row
            recommendation = form.save(commit=False)
            recommendation.report = self.instance
            position += 1
            recommendation.position = position
            recommendation.save()


RecommendationFormSet = inlineformset_factory(
    ConferenceReport,
    Recommendation,
    formset=BaseRecommendationFormSet,
    fields=("text", "audience"),
    extra=2,
    can_delete=True,
    widgets={"text": forms.Textarea(attrs={"rows": 2})},
    # Lazy, so each reader gets their language; the stubs type labels as plain str.
    labels=cast("dict[str, str]", {"text": _("Recommendation"), "audience": _("Addressed to")}),
)


class RecommendationFilter(django_filters.FilterSet):
    """Filter of the recommendations page (a FilterSet, kept here with the other forms)."""

    q = django_filters.CharFilter(
        method="search",
        label=pgettext_lazy("filter: words to look for", "Search"),
        help_text=_("Words in the text"),
    )
    audience = django_filters.ChoiceFilter(
        choices=[c for c in Recommendation.Audience.choices if c[0] != Recommendation.Audience.ALL],
        method="for_audience",
        label=_("Addressed to"),
        empty_label=pgettext_lazy("filter: recommendations for any audience", "Everyone"),
        help_text=_("Recommendations addressed to all are included."),
    )
    kind = django_filters.ChoiceFilter(
        field_name="report__event__kind",
        choices=Event.Kind.choices,
        label=_("Event kind"),
        empty_label=pgettext_lazy("filter: events of any kind", "All"),
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    def search(
        self, queryset: QuerySet[Recommendation], name: str, value: str
    ) -> QuerySet[Recommendation]:
        return queryset.filter(Q(text__icontains=value))

    def for_audience(
        self, queryset: RecommendationQuerySet, name: str, value: str
    ) -> RecommendationQuerySet:
        return queryset.for_audience(value)


class ProgressReportForm(forms.Form):
    """A reporting period, or a date range; the sections to include; and the language of the
    PDF (the project's reporting language unless another is chosen)."""

    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.none(),
        required=False,
        label=pgettext_lazy("reporting period", "Period"),
        empty_label=_("A date range instead (below)"),
        help_text=_("The reporting period the report covers."),
    )
    start_date = forms.DateField(
        required=False,
        label=pgettext_lazy("start of a date range", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        required=False,
        label=pgettext_lazy("end of a date range", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        choices=GeneratedReport.SECTIONS,
        initial=[key for key, _label in GeneratedReport.SECTIONS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The cover and the contents are always included."),
    )
    # Each language named in its own (settings.LANGUAGES), so everyone finds theirs. Not
    # required: a request without one (an older page, a script) gets the project's.
    language = forms.ChoiceField(
        required=False,
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the report's headings, labels and dates. What partners wrote is "
            "printed as they wrote it."
        ),
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        periods = ReportingPeriod.objects.filter(project=access.project)
        cast(forms.ModelChoiceField, self.fields["period"]).queryset = periods
        self.fields["language"].initial = access.project.reporting_language
        bound_dates_to(self, access.project)
        # Offer the latest period that has begun: the one a coordinator is usually reporting on.
        month = access.project.month_of(timezone.localdate())
        self.fields["period"].initial = (
            periods.filter(start_month__lte=month)
            .order_by("-number")
            .values_list("pk", flat=True)
            .first()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") is None:
            start, end = data.get("start_date"), data.get("end_date")
            if not (start and end):
                raise ValidationError(
                    _("Choose a reporting period, or give both dates of a range.")
                )
            if end < start:
                self.add_error("end_date", _("The range ends before it starts."))
        return data
