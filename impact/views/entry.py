"""The entry page of one partner for one reporting period: every value the partner owes for the
period (the entered indicators it reports), each with its form or its saved figure, status and
evidence, and the computed indicators' figures for that partner and period, read-only, with
where they come from. A partner enters and submits its own values, the coordinator any
partner's; the coordinator alone validates them or sends them back with a comment (draft ->
submitted -> validated, as clause outcomes are reviewed in procurement/views/outcomes.py).

Every change made here returns to the entry page. A refused change shows the same page again:
the reason at the top and the posted form with its errors by the field (422), or the value as
someone else just left it (409). Correcting a draft has its own page (value_form.html).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from impact.computed import computed_values, source_url
from impact.evidence import accepts_evidence, add_value_evidence
from impact.forms.entry import IndicatorValueForm, ValueEvidenceForm, ValueSendBackForm
from impact.forms.queries import query_create_url
from impact.models import DataQuery, Indicator, IndicatorValue, PartnerTarget, ValueEvidence
from impact.permissions import (
    access_entry,
    access_value,
    access_value_evidence,
    can_enter_values,
    can_raise_query,
    can_validate_value,
)
from impact.views.quality import forgets_checks
from procurement.forms.outcomes import AGGREGATES_ONLY
from projects.files import check_upload, download_response
from projects.forms.versioned import VersionOnlyForm
from projects.models import Partner, ReportingPeriod, StaleEdit
from projects.permissions import Access

# Translated where they are shown (gettext), in the language of the person reading.
# Indicators on one page of the entry page.
INDICATORS_PER_PAGE = 10
EDIT_STALE_MESSAGE = gettext_noop(
    "Someone else saved this value while you were editing it. Your figures are below and are "
    "not saved: compare them with the saved ones, then save again to keep yours."
)
ENTERED_MEANWHILE_MESSAGE = gettext_noop(
    "Someone else entered this value after you opened the page. Your figures are below and are "
    "not saved: compare them with the saved ones, then save again to keep yours."
)
STALE_MESSAGE = gettext_noop(
    "Someone else changed this value after you opened the page. Nothing of yours was saved: "
    "check its current state below and try again."
)
ENTERERS_ONLY = gettext_noop(
    "Only the partner's own staff and the coordinator enter and submit its values."
)
COORDINATOR_ONLY = gettext_noop("Only the coordinator validates values or sends them back.")

# The badge each status wears (site.css): waiting for the coordinator, or on record.
STATUS_BADGES: dict[str, str] = {
    IndicatorValue.Status.DRAFT: "",
    IndicatorValue.Status.SUBMITTED: "badge-medium",
    IndicatorValue.Status.VALIDATED: "badge-ok",
}


def _ids(indicator: Indicator, form: str) -> str:
    """The HTML ids of one of a value's forms: the entry page shows a form or two for every
    indicator, and every field needs an id of its own."""
    return f"value-{indicator.code}-{form}-%s"


def entry_url(partner: Partner, period: ReportingPeriod, indicator: Indicator | None = None) -> str:
    """The entry page of `partner` for `period`, at `indicator`'s section when one is named (on
    the page of the entry page that holds it: `?indicator=`)."""
    url = reverse("impact:value_entry", args=[partner.project.slug, partner.number, period.number])
    if indicator is None:
        return url
    return f"{url}?{urlencode({'indicator': indicator.code})}#indicator-{indicator.code}"


def _value_url(value: IndicatorValue) -> str:
    return entry_url(value.partner, value.period, value.indicator)


def value_form(data: Any, value: IndicatorValue) -> IndicatorValueForm:
    """The form of `value` (a new one, or a copy of a stored one: after refused input the page
    still shows the stored figures), with the ids of its indicator's section."""
    return IndicatorValueForm(data, instance=value, auto_id=_ids(value.indicator, "value"))


def value_review(
    access: Access, value: IndicatorValue, *, open_queries: list[DataQuery], **bound: BaseForm
) -> dict[str, Any]:
    """The context of impact/includes/value_review.html for one saved value: its figures and
    evidence, its open queries, what the viewer may do now (and the link raising a query about
    it), and the forms for it, unbound unless a refused change passes its bound form by name
    (`send_back_form=`, `upload_form=`).

    No query of its own: `value.evidence` is prefetched (with the uploaders) and its indicator,
    partner and period are the page's."""
    enters = can_enter_values(access, value.partner)
    reviews = can_validate_value(access)
    is_submitted = value.status == IndicatorValue.Status.SUBMITTED
    is_open = not value.period.is_locked
    indicator = value.indicator
    initial = {"version": value.version}
    context: dict[str, Any] = {
        "value": value,
        "evidence": list(value.evidence.all()),
        "open_queries": open_queries,
        "status_badge": STATUS_BADGES.get(value.status, ""),
        "needs_evidence": value.is_editable and value.needs_evidence,
        "can_edit": enters and value.is_editable,
        # Submitting without the evidence the indicator asks for is refused (the model says
        # so): the button waits for the file.
        "can_submit": enters and value.is_editable and not value.needs_evidence,
        "can_validate": reviews and is_submitted and is_open,
        "can_send_back": reviews and is_submitted and is_open,
        "can_upload": enters and accepts_evidence(value),
        "can_raise_query": can_raise_query(access),
        "query_create_url": query_create_url(access.project, value),
        "is_waiting": is_submitted,
        "version_form": VersionOnlyForm(initial=initial, auto_id=_ids(indicator, "state")),
        "send_back_form": ValueSendBackForm(initial=initial, auto_id=_ids(indicator, "back")),
        "upload_form": ValueEvidenceForm(auto_id=_ids(indicator, "upload")),
    }
    context.update(bound)
    return context


@dataclass
class EntryRow:
    """One value the partner owes: its indicator, the partner's own target, and either the
    saved value's block (`review`) or, for those who enter the partner's values, the form of a
    new one (`form`); neither when someone who only reads finds nothing entered yet."""

    indicator: Indicator
    partner_target: Decimal | None
    review: dict[str, Any] | None
    form: IndicatorValueForm | None

    @property
    def breakdowns(self) -> list[str]:
        """The breakdowns the indicator asks for, by their names."""
        names = dict(Indicator.Disaggregation.choices)
        return [str(names[d]) for d in self.indicator.disaggregations or [] if d in names]


@dataclass
class ComputedRow:
    """A computed indicator's figure for the partner and period, and the page listing the
    records it counts (impact.computed.source_url)."""

    indicator: Indicator
    figure: Decimal
    source_url: str


def owed_indicators(partner: Partner) -> list[Indicator]:
    """The entered indicators `partner` reports, by code. One query."""
    indicators = list(
        Indicator.objects.filter(
            project_id=partner.project_id,
            source=Indicator.Source.ENTERED,
            reporting_partners=partner,
        )
        .select_related("work_package")
        .order_by("code")
    )
    for indicator in indicators:
        indicator.project = partner.project
    return indicators


def _computed_rows(partner: Partner, period: ReportingPeriod) -> list[ComputedRow]:
    """The computed indicators' figures for the partner and period: one query for the
    indicators, then computed_values' fixed number (the periods, one per source table)."""
    indicators = list(
        Indicator.objects.filter(
            project_id=partner.project_id, source=Indicator.Source.COMPUTED
        ).order_by("code")
    )
    if not indicators:
        return []
    for indicator in indicators:
        indicator.project = partner.project
    figures = computed_values(partner.project, indicators)
    return [
        ComputedRow(
            indicator=indicator,
            figure=figures.get((indicator.pk, partner.pk, period.pk), Decimal(0)),
            source_url=source_url(indicator, partner=partner, period=period),
        )
        for indicator in indicators
    ]


def _entry_page(
    request: AuthenticatedRequest,
    access: Access,
    partner: Partner,
    period: ReportingPeriod,
    *,
    status: int = 200,
    refused: list[str] | None = None,
    refused_indicator: Indicator | None = None,
    bound: dict[str, BaseForm] | None = None,
) -> HttpResponse:
    """The entry page; after a refused change, `refused` (the reasons, which head the page)
    about `refused_indicator`'s value, whose block shows the forms in `bound` (a new value's
    `form=`, a review's `send_back_form=` or `upload_form=`) with their errors by the field.

    A fixed number of queries however many indicators: the owed indicators, their values with
    the evidence and its uploaders, the partner's targets, the values' open queries, the
    periods and partners to move to, the computed indicators and their figures."""
    project = access.project
    indicators = owed_indicators(partner)
    evidence = ValueEvidence.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")
    values = {
        value.indicator_id: value
        for value in IndicatorValue.objects.filter(
            partner=partner, period=period, indicator__in=[i.pk for i in indicators]
        )
        .select_related("validated_by")
        .prefetch_related(Prefetch("evidence", evidence))
    }
    targets = dict(
        PartnerTarget.objects.filter(partner=partner, indicator__in=[i.pk for i in indicators])
        .order_by()  # the default ordering would join the indicators for their codes
        .values_list("indicator_id", "target")
    )
    queries: dict[int, list[DataQuery]] = {}
    if values:
        for query in (
            DataQuery.objects.filter(project=project)
            .unresolved()
            .filter(
                subject_type=ContentType.objects.get_for_model(IndicatorValue),
                subject_id__in=[v.pk for v in values.values()],
            )
            .order_by("raised_at", "pk")
        ):
            query.project = project
            queries.setdefault(query.subject_id, []).append(query)
    enters = can_enter_values(access, partner)
    bound = bound or {}
    # A page of indicators at a time (their forms are the page's cost); after a refused change,
    # the page that holds the refused indicator, whatever `?page=` said.
    asked = request.GET.get("page")
    wanted = refused_indicator.code if refused_indicator else request.GET.get("indicator")
    index = next((n for n, i in enumerate(indicators) if i.code == wanted), None)
    if index is not None:
        asked = str(index // INDICATORS_PER_PAGE + 1)
    entry_page = Paginator(indicators, INDICATORS_PER_PAGE).get_page(asked)
    query_params = request.GET.copy()
    query_params.pop("page", None)
    query_params.pop("indicator", None)
    rows: list[EntryRow] = []
    for indicator in entry_page.object_list:
        # The refused change's forms go to its own indicator's block only.
        mine = (
            bound if refused_indicator is not None and indicator.pk == refused_indicator.pk else {}
        )
        value = values.get(indicator.pk)
        review, form = None, None
        if value is not None:
            value.indicator, value.partner, value.period = indicator, partner, period
            extra = {name: f for name, f in mine.items() if name != "form"}
            review = value_review(access, value, open_queries=queries.get(value.pk, []), **extra)
        elif enters and not period.is_locked:
            posted = mine.get("form")
            form = (
                posted
                if isinstance(posted, IndicatorValueForm)
                else value_form(
                    None, IndicatorValue(indicator=indicator, partner=partner, period=period)
                )
            )
        rows.append(EntryRow(indicator, targets.get(indicator.pk), review, form))
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("number"))
    partners = list(
        Partner.objects.filter(project=project).select_related("organisation").order_by("number")
    )
    return render(
        request,
        "impact/value_entry.html",
        {
            "project": project,
            "access": access,
            "section": "impact",
            "subsection": "entry",
            "partner": partner,
            "period": period,
            "rows": rows,
            "entry_page": entry_page,
            "page_obj": entry_page,  # includes/pagination.html pages the indicators
            "query": query_params.urlencode(),
            "computed_rows": _computed_rows(partner, period),
            "periods": periods,
            "partners": partners,
            "can_enter": enters,
            "refused": refused,
            "refused_indicator": refused_indicator,
            "aggregates_only": AGGREGATES_ONLY,
        },
        status=status,
    )


def _reasons(form: BaseForm) -> list[str]:
    """Every message of a refused form, the field's and the form's, for the top of the page."""
    return [str(message) for errors in form.errors.values() for message in errors]


def _form_page(
    request: AuthenticatedRequest,
    access: Access,
    value: IndicatorValue,
    form: IndicatorValueForm,
    *,
    saved: IndicatorValue | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "impact/value_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "impact",
            "subsection": "entry",
            "value": value,
            "indicator": value.indicator,
            "form": form,
            "saved": saved,
            "entry_url": _value_url(value),
            "aggregates_only": AGGREGATES_ONLY,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forgets_checks
def value_entry(
    request: AuthenticatedRequest, slug: str, partner_number: int, period_number: int
) -> HttpResponse:
    """Every member reads the page; the partner's staff and the coordinator enter a new value
    on it (POST, naming the indicator), as a draft."""
    access, partner, period = access_entry(request.user, slug, partner_number, period_number)
    if request.method == "GET":
        return _entry_page(request, access, partner, period)
    access.require(can_enter_values(access, partner), gettext(ENTERERS_ONLY))
    indicator = {i.code: i for i in owed_indicators(partner)}.get(request.POST.get("indicator", ""))
    if indicator is None:
        raise Http404("Not a value this partner owes (unknown, computed, or reported by others).")
    form = value_form(
        request.POST, IndicatorValue(indicator=indicator, partner=partner, period=period)
    )
    existing = _existing(indicator, partner, period)
    if existing is None:
        if not form.is_valid():
            return _entry_page(
                request,
                access,
                partner,
                period,
                status=422,
                refused=_reasons(form),
                refused_indicator=indicator,
                bound={"form": form},
            )
        try:
            # History reasons are stored, so in English (marked for the page that translates).
            value = form.save_edit(reason=gettext_noop("Entered"))
        except StaleEdit:
            # The value was free when checked, then someone else's was saved.
            existing = _existing(indicator, partner, period)
        else:
            messages.success(
                request,
                gettext(
                    "%(code)s for RP%(number)s saved as a draft. Submit it when the figure is "
                    "final."
                )
                % {"code": indicator.code, "number": period.number},
            )
            return redirect(entry_url(partner, period, value.indicator))
    assert existing is not None
    if existing.is_editable:
        # Their input, against the value someone else saved: saving again, on the value's own
        # edit page, is a deliberate overwrite.
        form = form.against(copy.copy(existing), gettext(ENTERED_MEANWHILE_MESSAGE))
        return _form_page(request, access, existing, form, saved=existing, status=409)
    # Someone entered it and submitted it already: its state, and nothing of theirs saved.
    return _entry_page(
        request,
        access,
        partner,
        period,
        status=409,
        refused=[gettext(STALE_MESSAGE)],
        refused_indicator=indicator,
    )


def _existing(
    indicator: Indicator, partner: Partner, period: ReportingPeriod
) -> IndicatorValue | None:
    value = IndicatorValue.objects.filter(
        indicator=indicator, partner=partner, period=period
    ).first()
    if value is not None:
        value.indicator, value.partner, value.period = indicator, partner, period
    return value


def _not_editable_reason(value: IndicatorValue) -> str:
    # One whole sentence for each state, rather than a status name inside a sentence.
    if value.period.is_locked:
        return value.locked_message()
    if value.status == IndicatorValue.Status.VALIDATED:
        return gettext("The coordinator has validated this value: its figure is on record.")
    return gettext(
        "This value is submitted: its figure can be corrected again only if the coordinator "
        "sends it back."
    )


def _reload(value: IndicatorValue) -> None:
    """The value as it is stored now (a refused transition may have left its new state on the
    instance), keeping the indicator, partner and period access_value fetched with it."""
    indicator, partner, period = value.indicator, value.partner, value.period
    value.refresh_from_db()
    value.indicator, value.partner, value.period = indicator, partner, period


@login_required
@require_http_methods(["GET", "POST"])
@forgets_checks
def value_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Correct a draft's figures: the partner's staff and the coordinator. A submitted or
    validated value changes only after the coordinator sends it back; none of a locked period
    changes at all."""
    access, value = access_value(request.user, slug, pk)
    access.require(can_enter_values(access, value.partner), gettext(ENTERERS_ONLY))
    if not value.is_editable:
        messages.info(request, _not_editable_reason(value))
        return redirect(_value_url(value))
    form = value_form(request.POST or None, copy.copy(value))
    if request.method == "GET":
        return _form_page(request, access, value, form)
    if not form.is_valid():
        return _form_page(request, access, value, form, status=422)
    try:
        saved = form.save_edit(reason=gettext_noop("Edited"))
    except StaleEdit:
        # Their input again, against the current version: saving again is a deliberate
        # overwrite, not another refusal.
        _reload(value)
        form = form.against(copy.copy(value), gettext(EDIT_STALE_MESSAGE))
        return _form_page(request, access, value, form, saved=value, status=409)
    messages.success(
        request,
        gettext("%(code)s for RP%(number)s saved.")
        % {"code": saved.indicator.code, "number": saved.period.number},
    )
    return redirect(_value_url(value))


def _refused(
    request: AuthenticatedRequest,
    access: Access,
    value: IndicatorValue,
    form: BaseForm,
    *,
    status: int,
    **bound: BaseForm,
) -> HttpResponse:
    """A refused submit, validation, send-back or upload (nothing saved): the entry page with
    the reasons at the top and the posted form by the value (422); or, when someone changed it
    meanwhile, its current state (409)."""
    return _entry_page(
        request,
        access,
        value.partner,
        value.period,
        status=status,
        refused=_reasons(form),
        refused_indicator=value.indicator,
        bound=bound,
    )


@login_required
@require_POST
@forgets_checks
def value_submit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Send a draft to the coordinator for validation: the partner's staff and the coordinator.
    The figures are checked again, and the evidence the indicator asks for must be there."""
    access, value = access_value(request.user, slug, pk)
    access.require(can_enter_values(access, value.partner), gettext(ENTERERS_ONLY))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, value, form, status=422)
    try:
        value.submit(now=timezone.now(), expected_version=form.cleaned_data["version"])
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _refused(request, access, value, form, status=422)
    except StaleEdit:
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, value, form, status=409)
    messages.success(
        request,
        gettext("%(code)s for RP%(number)s submitted to the coordinator for validation.")
        % {"code": value.indicator.code, "number": value.period.number},
    )
    return redirect(_value_url(value))


@login_required
@require_POST
@forgets_checks
def value_validate(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Accept a submitted value: the coordinator. It then counts towards the indicator's
    progress and in the periodic report."""
    access, value = access_value(request.user, slug, pk)
    access.require(can_validate_value(access), gettext(COORDINATOR_ONLY))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, value, form, status=422)
    try:
        value.validate(
            by=request.user, now=timezone.now(), expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _refused(request, access, value, form, status=422)
    except StaleEdit:
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, value, form, status=409)
    messages.success(
        request,
        gettext("%(code)s for RP%(number)s validated.")
        % {"code": value.indicator.code, "number": value.period.number},
    )
    return redirect(_value_url(value))


@login_required
@require_POST
@forgets_checks
def value_send_back(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Return a submitted value to its partner as a draft, with a comment: the coordinator."""
    access, value = access_value(request.user, slug, pk)
    access.require(can_validate_value(access), gettext(COORDINATOR_ONLY))
    ids = _ids(value.indicator, "back")
    form = ValueSendBackForm(request.POST, auto_id=ids)
    if not form.is_valid():
        return _refused(request, access, value, form, status=422, send_back_form=form)
    try:
        value.send_back(
            comment=form.cleaned_data["comment"], expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        form.add_error(None, error)  # "comment" errors go to the comment field
        return _refused(request, access, value, form, status=422, send_back_form=form)
    except StaleEdit:
        _reload(value)
        # The comment is kept, against the version now shown: sending it again is deliberate.
        form = ValueSendBackForm(
            {"version": value.version, "comment": form.cleaned_data["comment"]}, auto_id=ids
        )
        form.is_valid()
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, value, form, status=409, send_back_form=form)
    messages.success(
        request,
        gettext("%(code)s for RP%(number)s sent back to %(partner)s with your comment.")
        % {"code": value.indicator.code, "number": value.period.number, "partner": value.partner},
    )
    return redirect(_value_url(value))


@login_required
@require_POST
@forgets_checks
def value_evidence_upload(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Add a file backing a value: the partner's staff and the coordinator, until the value is
    validated or its period locked."""
    access, value = access_value(request.user, slug, pk)
    access.require(can_enter_values(access, value.partner), gettext(ENTERERS_ONLY))
    form = ValueEvidenceForm(request.POST, request.FILES, auto_id=_ids(value.indicator, "upload"))
    if form.is_valid():
        try:
            checked = check_upload(form.cleaned_data["file"])
            evidence = add_value_evidence(value, checked, by=request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                gettext("%(file)s added to the evidence of %(code)s for RP%(number)s.")
                % {
                    "file": evidence.original_name,
                    "code": value.indicator.code,
                    "number": value.period.number,
                },
            )
            return redirect(_value_url(value))
    return _refused(request, access, value, form, status=422, upload_form=form)


@login_required
@require_GET
def value_evidence_download(
    request: AuthenticatedRequest, slug: str, pk: int, evidence_pk: int
) -> FileResponse:
    """An evidence file for every member of the project, as an attachment that the browser must
    not sniff or render."""
    _, evidence = access_value_evidence(request.user, slug, pk, evidence_pk)
    return download_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )
