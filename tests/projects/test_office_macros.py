"""Office and OpenDocument files that carry macros are refused at upload, with a message at the
file field that says so and how to save a macro-free document; the same documents without macros
go through. The archive's directory is read, never its contents (a zip bomb costs nothing)."""

from __future__ import annotations

import html
import io
import struct
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.files import has_macros
from projects.models import Deliverable, DeliverableVersion

pytestmark = pytest.mark.django_db

MESSAGE = (
    "This document contains macros, which are not accepted. Save it as a macro-free document "
    "(for example .docx, .xlsx, .pptx or PDF) and upload that."
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zipped(files: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def content_types(main: str, *, also: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{main}"/>{also}</Types>'
    )


def docx(*, extra: dict[str, bytes | str] | None = None, main: str = DOCX + ".main+xml") -> bytes:
    return zipped(
        {
            "[Content_Types].xml": content_types(main),
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document/>",
            **(extra or {}),
        }
    )


def xlsx(*, extra: dict[str, bytes | str] | None = None, also: str = "") -> bytes:
    return zipped(
        {
            "[Content_Types].xml": content_types(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                also=also,
            ),
            "_rels/.rels": "<Relationships/>",
            "xl/workbook.xml": "<workbook/>",
            **(extra or {}),
        }
    )


def odt(*, extra: dict[str, bytes | str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype comes first and stored, as ODF requires (and as type detection reads it).
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        archive.writestr("content.xml", "<office:document-content/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ole(stream_names: list[str]) -> bytes:
    """A compound (OLE) file of the shape Word 97 writes: header, then a directory sector whose
    128-byte entries name the storages and streams (the root entry first)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    word = b"\xec\xa5\xc1\x00" + b"\x00" * 508  # the WordDocument stream's first sector
    entries = b""
    for kind, name in [(5, "Root Entry"), (2, "WordDocument"), *[(1, n) for n in stream_names]]:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entries += encoded.ljust(64, b"\x00") + struct.pack("<HB", len(encoded), kind)
        entries += b"\x00" * (128 - 67)
    directory = entries.ljust(((len(entries) + 511) // 512) * 512, b"\x00")
    return header + word + directory


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_version_upload", args=[d.project.slug, d.number])


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def errors(response: Any) -> list[str]:
    return list(response.context["upload_form"].errors.get("file", []))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Minutes.docx", docx(extra={"word/vbaProject.bin": b"\xcc\x61" * 64})),
        ("Budget.xlsx", xlsx(extra={"xl/vbaProject.bin": b"\xcc\x61" * 64})),
        # any folder, any case
        ("Budget.xlsx", xlsx(extra={"xl/Media/VBAPROJECT.BIN": b"x"})),
        # a .docm: its content type says macro-enabled, even without the VBA part
        ("Letter.docx", docx(main="application/vnd.ms-word.document.macroEnabled.main+xml")),
        # an Excel 4 macro sheet, declared in the content types
        ("Sheet.xlsx", xlsx(
            extra={"xl/macrosheets/sheet1.xml": "<xm:macrosheet/>"},
            also='<Override PartName="/xl/macrosheets/sheet1.xml" '
            'ContentType="application/vnd.ms-excel.macrosheet+xml"/>',
        )),
        ("Minutes.odt", odt(extra={"Basic/Standard/Module1.xml": "<script:module/>"})),
        ("Minutes.odt", odt(extra={"Scripts/python/run.py": "import os"})),
        ("Minutes.doc", ole(["Macros", "VBA", "_VBA_PROJECT"])),
        ("Minutes.doc", ole(["_VBA_PROJECT_CUR"])),
    ],
    ids=[
        "docx-vbaProject", "xlsx-vbaProject", "xlsx-vbaProject-anywhere", "docm-content-type",
        "xlsx-macrosheet-part", "odt-basic", "odt-scripts", "doc-vba-storage", "xls-vba-cur",
    ],
)  # fmt: skip
def test_a_document_with_macros_is_refused_at_the_file_field(
    pat: Client,
    deliverable: Deliverable,
    stored_files: Any,
    name: str,
    content: bytes,
) -> None:
    response = pat.post(url(deliverable), {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 422
    assert errors(response) == [MESSAGE]
    assert MESSAGE in html.unescape(response.content.decode())
    assert DeliverableVersion.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Minutes.docx", docx()),
        ("Budget.xlsx", xlsx(extra={"xl/vbaProject.xml.txt": "a name that only looks close"})),
        ("Minutes.odt", odt()),
        ("Minutes.doc", ole(["1Table", "SummaryInformation"])),
        # a plain archive may hold a folder called Basic: it is no OpenDocument
        ("code.zip", zipped({"Basic/readme.txt": "hello"})),
    ],
    ids=["docx", "xlsx", "odt", "doc", "zip-with-basic-folder"],
)
def test_the_same_documents_without_macros_go_through(
    pat: Client, deliverable: Deliverable, private_media: Path, name: str, content: bytes
) -> None:
    response = pat.post(url(deliverable), {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 302
    assert DeliverableVersion.objects.count() == 1


def test_the_manifest_is_read_bounded_and_nothing_else_is_inflated() -> None:
    # 64 MB of zeros deflate to ~64 KB: the check must not inflate them (a zip bomb), and a
    # huge manifest is read only up to its bound.
    bomb = b"\x00" * (64 * 1024 * 1024)
    content = zipped(
        {
            "[Content_Types].xml": content_types(DOCX + ".main+xml") + " " * (4 * 1024 * 1024),
            "word/document.xml": "<w:document/>",
            "word/media/zeros.bin": bomb,
        }
    )
    del bomb
    upload = SimpleUploadedFile("big.docx", content)

    tracemalloc.start()
    try:
        assert has_macros(upload, DOCX) is False
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # neither 64 MB of zeros nor the 4 MB manifest in memory
    assert upload.tell() == 0  # left ready to be hashed and stored


def test_a_corrupt_archive_is_not_taken_for_macros() -> None:
    assert has_macros(SimpleUploadedFile("x.docx", b"PK\x03\x04 broken"), DOCX) is False
