"""django-filter FilterSets for the long lists; each is built on a queryset already limited to
one project, and receives the project so its choices stay inside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.models import (
    Deliverable,
    DeliverableQuerySet,
    Level,
    Notification,
    Partner,
    Project,
    Risk,
    WorkPackage,
)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting with a tie-breaker: many deliverables share a due date or a status, and without one
    a paginated list may show a row on two pages and another on none."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "sort_key", "pk") if value else qs


class ProjectFilterSet(django_filters.FilterSet):
    def __init__(self, *args: Any, project: Project, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.today = project, today
        partners = Partner.objects.filter(project=project).select_related("organisation")
        work_packages = WorkPackage.objects.filter(project=project)
        for name, field in self.filters.items():
            if name in {"lead", "owner"}:
                field.queryset = partners
            elif name in {"work_package", "work_packages"}:
                field.queryset = work_packages


class DeliverableFilter(ProjectFilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=pgettext_lazy("filter: words to look for", "Search"),
        help_text=_("Number, title or description"),
    )
    work_package = django_filters.ModelChoiceFilter(
        queryset=WorkPackage.objects.none(),
        label=_("Work package"),
        empty_label=pgettext_lazy("filter: any work package", "All"),
    )
    lead = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.none(),
        label=_("Lead partner"),
        empty_label=pgettext_lazy("filter: any lead partner", "All"),
    )
    status = django_filters.ChoiceFilter(
        choices=Deliverable.Status.choices,
        label=pgettext_lazy("deliverable", "Status"),
        empty_label=pgettext_lazy("filter: any status", "All"),
    )
    type = django_filters.ChoiceFilter(
        choices=Deliverable.Type.choices,
        label=pgettext_lazy("deliverable", "Type"),
        empty_label=pgettext_lazy("filter: any type", "All"),
    )
    dissemination = django_filters.ChoiceFilter(
        choices=Deliverable.Dissemination.choices,
        label=_("Dissemination level"),
        empty_label=pgettext_lazy("filter: any dissemination level", "All"),
    )
    due_after = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="gte",
        label=_("Due from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_before = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label=_("Due until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        method="only_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )
    sort = StableOrderingFilter(
        fields=(
            ("sort_key", "number"),
            ("due_date", "due"),
            ("status", "status"),
            ("title", "title"),
        ),
        field_labels={
            "sort_key": pgettext_lazy("sort by", "Number"),
            "due_date": _("Due date"),
            "status": pgettext_lazy("sort by", "Status"),
            "title": pgettext_lazy("sort by", "Title"),
        },
        label=_("Sort by"),
        empty_label=pgettext_lazy("sort by", "Number"),
    )

    class Meta:
        model = Deliverable
        fields: list[str] = []

    def search(
        self, queryset: QuerySet[Deliverable], name: str, value: str
    ) -> QuerySet[Deliverable]:
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def only_overdue(
        self, queryset: DeliverableQuerySet, name: str, value: bool
    ) -> DeliverableQuerySet:
        return queryset.overdue(self.today) if value else queryset


class RiskFilter(ProjectFilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=pgettext_lazy("filter: words to look for", "Search"),
        help_text=_("Title or description"),
    )
    status = django_filters.ChoiceFilter(
        choices=Risk.Status.choices,
        label=pgettext_lazy("risk", "Status"),
        empty_label=pgettext_lazy("filter: any status", "All"),
    )
    category = django_filters.ChoiceFilter(
        choices=Risk.Category.choices,
        label=pgettext_lazy("risk", "Category"),
        empty_label=pgettext_lazy("filter: any category", "All"),
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.none(),
        label=pgettext_lazy("risk", "Owner"),
        empty_label=pgettext_lazy("filter: any owner", "All"),
    )
    work_packages = django_filters.ModelChoiceFilter(
        queryset=WorkPackage.objects.none(),
        label=_("Work package"),
        empty_label=pgettext_lazy("filter: any work package", "All"),
    )
    likelihood = django_filters.ChoiceFilter(
        choices=Level.choices,
        label=pgettext_lazy("risk", "Likelihood"),
        empty_label=pgettext_lazy("filter: any likelihood", "All"),
    )
    impact = django_filters.ChoiceFilter(
        choices=Level.choices,
        label=pgettext_lazy("risk", "Impact"),
        empty_label=pgettext_lazy("filter: any impact", "All"),
    )

    class Meta:
        model = Risk
        fields: list[str] = []

    def search(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class NotificationFilter(django_filters.FilterSet):
    """The inbox's filters: unread only, one project (of the reader's), one kind."""

    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        label=_("Unread only"),
        widget=forms.CheckboxInput,
    )
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.none(),
        label=_("Project"),
        empty_label=pgettext_lazy("filter: any project", "All"),
    )
    kind = django_filters.ChoiceFilter(
        choices=Notification.Kind.choices,
        label=pgettext_lazy("filter: what a notification is about", "Kind"),
        empty_label=pgettext_lazy("filter: any kind", "All"),
    )

    class Meta:
        model = Notification
        fields = ("unread", "project", "kind")

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["project"].queryset = projects

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # An unticked box means "all", not "read only".
        if not self.form.cleaned_data.get("unread"):
            self.form.cleaned_data["unread"] = None
        return super().filter_queryset(queryset)
