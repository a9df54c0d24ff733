"""Every page type of the platform, for a coordinator, a partner and an observer, checked by axe
(the rules of tests/browser/conftest.py's AXE_OPTIONS: WCAG 2.0-2.2 A/AA and best practices).

Which pages: every GET URL of the project's apps (projects, events, procurement, impact, reports)
that the app's access matrix (tests/<app>/test_access_matrix.py) answers with 200 for that role,
read from the resolver through those matrices, so a new page is crawled as soon as its matrix has
its row. A partner is the staff of one organisation: the matrices' `partner` and `other_partner`
columns together say what some partner may open, and the objects are chosen (or made) so that this
partner keeps them. Not crawled: the downloads (CSV, XLSX, PDF, ICS, uploaded files) and htmx
fragments (NOT_PAGES), and the admin (tests/browser/test_admin_a11y.py). Besides: the account
pages, the login pages, the 403 and 404 pages, the 500 page through a view that raises (this module
is also a URLconf, swapped in with override_settings for that one request: the site's URLs have no
such view), and every create or edit form posted empty as the coordinator, so that its re-rendered,
invalid state is checked too.

The data is the demo project (demo/), the fullest world there is: each page shows tables, forms
and states a factory-made world would lack. Each role has one browser context, logged in once,
and sees each page once. The whole crawl is one test, and collects every page's violations before
failing, so one run lists them all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import URLPattern, get_resolver, path, reverse
from django.utils import timezone

from accounts.models import User
from coresp import urls as site_urls
from coresp import views as site_views
from demo.loader import demo_password, load_demo
from events.models import Event
from impact.forms.queries import subject_label
from impact.models import DataQuery, IndicatorValue
from procurement.models import ClauseOutcome, GoodPractice, LocalActionPlan, Tender
from projects.models import Membership, Partner, Project
from reports.models import ConferenceReport
from tests.browser.conftest import audited_page, check_accessibility
from tests.events import test_access_matrix as events_matrix
from tests.events.factories import make_link, make_outcome
from tests.impact import test_access_matrix as impact_matrix
from tests.procurement import test_access_matrix as procurement_matrix
from tests.projects import test_access_matrix as projects_matrix
from tests.reports import make_ready_report
from tests.reports import test_access_matrix as reports_matrix

pytestmark = pytest.mark.services

ROLES = ("observer", "partner", "coordinator")  # the coordinator last: their posts change rows

# GET URLs that answer with a file, or with a fragment htmx puts into a page (the page is
# checked), not with a page of their own.
NOT_PAGES = {
    "projects:notification_count",
    "projects:deliverable_export",
    "projects:deliverable_version_download",
    "events:event_ics",
    "events:material_download",
    "events:calendar_feed",
    "procurement:tender_export",
    "procurement:evidence_download",
    "impact:value_export",
    "impact:value_evidence_download",
    "reports:recommendation_export",
    "reports:report_download",
}
# Pages outside the apps' namespaces: each person's account (allauth's pages are its templates).
ACCOUNT_PAGES = {
    "observer": ["account_settings"],
    "partner": ["account_settings"],
    "coordinator": ["account_settings", "account_change_password", "account_email", "mfa_index"],
}
# The forms that accept being sent empty: a value's entry saves an empty draft, and so does a
# conference report's. Their post leads on (302) to a page that is checked in turn.
EMPTY_IS_VALID = {"impact:value_entry", "reports:conference_report_edit"}
# The partner the crawl logs in as: P7 keeps events, a tender, a plan, a deliverable, a risk.
PARTNER_NUMBER = 7


# --- the pages, from the access matrices ------------------------------------------------------

MATRICES = {
    "projects": (projects_matrix, projects_matrix.project_url_patterns),
    "procurement": (procurement_matrix, procurement_matrix.procurement_url_patterns),
    "impact": (impact_matrix, impact_matrix.impact_url_patterns),
    "reports": (reports_matrix, reports_matrix.reports_url_patterns),
}


def url_patterns() -> dict[str, URLPattern]:
    """Every named URL of the five apps, by "namespace:name", from the resolver."""
    found = {
        f"{namespace}:{name}": pattern
        for namespace, (_module, patterns) in MATRICES.items()
        for name, pattern in patterns().items()
    }
    # The events matrix has no helper of its own: its URLs are one flat list.
    _prefix, resolver = get_resolver().namespace_dict["events"]
    found |= {
        f"events:{p.name}": p for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name
    }
    return found


def _matrix_gets(columns: tuple[str, ...]) -> set[str]:
    """The URLs whose GET the matrices answer with a page for one of `columns` (roles)."""
    names = set()
    for namespace, (module, _patterns) in MATRICES.items():
        for name, row in module.parse_expected(module.EXPECTED).items():
            if any(row[column][0] == "200" for column in columns):
                names.add(f"{namespace}:{name}")
    for name, (get, _post) in events_matrix.TABLE.items():
        if any(get[events_matrix.ROLES.index(column)] == 200 for column in columns):
            names.add(name)
    return names - NOT_PAGES


def pages_for(role: str) -> list[str]:
    columns = ("partner", "other_partner") if role == "partner" else (role,)
    return sorted(_matrix_gets(columns))


def test_the_crawl_covers_every_get_url_of_the_apps() -> None:
    """A GET URL is either crawled for some role or a download; nothing falls between."""
    crawled = set().union(*(pages_for(role) for role in ROLES))
    gets = _matrix_gets(("coordinator", "partner", "other_partner", "observer"))
    assert crawled == gets
    assert not NOT_PAGES - set(url_patterns()), "stale names in NOT_PAGES"


# --- the objects each role's pages are about --------------------------------------------------


@dataclass
class Ids:
    """What one role's pages show: a URL argument for each kind of object."""

    slug: str
    work_package: int
    milestone: str
    deliverable: str
    risk: int
    event: int
    agenda_item: int
    material: int
    event_outcome: int
    report_event: int
    tender: int
    lot: int
    clause: int
    clause_outcome: int
    plan: int
    action: int
    practice: int
    indicator: str
    partner_number: int
    period_number: int
    value: int
    query: int
    query_subject: str  # the query string that opens the "raise a query" form about `value`
    report: int


def _ids_for(project: Project, partner: Partner, coordinator: User, report_pk: int) -> Ids:
    """Objects `partner` keeps (for the coordinator and observer too: they see every one)."""
    # An event whose conference report is in review (the coordinator's review forms show), and
    # a held one without a report yet, whose "write the report" form opens a new draft.
    events = Event.objects.filter(project=project, organiser=partner).order_by("pk")
    event = events.filter(report__status=ConferenceReport.Status.IN_REVIEW).first()
    report_event = events.filter(status=Event.Status.HELD, report__isnull=True).first()
    assert event and report_event, f"{partner}'s events in the demo changed"
    material = event.materials.first() or make_link(event, added_by=coordinator)
    outcome = event.outcomes.first() or make_outcome(event, owner=partner)
    tender = Tender.objects.filter(project=project, recorded_by=partner).order_by("pk").first()
    assert tender is not None
    lot = tender.lots.order_by("number").first()
    clause = tender.clauses.order_by("pk").first()
    assert lot and clause
    clause_outcome = ClauseOutcome.objects.filter(clause=clause).order_by("pk").first()
    plan = LocalActionPlan.objects.filter(project=project, partner=partner).first()
    assert clause_outcome and plan
    # A draft, whose figures can still be edited: the demo's outcomes are all validated.
    ClauseOutcome.objects.filter(pk=clause_outcome.pk).update(status=ClauseOutcome.Status.DRAFT)
    action = plan.actions.order_by("number").first()
    # The demo's good practices were all recorded by one partner: give this one its own.
    practice = GoodPractice.objects.filter(project=project).order_by("pk").first()
    assert action and practice
    if practice.recorded_by_id != partner.pk:
        GoodPractice.objects.filter(pk=practice.pk).update(recorded_by=partner)
    # A value still open to correction (a draft of a period not yet reported to the funder), so
    # that its edit form shows: the demo's are all further on.
    value = (
        IndicatorValue.objects.filter(partner=partner, period__is_locked=False)
        .order_by("period__number", "pk")
        .first()
    )
    assert value is not None
    IndicatorValue.objects.filter(pk=value.pk).update(status=IndicatorValue.Status.DRAFT)
    # The entry page of a period the partner has entered nothing for: a form for each indicator.
    entry_period = (
        project.periods.filter(is_locked=False)
        .exclude(indicator_values__partner=partner)
        .order_by("number")
        .first()
    ) or value.period
    query = DataQuery.objects.filter(project=project, assigned_to=partner).first()
    assert value and query
    return Ids(
        slug=project.slug,
        work_package=project.work_packages.order_by("number").first().number,  # type: ignore[union-attr]
        milestone=project.milestones.order_by("pk").first().number,  # type: ignore[union-attr]
        deliverable=project.deliverables.filter(lead=partner).order_by("sort_key").first().number,  # type: ignore[union-attr]
        risk=project.risks.filter(owner=partner).order_by("number").first().number,  # type: ignore[union-attr]
        event=event.pk,
        agenda_item=event.agenda_items.order_by("pk").first().pk,  # type: ignore[union-attr]
        material=material.pk,
        event_outcome=outcome.pk,
        report_event=report_event.pk,
        tender=tender.pk,
        lot=lot.number,
        clause=clause.pk,
        clause_outcome=clause_outcome.pk,
        plan=plan.pk,
        action=action.number,
        practice=practice.pk,
        indicator=value.indicator.code,
        partner_number=partner.number,
        period_number=entry_period.number,
        value=value.pk,
        query=query.pk,
        query_subject=urlencode({"subject_type": subject_label(value), "subject_id": value.pk}),
        report=report_pk,
    )


def address(name: str, ids: Ids, patterns: dict[str, URLPattern]) -> str:
    """The URL of page `name` ("namespace:name") about the objects in `ids`."""
    if ":" not in name:
        return reverse(name)
    namespace, short = name.split(":", 1)
    kwargs: dict[str, Any] = {}
    for key in patterns[name].pattern.converters:
        kind = f"{namespace}:{key}"
        if key == "slug":
            value: Any = ids.slug
        elif kind == "events:pk":
            value = ids.event
        elif key == "item_pk":
            value = ids.agenda_item
        elif key == "material_pk":
            value = ids.material
        elif kind == "events:outcome_pk":
            value = ids.event_outcome
        elif key == "event_id":
            value = ids.report_event
        elif kind == "procurement:pk":
            value = (
                ids.plan
                if short.startswith(("action_plan", "plan_action"))
                else ids.practice
                if short.startswith("good_practice")
                else ids.tender
            )
        elif kind == "procurement:number":
            value = ids.action if short.startswith("plan_action") else ids.lot
        elif key == "clause_pk":
            value = ids.clause
        elif kind == "procurement:outcome_pk":
            value = ids.clause_outcome
        elif key == "code":
            value = ids.indicator
        elif key == "partner_number":
            value = ids.partner_number
        elif key == "period_number":
            value = ids.period_number
        elif kind == "impact:pk":
            value = ids.query if short.startswith("query") else ids.value
        elif kind == "reports:pk":
            value = ids.report
        elif kind == "projects:number":
            value = {
                "deliverable": ids.deliverable,
                "milestone": ids.milestone,
                "risk": ids.risk,
                "workpackage": ids.work_package,
            }[short.split("_", 1)[0]]
        else:
            raise AssertionError(f"{name}: the crawl does not know how to fill <{key}>")
        kwargs[key] = value
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{ids.query_subject}" if name == "impact:query_create" else url


# --- the 500 page, through the live server ----------------------------------------------------


def _raise(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("The test's own failing view (tests/browser/test_every_page.py)")


# This module is also a URLconf, installed (override_settings) only while the 500 page is fetched:
# the site's URLs plus one that raises, with the site's own handler for the error.
urlpatterns = [path("test-only/server-error/", _raise), *site_urls.urlpatterns]
handler500 = site_views.server_error


# --- the crawl --------------------------------------------------------------------------------

# Empties every field a person fills in of the page's main form (the one in <main> with the most
# fields) and sends it as is: form.submit() skips the browser's own checks, so the server's
# validation answers and re-renders the form with its errors.
HAS_FORM = """() => [...document.querySelectorAll("main form")].some((f) => f.method === "post")"""
POST_EMPTY = """() => {
  const forms = [...document.querySelectorAll("main form")].filter((f) => f.method === "post");
  const own = forms.filter((f) => f.action.split("?")[0] === location.href.split(/[?#]/)[0]);
  const form = (own.length ? own : forms).sort((a, b) => b.elements.length - a.elements.length)[0];
  for (const field of form.elements) {
    if (["hidden", "submit", "button", "checkbox", "radio", "file"].includes(field.type)) continue;
    if (field.tagName === "BUTTON" || field.tagName === "FIELDSET") continue;
    field.value = "";
  }
  HTMLFormElement.prototype.submit.call(form);
}"""


@dataclass
class Crawl:
    """What the crawl saw: each page's answer, and every page's violations."""

    seen: dict[str, int]
    problems: list[str]

    def check(self, label: str, action: Any) -> None:
        """Run `action` (an axe check); a violation is noted, and the crawl goes on."""
        try:
            action()
        except pytest.fail.Exception as failure:
            self.problems.append(f"[{label}] {failure}")


def _visit(crawl: Crawl, page: Any, label: str, url: str) -> None:
    response = page.goto(url)
    # A redirect is not the page asked for (the object is not in the state its page needs).
    crawl.seen[label] = 302 if response.request.redirected_from else response.status
    crawl.check(label, lambda: check_accessibility(page))


def _post_empty(crawl: Crawl, page: Any, label: str) -> None:
    if not page.evaluate(HAS_FORM):
        crawl.problems.append(f"[{label}] no form to post on {page.url}")
        return
    with (
        page.expect_response(
            lambda r: r.request.method == "POST" and r.request.is_navigation_request()
        ) as posted,
        page.expect_navigation(),
    ):
        page.evaluate(POST_EMPTY)
    crawl.seen[label] = posted.value.status
    crawl.check(label, lambda: check_accessibility(page))


def _login(crawl: Crawl, page: Any, role: str, user: User) -> None:
    """conftest.login(), noting the login pages' violations instead of stopping at them."""
    from tests.factories import totp_code

    _visit(crawl, page, f"{role} login", "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(demo_password())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign In").click()
    crawl.check(f"{role} after login", lambda: check_accessibility(page))
    if "/accounts/2fa/authenticate/" in page.url:
        crawl.check(f"{role} second factor", lambda: check_accessibility(page))
        page.locator("input[name=code]").fill(totp_code(user))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign In").click()
        crawl.check(f"{role} after the second factor", lambda: check_accessibility(page))


@pytest.fixture
def demo(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The demo project, a generated report, and who is who; files go to a tmp folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    started = time.monotonic()
    project = load_demo(today=timezone.localdate())
    members = Membership.objects.filter(project=project).select_related("user", "partner")
    coordinator = members.get(role=Membership.Role.COORDINATOR).user
    observer = members.get(role=Membership.Role.OBSERVER).user
    partner = project.partners.get(number=PARTNER_NUMBER)
    partner_user = members.filter(role=Membership.Role.PARTNER, partner=partner).first()
    assert partner_user is not None
    report = make_ready_report(project, coordinator)
    ids = _ids_for(project, partner, coordinator, report.pk)
    print(f"demo loaded in {time.monotonic() - started:.1f} s")
    yield {
        "users": {"coordinator": coordinator, "partner": partner_user.user, "observer": observer},
        "ids": ids,
    }


def test_every_page_of_every_role_passes_axe(
    request: pytest.FixtureRequest, live_server: Any, demo: dict[str, Any], tmp_path: Path
) -> None:
    browser = request.getfixturevalue("browser")
    patterns = url_patterns()
    ids: Ids = demo["ids"]
    crawl = Crawl(seen={}, problems=[])
    expected: dict[str, int] = {}
    started = time.monotonic()
    for role in ROLES:
        user: User = demo["users"][role]
        with audited_page(browser, live_server.url, tmp_path / f"{role}.png") as page:
            _login(crawl, page, role, user)
            dashboard = reverse("projects:project_dashboard", args=[ids.slug])
            names = ["projects:project_dashboard", *pages_for(role), *ACCOUNT_PAGES[role]]
            for name in dict.fromkeys(names):
                label = f"{role} {name}"
                expected[label] = 200
                if name == "projects:project_dashboard" and page.url.endswith(dashboard):
                    crawl.seen[label] = 200  # where logging in led: checked already
                    continue
                url = dashboard if name == "projects:project_dashboard" else None
                _visit(crawl, page, label, url or address(name, ids, patterns))
                is_form = name.endswith(("_create", "_edit")) or name == "impact:value_entry"
                if role == "coordinator" and is_form:
                    expected[f"{label} posted empty"] = 302 if name in EMPTY_IS_VALID else 422
                    _post_empty(crawl, page, f"{label} posted empty")
            if role == "observer":
                # The error pages: refused (an observer may not add a deliverable), not found,
                # and a server error, through the site's own handlers.
                forbidden = reverse("projects:deliverable_create", args=[ids.slug])
                expected["observer 403"] = 403
                _visit(crawl, page, "observer 403", forbidden)
                expected["observer 404"] = 404
                _visit(crawl, page, "observer 404", "/p/no-such-project/")
                expected["observer 500"] = 500
                with override_settings(ROOT_URLCONF=__name__):
                    _visit(crawl, page, "observer 500", "/test-only/server-error/")
    elapsed = time.monotonic() - started
    print(f"crawled {len(crawl.seen)} pages in {elapsed:.1f} s")

    wrong = [
        f"{label}: {crawl.seen.get(label)} (expected {want})"
        for label, want in expected.items()
        if crawl.seen.get(label) != want
    ]
    report = [f"{len(crawl.problems)} pages with violations:", *crawl.problems]
    if wrong:
        report = ["Pages that did not answer as expected:", *wrong, "", *report]
    assert not (wrong or crawl.problems), "\n\n".join(report)
