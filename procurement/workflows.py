"""Changes to the procurement register that touch several rows (or files) at once."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext, gettext_noop, ngettext

from procurement.models import ClauseOutcome, Lot, OutcomeEvidence, Tender


def record_tender(tender: Tender) -> Tender:
    """Add a validated, unsaved tender to the register with its lot 1 (named like the tender):
    every tender has at least one lot, since contracts are awarded per lot.

    Both rows or neither, in one transaction. The caller has checked that the user may record
    (procurement.permissions.can_record). Not idempotent: each call adds a tender.
    """
    with transaction.atomic():
        # History reasons are stored, so in English (marked for the page that shows them).
        tender.save_edit(None, reason=gettext_noop("Recorded"))
        Lot.objects.create(tender=tender, number=1, title=tender.title)
    return tender


def why_tender_stays(tender: Tender) -> str:
    """Why `tender` may not be deleted ("" if it may): a validated outcome of one of its
    clauses is on record (the coordinator checked it, the periodic report may count it)."""
    validated = ClauseOutcome.objects.filter(clause__tender=tender).validated().count()
    if not validated:
        return ""
    return ngettext(
        "%(count)s outcome of this tender's clauses is validated, so the tender stays on "
        "record. Mark it cancelled instead.",
        "%(count)s outcomes of this tender's clauses are validated, so the tender stays on "
        "record. Mark it cancelled instead.",
        validated,
    ) % {"count": validated}


def delete_tender(tender: Tender) -> None:
    """Delete a tender recorded by mistake, with its lots, clauses, contracts and outcomes; the
    outcomes' evidence files go once the deletion is committed.

    Refused with a ValidationError saying why, nothing deleted, when why_tender_stays() has a
    reason, or when something else the project keeps refers to the tender (on_delete=RESTRICT).
    The caller has checked can_change_tender.
    """
    try:
        with transaction.atomic():
            reason = why_tender_stays(tender)
            if reason:
                raise ValidationError(reason)
            # The files' names and storages, read before their rows go.
            files = [
                (evidence.file.storage, name)
                for evidence in OutcomeEvidence.objects.filter(outcome__clause__tender=tender)
                if (name := evidence.file.name)
            ]
            tender.delete()
            for storage, name in files:
                # After the commit: a rolled-back deletion must still find its files.
                transaction.on_commit(partial(storage.delete, name))
    except (RestrictedError, ProtectedError) as error:
        raise ValidationError(
            gettext(
                "Something the project reported refers to this tender, so it stays on record. "
                "Mark it cancelled instead."
            )
        ) from error
