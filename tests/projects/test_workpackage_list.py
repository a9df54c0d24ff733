"""projects:workpackage_list: work packages with their lead, months, deliverables and progress."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, Project, WorkPackage
from tests.factories import make_deliverable, make_work_package

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("projects:workpackage_list", args=[project.slug])


def test_member_sees_each_work_package_with_lead_months_and_deliverable_count(
    client: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    make_deliverable(work_package)
    make_deliverable(work_package)
    make_work_package(
        project,
        number=2,
        title="Local roundtables",
        lead=project.partners.get(number=3),
        start_month=4,
        end_month=15,
    )
    client.force_login(partner)

    response = client.get(url(project))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(wp.code, wp.deliverable_count) for wp, _ in rows] == [("WP1", 2), ("WP2", 0)]
    html = response.content.decode()
    assert "Project management and quality" in html
    assert "P2 CoopLab" in html
    assert "M4-M15" in html
    assert reverse("projects:workpackage_detail", args=[project.slug, 2]) in html


def test_progress_is_the_share_of_deliverables_approved_or_submitted(
    client: Client, observer: User, project: Project, work_package: WorkPackage
) -> None:
    make_deliverable(work_package, status=Deliverable.Status.APPROVED)
    make_deliverable(work_package, status=Deliverable.Status.SUBMITTED)
    make_deliverable(work_package, status=Deliverable.Status.IN_REVIEW)
    make_deliverable(work_package, status=Deliverable.Status.PLANNED)
    client.force_login(observer)

    response = client.get(url(project))

    assert response.context["rows"][0][1] == 50
    html = response.content.decode()
    assert 'class="w-50"' in html
    assert "50%" in html
    assert "2 of 4 approved or submitted" in html


def test_a_work_package_without_deliverables_shows_no_progress(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)

    response = client.get(url(project))

    assert response.context["rows"][0][1] == 0
    assert "0 of 0 approved or submitted" in response.content.decode()


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


def test_post_is_not_allowed(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    assert client.post(url(project)).status_code == 405


def _queries(client: Client, project: Project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(project)).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_5_and_50_work_packages(
    client: Client, partner: User, project: Project
) -> None:
    """Session, user, membership, the paginator's count, the rows with their lead and counts."""
    lead = project.partners.get(number=2)

    def add_work_packages(total: int) -> None:
        for number in range(project.work_packages.count() + 1, total + 1):
            wp = make_work_package(project, number=number, lead=lead)
            make_deliverable(wp, status=Deliverable.Status.APPROVED)
            make_deliverable(wp)

    client.force_login(partner)
    add_work_packages(5)
    _queries(client, project)  # warm up: the first request fills caches (content types)
    with_5 = _queries(client, project)
    add_work_packages(50)
    with_50 = _queries(client, project)

    assert with_5 == with_50 == 5
