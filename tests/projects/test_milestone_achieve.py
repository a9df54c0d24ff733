"""projects:milestone_achieve: the coordinator marks a milestone achieved, with date and note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Milestone, Project
from tests.factories import make_milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone(project: Project) -> Milestone:
    return make_milestone(project, number="MS2", title="Local roundtables held", due_month=9)


def url(milestone: Milestone) -> str:
    return reverse("projects:milestone_achieve", args=[milestone.project.slug, milestone.number])


GOOD = {"achieved_date": "2023-06-20", "achievement_note": "Minutes of all four are uploaded."}


def test_coordinator_marks_it_achieved(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    client.force_login(coordinator)

    response = client.post(url(milestone), GOOD, follow=True)

    assert response.redirect_chain == [(milestone.get_absolute_url(), 302)]
    milestone.refresh_from_db()
    assert milestone.achieved_date == dt.date(2023, 6, 20)
    assert milestone.achievement_note == "Minutes of all four are uploaded."
    assert "MS2 marked achieved." in response.content.decode()
    record = milestone.history.latest()
    assert record.history_user == coordinator
    assert record.history_change_reason == "Marked achieved"


def test_a_future_date_is_refused_and_nothing_is_saved(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    client.force_login(coordinator)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(url(milestone), {**GOOD, "achieved_date": tomorrow.isoformat()})

    assert response.status_code == 422
    assert "The date is in the future." in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.achieved_date is None
    assert milestone.history.count() == 1


def test_a_blank_note_is_refused_and_nothing_is_saved(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    client.force_login(coordinator)

    response = client.post(url(milestone), {**GOOD, "achievement_note": "   "})

    assert response.status_code == 422
    milestone.refresh_from_db()
    assert milestone.achieved_date is None


def test_a_missing_date_is_refused_and_nothing_is_saved(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    client.force_login(coordinator)

    response = client.post(url(milestone), {"achieved_date": "", "achievement_note": "x"})

    assert response.status_code == 422
    assert response.context["form"].errors["achieved_date"]
    milestone.refresh_from_db()
    assert milestone.achieved_date is None


def test_achieving_twice_is_refused_and_the_first_date_stays(
    client: Client, coordinator: User, milestone: Milestone
) -> None:
    milestone.mark_achieved(on=dt.date(2023, 6, 1), note="Done.", today=dt.date(2023, 6, 2))
    client.force_login(coordinator)

    response = client.post(url(milestone), GOOD)

    assert response.status_code == 422
    assert "MS2 was already achieved on 2023-06-01." in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.achieved_date == dt.date(2023, 6, 1)


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_may_mark_it_achieved(
    client: Client, milestone: Milestone, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.post(url(milestone), GOOD).status_code == 403
    milestone.refresh_from_db()
    assert milestone.achieved_date is None


def test_outsider_gets_404(client: Client, outsider: User, milestone: Milestone) -> None:
    client.force_login(outsider)
    assert client.post(url(milestone), GOOD).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, milestone: Milestone) -> None:
    response = client.post(url(milestone), GOOD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    milestone.refresh_from_db()
    assert milestone.achieved_date is None


def test_get_is_not_allowed(client: Client, coordinator: User, milestone: Milestone) -> None:
    client.force_login(coordinator)
    assert client.get(url(milestone)).status_code == 405
