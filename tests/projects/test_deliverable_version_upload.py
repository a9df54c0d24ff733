"""projects:deliverable_version_upload: the lead organisation's staff upload a file as a new
version; its type is read from its content, it is stored under a generated name in private
storage, and its size, SHA-256, uploader and time are kept."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Deliverable, DeliverableVersion

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_version_upload", args=[d.project.slug, d.number])


def png() -> bytes:
    """A real 1 x 1 PNG."""

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


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx() -> bytes:
    return zipped(
        {
            "[Content_Types].xml": "<Types/>",
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document/>",
        }
    )


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def test_lead_partner_uploads_a_pdf_as_a_new_version(
    pat: Client,
    partner: User,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    stored_files: Callable[[], list[Path]],
    private_media: Path,
) -> None:
    upload = SimpleUploadedFile("Project handbook v2.pdf", pdf_bytes, "application/pdf")
    before = timezone.now()

    response = pat.post(url(deliverable), {"note": "Second draft", "file": upload}, follow=True)

    assert response.redirect_chain == [(deliverable.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Project_handbook_v2.pdf uploaded to D1.1."
    ]
    version = DeliverableVersion.objects.get()
    assert version.deliverable == deliverable
    assert version.original_name == "Project_handbook_v2.pdf"
    assert version.content_type == "application/pdf"
    assert version.size == len(pdf_bytes)
    assert version.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert version.note == "Second draft"
    assert version.uploaded_by == partner
    assert before <= version.uploaded_at <= timezone.now()
    # Stored under a generated name, in private storage, with the exact bytes.
    name = str(version.file.name)
    assert name.startswith(f"deliverables/{deliverable.project_id}/")
    assert name.endswith(".pdf")
    assert "handbook" not in name.lower()
    assert stored_files() == [private_media / name]
    assert (private_media / name).read_bytes() == pdf_bytes
    # The page lists it.
    assert "Project_handbook_v2.pdf" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "claimed", "detected", "extension"),
    [
        ("photo.png", png(), "image/png", "image/png", "png"),
        ("Minutes.docx", docx(), "application/octet-stream",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ("annexes.zip", zipped({"a.txt": "annex"}), "application/zip", "application/zip", "zip"),
        # the browser's claim and the name are ignored: the content says PDF
        ("report.html", None, "text/html", "application/pdf", "pdf"),
    ],
)  # fmt: skip
def test_the_type_is_read_from_the_content(
    pat: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    private_media: Path,
    name: str,
    content: bytes | None,
    claimed: str,
    detected: str,
    extension: str,
) -> None:
    upload = SimpleUploadedFile(name, content or pdf_bytes, claimed)
    assert pat.post(url(deliverable), {"file": upload}).status_code == 302
    version = DeliverableVersion.objects.get()
    assert version.content_type == detected
    assert str(version.file.name).endswith(f".{extension}")


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\pat\\Desktop\\report.pdf", "report.pdf"),
        ("My report (final).pdf", "My_report_final.pdf"),
        ("Rapport été.pdf", "Rapport_été.pdf"),
    ],
)
def test_the_original_name_is_kept_cleaned(
    pat: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    private_media: Path,
    name: str,
    kept: str,
) -> None:
    pat.post(url(deliverable), {"file": SimpleUploadedFile(name, pdf_bytes, "application/pdf")})
    assert DeliverableVersion.objects.get().original_name == kept


def test_a_file_exactly_at_the_size_limit_is_accepted(
    pat: Client, deliverable: Deliverable, pdf_bytes: bytes, private_media: Path, settings: Any
) -> None:
    settings.MAX_UPLOAD_SIZE = len(pdf_bytes)
    upload = SimpleUploadedFile("r.pdf", pdf_bytes, "application/pdf")
    assert pat.post(url(deliverable), {"file": upload}).status_code == 302


def test_uploading_twice_keeps_both_versions_newest_first(
    pat: Client, deliverable: Deliverable, pdf_bytes: bytes, stored_files: Callable[[], list[Path]]
) -> None:
    for name in ["first.pdf", "second.pdf"]:
        pat.post(url(deliverable), {"file": SimpleUploadedFile(name, pdf_bytes, "application/pdf")})
    response = pat.get(deliverable.get_absolute_url())
    assert [v.original_name for v in response.context["versions"]] == ["second.pdf", "first.pdf"]
    assert len(stored_files()) == 2  # same content, two stored files under two names


def test_a_refused_type_stores_nothing(
    pat: Client, deliverable: Deliverable, stored_files: Callable[[], list[Path]]
) -> None:
    upload = SimpleUploadedFile("notes.txt", b"plain words, no magic number", "text/plain")
    response = pat.post(url(deliverable), {"file": upload})
    assert response.status_code == 422
    assert "This type of file is not accepted." in response.content.decode()
    assert DeliverableVersion.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403_and_nothing_is_stored(
    client: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    stored_files: Callable[[], list[Path]],
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(who))
    upload = SimpleUploadedFile("r.pdf", pdf_bytes, "application/pdf")
    assert client.post(url(deliverable), {"file": upload}).status_code == 403
    assert DeliverableVersion.objects.count() == 0
    assert stored_files() == []


def test_outsider_gets_404(
    client: Client,
    outsider: User,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    stored_files: Callable[[], list[Path]],
) -> None:
    client.force_login(outsider)
    upload = SimpleUploadedFile("r.pdf", pdf_bytes, "application/pdf")
    assert client.post(url(deliverable), {"file": upload}).status_code == 404
    assert stored_files() == []


def test_anonymous_is_sent_to_login(
    client: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    stored_files: Callable[[], list[Path]],
) -> None:
    upload = SimpleUploadedFile("r.pdf", pdf_bytes, "application/pdf")
    response = client.post(url(deliverable), {"file": upload})
    assert response["Location"].startswith(reverse("account_login"))
    assert stored_files() == []


def test_get_is_not_allowed(pat: Client, deliverable: Deliverable) -> None:
    assert pat.get(url(deliverable)).status_code == 405
