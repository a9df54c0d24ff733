"""Browser tests: Playwright on Debian's Chromium against pytest-django's live server, with
axe-core checking every page the test sees against WCAG 2.0, 2.1 and 2.2 A and AA and axe's
best practices (AXE_OPTIONS): any violation fails the test.

How every page gets checked: a listener counts the main frame's navigations, and the helpers
`visit()` (go to an address) and `navigating()` (wrap a click or submit that loads a page) wait for
the load and run axe before the test moves on. At the end of the test the page then on screen is
checked too. A page that loaded and was left again without a check is an error at teardown,
naming it: use `visit()` / `navigating()` for each navigation. A violation fails the test at once,
naming the rule and the page; a screenshot of a failed test is saved in its tmp_path.

Navigations are counted from the "framenavigated" event, which Playwright dispatches before the
"load" that `visit()` and `navigating()` wait for, so the count is always up to date when a check
runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import call_failed, require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_OPTIONS = {
    # WCAG 2.2 is what auditors test against (EN 301 549 follows it); "best-practice" adds the
    # rules no success criterion names (landmarks, one h1, headings in order, target size...).
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@dataclass
class Audit:
    """The accessibility checks of one page (browser tab) during one test."""

    navigations: int = 0
    checked_navigation: int = 0
    last_url: str = ""
    unchecked: list[str] = field(default_factory=list)
    checked_urls: list[str] = field(default_factory=list)

    def on_navigation(self, url: str) -> None:
        if self.navigations > self.checked_navigation:
            self.unchecked.append(self.last_url)
        self.navigations += 1
        self.last_url = url


_audits: dict[int, Audit] = {}


def check_accessibility(page: Any) -> None:
    """Run axe on the page now on screen; fail the test on any violation of AXE_OPTIONS' rules."""
    from axe_playwright_python.sync_playwright import Axe

    audit = _audits[id(page)]
    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS)
    audit.checked_navigation = audit.navigations
    audit.checked_urls.append(page.url)
    if results.violations_count:
        rules = ", ".join(
            f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements)"
            for v in results.response["violations"]
        )
        pytest.fail(
            f"Accessibility violations on {page.url}: {rules}\n{results.generate_report()}",
            pytrace=False,
        )


def visit(page: Any, url: str) -> Any:
    """Go to `url` (a path is relative to the live server), wait for it, check it with axe."""
    response = page.goto(url)
    check_accessibility(page)
    return response


@contextmanager
def navigating(page: Any) -> Iterator[None]:
    """Wrap an action that loads a new page (a link, a form); the new page is checked."""
    with page.expect_navigation():
        yield
    check_accessibility(page)


def login(page: Any, email: str, password: str) -> None:
    """Log in through allauth's form, as a person would, and land where it sends them.

    Someone with an authenticator app (coordinators and staff, see accounts/mfa.py) is asked
    for its code next: the helper types the code the app would show now."""
    from accounts.models import User
    from tests.factories import totp_code

    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with navigating(page):
        page.get_by_role("button", name="Sign In").click()
    if "/accounts/2fa/authenticate/" in page.url:
        page.locator("input[name=code]").fill(totp_code(User.objects.get(email=email)))
        with navigating(page):
            page.get_by_role("button", name="Sign In").click()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        require_service("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    playwright.stop()


@contextmanager
def audited_page(
    browser: Any,
    base_url: str,
    screenshot: Path,
    failed: Callable[[], bool] = lambda: False,
) -> Iterator[Any]:
    """A fresh browser context and tab on `base_url`; every page it shows is checked by axe.

    On leaving, the page then on screen is checked and pages left unchecked or script errors
    fail the test; if the block raised, or `failed()` says the test failed, a screenshot is
    saved to `screenshot` instead. The `page` fixture is one of these; a test that needs several
    people at once (one context each, tests/browser/test_every_page.py) opens its own."""
    # axe is injected with page.evaluate(), which runs through the DevTools protocol and is not
    # subject to the page's CSP (scripts by nonce only): no bypass_csp needed, so the browser
    # enforces the real policy and a script without its nonce would break the test.
    context = browser.new_context(base_url=base_url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    audit = _audits[id(page)] = Audit()
    page.on(
        "framenavigated",
        lambda frame: audit.on_navigation(frame.url) if frame == page.main_frame else None,
    )
    # A script the CSP blocks (one without its nonce) is reported on the console; a script that
    # throws is a page error. Either breaks the page for real people: fail the test.
    script_errors: list[str] = []
    page.on(
        "console",
        lambda m: script_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    def save_screenshot() -> None:
        page.screenshot(path=screenshot, full_page=True)
        print(f"Screenshot of the failed test: {screenshot}")

    try:
        try:
            yield page
        except BaseException:
            save_screenshot()
            raise
        if failed():
            save_screenshot()
        else:
            if audit.navigations > audit.checked_navigation:
                check_accessibility(page)  # the page the test ended on
            if audit.unchecked:
                pytest.fail(
                    "These pages loaded but were left without an accessibility check: "
                    f"{', '.join(audit.unchecked)}. Use visit() or navigating().",
                    pytrace=False,
                )
            assert not script_errors, script_errors
    finally:
        del _audits[id(page)]
        context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, live_server: Any, transactional_db: None, tmp_path: Path
) -> Iterator[Any]:
    """A fresh browser tab on the live server; every page it shows is checked by axe."""
    if not os.path.exists(CHROMIUM):
        require_service("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    browser = request.getfixturevalue("browser")
    with audited_page(
        browser, live_server.url, tmp_path / "failure.png", lambda: call_failed(request)
    ) as page:
        yield page
