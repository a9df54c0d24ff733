"""Private file storage: files live outside any public URL and are served only by views that
check access (they stream them as attachments)."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise ValueError(
            "Private files have no public URL: serve them through a view that checks access."
        )
