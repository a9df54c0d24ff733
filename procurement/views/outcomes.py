"""Clause outcomes: what each social clause delivered in a reporting period, reported by the
tender's keepers in aggregates only, with the evidence files that back the figures, and reviewed
by the coordinator (draft -> submitted -> validated, or sent back to draft with a comment).

The outcomes show on their tender's page (procurement:tender_detail), where every change made
here returns. That page shows each outcome with templates/procurement/includes/outcome_review.html
and the context `outcome_review(access, outcome)` gives it. A refused change shows this module's
own page, with the same partial: the reason and the bound form (422), or the outcome as someone
else just left it (409).
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from procurement.evidence import accepts_evidence, add_outcome_evidence
from procurement.forms.outcomes import (
    AGGREGATES_ONLY,
    ClauseOutcomeForm,
    EvidenceUploadForm,
    OutcomeSendBackForm,
)
from procurement.models import ClauseOutcome, SocialClause
from procurement.permissions import (
    access_clause,
    access_evidence,
    access_outcome,
    can_change_tender,
    can_validate_outcome,
)
from projects.files import check_upload, download_response
from projects.forms.versioned import VersionOnlyForm
from projects.models import StaleEdit
from projects.permissions import Access

# Translated where they are shown (gettext), in the language of the person reading.
EDIT_STALE_MESSAGE = gettext_noop(
    "Someone else saved this outcome while you were editing it. Your figures are below and are "
    "not saved: compare them with the saved ones, then save again to keep yours."
)
STALE_MESSAGE = gettext_noop(
    "Someone else changed this outcome after you opened the page. Nothing of yours was saved: "
    "check its current state below and try again."
)
KEEPERS_ONLY = gettext_noop(
    "Only the partner that keeps this tender (the recording partner or the contracting "
    "authority's staff) and the coordinator report its outcomes."
)
COORDINATOR_ONLY = gettext_noop("Only the coordinator validates outcomes or sends them back.")

# The badge each status wears (site.css): waiting for the coordinator, or on record.
STATUS_BADGES: dict[str, str] = {
    ClauseOutcome.Status.DRAFT: "",
    ClauseOutcome.Status.SUBMITTED: "badge-medium",
    ClauseOutcome.Status.VALIDATED: "badge-ok",
}


def _ids(outcome: ClauseOutcome, form: str) -> str:
    """The HTML ids of one of an outcome's forms: a page may show several outcomes, each with
    its forms, and every field needs an id of its own."""
    return f"outcome-{outcome.pk}-{form}-%s"


def outcome_review(access: Access, outcome: ClauseOutcome, **bound: Form) -> dict[str, Any]:
    """The context of procurement/includes/outcome_review.html for one outcome: its figures and
    evidence, what the viewer may do now, and the forms for it, unbound unless a refused change
    passes its bound form by name (`send_back_form=`, `upload_form=`).

    No query of its own beyond `outcome.evidence.all()`. A page listing several outcomes fetches
    them with select_related("period", "validated_by") and
    prefetch_related(Prefetch("evidence", OutcomeEvidence.objects.select_related("uploaded_by")))
    and sets `outcome.clause` to the clause it has (with its tender), so the partial costs nothing
    per outcome."""
    keeps = can_change_tender(access, outcome.clause.tender)
    reviews = can_validate_outcome(access)
    is_submitted = outcome.status == ClauseOutcome.Status.SUBMITTED
    initial = {"version": outcome.version}
    context: dict[str, Any] = {
        "outcome": outcome,
        "tender": outcome.clause.tender,
        "evidence": list(outcome.evidence.all()),
        "status_badge": STATUS_BADGES.get(outcome.status, ""),
        "can_edit": keeps and outcome.is_editable,
        "can_submit": keeps and outcome.is_editable,
        "can_validate": reviews and is_submitted,
        "can_send_back": reviews and is_submitted,
        "can_upload": keeps and accepts_evidence(outcome),
        "is_waiting": is_submitted,
        "version_form": VersionOnlyForm(initial=initial, auto_id=_ids(outcome, "state")),
        "send_back_form": OutcomeSendBackForm(initial=initial, auto_id=_ids(outcome, "back")),
        "upload_form": EvidenceUploadForm(auto_id=_ids(outcome, "upload")),
    }
    context.update(bound)
    return context


def _reload(outcome: ClauseOutcome) -> None:
    """The outcome as it is stored now (a refused transition may have left its new values on the
    instance), keeping the clause and tender access_outcome fetched with it."""
    clause = outcome.clause
    outcome.refresh_from_db()
    outcome.clause = clause


def _form_page(
    request: AuthenticatedRequest,
    access: Access,
    clause: SocialClause,
    form: ClauseOutcomeForm,
    *,
    outcome: ClauseOutcome | None = None,
    saved: ClauseOutcome | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "procurement/outcome_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "procurement",
            "subsection": "tenders",
            "tender": clause.tender,
            "clause": clause,
            "outcome": outcome,
            "form": form,
            "saved": saved,
            "aggregates_only": AGGREGATES_ONLY,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(
    request: AuthenticatedRequest, slug: str, pk: int, clause_pk: int
) -> HttpResponse:
    """Report a clause's outcome for a period, as a draft: the tender's keepers."""
    access, clause = access_clause(request.user, slug, pk, clause_pk)
    access.require(can_change_tender(access, clause.tender), gettext(KEEPERS_ONLY))
    form = ClauseOutcomeForm(
        request.POST or None,
        instance=ClauseOutcome(clause=clause),
        project=access.project,
        today=timezone.localdate(),
        asked_period=request.GET.get("period", ""),
    )
    if request.method == "GET":
        return _form_page(request, access, clause, form)
    if not form.is_valid():
        return _form_page(request, access, clause, form, status=422)
    try:
        # History reasons are stored, so in English (marked for the page that translates them).
        outcome = form.save_edit(reason=gettext_noop("Reported"))
    except StaleEdit:
        # The period was free when checked, then someone else's outcome for it was saved.
        form.add_error(
            "period",
            gettext("Someone else reported this clause for this period a moment ago."),
        )
        return _form_page(request, access, clause, form, status=409)
    messages.success(
        request,
        gettext("Outcome for RP%(number)s saved as a draft. Submit it when the figures are final.")
        % {"number": outcome.period.number},
    )
    return redirect(clause.tender)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    """Correct a draft outcome's figures: the tender's keepers. A submitted or validated outcome
    changes only after the coordinator sends it back."""
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    clause = outcome.clause
    access.require(can_change_tender(access, clause.tender), gettext(KEEPERS_ONLY))
    if not outcome.is_editable:
        # One whole sentence for each state, rather than a status name inside a sentence.
        if outcome.status == ClauseOutcome.Status.VALIDATED:
            reason = gettext(
                "The coordinator has validated this outcome: its figures are on record."
            )
        else:
            reason = gettext(
                "This outcome is submitted: its figures can be corrected again only if the "
                "coordinator sends it back."
            )
        messages.info(request, reason)
        return redirect(clause.tender)
    # The form edits a copy: after refused input the page still shows the stored figures.
    form = ClauseOutcomeForm(
        request.POST or None,
        instance=copy.copy(outcome),
        project=access.project,
        today=timezone.localdate(),
    )
    if request.method == "GET":
        return _form_page(request, access, clause, form, outcome=outcome)
    if not form.is_valid():
        return _form_page(request, access, clause, form, outcome=outcome, status=422)
    try:
        saved = form.save_edit(reason=gettext_noop("Edited"))
    except StaleEdit:
        # Their input again, against the current version: saving again is a deliberate
        # overwrite, not another refusal.
        _reload(outcome)
        form = form.against(copy.copy(outcome), gettext(EDIT_STALE_MESSAGE))
        return _form_page(request, access, clause, form, outcome=outcome, saved=outcome, status=409)
    messages.success(
        request, gettext("Outcome for RP%(number)s saved.") % {"number": saved.period.number}
    )
    return redirect(clause.tender)


def _refused(
    request: AuthenticatedRequest,
    access: Access,
    outcome: ClauseOutcome,
    form: Form,
    *,
    status: int,
    **bound: Form,
) -> HttpResponse:
    """A refused submit, validation, send-back or upload (nothing saved): the outcome as it now
    is, the reasons, and the posted form with its errors by the field (422); or, when someone
    changed it meanwhile, its current state (409: the caller reloaded it)."""
    return render(
        request,
        "procurement/outcome_refused.html",
        {
            "project": access.project,
            "access": access,
            "section": "procurement",
            "subsection": "tenders",
            "tender": outcome.clause.tender,
            "form": form,
            "review": outcome_review(access, outcome, **bound),
        },
        status=status,
    )


@login_required
@require_POST
def outcome_submit(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    """Send a draft to the coordinator for validation: the tender's keepers."""
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    access.require(can_change_tender(access, outcome.clause.tender), gettext(KEEPERS_ONLY))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, outcome, form, status=422)
    try:
        outcome.submit(now=timezone.now(), expected_version=form.cleaned_data["version"])
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _refused(request, access, outcome, form, status=422)
    except StaleEdit:
        _reload(outcome)
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, outcome, form, status=409)
    messages.success(
        request,
        gettext(
            "Outcome for RP%(number)s submitted. The coordinator will see it on their dashboard."
        )
        % {"number": outcome.period.number},
    )
    return redirect(outcome.clause.tender)


@login_required
@require_POST
def outcome_validate(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    """Accept a submitted outcome's figures: the coordinator. They then count in the summary and
    the periodic report."""
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    access.require(can_validate_outcome(access), gettext(COORDINATOR_ONLY))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, outcome, form, status=422)
    try:
        outcome.validate(
            by=request.user, now=timezone.now(), expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _refused(request, access, outcome, form, status=422)
    except StaleEdit:
        _reload(outcome)
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, outcome, form, status=409)
    messages.success(
        request,
        gettext("Outcome for RP%(number)s validated.") % {"number": outcome.period.number},
    )
    return redirect(outcome.clause.tender)


@login_required
@require_POST
def outcome_send_back(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    """Return a submitted outcome to its partner as a draft, with a comment: the coordinator."""
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    access.require(can_validate_outcome(access), gettext(COORDINATOR_ONLY))
    form = OutcomeSendBackForm(request.POST, auto_id=_ids(outcome, "back"))
    if not form.is_valid():
        return _refused(request, access, outcome, form, status=422, send_back_form=form)
    try:
        outcome.send_back(
            comment=form.cleaned_data["comment"], expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        form.add_error(None, error)  # "comment" errors go to the comment field
        return _refused(request, access, outcome, form, status=422, send_back_form=form)
    except StaleEdit:
        _reload(outcome)
        # The comment is kept, against the version now shown: sending it again is deliberate.
        form = OutcomeSendBackForm(
            {"version": outcome.version, "comment": form.cleaned_data["comment"]},
            auto_id=_ids(outcome, "back"),
        )
        form.is_valid()
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, outcome, form, status=409, send_back_form=form)
    messages.success(
        request,
        gettext("Outcome for RP%(number)s sent back to the partner with your comment.")
        % {"number": outcome.period.number},
    )
    return redirect(outcome.clause.tender)


@login_required
@require_POST
def evidence_upload(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    """Add a file backing an outcome's figures: the tender's keepers, until it is validated."""
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    access.require(can_change_tender(access, outcome.clause.tender), gettext(KEEPERS_ONLY))
    form = EvidenceUploadForm(request.POST, request.FILES, auto_id=_ids(outcome, "upload"))
    if form.is_valid():
        try:
            checked = check_upload(form.cleaned_data["file"])
            evidence = add_outcome_evidence(outcome, checked, by=request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                gettext("%(file)s added to the evidence for RP%(number)s.")
                % {"file": evidence.original_name, "number": outcome.period.number},
            )
            return redirect(outcome.clause.tender)
    return _refused(request, access, outcome, form, status=422, upload_form=form)


@login_required
@require_GET
def evidence_download(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int, evidence_pk: int
) -> FileResponse:
    """An evidence file for every member of the project, as an attachment that the browser must
    not sniff or render."""
    _, evidence = access_evidence(request.user, slug, pk, outcome_pk, evidence_pk)
    return download_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )
