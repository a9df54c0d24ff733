"""Badges of the plan's rows: the template gets booleans from the models' own methods, so a
status or a date rule is never written a second time in a template."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django import template

from coresp.text import in_sentence
from projects.models import Deliverable

register = template.Library()


class _MayBeOverdue(Protocol):
    def is_overdue(self, today: dt.date) -> bool: ...


@register.inclusion_tag("projects/includes/deliverable_status.html")
def deliverable_status(deliverable: Deliverable, today: dt.date) -> dict[str, Any]:
    """The deliverable's status as a badge, with "Overdue" or "Late" beside it if it is."""
    return {
        "label": deliverable.get_status_display(),
        "is_done": deliverable.is_done,
        "has_changes_requested": deliverable.has_changes_requested,
        "is_overdue": deliverable.is_overdue(today),
        "was_submitted_late": deliverable.was_submitted_late,
    }


@register.filter
def is_overdue_on(row: _MayBeOverdue, today: dt.date) -> bool:
    """`row.is_overdue(today)` (a deliverable, a milestone), which a template cannot call."""
    return row.is_overdue(today)


@register.filter(name="in_sentence")
def in_sentence_filter(label: object) -> str:
    """coresp.text.in_sentence: a label as it reads inside a sentence, in the active language."""
    return in_sentence(label)
