"""projects:deliverable_list: a project's deliverables, filtered (django-filter), sorted and
paginated; every member may read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Deliverable, Partner, Project, WorkPackage, add_months
from tests.factories import (
    make_deliverable,
    make_organisation,
    make_partner,
    make_project,
    make_work_package,
)

pytestmark = pytest.mark.django_db


def url(project: Project, query: str = "") -> str:
    return reverse("projects:deliverable_list", args=[project.slug]) + query


def numbers(response: Any) -> list[str]:
    return [d.number for d in response.context["page_obj"]]


@pytest.fixture
def plan(project: Project) -> dict[str, Any]:
    """Six deliverables over two work packages, three leads and every kind of difference.

    The project is moved so that today is in M7: M1-M6 are past, M7 is now.
    """
    today = timezone.localdate()
    project.start_date = add_months(today, -6)
    project.save()
    p1, p2, p3 = project.partners.order_by("number")
    wp1 = project.work_packages.get(number=1)
    wp2 = make_work_package(project, number=2, lead=p3, title="Social economy mission")
    S = Deliverable.Status
    return {
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "wp1": wp1,
        "wp2": wp2,
        # overdue: due in M2, still planned
        "d11": make_deliverable(wp1, number="D1.1", title="Project handbook", due_month=2),
        # due in M3 but approved: not overdue
        "d12": make_deliverable(
            wp1, number="D1.2", title="Quality plan", due_month=3, status=S.APPROVED, type="DMP"
        ),
        "d13": make_deliverable(
            wp1,
            number="D1.3",
            title="Final report",
            due_month=18,
            status=S.IN_REVIEW,
            lead=p1,
            description="Everything the consortium learnt about procurement.",
        ),
        "d21": make_deliverable(
            wp2,
            number="D2.1",
            title="Mapping of social enterprises",
            due_month=9,
            status=S.IN_PREPARATION,
            dissemination="SEN",
        ),
        "d22": make_deliverable(
            wp2, number="D2.2", title="Roundtable minutes", due_month=12, status=S.IN_REVIEW
        ),
        "d210": make_deliverable(
            wp2, number="D2.10", title="Closing conference", due_month=18, type="DEC"
        ),
    }


@pytest.fixture
def reader(client: Client, observer: User) -> Client:
    client.force_login(observer)
    return client


def test_lists_the_projects_deliverables_in_number_order(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    # Another project's deliverable with the same number is not shown.
    other = make_project("OTHER")
    make_deliverable(
        make_work_package(other, number=1, lead=make_partner(other, make_organisation("X"))),
        number="D1.1",
        title="Someone else's handbook",
    )

    response = reader.get(url(project))

    assert response.status_code == 200
    # D2.10 after D2.2: numeric order, not text order.
    assert numbers(response) == ["D1.1", "D1.2", "D1.3", "D2.1", "D2.2", "D2.10"]
    html = response.content.decode()
    assert "Someone else" not in html
    assert "Mapping of social enterprises" in html
    assert ">WP2<" in html and ">Voorbeeld<" in html  # work package and lead organisation
    d21 = plan["d21"]
    assert f'M9 <span class="muted">({d21.due_date:%-d %b %Y})' in html
    assert html.count('badge badge-late">Overdue') == 1  # D1.1 only


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_read_the_list(
    client: Client, project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(project)).status_code == 200


def test_only_the_coordinator_is_offered_to_add_a_deliverable(
    client: Client, project: Project, coordinator: User, partner: User
) -> None:
    add = reverse("projects:deliverable_create", args=[project.slug])
    client.force_login(coordinator)
    assert add in client.get(url(project)).content.decode()
    client.force_login(partner)
    assert add not in client.get(url(project)).content.decode()


def test_outsider_gets_404(client: Client, project: Project, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_unknown_project_gets_404(client: Client, observer: User) -> None:
    client.force_login(observer)
    assert client.get(reverse("projects:deliverable_list", args=["nope"])).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_post_is_not_allowed(reader: Client, project: Project) -> None:
    assert reader.post(url(project)).status_code == 405


def test_an_empty_result_says_so_and_offers_the_whole_list(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    response = reader.get(url(project, "?q=nothing-like-this"))
    assert numbers(response) == []
    assert "No deliverable matches these filters." in response.content.decode()


# --- each filter narrows the list -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?work_package={wp2}", ["D2.1", "D2.2", "D2.10"]),
        ("?lead={p1}", ["D1.3"]),
        ("?lead={p3}", ["D2.1", "D2.2", "D2.10"]),
        ("?status=in_review", ["D1.3", "D2.2"]),
        ("?status=approved", ["D1.2"]),
        ("?type=DMP", ["D1.2"]),
        ("?type=DEC", ["D2.10"]),
        ("?dissemination=SEN", ["D2.1"]),
        ("?dissemination=PU", ["D1.1", "D1.2", "D1.3", "D2.2", "D2.10"]),
        ("?overdue=on", ["D1.1"]),
        # the text search looks at the number, the title and the description
        ("?q=d2.1", ["D2.1", "D2.10"]),
        ("?q=ROUNDTABLE", ["D2.2"]),
        ("?q=procurement", ["D1.3"]),
        # several filters at once: all apply
        ("?work_package={wp2}&status=in_review", ["D2.2"]),
        ("?lead={p3}&dissemination=SEN&q=mapping", ["D2.1"]),
    ],
)
def test_each_filter_narrows_the_list(
    reader: Client, project: Project, plan: dict[str, Any], query: str, expected: list[str]
) -> None:
    query = query.format(wp2=plan["wp2"].pk, p1=plan["p1"].pk, p3=plan["p3"].pk)
    response = reader.get(url(project, query))
    assert response.status_code == 200
    assert numbers(response) == expected


def test_due_between_keeps_deliverables_due_in_that_span_inclusive(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    start, end = plan["d21"].due_date, plan["d22"].due_date  # M9 and M12
    response = reader.get(url(project, f"?due_after={start}&due_before={end}"))
    assert numbers(response) == ["D2.1", "D2.2"]
    response = reader.get(url(project, f"?due_after={start + dt.timedelta(days=1)}"))
    assert numbers(response) == ["D1.3", "D2.2", "D2.10"]
    response = reader.get(url(project, f"?due_before={plan['d12'].due_date}"))
    assert numbers(response) == ["D1.1", "D1.2"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["D1.1", "D1.2", "D1.3", "D2.1", "D2.2", "D2.10"]),
        ("number", ["D1.1", "D1.2", "D1.3", "D2.1", "D2.2", "D2.10"]),
        ("-number", ["D2.10", "D2.2", "D2.1", "D1.3", "D1.2", "D1.1"]),
        ("title", ["D2.10", "D1.3", "D2.1", "D1.1", "D1.2", "D2.2"]),
    ],
)
def test_sort_orders_the_list(
    reader: Client, project: Project, plan: dict[str, Any], sort: str, expected: list[str]
) -> None:
    response = reader.get(url(project, f"?sort={sort}"))
    assert numbers(response) == expected


def test_sort_by_status_groups_the_statuses(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    statuses = [d.status for d in reader.get(url(project, "?sort=status")).context["page_obj"]]
    assert statuses == sorted(statuses)
    assert len(statuses) == 6


def test_sort_by_due_date_puts_the_earliest_first(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    due = [d.due_date for d in reader.get(url(project, "?sort=due")).context["page_obj"]]
    assert due == sorted(due)
    due = [d.due_date for d in reader.get(url(project, "?sort=-due")).context["page_obj"]]
    assert due == sorted(due, reverse=True)


def test_a_filter_value_of_another_project_is_refused_not_applied(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    """A partner of another project is not a choice: the filter is ignored and says why."""
    other = make_project("OTHER")
    stranger = make_partner(other, make_organisation("Stranger"))
    response = reader.get(url(project, f"?lead={stranger.pk}"))
    assert response.status_code == 200
    assert len(numbers(response)) == 6
    assert response.context["filter"].form.errors["lead"]


def test_the_filter_form_offers_only_this_projects_work_packages_and_partners(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    other = make_project("OTHER")
    stranger = make_partner(other, make_organisation("Stranger"))
    make_work_package(other, number=7, lead=stranger, title="Not ours")
    form = reader.get(url(project)).context["filter"].form
    assert {str(p) for p in form.fields["lead"].queryset} == {
        str(p) for p in Partner.objects.filter(project=project)
    }
    assert set(form.fields["work_package"].queryset) == set(
        WorkPackage.objects.filter(project=project)
    )


# --- pagination --------------------------------------------------------------------------------


def test_pages_hold_50_and_keep_the_filters_in_their_links(
    reader: Client, project: Project, work_package: WorkPackage
) -> None:
    for n in range(1, 61):
        make_deliverable(
            work_package,
            number=f"D1.{n}",
            status=Deliverable.Status.IN_REVIEW if n % 2 else Deliverable.Status.PLANNED,
        )
    first = reader.get(url(project))
    assert len(numbers(first)) == 50
    second = reader.get(url(project, "?page=2"))
    assert numbers(second) == [f"D1.{n}" for n in range(51, 61)]

    # 30 in review: one page; with sort=-number 60 -> 1... first page from D1.59 down
    filtered = reader.get(url(project, "?status=in_review&sort=-number"))
    assert numbers(filtered)[:2] == ["D1.59", "D1.57"]
    assert len(numbers(filtered)) == 30
    all_planned = reader.get(url(project, "?status=planned&sort=number&page=1"))
    assert len(numbers(all_planned)) == 30
    html = first.content.decode()
    assert 'href="?page=2" rel="next"' in html
    # The page link of a filtered list keeps the filters (and drops the old page).
    big = reader.get(url(project, "?q=Deliverable&page=1"))
    assert 'href="?q=Deliverable&amp;page=2" rel="next"' in big.content.decode()


def test_a_page_beyond_the_last_shows_the_last(
    reader: Client, project: Project, plan: dict[str, Any]
) -> None:
    response = reader.get(url(project, "?page=99"))
    assert response.status_code == 200
    assert len(numbers(response)) == 6


@pytest.mark.parametrize("sort", ["due", "status", "-due"])
def test_ties_in_a_sort_are_listed_in_number_order_so_pages_are_stable(
    reader: Client, project: Project, work_package: WorkPackage, sort: str
) -> None:
    """Many deliverables share a due date (the end of a month) or a status. Without a tie-break
    the database may order ties differently for each page's LIMIT/OFFSET, so a deliverable can
    show on two pages and another on none."""
    created = [7, 3, 60, 1, 25, 51, 12, 44, 2, 38] + [
        n for n in range(1, 61) if n not in {7, 3, 60, 1, 25, 51, 12, 44, 2, 38}
    ]
    for n in created:  # inserted out of number order
        make_deliverable(work_package, number=f"D1.{n}", due_month=6)

    pages = [numbers(reader.get(url(project, f"?sort={sort}&page={p}"))) for p in (1, 2)]

    assert pages[0] + pages[1] == [f"D1.{n}" for n in range(1, 61)]
