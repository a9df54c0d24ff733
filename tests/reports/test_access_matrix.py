"""Who may do what, as a matrix: every URL of the `reports` namespace x every member of the cast x
GET and POST, with the expected answer written down for each.

The URLs come from the resolver, so a URL added to reports/urls.py without a row in EXPECTED
fails this test. POSTs carry valid data: a role that may act gets the redirect that follows a
successful change, which proves the permission is granted as well as refused. Each URL's objects
are made in the state its action needs (a report in review for "publish"); each case runs in a
savepoint rolled back after it, so every case starts from the same state.

The event is organised by P2, `partner`'s organisation: `partner` writes its report,
`other_partner` (P3) and `observer` only read it once it is published. Who reads a draft, and a
PDF made of one, is in test_conference_report_pdf.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from events.models import Event
from projects.models import Project, ReportingPeriod
from reports.models import ConferenceReport, GeneratedReport
from tests.events.factories import make_event, make_recommendation, make_report
from tests.reports import TINY_PDF, make_ready_report, make_reporting_period

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "partner", "other_partner", "observer", "outsider", "anonymous")

# GET/POST answer for each member of the cast.
#   200 a page; 302 the redirect after a successful change; 403 a member whose role may not do
#   this; 404 not a member (the project is not revealed); 405 wrong method;
#   login: 302 to the login page (before anything else, for anonymous users).
EXPECTED = """
url name                    coordinator partner  other_partner observer outsider anonymous
conference_report_edit      200/302     200/302  403/403       403/403  404/404  login/login
conference_report_submit    405/302     405/302  405/403       405/403  405/404  login/login
conference_report_publish   405/302     405/403  405/403       405/403  405/404  login/login
conference_report_send_back 405/302     405/403  405/403       405/403  405/404  login/login
conference_report_pdf       405/302     405/302  405/302       405/403  405/404  login/login
recommendation_list         200/405     200/405  200/405       200/405  404/405  login/login
recommendation_export       200/405     200/405  200/405       200/405  404/405  login/login
report_list                 200/405     200/405  200/405       200/405  404/405  login/login
progress_report_request     405/302     405/403  405/403       405/403  405/404  login/login
report_detail               200/405     200/405  200/405       200/405  404/405  login/login
report_download             200/405     200/405  200/405       200/405  404/405  login/login
report_retry                405/302     405/403  405/403       405/403  405/404  login/login
report_delete               200/302     403/403  403/403       403/403  404/404  login/login
"""


def parse_expected(table: str) -> dict[str, dict[str, tuple[str, str]]]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[2:]) == ROLES, header
    expected = {}
    for row in rows:
        assert len(row) == 1 + len(ROLES), f"row {row[0]} needs one GET/POST pair per role"
        pairs = [cell.split("/") for cell in row[1:]]
        expected[row[0]] = {
            role: (get, post) for role, (get, post) in zip(ROLES, pairs, strict=True)
        }
    return expected


# --- the objects each case needs --------------------------------------------------------------


@dataclass
class World:
    """What one URL's cases act on, made afresh inside its transaction."""

    project: Project
    event: Event
    report: ConferenceReport
    pdf: GeneratedReport
    period: ReportingPeriod


Payload = Callable[[World], dict[str, Any]]


def no_data(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Scene:
    """The state a URL's cases start from, and the valid data its POST sends."""

    report_status: str = ConferenceReport.Status.PUBLISHED
    pdf_status: str = GeneratedReport.Status.READY
    payload: Payload = no_data


def _report_form(world: World) -> dict[str, Any]:
    return {
        "summary": "Buyers and social enterprises met in Gleisdorf.",
        "key_messages": "", "success_stories": "", "challenges": "", "lessons_learned": "",
        "next_steps": "", "version": world.report.version,
        "recommendations-TOTAL_FORMS": "0", "recommendations-INITIAL_FORMS": "0",
        "recommendations-MIN_NUM_FORMS": "0", "recommendations-MAX_NUM_FORMS": "1000",
    }  # fmt: skip


SCENES: dict[str, Scene] = {
    "conference_report_edit": Scene(
        report_status=ConferenceReport.Status.DRAFT, payload=_report_form
    ),
    "conference_report_submit": Scene(
        report_status=ConferenceReport.Status.DRAFT,
        payload=lambda w: {"version": w.report.version},
    ),
    "conference_report_publish": Scene(
        report_status=ConferenceReport.Status.IN_REVIEW,
        payload=lambda w: {"version": w.report.version},
    ),
    "conference_report_send_back": Scene(
        report_status=ConferenceReport.Status.IN_REVIEW,
        payload=lambda w: {"version": w.report.version, "comment": "Add the figures by country."},
    ),
    # A published report with no PDF yet: partners and the coordinator have one made.
    "conference_report_pdf": Scene(pdf_status=""),
    "progress_report_request": Scene(
        payload=lambda w: {"period": w.period.pk, "sections": ["summary", "risks"]}
    ),
    "report_retry": Scene(pdf_status=GeneratedReport.Status.FAILED),
}


def build_world(project: Project, scene: Scene) -> World:
    coordinator = User.objects.get(email="coordinator@example.org")
    event = make_event(project, title="Roundtable in Gleisdorf", status=Event.Status.HELD)
    report = make_report(event, status=scene.report_status)
    make_recommendation(report)
    period = make_reporting_period(project)
    pdf = make_ready_report(project, coordinator, content=TINY_PDF)
    if scene.pdf_status == "":
        pdf.delete()
    elif scene.pdf_status != GeneratedReport.Status.READY:
        GeneratedReport.objects.filter(pk=pdf.pk).update(status=scene.pdf_status)
    return World(project, event, report, pdf, period)


def url_kwargs(name: str, converters: list[str], world: World) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for key in converters:
        if key == "slug":
            kwargs[key] = world.project.slug
        elif key == "event_id":
            kwargs[key] = world.event.pk
        elif key == "pk" and name.startswith("report_"):
            kwargs[key] = world.pdf.pk
        else:
            raise AssertionError(f"{name}: the matrix does not know how to fill <{key}>")
    return kwargs


def reports_url_patterns() -> dict[str, URLPattern]:
    """Every named URL of the `reports` namespace, from the resolver (includes followed)."""
    _prefix, resolver = get_resolver().namespace_dict["reports"]
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                # An unnamed URL cannot be in the table, so it shows up as missing.
                found[pattern.name or f"<unnamed {pattern.pattern}>"] = pattern

    walk(resolver.url_patterns)
    return found


def describe(response: Any) -> str:
    """The answer as the table writes it."""
    if response.status_code == 302:
        login = reverse("account_login")
        return "login" if response["Location"].startswith(login + "?next=") else "302"
    return str(response.status_code)


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path


def test_every_reports_url_is_in_the_table() -> None:
    assert set(reports_url_patterns()) == set(parse_expected(EXPECTED))


def test_every_url_answers_every_member_as_the_table_says(
    project: Project,
    coordinator: User,
    partner: User,
    other_partner: User,
    observer: User,
    outsider: User,
    private_media: Path,
    django_capture_on_commit_callbacks: Any,
    record_property: Callable[[str, object], None],
) -> None:
    expected = parse_expected(EXPECTED)
    patterns = reports_url_patterns()
    assert set(patterns) == set(expected), "add the missing URLs to EXPECTED (or remove stale rows)"

    users: dict[str, User | None] = {
        "coordinator": coordinator,
        "partner": partner,
        "other_partner": other_partner,
        "observer": observer,
        "outsider": outsider,
        "anonymous": None,
    }
    mismatches: list[str] = []
    checked = 0
    # No task is sent: the callbacks of each case are caught, not run.
    with django_capture_on_commit_callbacks(execute=False):
        for name, pattern in sorted(patterns.items()):
            scene = SCENES.get(name, Scene())
            with transaction.atomic():
                world = build_world(project, scene)
                kwargs = url_kwargs(name, list(pattern.pattern.converters), world)
                url = reverse(f"reports:{name}", kwargs=kwargs)
                for role in ROLES:
                    for method, want in zip(("GET", "POST"), expected[name][role], strict=True):
                        with transaction.atomic():
                            client = Client()
                            if (user := users[role]) is not None:
                                client.force_login(user)
                            if method == "GET":
                                response = client.get(url)
                            else:
                                response = client.post(url, scene.payload(world))
                            if hasattr(response, "streaming_content"):
                                # Read to the end: the test client then closes the response
                                # without request_finished closing the test's database
                                # connection (response.close() would, on PostgreSQL).
                                b"".join(response.streaming_content)
                            transaction.set_rollback(True)
                        checked += 1
                        if (got := describe(response)) != want:
                            mismatches.append(
                                f"{method} {name} as {role}: expected {want}, got {got}"
                            )
                transaction.set_rollback(True)

    record_property("access_matrix", f"reports access matrix: {checked} cases checked")
    assert checked == len(expected) * len(ROLES) * 2
    assert not mismatches, "\n".join(mismatches)
