"""Uploaded files: what may come in, how it is named and stored, and how it goes out.

The type is read from the file's first bytes, never from its name or the browser's claim. Files
live in private storage (settings.PRIVATE_MEDIA_ROOT, no public URL) under a generated name; the
original name is kept, cleaned, for the download.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
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


# Longest name kept or sent, in UTF-8 bytes: most file systems allow 255, and a browser adds
# " (1)" to a second download of the same name.
MAX_NAME_BYTES = 200
# A last suffix that is an extension (not "v1.2"'s "2"): letters and digits with a letter.
_EXTENSION = re.compile(r"\.([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*)$")
# Characters no file name should carry: path and shell separators, quotes, Windows' reserved ones.
_UNSAFE = re.compile(r'[\\/:*?"<>|]')
# Other spellings of a type's extension that a download may keep.
_SAME_EXTENSION: dict[str, frozenset[str]] = {"jpg": frozenset({"jpg", "jpeg"})}


def _printable(name: str) -> str:
    """`name` without control and format characters (category C*: NUL, CR/LF, the right-to-left
    override U+202E and the other bidi controls, zero-width joiners), which can make a name read
    as something it is not ("report\u202efdp.exe" shows as "reportexe.pdf")."""
    name = unicodedata.normalize("NFKC", name)
    return "".join(c for c in name if not unicodedata.category(c).startswith("C"))


def split_extension(name: str) -> tuple[str, str]:
    """("report", "html") for "report.html"; ("v1.2", "") for a suffix that is no extension."""
    match = _EXTENSION.search(name)
    if match is None:
        return name, ""
    return name[: match.start()], match.group(1)


def _shorten(stem: str, extension: str) -> str:
    """`stem` + "." + `extension`, cutting the stem (never the extension) to MAX_NAME_BYTES."""
    suffix = f".{extension}" if extension else ""
    room = MAX_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:room].decode(errors="ignore").rstrip(" ._-")
    return f"{stem or 'file'}{suffix}"


def clean_original_name(name: str) -> str:
    """A safe, readable version of the name the file had on the uploader's computer."""
    name = PurePath(name.replace("\\", "/")).name
    name = _printable(name).strip()
    # "..", ".hidden", "name.": no special names, no hidden files, no trailing dot (Windows).
    stem, extension = split_extension(name.rstrip("."))
    try:
        stem = get_valid_filename(stem).lstrip(".")
    except SuspiciousFileOperation:  # nothing usable left ("..", "()")
        stem = ""
    return _shorten(stem, extension)


def download_name(name: str, content_type: str) -> str:
    """The name a download is saved under: the uploader's name with the extension of the type
    detected from the content, whatever extension the name had. A PNG+HTML polyglot named
    report.html is saved as report.png, a PDF named setup.exe or x.pdf.exe as setup.pdf /
    x.pdf, so the browser and the desktop open it as what it is. The one home of this rule:
    download_response applies it to every download."""
    extension = ALLOWED_TYPES.get(content_type, "bin")
    name = _UNSAFE.sub("_", _printable(PurePath(name.replace("\\", "/")).name)).strip()
    stem, current = split_extension(name.rstrip(" ."))
    stem = stem.strip(" .")
    if current.lower() in _SAME_EXTENSION.get(extension, frozenset({extension})):
        extension = current  # report.PDF, photo.jpeg: already right, keep as typed
    elif (inner := split_extension(stem))[1].lower() == extension:
        stem = inner[0]  # x.pdf.exe holding a PDF: x.pdf, not x.pdf.pdf
    return _shorten(stem, extension)


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
    if has_macros(upload, kind.mime):
        raise ValidationError(
            gettext(
                "This document contains macros, which are not accepted. Save it as a macro-free "
                "document (for example .docx, .xlsx, .pptx or PDF) and upload that."
            )
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


# --- macros ------------------------------------------------------------------------------------
# Office documents can carry macros (VBA, Excel 4 sheets, StarBasic) that run on the reader's
# computer. Only the archive's directory and one small manifest are read: nothing is extracted,
# so a zip bomb costs nothing here.
_ZIP_TYPES = {mime for mime, ext in ALLOWED_TYPES.items() if ext in {"docx", "xlsx", "pptx", "zip"}}
_ODF_TYPES = {mime for mime, ext in ALLOWED_TYPES.items() if ext in {"odt", "ods", "odp"}}
_OLE_TYPES = {mime for mime, ext in ALLOWED_TYPES.items() if ext in {"doc", "xls", "ppt"}}
# [Content_Types].xml of a .docm/.xlsm/.pptm/.dotm (macroEnabled), of a VBA part
# (vbaProject) or of an Excel 4 macro sheet (macrosheet): any of them, in lower case.
_MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")
_MANIFEST_LIMIT = 1024 * 1024  # a real [Content_Types].xml is a few KB
# Storages and streams that hold VBA in a compound (OLE) file: Word keeps "Macros", Excel
# "_VBA_PROJECT_CUR", both a "VBA" storage with a "_VBA_PROJECT" stream.
_OLE_MACRO_NAMES = {"_VBA_PROJECT", "_VBA_PROJECT_CUR", "VBA", "MACROS"}
_OLE_ENTRY = 128  # a directory entry's size; entries start on 128-byte boundaries


def has_macros(upload: UploadedFile, content_type: str) -> bool:
    """Whether an Office or OpenDocument file carries macros. Reads the zip directory (and
    [Content_Types].xml, bounded) or scans the OLE directory entries; never extracts."""
    upload.seek(0)
    try:
        if content_type in _ZIP_TYPES or content_type in _ODF_TYPES:
            return _zip_has_macros(upload, is_odf=content_type in _ODF_TYPES)
        if content_type in _OLE_TYPES:
            return _ole_has_macros(upload)
        return False
    finally:
        upload.seek(0)


def _zip_has_macros(upload: UploadedFile, *, is_odf: bool) -> bool:
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, EOFError):
        return False  # not a readable archive: nothing in it can run either
    with archive:
        names = archive.namelist()
        lowered = [n.replace("\\", "/").lower() for n in names]
        if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in lowered):
            return True
        # ODF keeps StarBasic in Basic/ and other script languages in Scripts/.
        is_odf = is_odf or ("mimetype" in names and "META-INF/manifest.xml" in names)
        if is_odf and any(n.startswith(("basic/", "scripts/")) for n in lowered):
            return True
        if "[content_types].xml" in lowered:
            info = archive.getinfo(names[lowered.index("[content_types].xml")])
            try:
                with archive.open(info) as manifest:
                    # Bounded read: a manifest that inflates past the limit is cut, never inflated.
                    text = manifest.read(_MANIFEST_LIMIT).lower()
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                return False
            return any(marker in text for marker in _MACRO_CONTENT_TYPES)
    return False


def _ole_has_macros(upload: UploadedFile) -> bool:
    # Directory entries: a UTF-16LE name (64 bytes), its length in bytes with the terminating
    # NUL (2 bytes), then the kind (1 storage, 2 stream). Sectors are multiples of 512 bytes,
    # so every entry starts on a 128-byte boundary and never straddles a 64 KiB chunk.
    for chunk in upload.chunks(64 * 1024):
        for offset in range(0, len(chunk) - _OLE_ENTRY + 1, _OLE_ENTRY):
            length = int.from_bytes(chunk[offset + 64 : offset + 66], "little")
            if not (4 <= length <= 64 and length % 2 == 0 and chunk[offset + 66] in (1, 2)):
                continue
            name = chunk[offset : offset + length - 2].decode("utf-16-le", errors="replace")
            if name.upper() in _OLE_MACRO_NAMES:
                return True
    return False


def generated_name(extension: str) -> str:
    """A stored name that says nothing about the content and cannot be guessed."""
    return f"{secrets.token_urlsafe(24)}.{extension}"


def download_response(field_file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Stream a private file as an attachment that the browser must not sniff or render."""
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=download_name(filename, content_type),
        content_type=content_type,
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
