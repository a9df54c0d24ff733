"""The impact page (every indicator against its target, by partner and by period, with a chart
and its table each), an indicator's page (its definition, targets, every figure with its status,
and the records behind the computed ones), the export of every value, and defining indicators.

Every member reads; the coordinator defines and edits indicators (impact.permissions)."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from impact.computed import (
    MEASURE_RULES,
    computed_values,
    indicator_progress,
    participant_breakdowns,
    progress_chart,
    progress_prefetches,
    queried_values,
    source_records,
)
from impact.forms.indicators import (
    BasePartnerTargetFormSet,
    IndicatorForm,
    partner_targets,
    project_partners,
)
from impact.models import Indicator, IndicatorValue
from impact.permissions import access_indicator, can_define_indicators, can_enter_values
from impact.views.quality import forgets_checks
from projects.exports import FORMATS, CellValue, spreadsheet_response
from projects.history import history_entries
from projects.models import Partner, Project, ReportingPeriod, StaleEdit
from projects.paging import paginate
from projects.permissions import Access, access_project

M = Indicator.Measure
# Translated where it is shown (gettext), in the language of the person reading.
STALE_MESSAGE = gettext_noop(
    "Someone else saved this indicator while you were editing it. Your changes are below and "
    "are not saved: compare them with the indicator's page, then save again to keep yours."
)
COORDINATOR_ONLY = gettext_noop("Only the coordinator defines the project's indicators.")
# Charts on one page of the impact page.
CHARTS_PER_PAGE = 10
# The records listed under an indicator's figures, at most (the rest are counted).
SOURCES_SHOWN = 200


def _context(access: Access, **context: Any) -> dict[str, Any]:
    return {
        "project": access.project,
        "access": access,
        "section": "impact",
        "subsection": "indicators",
        **context,
    }


def _chosen(partners: Sequence[Partner], number: str | None) -> Partner | None:
    return next((p for p in partners if str(p.number) == number), None)


@login_required
@require_GET
def impact_overview(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    project = access.project
    # A fixed number of queries, whatever the number of indicators, partners and periods:
    # session, user, member; the partners (the filter's choices); the indicators with their
    # reporting partners and targets (3); indicator_progress's partners, periods, entered
    # values and their open queries (4); and computed_values' (at most 6).
    partners = list(project_partners(project))
    partner = _chosen(partners, request.GET.get("partner"))
    progress = indicator_progress(project, partner=partner)
    # Every indicator at a glance; the charts a page at a time.
    charts_page, query = paginate(request, progress, CHARTS_PER_PAGE)
    charts_page.object_list = [(p, progress_chart(p)) for p in charts_page.object_list]
    return render(
        request,
        "impact/impact_overview.html",
        _context(
            access,
            partners=partners,
            partner=partner,
            rows=progress,
            progress_rows=progress,
            charts_page=charts_page,
            query=query,
            enterable={p.pk for p in partners if can_enter_values(access, p)},
            can_define=can_define_indicators(access),
        ),
    )


@login_required
@require_GET
def indicator_detail(request: AuthenticatedRequest, slug: str, code: str) -> HttpResponse:
    access, indicator = access_indicator(request.user, slug, code)
    project = access.project
    prefetch_related_objects([indicator], *progress_prefetches())
    (progress,) = indicator_progress(project, indicators=[indicator])
    # ?partner=<number>&period=<number>: the records behind one figure (a number the page does
    # not know chooses nothing).
    partners = [row.partner for row in progress.partners if row.partner is not None]
    partner = _chosen(partners, request.GET.get("partner"))
    period = next(
        (p.period for p in progress.periods if str(p.period.number) == request.GET.get("period")),
        None,
    )
    records = source_records(indicator, partner=partner, period=period)
    enterable = {p.pk for p in partners if can_enter_values(access, p)}
    return render(
        request,
        "impact/indicator_detail.html",
        _context(
            access,
            indicator=indicator,
            progress=progress,
            chart=progress_chart(progress),
            rule=MEASURE_RULES.get(indicator.measure, ""),
            breakdowns=[
                Indicator.Disaggregation(d).label
                for d in indicator.disaggregations or []
                if d in Indicator.Disaggregation.values
            ],
            source_partner=partner,
            source_period=period,
            sources=records[:SOURCES_SHOWN],
            sources_total=len(records),
            sources_sum=sum((r.amount for r in records), Decimal(0)),
            sources_more=max(0, len(records) - SOURCES_SHOWN),
            breakdowns_of_participants=(
                participant_breakdowns(records) if indicator.measure == M.PARTICIPANTS else []
            ),
            enterable=enterable,
            can_define=can_define_indicators(access),
            history=history_entries(indicator),
        ),
    )


def _form_page(
    request: AuthenticatedRequest,
    access: Access,
    form: IndicatorForm,
    formset: BasePartnerTargetFormSet,
    *,
    indicator: Indicator | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "impact/indicator_form.html",
        _context(access, form=form, formset=formset, indicator=indicator),
        status=status,
    )


def _save(form: IndicatorForm, formset: BasePartnerTargetFormSet, *, reason: str) -> Indicator:
    """The indicator and its partners' targets, or nothing (StaleEdit). save_edit's conditional
    update locks the indicator's row until the transaction ends, so no other save interleaves."""
    with transaction.atomic():
        indicator: Indicator = form.save_edit(reason=reason)
        formset.instance = indicator
        formset.save()
    return indicator


@login_required
@require_http_methods(["GET", "POST"])
@forgets_checks
def indicator_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(can_define_indicators(access), gettext(COORDINATOR_ONLY))
    project = access.project
    partners = list(project_partners(project))
    data = request.POST if request.method == "POST" else None
    indicator = Indicator(project=project)
    form = IndicatorForm(data, instance=indicator, project=project)
    formset = partner_targets(data, indicator, partners)
    if request.method == "GET":
        return _form_page(request, access, form, formset)
    valid = form.is_valid()
    valid = formset.is_valid() and valid  # both validated, so that every error shows at once
    if not valid:
        return _form_page(request, access, form, formset, status=422)
    try:
        # History reasons are stored, so in English (marked for the page that translates them).
        indicator = _save(form, formset, reason=gettext_noop("Created"))
    except StaleEdit:
        # The code was free when checked, then someone else's indicator took it.
        form.add_error("code", form.code_taken(form.cleaned_data["code"]))
        return _form_page(request, access, form, formset, status=409)
    messages.success(request, gettext("%(code)s defined.") % {"code": indicator.code})
    return redirect(indicator)


@login_required
@require_http_methods(["GET", "POST"])
@forgets_checks
def indicator_edit(request: AuthenticatedRequest, slug: str, code: str) -> HttpResponse:
    access, indicator = access_indicator(request.user, slug, code)
    access.require(can_define_indicators(access), gettext(COORDINATOR_ONLY))
    project = access.project
    partners = list(project_partners(project))
    data = request.POST if request.method == "POST" else None
    # The form edits a copy: after refused input the page still names the stored indicator.
    form = IndicatorForm(data, instance=copy.copy(indicator), project=project)
    formset = partner_targets(data, indicator, partners)
    if request.method == "GET":
        return _form_page(request, access, form, formset, indicator=indicator)
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    if not valid:
        return _form_page(request, access, form, formset, indicator=indicator, status=422)
    try:
        saved = _save(form, formset, reason=gettext_noop("Edited"))
    except StaleEdit:
        # Someone saved since this form was loaded: their version stays, this input is shown
        # again over it, and the form now carries the current version, so saving again is a
        # deliberate overwrite.
        indicator.refresh_from_db()
        form = form.against(copy.copy(indicator), gettext(STALE_MESSAGE))
        formset = partner_targets(data, indicator, partners)
        formset.is_valid()
        return _form_page(request, access, form, formset, indicator=indicator, status=409)
    messages.success(request, gettext("%(code)s saved.") % {"code": saved.code})
    return redirect(saved)


# --- the export ---------------------------------------------------------------------------------

# The export's column headings, in the language of the person exporting (str() at the request).
EXPORT_HEADER = [
    pgettext_lazy("column heading", "Indicator"),
    pgettext_lazy("column heading", "Name"),
    pgettext_lazy("column heading", "Unit"),
    pgettext_lazy("column heading", "Source"),
    pgettext_lazy("column heading", "Partner"),
    pgettext_lazy("column heading", "Reporting period"),
    pgettext_lazy("column heading", "From"),
    pgettext_lazy("column heading", "To"),
    pgettext_lazy("column heading", "Value"),
    pgettext_lazy("column heading", "Status"),
    pgettext_lazy("column heading", "People"),
    pgettext_lazy("column heading", "Women"),
    pgettext_lazy("column heading", "Men"),
    pgettext_lazy("column heading", "Other or not stated"),
    pgettext_lazy("column heading", "Persons with disabilities"),
    pgettext_lazy("column heading", "Other disadvantaged persons"),
    pgettext_lazy("column heading", "Others"),
    pgettext_lazy("column heading", "Public authorities"),
    pgettext_lazy("column heading", "Social economy organisations"),
    pgettext_lazy("column heading", "Companies"),
    pgettext_lazy("column heading", "Organisations of persons with disabilities"),
    pgettext_lazy("column heading", "Procurement experts"),
    pgettext_lazy("column heading", "Other stakeholders"),
    pgettext_lazy("column heading", "Data source"),
    pgettext_lazy("column heading", "Collection method"),
    pgettext_lazy("column heading", "Note"),
    pgettext_lazy("column heading", "Open query"),
]


def _export_rows(project: Project) -> list[list[CellValue]]:
    """Every figure, indicator by indicator (in code order), partner by partner, period by
    period: the entered values in every status, and the computed figures of every partner and
    period with records behind them. Five queries and computed_values', whatever the size.

    Built whole while the request runs (a few thousand rows at most: indicators x partners x
    periods), so every label is in the language of the person exporting."""
    return list(_export_lines(project))


def _export_lines(project: Project) -> Iterator[list[CellValue]]:
    indicators = list(Indicator.objects.filter(project=project).order_by("code"))
    partners = {p.pk: p for p in project_partners(project)}
    periods = {p.pk: p for p in ReportingPeriod.objects.filter(project=project)}
    for period in periods.values():
        period.project = project
    computed = computed_values(project, indicators)
    queried = queried_values(project)
    entered: dict[int, list[IndicatorValue]] = {}
    for value in IndicatorValue.objects.filter(indicator__project=project).order_by(
        "indicator_id", "partner__number", "period__number"
    ):
        entered.setdefault(value.indicator_id, []).append(value)
    yes, no = pgettext("a figure has an open query", "Yes"), pgettext("no open query", "No")
    computed_label = pgettext("the source of a figure", "Computed")
    statuses = {key: str(label) for key, label in IndicatorValue.Status.choices}
    # Every label once, not once per row (a choice's label is translated each time it is read).
    partner_cells = {pk: str(p) for pk, p in partners.items()}
    unattributed = gettext("Not attributed")
    period_cells: dict[int, list[CellValue]] = {
        pk: [f"RP{p.number}", p.start_date, p.end_date] for pk, p in periods.items()
    }
    computed_by_indicator: dict[int, list[tuple[int | None, int]]] = {}
    for key in computed:
        computed_by_indicator.setdefault(key[0], []).append((key[1], key[2]))

    def head(about: list[CellValue], partner_id: int | None, period_id: int) -> list[CellValue]:
        partner = partner_cells.get(partner_id, unattributed) if partner_id else unattributed
        return [*about, partner, *period_cells[period_id]]

    def order(key: tuple[int | None, int]) -> tuple[int, int]:
        partner = partners.get(key[0]) if key[0] is not None else None
        return (partner.number if partner is not None else 10**6, periods[key[1]].number)

    for indicator in indicators:
        about: list[CellValue] = [
            indicator.code,
            indicator.name,
            indicator.get_unit_display(),
            indicator.get_source_display(),
        ]

        if indicator.is_computed:
            measure = str(indicator.get_measure_display())
            for partner_id, period_id in sorted(
                computed_by_indicator.get(indicator.pk, []), key=order
            ):
                yield [
                    *head(about, partner_id, period_id),
                    computed[(indicator.pk, partner_id, period_id)],
                    computed_label,
                    *[None] * 13,
                    measure,
                    "",
                    "",
                    "",
                ]
            continue
        for v in entered.get(indicator.pk, []):
            yield [
                *head(about, v.partner_id, v.period_id),
                v.value,
                statuses.get(v.status, v.status),
                v.headcount,
                v.women,
                v.men,
                v.gender_other,
                v.with_disabilities,
                v.other_disadvantaged,
                v.group_other,
                v.public_authorities,
                v.social_economy,
                v.companies,
                v.dpo,
                v.experts,
                v.other_stakeholders,
                v.data_source,
                v.collection_method,
                v.note,
                yes if v.pk in queried else no,
            ]


@login_required
@require_GET
def value_export(
    request: AuthenticatedRequest, slug: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """Every value of the project's indicators, entered and computed, as CSV or XLSX."""
    access = access_project(request.user, slug)
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    project = access.project
    return spreadsheet_response(
        fmt,
        filename=f"{project.acronym}-indicator-values-{timezone.localdate():%Y-%m-%d}",
        title=gettext("Indicator values"),
        header=[str(column) for column in EXPORT_HEADER],
        rows=_export_rows(project),
    )
