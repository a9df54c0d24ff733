"""The Django admin for a site admin, checked in the browser: axe with the WCAG 2.2 AA and
best-practice rules on the main admin pages (index, changelists, change forms with their inlines,
the login page); every field of an inline row has a name of its own (issue 14, defect 8); the
changelist's filter links are targets of at least 24 x 24 CSS px (WCAG 2.5.8, defect 5).

One demo project gives every page something to show (inline rows, filters, autocomplete fields).
The conftest's `visit()` runs its own axe check on every page too; the checks here add the 2.2
and best-practice tags, and the two facts axe does not test: a name per row, and a target's
height."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutboxEmail, SecurityEvent, User
from demo.loader import demo_password, load_demo
from events.models import Event
from projects.models import Deliverable, Organisation, Partner, Project
from tests.browser.conftest import login, navigating, visit

pytestmark = pytest.mark.services

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

# The controls a person fills in on an inline's rows (hidden inputs are not shown and need no
# name; select2 hides its <select> from everyone and shows a combobox in its place).
ROW_CONTROLS = (
    ".inline-related tr.form-row:not(.empty-form)"
    " :is(input, select, textarea, [role=combobox]):not([type=hidden], .select2-hidden-accessible)"
)
# For each such control: is it shown, the heading of its column (what a sighted person reads as
# its label), the inline it is in, and the start of its markup.
COLUMN_HEADINGS = """controls => controls.map(el => {
    const cell = el.closest("td");
    const table = el.closest("table");
    const field = Array.from(cell.classList).find(name => name.startsWith("field-"));
    const heading = field
        ? table.querySelector("th.column-" + field.slice("field-".length))
        : table.querySelector("thead tr > :last-child");
    return [
        el.checkVisibility(),
        heading.textContent.trim().replace(/\\?$/, ""),
        el.closest(".inline-group").id,
        el.outerHTML.slice(0, 100),
    ];
})"""


# select2's boxes in a change form's own fieldsets (not an inline's).
MAIN_FORM_AUTOCOMPLETES = (
    "form > div > fieldset select.admin-autocomplete + .select2-container [role=combobox]"
)


def accessible_names(page: Any, selector: str) -> list[str]:
    """Chromium's accessible name of each element `selector` matches, in document order: what a
    screen reader is told. (From the DevTools protocol: one query for the page, not one each.)"""
    cdp = page.context.new_cdp_session(page)
    try:
        names = {
            node["backendDOMNodeId"]: node.get("name", {}).get("value", "")
            for node in cdp.send("Accessibility.getFullAXTree")["nodes"]
            if "backendDOMNodeId" in node and not node.get("ignored")
        }
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        return [
            names.get(cdp.send("DOM.describeNode", {"nodeId": node})["node"]["backendNodeId"], "")
            for node in found["nodeIds"]
        ]
    finally:
        cdp.detach()


@pytest.fixture
def site_admin(transactional_db: None) -> User:
    """The demo's site admin (a superuser with an authenticator app), with the demo behind it
    and an email in the outbox, so that every admin page has rows to show."""
    load_demo(today=timezone.localdate())
    admin = User.objects.get(is_superuser=True)
    # A row as the outbox writes it (not through send_email: no worker is needed to show it).
    OutboxEmail.objects.create(
        to_address=admin.email,
        kind="invitation",
        subject="Welcome",
        body_text="Hello",
        status=OutboxEmail.Status.FAILED,
    )
    return admin


def main_admin_pages(admin: User) -> list[str]:
    """The admin index, then the changelist and a change form of each main model."""
    project = Project.objects.get()
    deliverable = Deliverable.objects.filter(progress_updates__isnull=False).order_by("pk").first()
    event = Event.objects.filter(attendance__isnull=False).order_by("pk").first()
    email = OutboxEmail.objects.order_by("pk").first()
    security_event = SecurityEvent.objects.order_by("pk").first()
    assert deliverable and event and email and security_event
    rows = [
        ("projects", "project", project.pk),
        ("projects", "deliverable", deliverable.pk),
        ("projects", "workpackage", project.work_packages.order_by("number")[0].pk),
        ("projects", "partner", Partner.objects.order_by("pk")[0].pk),
        ("projects", "organisation", Organisation.objects.order_by("pk")[0].pk),
        ("events", "event", event.pk),
        ("accounts", "user", admin.pk),
        ("accounts", "outboxemail", email.pk),
        ("accounts", "securityevent", security_event.pk),
    ]
    pages = [reverse("admin:index")]
    for app, model, pk in rows:
        pages.append(reverse(f"admin:{app}_{model}_changelist"))
        pages.append(reverse(f"admin:{app}_{model}_change", args=[pk]))
    return pages


def axe_violations(page: Any) -> list[str]:
    """axe's WCAG 2.2 AA and best-practice violations on the page now on screen, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def test_the_main_admin_pages_pass_axe_for_a_superuser(page: Any, site_admin: User) -> None:
    violations: list[str] = []
    visit(page, reverse("admin:index"))  # a visitor is sent to the login page
    assert "/login/" in page.url
    violations += axe_violations(page)

    login(page, site_admin.email, demo_password())
    for url in main_admin_pages(site_admin):
        response = visit(page, url)
        assert response.status == 200, url
        violations += axe_violations(page)

    assert not violations, "\n".join(violations)


def unnamed_row_controls(page: Any) -> list[str]:
    """Each visible control of an inline row whose name does not say its column, or that has
    the same name as another of its inline (a name per row)."""
    controls = page.eval_on_selector_all(ROW_CONTROLS, COLUMN_HEADINGS)
    names = accessible_names(page, ROW_CONTROLS)
    assert controls and len(names) == len(controls), f"no inline rows on {page.url}"
    problems = []
    seen: set[tuple[str, str]] = set()
    for (shown, heading, inline, html), name in zip(controls, names, strict=True):
        if not shown:
            continue
        if heading.lower() not in name.lower() or (inline, name) in seen:
            problems.append(f"{page.url}: {html} is named {name!r} in column {heading!r}")
        seen.add((inline, name))
    return problems


def unnamed_autocompletes(page: Any) -> list[str]:
    """Each select2 box of the main form whose name does not begin with its field's label."""
    boxes = MAIN_FORM_AUTOCOMPLETES
    labels = page.eval_on_selector_all(
        boxes,
        """boxes => boxes.map(box => box.closest(".select2-container").previousElementSibling)
            .map(select => select.labels[0].textContent.trim().replace(/:$/, ""))""",
    )
    return [
        f"{page.url}: the box of {label!r} is named {name!r}"
        for label, name in zip(labels, accessible_names(page, boxes), strict=True)
        if not name.startswith(label)
    ]


def test_every_field_of_an_inline_row_has_a_name(page: Any, site_admin: User) -> None:
    login(page, site_admin.email, demo_password())
    project = Project.objects.get()
    problems: list[str] = []
    autocompletes = 0
    for url in (
        reverse("admin:projects_project_change", args=[project.pk]),
        reverse(
            "admin:projects_workpackage_change",
            args=[project.work_packages.order_by("number")[0].pk],
        ),
        reverse(
            "admin:projects_deliverable_change",
            args=[Deliverable.objects.filter(progress_updates__isnull=False)[0].pk],
        ),
        reverse("admin:projects_risk_change", args=[project.risks.order_by("number")[0].pk]),
        reverse(
            "admin:events_event_change",
            args=[Event.objects.filter(outcomes__isnull=False).order_by("pk")[0].pk],
        ),
    ):
        visit(page, url)
        # Rows added in the page (copies of the inline's empty form) need their names too.
        for add in page.locator(".add-row a").all():
            for _ in range(2):
                if add.is_visible():  # hidden once the inline has its most rows
                    add.click()
        problems += unnamed_row_controls(page)
        problems += unnamed_autocompletes(page)
        autocompletes += page.locator(MAIN_FORM_AUTOCOMPLETES).count()
        problems += axe_violations(page)
    assert autocompletes, "no autocomplete field was checked"
    assert not problems, "\n".join(problems)


def test_the_filter_links_are_targets_of_24_px(page: Any, site_admin: User) -> None:
    login(page, site_admin.email, demo_password())
    visit(page, reverse("admin:projects_deliverable_changelist"))
    links = page.locator("#changelist-filter a")
    assert links.count() > 10
    small = []
    for link in links.all():
        box = link.bounding_box()
        if box["height"] < 24 or box["width"] < 24:
            small.append(f"{link.inner_text()!r}: {box['width']:.0f} x {box['height']:.0f} px")
    assert not small, small
    with navigating(page):
        links.filter(has_text="Approved").first.click()
