"""The rules on entered values, on the model itself (IndicatorValue.clean and its transitions),
whichever form, import or script writes them: breakdowns add up, FTE is never above the
headcount, a breakdown the indicator asks for is given, a computed indicator takes no typed value,
the partner and the period are the indicator's project's, and a locked period takes no value and
changes none ("figures entered after the period was locked": none can be, through any door)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from impact.models import Indicator, IndicatorValue, ValueEvidence
from projects.models import Partner, Project, ReportingPeriod
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period
from tests.projects.conftest import make_pdf

pytestmark = pytest.mark.django_db

GENDER = Indicator.Disaggregation.GENDER
GROUP = Indicator.Disaggregation.GROUP


def errors_of(obj: Any) -> dict[str, list[str]]:
    """The messages full_clean gives, by field ({} when the row is valid)."""
    try:
        obj.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.fixture
def rp1(project: Project) -> ReportingPeriod:
    return make_period(project)


@pytest.fixture
def p2(project: Project) -> Partner:
    return project.partners.get(number=2)


def value(indicator: Indicator, partner: Partner, period: ReportingPeriod, **fields: Any) -> Any:
    """An unsaved value."""
    return IndicatorValue(
        indicator=indicator,
        partner=partner,
        period=period,
        value=fields.pop("value", Decimal(5)),
        **fields,
    )


# --- breakdowns -------------------------------------------------------------------------------


def test_a_gender_breakdown_that_does_not_add_up_is_refused_naming_the_numbers(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, disaggregations=[GENDER])
    row = value(kpi, p2, rp1, women=2, men=2, gender_other=0)
    assert errors_of(row) == {"women": ["The breakdown by gender adds up to 4, not to 5."]}


def test_a_group_breakdown_that_does_not_add_up_is_refused_naming_the_numbers(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, disaggregations=[GROUP])
    row = value(kpi, p2, rp1, with_disabilities=4, other_disadvantaged=2, group_other=0)
    assert errors_of(row) == {
        "with_disabilities": [
            "The breakdown by group (persons with disabilities, other disadvantaged, other) adds "
            "up to 6, not to 5."
        ]
    }


def test_breakdowns_that_add_up_are_accepted_and_blanks_count_as_none(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, disaggregations=[GENDER, GROUP])
    row = value(kpi, p2, rp1, women=5, men=None, gender_other=None, with_disabilities=2,
                other_disadvantaged=3, group_other=0)  # fmt: skip
    assert errors_of(row) == {}


def test_a_breakdown_not_asked_for_must_still_add_up_when_given(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project)
    assert errors_of(value(kpi, p2, rp1)) == {}
    assert errors_of(value(kpi, p2, rp1, women=1, men=1)) == {
        "women": ["The breakdown by gender adds up to 2, not to 5."]
    }


def test_a_breakdown_the_indicator_asks_for_is_required(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, code="KPI1", disaggregations=[GENDER, GROUP])
    assert errors_of(value(kpi, p2, rp1, women=3, men=2)) == {
        "with_disabilities": [
            "KPI1 asks for the breakdown by group (persons with disabilities, other "
            "disadvantaged, other)."
        ]
    }


# --- FTE --------------------------------------------------------------------------------------


def test_fte_above_the_headcount_is_refused_naming_the_numbers(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, unit=Indicator.Unit.FTE)
    assert errors_of(value(kpi, p2, rp1, value=Decimal("3.5"), headcount=3)) == {
        "value": ["3.5 full-time equivalents for 3 people: FTE cannot be above the headcount."]
    }
    assert errors_of(value(kpi, p2, rp1, value=Decimal(3), headcount=3)) == {}
    assert errors_of(value(kpi, p2, rp1, value=Decimal("2.5"), headcount=3)) == {}


def test_the_breakdowns_of_an_fte_figure_add_up_to_the_people(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, unit=Indicator.Unit.FTE, disaggregations=[GENDER])
    ok = value(kpi, p2, rp1, value=Decimal("2.5"), headcount=4, women=3, men=1, gender_other=0)
    assert errors_of(ok) == {}
    wrong = value(kpi, p2, rp1, value=Decimal("2.5"), headcount=4, women=2, men=0, gender_other=0)
    assert errors_of(wrong) == {"women": ["The breakdown by gender adds up to 2, not to 4."]}


# --- what takes a value -----------------------------------------------------------------------


def test_a_computed_indicator_refuses_typed_values(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    computed = make_indicator(project, code="C1", source=Indicator.Source.COMPUTED,
                              measure=Indicator.Measure.EVENTS_HELD)  # fmt: skip
    assert errors_of(value(computed, p2, rp1)) == {
        "indicator": ["C1 is computed by the platform: nobody types its values."]
    }


def test_a_partner_or_period_of_another_project_is_refused(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project)
    other = make_project("Other", slug="other")
    theirs = make_partner(other, number=2)
    their_period = make_period(other)
    assert errors_of(value(kpi, theirs, rp1)) == {
        "partner": ["This partner belongs to another project."]
    }
    assert errors_of(value(kpi, p2, their_period)) == {
        "period": ["This reporting period belongs to another project."]
    }


def test_a_value_below_zero_is_refused(project: Project, p2: Partner, rp1: ReportingPeriod) -> None:
    kpi = make_indicator(project)
    assert errors_of(value(kpi, p2, rp1, value=Decimal(-1))) == {
        "value": ["Ensure this value is greater than or equal to 0."]
    }


def test_one_value_per_indicator_partner_and_period(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project)
    make_value(kpi, p2, rp1)
    assert "__all__" in errors_of(value(kpi, p2, rp1))


# --- a locked period --------------------------------------------------------------------------


def test_a_locked_period_refuses_any_value(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    rp1.is_locked = True
    rp1.save()
    kpi = make_indicator(project)
    assert errors_of(value(kpi, p2, rp1)) == {
        "period": ["RP1 is locked: it was reported to the funder and is kept as it was."]
    }


def test_a_value_of_a_locked_period_is_not_editable(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    draft = make_value(make_indicator(project), p2, rp1)
    assert draft.is_editable is True
    rp1.is_locked = True
    assert draft.is_editable is False


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_no_transition_moves_a_value_of_a_locked_period(
    project: Project, p2: Partner, rp1: ReportingPeriod, coordinator: User, status: str
) -> None:
    row = make_value(make_indicator(project), p2, rp1, status=status)
    ReportingPeriod.objects.filter(pk=rp1.pk).update(is_locked=True)
    row.period.refresh_from_db()
    now = timezone.now()
    attempts = {
        "draft": [lambda: row.submit(now=now, expected_version=1)],
        "submitted": [
            lambda: row.validate(by=coordinator, now=now, expected_version=1),
            lambda: row.send_back(comment="Check it.", expected_version=1),
        ],
    }[status]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == [
            "RP1 is locked: it was reported to the funder and is kept as it was."
        ]
    row.refresh_from_db()
    assert (row.status, row.version) == (status, 1)


def test_figures_cannot_be_entered_after_the_period_was_locked_through_any_door(
    client: Client, coordinator: User, project: Project, p2: Partner, rp1: ReportingPeriod,
    settings: Any, tmp_path: Any,
) -> None:  # fmt: skip
    """The data-quality rule "figures entered after the period was locked" can find nothing:
    the coordinator, who may do the most, tries every door of RP1 after it was locked."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    kpi1, kpi2, kpi3 = (make_indicator(project, code=f"KPI{n}") for n in (1, 2, 3))
    draft = make_value(kpi1, p2, rp1, value=Decimal(5))
    submitted = make_value(kpi2, p2, rp1, value=Decimal(6), status="submitted")
    ReportingPeriod.objects.filter(pk=rp1.pk).update(is_locked=True)
    client.force_login(coordinator)
    slug = project.slug

    def post(name: str, row: IndicatorValue, data: dict[str, Any]) -> int:
        return client.post(reverse(f"impact:{name}", args=[slug, row.pk]), data).status_code

    entry = reverse("impact:value_entry", args=[slug, 2, 1])
    pdf = SimpleUploadedFile("sheet.pdf", make_pdf(), "application/pdf")
    assert client.post(entry, {"indicator": "KPI3", "value": "7"}).status_code == 422
    assert post("value_edit", draft, {"value": "8", "version": "1"}) == 302  # refused, told why
    assert post("value_submit", draft, {"version": "1"}) == 422
    assert post("value_validate", submitted, {"version": "1"}) == 422
    assert post("value_send_back", submitted, {"version": "1", "comment": "Why?"}) == 422
    assert post("value_evidence_upload", draft, {"file": pdf}) == 422

    assert not IndicatorValue.objects.filter(indicator=kpi3).exists()
    assert list(
        IndicatorValue.objects.order_by("pk").values_list("value", "status", "version")
    ) == [(Decimal(5), "draft", 1), (Decimal(6), "submitted", 1)]
    assert not ValueEvidence.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))


# --- the review cycle -------------------------------------------------------------------------


def test_submitting_checks_the_figures_again(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, code="KPI1")
    row = make_value(kpi, p2, rp1)
    kpi.disaggregations = [GENDER]
    kpi.save()
    with pytest.raises(ValidationError) as refused:
        row.submit(now=timezone.now(), expected_version=1)
    assert refused.value.messages == ["KPI1 asks for the breakdown by gender."]


def test_submitting_needs_the_evidence_the_indicator_asks_for(
    project: Project, p2: Partner, rp1: ReportingPeriod
) -> None:
    kpi = make_indicator(project, code="KPI1", requires_evidence=True)
    row = make_value(kpi, p2, rp1)
    assert row.needs_evidence is True
    with pytest.raises(ValidationError) as refused:
        row.submit(now=timezone.now(), expected_version=1)
    assert refused.value.messages == [
        "KPI1 asks for evidence: add a file that backs the figure before submitting it."
    ]
    ValueEvidence.objects.create(
        value=row,
        file="impact/evidence/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    assert row.needs_evidence is False
    row.submit(now=dt.datetime(2023, 7, 1, tzinfo=dt.UTC), expected_version=1)
    row.refresh_from_db()
    assert (row.status, row.version) == ("submitted", 2)


def test_a_stakeholder_breakdown_must_add_up_and_an_entered_indicator_has_no_country_one(
    project: Project,
) -> None:
    from impact.models import Indicator, IndicatorValue

    period = make_period(project, number=1, start_month=1, end_month=9)
    kpi = make_indicator(
        project, code="KPI7", disaggregations=[Indicator.Disaggregation.STAKEHOLDER]
    )
    p2 = project.partners.get(number=2)
    value = IndicatorValue(indicator=kpi, partner=p2, period=period, value=10)
    with pytest.raises(ValidationError) as asked:
        value.clean()
    assert "KPI7 asks for the breakdown by stakeholder category." in str(asked.value)

    value.public_authorities, value.social_economy, value.dpo = 4, 3, 2
    with pytest.raises(ValidationError) as off:
        value.clean()
    assert "The breakdown by stakeholder category adds up to 9, not to 10." in str(off.value)
    value.other_stakeholders = 1
    value.clean()
    assert value.stakeholder_breakdown[0] == ("public authorities", 4)

    kpi.disaggregations = [Indicator.Disaggregation.COUNTRY]
    with pytest.raises(ValidationError) as country:
        kpi.clean()
    assert "The breakdown by country comes from event attendance" in str(country.value)
