"""Upload limits hold while the body streams in (coresp.uploads.LimitedUploadHandler): a body over
the limit is refused with a 413 before it is read in full, the temporary file never grows past
the limit, and form fields over DATA_UPLOAD_MAX_MEMORY_SIZE get a 413 too.

The requests go through the test client and the whole middleware stack, with `wsgi.input`
replaced by a stream that makes up a large multipart body as it is read and counts what was read.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, DeliverableVersion

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
BOUNDARY = "----coresp-limit-test"


class GeneratedBody:
    """A multipart body with one file of `file_size` bytes, made up as it is read (a 200 MiB body
    costs no memory); `bytes_read` is how much of it the server read."""

    def __init__(self, file_size: int, *, pdf: bytes) -> None:
        self.head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="note"\r\n\r\nfinal\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="huge.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode() + pdf
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.filler = file_size - len(pdf)
        self.length = len(self.head) + self.filler + len(self.tail)
        self.bytes_read = 0

    def _byte_at(self, start: int, size: int) -> bytes:
        head, filler = len(self.head), self.filler
        out = b""
        if start < head:
            out += self.head[start : start + size]
        f0, f1 = max(start, head), min(start + size, head + filler)
        if f1 > f0:
            out += b"%" * (f1 - f0)
        t0, t1 = max(start, head + filler), min(start + size, self.length)
        if t1 > t0:
            out += self.tail[t0 - head - filler : t1 - head - filler]
        return out

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.bytes_read
        data = self._byte_at(self.bytes_read, size)
        self.bytes_read += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:  # Django's LimitedStream may ask for lines
        return self.read(size)


class RecordingTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, noting the largest size its file reached."""

    largest = 0
    paths: list[str] = []

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        RecordingTemporaryFileUploadHandler.paths.append(self.file.temporary_file_path())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        super().receive_data_chunk(raw_data, start)
        cls = RecordingTemporaryFileUploadHandler
        cls.largest = max(cls.largest, self.file.tell())


@pytest.fixture
def recording(settings: Any, tmp_path: Path) -> type[RecordingTemporaryFileUploadHandler]:
    """The site's handlers with the temporary-file one recording; small limits."""
    assert settings.FILE_UPLOAD_HANDLERS[0] == "coresp.uploads.LimitedUploadHandler"
    settings.FILE_UPLOAD_HANDLERS = [
        "coresp.uploads.LimitedUploadHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        f"{__name__}.RecordingTemporaryFileUploadHandler",
    ]
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.MAX_UPLOAD_SIZE = 1 * MiB
    RecordingTemporaryFileUploadHandler.largest = 0
    RecordingTemporaryFileUploadHandler.paths = []
    return RecordingTemporaryFileUploadHandler


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_version_upload", args=[d.project.slug, d.number])


def post_body(client: Client, deliverable: Deliverable, body: GeneratedBody, **headers: str) -> Any:
    """POST `body` as the request's input stream (the WSGI environ's own keys, so the test
    client does not build and buffer a body of its own)."""
    environ: dict[str, Any] = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "wsgi.input": body,
    }
    return client.generic("POST", url(deliverable), headers=headers, **environ)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def test_a_200_mib_body_is_refused_before_a_byte_of_it_is_read(
    pat: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    private_media: Path,
    recording: type[RecordingTemporaryFileUploadHandler],
) -> None:
    body = GeneratedBody(200 * MiB, pdf=pdf_bytes)

    response = post_body(pat, deliverable, body)

    assert response.status_code == 413
    assert body.bytes_read == 0  # the declared length alone was enough
    assert recording.paths == []  # no temporary file was even opened
    assert DeliverableVersion.objects.count() == 0
    page = text(response)
    assert "That file is too large" in page
    assert "Files may be at most 1.0\xa0MB. The upload was stopped and nothing was saved." in page
    assert "site-header" in page  # the page sits in the site's frame


def test_a_file_over_the_limit_stops_being_read_at_the_limit(
    pat: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    private_media: Path,
    stored_files: Any,
    recording: type[RecordingTemporaryFileUploadHandler],
) -> None:
    # 3 MiB fits the body allowance (file limit + form fields), so the declared length passes
    # and the file itself must be stopped as it streams in.
    body = GeneratedBody(3 * MiB, pdf=pdf_bytes)

    response = post_body(pat, deliverable, body)

    assert response.status_code == 413
    # Read: the form's head, the first MiB of the file and at most the one chunk that crossed.
    assert 1 * MiB < body.bytes_read <= 1 * MiB + len(body.head) + 64 * 1024
    assert body.bytes_read < body.length - 1 * MiB
    # The temporary file never held more than the limit, and it is gone.
    assert 0 < recording.largest <= 1 * MiB
    assert recording.paths and not any(Path(p).exists() for p in recording.paths)
    assert DeliverableVersion.objects.count() == 0
    assert stored_files() == []
    assert "Files may be at most 1.0\xa0MB." in text(response)


def test_a_file_at_the_limit_still_goes_through(
    pat: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    private_media: Path,
    recording: type[RecordingTemporaryFileUploadHandler],
) -> None:
    body = GeneratedBody(1 * MiB, pdf=pdf_bytes)

    response = post_body(pat, deliverable, body)

    assert response.status_code == 302
    assert body.bytes_read == body.length
    assert DeliverableVersion.objects.get().size == 1 * MiB


def test_an_htmx_request_gets_the_message_alone(
    pat: Client,
    deliverable: Deliverable,
    pdf_bytes: bytes,
    private_media: Path,
    recording: type[RecordingTemporaryFileUploadHandler],
) -> None:
    response = post_body(
        pat, deliverable, GeneratedBody(200 * MiB, pdf=pdf_bytes), HX_Request="true"
    )

    assert response.status_code == 413
    page = text(response)
    assert page.lstrip().startswith('<div id="too-large" role="alert">')
    assert "<html" not in page
    assert "Files may be at most 1.0\xa0MB." in page


def test_form_fields_over_the_data_limit_get_413_not_400(
    pat: Client, deliverable: Deliverable, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    progress = reverse("projects:deliverable_progress_add", args=[deliverable.project.slug, "D1.1"])

    response = pat.post(progress, {"percent": "50", "note": "x" * (100 * 1024)})

    assert response.status_code == 413
    page = text(response)
    assert "That form sent too much text" in page
    assert "A form may send at most 64.0\xa0KB. Nothing was saved." in page
    assert deliverable.progress_updates.count() == 0


def test_the_site_uses_the_limit_handler_first(settings: Any) -> None:
    from django.conf import settings as live

    assert live.FILE_UPLOAD_HANDLERS[0] == "coresp.uploads.LimitedUploadHandler"
