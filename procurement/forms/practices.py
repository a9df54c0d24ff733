"""The good practices' form and the filters of their list."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from events.models import Event
from procurement.forms.plans import EventChoiceField, limit_partner, project_events
from procurement.models import GoodPractice
from projects.models import Project
from projects.permissions import Access


class GoodPracticeForm(forms.ModelForm):
    """Record or edit a good practice. The coordinator may name any partner as its recorder; a
    partner records in their own organisation's name."""

    instance: GoodPractice

    instruments = forms.MultipleChoiceField(
        choices=GoodPractice.Instrument.choices,
        widget=forms.CheckboxSelectMultiple,
        label=capfirst(GoodPractice._meta.get_field("instruments").verbose_name),
        help_text=_("Every instrument the case used."),
    )
    found_at = EventChoiceField(
        queryset=Event.objects.none(),
        required=False,
        label=_("Found at"),
        help_text=_("The event where the consortium learnt of it (a mission, a roundtable)."),
    )

    class Meta:
        model = GoodPractice
        fields = (
            "title",
            "country",
            "contracting_authority",
            "sector",
            "stage",
            "instruments",
            "results",
            "source",
            "found_at",
            "recorded_by",
        )
        widgets = {"results": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "title": _("A short name, e.g. 'Reserved catering in Valencia's schools'."),
            "results": _("What the case achieved, with figures where there are any."),
            "recorded_by": _("The partner that keeps this case's record up to date."),
        }

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_partner(self, "recorded_by", access, suggest_own=True)
        found_at = cast(EventChoiceField, self.fields["found_at"])
        found_at.queryset = project_events(access.project)

    def clean_instruments(self) -> list[str]:
        chosen = set(self.cleaned_data["instruments"])
        # Stored in the order of the list of instruments, whatever order the browser sent.
        return [value for value in GoodPractice.Instrument.values if value in chosen]


class GoodPracticeFilter(django_filters.FilterSet):
    """The good practices' list: by country (those of the project's cases), stage, instrument,
    and words."""

    q = django_filters.CharFilter(
        method="search",
        label=pgettext_lazy("filter: words to look for", "Search"),
        help_text=_("Title, contracting authority, sector or results"),
    )
    country = django_filters.ChoiceFilter(
        choices=[],
        label=_("Country"),
        empty_label=pgettext_lazy("filter: any country", "All"),
    )
    stage = django_filters.ChoiceFilter(
        choices=GoodPractice.Stage.choices,
        label=_("Procurement stage"),
        empty_label=pgettext_lazy("filter: any procurement stage", "All"),
    )
    instrument = django_filters.ChoiceFilter(
        choices=GoodPractice.Instrument.choices,
        method="using_instrument",
        label=_("SRPP instrument"),
        empty_label=pgettext_lazy("filter: any SRPP instrument", "All"),
    )

    class Meta:
        model = GoodPractice
        fields: list[str] = []

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the countries the project has cases from: one query, whatever the list's length.
        codes = (
            GoodPractice.objects.filter(project=project)
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
        names = sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])
        self.filters["country"].extra["choices"] = names

    def search(
        self, queryset: QuerySet[GoodPractice], name: str, value: str
    ) -> QuerySet[GoodPractice]:
        return queryset.filter(
            Q(title__icontains=value)
            | Q(contracting_authority__icontains=value)
            | Q(sector__icontains=value)
            | Q(results__icontains=value)
        )

    def using_instrument(
        self, queryset: QuerySet[GoodPractice], name: str, value: str
    ) -> QuerySet[GoodPractice]:
        # The instruments are a JSON list of codes. `contains` on a JSON field is not there on
        # SQLite; the code in its quotes, in the list's text, is the same test on every
        # database (no code is part of another one's quoted form).
        return queryset.filter(instruments__icontains=f'"{value}"')
