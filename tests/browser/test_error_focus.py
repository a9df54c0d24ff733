"""In the browser: a form sent back with errors says so in the title, and focus lands on the
error summary at the top of the main content, whose links lead to each field (WCAG 3.3.1,
2.4.3); the password rules are the new password's help as Chromium parses the page (1.3.1).

Uses the browser fixtures of tests/browser/conftest.py (Chromium, the real CSP, axe on every
page); the page with errors is also checked against WCAG 2.2 AA and axe's best practices.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import login, navigating, visit
from tests.factories import PASSWORD

pytestmark = pytest.mark.services

AXE_ALL = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def test_an_invalid_password_change_focuses_the_error_summary(page: Any, partner: Any) -> None:
    login(page, partner.email, PASSWORD)
    visit(page, "/accounts/password/change/")
    # Chromium's parse of the page: the rules are inside the help element the field points to.
    help_text = page.evaluate(
        "() => document.getElementById("
        "document.getElementById('id_password1').getAttribute('aria-describedby').split(' ')[0]"
        ").textContent"
    )
    assert "at least 8 characters" in help_text

    page.locator("#id_oldpassword").fill("not my password")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    with navigating(page):
        page.get_by_role("button", name="Change Password").click()

    assert page.title().startswith("Error: ")
    focused = page.evaluate("() => Boolean(document.activeElement.closest('[data-error-summary]'))")
    assert focused, page.evaluate("() => document.activeElement.outerHTML")
    results = Axe().run(page, options=AXE_ALL)
    assert results.violations_count == 0, results.generate_report()

    # The summary's first link takes the person to the field that failed.
    page.locator("[data-error-summary] a").first.click()
    assert page.evaluate("() => document.activeElement.id") == "id_oldpassword"
