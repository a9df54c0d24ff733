"""projects/permissions.py: who may do what, as `can_*(access, obj)` functions over the facts in
Access; templates get their answers as booleans and never decide from a role themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import User
from projects.models import Deliverable, Project
from projects.permissions import (
    access_project,
    can_name_any_partner,
    can_plan,
    can_raise_risk,
    can_review,
    can_update_risk,
    can_work_on,
)
from tests.factories import make_risk

pytestmark = pytest.mark.django_db


def answers(
    who: str, project: Project, deliverable: Deliverable, request: pytest.FixtureRequest
) -> dict[str, bool]:
    """What the `who` fixture's member may do, by name."""
    user: User = request.getfixturevalue(who)
    access = access_project(user, project.slug)
    risk = make_risk(project, owner=project.partners.get(number=2))  # owned by the `partner`'s P2
    return {
        "plan": can_plan(access),
        "work on D1.1": can_work_on(access, deliverable),
        "review D1.1": can_review(access, deliverable),
        "raise a risk": can_raise_risk(access),
        "update R1": can_update_risk(access, risk),
        "name any partner": can_name_any_partner(access),
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("coordinator", {"plan", "work on D1.1", "review D1.1", "raise a risk", "update R1",
                         "name any partner"}),
        ("partner", {"work on D1.1", "raise a risk", "update R1"}),  # staff of P2, D1.1's lead
        ("other_partner", {"raise a risk"}),
        ("observer", set()),
    ],
)  # fmt: skip
def test_who_may_do_what(
    who: str,
    allowed: set[str],
    project: Project,
    deliverable: Deliverable,
    request: pytest.FixtureRequest,
) -> None:
    given = answers(who, project, deliverable, request)
    assert {name for name, yes in given.items() if yes} == allowed


TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A role or a permission decided in a template; the membership's facts (its role's name, its
# partner) may still be shown.
RULE_IN_TEMPLATE = re.compile(r"access\.(is_\w+|can_\w+|role\b)|\brole\s*==")


@pytest.mark.parametrize("app", ["projects", "events"])
def test_templates_decide_nothing_from_a_role(app: str) -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted((TEMPLATES / app).rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if RULE_IN_TEMPLATE.search(line)
    ]
    assert found == []
