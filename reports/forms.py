"""Forms of conference reports, their recommendations, and the recommendations page's filter."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, inlineformset_factory

from events.models import Event
from projects.forms.versioned import VersionField, VersionOnlyForm
from reports.models import ConferenceReport, Recommendation


class ConferenceReportForm(forms.ModelForm):
    """The written account. Participant figures are not here: they come from the event's
    attendance, so they are typed once, on the attendance form."""

    version = VersionField(required=False)

    class Meta:
        model = ConferenceReport
        fields = (
            "summary", "key_messages", "success_stories", "challenges", "lessons_learned",
            "next_steps",
        )  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "key_messages": forms.Textarea(attrs={"rows": 5}),
            "success_stories": forms.Textarea(attrs={"rows": 5}),
            "challenges": forms.Textarea(attrs={"rows": 5}),
            "lessons_learned": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "summary": "What the event was, who came and what it achieved, in a few paragraphs. "
            "Needed before the report goes to the coordinator.",
            "key_messages": "One message per line.",
            "success_stories": "Examples that worked: contracts, clauses, people hired.",
            "challenges": "What stood in the way, as the participants described it.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version


class SendBackForm(VersionOnlyForm):
    # Not required here: the model says what is missing (ConferenceReport.send_back).
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


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
    labels={"text": "Recommendation", "audience": "Addressed to"},
)


class RecommendationFilter(django_filters.FilterSet):
    """Filter of the recommendations page (a FilterSet, kept here with the other forms)."""

    q = django_filters.CharFilter(method="search", label="Search", help_text="Words in the text")
    audience = django_filters.ChoiceFilter(
        choices=[c for c in Recommendation.Audience.choices if c[0] != Recommendation.Audience.ALL],
        method="for_audience",
        label="Addressed to",
        empty_label="Everyone",
        help_text="Recommendations addressed to all are included.",
    )
    kind = django_filters.ChoiceFilter(
        field_name="report__event__kind",
        choices=Event.Kind.choices,
        label="Event kind",
        empty_label="All",
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    def search(
        self, queryset: QuerySet[Recommendation], name: str, value: str
    ) -> QuerySet[Recommendation]:
        return queryset.filter(Q(text__icontains=value))

    def for_audience(
        self, queryset: QuerySet[Recommendation], name: str, value: str
    ) -> QuerySet[Recommendation]:
        return queryset.for_audience(value)  # type: ignore[attr-defined]
