"""The filters of the event list, built on a queryset already limited to one project."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from events.models import Event
from projects.models import Partner, Project, WorkPackage


class EventFilter(django_filters.FilterSet):
    # The labels of kind, status and country are the model fields' verbose names. "All" has a
    # context each, for the languages where it agrees with the word it stands for.
    q = django_filters.CharFilter(
        method="search",
        label=pgettext_lazy("filter: words to look for", "Search"),
        help_text=_("Title, city or venue"),
    )
    kind = django_filters.ChoiceFilter(
        choices=Event.Kind.choices, empty_label=pgettext_lazy("filter: events of any kind", "All")
    )
    status = django_filters.ChoiceFilter(
        choices=Event.Status.choices,
        empty_label=pgettext_lazy("filter: events of any status", "All"),
    )
    country = django_filters.ChoiceFilter(
        choices=[], empty_label=pgettext_lazy("filter: events in any country", "All")
    )
    organiser = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.none(),
        label=pgettext_lazy("the partner that organises an event", "Organiser"),
        empty_label=pgettext_lazy("filter: events by any organiser", "All"),
    )
    work_package = django_filters.ModelChoiceFilter(
        queryset=WorkPackage.objects.none(),
        label=_("Work package"),
        empty_label=pgettext_lazy("filter: events in any work package", "All"),
    )
    # Events that take place (at least partly) between the two days, in the site's zone.
    date_from = django_filters.DateFilter(
        field_name="ends_at",
        lookup_expr="date__gte",
        label=pgettext_lazy("start of a date range", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_until = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__lte",
        label=pgettext_lazy("end of a date range", "Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organiser"].queryset = Partner.objects.filter(project=project).select_related(
            "organisation"
        )
        self.filters["work_package"].queryset = WorkPackage.objects.filter(project=project)
        # Only the countries the project's events are in: a short list, one query.
        used = set(
            Event.objects.filter(project=project)
            .exclude(country="")
            .order_by()  # the default ordering would join the DISTINCT
            .values_list("country", flat=True)
            .distinct()
        )
        self.filters["country"].extra["choices"] = [
            (code, name) for code, name in countries if code in used
        ]

    def search(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        return queryset.filter(
            Q(title__icontains=value) | Q(city__icontains=value) | Q(venue__icontains=value)
        )
