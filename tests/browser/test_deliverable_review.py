"""A deliverable's review cycle in the browser: the lead partner logs progress, uploads a version
and submits it; the coordinator asks for changes; the partner uploads again and resubmits; the
coordinator approves; the page's history shows every step, with who did it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from projects.models import Deliverable, DeliverableVersion, Membership, Partner
from tests.browser.conftest import login, navigating, visit
from tests.factories import (
    make_deliverable,
    make_membership,
    make_organisation,
    make_partner,
    make_project,
    make_user,
    make_work_package,
)

pytestmark = pytest.mark.services

PASSWORD = "coresp-demo"
# The smallest file the platform's type detection recognises as a PDF.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class Cast:
    coordinator: str
    partner: str
    url: str


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    project = make_project("CO-RESP")
    easpd = make_partner(
        project, make_organisation("EASPD"), number=1, role=Partner.Role.COORDINATOR
    )
    naso = make_partner(project, make_organisation("NASO", country="BG"), number=2)
    coordinator = make_user(
        "coordinator@easpd.example", password=PASSWORD, full_name="Clara Coordinator"
    )
    partner = make_user("partner@naso.example", password=PASSWORD, full_name="Petar Partner")
    make_membership(coordinator, project, role=Membership.Role.COORDINATOR, partner=easpd)
    make_membership(partner, project, role=Membership.Role.PARTNER, partner=naso)
    wp = make_work_package(project, lead=naso, number=3, title="Local roundtables")
    deliverable = make_deliverable(
        wp, number="D3.1", title="Roundtable report: Dobrich", due_month=12
    )
    return Cast(coordinator.email, partner.email, deliverable.get_absolute_url())


def log_out(page: Any) -> None:
    with navigating(page):
        page.get_by_role("button", name="Log out").click()
    # allauth asks for confirmation only on GET; the header's button posts directly.
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def upload(page: Any, tmp_path: Path, name: str, note: str) -> None:
    file = tmp_path / name
    file.write_bytes(PDF)
    page.locator("input[type=file][name=file]").set_input_files(file)
    page.get_by_label(re.compile(r"^Note")).fill(note)
    with navigating(page):
        page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text(f"{name} uploaded to D3.1")).to_be_visible()


def test_a_deliverable_goes_through_review_and_its_history_shows_every_step(
    page: Any, cast: Cast, tmp_path: Path
) -> None:
    # The partner logs progress, uploads a draft and submits it for review.
    login(page, cast.partner, PASSWORD)
    visit(page, cast.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("D3.1 Roundtable report: Dobrich")
    page.get_by_label("Progress (%)").fill("60")
    page.get_by_label("Progress note").fill("Minutes written; photos still to be added.")
    with navigating(page):
        page.get_by_role("button", name="Add update").click()
    expect(page.get_by_text("Progress on D3.1 recorded: 60%.")).to_be_visible()
    upload(page, tmp_path, "roundtable-dobrich-draft.pdf", "first draft")
    with navigating(page):
        page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("D3.1 is submitted for review")).to_be_visible()
    log_out(page)

    # The coordinator asks for changes, with a comment.
    login(page, cast.coordinator, PASSWORD)
    waiting = page.locator(
        "section", has=page.get_by_role("heading", name="Waiting for the coordinator's review")
    )
    expect(waiting.get_by_role("link", name="D3.1")).to_be_visible()
    visit(page, cast.url)
    page.get_by_label("Comment").fill("Please add the list of organisations that took part.")
    with navigating(page):
        page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes to D3.1 requested.")).to_be_visible()
    log_out(page)

    # The partner sees the request, uploads a new version and resubmits.
    login(page, cast.partner, PASSWORD)
    visit(page, cast.url)
    expect(
        page.get_by_text("Please add the list of organisations that took part.").first
    ).to_be_visible()
    upload(page, tmp_path, "roundtable-dobrich-v2.pdf", "with the list of organisations")
    with navigating(page):
        page.get_by_role("button", name="Submit for review").click()
    log_out(page)

    # The coordinator approves.
    login(page, cast.coordinator, PASSWORD)
    visit(page, cast.url)
    with navigating(page):
        page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("D3.1 approved.")).to_be_visible()

    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    text = history.inner_text()
    steps = [
        ("Submitted for review", "Petar Partner"),
        ("Changes requested", "Clara Coordinator"),
        ("Approved", "Clara Coordinator"),
    ]
    for step, who in steps:
        assert re.search(rf"{step}\s+by {who}", text), f"{step} by {who} missing from:\n{text}"
    assert len(re.findall(r"Submitted for review\s+by Petar Partner", text)) == 2
    page.screenshot(path=tmp_path / "approved.png", full_page=True)

    deliverable = Deliverable.objects.get(number="D3.1")
    assert deliverable.status == Deliverable.Status.APPROVED
    assert DeliverableVersion.objects.filter(deliverable=deliverable).count() == 2
    assert deliverable.progress_updates.get().percent == 60
