"""impact:value_edit: the partner's staff and the coordinator correct a draft value; a submitted or
validated one is not edited (the coordinator sends it back first), none of a locked period is,
bad input is refused on its field (422) and a save from a stale form is refused (409, no lost
updates)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.models import Indicator, IndicatorValue
from projects.models import Project, ReportingPeriod
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def value(project: Project) -> IndicatorValue:
    """P2's draft for KPI1 (persons, by gender) in RP1: five persons, three women and two men."""
    kpi1 = make_indicator(project, code="KPI1", disaggregations=[Indicator.Disaggregation.GENDER])
    return make_value(
        kpi1, project.partners.get(number=2), make_period(project),
        value=Decimal(5), women=3, men=2, gender_other=0,
    )  # fmt: skip


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def url(value: IndicatorValue) -> str:
    return reverse("impact:value_edit", args=[value.indicator.project.slug, value.pk])


def entry_url(value: IndicatorValue) -> str:
    return (
        reverse("impact:value_entry", args=[value.indicator.project.slug, 2, 1])
        + "?indicator=KPI1#indicator-KPI1"
    )


def form_data(value: IndicatorValue, /, **changes: str) -> dict[str, Any]:
    return {
        "value": "6",
        "women": "3",
        "men": "2",
        "gender_other": "1",
        "data_source": "Payroll",
        "collection_method": "",
        "note": "",
        "version": str(value.version),
        **changes,
    }


def loaded_version(client: Client, value: IndicatorValue) -> str:
    """The version the edit form carries, as a browser would submit it."""
    html = client.get(url(value)).content.decode()
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "the edit form carries the row's version"
    return match.group(1)


def test_the_partner_corrects_its_draft(pat: Client, partner: User, value: IndicatorValue) -> None:
    version = loaded_version(pat, value)

    response = pat.post(url(value), form_data(value, version=version))

    assert response.status_code == 302
    assert response["Location"] == entry_url(value)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["KPI1 for RP1 saved."]
    value.refresh_from_db()
    assert (value.value, value.women, value.men, value.gender_other) == (Decimal(6), 3, 2, 1)
    assert (value.data_source, value.status, value.version) == ("Payroll", "draft", 2)
    record = value.history.latest()
    assert (record.history_user, record.history_change_reason) == (partner, "Edited")


def test_the_coordinator_corrects_any_partners_draft(
    client: Client, coordinator: User, value: IndicatorValue
) -> None:
    client.force_login(coordinator)
    assert client.post(url(value), form_data(value)).status_code == 302
    value.refresh_from_db()
    assert value.value == Decimal(6)


def test_the_page_shows_the_definition_and_the_coordinators_comment(
    pat: Client, value: IndicatorValue
) -> None:
    value.review_comment = "The payroll lists six people, not five."
    value.save()
    response = pat.get(url(value))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Correct KPI1 for RP1" in html
    assert "Persons who started work through a social clause." in html
    assert "The coordinator sent it back:" in html
    assert "The payroll lists six people, not five." in html
    assert set(response.context["form"].fields) == {
        "value", "women", "men", "gender_other", "data_source", "collection_method", "note",
        "version",
    }  # fmt: skip


def test_a_stored_breakdown_no_longer_asked_for_can_still_be_corrected(
    pat: Client, value: IndicatorValue
) -> None:
    """The indicator stopped asking for the breakdown by gender: the value's own still shows
    (and must still add up), so that it can be corrected or cleared."""
    Indicator.objects.filter(pk=value.indicator_id).update(disaggregations=[])
    response = pat.post(url(value), form_data(value, women="", men="", gender_other=""))
    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.value, value.women) == (Decimal(6), None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"women": "1", "men": "1", "gender_other": "0"},
            "women",
            "The breakdown by gender adds up to 2, not to 6.",
        ),
        (
            {"women": "", "men": "", "gender_other": ""},
            "women",
            "KPI1 asks for the breakdown by gender.",
        ),
        ({"value": "x"}, "value", "Enter a number."),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(
    pat: Client, value: IndicatorValue, changes: dict[str, str], field: str, message: str
) -> None:
    response = pat.post(url(value), form_data(value, **changes))

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    value.refresh_from_db()
    assert (value.value, value.women, value.version) == (Decimal(5), 3, 1)


def test_fte_above_the_headcount_is_refused_naming_the_numbers(
    pat: Client, project: Project, value: IndicatorValue
) -> None:
    fte = make_indicator(project, code="KPI2", unit=Indicator.Unit.FTE)
    jobs = make_value(fte, value.partner, value.period, value=Decimal("2.5"), headcount=3)
    response = pat.post(
        reverse("impact:value_edit", args=[project.slug, jobs.pk]),
        {"value": "3.25", "headcount": "3", "version": "1"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["value"] == [
        "3.25 full-time equivalents for 3 people: FTE cannot be above the headcount."
    ]
    jobs.refresh_from_db()
    assert jobs.value == Decimal("2.5")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            IndicatorValue.Status.SUBMITTED,
            "This value is submitted: its figure can be corrected again only if the coordinator "
            "sends it back.",
        ),
        (
            IndicatorValue.Status.VALIDATED,
            "The coordinator has validated this value: its figure is on record.",
        ),
    ],
)
def test_only_a_draft_is_edited(
    pat: Client, value: IndicatorValue, status: str, message: str, method: str
) -> None:
    IndicatorValue.objects.filter(pk=value.pk).update(status=status)

    response = getattr(pat, method)(url(value), form_data(value))

    assert response.status_code == 302
    assert response["Location"] == entry_url(value)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message]
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal(5), 1)


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_draft_of_a_locked_period_is_edited(
    client: Client, coordinator: User, value: IndicatorValue, method: str
) -> None:
    ReportingPeriod.objects.filter(pk=value.period_id).update(is_locked=True)
    client.force_login(coordinator)

    response = getattr(client, method)(url(value), form_data(value))

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "RP1 is locked: it was reported to the funder and is kept as it was."
    ]
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal(5), 1)


def test_a_stale_save_is_refused_keeping_the_first_and_showing_the_second_input(
    coordinator: User, partner: User, value: IndicatorValue
) -> None:
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(partner)
    assert loaded_version(first, value) == loaded_version(second, value) == "1"

    saved = first.post(url(value), form_data(value, note="Coordinator's count"))
    assert saved.status_code == 302
    refused = second.post(
        url(value), form_data(value, value="7", women="4", men="3", gender_other="0", note="Mine")
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this value while you were editing it." in html
    assert "The saved figures" in html
    assert "Coordinator&#x27;s count" in html  # the saved version, to compare
    assert 'name="value" value="7"' in html  # their input, kept
    value.refresh_from_db()
    assert (value.value, value.note, value.version) == (Decimal(6), "Coordinator's count", 2)
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert refused.context["form"]["version"].value() == "2"
    again = second.post(
        url(value),
        form_data(value, value="7", women="4", men="3", gender_other="0", version="2"),
    )
    assert again.status_code == 302
    value.refresh_from_db()
    assert value.value == Decimal(7)


def test_a_form_without_its_version_is_refused(pat: Client, value: IndicatorValue) -> None:
    response = pat.post(url(value), form_data(value, version=""))
    assert response.status_code == 422
    assert "The page was out of date: reload it and try again." in response.content.decode()
    value.refresh_from_db()
    assert value.version == 1


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403_and_nothing_is_saved(
    client: Client, value: IndicatorValue, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(value)).status_code == 403
    assert client.post(url(value), form_data(value)).status_code == 403
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal(5), 1)


def test_outsider_gets_404(client: Client, outsider: User, value: IndicatorValue) -> None:
    client.force_login(outsider)
    assert client.get(url(value)).status_code == 404
    assert client.post(url(value), form_data(value)).status_code == 404


def test_a_value_of_another_project_gets_404(
    pat: Client, project: Project, value: IndicatorValue
) -> None:
    other = make_project("Other", slug="other")
    theirs = make_value(
        make_indicator(other, code="KPI1", reporting_partners=[]),
        make_partner(other, number=2),
        make_period(other),
    )
    wrong = reverse("impact:value_edit", args=[project.slug, theirs.pk])
    assert pat.post(wrong, form_data(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.version == 1


def test_anonymous_is_sent_to_login(client: Client, value: IndicatorValue) -> None:
    response = client.post(url(value), form_data(value))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    value.refresh_from_db()
    assert value.version == 1


def test_other_methods_are_not_allowed(pat: Client, value: IndicatorValue) -> None:
    assert pat.put(url(value)).status_code == 405
    assert pat.delete(url(value)).status_code == 405
