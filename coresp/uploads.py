"""Upload limits enforced while the body streams in, not after it is on disk.

Django writes a whole file to a temporary file before a form can look at its size: a 200 MiB
upload was read in full and only then refused. `LimitedUploadHandler` stands first among
`FILE_UPLOAD_HANDLERS` and stops the parser at the limit: it refuses a body whose declared length
cannot fit before reading a byte, and a file as soon as more than `MAX_UPLOAD_SIZE` bytes of it
have arrived, before the chunk that crosses the limit reaches the temporary file. The refusal is
an `UploadTooBig`, a kind of Django's own `RequestDataTooBig`, so Django stops reading and the
site's `handler400` answers both with the 413 page (coresp.views.bad_request).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

# Room in a multipart body for the part headers and boundaries around the file and the fields.
MULTIPART_OVERHEAD = 64 * 1024


class UploadTooBig(RequestDataTooBig):
    """A file, or a whole multipart body, over the upload limit; `limit` is in bytes."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


def max_body_size() -> int:
    """The largest multipart body that can hold one allowed file and the form's other fields
    (those are bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, which Django enforces itself)."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return int(settings.MAX_UPLOAD_SIZE) + fields + MULTIPART_OVERHEAD


class LimitedUploadHandler(FileUploadHandler):
    """Count each file's bytes and stop the upload past MAX_UPLOAD_SIZE. Stores nothing itself:
    it passes every chunk on to the next handler (memory or temporary file)."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        # The declared length is all Django will read (it wraps the input in a LimitedStream), so
        # a body that declares too much is refused before any of it is read.
        if content_length > max_body_size():
            raise UploadTooBig(
                f"Upload body of {content_length} bytes is over the limit", limit=self.limit
            )
        return None

    @property
    def limit(self) -> int:
        return int(settings.MAX_UPLOAD_SIZE)

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        # A part that states its own length (rare: browsers do not) is refused at once.
        if self.content_length is not None and self.content_length > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # `start` is how much of this file came before the chunk: refuse before passing it on,
        # so the temporary file never holds more than the limit.
        if start + len(raw_data) > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler returns the file

    def _refuse(self) -> None:
        # The parser does not close the file being written when a handler raises; close it here
        # so the partial temporary file is deleted now rather than whenever it is collected.
        for handler in self.request.upload_handlers if self.request is not None else []:
            partial = getattr(handler, "file", None)
            if handler is not self and partial is not None:
                partial.close()
        raise UploadTooBig(f"Uploaded file {self.file_name!r} is over the limit", limit=self.limit)
