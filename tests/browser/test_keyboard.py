"""The coordinator's two everyday decisions done with the keyboard alone: reviewing a deliverable
(asking for changes on one, approving another) and requesting a progress report. Only Tab,
Shift+Tab, Enter and Space move and act (and typing, for the comment); and at every stop the
focused element shows it is focused (WCAG 2.1.1 Keyboard, 2.4.7 Focus Visible): its computed
outline or box shadow is drawn, read while the focus came from the keyboard (:focus-visible).

Signing in is not part of the flows: `login()` fills the form as the other browser tests do.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from projects.models import Deliverable, Project, ReportingPeriod, WorkPackage
from reports.models import GeneratedReport
from tests.browser.conftest import login, navigating, visit
from tests.factories import PASSWORD, make_deliverable
from tests.reports import make_reporting_period

pytestmark = pytest.mark.services

# What the focused element looks like: visible when an outline or a box shadow is drawn.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: false, what: "nothing (the page)"};
  // A date field's calendar button is a stop of its own, inside the browser's shadow tree: the
  // field then is the active element but not :focus, and the browser rings the button itself.
  if (el.matches("input[type=date], input[type=datetime-local]") && !el.matches(":focus")) {
    return {visible: true, what: "the calendar button of a date field"};
  }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
  const name = (el.getAttribute("aria-label") || el.innerText || el.name || "").trim();
  return {
    visible: outline || shadow,
    what: `<${el.tagName.toLowerCase()}> ${name.slice(0, 50)}`,
    style: `outline: ${style.outlineStyle} ${style.outlineWidth}; box-shadow: ${style.boxShadow}`,
  };
}"""


class Keyboard:
    """Moves the focus with Tab / Shift+Tab and notes every stop where it cannot be seen."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops = 0
        self.unseen: list[str] = []

    def move_to(self, target: Any, *, key: str = "Tab", limit: int = 80) -> None:
        """Press `key` until `target` (a locator) has the focus, checking each stop."""
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.stops += 1
            focus = self.page.evaluate(FOCUS)
            if not focus["visible"]:
                self.unseen.append(f"{self.page.url}: {focus['what']} ({focus.get('style')})")
            if target.evaluate("el => el === document.activeElement"):
                return
        pytest.fail(f"{key} never reached {target} within {limit} presses", pytrace=False)

    def assert_focus_always_visible(self) -> None:
        assert self.stops > 0
        assert not self.unseen, "focus not visible at:\n" + "\n".join(self.unseen)


@pytest.fixture
def in_review(project: Project, work_package: WorkPackage) -> list[Deliverable]:
    """Two deliverables the partner submitted for review: D1.1 and D1.2."""
    return [
        make_deliverable(
            work_package, number=number, title=title, status=Deliverable.Status.IN_REVIEW
        )
        for number, title in (("D1.1", "Project handbook"), ("D1.2", "Quality plan"))
    ]


def test_coordinator_reviews_deliverables_with_the_keyboard_only(
    page: Any, coordinator: User, in_review: list[Deliverable]
) -> None:
    changes, approved = in_review
    login(page, coordinator.email, PASSWORD)
    keyboard = Keyboard(page)

    # Ask for changes on D1.1: Tab to the comment, type it, Tab to the button, Enter.
    visit(page, changes.get_absolute_url())
    keyboard.move_to(page.get_by_label("Comment"))
    page.keyboard.type("Please add the list of organisations that took part.")
    keyboard.move_to(page.get_by_role("button", name="Request changes"))
    with navigating(page):
        page.keyboard.press("Enter")
    expect(page.get_by_text("Changes to D1.1 requested.")).to_be_visible()

    # Approve D1.2: past the button to the comment, Shift+Tab back to "Approve", Space.
    visit(page, approved.get_absolute_url())
    keyboard.move_to(page.get_by_label("Comment"))
    keyboard.move_to(page.get_by_role("button", name="Approve"), key="Shift+Tab")
    with navigating(page):
        page.keyboard.press("Space")
    expect(page.get_by_text("D1.2 approved.")).to_be_visible()

    changes.refresh_from_db()
    approved.refresh_from_db()
    assert changes.status == Deliverable.Status.CHANGES_REQUESTED
    assert changes.review_comment == "Please add the list of organisations that took part."
    assert approved.status == Deliverable.Status.APPROVED
    keyboard.assert_focus_always_visible()


@pytest.fixture
def period(project: Project, work_package: WorkPackage) -> ReportingPeriod:
    """RP1 (M1-M9), which has begun, so the form offers it; one deliverable due in it."""
    make_deliverable(work_package, number="D1.1", title="Project handbook", due_month=3)
    return make_reporting_period(project, number=1, start_month=1, end_month=9)


def test_coordinator_requests_a_progress_report_with_the_keyboard_only(
    page: Any,
    coordinator: User,
    project: Project,
    period: ReportingPeriod,
    in_process_tasks: None,
) -> None:
    login(page, coordinator.email, PASSWORD)
    keyboard = Keyboard(page)
    visit(page, f"/p/{project.slug}/reports/")
    form = page.locator(
        "section", has=page.get_by_role("heading", name="Request a progress report")
    )
    expect(form.get_by_label("Period")).to_have_value(str(period.pk))  # offered as it begun
    submit = form.get_by_role("button", name="Make the report")
    risks = form.get_by_label("Risk register", exact=True)

    # Tab down to the button, Shift+Tab back up to "Risk register", Space unticks it, Tab back
    # to the button, Enter sends the form.
    keyboard.move_to(submit)
    keyboard.move_to(risks, key="Shift+Tab")
    page.keyboard.press("Space")
    expect(risks).not_to_be_checked()
    keyboard.move_to(submit)
    with navigating(page):
        page.keyboard.press("Enter")

    report = GeneratedReport.objects.get()
    assert page.url.endswith(report.get_absolute_url())
    assert report.period == period
    assert "risks" not in report.sections
    assert "summary" in report.sections
    keyboard.assert_focus_always_visible()
