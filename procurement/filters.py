"""The register's filters, built on a queryset already limited to one project (register_rows).

The filters on lots and clauses ask `EXISTS (...)` of each tender instead of joining: a join
would repeat a tender once per matching clause, and would change the clause count the list
shows beside it.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from procurement.models import Lot, Reservation, SocialClause, Tender, TenderQuerySet
from projects.models import Organisation, Partner, Project, ReportingPeriod


def reserved_lots() -> QuerySet[Lot]:
    """The reserved lots of the tender in the outer query."""
    return Lot.objects.filter(tender=OuterRef("pk")).exclude(reservation=Reservation.NONE)


def register_rows(project: Project) -> TenderQuerySet:
    """The project's tenders as the register lists them: with their authority and recorder,
    `clause_count` (the social clauses of the tender and its lots) and `has_reserved_lot`,
    both computed by the database in the same query."""
    clause_count = (
        SocialClause.objects.filter(tender=OuterRef("pk"))
        .order_by()
        .values("tender")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Tender.objects.filter(project=project)
        .for_lists()
        .annotate(
            clause_count=Coalesce(Subquery(clause_count, output_field=IntegerField()), 0),
            has_reserved_lot=Exists(reserved_lots()),
        )
        .order_by(F("publication_date").desc(nulls_last=True), "reference", "pk")
    )


class TenderOrderingFilter(django_filters.OrderingFilter):
    """Sorting with a tie-breaker: many tenders share a status, an authority or a date, and
    without one a paginated list may show a row on two pages and another on none. Tenders
    without a date or value come last either way (databases disagree on where NULL sorts)."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        terms = [self.get_ordering_value(param) for param in value if param]
        ordering = [
            F(term[1:]).desc(nulls_last=True)
            if term.startswith("-")
            else F(term).asc(nulls_last=True)
            for term in terms
        ]
        return qs.order_by(*ordering, "reference", "pk")


class TenderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=pgettext_lazy("filter: words to look for", "Search"),
        help_text=_("Reference, title or contracting authority"),
    )
    authority = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(),
        label=_("Contracting authority"),
        empty_label=pgettext_lazy("filter: tenders of any contracting authority", "All"),
    )
    recorded_by = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.none(),
        label=_("Recorded by"),
        empty_label=pgettext_lazy("filter: tenders recorded by any partner", "All"),
    )
    status = django_filters.ChoiceFilter(
        choices=Tender.Status.choices,
        label=pgettext_lazy("tender", "Status"),
        empty_label=pgettext_lazy("filter: tenders of any status", "All"),
    )
    procedure = django_filters.ChoiceFilter(
        choices=Tender.Procedure.choices,
        label=pgettext_lazy("tender", "Procedure"),
        empty_label=pgettext_lazy("filter: tenders of any procedure", "All"),
    )
    reserved = django_filters.ChoiceFilter(
        method="only_reserved",
        choices=[
            ("yes", _("With a reserved lot")),
            ("no", _("No reserved lot")),
        ],
        label=_("Reservation"),
        empty_label=pgettext_lazy("filter: reserved or not", "All"),
    )
    category = django_filters.ChoiceFilter(
        method="with_clause",
        choices=SocialClause.Category.choices,
        label=_("Clause category"),
        empty_label=pgettext_lazy("filter: clauses of any category", "All"),
    )
    stage = django_filters.ChoiceFilter(
        method="with_clause",
        choices=SocialClause.Stage.choices,
        label=_("Clause stage"),
        empty_label=pgettext_lazy("filter: clauses at any stage", "All"),
    )
    cpv_division = django_filters.ChoiceFilter(
        choices=[],
        label=_("CPV division"),
        help_text=_("The first two digits of the main CPV code."),
        empty_label=pgettext_lazy("filter: any CPV division", "All"),
    )
    period = django_filters.ModelChoiceFilter(
        queryset=ReportingPeriod.objects.none(),
        method="published_in_period",
        label=_("Published in"),
        empty_label=pgettext_lazy("filter: published in any reporting period", "Any period"),
    )
    published_from = django_filters.DateFilter(
        field_name="publication_date",
        lookup_expr="gte",
        label=_("Published from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_until = django_filters.DateFilter(
        field_name="publication_date",
        lookup_expr="lte",
        label=_("Published until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = TenderOrderingFilter(
        fields=(
            ("publication_date", "published"),
            ("reference", "reference"),
            ("title", "title"),
            ("authority__short_name", "authority"),
            ("status", "status"),
            ("estimated_value", "value"),
            ("clause_count", "clauses"),
        ),
        field_labels={
            "publication_date": _("Publication date"),
            "reference": pgettext_lazy("sort by", "Reference"),
            "title": pgettext_lazy("sort by", "Title"),
            "authority__short_name": _("Contracting authority"),
            "status": pgettext_lazy("sort by", "Status"),
            "estimated_value": _("Estimated value"),
            "clause_count": _("Number of social clauses"),
        },
        label=_("Sort by"),
        empty_label=_("Latest published first"),
    )

    class Meta:
        model = Tender
        fields: list[str] = []

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        tenders = Tender.objects.filter(project=project)
        # Only the authorities and divisions the project's tenders have: short lists.
        self.filters["authority"].queryset = Organisation.objects.filter(
            Exists(tenders.filter(authority=OuterRef("pk")))
        ).order_by("short_name", "pk")
        self.filters["recorded_by"].queryset = Partner.objects.filter(
            project=project
        ).select_related("organisation")
        self.filters["period"].queryset = ReportingPeriod.objects.filter(project=project)
        divisions = (
            tenders.exclude(cpv_division="")
            .order_by("cpv_division")  # not the default ordering: it would join the DISTINCT
            .values_list("cpv_division", flat=True)
            .distinct()
        )
        self.filters["cpv_division"].extra["choices"] = [(d, d) for d in divisions]

    def search(self, queryset: QuerySet[Tender], name: str, value: str) -> QuerySet[Tender]:
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(authority__short_name__icontains=value)
            | Q(authority__legal_name__icontains=value)
        )

    def only_reserved(self, queryset: QuerySet[Tender], name: str, value: str) -> QuerySet[Tender]:
        reserved = Exists(reserved_lots())
        return queryset.filter(reserved if value == "yes" else ~reserved)

    def with_clause(self, queryset: QuerySet[Tender], name: str, value: str) -> QuerySet[Tender]:
        # Category and stage together ask for one clause that has both (a disability clause
        # as an award criterion), not for two clauses that have one each.
        data = self.form.cleaned_data
        if name == "stage" and data.get("category"):
            return queryset  # applied with the category
        conditions = {name: value}
        if name == "category" and data.get("stage"):
            conditions["stage"] = data["stage"]
        return queryset.filter(
            Exists(SocialClause.objects.filter(tender=OuterRef("pk"), **conditions))
        )

    def published_in_period(
        self, queryset: QuerySet[Tender], name: str, value: ReportingPeriod
    ) -> QuerySet[Tender]:
        value.project = self.project  # its dates are counted in the project's months
        return queryset.filter(publication_date__range=(value.start_date, value.end_date))
