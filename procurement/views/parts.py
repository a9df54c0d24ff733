"""The parts of a tender: adding, editing and deleting its lots and social clauses, and
recording the award (contract) of a lot. Everything here is for those who keep the tender
(can_change_tender); every member reads the result on the tender's page, where each save
returns."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from procurement.forms.parts import ClauseForm, ContractForm, LotForm
from procurement.models import Contract, Lot, SocialClause, Tender
from procurement.permissions import access_clause, access_lot, access_tender, can_change_tender
from projects.history import record_history
from projects.models import StaleEdit
from projects.permissions import Access

# Translated where it is shown (gettext), in the language of the person reading.
KEEPERS_ONLY = gettext_noop(
    "Only the coordinator and the staff of the partner that keeps this tender change it."
)
LOT_NUMBER_TAKEN = gettext_noop(
    "Someone else added a lot with this number while you were editing: choose another."
)
AWARD_RECORDED_MEANWHILE = gettext_noop(
    "Someone else recorded this lot's award while you were editing it. Nothing was saved: "
    "reload the page to see their version."
)


def _context(access: Access, tender: Tender, **extra: Any) -> dict[str, Any]:
    return {
        "project": access.project,
        "access": access,
        "section": "procurement",
        "subsection": "tenders",
        "tender": tender,
        **extra,
    }


def _require_keeper(access: Access, tender: Tender) -> None:
    access.require(can_change_tender(access, tender), gettext(KEEPERS_ONLY))


# --- lots -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lot_create(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, tender = access_tender(request.user, slug, pk)
    _require_keeper(access, tender)
    form = LotForm(request.POST or None, instance=Lot(tender=tender))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                lot = form.save_part(reason=gettext_noop("Added"))  # stored: English
            except StaleEdit:
                form.add_error("number", gettext(LOT_NUMBER_TAKEN))
                status = 409
            else:
                messages.success(
                    request,
                    gettext("Lot %(number)s added to %(reference)s.")
                    % {"number": lot.number, "reference": tender.reference},
                )
                return redirect(tender)
    return render(
        request, "procurement/lot_form.html", _context(access, tender, form=form), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def lot_edit(request: AuthenticatedRequest, slug: str, pk: int, number: int) -> HttpResponse:
    access, lot = access_lot(request.user, slug, pk, number)
    tender = lot.tender
    _require_keeper(access, tender)
    # The form edits a copy: after refused input the page still names the stored lot.
    form = LotForm(request.POST or None, instance=copy.copy(lot))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = form.save_part(reason=gettext_noop("Edited"))
            except StaleEdit:
                form.add_error("number", gettext(LOT_NUMBER_TAKEN))
                status = 409
            else:
                messages.success(
                    request, gettext("Lot %(number)s saved.") % {"number": saved.number}
                )
                if saved.reservation != lot.reservation and _award_lacks_share(saved):
                    messages.warning(
                        request,
                        gettext(
                            "Lot %(number)s is now reserved under Art. 20: record the share of "
                            "disabled or disadvantaged employees its supplier declared on the "
                            "award."
                        )
                        % {"number": saved.number},
                    )
                return redirect(tender)
    return render(
        request,
        "procurement/lot_form.html",
        _context(access, tender, form=form, lot=lot),
        status=status,
    )


def _award_lacks_share(lot: Lot) -> bool:
    """The lot, just reserved under Art. 20, has an award whose declared share Contract.clean
    would now refuse: the keeper is told to complete it."""
    contract = Contract.objects.filter(lot=lot).first()
    if contract is None:
        return False
    contract.lot = lot
    try:
        contract.clean()
    except ValidationError as error:
        return bool({"declared_share", "share_evidence"} & error.message_dict.keys())
    return False


@login_required
@require_http_methods(["GET", "POST"])
def lot_delete(request: AuthenticatedRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """Delete a lot entered by mistake, after a confirmation page (GET) that says what goes with
    it; a lot with an award or reported outcomes is kept, and the page says why."""
    access, lot = access_lot(request.user, slug, pk, number)
    tender = lot.tender
    _require_keeper(access, tender)
    blockers = lot.deletion_blockers()
    if request.method == "POST" and not blockers:
        record_history(lot, gettext_noop("Deleted"))
        lot.delete()
        messages.success(
            request,
            gettext("Lot %(number)s deleted from %(reference)s.")
            % {"number": lot.number, "reference": tender.reference},
        )
        return redirect(tender)
    context = _context(
        access,
        tender,
        lot=lot,
        blockers=blockers,
        clauses=list(lot.clauses.order_by("pk")),
    )
    # A refused POST is a conflict with what is on record, not bad input.
    status = 409 if request.method == "POST" else 200
    return render(request, "procurement/lot_confirm_delete.html", context, status=status)


# --- the award of a lot -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: AuthenticatedRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """Record the award of a lot, or correct it: one contract per lot, on the same address."""
    access, lot = access_lot(request.user, slug, pk, number)
    tender = lot.tender
    _require_keeper(access, tender)
    contract = Contract.objects.filter(lot=lot).select_related("supplier").first()
    is_new = contract is None
    if contract is None:
        contract = Contract(lot=lot)
    else:
        contract.lot = lot
    form = ContractForm(request.POST or None, instance=copy.copy(contract))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = form.save_part(
                    reason=gettext_noop("Awarded") if is_new else gettext_noop("Edited")
                )
            except StaleEdit:
                form.add_error(None, gettext(AWARD_RECORDED_MEANWHILE))
                status = 409
            else:
                messages.success(
                    request,
                    gettext("Award of lot %(number)s to %(supplier)s saved.")
                    % {"number": lot.number, "supplier": saved.supplier},
                )
                return redirect(tender)
    return render(
        request,
        "procurement/contract_form.html",
        _context(access, tender, form=form, lot=lot, contract=None if is_new else contract),
        status=status,
    )


# --- social clauses ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def clause_create(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, tender = access_tender(request.user, slug, pk)
    _require_keeper(access, tender)
    initial: dict[str, Any] = {}
    # The tender's page links "add a clause" from a lot as ?lot=<number>.
    lot_number = request.GET.get("lot", "")
    if lot_number.isdigit():
        lot = Lot.objects.filter(tender=tender, number=int(lot_number)).first()
        if lot is not None:
            initial["lot"] = lot.pk
    form = ClauseForm(request.POST or None, instance=SocialClause(tender=tender), initial=initial)
    if request.method == "POST" and form.is_valid():
        clause = form.save_part(reason=gettext_noop("Added"))
        messages.success(request, gettext("Clause added: %(clause)s.") % {"clause": clause})
        return redirect(tender)
    return render(
        request,
        "procurement/clause_form.html",
        _context(access, tender, form=form),
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def clause_edit(request: AuthenticatedRequest, slug: str, pk: int, clause_pk: int) -> HttpResponse:
    access, clause = access_clause(request.user, slug, pk, clause_pk)
    tender = clause.tender
    _require_keeper(access, tender)
    form = ClauseForm(request.POST or None, instance=copy.copy(clause))
    if request.method == "POST" and form.is_valid():
        saved = form.save_part(reason=gettext_noop("Edited"))
        messages.success(request, gettext("Clause saved: %(clause)s.") % {"clause": saved})
        return redirect(tender)
    return render(
        request,
        "procurement/clause_form.html",
        _context(access, tender, form=form, clause=clause),
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def clause_delete(
    request: AuthenticatedRequest, slug: str, pk: int, clause_pk: int
) -> HttpResponse:
    """Delete a clause entered by mistake, after a confirmation page (GET); a clause with
    reported outcomes is kept, and the page says why."""
    access, clause = access_clause(request.user, slug, pk, clause_pk)
    tender = clause.tender
    _require_keeper(access, tender)
    blockers = clause.deletion_blockers()
    if request.method == "POST" and not blockers:
        record_history(clause, gettext_noop("Deleted"))
        clause.delete()
        messages.success(request, gettext("Clause deleted: %(clause)s.") % {"clause": clause})
        return redirect(tender)
    status = 409 if request.method == "POST" else 200
    return render(
        request,
        "procurement/clause_confirm_delete.html",
        _context(access, tender, clause=clause, blockers=blockers),
        status=status,
    )
