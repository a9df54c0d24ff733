"""procurement:evidence_download: an outcome's evidence file, for every member of the project,
from private storage, as an attachment under its original name that the browser must not sniff
or render; reachable only through its own outcome and tender."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
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
def tender(project: Project) -> Tender:
    """T-001 of P3's municipality (`other_partner` keeps it), lot 1 awarded from 1 June 2023."""
    tender = make_tender(project)
    make_contract(tender.lots.get(number=1), start_date=dt.date(2023, 6, 1))
    return tender


@pytest.fixture
def outcome(project: Project, tender: Tender) -> ClauseOutcome:
    clause = make_clause(tender, lot=tender.lots.get(number=1))
    return make_clause_outcome(clause, make_period(project))


def add(outcome: ClauseOutcome, by: User, name: str = "Payroll_June.pdf") -> OutcomeEvidence:
    return add_outcome_evidence(
        outcome, check_upload(SimpleUploadedFile(name, PDF, "application/pdf")), by=by
    )


@pytest.fixture
def evidence(outcome: ClauseOutcome, other_partner: User, private_media: Path) -> OutcomeEvidence:
    return add(outcome, other_partner)


def url(evidence: OutcomeEvidence, *, tender_pk: int | None = None) -> str:
    outcome = evidence.outcome
    tender = outcome.clause.tender
    return reverse(
        "procurement:evidence_download",
        args=[tender.project.slug, tender_pk or tender.pk, outcome.pk, evidence.pk],
    )


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("who", ["coordinator", "other_partner", "partner", "observer"])
def test_every_member_downloads_the_file_as_an_attachment(
    client: Client, evidence: OutcomeEvidence, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(evidence))

    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Payroll_June.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(PDF))


def test_the_type_sent_is_the_detected_one_not_the_uploaders_claim(
    client: Client, outcome: ClauseOutcome, other_partner: User, private_media: Path
) -> None:
    checked = check_upload(SimpleUploadedFile("certificate.html", PDF, "text/html"))
    evidence = add_outcome_evidence(outcome, checked, by=other_partner)
    client.force_login(other_partner)
    response = client.get(url(evidence))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="certificate.pdf"'


def test_a_validated_outcomes_evidence_is_still_served(
    client: Client, observer: User, evidence: OutcomeEvidence
) -> None:
    ClauseOutcome.objects.filter(pk=evidence.outcome_id).update(
        status=ClauseOutcome.Status.VALIDATED
    )
    client.force_login(observer)
    assert client.get(url(evidence)).status_code == 200


def test_outsider_gets_404(client: Client, outsider: User, evidence: OutcomeEvidence) -> None:
    client.force_login(outsider)
    assert client.get(url(evidence)).status_code == 404


def test_a_file_is_only_reachable_through_its_own_outcome_and_tender(
    client: Client,
    project: Project,
    partner: User,
    other_partner: User,
    tender: Tender,
    evidence: OutcomeEvidence,
) -> None:
    client.force_login(partner)
    other_tender = make_tender(project)
    assert client.get(url(evidence, tender_pk=other_tender.pk)).status_code == 404
    # Another outcome of the same tender.
    other_period = make_period(project, number=2, start_month=10, end_month=18)
    other_outcome = make_clause_outcome(evidence.outcome.clause, other_period)
    wrong = reverse(
        "procurement:evidence_download",
        args=[project.slug, tender.pk, other_outcome.pk, evidence.pk],
    )
    assert client.get(wrong).status_code == 404


def test_an_unknown_file_gets_404(client: Client, partner: User, evidence: OutcomeEvidence) -> None:
    client.force_login(partner)
    outcome = evidence.outcome
    missing = reverse(
        "procurement:evidence_download",
        args=[
            outcome.clause.tender.project.slug,
            outcome.clause.tender_id,
            outcome.pk,
            evidence.pk + 1,
        ],
    )
    assert client.get(missing).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, evidence: OutcomeEvidence) -> None:
    response = client.get(url(evidence))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_post_is_not_allowed(client: Client, partner: User, evidence: OutcomeEvidence) -> None:
    client.force_login(partner)
    assert client.post(url(evidence)).status_code == 405


def test_the_file_is_not_served_at_any_address_but_the_download_view(
    client: Client, partner: User, evidence: OutcomeEvidence
) -> None:
    client.force_login(partner)
    name = str(evidence.file.name)
    assert client.get("/" + name).status_code == 404
    assert client.get("/media/" + name).status_code == 404
