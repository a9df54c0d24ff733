"""Queries on other apps' pages: the project dashboard's queries panel (a higher app's panel on a
lower app's page, as events_tags.project_events_panel is), and the "Query open" mark on any
figure with a query not yet closed, wherever the figure is shown.

Marking figures costs one query per page, however many figures it shows: the page's records
with a query not yet closed are read once (`open_query_subjects`), by the view into the context
as `open_queries`, or else by the first `{% query_mark %}` of the page, which keeps them for the
rest of the render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from impact.forms.queries import query_create_url as _query_create_url
from impact.forms.queries import subject_label
from impact.models import DataQuery, QueryMessage
from impact.permissions import can_close_query
from projects.models import Partner, Project, current_period
from projects.permissions import Access

register = template.Library()

PANEL_ROWS = 10

# (the record's model label, its pk): what `open_query_subjects` keys its records by.
type SubjectKey = tuple[str, int]


@register.inclusion_tag("impact/includes/queries_panel.html")
def impact_queries_panel(access: Access, today: dt.date) -> dict[str, Any]:
    """The queries waiting for the viewer. A partner: the open queries assigned to its
    organisation, to answer, and the way to its values of the current reporting period. The
    coordinator: the answered queries, to close. Observers: nothing. One query with a limit (a
    partner two: the period), none for an observer, whatever the number of queries."""
    project = access.project
    context: dict[str, Any] = {"project": project, "show_open": False, "show_answered": False}
    queries = DataQuery.objects.filter(project=project).select_related("subject_type")
    if can_close_query(access):
        answered_at = (
            QueryMessage.objects.filter(query=OuterRef("pk"), kind=QueryMessage.Kind.ANSWER)
            .order_by("-at", "-pk")
            .values("at")[:1]
        )
        rows = list(
            queries.filter(status=DataQuery.Status.ANSWERED)
            .select_related("assigned_to__organisation")
            .annotate(answered_at=Subquery(answered_at))
            .order_by("answered_at", "pk")[: PANEL_ROWS + 1]
        )
        context.update(show_answered=True, answered=rows[:PANEL_ROWS], more=len(rows) > PANEL_ROWS)
    elif access.is_partner and access.partner_id is not None:
        rows = list(
            queries.filter(status=DataQuery.Status.OPEN, assigned_to_id=access.partner_id).order_by(
                "raised_at", "pk"
            )[: PANEL_ROWS + 1]
        )
        context.update(show_open=True, open=rows[:PANEL_ROWS], more=len(rows) > PANEL_ROWS)
        partner = access.membership.partner
        period = current_period(project, today)
        if partner is not None and period is not None:
            context["entry_url"] = reverse(
                "impact:value_entry", args=[project.slug, partner.number, period.number]
            )
            context["entry_period"] = period
    return context


def open_query_subjects(project: Project) -> dict[SubjectKey, int]:
    """The records of `project` with a query not yet closed (open or answered), each with the
    pk of its oldest such query: {("procurement.clauseoutcome", 12): 3}. One query (keyed by
    the model's label rather than its content type's id, so nothing else is looked up)."""
    rows = (
        DataQuery.objects.filter(project=project)
        .unresolved()
        .order_by("-raised_at", "-pk")  # newest first: the oldest is written last, and stays
        .values_list("subject_type__app_label", "subject_type__model", "subject_id", "pk")
    )
    return {(f"{app}.{model}", subject_id): pk for app, model, subject_id, pk in rows}


def _key(record: models.Model) -> SubjectKey:
    return (subject_label(record), record.pk)


@register.filter
def has_open_query(record: models.Model | None, open_queries: dict[SubjectKey, int]) -> bool:
    """{% if value|has_open_query:open_queries %}: whether the record has a query not yet
    closed, given the page's `open_queries` (open_query_subjects)."""
    return record is not None and _key(record) in (open_queries or {})


# Where the first mark of a page keeps what it read, for the rest of the render: the render
# context is shared by the page, its parents ({% extends %}) and its includes.
_CACHE = "impact_tags.open_queries"


def _page_open_queries(context: template.Context, project: Project) -> dict[SubjectKey, int]:
    given = context.get("open_queries")
    if given is not None:
        return given
    render_context: Any = context.render_context  # typed by django-stubs for Django's own keys
    cache: dict[int, dict[SubjectKey, int]] = render_context.setdefault(_CACHE, {})
    if project.pk not in cache:
        cache[project.pk] = open_query_subjects(project)
    return cache[project.pk]


@register.simple_tag(takes_context=True)
def query_mark(context: template.Context, record: models.Model | None) -> SafeString | str:
    """{% query_mark record %}: a "Query open" link to the record's oldest query not yet closed,
    or nothing. Written out, not a colour only. Needs `project` in the context."""
    project = context.get("project")
    if record is None or project is None:
        return ""
    pk = _page_open_queries(context, project).get(_key(record))
    if pk is None:
        return ""
    return format_html(
        '<a class="badge badge-medium query-mark" href="{}">{}<span class="visually-hidden">'
        " ({})</span></a>",
        reverse("impact:query_detail", args=[project.slug, pk]),
        gettext("Query open"),
        gettext("query %(number)s") % {"number": pk},
    )


@register.simple_tag
def query_create_url(
    project: Project, record: models.Model, check: str = "", partner: Partner | None = None
) -> str:
    """{% query_create_url project record check=finding.code partner=p as url %}: the link
    that opens the form raising a query about `record` (impact.forms.queries.query_create_url)."""
    return _query_create_url(project, record, check_code=check, partner=partner)
