"""The platform in German in the browser: the demo's coordinator, who chose German, goes through
the main pages with axe checking each (longer German words and labels must keep every page
accessible), and reads the dashboard and a deliverable on a 320 px wide phone without a page
that scrolls sideways. The screenshots are kept in test-results/languages/ for people to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from demo.loader import demo_password, load_demo
from events.models import Event
from projects.models import Membership, Project
from tests.browser.conftest import login, navigating, visit

pytestmark = pytest.mark.services

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "languages"


@pytest.fixture
def german_coordinator(transactional_db: None) -> tuple[Project, User]:
    project = load_demo(today=timezone.localdate())
    user = Membership.objects.filter(project=project, role=Membership.Role.COORDINATOR).first()
    assert user is not None
    coordinator = user.user
    coordinator.language = "de"
    coordinator.save(update_fields=["language"])
    return project, coordinator


def main_pages(project: Project) -> list[str]:
    slug = project.slug
    deliverable = project.deliverables.order_by("sort_key").first()
    work_package = project.work_packages.order_by("number").first()
    milestone = project.milestones.order_by("pk").first()
    risk = project.risks.order_by("number").first()
    event = Event.objects.filter(project=project).order_by("starts_at").first()
    assert deliverable and work_package and milestone and risk and event
    return [
        reverse("projects:project_dashboard", args=[slug]),
        reverse("projects:workpackage_list", args=[slug]),
        reverse("projects:workpackage_detail", args=[slug, work_package.number]),
        reverse("projects:deliverable_list", args=[slug]),
        deliverable.get_absolute_url(),
        reverse("projects:deliverable_edit", args=[slug, deliverable.number]),
        reverse("projects:milestone_list", args=[slug]),
        reverse("projects:milestone_detail", args=[slug, milestone.number]),
        reverse("projects:risk_list", args=[slug]),
        reverse("projects:risk_detail", args=[slug, risk.number]),
        reverse("projects:timeline", args=[slug]),
        event.get_absolute_url(),
        reverse("events:event_list", args=[slug]),
        reverse("reports:report_list", args=[slug]),
        reverse("account_settings"),
    ]


def test_the_main_pages_in_german_pass_axe(
    page: Any, german_coordinator: tuple[Project, User]
) -> None:
    project, coordinator = german_coordinator
    # Signs in from an English browser; the account's German takes over once signed in.
    login(page, coordinator.email, demo_password())
    expect(page.locator("html")).to_have_attribute("lang", "de")

    for url in main_pages(project):
        response = visit(page, url)  # axe checks each page
        assert response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", "de")


def test_the_switcher_changes_the_language_by_keyboard(
    page: Any, german_coordinator: tuple[Project, User]
) -> None:
    _project, coordinator = german_coordinator
    login(page, coordinator.email, demo_password())
    switcher = page.locator("footer select[name=language]")
    switcher.focus()
    switcher.select_option("fr")
    with navigating(page):
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    coordinator.refresh_from_db()
    assert coordinator.language == "fr"


@pytest.mark.parametrize("which", ["dashboard", "deliverable"])
def test_german_pages_fit_a_320_px_screen(
    page: Any, german_coordinator: tuple[Project, User], which: str
) -> None:
    project, coordinator = german_coordinator
    login(page, coordinator.email, demo_password())
    page.set_viewport_size({"width": 320, "height": 640})
    deliverable = project.deliverables.order_by("sort_key").first()
    assert deliverable is not None
    url = project.get_absolute_url() if which == "dashboard" else deliverable.get_absolute_url()

    visit(page, url)

    # Nothing wider than the screen: no sideways scrolling of the page itself (wide tables
    # scroll inside their own .table-wrap box).
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the {which} page is {overflow} px wider than a 320 px screen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{which}-de-320.png"
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 0
