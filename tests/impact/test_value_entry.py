"""impact:value_entry: the entry page of one partner for one reporting period. Every member reads
it: each entered indicator the partner reports, with its definition, its saved figure and status
or (for those who enter the partner's values) a form with only the breakdowns the indicator asks
for; and the computed indicators' figures for the partner and period, read-only, with the page
of the records behind them. A POST enters a new value as a draft: the partner's own staff and the
coordinator; bad input is refused (422) with the message on its field, nothing saved."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from events.models import Event
from impact.models import Indicator, IndicatorValue, PartnerTarget
from projects.models import Partner, Project, ReportingPeriod
from tests.events.factories import make_attendance, make_event
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_query, make_value
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db

DEFINITION = "Persons who started work through a social clause; interns do not count."


@pytest.fixture
def rp1(project: Project) -> ReportingPeriod:
    """M1-M9: 1 October 2022 to 30 June 2023."""
    return make_period(project, number=1, start_month=1, end_month=9)


@pytest.fixture
def kpi1(project: Project, rp1: ReportingPeriod) -> Indicator:
    """Persons employed, by gender, reported by P2 and P3."""
    return make_indicator(
        project, code="KPI1", name="Persons employed", definition=DEFINITION,
        disaggregations=[Indicator.Disaggregation.GENDER],
    )  # fmt: skip


@pytest.fixture
def p2(project: Project) -> Partner:
    return project.partners.get(number=2)


@pytest.fixture
def p3(project: Project) -> Partner:
    return project.partners.get(number=3)


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    """P2's staff: they enter P2's values."""
    client.force_login(partner)
    return client


def url(project: Project, partner: int = 2, period: int = 1) -> str:
    return reverse("impact:value_entry", args=[project.slug, partner, period])


def form_data(indicator: Indicator, /, **changes: str) -> dict[str, str]:
    return {
        "indicator": indicator.code,
        "value": "5",
        "women": "3",
        "men": "2",
        "gender_other": "0",
        "data_source": "Payroll of the WISE",
        "collection_method": "Payroll extract",
        "note": "",
        **changes,
    }


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_reads_the_page_with_each_indicators_definition(
    client: Client, kpi1: Indicator, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(kpi1.project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Values of P2 CoopLab for RP1" in html
    assert 'id="indicator-KPI1"' in html
    assert "KPI1 Persons employed" in html
    assert "interns do not count" in html  # the definition, beside the figure
    assert [row.indicator for row in response.context["rows"]] == [kpi1]


def test_the_partner_gets_a_form_with_only_the_breakdowns_asked_for(
    pat: Client, project: Project, kpi1: Indicator
) -> None:
    make_indicator(project, code="KPI2", unit=Indicator.Unit.FTE, name="Jobs created")

    response = pat.get(url(project))

    html = response.content.decode()
    forms = {row.indicator.code: row.form for row in response.context["rows"]}
    assert set(forms["KPI1"].fields) == {
        "value", "women", "men", "gender_other", "data_source", "collection_method", "note",
    }  # fmt: skip
    # An FTE indicator asks for the people behind it, and no breakdown here.
    assert set(forms["KPI2"].fields) == {
        "value", "headcount", "data_source", "collection_method", "note",
    }  # fmt: skip
    assert 'name="indicator" value="KPI1"' in html
    assert 'id="value-KPI1-value-women"' in html
    assert 'name="with_disabilities"' not in html
    assert "Aggregates only." in html  # the breakdowns come with the data-protection notice
    assert "In persons, as the definition counts. The project's target is 20." in html


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_those_who_only_read_get_no_form(
    client: Client, kpi1: Indicator, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(kpi1.project))
    assert response.context["rows"][0].form is None
    html = response.content.decode()
    assert "Not entered yet." in html
    assert 'name="value"' not in html


def test_a_saved_value_shows_its_figures_status_and_evidence_but_no_form(
    pat: Client, kpi1: Indicator, p2: Partner, rp1: ReportingPeriod
) -> None:
    make_value(kpi1, p2, rp1, value=Decimal(1234), women=1000, men=234, gender_other=0,
               status=IndicatorValue.Status.SUBMITTED)  # fmt: skip

    response = pat.get(url(kpi1.project))

    row = response.context["rows"][0]
    assert row.form is None
    assert row.review["value"].value == Decimal(1234)
    html = response.content.decode()
    assert "1,234 persons" in html  # localised
    assert "1000 women, 234 men, 0 other or not stated" in html
    assert "Submitted" in html
    assert "waiting for the coordinator" not in html  # no submission time recorded
    assert "No file yet." in html


def test_the_partners_own_target_shows_beside_the_projects(
    pat: Client, kpi1: Indicator, p2: Partner
) -> None:
    PartnerTarget.objects.create(indicator=kpi1, partner=p2, target=Decimal(8))
    response = pat.get(url(kpi1.project))
    assert response.context["rows"][0].partner_target == Decimal(8)
    assert "Target of CoopLab" in response.content.decode()


def test_only_the_indicators_the_partner_reports_are_listed(
    client: Client, coordinator: User, project: Project, kpi1: Indicator, p3: Partner
) -> None:
    make_indicator(project, code="KPI2", reporting_partners=[p3])
    client.force_login(coordinator)
    p2_codes = [r.indicator.code for r in client.get(url(project, 2)).context["rows"]]
    p3_codes = [r.indicator.code for r in client.get(url(project, 3)).context["rows"]]
    p1_page = client.get(url(project, 1))
    assert (p2_codes, p3_codes) == (["KPI1"], ["KPI1", "KPI2"])
    assert "P1 EASPD reports no entered indicator." in p1_page.content.decode()


def test_a_figure_with_an_open_query_is_marked(
    pat: Client, coordinator: User, kpi1: Indicator, p2: Partner, rp1: ReportingPeriod
) -> None:
    value = make_value(kpi1, p2, rp1, women=3, men=2, gender_other=0)
    query = make_query(value, project=kpi1.project, assigned_to=p2, raised_by=coordinator,
                       question="Five persons, but the payroll lists four.")  # fmt: skip

    html = pat.get(url(kpi1.project)).content.decode()

    assert "An open query on this figure:" in html
    assert f'href="{query.get_absolute_url()}"' in html
    assert "Five persons, but the payroll lists four." in html


def test_the_coordinator_may_raise_a_query_about_a_value(
    client: Client, coordinator: User, pat: Client, kpi1: Indicator, p2: Partner,
    rp1: ReportingPeriod,
) -> None:  # fmt: skip
    value = make_value(kpi1, p2, rp1, women=3, men=2, gender_other=0)
    link = (
        reverse("impact:query_create", args=[kpi1.project.slug])
        + f"?subject_type=impact.indicatorvalue&amp;subject_id={value.pk}"
    )
    assert link not in pat.get(url(kpi1.project)).content.decode()
    cora = Client()
    cora.force_login(coordinator)
    assert link in cora.get(url(kpi1.project)).content.decode()


def test_a_locked_period_shows_its_figures_and_no_form(
    pat: Client, project: Project, kpi1: Indicator, p2: Partner, rp1: ReportingPeriod
) -> None:
    ReportingPeriod.objects.filter(pk=rp1.pk).update(is_locked=True)
    kpi2 = make_indicator(project, code="KPI2")
    make_value(kpi2, p2, rp1, value=Decimal(4))

    response = pat.get(url(project))

    html = response.content.decode()
    assert "RP1 is locked: it was reported to the funder and is kept as it was." in html
    rows = {r.indicator.code: r for r in response.context["rows"]}
    assert rows["KPI1"].form is None
    assert rows["KPI2"].review["can_edit"] is False
    assert rows["KPI2"].review["can_submit"] is False
    assert rows["KPI2"].review["can_upload"] is False
    assert 'name="value"' not in html


def test_the_page_links_to_the_other_periods_and_partners(
    pat: Client, project: Project, kpi1: Indicator
) -> None:
    make_period(project, number=2, start_month=10, end_month=18)
    html = pat.get(url(project)).content.decode()
    assert f'href="{url(project, 2, 2)}"' in html
    assert f'href="{url(project, 3, 1)}"' in html
    assert '<strong aria-current="page">RP1</strong>' in html


# --- the computed indicators ------------------------------------------------------------------


def test_computed_figures_of_the_partner_and_period_show_read_only_with_their_source(
    pat: Client, project: Project, kpi1: Indicator, p2: Partner, p3: Partner
) -> None:
    make_period(project, number=2, start_month=10, end_month=18)
    # P2's two roundtables in RP1 (40 + 25 participants); one of P3's; one of P2's in RP2.
    for organiser, day, total in [
        (p2, dt.datetime(2023, 2, 1, 10, tzinfo=dt.UTC), 40),
        (p2, dt.datetime(2023, 5, 1, 10, tzinfo=dt.UTC), 25),
        (p3, dt.datetime(2023, 2, 1, 10, tzinfo=dt.UTC), 60),
        (p2, dt.datetime(2023, 8, 1, 10, tzinfo=dt.UTC), 90),
    ]:
        event = make_event(project, organiser=organiser, starts_at=day,
                           status=Event.Status.HELD, time_zone="Europe/Madrid")  # fmt: skip
        make_attendance(event, total=total)
    participants = make_indicator(
        project, code="C1", name="Roundtable participants", unit=Indicator.Unit.PERSONS,
        source=Indicator.Source.COMPUTED, measure=Indicator.Measure.PARTICIPANTS,
    )  # fmt: skip

    response = pat.get(url(project))

    [row] = response.context["computed_rows"]
    assert (row.indicator, row.figure) == (participants, Decimal(65))
    assert row.source_url == (
        reverse("impact:indicator_detail", args=[project.slug, "C1"])
        + "?partner=2&period=1#sources"
    )
    html = response.content.decode()
    assert "Participants of held events" in html
    assert "65 persons" in html
    # Computed indicators are never entered: no form for them.
    assert [r.indicator.code for r in response.context["rows"]] == ["KPI1"]
    assert 'value="C1"' not in html


def test_a_computed_indicator_without_records_shows_zero(
    pat: Client, project: Project, kpi1: Indicator
) -> None:
    make_indicator(
        project,
        code="C1",
        source=Indicator.Source.COMPUTED,
        measure=Indicator.Measure.ACTION_PLANS_ADOPTED,
        unit=Indicator.Unit.COUNT,
    )
    [row] = pat.get(url(project)).context["computed_rows"]
    assert row.figure == 0


# --- entering a value -------------------------------------------------------------------------


def test_the_partner_enters_its_value_as_a_draft(
    pat: Client, partner: User, kpi1: Indicator, p2: Partner, rp1: ReportingPeriod
) -> None:
    response = pat.post(url(kpi1.project), form_data(kpi1))

    assert response.status_code == 302
    assert response["Location"] == url(kpi1.project) + "?indicator=KPI1#indicator-KPI1"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "KPI1 for RP1 saved as a draft. Submit it when the figure is final."
    ]
    value = IndicatorValue.objects.get()
    assert (value.indicator, value.partner, value.period) == (kpi1, p2, rp1)
    assert (value.value, value.women, value.men, value.gender_other) == (Decimal(5), 3, 2, 0)
    assert (value.data_source, value.status, value.version) == ("Payroll of the WISE", "draft", 1)
    record = value.history.latest()
    assert (record.history_user, record.history_change_reason) == (partner, "Entered")


def test_the_coordinator_enters_any_partners_value(
    client: Client, coordinator: User, kpi1: Indicator, p3: Partner
) -> None:
    client.force_login(coordinator)
    response = client.post(url(kpi1.project, 3), form_data(kpi1))
    assert response.status_code == 302
    assert IndicatorValue.objects.get().partner == p3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"women": "1", "men": "1", "gender_other": "0"},
            "women",
            "The breakdown by gender adds up to 2, not to 5.",
        ),
        (
            {"women": "", "men": "", "gender_other": ""},
            "women",
            "KPI1 asks for the breakdown by gender.",
        ),
        ({"value": "-1"}, "value", "Ensure this value is greater than or equal to 0."),
        ({"value": ""}, "value", "This field is required."),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(
    pat: Client, kpi1: Indicator, changes: dict[str, str], field: str, message: str
) -> None:
    response = pat.post(url(kpi1.project), form_data(kpi1, **changes))

    assert response.status_code == 422
    assert response.context["rows"][0].form.errors[field] == [message]
    assert message in response.context["refused"]
    html = response.content.decode()
    assert "Nothing was saved:" in html
    assert message in html
    assert 'name="data_source" value="Payroll of the WISE"' in html  # their input, kept
    assert IndicatorValue.objects.count() == 0


def test_fte_above_the_headcount_is_refused_naming_the_numbers(
    pat: Client, project: Project, rp1: ReportingPeriod
) -> None:
    fte = make_indicator(project, code="KPI2", unit=Indicator.Unit.FTE)
    response = pat.post(url(project), {"indicator": "KPI2", "value": "3.5", "headcount": "3"})
    assert response.status_code == 422
    [row] = [r for r in response.context["rows"] if r.indicator == fte]
    assert row.form.errors["value"] == [
        "3.5 full-time equivalents for 3 people: FTE cannot be above the headcount."
    ]
    assert IndicatorValue.objects.count() == 0


def test_nothing_is_entered_in_a_locked_period(
    client: Client, coordinator: User, kpi1: Indicator, rp1: ReportingPeriod
) -> None:
    ReportingPeriod.objects.filter(pk=rp1.pk).update(is_locked=True)
    client.force_login(coordinator)

    response = client.post(url(kpi1.project), form_data(kpi1))

    assert response.status_code == 422
    assert response.context["refused"] == [
        "RP1 is locked: it was reported to the funder and is kept as it was."
    ]
    assert IndicatorValue.objects.count() == 0


def test_a_value_entered_meanwhile_is_kept_and_their_input_shown_against_it(
    pat: Client, kpi1: Indicator, p2: Partner, rp1: ReportingPeriod
) -> None:
    """The page was opened before a colleague entered the value: it is not overwritten; the
    input is shown on the value's edit page against the saved figures, so saving again is a
    deliberate overwrite."""
    saved = make_value(kpi1, p2, rp1, value=Decimal(4), women=2, men=2, gender_other=0,
                       note="Colleague's count")  # fmt: skip

    response = pat.post(url(kpi1.project), form_data(kpi1))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else entered this value after you opened the page." in html
    assert "Colleague&#x27;s count" in html  # the saved figures, to compare
    assert 'name="women" value="3"' in html  # their input, kept
    assert f'action="{reverse("impact:value_edit", args=[kpi1.project.slug, saved.pk])}"' in html
    assert response.context["form"]["version"].value() == "1"
    saved.refresh_from_db()
    assert (saved.value, saved.version) == (Decimal(4), 1)


def test_a_value_entered_and_submitted_meanwhile_is_shown_as_it_is(
    pat: Client, kpi1: Indicator, p2: Partner, rp1: ReportingPeriod
) -> None:
    make_value(kpi1, p2, rp1, value=Decimal(4), women=2, men=2, gender_other=0,
               status=IndicatorValue.Status.SUBMITTED)  # fmt: skip
    response = pat.post(url(kpi1.project), form_data(kpi1))
    assert response.status_code == 409
    assert response.context["refused"] == [
        "Someone else changed this value after you opened the page. Nothing of yours was "
        "saved: check its current state below and try again."
    ]
    assert IndicatorValue.objects.get().value == Decimal(4)


@pytest.mark.parametrize("code", ["KPI9", "C1", "KPI2", ""])
def test_only_an_indicator_the_partner_reports_takes_a_value(
    pat: Client, project: Project, kpi1: Indicator, p3: Partner, code: str
) -> None:
    """Unknown, computed, or reported by P3 only: none is on P2's page."""
    make_indicator(project, code="C1", source=Indicator.Source.COMPUTED,
                   measure=Indicator.Measure.EVENTS_HELD)  # fmt: skip
    make_indicator(project, code="KPI2", reporting_partners=[p3])
    response = pat.post(url(project), form_data(kpi1, indicator=code))
    assert response.status_code == 404
    assert IndicatorValue.objects.count() == 0


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403_and_nothing_is_saved(
    client: Client, kpi1: Indicator, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(kpi1.project), form_data(kpi1)).status_code == 403
    assert IndicatorValue.objects.count() == 0


def test_outsider_gets_404(client: Client, outsider: User, kpi1: Indicator) -> None:
    client.force_login(outsider)
    assert client.get(url(kpi1.project)).status_code == 404
    assert client.post(url(kpi1.project), form_data(kpi1)).status_code == 404
    assert IndicatorValue.objects.count() == 0


@pytest.mark.parametrize(("partner_number", "period_number"), [(9, 1), (2, 9)])
def test_an_unknown_partner_or_period_gets_404(
    pat: Client, kpi1: Indicator, partner_number: int, period_number: int
) -> None:
    assert pat.get(url(kpi1.project, partner_number, period_number)).status_code == 404


def test_a_partner_or_period_of_another_project_gets_404(
    pat: Client, project: Project, kpi1: Indicator
) -> None:
    other = make_project("Other", slug="other")
    make_partner(other, number=4)
    make_period(other, number=2)
    assert pat.get(url(project, 4, 1)).status_code == 404
    assert pat.get(url(project, 2, 2)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, kpi1: Indicator) -> None:
    for response in (
        client.get(url(kpi1.project)),
        client.post(url(kpi1.project), form_data(kpi1)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert IndicatorValue.objects.count() == 0


def test_other_methods_are_not_allowed(pat: Client, kpi1: Indicator) -> None:
    assert pat.put(url(kpi1.project)).status_code == 405
    assert pat.delete(url(kpi1.project)).status_code == 405


# --- what the page costs ----------------------------------------------------------------------


def grow(project: Project, n: int) -> None:
    """`n` more indicators of each kind P2 reports: an entered one with a submitted value (with
    evidence metadata and an open query), an entered one with none yet, and a computed one."""
    from impact.models import ValueEvidence

    p2 = project.partners.get(number=2)
    rp1 = project.periods.get(number=1)
    start = Indicator.objects.filter(project=project).count()
    for k in range(start, start + n):
        with_value = make_indicator(project, code=f"E{k}", requires_evidence=True,
                                    disaggregations=[Indicator.Disaggregation.GROUP])  # fmt: skip
        value = make_value(with_value, p2, rp1, with_disabilities=2, other_disadvantaged=2,
                           group_other=1, status=IndicatorValue.Status.SUBMITTED)  # fmt: skip
        ValueEvidence.objects.create(value=value, file="impact/evidence/x.pdf",
                                     original_name="x.pdf", content_type="application/pdf",
                                     size=10, sha256="0" * 64)  # fmt: skip
        make_query(value, project=project, assigned_to=p2)
        make_indicator(project, code=f"N{k}", unit=Indicator.Unit.FTE)
        make_indicator(
            project,
            code=f"C{k}",
            source=Indicator.Source.COMPUTED,
            measure=Indicator.Measure.PARTICIPANTS,
            unit=Indicator.Unit.PERSONS,
        )


def cost(client: Client, project: Project) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(project))
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


# session, user, member; the partner, the period; the owed indicators, their values with their
# uploaders, the evidence, the partner's targets, the values' open queries; the periods and the
# partners to move to; the computed indicators, then computed_values' periods, the time zones
# of the held events (none here: no events query follows).
ENTRY_QUERIES = 15


@pytest.mark.parametrize("who", ["coordinator", "partner", "observer"])
def test_the_page_costs_the_same_for_5_indicators_and_for_50(
    client: Client, project: Project, rp1: ReportingPeriod, who: str,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    client.force_login(request.getfixturevalue(who))
    grow(project, 1)
    client.get(url(project))  # warm up (the content types' cache)

    grow(project, 4)
    few, _ = cost(client, project)
    grow(project, 45)
    many, sql = cost(client, project)

    assert few == many == ENTRY_QUERIES, "\n".join(sql)


def test_the_page_costs_the_same_with_3_partners_and_with_10(
    client: Client, coordinator: User, project: Project, rp1: ReportingPeriod
) -> None:
    client.force_login(coordinator)
    grow(project, 5)
    client.get(url(project))
    three, _ = cost(client, project)
    for number in range(4, 11):
        make_partner(project, number=number)
    ten, sql = cost(client, project)
    assert three == ten == ENTRY_QUERIES, "\n".join(sql)


def test_the_form_carries_no_version_for_a_new_value(pat: Client, kpi1: Indicator) -> None:
    html = pat.get(url(kpi1.project)).content.decode()
    section = re.search(r'id="indicator-KPI1".*?</section>', html, re.S)
    assert section is not None
    assert 'name="version"' not in section.group(0)


# --- a page at a time -------------------------------------------------------------------------


def test_the_indicators_come_ten_to_a_page_and_a_link_to_one_opens_its_page(
    pat: Client, project: Project, rp1: ReportingPeriod
) -> None:
    for n in range(1, 13):
        make_indicator(project, code=f"K{n:02d}", name=f"Indicator {n}")

    first = pat.get(url(project))
    second = pat.get(url(project) + "?page=2")
    at_k11 = pat.get(url(project) + "?indicator=K11")

    assert [r.indicator.code for r in first.context["rows"]] == [f"K{n:02d}" for n in range(1, 11)]
    assert [r.indicator.code for r in second.context["rows"]] == ["K11", "K12"]
    assert "Page 2 of 2 (12 in all)" in second.content.decode()
    assert [r.indicator.code for r in at_k11.context["rows"]] == ["K11", "K12"]


def test_a_refused_value_is_shown_on_the_page_that_holds_its_indicator(
    pat: Client, project: Project, rp1: ReportingPeriod
) -> None:
    for n in range(1, 13):
        make_indicator(project, code=f"K{n:02d}", name=f"Indicator {n}")
    late = Indicator.objects.get(code="K12")

    response = pat.post(url(project), form_data(late, value="-1"))

    assert response.status_code == 422
    assert [r.indicator.code for r in response.context["rows"]] == ["K11", "K12"]
    assert response.context["rows"][1].form.errors["value"]
    assert IndicatorValue.objects.count() == 0


def test_a_saved_value_forgets_the_kept_run_of_the_checks(pat: Client, kpi1: Indicator) -> None:
    quality = reverse("impact:data_quality", args=[kpi1.project.slug])
    ran_at = pat.get(quality).context["checked_at"]
    assert pat.get(quality).context["checked_at"] == ran_at  # kept

    assert pat.post(url(kpi1.project), form_data(kpi1)).status_code == 302

    assert pat.get(quality).context["checked_at"] > ran_at


def test_an_indicator_asking_for_stakeholders_gets_their_categories_on_the_form(
    pat: Client, project: Project, rp1: ReportingPeriod
) -> None:
    make_indicator(project, code="KPI7", disaggregations=[Indicator.Disaggregation.STAKEHOLDER])

    response = pat.get(url(project))

    (row,) = response.context["rows"]
    assert [f.name for f in row.form.stakeholder_fields()] == [
        "public_authorities", "social_economy", "companies", "dpo", "experts",
        "other_stakeholders",
    ]  # fmt: skip
    html = response.content.decode()
    assert "<legend>By stakeholder category</legend>" in html
    assert "If given, the categories add up to the value." in html
    assert not row.form.gender_fields()
