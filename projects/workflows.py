"""State changes of the plan that touch several rows at once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from projects.history import record_user
from projects.models import Deliverable, Risk, RiskReview
from projects.notifications import deliverable_moved

if TYPE_CHECKING:
    from accounts.models import User


def review_risk(
    risk: Risk,
    *,
    by: User,
    review_date: dt.date,
    likelihood: int,
    impact: int,
    status: str,
    note: str,
) -> tuple[RiskReview, bool]:
    """Log a dated review of `risk`; if it is the latest review, it sets the risk's current
    likelihood, impact and status. Returns the review and whether it did.

    The caller has checked that `by` may update the risk (projects.permissions.can_update_risk),
    or is a site admin (projects/admin.py). Not safe to run twice: each call adds a review.
    """
    with transaction.atomic():
        # Lock the risk's row first, so two reviews saved at the same moment are applied one
        # after the other and each sees the other when deciding which is the latest; without it,
        # the earlier-dated one could commit last and leave its scores on the risk. (On SQLite,
        # select_for_update is a no-op, but transactions BEGIN IMMEDIATE there, see settings:
        # writers are serialised by the database lock.)
        current = Risk.objects.select_for_update().get(pk=risk.pk)
        # Ties go to the newer review, as in RiskReview's ordering (-review_date, -pk).
        superseded = current.reviews.filter(review_date__gt=review_date).exists()
        review = RiskReview.objects.create(
            risk=current,
            review_date=review_date,
            likelihood=likelihood,
            impact=impact,
            status=status,
            note=note.strip(),
            reviewed_by=by,
        )
        if superseded:
            return review, False
        current.likelihood, current.impact, current.status = likelihood, impact, status
        record_user(current, by)
        # Through save_edit with the version read under the lock (so it cannot be stale here):
        # moving the version on makes any edit form opened before this review stale, so it
        # cannot write the old scores back over the review's.
        current.save_edit(current.version, reason=f"Reviewed on {review_date:%d %b %Y}")
    risk.likelihood, risk.impact, risk.status = likelihood, impact, status
    risk.version = current.version
    return review, True


def move_deliverable(deliverable: Deliverable, action: str, *, by: User, **arguments: Any) -> None:
    """Take `deliverable` through `action` (a key of Deliverable.TRANSITIONS: the model method
    of that name, called with `arguments`) and tell the people concerned, in one transaction:
    a refused move (ValidationError, StaleEdit) changes nothing and tells no one.

    The caller has checked that `by` may act (projects.permissions)."""
    if action not in Deliverable.TRANSITIONS:
        raise ValueError(f"no such deliverable action: {action}")
    with transaction.atomic():
        getattr(deliverable, action)(**arguments)
        deliverable_moved(deliverable, action, by=by)
