"""impact:value_validate: the coordinator alone accepts a submitted value
(IndicatorValue.validate, through the versioned-edit door: a stale page is refused); it then
counts towards the indicator's progress. Nothing of a locked period is validated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from impact.models import IndicatorValue
from projects.models import Project, ReportingPeriod
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def value(project: Project) -> IndicatorValue:
    """P2's value for KPI1 in RP1, submitted."""
    return make_value(
        make_indicator(project, code="KPI1"),
        project.partners.get(number=2),
        make_period(project),
        status=IndicatorValue.Status.SUBMITTED,
        submitted_at=dt.datetime(2023, 7, 10, 9, 0, tzinfo=dt.UTC),
    )


@pytest.fixture
def cora(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


def url(value: IndicatorValue) -> str:
    return reverse("impact:value_validate", args=[value.indicator.project.slug, value.pk])


def entry_url(value: IndicatorValue) -> str:
    project = value.indicator.project
    return (
        reverse("impact:value_entry", args=[project.slug, 2, 1]) + "?indicator=KPI1#indicator-KPI1"
    )


def test_the_coordinator_validates_a_submitted_value(
    cora: Client, coordinator: User, value: IndicatorValue
) -> None:
    page = cora.get(entry_url(value))
    assert page.context["rows"][0].review["can_validate"] is True
    before = timezone.now()

    response = cora.post(url(value), {"version": value.version})

    assert response.status_code == 302
    assert response["Location"] == entry_url(value)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["KPI1 for RP1 validated."]
    value.refresh_from_db()
    assert (value.status, value.version, value.validated_by) == ("validated", 2, coordinator)
    assert value.validated_at is not None
    assert before <= value.validated_at <= timezone.now()
    record = value.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Validated")
    html = cora.get(entry_url(value)).content.decode()
    assert "Validated by Cora Coordinator" in html
    review = cora.get(entry_url(value)).context["rows"][0].review
    assert (review["can_edit"], review["can_validate"], review["can_upload"]) == (
        False,
        False,
        False,
    )


@pytest.mark.parametrize("status", [IndicatorValue.Status.DRAFT, IndicatorValue.Status.VALIDATED])
def test_only_a_submitted_value_is_validated(
    cora: Client, value: IndicatorValue, status: str
) -> None:
    IndicatorValue.objects.filter(pk=value.pk).update(status=status)

    response = cora.post(url(value), {"version": value.version})

    assert response.status_code == 422
    assert response.context["refused"] == ["Only a submitted value can be validated."]
    assert "Nothing was saved:" in response.content.decode()
    value.refresh_from_db()
    assert (value.status, value.version, value.validated_by) == (status, 1, None)


def test_nothing_of_a_locked_period_is_validated(cora: Client, value: IndicatorValue) -> None:
    ReportingPeriod.objects.filter(pk=value.period_id).update(is_locked=True)
    page = cora.get(entry_url(value))
    assert page.context["rows"][0].review["can_validate"] is False

    response = cora.post(url(value), {"version": value.version})

    assert response.status_code == 422
    assert response.context["refused"] == [
        "RP1 is locked: it was reported to the funder and is kept as it was."
    ]
    value.refresh_from_db()
    assert (value.status, value.version) == ("submitted", 1)


def test_a_stale_page_is_refused_with_the_current_state(
    cora: Client, value: IndicatorValue
) -> None:
    """The value was sent back and corrected after this page was loaded."""
    IndicatorValue.objects.filter(pk=value.pk).update(version=3, value=Decimal(9))

    response = cora.post(url(value), {"version": 1})

    assert response.status_code == 409
    assert "Someone else changed this value after you opened the page." in (
        response.content.decode()
    )
    assert response.context["rows"][0].review["value"].value == Decimal(9)
    value.refresh_from_db()
    assert (value.status, value.version, value.validated_by) == ("submitted", 3, None)


def test_a_form_without_its_version_is_refused(cora: Client, value: IndicatorValue) -> None:
    response = cora.post(url(value), {})
    assert response.status_code == 422
    assert "The page was out of date: reload it and try again." in response.content.decode()
    value.refresh_from_db()
    assert value.status == "submitted"


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_validates(
    client: Client, value: IndicatorValue, who: str, request: pytest.FixtureRequest
) -> None:
    """Not even the partner whose value it is."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(entry_url(value)).context["rows"][0].review["can_validate"] is False
    assert client.post(url(value), {"version": value.version}).status_code == 403
    value.refresh_from_db()
    assert (value.status, value.version) == ("submitted", 1)


def test_outsider_gets_404(client: Client, outsider: User, value: IndicatorValue) -> None:
    client.force_login(outsider)
    assert client.post(url(value), {"version": value.version}).status_code == 404
    value.refresh_from_db()
    assert value.status == "submitted"


def test_a_value_of_another_project_gets_404(
    cora: Client, project: Project, value: IndicatorValue
) -> None:
    other = make_project("Other", slug="other")
    theirs = make_value(
        make_indicator(other, code="KPI1", reporting_partners=[]),
        make_partner(other, number=2),
        make_period(other),
        status=IndicatorValue.Status.SUBMITTED,
    )
    wrong = reverse("impact:value_validate", args=[project.slug, theirs.pk])
    assert cora.post(wrong, {"version": 1}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"


def test_anonymous_is_sent_to_login(client: Client, value: IndicatorValue) -> None:
    response = client.post(url(value), {"version": value.version})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    value.refresh_from_db()
    assert value.status == "submitted"


def test_get_is_not_allowed(cora: Client, value: IndicatorValue) -> None:
    assert cora.get(url(value)).status_code == 405
