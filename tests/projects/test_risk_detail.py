"""projects:risk_detail: the facts, work packages, mitigation, reviews newest first, the history
of changes, and the edit and review actions for those who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Project, Risk, WorkPackage
from projects.workflows import review_risk
from tests.factories import make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(project: Project, work_package: WorkPackage) -> Risk:
    """R1, owned by P2 (the `partner`'s organisation)."""
    return make_risk(
        project,
        owner=project.partners.get(number=2),
        title="Low turnout at local roundtables",
        mitigation="Hold them outside the summer months.",
        work_packages=[work_package],
    )


def url(risk: Risk) -> str:
    return reverse("projects:risk_detail", args=[risk.project.slug, risk.number])


def test_shows_facts_work_packages_and_mitigation(
    client: Client, other_partner: User, risk: Risk
) -> None:
    client.force_login(other_partner)

    response = client.get(url(risk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "R1 Low turnout at local roundtables" in html
    assert '<span class="badge badge-medium">4 medium</span>' in html
    assert "Stakeholder engagement" in html
    assert "P2 CoopLab" in html
    assert "WP1 Project management and quality" in html
    assert "Hold them outside the summer months." in html


def test_reviews_are_listed_newest_first(client: Client, coordinator: User, risk: Risk) -> None:
    review_risk(
        risk,
        by=coordinator,
        review_date=dt.date(2023, 1, 10),
        likelihood=3,
        impact=2,
        status="open",
        note="January check.",
    )
    review_risk(
        risk,
        by=coordinator,
        review_date=dt.date(2023, 5, 2),
        likelihood=1,
        impact=2,
        status="monitored",
        note="May check.",
    )
    review_risk(
        risk,
        by=coordinator,
        review_date=dt.date(2023, 3, 1),
        likelihood=2,
        impact=2,
        status="open",
        note="March check.",
    )
    client.force_login(coordinator)

    response = client.get(url(risk))

    assert [r.note for r in response.context["reviews"]] == [
        "May check.",
        "March check.",
        "January check.",
    ]
    html = response.content.decode()
    assert html.index("May check.") < html.index("March check.") < html.index("January check.")


def test_history_shows_who_changed_which_field_and_why(
    client: Client, coordinator: User, risk: Risk
) -> None:
    risk.title = "Low turnout at roundtables"
    risk._history_user = coordinator  # type: ignore[attr-defined]
    risk.save_edit(risk.version, reason="Shorter title")
    client.force_login(coordinator)

    response = client.get(url(risk))

    latest = response.context["history"][0]
    assert (latest.user, latest.reason) == (coordinator, "Shorter title")
    assert [(c.field, c.old, c.new) for c in latest.changes] == [
        ("Title", "Low turnout at local roundtables", "Low turnout at roundtables")
    ]
    assert "Shorter title" in response.content.decode()


@pytest.mark.parametrize("who", ["coordinator", "partner"])
def test_coordinator_and_the_owners_staff_see_edit_and_review(
    client: Client, risk: Risk, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    html = client.get(url(risk)).content.decode()

    assert reverse("projects:risk_edit", args=["co-resp", 1]) in html
    assert reverse("projects:risk_review_add", args=["co-resp", 1]) in html


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_see_neither_edit_nor_review(
    client: Client, risk: Risk, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(risk))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("projects:risk_edit", args=["co-resp", 1]) not in html
    assert reverse("projects:risk_review_add", args=["co-resp", 1]) not in html


def test_an_unknown_number_is_404(client: Client, partner: User, risk: Risk) -> None:
    client.force_login(partner)
    assert client.get(reverse("projects:risk_detail", args=["co-resp", 99])).status_code == 404


def test_outsider_gets_404(client: Client, outsider: User, risk: Risk) -> None:
    client.force_login(outsider)
    assert client.get(url(risk)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, risk: Risk) -> None:
    response = client.get(url(risk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, risk: Risk) -> None:
    client.force_login(coordinator)
    assert client.post(url(risk)).status_code == 405
