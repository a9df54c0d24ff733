"""projects:timeline and projects.timeline.build_timeline: work packages as bars over the months,
deliverables and milestones as markers, today's month marked; an equivalent table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Deliverable, Milestone, Progress, Project, WorkPackage
from projects.timeline import (
    HEADER_HEIGHT,
    LABEL_WIDTH,
    MONTH_WIDTH,
    ROW_HEIGHT,
    build_plan,
    build_timeline,
    month_x,
)
from tests.factories import make_deliverable, make_milestone, make_work_package

# --- the geometry: plain objects, no database ---------------------------------------------------


def _wp(pk: int, start: int, end: int, title: str = "Roundtables") -> WorkPackage:
    return WorkPackage(pk=pk, number=pk, title=title, start_month=start, end_month=end)


def _d(wp: int, number: str, due: int) -> Deliverable:
    return Deliverable(work_package_id=wp, number=number, title=f"Report {number}", due_month=due)


def _ms(number: str, due: int) -> Milestone:
    return Milestone(number=number, title=f"Milestone {number}", due_month=due)


def test_a_bar_spans_its_work_package_months() -> None:
    timeline = build_timeline(
        duration_months=18,
        work_packages=[_wp(1, 1, 18), _wp(2, 4, 9)],
        deliverables=[],
        milestones=[],
        today_month=0,
    )

    first, second = timeline.rows
    assert (first.x, first.width) == (LABEL_WIDTH, 18 * MONTH_WIDTH)
    assert (second.x, second.width) == (LABEL_WIDTH + 3 * MONTH_WIDTH, 6 * MONTH_WIDTH)
    assert second.y - first.y == ROW_HEIGHT
    assert timeline.width == LABEL_WIDTH + 18 * MONTH_WIDTH + 8
    # Two work package rows, then the milestones row.
    assert timeline.plot_bottom == HEADER_HEIGHT + 3 * ROW_HEIGHT
    assert timeline.milestones_y == HEADER_HEIGHT + 2 * ROW_HEIGHT + ROW_HEIGHT / 2


def test_deliverables_sit_on_their_work_package_at_the_centre_of_their_due_month() -> None:
    timeline = build_timeline(
        duration_months=18,
        work_packages=[_wp(1, 1, 18), _wp(2, 4, 9)],
        deliverables=[_d(2, "D2.1", 6), _d(1, "D1.1", 3), _d(2, "D2.2", 6)],
        milestones=[],
        today_month=0,
    )

    wp1, wp2 = timeline.rows
    assert [(m.month, m.numbers) for m in wp1.deliverables] == [(3, ("D1.1",))]
    (marker,) = wp2.deliverables
    assert marker.numbers == ("D2.1", "D2.2")  # same month: one marker, counted
    assert marker.count == 2
    assert marker.x == month_x(6) + MONTH_WIDTH / 2
    assert marker.y == wp2.y + 8  # the bar's middle
    assert marker.title == "D2.1 Report D2.1, D2.2 Report D2.2: due M6"


def test_milestones_share_a_row_below_the_work_packages() -> None:
    timeline = build_timeline(
        duration_months=18,
        work_packages=[_wp(1, 1, 18)],
        deliverables=[],
        milestones=[_ms("MS2", 12), _ms("MS1", 3)],
        today_month=0,
    )

    assert [(m.month, m.label) for m in timeline.milestones] == [(3, "MS1"), (12, "MS2")]
    assert all(m.y == timeline.milestones_y for m in timeline.milestones)
    x, y = timeline.milestones[0].x, timeline.milestones[0].y
    assert timeline.milestones[0].diamond == f"{x},{y - 6} {x + 6},{y} {x},{y + 6} {x - 6},{y}"


def test_today_is_marked_only_inside_the_project() -> None:
    def today_x(month: int) -> float | None:
        return build_timeline(
            duration_months=18, work_packages=[], deliverables=[], milestones=[], today_month=month
        ).today_x

    assert today_x(7) == month_x(7)
    assert today_x(0) is None  # before the start
    assert today_x(19) is None  # after the end


def test_months_outside_the_project_are_drawn_at_its_edge() -> None:
    timeline = build_timeline(
        duration_months=12,
        work_packages=[_wp(1, 10, 14)],
        deliverables=[_d(1, "D1.1", 20)],
        milestones=[_ms("MS1", 0)],
        today_month=3,
    )

    (row,) = timeline.rows
    assert row.x + row.width == month_x(13)  # ends with M12
    assert row.deliverables[0].month == 12
    assert timeline.milestones[0].month == 1


def test_months_are_labelled_m1_and_every_third() -> None:
    timeline = build_timeline(
        duration_months=13, work_packages=[], deliverables=[], milestones=[], today_month=0
    )

    assert [t.label for t in timeline.ticks if t.label] == ["M1", "M3", "M6", "M9", "M12"]
    assert [t.month for t in timeline.ticks if t.is_year_start] == [13]


def test_long_titles_are_shortened_for_the_label_column_only() -> None:
    (row,) = build_timeline(
        duration_months=12,
        work_packages=[_wp(1, 1, 12, title="Dissemination, exploitation and communication")],
        deliverables=[],
        milestones=[],
        today_month=0,
    ).rows

    assert row.label.endswith("…") and len(row.label) <= 26
    assert row.title == "Dissemination, exploitation and communication"


# --- the plan table (the timeline page's and the PDF report's) --------------------------------


@pytest.mark.django_db
def test_the_plan_groups_deliverables_and_milestones_by_work_package(
    project: Project, work_package: WorkPackage
) -> None:
    wp2 = make_work_package(project, number=2, lead=work_package.lead, start_month=3, end_month=12)
    d11 = make_deliverable(work_package, number="D1.1", due_month=2, status="approved")
    d12 = make_deliverable(work_package, number="D1.2", due_month=6)
    d21 = make_deliverable(wp2, number="D2.1", due_month=9)
    both = make_milestone(project, number="MS1", due_month=9, work_packages=[work_package, wp2])
    whole = make_milestone(project, number="MS2", due_month=18)

    plan = build_plan(
        project,
        work_packages=[work_package, wp2],
        deliverables=[d11, d12, d21],
        milestones=Milestone.objects.prefetch_related("work_packages").order_by("sort_key"),
    )

    first, second = plan.rows
    assert (first.work_package, first.deliverables, first.milestones) == (
        work_package, [d11, d12], [both],
    )  # fmt: skip
    assert (second.deliverables, second.milestones) == ([d21], [both])
    assert plan.project_milestones == [whole]  # in no work package's row
    # M3-M12 of a project starting 1 October 2022: 1 December 2022 to 30 September 2023.
    assert (second.start_date, second.end_date) == (dt.date(2022, 12, 1), dt.date(2023, 9, 30))
    assert (first.progress, second.progress) == (50, 0)  # D1.1 of WP1's two is done


def test_progress_is_the_share_of_deliverables_done() -> None:
    def d(status: str) -> Deliverable:
        return Deliverable(status=status)

    done = [d("approved"), d("submitted"), d("in_review")]
    assert (Progress.of(done).done, Progress.of(done).percent) == (2, 67)
    assert Progress.of([]).percent == 0  # a work package with no deliverables yet


# --- the page ---------------------------------------------------------------------------------


def url(project: Project) -> str:
    return reverse("projects:timeline", args=[project.slug])


@pytest.mark.django_db
def test_page_draws_an_accessible_svg_and_the_same_plan_as_a_table(
    client: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    today = timezone.localdate()
    project.start_date = (today - dt.timedelta(days=100)).replace(day=1)  # today is in M4
    project.save()
    wp2 = make_work_package(
        project,
        number=2,
        title="Local roundtables",
        lead=project.partners.get(number=3),
        start_month=3,
        end_month=12,
    )
    make_deliverable(work_package, number="D1.1", title="Project handbook", due_month=2)
    make_deliverable(wp2, number="D2.1", title="Roundtable report", due_month=9)
    make_milestone(
        project, number="MS1", title="Roundtables held", due_month=9, work_packages=[wp2]
    )
    make_milestone(project, number="MS2", title="Final conference", due_month=18)
    client.force_login(partner)

    response = client.get(url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in html
    assert '<title id="timeline-title">Timeline of CO-RESP, M1 to M18</title>' in html
    assert "<title>WP2 Local roundtables: M3-M12</title>" in html
    assert "<title>D2.1 Roundtable report: due M9</title>" in html
    assert "<title>MS1 Roundtables held: due M9</title>" in html
    assert f"<title>Today: M{project.month_of(today)}</title>" in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]  # the CSP forbids it
    # The table: each work package with its months, deliverables and milestones.
    table = html.split("<table>", 1)[1]
    assert "WP2 Local roundtables</a></th>" in table
    assert "M3-M12" in table
    assert "Roundtable report (M9)" in table
    assert "Roundtables held (M9)" in table
    assert "The whole project" in table and "Final conference (M18)" in table


@pytest.mark.django_db
def test_no_today_marker_after_the_project_ended(
    client: Client, observer: User, project: Project
) -> None:
    project.start_date = dt.date(2000, 1, 1)
    project.save()
    client.force_login(observer)

    response = client.get(url(project))

    assert response.context["timeline"].today_x is None
    assert "<title>Today" not in response.content.decode()
    assert "The project has ended." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_see_the_timeline(
    client: Client, project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(project)).status_code == 200


@pytest.mark.django_db
def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_post_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert client.post(url(project)).status_code == 405


def _queries(client: Client, project: Project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(project)).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_query_count_is_the_same_for_5_and_50_rows_of_each_kind(
    client: Client, partner: User, project: Project
) -> None:
    """Session, user, membership, work packages, deliverables, milestones, their work packages."""
    lead = project.partners.get(number=2)

    def grow(total: int) -> None:
        for n in range(project.work_packages.count() + 1, total + 1):
            wp = make_work_package(project, number=n, lead=lead)
            make_deliverable(wp, due_month=n % 18 + 1)
            make_milestone(project, number=f"MS{n}", due_month=n % 18 + 1, work_packages=[wp])

    client.force_login(partner)
    grow(5)
    _queries(client, project)  # warm up
    with_5 = _queries(client, project)
    grow(50)
    with_50 = _queries(client, project)

    assert with_5 == with_50 == 7
