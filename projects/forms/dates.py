"""The one bound on every date a form takes: a window around the project.

A date typed on a form is a fact about the project (a submission, a review, an event, a value's
period), so it cannot sensibly be decades away from it: 0001-01-01 or 9999-12-31 are typing
slips or probes, and some of them overflow when turned into an aware datetime or shifted by a
day. `bound_dates_to(form, project)` puts the window on every date and date-time field of a form,
the fields a ModelForm made from the model included, and tells the browser through min/max.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from projects.models import Project

# When a form is made without its project (an old caller), a window no real date is outside and
# no calendar arithmetic overflows in.
FALLBACK_WINDOW = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))


def date_window(project: Project | None) -> tuple[dt.date, dt.date]:
    """The first and last day a form may take for `project`, inclusive."""
    if project is None:
        return FALLBACK_WINDOW
    return project.date_window()


class DateWindowValidator:
    """Refuses a date (or the date of a date-time) outside [first, last], naming the window."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, dt.date) and not self.first <= day <= self.last:
            # The wording of the model check (Project.date_outside_window), so one rule has
            # one message (and one translation).
            raise ValidationError(
                gettext("%(day)s is too far from the project (%(first)s to %(last)s).")
                % {
                    "day": day.isoformat(),
                    "first": self.first.isoformat(),
                    "last": self.last.isoformat(),
                },
                code="outside_project",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateWindowValidator) and (self.first, self.last) == (
            other.first,
            other.last,
        )

    def __hash__(self) -> int:
        return hash((self.first, self.last))


def bound_dates_to(form: forms.BaseForm, project: Project | None) -> None:
    """Bound every date and date-time field of `form` to `project`'s window (call it at the end
    of the form's __init__, once its fields are final)."""
    first, last = date_window(project)
    validator = DateWindowValidator(first, last)
    for field in form.fields.values():
        if not isinstance(field, forms.DateField | forms.DateTimeField):
            continue
        # The fields are the form's own copies (deep-copied from the class), so this does not
        # leak into another form.
        field.validators = [v for v in field.validators if not isinstance(v, DateWindowValidator)]
        field.validators.append(validator)
        attrs = field.widget.attrs
        if isinstance(field, forms.DateTimeField):
            attrs.setdefault("min", f"{first.isoformat()}T00:00")
            attrs.setdefault("max", f"{last.isoformat()}T23:59")
        else:
            attrs.setdefault("min", first.isoformat())
            attrs.setdefault("max", last.isoformat())
