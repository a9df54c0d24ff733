"""projects:milestone_list: number, title, work packages, due month and date, achieved/overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Project, WorkPackage
from tests.factories import make_milestone, make_work_package

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("projects:milestone_list", args=[project.slug])


def test_lists_milestones_in_number_order_with_work_packages_and_due_dates(
    client: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    wp2 = make_work_package(project, number=2, lead=project.partners.get(number=3))
    make_milestone(project, number="MS10", title="Final conference", due_month=18)
    make_milestone(
        project,
        number="MS2",
        title="Roundtables held",
        due_month=9,
        work_packages=[work_package, wp2],
    )
    client.force_login(partner)

    response = client.get(url(project))

    assert response.status_code == 200
    assert [m.number for m, _ in response.context["rows"]] == ["MS2", "MS10"]
    html = response.content.decode()
    assert "Roundtables held" in html
    assert ">WP1</a>, <a" in html and ">WP2</a>" in html
    assert "M9" in html and "30 Jun 2023" in html  # M9 of a project starting October 2022
    assert "M18" in html and "31 Mar 2024" in html


def test_badges_say_achieved_overdue_or_pending(
    client: Client, observer: User, project: Project
) -> None:
    today = timezone.localdate()
    # Move the project so that M3 is long past and M18 is still ahead.
    project.start_date = (today - dt.timedelta(days=150)).replace(day=1)
    project.save()
    make_milestone(
        project,
        number="MS1",
        due_month=1,
        achieved_date=project.start_date,
        achievement_note="Held.",
    )
    make_milestone(project, number="MS2", due_month=3)
    make_milestone(project, number="MS3", due_month=18)
    client.force_login(observer)

    response = client.get(url(project))

    assert [overdue for _, overdue in response.context["rows"]] == [False, True, False]
    html = response.content.decode()
    assert 'badge badge-ok">Achieved' in html
    assert html.count('badge badge-late">Overdue') == 1
    assert html.count('class="badge">Pending') == 1


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


def test_query_count_is_the_same_for_5_and_50_milestones(
    client: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    """Session, user, membership, the paginator's count, the rows, their work packages."""
    wp2 = make_work_package(project, number=2, lead=project.partners.get(number=3))

    def add_milestones(total: int) -> None:
        for n in range(project.milestones.count() + 1, total + 1):
            make_milestone(
                project, number=f"MS{n}", due_month=n % 18 + 1, work_packages=[work_package, wp2]
            )

    client.force_login(partner)
    add_milestones(5)
    _queries(client, project)  # warm up
    with_5 = _queries(client, project)
    add_milestones(50)
    with_50 = _queries(client, project)

    assert with_5 == with_50 == 6
