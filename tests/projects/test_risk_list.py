"""projects:risk_list: the register, filtered and paginated, with the likelihood x impact matrix."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from projects.models import Level, Project, Risk, WorkPackage
from tests.factories import make_risk, make_work_package

pytestmark = pytest.mark.django_db

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW


def url(project: Project) -> str:
    return reverse("projects:risk_list", args=[project.slug])


def _counts(response) -> list[list[int]]:  # type: ignore[no-untyped-def]
    return [[cell.count for cell in row] for row in response.context["matrix"]]


def test_lists_the_register_with_owner_scores_and_status(
    client: Client, partner: User, project: Project
) -> None:
    p3 = project.partners.get(number=3)
    make_risk(
        project,
        owner=p3,
        title="Partner leaves",
        category=Risk.Category.PARTNERSHIP,
        likelihood=H,
        impact=H,
    )
    make_risk(
        project, owner=p3, title="Low turnout", likelihood=L, impact=M, status=Risk.Status.MONITORED
    )
    client.force_login(partner)

    response = client.get(url(project))

    assert response.status_code == 200
    assert [r.code for r in response.context["page_obj"]] == ["R1", "R2"]
    html = response.content.decode()
    assert "Partner leaves" in html and "Partnership" in html and "P3 Voorbeeld" in html
    assert '<span class="badge badge-high">9 high</span>' in html
    assert '<span class="badge badge-low">2 low</span>' in html
    assert "Monitored" in html


def test_the_matrix_counts_active_risks_by_likelihood_rows_and_impact_columns(
    client: Client, observer: User, project: Project
) -> None:
    p2 = project.partners.get(number=2)
    make_risk(project, owner=p2, likelihood=H, impact=L)
    make_risk(project, owner=p2, likelihood=H, impact=L)
    make_risk(project, owner=p2, likelihood=M, impact=H)
    make_risk(project, owner=p2, likelihood=L, impact=L)
    make_risk(project, owner=p2, likelihood=H, impact=H, status=Risk.Status.CLOSED)  # not counted
    client.force_login(observer)

    response = client.get(url(project))

    # Rows: likelihood high, medium, low; columns: impact low, medium, high.
    assert _counts(response) == [[2, 0, 0], [0, 0, 1], [1, 0, 0]]
    assert [[cell.level for cell in row] for row in response.context["matrix"]] == [
        ["medium", "high", "high"],
        ["low", "medium", "high"],
        ["low", "low", "medium"],
    ]
    html = response.content.decode()
    assert '<caption id="matrix-caption">Active risks by likelihood' in html
    assert '<th scope="col">Impact low</th>' in html
    assert '<th scope="row">Likelihood high</th>' in html
    assert 'href="?likelihood=3&amp;impact=1"' in html


def test_a_matrix_cell_links_to_the_list_filtered_by_its_likelihood_and_impact(
    client: Client, partner: User, project: Project
) -> None:
    p2 = project.partners.get(number=2)
    make_risk(project, owner=p2, title="Wanted", likelihood=H, impact=L)
    make_risk(project, owner=p2, title="Other", likelihood=M, impact=L)
    client.force_login(partner)

    response = client.get(url(project), {"likelihood": "3", "impact": "1"})

    assert [r.title for r in response.context["page_obj"]] == ["Wanted"]


def test_filters_narrow_both_the_list_and_the_matrix_and_cells_keep_them(
    client: Client, partner: User, project: Project
) -> None:
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    make_risk(project, owner=p2, title="Ours", likelihood=H, impact=H)
    make_risk(project, owner=p3, title="Theirs", likelihood=H, impact=H)
    client.force_login(partner)

    response = client.get(url(project), {"owner": str(p3.pk), "page": "1"})

    assert [r.title for r in response.context["page_obj"]] == ["Theirs"]
    assert _counts(response)[0][2] == 1
    assert f'href="?owner={p3.pk}&amp;likelihood=3&amp;impact=3"' in response.content.decode()


def test_filter_by_work_package_and_search(
    client: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    p2 = project.partners.get(number=2)
    wp2 = make_work_package(project, number=2, lead=p2)
    make_risk(project, owner=p2, title="Venue cancelled", work_packages=[work_package, wp2])
    make_risk(project, owner=p2, title="Data gaps", description="Turnout figures missing")
    client.force_login(partner)

    by_wp = client.get(url(project), {"work_packages": str(wp2.pk)})
    by_text = client.get(url(project), {"q": "turnout"})

    assert [r.title for r in by_wp.context["page_obj"]] == ["Venue cancelled"]
    assert [r.title for r in by_text.context["page_obj"]] == ["Data gaps"]


def test_the_list_is_paginated_by_50(client: Client, partner: User, project: Project) -> None:
    p2 = project.partners.get(number=2)
    Risk.objects.bulk_create(
        Risk(
            project=project, number=n, owner=p2, title=f"Risk {n}", description="-", category="data"
        )
        for n in range(1, 53)
    )
    client.force_login(partner)

    first = client.get(url(project))
    second = client.get(url(project), {"page": "2"})

    assert len(first.context["page_obj"]) == 50
    assert [r.code for r in second.context["page_obj"]] == ["R51", "R52"]
    assert "Page 1 of 2 (52 in all)" in first.content.decode()
    assert sum(map(sum, _counts(first))) == 52  # the matrix counts all pages


def test_partners_and_the_coordinator_see_the_raise_a_risk_link(
    client: Client, partner: User, coordinator: User, project: Project
) -> None:
    create = reverse("projects:risk_create", args=[project.slug])
    for user in (partner, coordinator):
        client.force_login(user)
        assert create in client.get(url(project)).content.decode()


def test_observer_sees_no_raise_a_risk_link(
    client: Client, observer: User, project: Project
) -> None:
    client.force_login(observer)
    assert (
        reverse("projects:risk_create", args=[project.slug])
        not in client.get(url(project)).content.decode()
    )


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_read_the_register(
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
        assert client.get(url(project), {"status": "open"}).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_5_and_50_risks(
    client: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    """Session, user, membership, the filter form's partners and work packages, the paginator's
    count, the rows with their owners, the matrix's one GROUP BY."""
    owners = list(project.partners.all())

    def add_risks(total: int) -> None:
        for n in range(project.risks.count() + 1, total + 1):
            make_risk(
                project,
                owner=owners[n % 3],
                likelihood=n % 3 + 1,
                impact=n % 2 + 1,
                work_packages=[work_package],
            )

    client.force_login(partner)
    add_risks(5)
    _queries(client, project)  # warm up
    with_5 = _queries(client, project)
    add_risks(50)
    with_50 = _queries(client, project)

    assert with_5 == with_50 == 8
