"""The data-quality page: what the checks find (impact.checks) and the queries raised on figures,
with filters by partner, severity, status and rule, each finding linked to its record and, for
the coordinator, to raising a query about it. Every member reads it.

The checks run when the page is opened and their findings are kept for a minute (the cache,
per project, language and day; CHECKS_KEPT_FOR): everyone who opens the page in that minute
reads the same run, which the page dates, and "Check again" (`?fresh=1`) runs them at once. A
run is a fixed number of queries (22 at most: impact.checks.CONTEXT_QUERIES + RULE_QUERIES),
each returning only the rows that trip its rule; bench/checks.py measures it on a project far
bigger than any real one (50 indicators, 10 partners, 6 periods, 2,000 events, 500 tenders;
779 findings): 0.07-0.15 s on SQLite. Kept, a run costs the page ~2 ms instead: findings are kept
as `Flagged` rows (the message, the record's name and link, no model instances), which load in a
fraction of the run's time. A change to an entered value or a query forgets the project's runs
(impact.checks.forget_checks, called by IndicatorValue and DataQuery saves), so the finding a
partner corrects leaves the list at the next view; a change elsewhere (an outcome, an event)
shows within the minute, or at once with "Check again".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from events.models import Attendance
from impact.checks import (
    ERROR,
    RULES,
    RULES_BY_CODE,
    SEVERITIES,
    Finding,
    Rule,
    run_checks,
)
from impact.models import DataQuery, Indicator, IndicatorValue, checks_key, forget_checks
from impact.permissions import can_raise_query
from procurement.models import ClauseOutcome
from projects.models import Partner, Project, ReportingPeriod
from projects.paging import paginate
from projects.permissions import access_project

PAGE_SIZE = 50
QUERIES_PAGE = "queries_page"  # the queries' own page number: the findings have "page"
NOT_QUERIED = "none"


class QualityFilterForm(forms.Form):
    """?partner=<number>&severity=&status=&rule=, each checked against choices given (the
    partners already fetched: checking a choice costs no query)."""

    partner = forms.TypedChoiceField(
        label=pgettext_lazy("data-quality filter", "Partner"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Whose record it is; for a query, the partner it is assigned to."),
    )
    severity = forms.ChoiceField(
        label=pgettext_lazy("data-quality filter", "Severity"), required=False
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("data-quality filter", "Status"),
        required=False,
        help_text=_("Of the query about a finding: findings nobody has queried yet, or by status."),
    )
    rule = forms.ChoiceField(label=pgettext_lazy("data-quality filter", "Check"), required=False)

    def __init__(self, data: Any, *, partners: Sequence[Partner]) -> None:
        super().__init__(data)
        choices: dict[str, list[tuple[Any, Any]]] = {
            "partner": [("", gettext("All partners"))] + [(p.number, str(p)) for p in partners],
            "severity": [("", gettext("Errors and warnings"))]
            + [(code, label) for code, label in SEVERITIES.items()],
            "status": [
                ("", pgettext_lazy("data-quality filter: any status", "Any")),
                (NOT_QUERIED, gettext("Not queried yet")),
                *DataQuery.Status.choices,
            ],
            "rule": [("", gettext("Every check"))] + [(r.code, r.label) for r in RULES],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options


@dataclass(frozen=True)
class QueryRef:
    """The latest query about a finding's record and check."""

    pk: int
    status: str
    status_label: str
    url: str
    is_unresolved: bool  # open or answered: no second query while it runs


@dataclass(frozen=True)
class Flagged:
    """A finding as the page shows it, without model instances (so a run can be kept): the
    record named and linked, and its model and id for the queries about it."""

    code: str
    severity: str
    message: str
    subject_type: str  # "impact.indicatorvalue"
    subject_id: int
    record: str
    url: str
    partner_id: int | None
    period_id: int | None

    @property
    def rule(self) -> Rule:
        return RULES_BY_CODE[self.code]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class FindingRow:
    finding: Flagged
    record: str
    url: str
    partner: Partner | None
    period: ReportingPeriod | None
    query: QueryRef | None
    raise_url: str  # empty for a member who may not raise queries, or while one is open


def subject_key(subject: models.Model) -> str:
    """ "impact.indicatorvalue": how query_create's ?subject_type= names a record's model."""
    return subject._meta.label_lower


def record_label(subject: models.Model) -> str:
    if isinstance(subject, ClauseOutcome):
        return gettext("Tender %(tender)s: %(outcome)s") % {
            "tender": subject.clause.tender.reference,
            "outcome": subject,
        }
    return str(subject)


def record_url(
    finding: Finding,
    project: Project,
    partners: dict[int, Partner],
    periods: dict[int, ReportingPeriod],
) -> str:
    """Where the record is seen and corrected (the checks attached what these URLs read)."""
    subject = finding.subject
    slug = project.slug
    partner = partners.get(finding.partner_id or 0)
    period = periods.get(finding.period_id or 0)
    if isinstance(subject, IndicatorValue | Indicator) and partner and period:
        # An entered value, or one owed: the partner's entry page for the period lists it.
        return reverse("impact:value_entry", args=[slug, partner.number, period.number])
    if isinstance(subject, ClauseOutcome):
        tender = reverse("procurement:tender_detail", args=[slug, subject.clause.tender_id])
        return tender + "#outcomes-heading"
    if isinstance(subject, Attendance):
        return reverse("events:event_detail", args=[slug, subject.event_id])
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if get_url else ""


def latest_queries(project: Project) -> dict[tuple[str, int, str], QueryRef]:
    """The latest query about each (record, check) of the project: one query, narrow rows."""
    labels = dict(DataQuery.Status.choices)
    latest: dict[tuple[str, int, str], QueryRef] = {}
    rows = (
        DataQuery.objects.filter(project=project)
        .order_by("pk")
        .values_list(
            "pk", "subject_type__app_label", "subject_type__model", "subject_id", "check_code",
            "status",
        )
    )  # fmt: skip
    for pk, app_label, model, subject_id, check_code, status in rows:
        latest[(f"{app_label}.{model}", subject_id, check_code)] = QueryRef(
            pk=pk,
            status=status,
            status_label=str(labels[status]),
            is_unresolved=status in DataQuery.UNRESOLVED,
            url=reverse("impact:query_detail", args=[project.slug, pk]),
        )
    return latest


def _query_of(finding: Flagged, queries: dict[tuple[str, int, str], QueryRef]) -> QueryRef | None:
    return queries.get((finding.subject_type, finding.subject_id, finding.code))


def flagged(
    finding: Finding,
    project: Project,
    partners: dict[int, Partner],
    periods: dict[int, ReportingPeriod],
) -> Flagged:
    return Flagged(
        code=finding.code,
        severity=finding.severity,
        message=finding.message,
        subject_type=subject_key(finding.subject),
        subject_id=finding.subject.pk,
        record=record_label(finding.subject),
        url=record_url(finding, project, partners, periods),
        partner_id=finding.partner_id,
        period_id=finding.period_id,
    )


def forgets_checks(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view that changes what the checks read (a value, a query, an indicator): once its POST
    succeeds (below 400), the project's kept runs are forgotten."""

    @wraps(view)
    def changed(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, slug, *args, **kwargs)
        if request.method == "POST" and response.status_code < 400:
            forget_checks(slug)
        return response

    return changed


# How long a run of the checks is kept for the page (seconds).
CHECKS_KEPT_FOR = 60


def checked(
    project: Project,
    partners: dict[int, Partner],
    periods: dict[int, ReportingPeriod],
    *,
    now: dt.datetime,
    fresh: bool,
) -> tuple[list[Flagged], dt.datetime]:
    """The findings of the checks and when they ran: the run kept for this project, language and
    day if there is one (and `fresh` is not asked), else a new run, kept."""
    today = timezone.localdate(now)
    key = checks_key(project.slug, get_language() or "", today)
    kept = None if fresh else cache.get(key)
    if kept is not None:
        return kept
    findings = [flagged(f, project, partners, periods) for f in run_checks(project, today=today)]
    cache.set(key, (findings, now), CHECKS_KEPT_FOR)
    return findings, now


def chosen_findings(
    findings: list[Flagged],
    queries: dict[tuple[str, int, str], QueryRef],
    *,
    partner: Partner | None,
    severity: str,
    status: str,
    rule: str,
) -> list[Flagged]:
    def keep(f: Flagged) -> bool:
        if partner is not None and f.partner_id != partner.pk:
            return False
        if severity and f.severity != severity:
            return False
        if rule and f.code != rule:
            return False
        if status:
            query = _query_of(f, queries)
            return query is None if status == NOT_QUERIED else (query and query.status) == status
        return True

    return [f for f in findings if keep(f)]


def chosen_queries(
    project: Project, *, partner: Partner | None, severity: str, status: str, rule: str
) -> models.QuerySet[DataQuery]:
    rows = (
        DataQuery.objects.filter(project=project)
        .select_related("assigned_to__organisation", "subject_type")
        .order_by("-raised_at", "-pk")
    )
    if partner is not None:
        rows = rows.filter(assigned_to=partner)
    if severity:
        rows = rows.filter(check_code__in=[r.code for r in RULES if r.severity == severity])
    if status:
        rows = rows.none() if status == NOT_QUERIED else rows.filter(status=status)
    if rule:
        rows = rows.filter(check_code=rule)
    return rows


def raise_url(finding: Flagged, project: Project, partners: dict[int, Partner]) -> str:
    """impact:query_create, filled in from the finding."""
    params: dict[str, Any] = {
        "subject_type": finding.subject_type,
        "subject_id": finding.subject_id,
        "check": finding.code,
    }
    partner = partners.get(finding.partner_id or 0)
    if partner is not None:
        params["partner"] = partner.number
    return reverse("impact:query_create", args=[project.slug]) + "?" + urlencode(params)


def finding_row(
    finding: Flagged,
    project: Project,
    partners: dict[int, Partner],
    periods: dict[int, ReportingPeriod],
    queries: dict[tuple[str, int, str], QueryRef],
    *,
    may_raise: bool,
) -> FindingRow:
    query = _query_of(finding, queries)
    # A second query about the same finding only once the first is closed.
    raisable = may_raise and (query is None or not query.is_unresolved)
    return FindingRow(
        finding=finding,
        record=finding.record,
        url=finding.url,
        partner=partners.get(finding.partner_id or 0),
        period=periods.get(finding.period_id or 0),
        query=query,
        raise_url=raise_url(finding, project, partners) if raisable else "",
    )


@login_required
@require_GET
def data_quality(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    project = access.project
    # A fixed number of queries whatever the rows: session, user, member (3); the partners and
    # the periods (2); the checks (CONTEXT_QUERIES + RULE_QUERIES, none when a run is kept:
    # `checked`); the latest query of each
    # record (1); the queries shown, counted and one page of them (2).
    partners = list(
        Partner.objects.filter(project=project).select_related("organisation").order_by("number")
    )
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("number"))
    for partner_row in partners:
        partner_row.project = project
    for period in periods:
        period.project = project
    form = QualityFilterForm(request.GET or None, partners=partners)
    may_raise = can_raise_query(access)
    context: dict[str, Any] = {
        "project": project,
        "access": access,
        "section": "impact",
        "subsection": "quality",
        "form": form,
        "can_raise_query": may_raise,
        "findings_page": None,
    }
    if form.is_bound and not form.is_valid():
        return render(request, "impact/data_quality.html", context, status=422)
    chosen = form.cleaned_data if form.is_bound else {}
    partner = next((p for p in partners if p.number == chosen.get("partner")), None)
    filters = {
        "partner": partner,
        "severity": chosen.get("severity", ""),
        "status": chosen.get("status", ""),
        "rule": chosen.get("rule", ""),
    }

    by_id = {p.pk: p for p in partners}
    periods_by_id = {p.pk: p for p in periods}
    findings, checked_at = checked(
        project, by_id, periods_by_id, now=timezone.now(), fresh="fresh" in request.GET
    )
    queries = latest_queries(project)
    shown = chosen_findings(findings, queries, **filters)
    page, query_string = paginate(request, shown, PAGE_SIZE)
    query_string = "&".join(p for p in query_string.split("&") if p and not p.startswith("fresh="))
    page.object_list = [
        finding_row(f, project, by_id, periods_by_id, queries, may_raise=may_raise)
        for f in page.object_list
    ]

    queries_page = Paginator(chosen_queries(project, **filters), PAGE_SIZE).get_page(
        request.GET.get(QUERIES_PAGE)
    )
    for query in queries_page.object_list:
        query.project = project
    other = request.GET.copy()
    other.pop(QUERIES_PAGE, None)
    context.update(
        {
            "checked_at": checked_at,
            "findings_page": page,
            "page_obj": page,  # includes/pagination.html pages the findings
            "query": query_string,
            "finding_count": len(shown),
            "error_count": sum(1 for f in shown if f.is_error),
            "total_count": len(findings),
            "is_filtered": any(filters.values()),
            "queries_page": queries_page,
            "queries_query": other.urlencode(),
            "queries_page_name": QUERIES_PAGE,
            "rules": RULES,
        }
    )
    return render(request, "impact/data_quality.html", context)
