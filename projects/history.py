"""The change log of a model kept by django-simple-history, as rows a page can show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models

# Bookkeeping fields that say nothing to a reader.
HIDDEN_FIELDS = {"id", "version", "sort_key", "updated_at", "created_at", "due_date", "project"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: dt.datetime
    user: Any
    kind: str  # "created", "changed" or "deleted"
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(model_field: models.Field, value: Any, related: dict[str, dict]) -> str:
    if value in (None, ""):
        return "—"
    if model_field.is_relation:
        return str(related[model_field.attname].get(value, value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def history_entries(obj: models.Model, *, limit: int = 200) -> list[HistoryEntry]:
    """The object's changes, newest first: who, when, why and which fields.

    Three queries whatever the length: the records (with their users), then one per foreign key
    field for the names of the related rows.
    """
    model = type(obj)
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[  # type: ignore[attr-defined]
            :limit
        ]
    )
    records.reverse()
    tracked = [
        f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and f.attname
    ]
    related: dict[str, dict] = {}
    for f in tracked:
        if f.is_relation:
            ids = {getattr(r, f.attname) for r in records} - {None}
            related[f.attname] = {o.pk: o for o in f.related_model._default_manager.filter(pk__in=ids)}  # type: ignore[union-attr]
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        changes = []
        if previous is not None:
            for f in tracked:
                old, new = getattr(previous, f.attname), getattr(record, f.attname)
                if old != new:
                    changes.append(
                        Change(
                            field=str(f.verbose_name).capitalize(),
                            old=_display(f, old, related),
                            new=_display(f, new, related),
                        )
                    )
            if kind == "changed" and not changes and not record.history_change_reason:
                previous = record
                continue
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=record.history_user,
                kind=kind,
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    entries.reverse()
    return entries
