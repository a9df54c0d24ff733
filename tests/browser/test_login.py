"""A person opens the site in a browser, logs in, and sees their project's dashboard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from projects.models import Membership, Partner
from tests.browser.conftest import login, navigating, visit
from tests.factories import (
    make_membership,
    make_organisation,
    make_partner,
    make_project,
    make_user,
)

pytestmark = pytest.mark.services


@pytest.fixture
def demo_coordinator(transactional_db: None) -> str:
    """The demo's coordinator, in one project (committed: the live server runs in a thread)."""
    project = make_project("CO-RESP")
    easpd = make_partner(
        project,
        make_organisation(
            "EASPD",
            legal_name="European Association of Service providers for Persons with Disabilities",
            kind="network",
            country="BE",
        ),
        number=1,
        role=Partner.Role.COORDINATOR,
    )
    user = make_user(
        "coordinator@easpd.example", password="coresp-demo", full_name="Demo Coordinator"
    )
    make_membership(user, project, role=Membership.Role.COORDINATOR, partner=easpd)
    return user.email


def test_coordinator_logs_in_and_sees_the_dashboard(
    page: Any, demo_coordinator: str, tmp_path: Path
) -> None:
    visit(page, "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    login(page, demo_coordinator, "coresp-demo")

    # One project: home sends them straight to it.
    expect(page).to_have_url(re.compile(r"/p/co-resp/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("CO-RESP")
    screenshot = tmp_path / "dashboard.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.exists() and screenshot.stat().st_size > 0


def test_wrong_password_keeps_the_person_on_the_login_page(
    page: Any, demo_coordinator: str
) -> None:
    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(demo_coordinator)
    page.get_by_label("Password").fill("not-the-password")
    with navigating(page):
        page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    # The form's error, and the error summary that repeats it at the top (focused).
    expect(page.get_by_role("alert").get_by_text("not correct")).to_be_visible()
    expect(page.locator("[data-error-summary]").get_by_text("not correct")).to_be_visible()
