"""projects:deliverable_version_download: a version's file, from private storage, as an
attachment under its original name that the browser must not sniff or render."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.files import add_deliverable_version, check_upload
from projects.models import Deliverable, DeliverableVersion, WorkPackage
from tests.factories import make_deliverable

pytestmark = pytest.mark.django_db


def url(v: DeliverableVersion, number: str | None = None) -> str:
    d = v.deliverable
    return reverse(
        "projects:deliverable_version_download", args=[d.project.slug, number or d.number, v.pk]
    )


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def upload(
    d: Deliverable, by: User, content: bytes, name: str = "Handbook_final.pdf"
) -> DeliverableVersion:
    return add_deliverable_version(
        d, check_upload(SimpleUploadedFile(name, content, "application/pdf")), by=by
    )


@pytest.fixture
def version(
    deliverable: Deliverable, partner: User, pdf_bytes: bytes, private_media: Path
) -> DeliverableVersion:
    return upload(deliverable, partner, pdf_bytes)


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_downloads_the_file_as_an_attachment(
    client: Client,
    version: DeliverableVersion,
    pdf_bytes: bytes,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(version))

    assert response.status_code == 200
    assert body(response) == pdf_bytes
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Handbook_final.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(pdf_bytes))


def test_a_non_ascii_name_is_kept_for_the_download(
    client: Client, deliverable: Deliverable, partner: User, pdf_bytes: bytes, private_media: Path
) -> None:
    version = upload(deliverable, partner, pdf_bytes, name="Rapport été.pdf")
    client.force_login(partner)
    disposition = client.get(url(version))["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''Rapport_%C3%A9t%C3%A9.pdf"


def test_the_type_sent_is_the_detected_one_not_the_uploaders_claim(
    client: Client, deliverable: Deliverable, partner: User, pdf_bytes: bytes, private_media: Path
) -> None:
    checked = check_upload(SimpleUploadedFile("page.html", pdf_bytes, "text/html"))
    version = add_deliverable_version(deliverable, checked, by=partner)
    client.force_login(partner)
    response = client.get(url(version))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="page.pdf"'


def test_outsider_gets_404(client: Client, outsider: User, version: DeliverableVersion) -> None:
    client.force_login(outsider)
    assert client.get(url(version)).status_code == 404


def test_a_version_is_only_reachable_through_its_own_deliverable(
    client: Client, partner: User, version: DeliverableVersion, work_package: WorkPackage
) -> None:
    make_deliverable(work_package, number="D1.2")
    client.force_login(partner)
    assert client.get(url(version, number="D1.2")).status_code == 404


def test_an_unknown_version_gets_404(
    client: Client, partner: User, version: DeliverableVersion
) -> None:
    client.force_login(partner)
    missing = reverse(
        "projects:deliverable_version_download", args=["co-resp", "D1.1", version.pk + 1]
    )
    assert client.get(missing).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, version: DeliverableVersion) -> None:
    response = client.get(url(version))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_post_is_not_allowed(client: Client, partner: User, version: DeliverableVersion) -> None:
    client.force_login(partner)
    assert client.post(url(version)).status_code == 405


def test_the_file_is_not_served_at_any_address_but_the_download_view(
    client: Client, partner: User, version: DeliverableVersion, private_media: Path
) -> None:
    """Private storage has no URL of its own: the file's storage path serves nothing."""
    client.force_login(partner)
    name = str(version.file.name)
    assert client.get("/" + name).status_code == 404
    assert client.get("/media/" + name).status_code == 404
    assert not str(private_media).startswith(str(settings.STATIC_ROOT))
