"""Every form of every app, posted hostile values by every role: never a 5xx, and a refused post
changes nothing.

The URLs come from the resolver through each app's access matrix
(tests/<app>/test_access_matrix.py): every URL whose POST some member of the cast may send is
fuzzed, with the ids filled from the same small world the matrix builds. Each example starts from
the matrix's valid payload (where it has one; else the form's field names), replaces or drops some
fields with generated values (empty, huge, NUL and right-to-left marks, negative and huge numbers,
dates at the ends of the calendar, wrong types, lists for scalars) and adds unknown fields, then
posts it as one of the coordinator, a partner, an observer or an outsider.

A 5xx fails the example: Django's test client raises the view's exception, so Hypothesis shrinks to
the smallest post that crashes. A 4xx must leave every row of the project's apps as it was: the
test compares a hash of those tables before and after.

Profiles: `ci` (the default) is bounded so the module runs in about a minute and is reproducible
(derandomized, no example database); `deep` runs many more examples. Pick one with
HYPOTHESIS_PROFILE=deep.

Isolation: the world and the cast are made once per URL (function-scoped fixtures, shared by that
URL's examples), and every example runs in a savepoint rolled back after it, so each example starts
from the same rows. That is why the function-scoped-fixture health check is suppressed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as profiles
from hypothesis import strategies as st

from accounts.models import User
from events.forms import (
    AgendaItemForm,
    AttendanceForm,
    CalendarFeedForm,
    EventForm,
    MaterialLinkForm,
    MaterialUploadForm,
    OutcomeForm,
)
from projects.models import Membership, Partner, Project
from tests.events import test_access_matrix as events_matrix
from tests.impact import test_access_matrix as impact_matrix
from tests.procurement import test_access_matrix as procurement_matrix
from tests.projects import test_access_matrix as projects_matrix
from tests.projects.conftest import make_pdf
from tests.reports import test_access_matrix as reports_matrix

pytestmark = pytest.mark.django_db

profiles.register_profile(
    "ci",
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
profiles.register_profile(
    "deep",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

ROLES = ("coordinator", "partner", "observer", "outsider")
# The apps whose rows a refused post must leave alone (sessions and the cache are Django's).
WATCHED_APPS = ("accounts", "projects", "events", "procurement", "impact", "reports")


# --- the hostile values -----------------------------------------------------------------------

SPECIAL = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202egpj.exe",  # right-to-left override
    "\u200f\u200e\u061c",  # right-to-left and left-to-right marks
    "line one\r\nline two",
    "x" * 5000,
    "9" * 5000,
    "-1",
    "0",
    "-0",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999",
    "-99999999999999999999",
    "1e308",
    "-1e308",
    "NaN",
    "Infinity",
    "0.0000000001",
    "12,5",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "0000-00-00",
    "10000-01-01",
    "2023-02-29",
    "2024-13-01",
    "true",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "'; DROP TABLE projects_project; --",
    "Europe/Nowhere",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
]
SCALAR = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
)
# A list where one value is expected (and the other way round): the client sends each item.
VALUE = st.one_of(SCALAR, st.lists(SCALAR, min_size=0, max_size=3))
UNKNOWN_FIELDS = ("id", "pk", "project", "status", "csrfmiddlewaretoken", "zzz_unknown")


# --- the URLs and their worlds, from the access matrices ---------------------------------------


def _patterns(namespace: str) -> dict[str, URLPattern]:
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name:
                found[pattern.name] = pattern

    walk(resolver.url_patterns)
    return found


def _posted(module: ModuleType) -> list[str]:
    """The URLs of a text-table matrix whose POST some role may send (not 405 for all)."""
    expected = module.parse_expected(module.EXPECTED)
    return sorted(
        name
        for name, row in expected.items()
        if any(post not in {"405", "login"} for _get, post in row.values())
    )


def _fields(form_class: type[Any]) -> list[str]:
    prefix = getattr(form_class, "prefix", None)
    names = list(form_class.base_fields)
    return [f"{prefix}-{name}" if prefix else name for name in names]


# The events matrix posts no data: the field names come from the forms.
EVENT_FIELDS: dict[str, list[str]] = {
    "event_create": _fields(EventForm),
    "event_edit": _fields(EventForm),
    "event_delete": ["version"],
    "agenda_item_add": _fields(AgendaItemForm),
    "agenda_item_edit": _fields(AgendaItemForm),
    "agenda_item_delete": [],
    "material_upload": _fields(MaterialUploadForm),
    "material_link_add": _fields(MaterialLinkForm),
    "material_delete": [],
    "outcome_add": _fields(OutcomeForm),
    "outcome_toggle": ["done"],
    "outcome_edit": _fields(OutcomeForm),
    "outcome_delete": [],
    "attendance_edit": _fields(AttendanceForm),
    "calendar_feed_settings": _fields(CalendarFeedForm),
}


def _event_valid(name: str, world: Any) -> dict[str, Any]:
    """A valid post for the events forms that have a rule beyond "required": the fuzzing starts
    from it, so that changing one field reaches the model's checks."""
    event = world.event
    if name in {"event_create", "event_edit"}:
        return {
            "kind": event.kind, "title": "Roundtable", "format": event.format,
            "starts_at": "2023-05-10T10:00", "ends_at": "2023-05-10T13:00",
            "time_zone": "Europe/Madrid", "venue": "Town hall", "city": "Santander",
            "country": "ES", "organiser": event.organiser_id, "work_package": "",
            "status": "held", "registration_url": "", "recording_url": "", "description": "",
            "version": event.version,
        }  # fmt: skip
    if name in {"agenda_item_add", "agenda_item_edit"}:
        return {
            "agenda-starts_at": "2023-05-10T10:30", "agenda-title": "Welcome",
            "agenda-session_type": "talk", "agenda-speakers": "Ana López, Ayuntamiento",
        }  # fmt: skip
    if name in {"outcome_add", "outcome_edit"}:
        return {
            "outcome-kind": "action", "outcome-text": "Send the minutes",
            "outcome-owner": world.outcome.owner_id, "outcome-due_date": "2023-06-01",
        }  # fmt: skip
    if name == "attendance_edit":
        return {"total": "12", "in_person": "12", "online": "0", "by_country": "BE: 12"}
    if name == "material_upload":
        return {
            "upload-kind": "slides",
            "upload-file": SimpleUploadedFile("slides.pdf", make_pdf(), "application/pdf"),
        }
    return {}


@dataclass(frozen=True)
class Target:
    """One form-handling URL: how to make its world, its address and its valid post."""

    namespace: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.namespace}:{self.name}"


MATRICES: dict[str, ModuleType] = {
    "projects": projects_matrix,
    "procurement": procurement_matrix,
    "impact": impact_matrix,
    "reports": reports_matrix,
}


def targets() -> list[Target]:
    found = [Target(ns, name) for ns, module in MATRICES.items() for name in _posted(module)]
    posted_events = [
        key.split(":", 1)[1]
        for key, (_get, post) in events_matrix.TABLE.items()
        # Anonymous is sent to the login page (302) whatever the method.
        if any(status != 405 for status in post[1:])
    ]
    found += [Target("events", name) for name in sorted(posted_events)]
    return found


def test_every_posted_url_of_every_app_is_fuzzed() -> None:
    """A new app or a new form URL shows up here: its matrix lists it, so this module fuzzes it."""
    namespaces = {"projects", "events", "procurement", "impact", "reports"}
    assert {t.namespace for t in targets()} == namespaces
    for namespace in namespaces:
        assert set(_patterns(namespace)) >= {t.name for t in targets() if t.namespace == namespace}
    assert set(EVENT_FIELDS) == {t.name for t in targets() if t.namespace == "events"}


@dataclass
class Case:
    """A URL made ready: its address and its valid post for a given poster's partner."""

    url: str
    valid: Callable[[Partner | None], dict[str, Any]]
    fields: list[str]


def make_case(target: Target, project: Project, coordinator: User) -> Case:
    ns, name = target.namespace, target.name
    if ns == "events":
        world = events_matrix.World(project, coordinator)
        url = reverse(target.id, args=world.args(target.id))
        return Case(url, lambda own: _event_valid(name, world), EVENT_FIELDS[name])
    module = MATRICES[ns]
    scene = module.SCENES.get(name, module.Scene())
    converters = list(_patterns(ns)[name].pattern.converters)
    if ns == "projects":
        pdf = make_pdf()
        world = module.build_world(project, scene.status, pdf)
    else:
        world = module.build_world(project, scene)
    url = reverse(target.id, kwargs=module.url_kwargs(name, converters, world))
    params = getattr(scene, "params", None)
    if params is not None and (query := params(world)):
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())

    def valid(own: Partner | None) -> dict[str, Any]:
        if ns in {"projects", "procurement"}:
            return dict(scene.payload(world, own))
        return dict(scene.payload(world))

    fields = list(valid(None)) or ["version"]
    return Case(url, valid, fields)


# --- the snapshot -------------------------------------------------------------------------------


def watched_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for name in WATCHED_APPS
        for model in apps.get_app_config(name).get_models(include_auto_created=True)
        if not model._meta.proxy
    )


def snapshot(tables: list[str]) -> str:
    """A hash of every row of the watched tables: cheap at the world's size (a few rows each)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            digest.update(table.encode())
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


# --- the test -----------------------------------------------------------------------------------


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        },
    }
    yield root


@st.composite
def posts(draw: st.DrawFn, fields: list[str]) -> tuple[str, dict[str, Any], list[str]]:
    """A role, the fields to set (to generated values) and the fields to drop."""
    role = draw(st.sampled_from(ROLES))
    names = st.sampled_from([*fields, *UNKNOWN_FIELDS])
    changed = draw(st.dictionaries(names, VALUE, min_size=1, max_size=len(fields) + 2))
    dropped = draw(st.lists(st.sampled_from(fields), max_size=2, unique=True)) if fields else []
    return role, changed, dropped


@pytest.mark.parametrize("target", targets(), ids=lambda t: t.id)
@profiles(profiles.get_profile(PROFILE))
@given(data=st.data())
def test_a_fuzzed_post_never_fails_and_a_refused_one_changes_nothing(
    target: Target,
    data: st.DataObject,
    project: Project,
    coordinator: User,
    partner: User,
    other_partner: User,
    observer: User,
    outsider: User,
    private_media: Path,
    request: pytest.FixtureRequest,
) -> None:
    # The world is made once for this URL's examples (the first one makes it, outside its own
    # savepoint) and every example is rolled back, so all of them see the same rows.
    ready = request.node.__dict__.setdefault("_fuzz_ready", {})
    if not ready:
        ready["case"] = make_case(target, project, coordinator)
        ready["tables"] = watched_tables()
        ready["clients"] = {}
        for member_role, member in zip(
            ROLES, (coordinator, partner, observer, outsider), strict=True
        ):
            client = Client()
            client.force_login(member)
            ready["clients"][member_role] = client
    case: Case = ready["case"]
    role, changed, dropped = data.draw(posts(case.fields), label="post")
    user: User | None = {"coordinator": coordinator, "partner": partner, "observer": observer}.get(
        role
    )
    membership = Membership.objects.filter(user=user, project=project).first() if user else None
    payload = case.valid(membership.partner if membership else None)
    for name in dropped:
        payload.pop(name, None)
    payload.update(changed)

    with transaction.atomic():
        before = snapshot(ready["tables"])
        response = ready["clients"][role].post(case.url, payload)
        status = response.status_code
        assert status < 500, f"{target.id} as {role}: {status}"
        if 400 <= status < 500:
            assert snapshot(ready["tables"]) == before, (
                f"{target.id} as {role} was refused ({status}) but rows changed"
            )
        transaction.set_rollback(True)
