"""projects:project_dashboard: what needs me, what waits for the coordinator, what is overdue or
due soon, open risks scored high and recent changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Deliverable, Project, add_months
from tests.factories import make_deliverable, make_milestone, make_risk, make_work_package

pytestmark = pytest.mark.django_db

S = Deliverable.Status


def url(project: Project) -> str:
    return reverse("projects:project_dashboard", args=[project.slug])


def numbers(rows: list[Any]) -> list[str]:
    return [row.number for row in rows]


@pytest.fixture
def month(project: Project) -> int:
    """Move the project so that today is in M7; return 7."""
    project.start_date = add_months(timezone.localdate(), -6)
    project.save()
    return project.month_of(timezone.localdate())


@pytest.fixture
def plan(project: Project, month: int) -> None:
    _p1, p2, p3 = project.partners.order_by("number")
    wp1 = project.work_packages.get(number=1)  # led by P2
    wp2 = make_work_package(project, number=2, lead=p3)
    now, past, later = month, month - 4, month + 8
    make_deliverable(wp1, number="D1.1", title="Handbook", due_month=now, status=S.IN_PREPARATION)
    make_deliverable(wp1, number="D1.2", title="Quality plan", due_month=past)  # overdue
    make_deliverable(
        wp1, number="D1.3", title="Data plan", due_month=later, status=S.CHANGES_REQUESTED
    )
    make_deliverable(wp1, number="D1.4", title="Report", due_month=now, status=S.IN_REVIEW)
    make_deliverable(wp1, number="D1.5", title="Final report", due_month=later)  # far off
    make_deliverable(
        wp1, number="D1.6", title="Kick-off minutes", due_month=past, status=S.APPROVED
    )
    make_deliverable(wp2, number="D2.1", title="Mapping", due_month=now, status=S.IN_PREPARATION)
    make_deliverable(
        wp2, number="D2.2", title="Roundtables", due_month=past + 1, status=S.IN_REVIEW
    )
    make_milestone(project, number="MS1", title="Roundtables held", due_month=now)
    make_milestone(project, number="MS2", title="Survey closed", due_month=past)
    make_milestone(
        project, number="MS3", title="Kick-off", due_month=1,
        achieved_date=project.start_date, achievement_note="Held.",
    )  # fmt: skip
    make_milestone(project, number="MS4", title="Closing event", due_month=later)
    make_risk(project, owner=p2, title="Low turnout", likelihood=3, impact=3)
    make_risk(
        project, owner=p3, title="Employers resist", likelihood=2, impact=3, status="monitored"
    )
    make_risk(project, owner=p2, title="Old worry", likelihood=3, impact=3, status="closed")
    make_risk(project, owner=p2, title="Minor delay", likelihood=2, impact=2)


def test_partner_sees_what_their_organisation_must_do(
    client: Client, partner: User, project: Project, plan: None
) -> None:
    client.force_login(partner)
    response = client.get(url(project))

    assert response.status_code == 200
    # Due in the next 30 days, overdue, or sent back, of P2's; not those in review or done,
    # not another partner's, not those due months from now.
    assert numbers(response.context["mine"]) == ["D1.2", "D1.1", "D1.3"]
    html = response.content.decode()
    assert "What needs CoopLab" in html
    assert "you are partner for CoopLab" in html


def test_another_partner_sees_their_own_work(
    client: Client, other_partner: User, project: Project, plan: None
) -> None:
    client.force_login(other_partner)
    assert numbers(client.get(url(project)).context["mine"]) == ["D2.1"]


def test_everyone_sees_what_waits_for_review_what_is_overdue_and_what_is_due(
    client: Client, coordinator: User, project: Project, plan: None
) -> None:
    client.force_login(coordinator)
    context = client.get(url(project)).context

    assert numbers(context["in_review"]) == ["D2.2", "D1.4"]  # oldest due first
    assert numbers(context["overdue"]) == ["D1.2", "D2.2"]  # open, past due; not D1.6 (approved)
    assert set(numbers(context["upcoming"])) == {"D1.1", "D1.4", "D2.1"}
    assert numbers(context["milestones"]) == ["MS2", "MS1"]  # pending and due soon or overdue
    assert [r.title for r in context["high_risks"]] == ["Low turnout", "Employers resist"]
    assert context["mine"] == []  # the coordinator's organisation (P1) leads nothing here


def test_the_page_links_each_row_and_flags_overdue_milestones(
    client: Client, observer: User, project: Project, plan: None
) -> None:
    client.force_login(observer)
    html = client.get(url(project)).content.decode()
    assert reverse("projects:deliverable_detail", args=[project.slug, "D2.2"]) in html
    assert reverse("projects:milestone_detail", args=[project.slug, "MS2"]) in html
    assert reverse("projects:risk_detail", args=[project.slug, 1]) in html
    assert "Survey closed: due" in html
    assert html.count('badge badge-late">Overdue') >= 2  # D1.2 and D2.2 in the overdue list...
    assert '<span class="badge badge-high">9</span>' in html  # the high risk's score


def test_observer_has_no_what_needs_me_section(
    client: Client, observer: User, project: Project, plan: None
) -> None:
    client.force_login(observer)
    response = client.get(url(project))
    assert response.context["mine"] == []
    assert 'id="mine-heading"' not in response.content.decode()
    assert "you are observer" in response.content.decode()


def test_recent_changes_name_who_did_what(
    client: Client, partner: User, coordinator: User, project: Project, deliverable: Deliverable
) -> None:
    client.force_login(partner)
    client.post(reverse("projects:deliverable_start", args=[project.slug, "D1.1"]), {"version": 1})
    html = client.get(url(project)).content.decode()
    assert "work started by Pat Partner" in html


def test_an_empty_project_says_so_in_every_section(
    client: Client, partner: User, project: Project, month: int
) -> None:
    client.force_login(partner)
    html = client.get(url(project)).content.decode()
    for empty in [
        "Nothing due in the next 30 days, overdue or sent back.",
        "No deliverable is in review.",
        "None overdue.",
        "Nothing due in the next 60 days.",
        "None due soon or overdue.",
        "No open risk scores high.",
        "No changes yet.",
    ]:
        assert empty in html, empty
    assert "month M7 of 18" in html


def test_lists_stop_at_ten_and_link_to_the_full_list(
    client: Client, coordinator: User, project: Project, month: int
) -> None:
    wp = project.work_packages.get(number=1)
    for n in range(1, 15):
        make_deliverable(wp, number=f"D1.{n}", due_month=month - 2)
    client.force_login(coordinator)
    response = client.get(url(project))
    assert len(response.context["overdue"]) == 10
    assert reverse("projects:deliverable_list", args=[project.slug]) + "?overdue=on" in (
        response.content.decode()
    )


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_inactive_member_gets_404(client: Client, partner: User, project: Project) -> None:
    partner.memberships.update(is_active=False)
    client.force_login(partner)
    assert client.get(url(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=" + url(project)


def test_post_is_not_allowed(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    assert client.post(url(project)).status_code == 405
