"""The tender register: the list with its filters and export, each tender's page (its lots,
clauses, contracts, outcomes and the plan actions that led to it), and recording, editing and
deleting tenders."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Field, Prefetch
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from procurement.filters import TenderFilter, register_rows
from procurement.forms.tenders import TenderEditForm, TenderForm
from procurement.models import (
    ClauseOutcome,
    Contract,
    Lot,
    OutcomeEvidence,
    PlanAction,
    SocialClause,
    Tender,
)
from procurement.permissions import (
    access_tender,
    can_change_tender,
    can_record,
    can_validate_outcome,
)
from procurement.views.outcomes import outcome_review
from procurement.workflows import delete_tender, record_tender, why_tender_stays
from projects.exports import FORMATS, CellValue, spreadsheet_response
from projects.history import history_entries
from projects.models import StaleEdit
from projects.paging import paginate
from projects.permissions import Access, access_project

PAGE_SIZE = 50
# Translated where it is shown (gettext), in the language of the person reading.
STALE_MESSAGE = gettext_noop(
    "Someone else saved this tender while you were editing it. Your changes are below and are "
    "not saved: compare them with the saved version, then save again to keep yours."
)


def _filtered(request: AuthenticatedRequest, access: Access) -> TenderFilter:
    return TenderFilter(
        request.GET or None, queryset=register_rows(access.project), project=access.project
    )


def _is_filtered(filterset: TenderFilter) -> bool:
    """Whether the list shows less than the whole register (a sort alone shows all of it)."""
    if not filterset.is_bound or not hasattr(filterset.form, "cleaned_data"):
        return False
    return any(value for name, value in filterset.form.cleaned_data.items() if name != "sort")


@login_required
@require_GET
def tender_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    filterset = _filtered(request, access)
    page, query = paginate(request, filterset.qs, PAGE_SIZE)
    return render(
        request,
        "procurement/tender_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "procurement",
            "subsection": "tenders",
            "filter": filterset,
            "page_obj": page,
            "query": query,
            "is_filtered": _is_filtered(filterset),
            "can_record": can_record(access),
        },
    )


# The export's column headings, in the language of the person exporting (str() at the request).
EXPORT_HEADER = [
    pgettext_lazy("column heading", "Reference"),
    pgettext_lazy("column heading", "Title"),
    pgettext_lazy("column heading", "Contracting authority"),
    pgettext_lazy("column heading", "Recorded by"),
    pgettext_lazy("column heading", "Procedure"),
    pgettext_lazy("column heading", "Status"),
    pgettext_lazy("column heading", "Main CPV code"),
    pgettext_lazy("column heading", "CPV codes"),
    pgettext_lazy("column heading", "Estimated value (EUR)"),
    pgettext_lazy("column heading", "Publication date"),
    pgettext_lazy("column heading", "Award date"),
    pgettext_lazy("column heading", "Reserved lots"),
    pgettext_lazy("column heading", "Social clauses"),
    pgettext_lazy("column heading", "Work package"),
    pgettext_lazy("column heading", "Notice address"),
]


def _export_row(t: Tender, *, yes: str, no: str) -> list[CellValue]:
    return [
        t.reference,
        t.title,
        t.authority.short_name,
        str(t.recorded_by),
        t.get_procedure_display(),
        t.get_status_display(),
        t.main_cpv,
        ", ".join(t.cpv_codes),
        t.estimated_value,
        t.publication_date,
        t.award_date,
        # Annotated by register_rows.
        yes if cast(Any, t).has_reserved_lot else no,
        cast(Any, t).clause_count,
        t.work_package.code if t.work_package else "",
        t.notice_url,
    ]


@login_required
@require_GET
def tender_export(
    request: AuthenticatedRequest, slug: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """Exactly what the list shows with the same filters and sort, every page of it."""
    access = access_project(request.user, slug)
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    rows = _filtered(request, access).qs.iterator(chunk_size=500)
    yes, no = pgettext("a lot is reserved", "Yes"), pgettext("no lot is reserved", "No")
    return spreadsheet_response(
        fmt,
        filename=f"{access.project.acronym}-tenders-{timezone.localdate():%Y-%m-%d}",
        title=gettext("Tenders"),
        header=[str(column) for column in EXPORT_HEADER],
        rows=(_export_row(t, yes=yes, no=no) for t in rows),
    )


@login_required
@require_http_methods(["GET", "POST"])
def tender_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(can_record(access), gettext("Observers cannot record tenders."))
    form = TenderForm(request.POST or None, instance=Tender(project=access.project), access=access)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                tender = record_tender(form.save(commit=False))
            except StaleEdit:
                # The reference was free when checked, then someone else's tender took it.
                form.add_error(
                    "reference", gettext("Someone else recorded this reference a moment ago.")
                )
                status = 409
            else:
                messages.success(
                    request,
                    gettext("%(reference)s added to the register.")
                    % {"reference": tender.reference},
                )
                return redirect(tender)
    return render(
        request,
        "procurement/tender_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "procurement",
            "subsection": "tenders",
            "form": form,
        },
        status=status,
    )


@dataclass
class OutcomeRow:
    """An outcome on the tender's page, and what the reader may do with it there."""

    outcome: ClauseOutcome
    may_edit: bool  # a draft, and the reader keeps the tender
    may_review: bool  # submitted, and the reader validates outcomes
    review: dict[str, Any]  # procurement/includes/outcome_review.html's context (views.outcomes)


@dataclass
class ClauseRow:
    """A clause on the tender's page, with its outcomes period by period."""

    clause: SocialClause
    outcomes: list[OutcomeRow] = field(default_factory=list)
    # Outcomes are reported once a contract is awarded for the clause's lot (any lot, for a
    # clause on the whole tender): ClauseOutcome.clean refuses them before.
    has_contract: bool = False


@dataclass
class LotRow:
    lot: Lot
    contract: Contract | None
    clauses: list[ClauseRow] = field(default_factory=list)


def _parts(
    access: Access, tender: Tender, *, can_change: bool, can_validate: bool
) -> tuple[list[LotRow], list[ClauseRow]]:
    """The tender's lots (with their contracts and clauses) and the clauses on the whole tender:
    four queries, whatever their numbers (lots with contracts and suppliers, clauses,
    outcomes with their periods and validators, the outcomes' evidence)."""
    lots = list(Lot.objects.filter(tender=tender).select_related("contract__supplier"))
    rows = {}
    for lot in lots:
        lot.tender = tender
        try:
            contract: Contract | None = lot.contract  # fetched with the lot: no query
        except Contract.DoesNotExist:
            contract = None
        rows[lot.pk] = LotRow(lot=lot, contract=contract)
    any_contract = any(row.contract for row in rows.values())
    whole_tender: list[ClauseRow] = []
    clauses: dict[int, ClauseRow] = {}
    for clause in SocialClause.objects.filter(tender=tender).order_by("lot__number", "pk"):
        clause.tender = tender
        if clause.lot_id is None:
            clause.lot = None
            row = ClauseRow(clause=clause, has_contract=any_contract)
            whole_tender.append(row)
        else:
            lot_row = rows[clause.lot_id]
            clause.lot = lot_row.lot
            row = ClauseRow(clause=clause, has_contract=lot_row.contract is not None)
            lot_row.clauses.append(row)
        clauses[clause.pk] = row
    outcomes = (
        ClauseOutcome.objects.filter(clause__tender=tender)
        .select_related("period", "validated_by")
        .prefetch_related(
            Prefetch("evidence", OutcomeEvidence.objects.select_related("uploaded_by"))
        )
    )
    for outcome in outcomes.order_by("clause", "period__number"):
        outcome.period.project = tender.project
        row = clauses[outcome.clause_id]
        outcome.clause = row.clause
        submitted = outcome.status == ClauseOutcome.Status.SUBMITTED
        row.outcomes.append(
            OutcomeRow(
                outcome=outcome,
                may_edit=can_change and outcome.is_editable,
                may_review=can_validate and submitted,
                review=outcome_review(access, outcome),
            )
        )
    return list(rows.values()), whole_tender


@login_required
@require_GET
def tender_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, tender = access_tender(request.user, slug, pk)
    can_change, can_validate = can_change_tender(access, tender), can_validate_outcome(access)
    lots, whole_tender = _parts(access, tender, can_change=can_change, can_validate=can_validate)
    actions = list(
        PlanAction.objects.filter(tender=tender)
        .select_related("plan__partner__organisation", "plan__adopted_at")
        .order_by("plan__pk", "number")
    )
    return render(
        request,
        "procurement/tender_detail.html",
        {
            "project": access.project,
            "access": access,
            "section": "procurement",
            "subsection": "tenders",
            "tender": tender,
            "lots": lots,
            # The clauses on the whole tender first, then each lot's (empty groups are skipped).
            "clause_groups": [(None, whole_tender)] + [(row.lot, row.clauses) for row in lots],
            "has_clauses": bool(whole_tender) or any(row.clauses for row in lots),
            "actions": actions,
            "can_change": can_change,
            "history": history_entries(tender),
        },
    )


def _saved_facts(tender: Tender) -> list[tuple[str, Any]]:
    """What is stored now, for the fields of the edit form: shown next to refused input, each
    named as the form names it (the field's verbose name)."""

    def label(name: str) -> str:
        model_field = Tender._meta.get_field(name)
        assert isinstance(model_field, Field)  # a field of the model's own
        return capfirst(str(model_field.verbose_name))

    return [
        (label("reference"), tender.reference),
        (label("title"), tender.title),
        (label("authority"), tender.authority),
        (label("recorded_by"), tender.recorded_by),
        (label("cpv_codes"), ", ".join(tender.cpv_codes)),
        (label("procedure"), tender.get_procedure_display()),
        (label("estimated_value"), tender.estimated_value),
        (label("status"), tender.get_status_display()),
        (label("publication_date"), tender.publication_date),
        (label("award_date"), tender.award_date),
        (label("notice_url"), tender.notice_url),
        (label("work_package"), tender.work_package),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def tender_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, tender = access_tender(request.user, slug, pk)
    access.require(
        can_change_tender(access, tender),
        gettext("Only the coordinator, the recording partner and the authority's staff edit it."),
    )
    # The form edits a copy: after refused input the page still names the stored tender.
    form = TenderEditForm(request.POST or None, instance=copy.copy(tender), access=access)
    context: dict[str, Any] = {
        "project": access.project,
        "access": access,
        "section": "procurement",
        "subsection": "tenders",
        "tender": tender,
        "form": form,
    }
    if request.method == "GET":
        return render(request, "procurement/tender_form.html", context)
    if not form.is_valid():
        return render(request, "procurement/tender_form.html", context, status=422)
    try:
        form.save_edit(reason=form.cleaned_data["change_reason"] or gettext_noop("Edited"))
    except StaleEdit:
        # Someone saved since this form was loaded. Show their version next to this user's
        # input, unsaved; the form now carries the current version, so saving again is a
        # deliberate choice to replace what the other person wrote.
        tender.refresh_from_db()
        access.require(
            can_change_tender(access, tender),
            gettext("The tender has been given to another partner."),
        )
        context.update(
            form=form.against(copy.copy(tender), gettext(STALE_MESSAGE)),
            saved=_saved_facts(tender),
        )
        return render(request, "procurement/tender_form.html", context, status=409)
    messages.success(request, gettext("%(reference)s saved.") % {"reference": tender.reference})
    return redirect(tender)


@login_required
@require_http_methods(["GET", "POST"])
def tender_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Delete a tender recorded by mistake, after a confirmation page (GET)."""
    access, tender = access_tender(request.user, slug, pk)
    access.require(
        can_change_tender(access, tender),
        gettext("Only the coordinator, the recording partner and the authority's staff delete it."),
    )
    context = {
        "project": access.project,
        "access": access,
        "section": "procurement",
        "subsection": "tenders",
        "tender": tender,
    }
    if request.method == "POST":
        try:
            delete_tender(tender)
        except ValidationError as error:
            # The page says why, and offers no button any more.
            context["refusal"] = error.messages[0]
            return render(request, "procurement/tender_confirm_delete.html", context, status=409)
        messages.success(
            request, gettext("%(reference)s deleted.") % {"reference": tender.reference}
        )
        return redirect("procurement:tender_list", access.project.slug)
    context.update(
        refusal=why_tender_stays(tender),
        counts={
            "lots": tender.lots.count(),
            "clauses": tender.clauses.count(),
            "contracts": Contract.objects.filter(lot__tender=tender).count(),
            "outcomes": ClauseOutcome.objects.filter(clause__tender=tender).count(),
        },
    )
    return render(request, "procurement/tender_confirm_delete.html", context)
