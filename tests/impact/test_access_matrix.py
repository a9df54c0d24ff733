"""Who may do what with indicators, values and queries, as a matrix: every URL of the `impact`
namespace x every member of the cast x GET and POST, with the expected answer written down for
each.

The URLs come from the resolver, so a URL added to impact/urls.py without a row in EXPECTED
fails this test. POSTs carry valid data: a role that may act gets the redirect that follows a
successful change, which proves the permission is granted as well as refused. Each URL's objects
are made in the state its action needs (a submitted value for "validate", an answered query for
"close"); each case runs in a savepoint rolled back after it, so every case starts from the same
state.

The world: RP1 and RP2; KPI1, entered, reported by P2 and P3 (no evidence required), and KPI2,
computed; P2's value of KPI1 for RP1 with an evidence file; a query about that value assigned
to P2. So `partner` (P2) enters, edits and submits the value and answers the query with the
coordinator, while `other_partner` (P3) and `observer` only read. The entry page is P2's for RP2,
where KPI1 is still to be entered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from impact.evidence import add_value_evidence
from impact.forms.queries import subject_label
from impact.models import DataQuery, Indicator, IndicatorValue, ValueEvidence
from projects.files import check_upload
from projects.models import Partner, Project, ReportingPeriod
from tests.impact.factories import make_indicator, make_query, make_value
from tests.procurement.factories import make_period
from tests.projects.conftest import make_pdf

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "partner", "other_partner", "observer", "outsider", "anonymous")

# A real PDF (the upload's type is read from its content).
PDF = make_pdf("Attendance sheet, job fair of 12 May 2023")

# GET/POST answer for each member of the cast.
#   200 a page; 302 the redirect after a successful change; 403 a member whose role may not do
#   this; 404 not a member (the project is not revealed); 405 wrong method;
#   login: 302 to the login page (before anything else, for anonymous users).
EXPECTED = """
url name                 coordinator partner  other_partner observer outsider anonymous
impact_overview          200/405     200/405  200/405       200/405  404/405  login/login
value_export             200/405     200/405  200/405       200/405  404/405  login/login
indicator_create         200/302     403/403  403/403       403/403  404/404  login/login
indicator_detail         200/405     200/405  200/405       200/405  404/405  login/login
indicator_edit           200/302     403/403  403/403       403/403  404/404  login/login
value_entry              200/302     200/302  200/403       200/403  404/404  login/login
value_edit               200/302     200/302  403/403       403/403  404/404  login/login
value_submit             405/302     405/302  405/403       405/403  405/404  login/login
value_validate           405/302     405/403  405/403       405/403  405/404  login/login
value_send_back          405/302     405/403  405/403       405/403  405/404  login/login
value_evidence_upload    405/302     405/302  405/403       405/403  405/404  login/login
value_evidence_download  200/405     200/405  200/405       200/405  404/405  login/login
data_quality             200/405     200/405  200/405       200/405  404/405  login/login
query_create             200/302     403/403  403/403       403/403  404/404  login/login
query_detail             200/405     200/405  200/405       200/405  404/405  login/login
query_answer             405/302     405/302  405/403       405/403  405/404  login/login
query_close              405/302     405/403  405/403       405/403  405/404  login/login
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
    indicator: Indicator  # KPI1, entered by P2 and P3
    computed: Indicator  # KPI2, counted by the platform
    period: ReportingPeriod  # RP1, the value's
    next_period: ReportingPeriod  # RP2, where KPI1 is still to be entered
    p2: Partner
    value: IndicatorValue  # P2's KPI1 for RP1
    evidence: ValueEvidence
    query: DataQuery  # about the value, assigned to P2


# The POST's data (and a URL's query string), from the world.
Payload = Callable[[World], dict[str, Any]]


def no_data(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Scene:
    """The state a URL's cases start from, the valid data its POST sends, and the query string
    both methods carry (the record a new query is about)."""

    value_status: str = IndicatorValue.Status.DRAFT
    query_status: str = DataQuery.Status.OPEN
    payload: Payload = no_data
    params: Payload = no_data


def _targets(rows: list[tuple[Partner, str]]) -> dict[str, str]:
    """The partners' targets formset as the form page posts it: a row per partner, new."""
    data = {
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for n, (partner, target) in enumerate(rows):
        data[f"targets-{n}-partner"] = str(partner.pk)
        data[f"targets-{n}-target"] = target
    return data


def _indicator_form(world: World) -> dict[str, Any]:
    project = world.project
    p1, p2, p3 = (project.partners.get(number=n) for n in (1, 2, 3))
    return {
        "code": "KPI1", "name": "Persons employed through social clauses",
        "definition": "Persons who started work through a social clause. Interns do not count.",
        "unit": Indicator.Unit.PERSONS, "kind": Indicator.Kind.RESULT, "work_package": "",
        "responsible": p2.pk, "baseline": "0", "target": "20", "target_month": "18",
        "source": Indicator.Source.ENTERED, "measure": "", "event_kind": "",
        "reporting_partners": [p2.pk, p3.pk], "disaggregations": [],
        "esf_code": "EECO12", "toms_code": "", "sdg_target": "8.5",
        **_targets([(p1, ""), (p2, "12"), (p3, "8")]),
        "version": world.indicator.version,
    }  # fmt: skip


def _indicator_new(world: World) -> dict[str, Any]:
    form = _indicator_form(world)
    del form["version"]
    return {**form, "code": "KPI3", "name": "Persons with disabilities employed"}


def _value_figures(world: World) -> dict[str, Any]:
    return {
        "value": "7", "data_source": "The WISE's payroll", "collection_method": "Payroll extract",
        "note": "Seven people started in the period.",
    }  # fmt: skip


def _version(world: World) -> dict[str, Any]:
    return {"version": world.value.version}


def _evidence_file(world: World) -> dict[str, Any]:
    # A new file for each POST: the client reads it to the end.
    return {"file": SimpleUploadedFile("Payroll_June.pdf", PDF, "application/pdf")}


def _query_subject(world: World) -> dict[str, Any]:
    # The link a value's block opens the form with (impact.forms.queries.query_create_url).
    return {"subject_type": subject_label(world.value), "subject_id": world.value.pk}


SUBMITTED = IndicatorValue.Status.SUBMITTED

SCENES: dict[str, Scene] = {
    "indicator_create": Scene(payload=_indicator_new),
    "indicator_edit": Scene(payload=_indicator_form),
    # KPI1 for RP2, which P2 has not entered yet.
    "value_entry": Scene(payload=lambda w: {"indicator": w.indicator.code, **_value_figures(w)}),
    "value_edit": Scene(payload=lambda w: {**_value_figures(w), **_version(w)}),
    "value_submit": Scene(payload=_version),
    "value_validate": Scene(value_status=SUBMITTED, payload=_version),
    "value_send_back": Scene(
        value_status=SUBMITTED,
        payload=lambda w: {**_version(w), "comment": "Add the payroll of June."},
    ),
    "value_evidence_upload": Scene(payload=_evidence_file),
    "query_create": Scene(
        params=_query_subject,
        payload=lambda w: {
            "assigned_to": w.p2.pk,
            "question": "Seven people in RP1, but the payroll lists five: please check.",
        },
    ),
    "query_answer": Scene(payload=lambda w: {"text": "Two started on 30 June: see the file."}),
    "query_close": Scene(
        query_status=DataQuery.Status.ANSWERED,
        payload=lambda w: {"outcome": "resolved", "text": "Checked against the payroll."},
    ),
}


def build_world(project: Project, scene: Scene) -> World:
    coordinator = User.objects.get(email="coordinator@example.org")
    partner = User.objects.get(email="partner@example.org")
    p2 = project.partners.get(number=2)
    period = make_period(project)
    next_period = make_period(project, number=2, start_month=10, end_month=18)
    indicator = make_indicator(project, code="KPI1", name="Persons employed")
    computed = make_indicator(
        project, code="KPI2", name="Participants of roundtables",
        source=Indicator.Source.COMPUTED, measure=Indicator.Measure.PARTICIPANTS,
    )  # fmt: skip
    value = make_value(indicator, p2, period, status=scene.value_status)
    upload = SimpleUploadedFile("Payroll_May.pdf", PDF, "application/pdf")
    evidence = add_value_evidence(value, check_upload(upload), by=partner)
    query = make_query(
        value, project=project, assigned_to=p2, raised_by=coordinator, status=scene.query_status
    )
    return World(project, indicator, computed, period, next_period, p2, value, evidence, query)


def url_kwargs(name: str, converters: list[str], world: World) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for key in converters:
        if key == "slug":
            kwargs[key] = world.project.slug
        elif key == "fmt":
            kwargs[key] = "csv"  # the streamed one
        elif key == "code":
            kwargs[key] = world.indicator.code
        elif key == "partner_number":
            kwargs[key] = world.p2.number
        elif key == "period_number":
            kwargs[key] = world.next_period.number
        elif key == "pk" and name.startswith("query_"):
            kwargs[key] = world.query.pk
        elif key == "pk" and name.startswith("value_"):
            kwargs[key] = world.value.pk
        elif key == "evidence_pk":
            kwargs[key] = world.evidence.pk
        else:
            raise AssertionError(f"{name}: the matrix does not know how to fill <{key}>")
    return kwargs


def impact_url_patterns() -> dict[str, URLPattern]:
    """Every named URL of the `impact` namespace, from the resolver (includes followed)."""
    _prefix, resolver = get_resolver().namespace_dict["impact"]
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


def test_every_impact_url_is_in_the_table() -> None:
    assert set(impact_url_patterns()) == set(parse_expected(EXPECTED))


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
    patterns = impact_url_patterns()
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
    # Nothing runs after a commit: the callbacks of each case are caught, not run.
    with django_capture_on_commit_callbacks(execute=False):
        for name, pattern in sorted(patterns.items()):
            scene = SCENES.get(name, Scene())
            with transaction.atomic():
                world = build_world(project, scene)
                kwargs = url_kwargs(name, list(pattern.pattern.converters), world)
                url = reverse(f"impact:{name}", kwargs=kwargs)
                if params := scene.params(world):
                    url += "?" + urlencode(params)
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

    record_property("access_matrix", f"impact access matrix: {checked} cases checked")
    assert checked == len(expected) * len(ROLES) * 2
    assert not mismatches, "\n".join(mismatches)
