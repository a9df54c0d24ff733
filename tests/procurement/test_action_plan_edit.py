"""procurement:action_plan_edit: the coordinator, or the plan's partner, edit a local action plan;
a save from a stale form is refused (no lost updates)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import LocalActionPlan
from projects.models import Project
from tests.events.factories import make_event
from tests.factories import make_organisation, make_partner, make_project
from tests.procurement.factories import make_action_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(project: Project) -> LocalActionPlan:
    """P2's plan (the `partner`'s organisation): `other_partner` (P3) only reads it."""
    return make_action_plan(
        project,
        partner=project.partners.get(number=2),
        title="CoopLab SRPP plan",
        adopted_at=make_event(project, title="CoopLab local roundtable"),
        adopted_on=dt.date(2023, 5, 10),
    )


def url(plan: LocalActionPlan) -> str:
    return reverse("procurement:action_plan_edit", args=[plan.project.slug, plan.pk])


def form_data(plan: LocalActionPlan, **changes: Any) -> dict[str, Any]:
    return {
        "title": plan.title,
        "partner": str(plan.partner_id),
        "adopted_at": str(plan.adopted_at_id or ""),
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else "",
        "summary": plan.summary,
        "version": str(plan.version),
        **changes,
    }


def loaded_version(client: Client, plan: LocalActionPlan) -> str:
    """The version the edit form carries, as a browser would submit it."""
    html = client.get(url(plan)).content.decode()
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "the edit form carries the row's version"
    return match.group(1)


def test_the_coordinator_edits_the_plan_and_may_give_it_to_another_partner(
    client: Client, coordinator: User, project: Project, plan: LocalActionPlan
) -> None:
    client.force_login(coordinator)
    version = loaded_version(client, plan)

    response = client.post(
        url(plan),
        form_data(
            plan,
            title="Voorbeeld SRPP plan",
            partner=str(project.partners.get(number=3).pk),
            version=version,
        ),
        follow=True,
    )

    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "Voorbeeld SRPP plan saved." in response.content.decode()
    plan.refresh_from_db()
    assert (plan.title, plan.partner.number, plan.version) == ("Voorbeeld SRPP plan", 3, 2)
    record = plan.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Edited")


def test_the_plans_partner_edits_it(client: Client, partner: User, plan: LocalActionPlan) -> None:
    client.force_login(partner)

    response = client.post(url(plan), form_data(plan, summary="Reserve two contracts a year."))

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.summary == "Reserve two contracts a year."


def test_the_plans_partner_cannot_give_it_to_another_partner(
    client: Client, partner: User, project: Project, plan: LocalActionPlan
) -> None:
    client.force_login(partner)

    response = client.post(
        url(plan), form_data(plan, partner=str(project.partners.get(number=3).pk))
    )

    assert response.status_code == 422
    plan.refresh_from_db()
    assert plan.partner.number == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"adopted_on": "2019-12-31"},
            "adopted_on",
            "2019-12-31 is too far from the project (2020-10-01 to 2029-12-31).",
        ),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_bad_input_is_refused_on_the_field_and_nothing_is_saved(
    client: Client,
    coordinator: User,
    plan: LocalActionPlan,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(coordinator)

    response = client.post(url(plan), form_data(plan, summary="Changed", **changes))

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    plan.refresh_from_db()
    assert (plan.summary, plan.adopted_on, plan.version) == ("", dt.date(2023, 5, 10), 1)
    # The page still names the stored plan, not the refused input.
    assert "Edit CoopLab SRPP plan" in response.content.decode()


def test_an_event_of_another_project_is_refused(
    client: Client, coordinator: User, plan: LocalActionPlan
) -> None:
    other = make_project("OTHER")
    theirs = make_event(other, organiser=make_partner(other, make_organisation("Else")))
    client.force_login(coordinator)

    response = client.post(url(plan), form_data(plan, adopted_at=str(theirs.pk)))

    assert response.status_code == 422
    assert "adopted_at" in response.context["form"].errors
    plan.refresh_from_db()
    assert plan.adopted_at is not None and plan.adopted_at.project_id == plan.project_id


def test_a_stale_save_is_refused_keeping_the_first_change_and_showing_the_second_input(
    client: Client, coordinator: User, partner: User, plan: LocalActionPlan
) -> None:
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(partner)
    first_version = loaded_version(first, plan)
    second_version = loaded_version(second, plan)
    assert first_version == second_version == "1"

    saved = first.post(
        url(plan), form_data(plan, title="Coordinator's title", version=first_version)
    )
    assert saved.status_code == 302
    refused = second.post(
        url(plan),
        form_data(
            plan, title="Partner's title", summary="Partner's summary", version=second_version
        ),
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this plan while you were editing it." in html
    assert 'value="Partner&#x27;s title"' in html  # their input, kept
    assert "Partner&#x27;s summary" in html
    plan.refresh_from_db()
    assert (plan.title, plan.summary, plan.version) == ("Coordinator's title", "", 2)
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert refused.context["form"]["version"].value() == "2"
    again = second.post(url(plan), form_data(plan, title="Partner's title", version="2"))
    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Partner's title"


def test_a_form_without_its_version_is_refused(
    client: Client, coordinator: User, plan: LocalActionPlan
) -> None:
    client.force_login(coordinator)

    response = client.post(url(plan), form_data(plan, title="Changed", version=""))

    assert response.status_code == 422
    plan.refresh_from_db()
    assert plan.title == "CoopLab SRPP plan"


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_may_not_edit(
    client: Client, plan: LocalActionPlan, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(plan)).status_code == 403
    assert client.post(url(plan), form_data(plan, title="Changed")).status_code == 403
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("CoopLab SRPP plan", 1)


def test_outsider_gets_404(client: Client, outsider: User, plan: LocalActionPlan) -> None:
    client.force_login(outsider)
    assert client.get(url(plan)).status_code == 404
    assert client.post(url(plan), form_data(plan, title="Changed")).status_code == 404
    plan.refresh_from_db()
    assert plan.title == "CoopLab SRPP plan"


def test_anonymous_is_sent_to_login(client: Client, plan: LocalActionPlan) -> None:
    response = client.post(url(plan), form_data(plan, title="Changed"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    plan.refresh_from_db()
    assert plan.title == "CoopLab SRPP plan"


def test_other_methods_are_not_allowed(
    client: Client, coordinator: User, plan: LocalActionPlan
) -> None:
    client.force_login(coordinator)
    assert client.put(url(plan)).status_code == 405
    assert client.delete(url(plan)).status_code == 405
