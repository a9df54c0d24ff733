"""impact:impact_overview: every indicator against its target, with a chart and a table by
partner and period and the source of each figure, read by every member; the empty state; one
partner's view; and its query count, the same for 5 indicators, 3 partners and 2 periods as for
50 indicators, 10 partners and 6 periods."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from events.models import Attendance, Event
from impact.models import Indicator, IndicatorValue, PartnerTarget
from procurement.models import LocalActionPlan, SocialClause, Tender
from projects.models import Partner, Project, ReportingPeriod
from tests.events.factories import make_event
from tests.factories import make_partner
from tests.impact.factories import make_indicator, make_query, make_value
from tests.procurement.factories import make_clause, make_period, make_tender

pytestmark = pytest.mark.django_db

M = Indicator.Measure
BRUSSELS = ZoneInfo("Europe/Brussels")


def url(project: Project, query: str = "") -> str:
    return reverse("impact:impact_overview", args=[project.slug]) + query


@pytest.fixture
def periods(project: Project) -> tuple[ReportingPeriod, ReportingPeriod]:
    return (
        make_period(project, number=1, start_month=1, end_month=9),
        make_period(project, number=2, start_month=10, end_month=18),
    )


@pytest.fixture
def kpis(
    project: Project, periods: tuple[ReportingPeriod, ReportingPeriod], coordinator: User
) -> tuple[Indicator, Indicator]:
    """KPI1 entered by P2 and P3 (target 20; P2's own 12): P2 RP1 5 validated, RP2 6 submitted;
    P3 RP1 3 validated with an open query. KPI2 computed: roundtables held, target 4; P2 held
    one in RP1."""
    rp1, rp2 = periods
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    kpi1 = make_indicator(project, code="KPI1", name="Persons employed through SRPP")
    PartnerTarget.objects.create(indicator=kpi1, partner=p2, target=Decimal(12))
    make_value(kpi1, p2, rp1, value=Decimal(5), status=IndicatorValue.Status.VALIDATED)
    make_value(kpi1, p2, rp2, value=Decimal(6), status=IndicatorValue.Status.SUBMITTED)
    queried = make_value(kpi1, p3, rp1, value=Decimal(3), status=IndicatorValue.Status.VALIDATED)
    make_query(queried, project=project, assigned_to=p3, raised_by=coordinator)
    kpi2 = make_indicator(
        project,
        code="KPI2",
        name="Local roundtables held",
        unit=Indicator.Unit.COUNT,
        source=Indicator.Source.COMPUTED,
        measure=M.EVENTS_HELD,
        event_kind=Event.Kind.ROUNDTABLE,
        target=Decimal(4),
    )
    make_event(
        project, status=Event.Status.HELD, starts_at=dt.datetime(2023, 3, 1, 10, tzinfo=BRUSSELS)
    )
    return kpi1, kpi2


def test_a_member_reads_each_indicator_against_its_target(
    client: Client, observer: User, project: Project, kpis: tuple[Indicator, Indicator]
) -> None:
    client.force_login(observer)

    response = client.get(url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Impact indicators</h1>" in html
    rows = response.context["rows"]
    assert [progress.indicator.code for progress in rows] == ["KPI1", "KPI2"]
    kpi1, kpi2 = rows
    assert (kpi1.achieved, kpi1.target, kpi1.percent) == (Decimal(8), Decimal(20), Decimal(40))
    assert (kpi2.achieved, kpi2.percent) == (Decimal(1), Decimal(25))
    # A chart per indicator, named for screen readers; beside it the same figures as a table by
    # partner; the table by partner and period is on the indicator's page (linked).
    assert html.count('role="img"') == 2
    assert 'aria-labelledby="chart-' in html
    assert "Achieved: 8 persons (40 %)" in html
    assert 'caption">KPI1 by partner and reporting period' not in html
    assert 'caption">KPI1: target and achievement by partner (persons)</caption>' in html
    assert "the indicator's page gives them by period too" in html
    detail = reverse("impact:indicator_detail", args=[project.slug, "KPI1"])
    assert f'<a href="{detail}">KPI1 by partner and reporting period</a>' in html


def test_each_figure_says_its_status_its_query_and_its_source(
    client: Client, observer: User, project: Project, kpis: tuple[Indicator, Indicator]
) -> None:
    client.force_login(observer)
    page = reverse("impact:indicator_detail", args=[project.slug, "KPI1"])

    section = client.get(page).content.decode()

    assert 'caption">KPI1 by partner and reporting period (persons)</caption>' in section
    assert '<span class="badge badge-medium">Submitted</span>' in section  # P2's RP2
    assert "Open query" in section  # P3's RP1
    assert "(+6 awaiting validation)" in section
    entry = reverse("impact:value_entry", args=[project.slug, 2, 1])
    assert f'<a href="{entry}">5</a>' in section  # an entered figure: to its entry page
    page = reverse("impact:indicator_detail", args=[project.slug, "KPI2"])
    computed = client.get(page).content.decode()
    source = "/p/co-resp/indicators/KPI2/?partner=2&amp;period=1#sources"
    assert f'<a href="{source}">1<span class="visually-hidden"> (the records behind' in computed


def test_a_partner_is_offered_to_enter_its_missing_figures(
    client: Client, partner: User, project: Project, kpis: tuple[Indicator, Indicator]
) -> None:
    client.force_login(partner)
    page = reverse("impact:indicator_detail", args=[project.slug, "KPI1"])

    html = client.get(page).content.decode()

    own = reverse("impact:value_entry", args=[project.slug, 2, 2])
    other = reverse("impact:value_entry", args=[project.slug, 3, 2])
    assert f'<a href="{own}">6</a>' in html  # P2's own RP2 value
    assert f'<a href="{other}">Enter RP2</a>' not in html  # P3's missing RP2: not P2's to enter
    assert html.count(">Enter RP") == 0  # P2 reported both periods


def test_one_partners_figures_are_against_its_own_target(
    client: Client, observer: User, project: Project, kpis: tuple[Indicator, Indicator]
) -> None:
    client.force_login(observer)

    response = client.get(url(project, "?partner=2"))

    assert response.status_code == 200
    assert response.context["partner"].number == 2
    kpi1 = response.context["rows"][0]
    assert (kpi1.target, kpi1.achieved) == (Decimal(12), Decimal(5))
    assert "The figures of P2 CoopLab, against its own targets." in response.content.decode()


def test_an_unknown_partner_shows_every_partner(
    client: Client, observer: User, project: Project, kpis: tuple[Indicator, Indicator]
) -> None:
    client.force_login(observer)
    response = client.get(url(project, "?partner=99"))
    assert response.status_code == 200
    assert response.context["partner"] is None


def test_the_coordinator_is_offered_to_define_the_first_indicator(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)

    html = client.get(url(project)).content.decode()

    create = reverse("impact:indicator_create", args=[project.slug])
    assert f'No indicators yet. <a href="{create}">Define an indicator</a>' in html


def test_others_see_the_empty_state_without_the_offer(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    html = client.get(url(project)).content.decode()

    assert "No indicators yet. When the coordinator defines them" in html
    assert reverse("impact:indicator_create", args=[project.slug]) not in html


def test_only_the_coordinator_is_offered_to_define_more(
    client: Client,
    coordinator: User,
    observer: User,
    project: Project,
    kpis: tuple[Indicator, Indicator],
) -> None:
    create = reverse("impact:indicator_create", args=[project.slug])
    client.force_login(coordinator)
    assert create in client.get(url(project)).content.decode()
    client.force_login(observer)
    assert create not in client.get(url(project)).content.decode()


def test_every_indicator_is_at_a_glance_and_the_charts_come_ten_to_a_page(
    client: Client, observer: User, project: Project
) -> None:
    grow(project, indicators=12, partners=2, periods=1)
    client.force_login(observer)

    first = client.get(url(project))
    second = client.get(url(project, "?page=2"))

    assert [len(r.context["rows"]) for r in (first, second)] == [12, 12]
    assert [r.content.decode().count('role="img"') for r in (first, second)] == [10, 2]
    assert "Page 2 of 2 (12 in all)" in second.content.decode()
    shown = {p.indicator.code for p, _chart in first.context["charts_page"]}
    shown |= {p.indicator.code for p, _chart in second.context["charts_page"]}
    assert shown == {p.indicator.code for p in first.context["rows"]}


def test_the_charts_are_drawn_with_unlocalised_coordinates(
    client: Client, observer: User, project: Project, kpis: tuple[Indicator, Indicator]
) -> None:
    client.force_login(observer)
    html = client.get(url(project), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    widths = re.findall(r'<rect x="[^"]*" y="[^"]*" width="([^"]*)"', html)
    assert widths and all("," not in w for w in widths)


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_other_methods_are_not_allowed(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)
    assert client.post(url(project)).status_code == 405


# --- the query count --------------------------------------------------------------------------

# The kinds of indicators the sizes below cycle through: entered ones, and computed ones reading
# events, the register's tenders, clause outcomes and local action plans. (Deliverables are one
# more source table: one more query, whatever the size; see FULL_QUERIES.)
KINDS = [
    "",
    M.PARTICIPANTS,
    M.TENDERS_WITH_SOCIAL_CLAUSES,
    M.PERSONS_EMPLOYED,
    M.ACTION_PLANS_ADOPTED,
]


def grow(project: Project, *, indicators: int, partners: int, periods: int) -> None:
    """The project grown to `indicators` indicators (KINDS in turn, each with a target for every
    partner, the entered ones reported by every partner with a value each period), `partners`
    partners and `periods` three-month reporting periods, with records for every computed kind
    in every period (bulk: a few queries, whatever the size)."""
    for number in range(project.partners.count() + 1, partners + 1):
        make_partner(project, number=number)
    for number in range(project.periods.count() + 1, periods + 1):
        make_period(project, number=number, start_month=3 * number - 2, end_month=3 * number)
    all_partners = list(Partner.objects.filter(project=project).order_by("number"))
    all_periods = list(ReportingPeriod.objects.filter(project=project).order_by("number"))
    for rp in all_periods:
        rp.project = project
    start = Indicator.objects.filter(project=project).count()
    new = []
    for k in range(start, indicators):
        measure = KINDS[k % len(KINDS)]
        indicator = make_indicator(
            project,
            code=f"KPI{k + 1}",
            source=Indicator.Source.COMPUTED if measure else Indicator.Source.ENTERED,
            measure=measure,
            reporting_partners=all_partners if not measure else None,
        )
        new.append(indicator)
    # Every indicator's targets and values for every partner and period (the old ones' too).
    every = list(Indicator.objects.filter(project=project))
    PartnerTarget.objects.all().delete()
    PartnerTarget.objects.bulk_create(
        PartnerTarget(indicator=i, partner=p, target=Decimal(10))
        for i in every
        for p in all_partners
    )
    IndicatorValue.objects.all().delete()
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, partner=p, period=rp, value=Decimal(2), status="validated")
        for i in every
        if not i.is_computed
        for p in all_partners
        for rp in all_periods
    )
    for i in every:
        if not i.is_computed:
            i.reporting_partners.set(all_partners)
    # A held event with attendance, a tender with a social clause, an adopted plan per partner
    # and period (outcomes need contracts: their query runs with or without rows).
    have = Event.objects.filter(project=project).count()
    events = Event.objects.bulk_create(
        Event(
            project=project,
            organiser=p,
            title=f"Roundtable {have + n}",
            kind=Event.Kind.ROUNDTABLE,
            starts_at=dt.datetime.combine(rp.start_date, dt.time(10), tzinfo=BRUSSELS),
            ends_at=dt.datetime.combine(rp.start_date, dt.time(12), tzinfo=BRUSSELS),
            status=Event.Status.HELD,
        )
        for n, (p, rp) in enumerate((p, rp) for p in all_partners for rp in all_periods)
        if not Event.objects.filter(organiser=p, starts_at__date=rp.start_date).exists()
    )
    Attendance.objects.bulk_create(Attendance(event=e, total=10) for e in events)
    for p in all_partners:
        for rp in all_periods:
            reference = f"P{p.number}-RP{rp.number}"
            if not Tender.objects.filter(project=project, reference=reference).exists():
                tender = make_tender(
                    project, recorded_by=p, reference=reference, publication_date=rp.start_date
                )
                make_clause(tender, category=SocialClause.Category.GENDER_EQUALITY)
            LocalActionPlan.objects.get_or_create(
                project=project, partner=p, title=reference, adopted_on=rp.start_date
            )


# session, user, member; the filter's partners; the indicators, their reporting partners and
# their targets; indicator_progress: partners, periods, then computed_values' event time zones,
# events, tenders, outcomes, plans; the entered values and their open queries.
OVERVIEW_QUERIES = 3 + 1 + 3 + 2 + 5 + 2
# With every measure: deliverables are one more source table.
FULL_QUERIES = OVERVIEW_QUERIES + 1


@pytest.mark.parametrize("query", ["", "?partner=2"])
def test_the_overview_costs_the_same_for_5_indicators_and_50(
    client: Client, partner: User, project: Project, query: str
) -> None:
    client.force_login(partner)
    page = url(project, query)
    client.get(page)  # warm up: first-request work is not the page's cost

    grow(project, indicators=5, partners=3, periods=2)
    with CaptureQueriesContext(connection) as few:
        response = client.get(page)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 5
    grow(project, indicators=50, partners=10, periods=6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)
    assert response.status_code == 200

    listing = "\n".join(q["sql"][:160] for q in many.captured_queries)
    assert len(few) == len(many), listing
    assert len(many) == OVERVIEW_QUERIES, listing
    rows = response.context["rows"]
    assert len(rows) == 50
    entered = rows[0]
    if query:  # P2 alone: its 6 values of 2, against its own target of 10
        assert (entered.achieved, entered.target) == (Decimal(12), Decimal(10))
    else:  # 10 partners x 6 periods x 2
        assert (entered.achieved, entered.target) == (Decimal(120), Decimal(20))
        assert len(entered.partners) == 10
        assert len(entered.periods) == 6


def test_every_measure_adds_at_most_one_query(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)
    grow(project, indicators=5, partners=3, periods=2)
    for n, measure in enumerate(M.values):
        make_indicator(
            project,
            code=f"ALL{n}",
            source=Indicator.Source.COMPUTED,
            measure=measure,
        )
    client.get(url(project))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(project)).status_code == 200

    assert len(queries) == FULL_QUERIES, "\n".join(q["sql"][:160] for q in queries.captured_queries)
