"""The change log of a model kept by django-simple-history, as rows a page can show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models

# The attribute django-simple-history gives each tracked model (HistoricalRecords()).
HISTORY = "history"


def history_of(obj: models.Model) -> Any:
    """The history manager of one tracked object (its records, oldest to newest)."""
    return getattr(obj, HISTORY)


def record_user(obj: models.Model, user: models.Model | None) -> None:
    """Name `user` in the history record the next save() writes, where no request does (a
    workflow run outside a view, the demo)."""
    setattr(obj, "_history_user", user)  # noqa: B010 (not a declared attribute)


def record_history(obj: models.Model, reason: str) -> None:
    """Give the history record the next save() writes this reason (django-simple-history reads
    the `_change_reason` attribute; set here, so no caller spells it)."""
    setattr(obj, "_change_reason", reason)  # noqa: B010 (not a declared attribute)


def forget_reason(obj: models.Model) -> None:
    """The next record is bookkeeping: it carries no reason."""
    if hasattr(obj, "_change_reason"):
        delattr(obj, "_change_reason")


@contextmanager
def without_history(obj: models.Model) -> Iterator[None]:
    """Saves and many-to-many changes of `obj` inside the block write no history record."""
    setattr(obj, "skip_history_when_saving", True)  # noqa: B010
    try:
        yield
    finally:
        delattr(obj, "skip_history_when_saving")


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
    history = history_of(obj)
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    records.reverse()
    tracked = [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and f.attname]
    related: dict[str, dict] = {}
    for f in tracked:
        if f.is_relation:
            ids = {getattr(r, f.attname) for r in records} - {None}
            target = cast(type[models.Model], f.related_model)
            # Their names may read a required foreign key (a partner shows its organisation).
            joins = [g.name for g in target._meta.concrete_fields if g.is_relation and not g.null]
            rows = target._default_manager.filter(pk__in=ids)
            if joins:
                rows = rows.select_related(*joins)
            related[f.attname] = {o.pk: o for o in rows}
    # Many-to-many fields (a risk's work packages) are kept by simple-history in a table per field:
    # one query each for all the records.
    history_model = history.model
    m2m: list[tuple[str, dict[int, dict[int, str]]]] = []
    for m2m_field in getattr(history_model, "_history_m2m_fields", []):
        rows_model = history_model.__dict__[m2m_field.name].model
        target = m2m_field.m2m_reverse_field_name()
        by_record: dict[int, dict[int, str]] = {r.pk: {} for r in records}
        for row in rows_model.objects.filter(history_id__in=list(by_record)).select_related(target):
            related_obj = getattr(row, target)
            by_record[row.history_id][getattr(row, f"{target}_id")] = getattr(
                related_obj, "code", None
            ) or str(related_obj)
        m2m.append((str(m2m_field.verbose_name).capitalize(), by_record))
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        changes: list[Change] = []
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
            for label, values in m2m:
                before, after = values[previous.pk], values[record.pk]
                if set(before) != set(after):
                    changes.append(
                        Change(
                            field=label,
                            old=", ".join(sorted(before.values())) or "—",
                            new=", ".join(sorted(after.values())) or "—",
                        )
                    )
            # A save that changed nothing shown, or that only set the many-to-many fields of an
            # object just created (they are saved right after it), is not a step of its own.
            m2m_labels = {label for label, _ in m2m}
            completes_creation = previous.history_type == "+" and all(
                c.field in m2m_labels for c in changes
            )
            if (
                kind == "changed"
                and not record.history_change_reason
                and (not changes or completes_creation)
            ):
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
