"""procurement:plan_action_edit: the coordinator, or the plan's partner, edit one action of a
local action plan (its status, the tender it led to, the good practices it draws on)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import LocalActionPlan, PlanAction
from projects.models import Project
from tests.factories import make_organisation, make_partner, make_project
from tests.procurement.factories import (
    make_action_plan,
    make_good_practice,
    make_plan_action,
    make_tender,
)

pytestmark = pytest.mark.django_db

WHAT = "Reserve the catering contract for sheltered workshops."


@pytest.fixture
def action(project: Project) -> PlanAction:
    """Action 1 of P2's plan (the `partner`'s organisation), due M6, drawing on one practice."""
    plan = make_action_plan(project, partner=project.partners.get(number=2), title="CoopLab plan")
    action = make_plan_action(plan, what=WHAT, due_month=6)
    action.good_practices.set([make_good_practice(project, title="Catering")])
    return action


def url(action: PlanAction) -> str:
    plan = action.plan
    return reverse("procurement:plan_action_edit", args=[plan.project.slug, plan.pk, action.number])


def form_data(action: PlanAction, **changes: Any) -> dict[str, Any]:
    return {
        "number": str(action.number),
        "what": action.what,
        "responsible_body": action.responsible_body,
        "due_month": str(action.due_month or ""),
        "status": action.status,
        "tender": str(action.tender_id or ""),
        "good_practices": [str(p.pk) for p in action.good_practices.all()],
        **changes,
    }


def test_the_plans_partner_records_the_tender_the_action_led_to(
    client: Client, partner: User, project: Project, action: PlanAction
) -> None:
    tender = make_tender(project)
    cleaning = make_good_practice(project, title="Cleaning")
    client.force_login(partner)
    form = client.get(url(action)).context["form"]
    assert form["number"].value() == 1 and form["due_month"].value() == 6

    response = client.post(
        url(action),
        form_data(
            action,
            status=PlanAction.Status.DONE,
            tender=str(tender.pk),
            good_practices=[str(cleaning.pk)],
        ),
        follow=True,
    )

    assert response.redirect_chain == [(action.plan.get_absolute_url(), 302)]
    assert "Action 1 of CoopLab plan saved." in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.tender) == (PlanAction.Status.DONE, tender)
    assert list(action.good_practices.all()) == [cleaning]


def test_the_coordinator_edits_any_plans_actions(
    client: Client, coordinator: User, action: PlanAction
) -> None:
    client.force_login(coordinator)

    response = client.post(url(action), form_data(action, responsible_body="Social services"))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.responsible_body == "Social services"


def test_an_action_keeps_its_own_number(client: Client, partner: User, action: PlanAction) -> None:
    """Its own number is not 'taken': the check leaves the action itself out."""
    client.force_login(partner)

    assert client.post(url(action), form_data(action, status="in_progress")).status_code == 302


def test_renumbering_onto_another_action_is_refused(
    client: Client, partner: User, action: PlanAction
) -> None:
    make_plan_action(action.plan, number=2)
    client.force_login(partner)

    response = client.post(url(action), form_data(action, number="2"))

    assert response.status_code == 422
    assert response.context["form"].errors["number"] == [
        "The plan has an action 2 already: choose another number."
    ]
    action.refresh_from_db()
    assert action.number == 1


def test_a_due_month_past_the_end_of_the_project_is_refused_and_nothing_saved(
    client: Client, partner: User, action: PlanAction
) -> None:
    client.force_login(partner)

    response = client.post(
        url(action), form_data(action, due_month="24", what="Changed", good_practices=[])
    )

    assert response.status_code == 422
    assert response.context["form"].errors["due_month"] == [
        "M24 is outside the project, which runs M1-M18."
    ]
    action.refresh_from_db()
    assert (action.due_month, action.what) == (6, WHAT)
    assert action.good_practices.count() == 1


def test_a_tender_of_another_project_is_refused(
    client: Client, partner: User, action: PlanAction
) -> None:
    other = make_project("OTHER")
    theirs = make_tender(other, recorded_by=make_partner(other, make_organisation("Else")))
    client.force_login(partner)

    response = client.post(url(action), form_data(action, tender=str(theirs.pk)))

    assert response.status_code == 422
    assert "tender" in response.context["form"].errors
    action.refresh_from_db()
    assert action.tender is None


def test_an_unknown_action_is_not_found(client: Client, partner: User, action: PlanAction) -> None:
    plan: LocalActionPlan = action.plan
    client.force_login(partner)

    missing = reverse("procurement:plan_action_edit", args=[plan.project.slug, plan.pk, 9])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_may_not_edit(
    client: Client, action: PlanAction, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(action)).status_code == 403
    assert client.post(url(action), form_data(action, what="Changed")).status_code == 403
    action.refresh_from_db()
    assert action.what == WHAT


def test_outsider_gets_404(client: Client, outsider: User, action: PlanAction) -> None:
    client.force_login(outsider)
    assert client.get(url(action)).status_code == 404
    assert client.post(url(action), form_data(action, what="Changed")).status_code == 404
    action.refresh_from_db()
    assert action.what == WHAT


def test_anonymous_is_sent_to_login(client: Client, action: PlanAction) -> None:
    response = client.post(url(action), form_data(action, what="Changed"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    action.refresh_from_db()
    assert action.what == WHAT


def test_other_methods_are_not_allowed(client: Client, partner: User, action: PlanAction) -> None:
    client.force_login(partner)
    assert client.put(url(action)).status_code == 405
    assert client.delete(url(action)).status_code == 405
