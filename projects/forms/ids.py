"""Choice fields of rows by id that refuse an id no column can hold.

Django bounds an `id=` lookup to the column's range, but not `id__in=`: a ModelMultipleChoiceField
given 99999999999999999999 sends it to PostgreSQL, which answers DataError (a 500). This field
turns such an id into the field's own "not one of the choices" error first.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models

# The widest integer key a column holds (bigint); a smaller column is bounded by Django's lookup.
BIGGEST_ID = 2**63 - 1


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids out of the database's integer range."""

    def clean(self, value: Any) -> Any:
        queryset = self.queryset
        assert queryset is not None  # set by the form before it is bound
        meta = queryset.model._meta
        key_field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if isinstance(key_field, models.IntegerField) and isinstance(value, list | tuple):
            low, high = connections[queryset.db].ops.integer_field_range(
                key_field.get_internal_type()
            )
            low = -BIGGEST_ID - 1 if low is None else low
            high = BIGGEST_ID if high is None else high
            for raw in value:
                try:
                    number = int(str(raw))
                except ValueError:
                    continue  # not a number at all: Django's own check names it
                if not low <= number <= high:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": str(raw)[:30]},
                    )
        return super().clean(value)
