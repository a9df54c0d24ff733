"""impact:data_quality: the checks' findings and the queries, with their filters, links and
pagination; who reads the page; and a query count that does not grow with the records.

The checks run as of the real today: the cast's project ended in March 2024, so both periods
have ended and every value owed is due.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from events.models import Event
from impact.checks import CONTEXT_QUERIES, RULE_QUERIES
from impact.models import DataQuery, Indicator, IndicatorValue
from impact.views.quality import PAGE_SIZE
from projects.models import Partner, Project, ReportingPeriod
from tests.events.factories import make_event
from tests.impact.factories import make_indicator, make_query, make_value
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db


def url(project: Project, query: str = "") -> str:
    return reverse("impact:data_quality", args=[project.slug]) + query


class Data:
    """RP1 and RP2; KPI1 (reported by P2 and P3, target 20):
    - P2's RP1 value 15 whose breakdown by gender adds up to 12 (an error), queried (open);
    - P2's RP2 value 15, right; P3 owes both periods (two errors: missing_value);
    - P3's event "Roundtable Valencia", held without attendance (a warning).
    """

    def __init__(self, project: Project, coordinator: User) -> None:
        self.rp1 = make_period(project, number=1, start_month=1, end_month=9)
        self.rp2 = make_period(project, number=2, start_month=10, end_month=18)
        self.p2 = project.partners.get(number=2)
        self.p3 = project.partners.get(number=3)
        self.kpi = make_indicator(project, code="KPI1", reporting_partners=[self.p2, self.p3])
        submitted = IndicatorValue.Status.SUBMITTED
        self.wrong = make_value(
            self.kpi, self.p2, self.rp1, value=Decimal(15), women=5, men=7, status=submitted
        )
        make_value(self.kpi, self.p2, self.rp2, value=Decimal(15), status=submitted)
        self.event = make_event(
            project, organiser=self.p3, title="Roundtable Valencia", status=Event.Status.HELD
        )
        self.query = make_query(
            self.wrong,
            project=project,
            assigned_to=self.p2,
            raised_by=coordinator,
            check_code="breakdown_sum",
        )


@pytest.fixture
def data(project: Project, coordinator: User) -> Data:
    return Data(project, coordinator)


def finding_messages(response: object) -> list[str]:
    return [row.finding.message for row in response.context["findings_page"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_reads_the_findings_and_the_queries(
    client: Client, data: Data, project: Project, role: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(role))

    response = client.get(url(project))

    assert response.status_code == 200
    assert (response.context["section"], response.context["subsection"]) == ("impact", "quality")
    assert finding_messages(response) == [
        "KPI1 of P2 for RP1: the breakdown by gender adds up to 12, not to the value of 15.",
        "P3 has not reported KPI1 for RP1, which ended on 30 Jun 2023.",
        "P3 has not reported KPI1 for RP2, which ended on 31 Mar 2024.",
        "Roundtable Valencia was held on 22 Mar 2024, but its attendance is not recorded.",
    ]
    html = response.content.decode()
    assert "4 findings, 3 of them errors." in html
    assert "The checks ran on " in html
    assert "Their findings are kept for a minute" in html
    assert [q.pk for q in response.context["queries_page"]] == [data.query.pk]


def test_each_finding_links_to_its_record_and_to_its_query(
    client: Client, data: Data, project: Project, partner: User
) -> None:
    client.force_login(partner)

    rows = list(client.get(url(project)).context["findings_page"])

    entry = reverse("impact:value_entry", args=[project.slug, 2, 1])
    assert (rows[0].url, rows[0].record) == (entry, "KPI1, P2 CoopLab, RP1")
    assert rows[0].query.url == reverse("impact:query_detail", args=[project.slug, data.query.pk])
    assert rows[0].query.status_label == "Open"
    assert rows[1].url == reverse("impact:value_entry", args=[project.slug, 3, 1])  # owed
    assert rows[3].url == reverse("events:event_detail", args=[project.slug, data.event.pk])
    assert (rows[3].partner, rows[3].period) == (data.p3, data.rp2)
    html = client.get(url(project)).content.decode()
    assert f'<a href="{entry}">KPI1, P2 CoopLab, RP1</a>' in html
    assert f"Query {data.query.pk}: Open" in html


def test_the_coordinator_may_raise_a_query_about_a_finding(
    client: Client, data: Data, project: Project, coordinator: User
) -> None:
    client.force_login(coordinator)

    response = client.get(url(project))

    rows = list(response.context["findings_page"])
    assert rows[0].raise_url == ""  # its query is still open
    expected = (
        reverse("impact:query_create", args=[project.slug])
        + "?"
        + urlencode(
            {
                "subject_type": "events.event",
                "subject_id": data.event.pk,
                "check": "held_without_attendance",
                "partner": 3,
            }
        )
    )
    assert rows[3].raise_url == expected
    html = response.content.decode()
    assert html.count(">Raise a query<") == 3
    assert expected.replace("&", "&amp;") in html


def test_a_closed_query_leaves_the_finding_open_to_a_new_one(
    client: Client, data: Data, project: Project, coordinator: User
) -> None:
    DataQuery.objects.filter(pk=data.query.pk).update(status=DataQuery.Status.RESOLVED)
    client.force_login(coordinator)

    row = next(iter(client.get(url(project)).context["findings_page"]))

    assert row.query.status_label == "Resolved"
    assert "subject_type=impact.indicatorvalue" in row.raise_url


@pytest.mark.parametrize("role", ["partner", "observer"])
def test_only_the_coordinator_sees_raise_a_query(
    client: Client, data: Data, project: Project, role: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(role))

    response = client.get(url(project))

    assert not response.context["can_raise_query"]
    assert all(row.raise_url == "" for row in response.context["findings_page"])
    assert "Raise a query" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected", "queries"),
    [
        ("?partner=3", ["missing_value", "missing_value", "held_without_attendance"], 0),
        ("?partner=2", ["breakdown_sum"], 1),
        ("?severity=warning", ["held_without_attendance"], 0),
        ("?severity=error", ["breakdown_sum", "missing_value", "missing_value"], 1),
        ("?rule=missing_value", ["missing_value", "missing_value"], 0),
        ("?status=open", ["breakdown_sum"], 1),
        ("?status=answered", [], 0),
        ("?status=none", ["missing_value", "missing_value", "held_without_attendance"], 0),
        (
            "?partner=3&severity=warning&rule=held_without_attendance",
            ["held_without_attendance"],
            0,
        ),
    ],
)
def test_the_filters_choose_findings_and_queries(
    client: Client,
    observer: User,
    data: Data,
    project: Project,
    query: str,
    expected: list[str],
    queries: int,
) -> None:
    client.force_login(observer)

    response = client.get(url(project, query))

    assert response.status_code == 200
    assert [row.finding.code for row in response.context["findings_page"]] == expected
    assert len(response.context["queries_page"].object_list) == queries
    if not expected:
        assert "No finding matches these filters." in response.content.decode()


@pytest.mark.parametrize("query", ["?partner=9", "?severity=fatal", "?status=x", "?rule=nope"])
def test_an_unknown_choice_is_refused_on_its_field(
    client: Client, observer: User, data: Data, project: Project, query: str
) -> None:
    client.force_login(observer)

    response = client.get(url(project, query))

    assert response.status_code == 422
    assert response.context["findings_page"] is None
    assert "Select a valid choice." in response.content.decode()


def test_a_project_without_findings_says_so(
    client: Client, observer: User, project: Project
) -> None:
    client.force_login(observer)

    html = client.get(url(project)).content.decode()

    assert "The checks found nothing" in html
    assert "No query has been raised yet." in html


def test_findings_come_a_page_at_a_time_keeping_the_filters(
    client: Client, observer: User, project: Project
) -> None:
    make_period(project, number=1, start_month=1, end_month=9)
    for k in range(PAGE_SIZE + 5):
        make_event(project, title=f"Roundtable {k}", status=Event.Status.HELD)
    client.force_login(observer)

    first = client.get(url(project, "?severity=warning"))
    second = client.get(url(project, "?severity=warning&page=2"))

    assert len(first.context["findings_page"].object_list) == PAGE_SIZE
    assert len(second.context["findings_page"].object_list) == 5
    assert "?severity=warning&amp;page=2" in first.content.decode()


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


def add_records(
    project: Project, n: int, periods: list[ReportingPeriod], partners: list[Partner]
) -> None:
    """`n` more indicators each owed by `partners`, with wrong values, and `n` held events
    without attendance, each queried: findings and queries on every page."""
    start = Indicator.objects.filter(project=project).count()
    for k in range(n):
        kpi = make_indicator(project, code=f"KPI{start + k + 1}", reporting_partners=partners)
        value = make_value(kpi, partners[0], periods[0], value=Decimal(9), women=1, men=1)
        make_query(value, project=project, assigned_to=partners[0], check_code="breakdown_sum")
        event = make_event(project, organiser=partners[-1], status=Event.Status.HELD)
        make_query(
            event, project=project, assigned_to=partners[-1], check_code="held_without_attendance"
        )


# Session, user, member (3); partners and periods (2); the checks (no indicator here asks for
# outcome evidence: that rule skips its query); the latest query of each record (1); the queries
# counted and their page (2).
PAGE_QUERIES = 3 + 2 + CONTEXT_QUERIES + RULE_QUERIES - 1 + 1 + 2


def test_the_page_costs_the_same_for_few_records_and_many(
    client: Client, coordinator: User, project: Project
) -> None:
    periods = [
        make_period(project, number=1, start_month=1, end_month=9),
        make_period(project, number=2, start_month=10, end_month=18),
    ]
    partners = list(project.partners.filter(number__in=[2, 3]))
    client.force_login(coordinator)

    def cost(query: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(project, query))
        assert response.status_code == 200
        assert response.context["findings_page"].object_list
        return len(queries)

    add_records(project, 2, periods, partners)
    client.get(url(project))  # warm up
    few = [cost("?fresh=1"), cost("?severity=error&partner=2&page=2&fresh=1"), cost("")]
    add_records(project, 30, periods, partners)
    many = [cost("?fresh=1"), cost("?severity=error&partner=2&page=2&fresh=1"), cost("")]

    # Run afresh, or read from the run kept a moment ago: without the checks' queries.
    kept = PAGE_QUERIES - CONTEXT_QUERIES - (RULE_QUERIES - 1)
    assert few == many == [PAGE_QUERIES, PAGE_QUERIES, kept]


def test_a_run_is_kept_until_a_value_changes_and_check_again_runs_it_at_once(
    client: Client, coordinator: User, project: Project
) -> None:
    periods = [make_period(project, number=1, start_month=1, end_month=9)]
    partners = list(project.partners.filter(number__in=[2]))
    client.force_login(coordinator)
    add_records(project, 1, periods, partners)
    first = client.get(url(project))
    ran_at = first.context["checked_at"]
    count = len(first.context["findings_page"].object_list)
    assert count

    add_records(project, 1, periods, partners)  # more findings, behind the page's back
    kept = client.get(url(project))
    fresh = client.get(url(project, "?fresh=1"))

    assert kept.context["checked_at"] == ran_at
    assert len(kept.context["findings_page"].object_list) == count
    assert len(fresh.context["findings_page"].object_list) > count
    assert "Check again now" in kept.content.decode()
    assert "fresh=1" not in kept.context["query"]


def test_a_change_to_a_value_forgets_the_kept_run(
    client: Client, coordinator: User, project: Project
) -> None:
    from impact.models import forget_checks

    periods = [make_period(project, number=1, start_month=1, end_month=9)]
    partners = list(project.partners.filter(number__in=[2]))
    client.force_login(coordinator)
    add_records(project, 1, periods, partners)
    ran_at = client.get(url(project)).context["checked_at"]

    forget_checks(project.slug)  # what a successful POST of a value, query or indicator does

    assert client.get(url(project)).context["checked_at"] > ran_at
