"""procurement:action_plan_detail: a plan's page follows the SRPP thread, from the roundtable that
adopted it, through its actions, to the tender each action led to and that tender's clauses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from procurement.models import LocalActionPlan, PlanAction, SocialClause
from projects.models import Project
from tests.events.factories import make_event
from tests.factories import make_organisation, make_partner, make_project
from tests.procurement.factories import (
    make_action_plan,
    make_clause,
    make_good_practice,
    make_plan_action,
    make_tender,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(project: Project) -> LocalActionPlan:
    """P2's plan (the `partner`'s organisation), adopted at a roundtable on 10 May 2023."""
    roundtable = make_event(project, title="CoopLab local roundtable")
    return make_action_plan(
        project,
        partner=project.partners.get(number=2),
        title="CoopLab SRPP plan",
        adopted_at=roundtable,
        adopted_on=dt.date(2023, 5, 10),
        summary="Reserve two contracts a year.",
    )


def url(plan: LocalActionPlan) -> str:
    return reverse("procurement:action_plan_detail", args=[plan.project.slug, plan.pk])


def test_the_page_follows_the_roundtable_actions_tender_and_clauses(
    client: Client, observer: User, project: Project, plan: LocalActionPlan
) -> None:
    tender = make_tender(project, reference="GLE-2023-07", title="School catering")
    make_clause(
        tender,
        category=SocialClause.Category.DISABILITY_EMPLOYMENT,
        status=SocialClause.Status.IN_EXECUTION,
    )
    make_clause(
        tender,
        lot=tender.lots.get(number=1),
        stage=SocialClause.Stage.AWARD,
        weight_percent=10,
        category=SocialClause.Category.GENDER_EQUALITY,
        status=SocialClause.Status.FULFILLED,
    )
    practice = make_good_practice(project, title="Reserved catering in Valencia")
    action = make_plan_action(
        plan,
        what="Reserve the catering contract.",
        responsible_body="Procurement office",
        due_month=6,
        status=PlanAction.Status.DONE,
        tender=tender,
    )
    action.good_practices.set([practice])
    make_plan_action(plan, what="Train the buyers.")
    client.force_login(observer)

    response = client.get(url(plan))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("events:event_detail", args=[project.slug, plan.adopted_at_id]) in html
    assert "CoopLab local roundtable" in html and "Local roundtable" in html
    assert '<time datetime="2023-05-10">10 May 2023</time>' in html
    assert "Reserve two contracts a year." in html
    assert "Reserve the catering contract." in html and "Procurement office" in html
    assert 'M6 <span class="muted">(<time datetime="2023-03-31">31 Mar 2023</time>)' in html
    assert "Done" in html
    assert reverse("procurement:tender_detail", args=[project.slug, tender.pk]) in html
    assert "GLE-2023-07: School catering" in html
    assert "<li>Employment of persons with disabilities: In execution</li>" in html
    assert "Gender equality: Fulfilled" in html and "(lot 1)" in html
    assert reverse("procurement:good_practice_detail", args=[project.slug, practice.pk]) in html
    assert "Train the buyers." in html and "None yet" in html
    assert [a.number for a in response.context["actions"]] == [1, 2]


def test_a_tender_without_clauses_says_so(
    client: Client, partner: User, project: Project, plan: LocalActionPlan
) -> None:
    make_plan_action(plan, tender=make_tender(project))
    client.force_login(partner)

    html = client.get(url(plan)).content.decode()

    assert "No social clause recorded on this tender yet." in html


@pytest.mark.parametrize("who", ["coordinator", "partner"])
def test_the_coordinator_and_the_plans_partner_see_the_edit_links(
    client: Client, plan: LocalActionPlan, who: str, request: pytest.FixtureRequest
) -> None:
    make_plan_action(plan)
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(plan))

    assert response.context["can_change"] is True
    html = response.content.decode()
    slug = plan.project.slug
    assert reverse("procurement:action_plan_edit", args=[slug, plan.pk]) in html
    assert reverse("procurement:plan_action_create", args=[slug, plan.pk]) in html
    assert reverse("procurement:plan_action_edit", args=[slug, plan.pk, 1]) in html


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_read_without_edit_links(
    client: Client, plan: LocalActionPlan, who: str, request: pytest.FixtureRequest
) -> None:
    make_plan_action(plan)
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(plan))

    assert response.status_code == 200
    assert response.context["can_change"] is False
    html = response.content.decode()
    slug = plan.project.slug
    assert reverse("procurement:action_plan_edit", args=[slug, plan.pk]) not in html
    assert reverse("procurement:plan_action_create", args=[slug, plan.pk]) not in html
    assert "The plan has no action yet." not in html


def test_an_empty_plan_invites_its_first_action(
    client: Client, partner: User, plan: LocalActionPlan
) -> None:
    client.force_login(partner)
    assert "The plan has no action yet." in client.get(url(plan)).content.decode()


def test_a_plan_of_another_project_is_not_found(
    client: Client, partner: User, plan: LocalActionPlan
) -> None:
    other = make_project("OTHER")
    theirs = make_action_plan(other, partner=make_partner(other, make_organisation("Else")))
    client.force_login(partner)

    wrong = reverse("procurement:action_plan_detail", args=[plan.project.slug, theirs.pk])
    assert client.get(wrong).status_code == 404


def test_outsider_gets_404(client: Client, outsider: User, plan: LocalActionPlan) -> None:
    client.force_login(outsider)
    assert client.get(url(plan)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, plan: LocalActionPlan) -> None:
    response = client.get(url(plan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, plan: LocalActionPlan) -> None:
    client.force_login(coordinator)
    assert client.post(url(plan)).status_code == 405


def _queries(client: Client, plan: LocalActionPlan) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(plan)).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_2_and_40_actions(
    client: Client, partner: User, project: Project, plan: LocalActionPlan
) -> None:
    """Session, user, membership, the plan with its partner and event, the actions with their
    tenders, the tenders' clauses with their lots, the actions' good practices, and the plan's
    history: its records (with their users), the partners and the events they name: 10."""
    practice = make_good_practice(project)

    def add_actions(total: int) -> None:
        for _n in range(plan.actions.count(), total):
            tender = make_tender(project)
            make_clause(tender)
            action = make_plan_action(plan, tender=tender, due_month=3)
            action.good_practices.set([practice])

    client.force_login(partner)
    add_actions(2)
    _queries(client, plan)  # warm up
    with_2 = _queries(client, plan)
    add_actions(40)
    with_40 = _queries(client, plan)

    assert with_2 == with_40 == 10
