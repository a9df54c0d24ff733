"""Evidence files of clause outcomes (payroll extracts, certificates), through the one upload door
of projects/files.py: the type read from the content against the allow-list, the size limit, a
generated name in private storage, the SHA-256 kept; served only by a view that checks access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from procurement.models import ClauseOutcome, OutcomeEvidence
from projects.files import CheckedFile, store_upload

if TYPE_CHECKING:
    from accounts.models import User


def accepts_evidence(outcome: ClauseOutcome) -> bool:
    """Evidence may be added until the coordinator validates the outcome; from then on the
    figures and what backs them are on record (and in the periodic report)."""
    return outcome.status != ClauseOutcome.Status.VALIDATED


def add_outcome_evidence(
    outcome: ClauseOutcome, checked: CheckedFile, *, by: User
) -> OutcomeEvidence:
    """Store a checked upload as evidence of `outcome`; ValidationError (nothing stored) once the
    outcome is validated. Not idempotent: each call adds a file. The tender's keepers call it
    (can_change_tender)."""
    if not accepts_evidence(outcome):
        raise ValidationError(_validated_message())

    def create(stored: str) -> OutcomeEvidence:
        # Read the status again under a row lock, inside store_upload's transaction: a validation
        # that lands between the check above and this insert either waits for it (the file came
        # first) or is seen here (refused, and store_upload removes the stored file).
        status = (
            ClauseOutcome.objects.select_for_update()
            .filter(pk=outcome.pk)
            .values_list("status", flat=True)
            .get()
        )
        if status == ClauseOutcome.Status.VALIDATED:
            raise ValidationError(_validated_message())
        return OutcomeEvidence.objects.create(
            outcome=outcome,
            file=stored,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )

    return store_upload(
        checked,
        field=OutcomeEvidence._meta.get_field("file"),
        folder=f"procurement/evidence/{outcome.clause.tender.project_id}",
        create=create,
    )


def _validated_message() -> str:
    return gettext(
        "The coordinator has validated this outcome: its evidence is on record and no file can "
        "be added."
    )
