"""A download's name ends in the extension of the type detected from its content, whatever the
uploader called it (projects.files.download_name, applied by download_response to every
download): a polyglot named .html, a PDF named .exe, a right-to-left override, a 300-character
name, no extension, a double extension."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.files import add_deliverable_version, check_upload, download_name
from projects.models import Deliverable, DeliverableVersion, Project
from tests.events.factories import make_event, make_file

pytestmark = pytest.mark.django_db

RLO = "\u202e"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


# A PNG that is also an HTML page: a browser that sniffed it would run the script.
POLYGLOT = png() + b"<html><body><script>alert(document.cookie)</script></body></html>"


def saved_as(response: Any) -> str:
    """The file name the browser saves the download under (from Content-Disposition)."""
    disposition: str = response["Content-Disposition"]
    if "filename*=utf-8''" in disposition:
        return unquote(disposition.split("filename*=utf-8''", 1)[1])
    return disposition.split('filename="', 1)[1].rstrip('"')


def upload_and_download(
    client: Client, deliverable: Deliverable, name: str, content: bytes
) -> tuple[DeliverableVersion, str]:
    """Upload through the view, download through the view; the stored row and the saved name."""
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    url = reverse(
        "projects:deliverable_version_upload", args=[deliverable.project.slug, deliverable.number]
    )
    assert client.post(url, {"file": upload}).status_code == 302
    version = DeliverableVersion.objects.get()
    response = client.get(
        reverse(
            "projects:deliverable_version_download",
            args=[deliverable.project.slug, deliverable.number, version.pk],
        )
    )
    assert response.status_code == 200
    return version, saved_as(response)


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def test_a_png_html_polyglot_named_html_downloads_as_png(
    pat: Client, deliverable: Deliverable, private_media: Path
) -> None:
    version, name = upload_and_download(pat, deliverable, "report.html", POLYGLOT)
    assert version.content_type == "image/png"
    assert name == "report.png"


def test_a_pdf_named_exe_downloads_as_pdf(
    pat: Client, deliverable: Deliverable, private_media: Path, pdf_bytes: bytes
) -> None:
    assert upload_and_download(pat, deliverable, "setup.exe", pdf_bytes)[1] == "setup.pdf"


def test_a_right_to_left_override_is_stripped(
    pat: Client, deliverable: Deliverable, private_media: Path, pdf_bytes: bytes
) -> None:
    # Shown as "invoiceexe.pdf" by a bidi-aware file manager; really "invoice<RLO>fdp.exe".
    name = upload_and_download(pat, deliverable, f"invoice{RLO}fdp.exe", pdf_bytes)[1]
    assert name == "invoicefdp.pdf"
    assert RLO not in name


def test_a_300_character_name_is_shortened_and_keeps_the_extension(
    pat: Client, deliverable: Deliverable, private_media: Path, pdf_bytes: bytes
) -> None:
    version, name = upload_and_download(pat, deliverable, "a" * 296 + ".pdf", pdf_bytes)
    assert version.original_name.endswith(".pdf") and len(version.original_name) <= 200
    assert name == "a" * 196 + ".pdf"


def test_a_name_without_extension_gets_the_detected_one(
    pat: Client, deliverable: Deliverable, private_media: Path, pdf_bytes: bytes
) -> None:
    assert upload_and_download(pat, deliverable, "Handbook", pdf_bytes)[1] == "Handbook.pdf"


def test_a_double_extension_ends_in_the_detected_one(
    pat: Client, deliverable: Deliverable, private_media: Path, pdf_bytes: bytes
) -> None:
    assert upload_and_download(pat, deliverable, "x.pdf.exe", pdf_bytes)[1] == "x.pdf"


def test_a_name_stored_before_the_rule_is_cleaned_on_the_way_out(
    client: Client, deliverable: Deliverable, partner: User, private_media: Path, pdf_bytes: bytes
) -> None:
    # A row written before names were cleaned at upload (or by the admin) is still sent safely.
    upload = SimpleUploadedFile("x.pdf", pdf_bytes)
    version = add_deliverable_version(deliverable, check_upload(upload), by=partner)
    DeliverableVersion.objects.filter(pk=version.pk).update(
        original_name=f'..\\evil"{RLO}fdp.\r\nexe'
    )
    client.force_login(partner)
    response = client.get(
        reverse(
            "projects:deliverable_version_download",
            args=[deliverable.project.slug, deliverable.number, version.pk],
        )
    )
    assert saved_as(response) == "evil_fdp.pdf"


def test_an_event_material_gets_the_same_rule(
    client: Client, project: Project, partner: User, private_media: Path
) -> None:
    event = make_event(project)
    material = make_file(event, added_by=partner, name="slides.html", content=POLYGLOT)
    client.force_login(partner)
    response = client.get(
        reverse("events:material_download", args=[event.project.slug, event.pk, material.pk])
    )
    assert response.status_code == 200
    assert saved_as(response) == "slides.png"


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("report.html", "image/png", "report.png"),
        ("setup.exe", "application/pdf", "setup.pdf"),
        ("x.pdf.exe", "application/pdf", "x.pdf"),
        ("x.exe.pdf", "application/pdf", "x.exe.pdf"),
        (f"invoice{RLO}fdp.exe", "application/pdf", "invoicefdp.pdf"),
        ("Report.PDF", "application/pdf", "Report.PDF"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.gif", "image/jpeg", "photo.jpg"),
        ("Minutes v1.2", "application/pdf", "Minutes v1.2.pdf"),
        ("Budget", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "Budget.xlsx"),
        ("", "application/pdf", "file.pdf"),
        (".pdf", "application/pdf", "file.pdf"),
        ("a\u200db\u2066c\u0000d.pdf", "application/pdf", "abcd.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("data.bin", "application/x-unknown", "data.bin"),
        ("data.exe", "application/x-unknown", "data.bin"),
        ("Rapport été.pdf", "application/pdf", "Rapport été.pdf"),
    ],
)  # fmt: skip
def test_download_name(name: str, content_type: str, expected: str) -> None:
    assert download_name(name, content_type) == expected


def test_a_long_non_ascii_name_is_cut_on_a_character_and_keeps_the_extension() -> None:
    name = download_name("é" * 300 + ".docx", "application/pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= 200
    assert name == "é" * 98 + ".pdf"  # 2 bytes each: 196 bytes of stem, whole characters only
