"""projects:milestone_detail: the facts, the means of verification, the history of changes and,
for the coordinator, the form to mark it achieved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Milestone, Project, WorkPackage
from tests.factories import make_milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone(project: Project, work_package: WorkPackage) -> Milestone:
    return make_milestone(
        project,
        number="MS2",
        title="Local roundtables held",
        due_month=9,
        means_of_verification="Minutes of four roundtables are uploaded.",
        work_packages=[work_package],
    )


def url(milestone: Milestone) -> str:
    return reverse("projects:milestone_detail", args=[milestone.project.slug, milestone.number])


def test_shows_facts_and_means_of_verification(
    client: Client, partner: User, milestone: Milestone
) -> None:
    client.force_login(partner)

    response = client.get(url(milestone))

    assert response.status_code == 200
    html = response.content.decode()
    assert "MS2 Local roundtables held" in html
    assert "WP1 Project management and quality" in html
    assert "M9" in html and "30 Jun 2023" in html
    assert "Minutes of four roundtables are uploaded." in html


def test_history_says_who_changed_which_fields_when_and_why(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    milestone._history_user = coordinator  # type: ignore[attr-defined]
    milestone.mark_achieved(
        on=dt.date(2023, 6, 20), note="All four held.", today=dt.date(2023, 7, 1)
    )
    milestone.title = "Four local roundtables held"
    milestone._change_reason = "Title as in the amendment"  # type: ignore[attr-defined]
    milestone.save()
    client.force_login(coordinator)

    response = client.get(url(milestone))

    history = response.context["history"]
    assert [entry.reason for entry in history] == [
        "Title as in the amendment",
        "Marked achieved",
        "",
    ]
    assert history[0].user == coordinator
    assert [(c.field, c.old, c.new) for c in history[0].changes] == [
        ("Title", "Local roundtables held", "Four local roundtables held")
    ]
    assert {c.field for c in history[1].changes} == {"Achieved date", "Achievement note"}
    html = response.content.decode()
    assert "Title as in the amendment" in html
    assert "Cora Coordinator" in html


def test_coordinator_sees_the_achieve_form(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    client.force_login(coordinator)

    html = client.get(url(milestone)).content.decode()

    assert reverse("projects:milestone_achieve", args=["co-resp", "MS2"]) in html
    assert 'name="achieved_date"' in html


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_others_see_no_achieve_form(
    client: Client, milestone: Milestone, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(milestone))

    assert response.status_code == 200
    assert (
        reverse("projects:milestone_achieve", args=["co-resp", "MS2"])
        not in response.content.decode()
    )


def test_an_achieved_milestone_shows_its_date_and_no_form(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    milestone.mark_achieved(
        on=dt.date(2023, 6, 20), note="All four held.", today=dt.date(2023, 7, 1)
    )
    client.force_login(coordinator)

    html = client.get(url(milestone)).content.decode()

    assert "Achieved 20 Jun 2023" in html
    assert "All four held." in html
    assert 'name="achieved_date"' not in html


def test_an_unknown_number_is_404(client: Client, partner: User, milestone: Milestone) -> None:
    client.force_login(partner)
    assert (
        client.get(reverse("projects:milestone_detail", args=["co-resp", "MS99"])).status_code
        == 404
    )


def test_outsider_gets_404(client: Client, outsider: User, milestone: Milestone) -> None:
    client.force_login(outsider)
    assert client.get(url(milestone)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, milestone: Milestone) -> None:
    response = client.get(url(milestone))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, milestone: Milestone) -> None:
    client.force_login(coordinator)
    assert client.post(url(milestone)).status_code == 405
