"""Changes to events that touch files or several rows at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import RestrictedError
from django.utils.translation import gettext

from events.models import Material
from projects.files import CheckedFile, store_upload

if TYPE_CHECKING:
    from accounts.models import User
    from events.models import Event


def add_material_file(
    event: Event, checked: CheckedFile, *, kind: str, title: str, by: User
) -> Material:
    """Store a checked upload (projects.files.check_upload) as a material of `event`.

    The caller has checked that `by` may manage the event. The file is written first under a
    generated name; if the row cannot be saved the file is removed again, so storage never keeps
    a file no row points to. Not idempotent: each call adds a material.
    """
    return store_upload(
        checked,
        field=Material._meta.get_field("file"),
        folder=f"events/{event.project_id}",
        create=lambda stored: Material.objects.create(
            event=event,
            kind=kind,
            title=title.strip() or checked.original_name,
            file=stored,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            added_by=by,
        ),
    )


def delete_material(material: Material) -> None:
    """Delete a material and, once the deletion is committed, its file.

    The file goes only after the commit: a rolled-back deletion must still find its file. Safe to
    run twice (a missing file is not an error for the storage).
    """
    name = material.file.name if material.file else ""
    storage = material.file.storage
    material.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def delete_event(event: Event) -> None:
    """Delete an event entered by mistake, with its agenda, materials and outcomes; the material
    files go once the deletion is committed.

    What was reported from an event keeps it on record: the apps above this one say so with
    on_delete=RESTRICT (a conference report, a PDF made of it), and the deletion is refused
    (ValidationError), nothing deleted. It is cancelled instead.
    """
    try:
        with transaction.atomic():
            for material in event.materials.all():
                delete_material(material)
            event.delete()
    except RestrictedError as error:
        raise ValidationError(
            gettext(
                "Something the project reported refers to this event, so it stays on record. "
                "Mark it cancelled instead."
            )
        ) from error
