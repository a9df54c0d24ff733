"""Who may do what, as a matrix: every URL of the `projects` namespace x every member of the cast x
GET and POST, with the expected answer written down for each.

The URLs come from the resolver, so a URL added to projects/urls.py without a row in EXPECTED
fails this test. POSTs carry valid data: a role that may act gets the redirect that follows a
successful change, which proves the permission is not only refused to the others but also granted.
Each case runs on objects made for it, in the state its action needs (a deliverable in review for
"approve"), inside a transaction rolled back afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from projects.files import add_deliverable_version, check_upload
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Milestone,
    Notification,
    Partner,
    Project,
    Risk,
    WorkPackage,
)
from tests.factories import make_deliverable, make_milestone, make_risk

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "partner", "other_partner", "observer", "outsider", "anonymous")

# GET/POST answer for each member of the cast. `partner` is staff of P2, which leads the
# deliverable and owns the risk each case uses; `other_partner` is staff of P3.
#   200 a page; 302 the redirect after a successful change (or home -> the only project);
#   403 a member whose role may not do this; 404 not a member (the project is not revealed);
#   405 wrong method (checked before membership, so it reveals nothing either);
#   login: 302 to the login page.
EXPECTED = """
url name                        coordinator partner  other_partner observer outsider anonymous
home                            302/405     302/405  302/405       302/405  200/405  login/login
project_dashboard               200/405     200/405  200/405       200/405  404/405  login/login
notification_list               200/405     200/405  200/405       200/405  200/405  login/login
notification_count              200/405     200/405  200/405       200/405  200/405  login/login
notification_read_all           405/302     405/302  405/302       405/302  405/302  login/login
notification_open               405/302     405/404  405/404       405/404  405/404  login/login
workpackage_list                200/405     200/405  200/405       200/405  404/405  login/login
workpackage_detail              200/405     200/405  200/405       200/405  404/405  login/login
milestone_list                  200/405     200/405  200/405       200/405  404/405  login/login
milestone_detail                200/405     200/405  200/405       200/405  404/405  login/login
milestone_achieve               405/302     405/403  405/403       405/403  405/404  login/login
timeline                        200/405     200/405  200/405       200/405  404/405  login/login
deliverable_list                200/405     200/405  200/405       200/405  404/405  login/login
deliverable_export              200/405     200/405  200/405       200/405  404/405  login/login
deliverable_create              200/302     403/403  403/403       403/403  404/404  login/login
deliverable_detail              200/405     200/405  200/405       200/405  404/405  login/login
deliverable_edit                200/302     200/302  403/403       403/403  404/404  login/login
deliverable_start               405/302     405/302  405/403       405/403  405/404  login/login
deliverable_submit              405/302     405/302  405/403       405/403  405/404  login/login
deliverable_request_changes     405/302     405/403  405/403       405/403  405/404  login/login
deliverable_approve             405/302     405/403  405/403       405/403  405/404  login/login
deliverable_record_submission   405/302     405/403  405/403       405/403  405/404  login/login
deliverable_progress_add        405/302     405/302  405/403       405/403  405/404  login/login
deliverable_version_upload      405/302     405/302  405/403       405/403  405/404  login/login
deliverable_version_download    200/405     200/405  200/405       200/405  404/405  login/login
risk_list                       200/405     200/405  200/405       200/405  404/405  login/login
risk_create                     200/302     200/302  200/302       403/403  404/404  login/login
risk_detail                     200/405     200/405  200/405       200/405  404/405  login/login
risk_edit                       200/302     200/302  403/403       403/403  404/404  login/login
risk_review_add                 405/302     405/302  405/403       405/403  405/404  login/login
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
    """What one case acts on, made afresh inside the case's transaction."""

    project: Project
    work_package: WorkPackage
    p2: Partner
    deliverable: Deliverable
    version: DeliverableVersion
    milestone: Milestone
    risk: Risk
    pdf: bytes
    notification: Notification  # the coordinator's, about the deliverable


def build_world(project: Project, status: str, pdf: bytes) -> World:
    work_package = project.work_packages.get(number=1)  # led by P2
    p2 = project.partners.get(number=2)
    deliverable = make_deliverable(
        work_package, number="D1.1", title="Project handbook", due_month=6, status=status
    )
    upload = SimpleUploadedFile("handbook.pdf", pdf, content_type="application/pdf")
    version = add_deliverable_version(
        deliverable, check_upload(upload), by=User.objects.get(email="coordinator@example.org")
    )
    milestone = make_milestone(project, number="MS1", due_month=9, work_packages=[work_package])
    risk = make_risk(project, owner=p2)
    notification = Notification.objects.create(
        recipient=User.objects.get(email="coordinator@example.org"),
        project=project,
        kind=Notification.Kind.DELIVERABLE_IN_REVIEW,
        content_type=ContentType.objects.get_for_model(deliverable),
        object_id=deliverable.pk,
        subject="D1.1 Project handbook",
        link=deliverable.get_absolute_url(),
    )
    return World(
        project, work_package, p2, deliverable, version, milestone, risk, pdf, notification
    )


def url_kwargs(name: str, converters: list[str], world: World) -> dict[str, Any]:
    """The URL's arguments, by converter name and the object its name is about."""
    kwargs: dict[str, Any] = {}
    for key in converters:
        if key == "slug":
            kwargs[key] = world.project.slug
        elif key == "fmt":
            kwargs[key] = "csv"
        elif key == "pk" and name.startswith("notification_"):
            kwargs[key] = world.notification.pk
        elif key == "pk" and name.startswith("deliverable_version"):
            kwargs[key] = world.version.pk
        elif key == "number" and name.startswith("deliverable_"):
            kwargs[key] = world.deliverable.number
        elif key == "number" and name.startswith("milestone_"):
            kwargs[key] = world.milestone.number
        elif key == "number" and name.startswith("risk_"):
            kwargs[key] = world.risk.number
        elif key == "number" and name.startswith("workpackage_"):
            kwargs[key] = world.work_package.number
        else:
            raise AssertionError(f"{name}: the matrix does not know how to fill <{key}>")
    return kwargs


Payload = Callable[[World, Partner | None], dict[str, Any]]


def no_data(world: World, acting_for: Partner | None) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Scene:
    """The state a URL's POST applies to, and the valid data it sends."""

    status: str = Deliverable.Status.PLANNED
    payload: Payload = no_data
    extra: dict[str, Any] = field(default_factory=dict)


def _today() -> dt.date:
    return timezone.localdate()


SCENES: dict[str, Scene] = {
    "milestone_achieve": Scene(
        payload=lambda w, p: {
            "achieved_date": _today().isoformat(),
            "achievement_note": "Minutes of the kick-off are uploaded.",
        }
    ),
    "deliverable_create": Scene(
        payload=lambda w, p: {
            "number": "D1.2",
            "title": "Quality plan",
            "work_package": w.work_package.pk,
            "lead": w.p2.pk,
            "type": Deliverable.Type.R,
            "dissemination": Deliverable.Dissemination.PU,
            "due_month": 4,
            "description": "",
        }
    ),
    "deliverable_edit": Scene(
        payload=lambda w, p: {
            "number": "D1.1",
            "title": "Project handbook, revised",
            "work_package": w.work_package.pk,
            "lead": w.p2.pk,
            "type": Deliverable.Type.R,
            "dissemination": Deliverable.Dissemination.PU,
            "due_month": 6,
            "description": "Rules and templates for the consortium.",
            "version": w.deliverable.version,
        }
    ),
    "deliverable_start": Scene(
        status=Deliverable.Status.PLANNED, payload=lambda w, p: {"version": w.deliverable.version}
    ),
    "deliverable_submit": Scene(
        status=Deliverable.Status.IN_PREPARATION,
        payload=lambda w, p: {"version": w.deliverable.version},
    ),
    "deliverable_request_changes": Scene(
        status=Deliverable.Status.IN_REVIEW,
        payload=lambda w, p: {"version": w.deliverable.version, "comment": "Add the annexes."},
    ),
    "deliverable_approve": Scene(
        status=Deliverable.Status.IN_REVIEW,
        payload=lambda w, p: {"version": w.deliverable.version},
    ),
    "deliverable_record_submission": Scene(
        status=Deliverable.Status.APPROVED,
        payload=lambda w, p: {
            "version": w.deliverable.version,
            "submitted_date": _today().isoformat(),
            # Due in M6 (March 2023): today is late, so the justification is needed.
            "delay_justification": "The funder extended the reporting period.",
        },
    ),
    "deliverable_progress_add": Scene(
        status=Deliverable.Status.IN_PREPARATION,
        payload=lambda w, p: {"percent": 40, "note": "First draft of two chapters."},
    ),
    "deliverable_version_upload": Scene(
        status=Deliverable.Status.IN_PREPARATION,
        payload=lambda w, p: {
            "note": "Second draft",
            "file": SimpleUploadedFile("draft 2.pdf", w.pdf, "application/pdf"),
        },
    ),
    "risk_create": Scene(
        payload=lambda w, p: {
            "title": "Partners leave the consortium",
            "description": "A partner may withdraw after a change of management.",
            "category": Risk.Category.PARTNERSHIP,
            "likelihood": 1,
            "impact": 3,
            "mitigation": "Keep a list of organisations that could take over.",
            # A partner may name only their own organisation; the coordinator names P2.
            "owner": p.pk if p is not None and p.number != 1 else w.p2.pk,
        }
    ),
    "risk_edit": Scene(
        payload=lambda w, p: {
            "title": "Low turnout at local roundtables in summer",
            "description": w.risk.description,
            "category": w.risk.category,
            "mitigation": "Hold them in September.",
            "owner": w.p2.pk,
            "version": w.risk.version,
            "change_reason": "Clearer title",
        }
    ),
    "risk_review_add": Scene(
        payload=lambda w, p: {
            "review_date": _today().isoformat(),
            "likelihood": 3,
            "impact": 3,
            "status": Risk.Status.OPEN,
            "note": "Two roundtables had fewer than five buyers.",
        }
    ),
}


def project_url_patterns() -> dict[str, URLPattern]:
    """Every named URL of the `projects` namespace, from the resolver (includes followed)."""
    _prefix, resolver = get_resolver().namespace_dict["projects"]
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


def test_every_url_answers_every_member_as_the_table_says(
    project: Project,
    coordinator: User,
    partner: User,
    other_partner: User,
    observer: User,
    outsider: User,
    private_media: Path,
    pdf_bytes: bytes,
    record_property: Callable[[str, object], None],
) -> None:
    expected = parse_expected(EXPECTED)
    patterns = project_url_patterns()
    missing = sorted(set(patterns) - set(expected))
    stale = sorted(set(expected) - set(patterns))
    assert not missing, f"URLs of the projects namespace without a row in EXPECTED: {missing}"
    assert not stale, f"rows in EXPECTED for URLs that no longer exist: {stale}"

    users: dict[str, User | None] = {
        "coordinator": coordinator,
        "partner": partner,
        "other_partner": other_partner,
        "observer": observer,
        "outsider": outsider,
        "anonymous": None,
    }
    acting_for = {
        role: (user.memberships.first().partner if user and user.memberships.exists() else None)  # type: ignore[union-attr]
        for role, user in users.items()
    }
    mismatches: list[str] = []
    checked = 0
    for name, pattern in sorted(patterns.items()):
        scene = SCENES.get(name, Scene())
        # The objects are made once per URL; each case runs in a savepoint rolled back after it,
        # so every case starts from the same state.
        with transaction.atomic():
            world = build_world(project, scene.status, pdf_bytes)
            kwargs = url_kwargs(name, list(pattern.pattern.converters), world)
            url = reverse(f"projects:{name}", kwargs=kwargs)
            for role in ROLES:
                for method, want in zip(("GET", "POST"), expected[name][role], strict=True):
                    with transaction.atomic():
                        client = Client()
                        if users[role] is not None:
                            client.force_login(users[role])  # type: ignore[arg-type]
                        if method == "GET":
                            response = client.get(url)
                        else:
                            response = client.post(url, scene.payload(world, acting_for[role]))
                        transaction.set_rollback(True)
                    checked += 1
                    if (got := describe(response)) != want:
                        mismatches.append(f"{method} {name} as {role}: expected {want}, got {got}")
            transaction.set_rollback(True)

    record_property("access_matrix", f"access matrix: {checked} cases checked")
    assert checked == len(expected) * len(ROLES) * 2
    assert not mismatches, "\n".join(mismatches)
