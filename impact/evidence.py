"""Evidence files of entered indicator values (attendance sheets, payroll extracts, survey
results), through the one upload door of projects/files.py: the type read from the content against
the allow-list, the size limit, a generated name in private storage, the SHA-256 kept; served only
by a view that checks access (impact.views.entry.value_evidence_download)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from impact.models import IndicatorValue, ValueEvidence
from projects.files import CheckedFile, store_upload

if TYPE_CHECKING:
    from accounts.models import User


def accepts_evidence(value: IndicatorValue) -> bool:
    """Evidence may be added until the coordinator validates the value and while its period is
    open; from then on the figure and what backs it are on record (and reported to the funder)."""
    return value.status != IndicatorValue.Status.VALIDATED and not value.period.is_locked


def add_value_evidence(value: IndicatorValue, checked: CheckedFile, *, by: User) -> ValueEvidence:
    """Store a checked upload as evidence of `value`; ValidationError (nothing stored) once the
    value is validated or its period locked. Not idempotent: each call adds a file. Those who
    enter the partner's values call it (can_enter_values)."""
    if not accepts_evidence(value):
        raise ValidationError(_refusal(value))

    def create(stored: str) -> ValueEvidence:
        # Read the state again under a row lock, inside store_upload's transaction: a validation
        # or a lock that lands between the check above and this insert either waits for it (the
        # file came first) or is seen here (refused, and store_upload removes the stored file).
        status, is_locked = (
            IndicatorValue.objects.select_for_update(of=("self",))
            .filter(pk=value.pk)
            .values_list("status", "period__is_locked")
            .get()
        )
        if status == IndicatorValue.Status.VALIDATED or is_locked:
            value.status, value.period.is_locked = status, is_locked
            raise ValidationError(_refusal(value))
        return ValueEvidence.objects.create(
            value=value,
            file=stored,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )

    return store_upload(
        checked,
        field=ValueEvidence._meta.get_field("file"),
        folder=f"impact/evidence/{value.indicator.project_id}",
        create=create,
    )


def _refusal(value: IndicatorValue) -> str:
    if value.period.is_locked:
        return gettext(
            "RP%(number)s is locked: its evidence is on record and no file can be added."
        ) % {"number": value.period.number}
    return gettext(
        "The coordinator has validated this value: its evidence is on record and no file can be "
        "added."
    )
