"""Accessible names for the fields of the admin's tabular inlines (WCAG 4.1.2).

Django's tabular inline prints each field's label once, as a column header, and gives the row's
inputs no <label>: a screen reader meets a row of unnamed boxes. `TabularInline` (use it instead
of `admin.TabularInline`) gives every visible field of every row an `aria-label` such as
"Title, row 2". The inline's empty form (the template "Add another" copies) says "row __prefix__";
static/js/admin-a11y.js puts the new row's number in when the row is added, and names the select2
boxes of autocomplete fields after their field. tests/browser/test_admin_a11y.py checks both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.utils import pretty_name
from django.utils.translation import gettext, pgettext

if TYPE_CHECKING:
    from django.forms.models import BaseInlineFormSet

# The placeholder Django's formsets put in the empty form's prefix; admin/js/inlines.js replaces
# it in ids and names, static/js/admin-a11y.js in these labels.
EMPTY_ROW = "__prefix__"


def row_label(label: str, row: str) -> str:
    return gettext("%(field)s, row %(row)s") % {"field": label, "row": row}


def name_row_fields(form: forms.BaseForm, index: int | None) -> None:
    """Give each visible field of an inline row (`index` from 0; None for the empty form) an
    aria-label naming its column and row."""
    row = EMPTY_ROW if index is None else str(index + 1)
    for name, field in form.fields.items():
        # The admin wraps related fields in RelatedFieldWidgetWrapper, which renders its inner
        # widget with that widget's attrs (and shares them across forms: never touch its own).
        widget = field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        if widget.is_hidden:
            continue
        label = row_label(str(field.label or pretty_name(name)), row)
        if isinstance(widget, forms.SplitDateTimeWidget):
            # Its own "Date:" / "Time:" labels would be overridden: keep the part in the name.
            parts = (
                pgettext("part of a date and time field", "date"),
                pgettext("part of a date and time field", "time"),
            )
            for part_widget, part in zip(widget.widgets, parts, strict=True):
                part_widget.attrs = {**part_widget.attrs, "aria-label": f"{label} ({part})"}
        else:
            widget.attrs = {**widget.attrs, "aria-label": label}


class NamesRowFields:
    """Formset mixin: every form it builds, the empty one too, gets its fields named."""

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)  # type: ignore[misc]  # a formset's, after the mixin
        name_row_fields(form, index)


class TabularInline(admin.TabularInline):
    """admin.TabularInline whose row fields have accessible names (see the module docstring)."""

    def get_formset(
        self, request: Any, obj: Any = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Any, Any, Any]]:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (NamesRowFields, formset), {})
