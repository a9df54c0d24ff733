"""A deliverable's history shows every step of a review cycle, with who did it and what changed."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.history import history_entries
from projects.models import Deliverable, Project, WorkPackage

pytestmark = pytest.mark.django_db


def post(client: Client, name: str, data: dict) -> None:
    response = client.post(reverse(f"projects:{name}", args=["co-resp", "D1.2"]), data)
    assert response.status_code == 302, (name, response.status_code)


def version() -> int:
    return Deliverable.objects.get(number="D1.2").version


@pytest.fixture
def review_cycle(
    coordinator: User, partner: User, project: Project, work_package: WorkPackage
) -> Deliverable:
    """D1.2 created, started, submitted, sent back with a comment, submitted again, approved and
    recorded as submitted to the funder, each through its page, by the person whose job it is."""
    cora, pat = Client(), Client()
    cora.force_login(coordinator)
    pat.force_login(partner)
    created = cora.post(
        reverse("projects:deliverable_create", args=[project.slug]),
        {
            "number": "D1.2",
            "title": "Quality plan",
            "work_package": work_package.pk,
            "lead": work_package.lead_id,
            "type": "R",
            "dissemination": "PU",
            "due_month": 4,
        },
    )
    assert created.status_code == 302
    post(pat, "deliverable_start", {"version": version()})
    post(pat, "deliverable_submit", {"version": version()})
    post(cora, "deliverable_request_changes", {"version": version(), "comment": "Add the annexes."})
    post(pat, "deliverable_submit", {"version": version()})
    post(cora, "deliverable_approve", {"version": version()})
    post(
        cora,
        "deliverable_record_submission",
        {"version": version(), "submitted_date": "2023-01-31"},
    )
    return Deliverable.objects.get(number="D1.2")


STEPS = [
    ("Created", "Cora Coordinator"),
    ("Work started", "Pat Partner"),
    ("Submitted for review", "Pat Partner"),
    ("Changes requested", "Cora Coordinator"),
    ("Submitted for review", "Pat Partner"),
    ("Approved", "Cora Coordinator"),
    ("Submitted to the funder", "Cora Coordinator"),
]


def test_every_step_is_kept_with_who_did_it(review_cycle: Deliverable) -> None:
    entries = list(reversed(history_entries(review_cycle)))  # oldest first
    assert [(e.reason, e.user.full_name) for e in entries] == STEPS
    assert all(isinstance(e.at, dt.datetime) for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_each_step_says_which_fields_changed(review_cycle: Deliverable) -> None:
    entries = list(reversed(history_entries(review_cycle)))
    changes = [{(c.field, c.old, c.new) for c in e.changes} for e in entries]
    assert changes[0] == set()  # created: nothing before it
    assert changes[1] == {("Status", "Planned", "In preparation")}
    assert changes[2] == {("Status", "In preparation", "In review")}
    assert changes[3] == {
        ("Status", "In review", "Changes requested"),
        ("Review comment", "—", "Add the annexes."),
    }
    assert changes[4] == {("Status", "Changes requested", "In review")}
    assert changes[5] == {
        ("Status", "In review", "Approved"),
        ("Review comment", "Add the annexes.", "—"),
    }
    assert changes[6] == {
        ("Status", "Approved", "Submitted to the funder"),
        ("Submitted date", "—", "2023-01-31"),
    }


def test_the_deliverables_page_shows_the_history_newest_first(
    client: Client, observer: User, review_cycle: Deliverable
) -> None:
    client.force_login(observer)
    page = client.get(reverse("projects:deliverable_detail", args=["co-resp", "D1.2"]))
    section = page.content.decode().split('id="history-heading"')[1]
    text = htmllib.unescape(re.sub(r"\s+", " ", section))
    shown = re.findall(r"<strong>([^<]+)</strong> by ([^,]+),", text)
    assert shown == list(reversed(STEPS))
    assert "Review comment: — → Add the annexes." in text
    assert "Status: In review → Changes requested" in text


def test_a_refused_step_leaves_no_trace(
    client: Client, partner: User, review_cycle: Deliverable
) -> None:
    before = review_cycle.history.count()
    client.force_login(partner)
    client.post(
        reverse("projects:deliverable_submit", args=["co-resp", "D1.2"]),
        {"version": review_cycle.version},
    )
    assert review_cycle.history.count() == before
