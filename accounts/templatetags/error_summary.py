"""The error summary of a page that shows a form sent back with errors (WCAG 3.3.1, 2.4.3).

`{% error_summary as error_summary %}` at the top of base.html finds, in the context the view gave
its template, every bound form or formset with errors. base.html then starts the title with
"Error:" and shows includes/error_summary.html at the top of the main content, where
static/js/error-summary.js moves focus. So every page with a form gets both without a line of its
own: the view only has to pass its form as it already does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext

register = template.Library()


@dataclass(frozen=True)
class Problem:
    """One line of the summary: the message, and the field's id when there is one to go to."""

    text: str
    field_id: str = ""


@dataclass
class ErrorSummary:
    problems: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems)


def _form_problems(form: BaseForm, row: int | None = None) -> list[Problem]:
    problems = [Problem(str(error)) for error in form.non_field_errors()]
    for bound_field in form:
        for error in bound_field.errors:
            if bound_field.is_hidden or not bound_field.id_for_label:
                # Nothing to go to: a hidden field's error (e.g. a stale version) is the form's.
                problems.append(Problem(str(error)))
                continue
            label = str(bound_field.label or bound_field.name)
            if row is not None:
                # The same words as the admin's inline rows (coresp/admin_a11y.py).
                label = gettext("%(field)s, row %(row)s") % {"field": label, "row": row}
            problems.append(Problem(f"{label}: {error}", bound_field.id_for_label))
    return problems


def summarise(values: list[object]) -> ErrorSummary:
    """The problems of the bound forms and formsets among `values`, each form once."""
    summary = ErrorSummary()
    seen: set[int] = set()
    for value in values:
        # type(), not isinstance(): isinstance would evaluate lazy objects (csrf_token, perms).
        kind = type(value)
        if id(value) in seen:
            continue
        if issubclass(kind, BaseForm):
            assert isinstance(value, BaseForm)
            seen.add(id(value))
            if value.is_bound and value.errors:
                summary.problems += _form_problems(value)
        elif issubclass(kind, BaseFormSet):
            assert isinstance(value, BaseFormSet)
            seen.add(id(value))
            if not value.is_bound or value.total_error_count() == 0:
                continue
            summary.problems += [Problem(str(error)) for error in value.non_form_errors()]
            for number, form in enumerate(value.forms, start=1):
                seen.add(id(form))
                if form.errors:
                    summary.problems += _form_problems(form, row=number)
    return summary


@register.simple_tag(takes_context=True)
def error_summary(context: template.Context) -> ErrorSummary:
    """What went wrong in the forms of this page (empty and false when nothing did)."""
    return summarise(list(context.flatten().values()))
