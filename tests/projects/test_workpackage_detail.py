"""projects:workpackage_detail: a work package's lead, months, objectives, deliverables,
milestones, risks and progress."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, Project, WorkPackage
from tests.factories import make_deliverable, make_milestone, make_risk, make_work_package

pytestmark = pytest.mark.django_db


def url(project: Project, number: int = 1) -> str:
    return reverse("projects:workpackage_detail", args=[project.slug, number])


def test_shows_lead_months_with_dates_and_objectives(
    client: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    work_package.start_month, work_package.end_month = 2, 6
    work_package.objectives = "Keep the consortium on time and on budget."
    work_package.save()
    client.force_login(partner)

    response = client.get(url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "WP1 Project management and quality" in html
    assert "P2 CoopLab" in html
    # M2 starts on 1 November 2022; M6 ends on 31 March 2023.
    assert "M2-M6" in html
    assert "1 Nov 2022" in html
    assert "31 Mar 2023" in html
    assert "Keep the consortium on time and on budget." in html


def test_lists_its_deliverables_milestones_and_risks_with_links(
    client: Client, observer: User, project: Project, work_package: WorkPackage
) -> None:
    other_wp = make_work_package(project, number=2, lead=project.partners.get(number=3))
    make_deliverable(work_package, number="D1.1", title="Project handbook")
    make_deliverable(other_wp, number="D2.1", title="Roundtable report")
    make_milestone(project, number="MS1", title="Kick-off held", work_packages=[work_package])
    make_milestone(project, number="MS2", title="Roundtables held", work_packages=[other_wp])
    make_risk(
        project,
        owner=project.partners.get(number=2),
        title="Partner leaves",
        work_packages=[work_package],
    )
    make_risk(
        project, owner=project.partners.get(number=3), title="Low turnout", work_packages=[other_wp]
    )
    client.force_login(observer)

    html = client.get(url(project)).content.decode()

    assert reverse("projects:deliverable_detail", args=[project.slug, "D1.1"]) in html
    assert "Project handbook" in html
    assert "Roundtable report" not in html
    assert reverse("projects:milestone_detail", args=[project.slug, "MS1"]) in html
    assert "Roundtables held" not in html
    assert reverse("projects:risk_detail", args=[project.slug, 1]) in html
    assert "Partner leaves" in html
    assert "Low turnout" not in html


def test_progress_counts_approved_and_submitted_deliverables(
    client: Client, coordinator: User, project: Project, work_package: WorkPackage
) -> None:
    make_deliverable(work_package, status=Deliverable.Status.SUBMITTED)
    make_deliverable(work_package, status=Deliverable.Status.IN_PREPARATION)
    make_deliverable(work_package, status=Deliverable.Status.PLANNED)
    client.force_login(coordinator)

    response = client.get(url(project))

    assert response.context["progress"] == 33
    assert "1 of 3 approved or submitted" in response.content.decode()


def test_an_unknown_number_is_404(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    assert client.get(url(project, 9)).status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_read_it(
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
