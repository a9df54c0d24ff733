"""procurement:plan_action_create: the coordinator, or the plan's partner, add an action to a
local action plan: numbered next, due in a month of the project, maybe leading to one of its
tenders and drawing on its good practices."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.forms.plans import PlanActionForm
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


@pytest.fixture
def plan(project: Project) -> LocalActionPlan:
    """P2's plan (the `partner`'s organisation): `other_partner` (P3) only reads it."""
    return make_action_plan(project, partner=project.partners.get(number=2), title="CoopLab plan")


@pytest.fixture
def other_project() -> Project:
    other = make_project("OTHER")
    make_partner(other, make_organisation("Else"), number=1)
    return other


def url(plan: LocalActionPlan) -> str:
    return reverse("procurement:plan_action_create", args=[plan.project.slug, plan.pk])


def form_data(**changes: Any) -> dict[str, Any]:
    return {
        "number": "1",
        "what": "Reserve the catering contract for sheltered workshops.",
        "responsible_body": "Procurement office",
        "due_month": "6",
        "status": PlanAction.Status.PLANNED,
        "tender": "",
        "good_practices": [],
        **changes,
    }


def test_the_plans_partner_adds_an_action_leading_to_a_tender(
    client: Client, partner: User, project: Project, plan: LocalActionPlan
) -> None:
    tender = make_tender(project)
    practices = [make_good_practice(project, title=t) for t in ("Catering", "Cleaning")]
    client.force_login(partner)

    response = client.post(
        url(plan),
        form_data(tender=str(tender.pk), good_practices=[str(p.pk) for p in practices]),
        follow=True,
    )

    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "Action 1 added to CoopLab plan." in response.content.decode()
    action = plan.actions.get()
    assert (action.number, action.due_month, action.tender) == (1, 6, tender)
    assert set(action.good_practices.all()) == set(practices)
    assert action.history.latest().history_user == partner


def test_the_number_offered_is_the_next_free_one(
    client: Client, partner: User, plan: LocalActionPlan
) -> None:
    make_plan_action(plan, number=1)
    make_plan_action(plan, number=4)
    client.force_login(partner)

    form = client.get(url(plan)).context["form"]

    assert form["number"].value() == 5


def test_the_choices_are_the_projects_tenders_and_practices_and_its_months(
    client: Client, partner: User, project: Project, plan: LocalActionPlan, other_project: Project
) -> None:
    ours = make_tender(project)
    make_tender(other_project, recorded_by=other_project.partners.get())
    practice = make_good_practice(project)
    make_good_practice(other_project, recorded_by=other_project.partners.get())
    client.force_login(partner)

    response = client.get(url(plan))

    form = response.context["form"]
    assert list(form.fields["tender"].queryset) == [ours]
    assert list(form.fields["good_practices"].queryset) == [practice]
    html = response.content.decode()
    assert 'min="1" max="18"' in html
    assert "Project month, 1 to 18." in html


def test_a_due_month_past_the_end_of_the_project_is_refused(
    client: Client, partner: User, plan: LocalActionPlan
) -> None:
    client.force_login(partner)

    response = client.post(url(plan), form_data(due_month="19"))

    assert response.status_code == 422
    assert response.context["form"].errors["due_month"] == [
        "M19 is outside the project, which runs M1-M18."
    ]
    assert not plan.actions.exists()


def test_a_tender_of_another_project_is_refused(
    client: Client, partner: User, plan: LocalActionPlan, other_project: Project
) -> None:
    theirs = make_tender(other_project, recorded_by=other_project.partners.get())
    client.force_login(partner)

    response = client.post(url(plan), form_data(tender=str(theirs.pk)))

    assert response.status_code == 422
    assert "tender" in response.context["form"].errors
    assert not plan.actions.exists()


def test_a_good_practice_of_another_project_is_refused(
    client: Client, partner: User, plan: LocalActionPlan, other_project: Project
) -> None:
    theirs = make_good_practice(other_project, recorded_by=other_project.partners.get())
    client.force_login(partner)

    response = client.post(url(plan), form_data(good_practices=[str(theirs.pk)]))

    assert response.status_code == 422
    assert "good_practices" in response.context["form"].errors
    assert not plan.actions.exists()


def test_a_number_the_plan_has_already_is_refused(
    client: Client, partner: User, plan: LocalActionPlan
) -> None:
    make_plan_action(plan, number=1, what="The first action.")
    client.force_login(partner)

    response = client.post(url(plan), form_data(number="1"))

    assert response.status_code == 422
    assert response.context["form"].errors["number"] == [
        "The plan has an action 1 already: choose another number."
    ]
    assert [a.what for a in plan.actions.all()] == ["The first action."]


def test_a_number_taken_meanwhile_is_refused_by_the_database(
    client: Client, partner: User, plan: LocalActionPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people add an action at once: both forms pass the check, the unique constraint lets
    one through, and the other gets its form back with the number refused, not a server error."""
    make_plan_action(plan, number=1, what="The first action.")
    monkeypatch.setattr(PlanActionForm, "clean_number", lambda form: form.cleaned_data["number"])
    client.force_login(partner)

    response = client.post(url(plan), form_data(number="1"))

    assert response.status_code == 422
    assert response.context["form"].errors["number"] == [
        "The plan has an action 1 already: choose another number."
    ]
    assert [a.what for a in plan.actions.all()] == ["The first action."]


def test_an_action_needs_what_and_who(client: Client, partner: User, plan: LocalActionPlan) -> None:
    client.force_login(partner)

    response = client.post(url(plan), form_data(what="", responsible_body=""))

    assert response.status_code == 422
    assert {"what", "responsible_body"} <= set(response.context["form"].errors)
    assert not plan.actions.exists()


def test_the_coordinator_adds_actions_to_any_plan(
    client: Client, coordinator: User, plan: LocalActionPlan
) -> None:
    client.force_login(coordinator)

    assert client.post(url(plan), form_data()).status_code == 302
    assert plan.actions.count() == 1


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_may_not_add_actions(
    client: Client, plan: LocalActionPlan, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(plan)).status_code == 403
    assert client.post(url(plan), form_data()).status_code == 403
    assert not plan.actions.exists()


def test_outsider_gets_404(client: Client, outsider: User, plan: LocalActionPlan) -> None:
    client.force_login(outsider)
    assert client.get(url(plan)).status_code == 404
    assert client.post(url(plan), form_data()).status_code == 404
    assert not plan.actions.exists()


def test_anonymous_is_sent_to_login(client: Client, plan: LocalActionPlan) -> None:
    response = client.post(url(plan), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not plan.actions.exists()


def test_other_methods_are_not_allowed(
    client: Client, partner: User, plan: LocalActionPlan
) -> None:
    client.force_login(partner)
    assert client.put(url(plan)).status_code == 405
    assert client.delete(url(plan)).status_code == 405
