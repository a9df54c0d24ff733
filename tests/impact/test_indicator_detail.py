"""impact:indicator_detail: an indicator's definition, target and partners' targets, its figures
per partner and period with their status, the records behind a computed figure; read by every
member; its query count, the same for 5 indicators, 3 partners and 2 periods as for 50, 10 and
6."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from events.models import Event
from impact.models import Indicator, IndicatorValue, PartnerTarget
from projects.models import Project, ReportingPeriod
from tests.events.factories import make_attendance, make_event
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_query, make_value
from tests.impact.test_impact_overview import grow
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db

M = Indicator.Measure
BRUSSELS = ZoneInfo("Europe/Brussels")


def url(indicator: Indicator, query: str = "") -> str:
    return reverse("impact:indicator_detail", args=[indicator.project.slug, indicator.code]) + query


@pytest.fixture
def periods(project: Project) -> tuple[ReportingPeriod, ReportingPeriod]:
    return (
        make_period(project, number=1, start_month=1, end_month=9),
        make_period(project, number=2, start_month=10, end_month=18),
    )


@pytest.fixture
def kpi1(
    project: Project, periods: tuple[ReportingPeriod, ReportingPeriod], coordinator: User
) -> Indicator:
    """Entered by P2 and P3, target 20 persons by M18, P3's own 8; breakdown by gender asked;
    P2: RP1 5 validated, RP2 6 draft; P3: RP1 3 submitted with an open query."""
    rp1, rp2 = periods
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    kpi = make_indicator(
        project,
        code="KPI1",
        name="Persons with disabilities employed",
        definition="Persons who started work through a social clause.\nInterns do not count.",
        target_month=18,
        disaggregations=[Indicator.Disaggregation.GENDER],
        esf_code="EECO12",
        sdg_target="8.5",
    )
    PartnerTarget.objects.create(indicator=kpi, partner=p3, target=Decimal(8))
    make_value(kpi, p2, rp1, value=Decimal(5), status=IndicatorValue.Status.VALIDATED)
    make_value(kpi, p2, rp2, value=Decimal(6))
    queried = make_value(kpi, p3, rp1, value=Decimal(3), status=IndicatorValue.Status.SUBMITTED)
    make_query(queried, project=project, assigned_to=p3, raised_by=coordinator)
    return kpi


@pytest.fixture
def kpi2(project: Project, periods: tuple[ReportingPeriod, ReportingPeriod]) -> Indicator:
    """Computed: participants of held roundtables. P2 held two in RP1 (40 and 25 people), one
    in RP2 (12); P3 one in RP1 (8); a workshop and a planned roundtable do not count."""
    p3 = project.partners.get(number=3)
    cases: list[tuple[dt.datetime, int, dict[str, Any]]] = [
        (dt.datetime(2023, 3, 15, 10, tzinfo=BRUSSELS), 40, {}),
        (dt.datetime(2023, 5, 2, 10, tzinfo=BRUSSELS), 25, {}),
        (dt.datetime(2023, 9, 1, 10, tzinfo=BRUSSELS), 12, {}),
        (dt.datetime(2023, 4, 1, 10, tzinfo=BRUSSELS), 8, {"organiser": p3}),
        (dt.datetime(2023, 4, 2, 10, tzinfo=BRUSSELS), 30, {"kind": Event.Kind.WORKSHOP}),
        (dt.datetime(2023, 4, 3, 10, tzinfo=BRUSSELS), 50, {"status": Event.Status.PLANNED}),
    ]
    for day, total, fields in cases:
        fields.setdefault("status", Event.Status.HELD)
        event = make_event(project, starts_at=day, title=f"Event of {day:%d %B}", **fields)
        make_attendance(event, total=total)
    return make_indicator(
        project,
        code="KPI2",
        name="Roundtable participants",
        source=Indicator.Source.COMPUTED,
        measure=M.PARTICIPANTS,
        event_kind=Event.Kind.ROUNDTABLE,
        target=Decimal(100),
    )


def test_a_member_reads_the_definition_targets_and_every_figure(
    client: Client, observer: User, kpi1: Indicator
) -> None:
    client.force_login(observer)

    response = client.get(url(kpi1))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>KPI1 Persons with disabilities employed</h1>" in html
    assert "Persons who started work through a social clause.<br>Interns do not count." in html
    assert "20 persons by M18" in html
    assert "EECO12" in html and "8.5" in html
    assert "by gender" in html
    assert '<th scope="row">P3 Voorbeeld</th><td class="num">8</td>' in html  # its target
    progress = response.context["progress"]
    assert (progress.achieved, progress.awaiting) == (Decimal(5), Decimal(3))
    # Every entered value says its status on this page, validated ones too.
    table = html[html.index('<caption id="progress-KPI1-caption">KPI1 by partner') :]
    assert '<span class="badge badge-ok">Validated</span>' in table
    assert '<span class="badge">Draft</span>' in table
    assert '<span class="badge badge-medium">Submitted</span>' in table
    assert "Open query" in table
    assert 'role="img"' in html


def test_the_edit_link_is_the_coordinators(
    client: Client, coordinator: User, partner: User, kpi1: Indicator
) -> None:
    edit = reverse("impact:indicator_edit", args=[kpi1.project.slug, kpi1.code])
    client.force_login(coordinator)
    assert edit in client.get(url(kpi1)).content.decode()
    client.force_login(partner)
    assert edit not in client.get(url(kpi1)).content.decode()


def test_a_partner_is_offered_to_enter_its_own_missing_value(
    client: Client, other_partner: User, kpi1: Indicator
) -> None:
    client.force_login(other_partner)  # P3: nothing for RP2 yet

    html = client.get(url(kpi1)).content.decode()

    entry = reverse("impact:value_entry", args=[kpi1.project.slug, 3, 2])
    assert f'<a href="{entry}">Enter RP2</a>' in html


def test_the_records_behind_a_computed_figure_are_listed_and_linked(
    client: Client, observer: User, project: Project, kpi2: Indicator
) -> None:
    client.force_login(observer)

    response = client.get(url(kpi2, "?partner=2&period=1"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 records behind the figure of P2 CoopLab in RP1, adding up to 65." in html
    sources = response.context["sources"]
    assert [(r.label, r.amount) for r in sources] == [
        ("Event of 15 March", Decimal(40)),
        ("Event of 02 May", Decimal(25)),
    ]
    event = Event.objects.get(title="Event of 15 March")
    assert f'<a href="{event.get_absolute_url()}">Event of 15 March</a>' in html
    assert "The participants recorded in the attendance of each held event" in html
    # The table's figures lead here.
    assert 'href="/p/co-resp/indicators/KPI2/?partner=2&amp;period=1#sources"' in html


def test_the_participants_are_broken_down_by_what_the_attendance_records(
    client: Client, observer: User, project: Project, kpi2: Indicator
) -> None:
    event = make_event(
        project,
        starts_at=dt.datetime(2023, 6, 1, 10, tzinfo=BRUSSELS),
        status=Event.Status.HELD,
        organiser=project.partners.get(number=3),
    )
    make_attendance(event, total=10, women=6, men=4, by_country={"NL": 10})
    client.force_login(observer)

    html = client.get(url(kpi2, "?partner=3&period=1")).content.decode()

    assert "The participants behind the figure, from the events' attendance" in html
    assert 'By gender <span class="muted">(recorded for 1 of 2 events)</span>' in html
    assert '<th scope="row">Netherlands</th><td class="num">10</td>' in html
    assert "By stakeholder category" not in html  # neither event recorded it


def test_without_a_choice_every_record_is_listed(
    client: Client, observer: User, kpi2: Indicator
) -> None:
    client.force_login(observer)

    response = client.get(url(kpi2))

    assert response.context["sources_total"] == 4
    assert response.context["sources_sum"] == Decimal(40 + 25 + 12 + 8)
    assert "4 records behind the figures to date, adding up to 85." in response.content.decode()
    assert response.context["progress"].achieved == Decimal(85)


def test_a_period_alone_lists_every_partners_records(
    client: Client, observer: User, kpi2: Indicator
) -> None:
    client.force_login(observer)
    response = client.get(url(kpi2, "?period=1"))
    assert response.context["sources_total"] == 3
    assert "3 records behind the figure of all partners in RP1, adding up to 73." in (
        response.content.decode()
    )


def test_unknown_numbers_choose_nothing(client: Client, observer: User, kpi2: Indicator) -> None:
    client.force_login(observer)
    response = client.get(url(kpi2, "?partner=x&period=9"))
    assert response.status_code == 200
    assert (response.context["source_partner"], response.context["source_period"]) == (None, None)


def test_outsider_gets_404(client: Client, outsider: User, kpi1: Indicator) -> None:
    client.force_login(outsider)
    assert client.get(url(kpi1)).status_code == 404


def test_an_unknown_code_is_404(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)
    missing = reverse("impact:indicator_detail", args=[project.slug, "KPI9"])
    assert client.get(missing).status_code == 404


def test_an_indicator_of_another_project_is_404(
    client: Client, observer: User, project: Project
) -> None:
    other = make_project("OTHER", slug="other")
    make_partner(other, number=1)
    make_indicator(other, code="KPI7", reporting_partners=[])
    client.force_login(observer)
    assert (
        client.get(reverse("impact:indicator_detail", args=[project.slug, "KPI7"])).status_code
        == 404
    )


def test_anonymous_is_sent_to_login(client: Client, kpi1: Indicator) -> None:
    response = client.get(url(kpi1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_other_methods_are_not_allowed(client: Client, observer: User, kpi1: Indicator) -> None:
    client.force_login(observer)
    assert client.post(url(kpi1)).status_code == 405


# session, user, member; the indicator (with its work package and responsible partner), its
# reporting partners and its partners' targets; indicator_progress: partners, periods, entered
# values, their open queries; source_records: none for an entered indicator; the history: its
# records and its reporting partners' (no work package or responsible partner to name).
ENTERED_QUERIES = 3 + 1 + 2 + 4 + 2
# A computed one: indicator_progress reads no values and no queries but its source table
# (events: their time zones, then the events grouped); source_records reads the periods and the
# records behind the chosen figure.
COMPUTED_QUERIES = 3 + 1 + 2 + 2 + 2 + 2 + 2


@pytest.mark.parametrize(
    ("code", "expected"), [("KPI1", ENTERED_QUERIES), ("KPI2", COMPUTED_QUERIES)]
)
def test_the_page_costs_the_same_for_5_indicators_and_50(
    client: Client, partner: User, project: Project, code: str, expected: int
) -> None:
    client.force_login(partner)
    grow(project, indicators=5, partners=3, periods=2)
    indicator = Indicator.objects.get(project=project, code=code)
    page = url(indicator, "?partner=2" if indicator.is_computed else "")
    client.get(page)  # warm up

    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    grow(project, indicators=50, partners=10, periods=6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)
    assert response.status_code == 200

    listing = "\n".join(q["sql"][:160] for q in many.captured_queries)
    assert len(few) == len(many), listing
    assert len(many) == expected, listing
    assert len(response.context["progress"].partners) == 10
    assert len(response.context["progress"].periods) == 6
