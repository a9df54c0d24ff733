"""procurement:action_plan_list: every member reads the project's local action plans, each with
its partner, the event that adopted it, and how many actions and tenders it has."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from procurement.models import LocalActionPlan
from projects.models import Project
from tests.events.factories import make_event
from tests.procurement.factories import make_action_plan, make_plan_action, make_tender

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("procurement:action_plan_list", args=[project.slug])


def test_lists_the_plans_with_partner_event_date_and_counts(
    client: Client, observer: User, project: Project
) -> None:
    roundtable = make_event(project, title="Gleisdorf roundtable")
    plan = make_action_plan(
        project,
        partner=project.partners.get(number=3),
        title="Voorbeeld SRPP plan",
        adopted_at=roundtable,
        adopted_on=dt.date(2023, 5, 10),
    )
    tender = make_tender(project)
    make_plan_action(plan, tender=tender)
    make_plan_action(plan, tender=tender)  # the same tender twice: counted once
    make_plan_action(plan)
    make_action_plan(project, partner=project.partners.get(number=2), title="CoopLab plan")
    client.force_login(observer)

    response = client.get(url(project))

    assert response.status_code == 200
    plans = list(response.context["page_obj"])
    assert [p.title for p in plans] == ["CoopLab plan", "Voorbeeld SRPP plan"]  # by partner
    assert [(p.action_count, p.tender_count) for p in plans] == [(0, 0), (3, 1)]
    html = response.content.decode()
    assert reverse("procurement:action_plan_detail", args=[project.slug, plan.pk]) in html
    assert "P3 Voorbeeld" in html
    assert reverse("events:event_detail", args=[project.slug, roundtable.pk]) in html
    assert '<time datetime="2023-05-10">10 May 2023</time>' in html


def test_the_empty_list_says_what_to_do(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)

    html = client.get(url(project)).content.decode()

    assert "No local action plan is recorded yet." in html
    assert reverse("procurement:action_plan_create", args=[project.slug]) in html


def test_the_list_is_paginated_by_50(client: Client, partner: User, project: Project) -> None:
    p2 = project.partners.get(number=2)
    LocalActionPlan.objects.bulk_create(
        LocalActionPlan(project=project, partner=p2, title=f"Plan {n}") for n in range(1, 53)
    )
    client.force_login(partner)

    first = client.get(url(project))
    second = client.get(url(project), {"page": "2"})

    assert len(first.context["page_obj"]) == 50
    assert [p.title for p in second.context["page_obj"]] == ["Plan 51", "Plan 52"]
    assert "Page 1 of 2 (52 in all)" in first.content.decode()


def test_partners_and_the_coordinator_see_the_record_link(
    client: Client, partner: User, coordinator: User, project: Project
) -> None:
    create = reverse("procurement:action_plan_create", args=[project.slug])
    for user in (partner, coordinator):
        client.force_login(user)
        assert create in client.get(url(project)).content.decode()


def test_observer_sees_no_record_link(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)

    html = client.get(url(project)).content.decode()

    assert reverse("procurement:action_plan_create", args=[project.slug]) not in html
    assert "the partners record the plans their local roundtables adopt" in html


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_read_the_list(
    client: Client, project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(project)).status_code == 200


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert client.post(url(project)).status_code == 405


def _queries(client: Client, project: Project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(project)).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_5_and_500_plans(
    client: Client, partner: User, project: Project
) -> None:
    """Session, user, membership (with project and partner), the paginator's count, the page of
    plans with their partners, events and both counts (one GROUP BY): 5."""
    partners = list(project.partners.all())
    roundtable = make_event(project)
    tender = make_tender(project)

    def add_plans(total: int) -> None:
        start = LocalActionPlan.objects.count()
        for n in range(start + 1, total + 1):
            plan = LocalActionPlan.objects.create(
                project=project,
                partner=partners[n % 3],
                title=f"Plan {n}",
                adopted_at=roundtable,
                adopted_on=dt.date(2023, 5, 10),
            )
            make_plan_action(plan, tender=tender)

    client.force_login(partner)
    _queries(client, project)  # warm up
    add_plans(5)
    with_5 = _queries(client, project)
    add_plans(500)
    with_500 = _queries(client, project)

    assert with_5 == with_500 == 5
