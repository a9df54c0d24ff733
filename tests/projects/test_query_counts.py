"""Every list page and the dashboard run the same number of queries for 5 rows and for 500.

Each test measures a page with 5 rows, adds 495 more, measures again and asserts the two counts
are equal, and equal to the number written above it, query by query (as healthchecks does). A
page that starts fetching something per row (an N+1) fails the first assertion; one that quietly
adds a query fails the second, which says what the page is expected to cost.

Every request pays three queries before the view runs:
    session   the session row (SessionMiddleware, on first access)
    user      the user (AuthenticationMiddleware)
    member    the membership with its project and partner (projects.permissions.access_project)

The partner's pages are measured in English and in German, with the same expected counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Membership,
    Milestone,
    ProgressUpdate,
    Project,
    Risk,
    WorkPackage,
    add_months,
)
from tests.factories import (
    make_membership,
    make_organisation,
    make_partner,
    make_project,
    make_work_package,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 500


def count_queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), [q["sql"] for q in queries.captured_queries]


def assert_same_cost(client: Client, url: str, grow: Callable[[int], None], expected: int) -> None:
    """`url` costs `expected` queries with FEW rows and with MANY (grow(n) adds n rows)."""
    client.get(url)  # warm up: first-request work (e.g. content types) is not the page's cost
    grow(FEW)
    few, _ = count_queries(client, url)
    grow(MANY - FEW)
    many, many_sql = count_queries(client, url)
    listing = "\n".join(sql[:160] for sql in many_sql)
    assert few == many, f"{few} queries for {FEW} rows but {many} for {MANY}:\n{listing}"
    assert many == expected, f"expected {expected} queries, ran {many}:\n{listing}"


# --- a project in full swing, and rows to add to it -------------------------------------------


@pytest.fixture
def busy_project(project: Project) -> Project:
    """The cast's project, moved so that today is in M7 of 36, with work packages WP1-WP9.

    Nine work packages hold up to 891 deliverables (D<wp>.<n> allows n up to 99).
    """
    today = timezone.localdate()
    project.start_date = add_months(today, -6)
    project.duration_months = 36
    project.save()
    partners = list(project.partners.order_by("number"))
    for number in range(2, 10):
        make_work_package(project, number=number, lead=partners[number % 3])
    return project


class Rows:
    """Adds deliverables (in every state that shows on the dashboard), milestones and risks."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.work_packages = list(project.work_packages.order_by("number"))
        self.partners = list(project.partners.order_by("number"))
        self.made = 0
        self.today = timezone.localdate()
        self.month = project.month_of(self.today)

    def deliverables(self, n: int) -> None:
        statuses = [
            Deliverable.Status.IN_PREPARATION,  # due soon: mine, upcoming
            Deliverable.Status.IN_REVIEW,
            Deliverable.Status.CHANGES_REQUESTED,
            Deliverable.Status.PLANNED,  # overdue
        ]
        objs = []
        for i in range(self.made, self.made + n):
            wp = self.work_packages[i // 99]
            status = statuses[i % 4]
            month = self.month - 2 if status == Deliverable.Status.PLANNED else self.month
            objs.append(
                Deliverable(
                    project=self.project,
                    work_package=wp,
                    number=f"D{wp.number}.{i % 99 + 1}",
                    sort_key=wp.number * 1000 + i % 99 + 1,
                    title=f"Deliverable {i}",
                    description="A report.",
                    lead=self.partners[1 + i % 2],  # P2 or P3
                    due_month=month,
                    due_date=self.project.month_end(month),
                    status=status,
                )
            )
        bulk_create_with_history(objs, Deliverable, default_change_reason="Imported")
        self.made += n

    def milestones(self, n: int) -> None:
        start = Milestone.objects.filter(project=self.project).count()
        created = Milestone.objects.bulk_create(
            Milestone(
                project=self.project,
                number=f"MS{k}",
                sort_key=k,
                title=f"Milestone {k}",
                due_month=self.month,
                due_date=self.project.month_end(self.month),
                means_of_verification="Minutes.",
            )
            for k in range(start + 1, start + n + 1)
        )
        through = Milestone.work_packages.through
        through.objects.bulk_create(
            through(milestone_id=m.pk, workpackage_id=self.work_packages[m.sort_key % 9].pk)
            for m in created
        )

    def risks(self, n: int) -> None:
        start = Risk.objects.filter(project=self.project).count()
        created = Risk.objects.bulk_create(
            Risk(
                project=self.project,
                number=k,
                title=f"Risk {k}",
                description="Something could go wrong.",
                category=Risk.Category.STAKEHOLDERS,
                likelihood=3,
                impact=2 + k % 2,  # 6 or 9: scored high
                owner=self.partners[k % 3],
            )
            for k in range(start + 1, start + n + 1)
        )
        through = Risk.work_packages.through
        through.objects.bulk_create(
            through(risk_id=r.pk, workpackage_id=self.work_packages[r.number % 9].pk)
            for r in created
        )

    def all(self, n: int) -> None:
        self.deliverables(n)
        self.milestones(n)
        self.risks(n)


@pytest.fixture
def rows(busy_project: Project) -> Rows:
    return Rows(busy_project)


@pytest.fixture(params=["en", "de"])
def partner_client(
    client: Client, partner: User, request: pytest.FixtureRequest
) -> Iterator[Client]:
    """The cast's partner, reading in English and again in German: a translated page costs the
    same queries (the language comes with the user already loaded, the catalogues from memory)."""
    partner.language = request.param
    partner.save(update_fields=["language"])
    client.force_login(partner)
    yield client


# --- the pages --------------------------------------------------------------------------------


def test_home_costs_the_same_for_5_projects_and_500(client: Client, outsider: User) -> None:
    client.force_login(outsider)

    def join(n: int) -> None:
        start = Project.objects.count()
        for k in range(start, start + n):
            project = make_project(f"P{k}", slug=f"p{k}")
            partner = make_partner(project, make_organisation(f"O{k}"), number=1)
            make_membership(outsider, project, role=Membership.Role.PARTNER, partner=partner)

    # session, user, memberships with their projects and partners' organisations (one join)
    assert_same_cost(client, reverse("projects:home"), join, expected=3)


# The dashboard: session, user, member, then one query per block, each with a LIMIT:
#   deliverables  one query for four lists (Deliverable.objects.first_of_each): what needs the
#                 viewer's organisation, in review, overdue, due in the next 60 days
#   milestones    pending milestones due soon
#   high_risks    open risks scored 6 or more, with their owners
#   recent        the latest changes to deliverables, with their users
#   events        the next events (events' dashboard panel)
#   actions       open action items from events, with their owners
#   outcomes      the procurement panel (procurement_tags.procurement_outcomes_panel): for a
#                 partner, the current reporting period (none here: the busy project has no
#                 periods, so the clauses due are not looked up); for the coordinator, the
#                 outcomes waiting for validation; nothing for an observer
#   queries       the impact panel (impact_tags.impact_queries_panel): a partner's open
#                 queries and the current period (for the link to its values), or the
#                 coordinator's answered queries; nothing for an observer
DASHBOARD_QUERIES = 3 + 4 + 2
COORDINATOR_DASHBOARD_QUERIES = DASHBOARD_QUERIES + 2
PARTNER_DASHBOARD_QUERIES = DASHBOARD_QUERIES + 3


def test_dashboard_costs_the_same_for_5_rows_and_500(
    partner_client: Client, rows: Rows, busy_project: Project
) -> None:
    url = reverse("projects:project_dashboard", args=[busy_project.slug])
    assert_same_cost(partner_client, url, rows.all, expected=PARTNER_DASHBOARD_QUERIES)


@pytest.mark.parametrize(
    ("role", "expected"),
    # "mine" is free; the procurement and impact panels cost the coordinator a query each,
    # an observer none
    [("coordinator", COORDINATOR_DASHBOARD_QUERIES), ("observer", DASHBOARD_QUERIES)],
)
def test_dashboard_costs_the_same_for_every_role(
    client: Client,
    rows: Rows,
    busy_project: Project,
    role: str,
    expected: int,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(role))
    url = reverse("projects:project_dashboard", args=[busy_project.slug])
    assert_same_cost(client, url, rows.all, expected=expected)


def test_workpackage_list_costs_the_same_for_5_work_packages_and_500(
    partner_client: Client, project: Project
) -> None:
    p2 = project.partners.get(number=2)

    def grow(n: int) -> None:
        start = project.work_packages.count()
        WorkPackage.objects.bulk_create(
            WorkPackage(
                project=project, number=k, title=f"WP {k}", lead=p2, start_month=1, end_month=18
            )
            for k in range(start + 1, start + n + 1)
        )

    # session, user, member; the paginator's count; the page's work packages with their leads
    # and deliverable counts (one aggregate query)
    url = reverse("projects:workpackage_list", args=[project.slug])
    assert_same_cost(partner_client, url, grow, expected=5)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # session, user, member; the paginator's count; the filter form's work package and
        # partner choices; the page's deliverables with work package, lead and organisation
        ("", 7),
        ("?status=in_review&sort=due", 7),
        # as above, plus validating the chosen work package and lead (one query each)
        (
            "?q=Deliverable&work_package=__wp1__&lead=__p2__&type=R&dissemination=PU"
            "&due_after=2000-01-01&due_before=2100-12-31&sort=-title",
            9,
        ),
        ("?overdue=on&sort=status&page=2", 7),
    ],
    ids=["unfiltered", "in-review-by-due-date", "every-filter", "overdue-page-2"],
)
def test_deliverable_list_costs_the_same_for_5_rows_and_500(
    partner_client: Client, rows: Rows, busy_project: Project, query: str, expected: int
) -> None:
    query = query.replace("__wp1__", str(rows.work_packages[0].pk)).replace(
        "__p2__", str(rows.partners[1].pk)
    )
    url = reverse("projects:deliverable_list", args=[busy_project.slug]) + query
    assert_same_cost(partner_client, url, rows.deliverables, expected=expected)


def test_milestone_list_costs_the_same_for_5_rows_and_500(
    partner_client: Client, rows: Rows, busy_project: Project
) -> None:
    # session, user, member; the paginator's count; the page's milestones; their work
    # packages (prefetched)
    url = reverse("projects:milestone_list", args=[busy_project.slug])
    assert_same_cost(partner_client, url, rows.milestones, expected=6)


@pytest.mark.parametrize("query", ["", "?likelihood=3&impact=3&status=open"])
def test_risk_list_costs_the_same_for_5_rows_and_500(
    partner_client: Client, rows: Rows, busy_project: Project, query: str
) -> None:
    # session, user, member; the paginator's count; the matrix (one GROUP BY); the filter
    # form's owner and work package choices; the page's risks with owners
    url = reverse("projects:risk_list", args=[busy_project.slug]) + query
    assert_same_cost(partner_client, url, rows.risks, expected=8)


def test_timeline_costs_the_same_for_5_rows_and_500(
    partner_client: Client, rows: Rows, busy_project: Project
) -> None:
    def grow(n: int) -> None:
        rows.deliverables(n)
        rows.milestones(n)

    # session, user, member; work packages with leads; deliverables; milestones; the
    # milestones' work packages (prefetched)
    url = reverse("projects:timeline", args=[busy_project.slug])
    assert_same_cost(partner_client, url, grow, expected=7)


@pytest.fixture
def handbook(project: Project) -> Deliverable:
    wp = project.work_packages.get(number=1)
    deliverable = Deliverable(
        project=project, work_package=wp, lead=wp.lead, number="D1.1", title="Handbook", due_month=6
    )
    deliverable.save()
    return deliverable


def add_versions_and_updates(deliverable: Deliverable, by: User, n: int) -> None:
    DeliverableVersion.objects.bulk_create(
        DeliverableVersion(
            deliverable=deliverable,
            file=f"deliverables/{deliverable.project_id}/v{k}.pdf",
            original_name=f"handbook v{k}.pdf",
            content_type="application/pdf",
            size=1000 + k,
            sha256="0" * 64,
            uploaded_by=by,
        )
        for k in range(n)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(deliverable=deliverable, percent=k % 101, note=f"Step {k}", author=by)
        for k in range(n)
    )


# The deliverable's page: session, user, member; the deliverable with its work package and lead;
# versions with uploaders; progress updates with authors; history records with users; the work
# packages and the partners the history names (one query each); the project, for the link to
# the work package.
DETAIL_QUERIES = 10


def test_deliverable_detail_costs_the_same_for_5_versions_updates_and_changes_and_500(
    partner_client: Client, partner: User, coordinator: User, handbook: Deliverable
) -> None:
    statuses = list(Deliverable.Status)

    def grow(n: int) -> None:
        add_versions_and_updates(handbook, partner, n)
        for k in range(n):  # changes by two people
            handbook.title = f"Handbook, draft {k}"
            handbook.status = statuses[k % len(statuses)]
            handbook._history_user = coordinator if k % 2 else partner  # type: ignore[attr-defined]
            handbook.save()

    url = reverse("projects:deliverable_detail", args=[handbook.project.slug, "D1.1"])
    assert_same_cost(partner_client, url, grow, expected=DETAIL_QUERIES)


def test_deliverable_detail_costs_the_same_however_many_partners_led_it(
    partner_client: Client, coordinator: User, handbook: Deliverable
) -> None:
    """The history names each lead the deliverable had: one query for all of them."""
    project = handbook.project

    def grow(n: int) -> None:
        # n is 5, then 495: the lead moves among 2 partners, then among 2 + 6 more.
        if n > FEW:
            for k in range(6):
                make_partner(project, make_organisation(f"Extra{k}"))
        partners = list(project.partners.filter(number__gte=2))
        for k in range(n):
            handbook.lead = partners[k % len(partners)]
            handbook._history_user = coordinator  # type: ignore[attr-defined]
            handbook.save()

    url = reverse("projects:deliverable_detail", args=[project.slug, "D1.1"])
    assert_same_cost(partner_client, url, grow, expected=DETAIL_QUERIES)
