"""impact:value_evidence_upload and impact:value_evidence_download: the partner's staff and the
coordinator add files that back a value, until the coordinator validates it and while its period
is open. The type is read from the content (projects/files.py), the file is stored under a
generated name in private storage with its size and SHA-256, and a refused file leaves nothing
behind. Every member downloads it, as an attachment the browser must not sniff or render."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.evidence import add_value_evidence
from impact.models import IndicatorValue, ValueEvidence
from projects.files import check_upload
from projects.models import Project, ReportingPeriod
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period
from tests.projects.conftest import make_pdf

pytestmark = pytest.mark.django_db

PDF = make_pdf("Attendance sheet, roundtable of 12 May 2023")


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    """Private storage in a fresh folder for this test."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        },
    }
    return root


@pytest.fixture
def stored_files(private_media: Path) -> Callable[[], list[Path]]:
    def files() -> list[Path]:
        return sorted(p for p in private_media.rglob("*") if p.is_file())

    return files


@pytest.fixture
def value(project: Project) -> IndicatorValue:
    """P2's draft for KPI1 in RP1; KPI1 asks for evidence."""
    return make_value(
        make_indicator(project, code="KPI1", requires_evidence=True),
        project.partners.get(number=2),
        make_period(project),
    )


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def url(value: IndicatorValue) -> str:
    return reverse("impact:value_evidence_upload", args=[value.indicator.project.slug, value.pk])


def entry_url(value: IndicatorValue) -> str:
    project = value.indicator.project
    return (
        reverse("impact:value_entry", args=[project.slug, 2, 1]) + "?indicator=KPI1#indicator-KPI1"
    )


def pdf(name: str = "Attendance May 2023.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def upload_errors(response: Any) -> list[str]:
    return list(response.context["rows"][0].review["upload_form"].errors["file"])


# --- upload -----------------------------------------------------------------------------------


def test_the_partner_uploads_a_pdf(
    pat: Client,
    partner: User,
    project: Project,
    value: IndicatorValue,
    stored_files: Callable[[], list[Path]],
    private_media: Path,
) -> None:
    response = pat.post(url(value), {"file": pdf()})

    assert response.status_code == 302
    assert response["Location"] == entry_url(value)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Attendance_May_2023.pdf added to the evidence of KPI1 for RP1."
    ]
    evidence = ValueEvidence.objects.get()
    assert evidence.value == value
    assert evidence.original_name == "Attendance_May_2023.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == partner
    # Under a generated name, in private storage, with the exact bytes.
    name = str(evidence.file.name)
    assert name.startswith(f"impact/evidence/{project.pk}/")
    assert name.endswith(".pdf")
    assert "attendance" not in name.lower()
    assert stored_files() == [private_media / name]
    assert (private_media / name).read_bytes() == PDF
    # The entry page lists it, and the value may now be submitted.
    page = pat.get(entry_url(value))
    download = reverse("impact:value_evidence_download", args=[project.slug, value.pk, evidence.pk])
    assert f'href="{download}"' in page.content.decode()
    assert page.context["rows"][0].review["can_submit"] is True


@pytest.mark.parametrize("status", [IndicatorValue.Status.DRAFT, IndicatorValue.Status.SUBMITTED])
def test_evidence_may_be_added_until_the_value_is_validated(
    client: Client, coordinator: User, value: IndicatorValue, private_media: Path, status: str
) -> None:
    """The coordinator, checking a submitted value, may add what the partner mailed them."""
    IndicatorValue.objects.filter(pk=value.pk).update(status=status)
    client.force_login(coordinator)
    assert client.post(url(value), {"file": pdf()}).status_code == 302
    assert ValueEvidence.objects.count() == 1


def test_a_validated_value_takes_no_more_evidence(
    pat: Client, value: IndicatorValue, stored_files: Callable[[], list[Path]]
) -> None:
    IndicatorValue.objects.filter(pk=value.pk).update(status=IndicatorValue.Status.VALIDATED)

    response = pat.post(url(value), {"file": pdf()})

    assert response.status_code == 422
    assert response.context["refused"] == [
        "The coordinator has validated this value: its evidence is on record and no file can "
        "be added."
    ]
    assert ValueEvidence.objects.count() == 0
    assert stored_files() == []


def test_a_locked_period_takes_no_evidence(
    client: Client, coordinator: User, value: IndicatorValue, stored_files: Callable[[], list[Path]]
) -> None:
    ReportingPeriod.objects.filter(pk=value.period_id).update(is_locked=True)
    client.force_login(coordinator)

    response = client.post(url(value), {"file": pdf()})

    assert response.status_code == 422
    assert response.context["refused"] == [
        "RP1 is locked: its evidence is on record and no file can be added."
    ]
    assert ValueEvidence.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize(
    "change",
    [{"status": IndicatorValue.Status.VALIDATED}, {"period__is_locked": True}],
    ids=["validated", "locked"],
)
def test_a_validation_or_lock_that_lands_during_the_upload_wins(
    partner: User,
    value: IndicatorValue,
    stored_files: Callable[[], list[Path]],
    change: dict[str, Any],
) -> None:
    """The state is read again inside the transaction before the row is written: a value
    validated (or a period locked) after the page's check gets no file, and the stored one is
    removed."""
    if "status" in change:
        IndicatorValue.objects.filter(pk=value.pk).update(**change)
    else:
        ReportingPeriod.objects.filter(pk=value.period_id).update(is_locked=True)
    assert value.status == IndicatorValue.Status.DRAFT  # what the request had read
    assert value.period.is_locked is False
    checked = check_upload(pdf())

    with pytest.raises(ValidationError):
        add_value_evidence(value, checked, by=partner)

    assert ValueEvidence.objects.count() == 0
    assert stored_files() == []


def elf() -> bytes:
    """The start of a Linux executable."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "content", "claimed", "message"),
    [
        (
            "sheet.pdf",
            elf(),
            "application/pdf",
            "This type of file is not accepted (its content is application/x-executable). "
            "Upload a PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, GIF, WebP or ZIP "
            "file.",
        ),
        (
            "photo.png",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "image/png",
            "This type of file is not accepted. Upload a PDF, Word, Excel, PowerPoint, "
            "OpenDocument, JPEG, PNG, GIF, WebP or ZIP file.",
        ),
        ("empty.pdf", b"", "application/pdf", "The submitted file is empty."),
    ],
)
def test_a_refused_file_stores_nothing(
    pat: Client,
    value: IndicatorValue,
    stored_files: Callable[[], list[Path]],
    name: str,
    content: bytes,
    claimed: str,
    message: str,
) -> None:
    response = pat.post(url(value), {"file": SimpleUploadedFile(name, content, claimed)})

    assert response.status_code == 422
    assert upload_errors(response) == [message]
    html = response.content.decode()
    assert "Nothing was saved:" in html
    assert 'id="value-KPI1-upload-file"' in html  # the posted form, with its error by the field
    assert ValueEvidence.objects.count() == 0
    assert stored_files() == []


def test_a_file_over_the_size_limit_stores_nothing(
    pat: Client,
    value: IndicatorValue,
    stored_files: Callable[[], list[Path]],
    settings: Any,
) -> None:
    settings.MAX_UPLOAD_SIZE = 1024
    big = PDF + b"\n" * (2048 - len(PDF))  # still a PDF, 2 KB

    response = pat.post(url(value), {"file": SimpleUploadedFile("big.pdf", big)})

    assert response.status_code == 413  # stopped while reading (coresp.uploads)
    assert "Files may be at most 1.0\xa0KB." in html.unescape(response.content.decode())
    assert ValueEvidence.objects.count() == 0
    assert stored_files() == []


def test_no_file_is_refused(pat: Client, value: IndicatorValue) -> None:
    response = pat.post(url(value), {})
    assert response.status_code == 422
    assert upload_errors(response) == ["This field is required."]


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403_and_nothing_is_stored(
    client: Client,
    value: IndicatorValue,
    stored_files: Callable[[], list[Path]],
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(entry_url(value)).context["rows"][0].review["can_upload"] is False
    assert client.post(url(value), {"file": pdf()}).status_code == 403
    assert ValueEvidence.objects.count() == 0
    assert stored_files() == []


def test_outsider_gets_404_on_upload(
    client: Client, outsider: User, value: IndicatorValue, stored_files: Callable[[], list[Path]]
) -> None:
    client.force_login(outsider)
    assert client.post(url(value), {"file": pdf()}).status_code == 404
    assert stored_files() == []


def test_anonymous_is_sent_to_login_on_upload(
    client: Client, value: IndicatorValue, stored_files: Callable[[], list[Path]]
) -> None:
    response = client.post(url(value), {"file": pdf()})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert stored_files() == []


def test_get_is_not_allowed_on_upload(pat: Client, value: IndicatorValue) -> None:
    assert pat.get(url(value)).status_code == 405


# --- download ---------------------------------------------------------------------------------


def add(value: IndicatorValue, by: User, name: str = "Attendance_May.pdf") -> ValueEvidence:
    return add_value_evidence(
        value, check_upload(SimpleUploadedFile(name, PDF, "application/pdf")), by=by
    )


@pytest.fixture
def evidence(value: IndicatorValue, partner: User, private_media: Path) -> ValueEvidence:
    return add(value, partner)


def download_url(evidence: ValueEvidence, *, value_pk: int | None = None) -> str:
    value = evidence.value
    return reverse(
        "impact:value_evidence_download",
        args=[value.indicator.project.slug, value_pk or value.pk, evidence.pk],
    )


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_downloads_the_file_as_an_attachment(
    client: Client, evidence: ValueEvidence, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(download_url(evidence))

    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Attendance_May.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(PDF))


def test_the_type_sent_is_the_detected_one_not_the_uploaders_claim(
    client: Client, value: IndicatorValue, partner: User, private_media: Path
) -> None:
    checked = check_upload(SimpleUploadedFile("sheet.html", PDF, "text/html"))
    evidence = add_value_evidence(value, checked, by=partner)
    client.force_login(partner)
    response = client.get(download_url(evidence))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sheet.pdf"'


def test_a_validated_values_evidence_is_still_served(
    client: Client, observer: User, evidence: ValueEvidence
) -> None:
    IndicatorValue.objects.filter(pk=evidence.value_id).update(
        status=IndicatorValue.Status.VALIDATED
    )
    ReportingPeriod.objects.filter(pk=evidence.value.period_id).update(is_locked=True)
    client.force_login(observer)
    assert client.get(download_url(evidence)).status_code == 200


def test_outsider_gets_404_on_download(
    client: Client, outsider: User, evidence: ValueEvidence
) -> None:
    client.force_login(outsider)
    assert client.get(download_url(evidence)).status_code == 404


def test_a_file_is_only_reachable_through_its_own_value(
    client: Client, project: Project, partner: User, evidence: ValueEvidence
) -> None:
    client.force_login(partner)
    value = evidence.value
    other_value = make_value(
        value.indicator, value.partner, make_period(project, number=2, start_month=10, end_month=18)
    )
    assert client.get(download_url(evidence, value_pk=other_value.pk)).status_code == 404
    missing = reverse(
        "impact:value_evidence_download", args=[project.slug, value.pk, evidence.pk + 1]
    )
    assert client.get(missing).status_code == 404


def test_a_file_of_another_project_gets_404(
    client: Client, project: Project, partner: User, private_media: Path
) -> None:
    other = make_project("Other", slug="other")
    theirs = make_value(
        make_indicator(other, code="KPI1", reporting_partners=[]),
        make_partner(other, number=2),
        make_period(other),
    )
    evidence = add(theirs, partner)
    client.force_login(partner)
    wrong = reverse("impact:value_evidence_download", args=[project.slug, theirs.pk, evidence.pk])
    assert client.get(wrong).status_code == 404


def test_anonymous_is_sent_to_login_on_download(client: Client, evidence: ValueEvidence) -> None:
    response = client.get(download_url(evidence))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_post_is_not_allowed_on_download(
    client: Client, partner: User, evidence: ValueEvidence
) -> None:
    client.force_login(partner)
    assert client.post(download_url(evidence)).status_code == 405


def test_the_file_is_not_served_at_any_address_but_the_download_view(
    client: Client, partner: User, evidence: ValueEvidence
) -> None:
    client.force_login(partner)
    name = str(evidence.file.name)
    assert client.get("/" + name).status_code == 404
    assert client.get("/media/" + name).status_code == 404
