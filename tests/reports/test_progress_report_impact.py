"""The progress report's impact chapter (each indicator against its target, by partner and
period, from impact/computed.py) and its data-quality annex (every open query and every finding
of impact/checks.py beyond the report's own data gaps), read back from the PDF; and the warning
on the report request page while queries are open."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from events.models import Event
from impact.models import Indicator, IndicatorValue
from projects.models import Project
from reports import rendering
from tests.events.factories import make_attendance, make_event
from tests.impact.factories import make_indicator, make_query, make_value
from tests.procurement.factories import make_period
from tests.reports import make_progress_report

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 4, 2, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def indicators(project: Project, coordinator: User) -> dict[str, Indicator]:
    """RP1 (M1-M9) and RP2 (M10-M18); KPI1 computed (roundtables held: one by P2 in RP1),
    KPI2 entered by P2 and P3 (P2's RP1 value validated: 7; P3's RP1 value a draft, queried)."""
    rp1 = make_period(project, number=1, start_month=1, end_month=9)
    make_period(project, number=2, start_month=10, end_month=18)
    roundtable = make_event(
        project,
        title="Roundtable in Valencia",
        starts_at=dt.datetime(2023, 3, 9, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid")),
        time_zone="Europe/Madrid",
        status=Event.Status.HELD,
    )
    make_attendance(roundtable, total=31)
    held = make_indicator(
        project,
        code="KPI1",
        name="Local roundtables held",
        unit=Indicator.Unit.COUNT,
        source=Indicator.Source.COMPUTED,
        measure=Indicator.Measure.EVENTS_HELD,
        event_kind=Event.Kind.ROUNDTABLE,
        target=Decimal(6),
    )
    trained = make_indicator(
        project, code="KPI2", name="Procurement officers trained", target=Decimal(40)
    )
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    make_value(trained, p2, rp1, value=Decimal(7), status=IndicatorValue.Status.VALIDATED)
    draft = make_value(trained, p3, rp1, value=Decimal(90))
    make_query(
        draft,
        project=project,
        assigned_to=p3,
        raised_by=coordinator,
        question="Ninety officers in one period: is this a unit mistake?",
    )
    return {"held": held, "trained": trained}


def test_the_chapter_shows_each_indicator_against_its_target(
    project: Project, coordinator: User, indicators: dict[str, Indicator]
) -> None:
    report = make_progress_report(project, coordinator, sections=["impact"])

    text = text_of(rendering.render_generated_report(report, NOW).content)

    assert "Impact indicators" in text
    assert "KPI1 Local roundtables held" in text
    assert "target 6, achieved 1" in text
    assert "KPI2 Procurement officers trained" in text
    assert "target 40, achieved 7" in text  # the draft does not count until validated
    assert "90 *" in text  # the queried figure is marked


def test_the_annex_lists_the_open_queries(
    project: Project, coordinator: User, indicators: dict[str, Indicator]
) -> None:
    report = make_progress_report(project, coordinator, sections=["gaps"])

    text = text_of(rendering.render_generated_report(report, NOW).content)

    assert "Open queries" in text
    assert "Ninety officers in one period: is this a unit mistake?" in text
    assert "No gaps found" not in text


def test_a_clean_project_has_a_clean_annex(project: Project, coordinator: User) -> None:
    report = make_progress_report(project, coordinator, sections=["gaps", "impact"])
    text = text_of(rendering.render_generated_report(report, NOW).content)
    assert "No open query." in text and "The checks found nothing." in text
    assert "No indicator is defined yet." in text


def test_the_request_page_warns_while_queries_are_open(
    client: Client, coordinator: User, project: Project, indicators: dict[str, Indicator]
) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("reports:report_list", args=[project.slug])).content.decode()
    assert "Before you send a report:" in page and "1 query is still open" in page
    assert f'href="{reverse("impact:data_quality", args=[project.slug])}"' in page


def test_the_request_page_says_nothing_when_all_is_settled(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("reports:report_list", args=[project.slug])).content.decode()
    assert "Before you send a report:" not in page
