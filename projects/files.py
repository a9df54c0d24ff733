"""Uploaded files: what may come in, how it is named and stored, and how it goes out.

The type is read from the file's first bytes, never from its name or the browser's claim. Files
live in private storage (settings.PRIVATE_MEDIA_ROOT, no public URL) under a generated name; the
original name is kept, cleaned, for the download.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.models import Deliverable, DeliverableVersion

if TYPE_CHECKING:
    from accounts.models import User

# MIME type detected from the content -> the extension the stored file gets.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/zip": "zip",
}
# The kinds of file, by the names their programs and formats go by (the same in every language).
ALLOWED_DESCRIPTION = _("PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, GIF, WebP or ZIP")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with the facts to store beside it."""

    upload: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str


def clean_original_name(name: str) -> str:
    """A safe, readable version of the name the file had on the uploader's computer."""
    name = PurePath(name.replace("\\", "/")).name
    name = unicodedata.normalize("NFKC", name).strip()
    return (get_valid_filename(name) if name else "")[:200] or "file"


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Refuse a file that is too big or whose content is not an allowed type."""
    limit = settings.MAX_UPLOAD_SIZE
    if upload.size is None or upload.size == 0:
        raise ValidationError(gettext("The file is empty."))
    if upload.size > limit:
        raise ValidationError(
            gettext("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    # Office files are zips: filetype looks inside for their parts, so a docx is not "zip".
    if kind is None or kind.mime not in ALLOWED_TYPES:
        if kind is None:
            # Translators: %(allowed)s is the list of kinds: "PDF, Word, ... or ZIP".
            message = gettext("This type of file is not accepted. Upload a %(allowed)s file.")
        else:
            message = gettext(
                # Translators: %(found)s is a MIME type (application/x-msdownload).
                "This type of file is not accepted (its content is %(found)s). Upload a "
                "%(allowed)s file."
            )
        raise ValidationError(
            message % {"found": kind.mime if kind else "", "allowed": ALLOWED_DESCRIPTION}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        content_type=kind.mime,
        extension=ALLOWED_TYPES[kind.mime],
        size=upload.size,
        sha256=digest.hexdigest(),
        original_name=clean_original_name(upload.name or ""),
    )


def generated_name(extension: str) -> str:
    """A stored name that says nothing about the content and cannot be guessed."""
    return f"{secrets.token_urlsafe(24)}.{extension}"


def download_response(field_file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Stream a private file as an attachment that the browser must not sniff or render."""
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def store_upload[M: models.Model](
    checked: CheckedFile, *, field: Any, folder: str, create: Callable[[str], M]
) -> M:
    """Write a checked upload under a generated name in `field`'s storage, then `create` its row
    from the stored name. If the row cannot be saved the file is removed again, so storage never
    keeps a file no row points to."""
    storage = field.storage
    stored = storage.save(f"{folder}/{generated_name(checked.extension)}", checked.upload)
    try:
        with transaction.atomic():
            return create(stored)
    except Exception:
        storage.delete(stored)
        raise


def add_deliverable_version(
    deliverable: Deliverable, checked: CheckedFile, *, by: User, note: str = ""
) -> DeliverableVersion:
    """Store a checked upload as a new version of `deliverable`. Not idempotent: each call adds
    a version."""
    return store_upload(
        checked,
        field=DeliverableVersion._meta.get_field("file"),
        folder=f"deliverables/{deliverable.project_id}",
        create=lambda stored: DeliverableVersion.objects.create(
            deliverable=deliverable,
            file=stored,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            note=note,
            uploaded_by=by,
        ),
    )
