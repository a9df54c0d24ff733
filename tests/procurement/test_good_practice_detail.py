"""procurement:good_practice_detail: a case's page, with the event where it was found and the
plans' actions that draw on it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from events.models import Event
from procurement.models import GoodPractice
from projects.models import Project
from tests.events.factories import make_event
from tests.factories import make_organisation, make_partner, make_project
from tests.procurement.factories import make_action_plan, make_good_practice, make_plan_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(project: Project) -> GoodPractice:
    """Recorded by P2 (the `partner`'s organisation), found on a mission."""
    return make_good_practice(
        project,
        title="Reserved catering in Valencia's schools",
        instruments=[GoodPractice.Instrument.RESERVED_CONTRACT, GoodPractice.Instrument.LOTS],
        source="https://example.org/valencia-catering",
        found_at=make_event(project, title="Mission to Valencia", kind=Event.Kind.MISSION),
    )


def url(practice: GoodPractice) -> str:
    return reverse("procurement:good_practice_detail", args=[practice.project.slug, practice.pk])


def test_the_page_shows_the_case_and_the_actions_drawing_on_it(
    client: Client, observer: User, project: Project, practice: GoodPractice
) -> None:
    plan = make_action_plan(project, title="Voorbeeld SRPP plan")
    action = make_plan_action(plan, number=2, what="Reserve the school catering.")
    action.good_practices.set([practice])
    make_plan_action(plan, number=3, what="Not this one.")
    client.force_login(observer)

    response = client.get(url(practice))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Reserved catering in Valencia&#x27;s schools" in html
    assert "Spain" in html and "Ajuntament de València" in html and "catering" in html
    assert "Tendering" in html
    assert "<li>Reserved contract</li><li>Division into lots</li>" in html
    assert "Twelve jobs for persons with disabilities." in html
    assert 'href="https://example.org/valencia-catering"' in html
    assert practice.found_at is not None
    assert reverse("events:event_detail", args=[project.slug, practice.found_at.pk]) in html
    assert "Mission to Valencia" in html and "Social economy mission" in html
    assert "P2 CoopLab" in html
    plan_url = reverse("procurement:action_plan_detail", args=[project.slug, plan.pk])
    assert f'href="{plan_url}#action-2"' in html
    assert "Action 2 of Voorbeeld SRPP plan" in html and "Not this one." not in html


def test_a_case_no_action_draws_on_says_so(
    client: Client, partner: User, practice: GoodPractice
) -> None:
    client.force_login(partner)
    html = client.get(url(practice)).content.decode()
    assert "No action of a local action plan draws on it yet." in html


@pytest.mark.parametrize("who", ["coordinator", "partner"])
def test_the_coordinator_and_the_recorder_see_the_edit_link(
    client: Client, practice: GoodPractice, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(practice))

    assert response.context["can_change"] is True
    edit = reverse("procurement:good_practice_edit", args=[practice.project.slug, practice.pk])
    assert edit in response.content.decode()


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_read_without_the_edit_link(
    client: Client, practice: GoodPractice, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(practice))

    assert response.status_code == 200
    assert response.context["can_change"] is False
    edit = reverse("procurement:good_practice_edit", args=[practice.project.slug, practice.pk])
    assert edit not in response.content.decode()


def test_a_case_of_another_project_is_not_found(
    client: Client, partner: User, practice: GoodPractice
) -> None:
    other = make_project("OTHER")
    theirs = make_good_practice(other, recorded_by=make_partner(other, make_organisation("Else")))
    client.force_login(partner)

    wrong = reverse("procurement:good_practice_detail", args=[practice.project.slug, theirs.pk])
    assert client.get(wrong).status_code == 404


def test_outsider_gets_404(client: Client, outsider: User, practice: GoodPractice) -> None:
    client.force_login(outsider)
    assert client.get(url(practice)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, practice: GoodPractice) -> None:
    response = client.get(url(practice))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, practice: GoodPractice) -> None:
    client.force_login(coordinator)
    assert client.post(url(practice)).status_code == 405
