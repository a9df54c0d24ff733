"""procurement:evidence_upload: the tender's keepers add files that back an outcome's figures,
until the coordinator validates it. The type is read from the content (projects/files.py), the
file is stored under a generated name in private storage with its size and SHA-256; a refused
file leaves nothing behind."""

from __future__ import annotations

import datetime as dt
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
from procurement.evidence import add_outcome_evidence
from procurement.models import ClauseOutcome, OutcomeEvidence, Tender
from projects.files import check_upload
from projects.models import Project
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_period,
    make_tender,
)
from tests.projects.conftest import make_pdf

pytestmark = pytest.mark.django_db

PDF = make_pdf("Payroll extract, June 2023")


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
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality (`other_partner` keeps it), lot 1 awarded from 1 June 2023."""
    tender = make_tender(project)
    make_contract(tender.lots.get(number=1), start_date=dt.date(2023, 6, 1))
    return tender


@pytest.fixture
def outcome(project: Project, tender: Tender) -> ClauseOutcome:
    clause = make_clause(tender, lot=tender.lots.get(number=1))
    return make_clause_outcome(clause, make_period(project))


@pytest.fixture
def keeper(client: Client, other_partner: User) -> Client:
    client.force_login(other_partner)
    return client


def url(outcome: ClauseOutcome) -> str:
    tender = outcome.clause.tender
    return reverse("procurement:evidence_upload", args=[tender.project.slug, tender.pk, outcome.pk])


def pdf(name: str = "Payroll June 2023.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def test_a_keeper_uploads_a_pdf(
    keeper: Client,
    other_partner: User,
    project: Project,
    outcome: ClauseOutcome,
    stored_files: Callable[[], list[Path]],
    private_media: Path,
) -> None:
    response = keeper.post(url(outcome), {"file": pdf()})

    assert response.status_code == 302
    assert response["Location"] == outcome.clause.tender.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Payroll_June_2023.pdf added to the evidence for RP1."
    ]
    evidence = OutcomeEvidence.objects.get()
    assert evidence.outcome == outcome
    assert evidence.original_name == "Payroll_June_2023.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == other_partner
    # Under a generated name, in private storage, with the exact bytes.
    name = str(evidence.file.name)
    assert name.startswith(f"procurement/evidence/{project.pk}/")
    assert name.endswith(".pdf")
    assert "payroll" not in name.lower()
    assert stored_files() == [private_media / name]
    assert (private_media / name).read_bytes() == PDF


@pytest.mark.parametrize("status", [ClauseOutcome.Status.DRAFT, ClauseOutcome.Status.SUBMITTED])
def test_evidence_may_be_added_until_the_outcome_is_validated(
    client: Client,
    coordinator: User,
    outcome: ClauseOutcome,
    private_media: Path,
    status: str,
) -> None:
    """The coordinator, checking a submitted outcome, may add what the partner mailed them."""
    ClauseOutcome.objects.filter(pk=outcome.pk).update(status=status)
    client.force_login(coordinator)
    assert client.post(url(outcome), {"file": pdf()}).status_code == 302
    assert OutcomeEvidence.objects.count() == 1


def test_a_validated_outcome_takes_no_more_evidence(
    keeper: Client, outcome: ClauseOutcome, stored_files: Callable[[], list[Path]]
) -> None:
    ClauseOutcome.objects.filter(pk=outcome.pk).update(status=ClauseOutcome.Status.VALIDATED)

    response = keeper.post(url(outcome), {"file": pdf()})

    assert response.status_code == 422
    assert response.context["review"]["upload_form"].errors["file"] == [
        "The coordinator has validated this outcome: its evidence is on record and no file can "
        "be added."
    ]
    assert OutcomeEvidence.objects.count() == 0
    assert stored_files() == []


def test_a_validation_that_lands_during_the_upload_wins(
    other_partner: User, outcome: ClauseOutcome, stored_files: Callable[[], list[Path]]
) -> None:
    """The status is read again under a lock before the row is written: an outcome validated
    after the page's check gets no file, and the stored one is removed."""
    ClauseOutcome.objects.filter(pk=outcome.pk).update(status=ClauseOutcome.Status.VALIDATED)
    assert outcome.status == ClauseOutcome.Status.DRAFT  # what the request had read
    checked = check_upload(pdf())

    with pytest.raises(ValidationError):
        add_outcome_evidence(outcome, checked, by=other_partner)

    assert OutcomeEvidence.objects.count() == 0
    assert stored_files() == []


def elf() -> bytes:
    """The start of a Linux executable."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "content", "claimed", "message"),
    [
        (
            "payroll.pdf",
            elf(),
            "application/pdf",
            "This type of file is not accepted (its content is application/x-executable). "
            "Upload a PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, GIF, WebP or ZIP "
            "file.",
        ),
        (
            "certificate.png",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "image/png",
            "This type of file is not accepted. Upload a PDF, Word, Excel, PowerPoint, "
            "OpenDocument, JPEG, PNG, GIF, WebP or ZIP file.",
        ),
        ("empty.pdf", b"", "application/pdf", "The submitted file is empty."),
    ],
)
def test_a_refused_file_stores_nothing(
    keeper: Client,
    outcome: ClauseOutcome,
    stored_files: Callable[[], list[Path]],
    name: str,
    content: bytes,
    claimed: str,
    message: str,
) -> None:
    response = keeper.post(url(outcome), {"file": SimpleUploadedFile(name, content, claimed)})

    assert response.status_code == 422
    assert response.context["review"]["upload_form"].errors["file"] == [message]
    assert "Nothing was changed:" in response.content.decode()
    assert OutcomeEvidence.objects.count() == 0
    assert stored_files() == []


def test_a_file_over_the_size_limit_stores_nothing(
    keeper: Client,
    outcome: ClauseOutcome,
    stored_files: Callable[[], list[Path]],
    settings: Any,
) -> None:
    settings.MAX_UPLOAD_SIZE = 1024
    big = PDF + b"\n" * (2048 - len(PDF))  # still a PDF, 2 KB

    response = keeper.post(url(outcome), {"file": SimpleUploadedFile("big.pdf", big)})

    assert response.status_code == 413  # stopped while reading (coresp.uploads)
    assert "Files may be at most 1.0\xa0KB." in html.unescape(response.content.decode())
    assert OutcomeEvidence.objects.count() == 0
    assert stored_files() == []


def test_no_file_is_refused(keeper: Client, outcome: ClauseOutcome) -> None:
    response = keeper.post(url(outcome), {})
    assert response.status_code == 422
    assert response.context["review"]["upload_form"].errors["file"] == ["This field is required."]


@pytest.mark.parametrize("who", ["partner", "observer"])
def test_others_get_403_and_nothing_is_stored(
    client: Client,
    outcome: ClauseOutcome,
    stored_files: Callable[[], list[Path]],
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(outcome), {"file": pdf()}).status_code == 403
    assert OutcomeEvidence.objects.count() == 0
    assert stored_files() == []


def test_outsider_gets_404(
    client: Client,
    outsider: User,
    outcome: ClauseOutcome,
    stored_files: Callable[[], list[Path]],
) -> None:
    client.force_login(outsider)
    assert client.post(url(outcome), {"file": pdf()}).status_code == 404
    assert stored_files() == []


def test_an_outcome_is_only_reachable_through_its_own_tender(
    keeper: Client,
    project: Project,
    outcome: ClauseOutcome,
    stored_files: Callable[[], list[Path]],
) -> None:
    other = make_tender(project)
    wrong = reverse("procurement:evidence_upload", args=[project.slug, other.pk, outcome.pk])
    assert keeper.post(wrong, {"file": pdf()}).status_code == 404
    assert stored_files() == []


def test_anonymous_is_sent_to_login(
    client: Client, outcome: ClauseOutcome, stored_files: Callable[[], list[Path]]
) -> None:
    response = client.post(url(outcome), {"file": pdf()})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert stored_files() == []


def test_get_is_not_allowed(keeper: Client, outcome: ClauseOutcome) -> None:
    assert keeper.get(url(outcome)).status_code == 405
