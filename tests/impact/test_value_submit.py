"""impact:value_submit: the partner's staff and the coordinator send a draft value to the
coordinator (IndicatorValue.submit, through the versioned-edit door: a stale page is refused).
The figures are checked again, the evidence the indicator asks for must be there, and nothing of
a locked period is submitted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from impact.models import Indicator, IndicatorValue, ValueEvidence
from projects.models import Project, ReportingPeriod
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def value(project: Project) -> IndicatorValue:
    """P2's draft for KPI1 in RP1, sent back once before (its old comment is cleared on
    submission)."""
    kpi1 = make_indicator(project, code="KPI1")
    return make_value(
        kpi1, project.partners.get(number=2), make_period(project),
        review_comment="Add the data source.",
    )  # fmt: skip


@pytest.fixture
def pat(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def url(value: IndicatorValue) -> str:
    return reverse("impact:value_submit", args=[value.indicator.project.slug, value.pk])


def entry_url(value: IndicatorValue) -> str:
    project = value.indicator.project
    return (
        reverse("impact:value_entry", args=[project.slug, 2, 1]) + "?indicator=KPI1#indicator-KPI1"
    )


def test_the_partner_submits_its_draft(pat: Client, partner: User, value: IndicatorValue) -> None:
    before = timezone.now()

    response = pat.post(url(value), {"version": value.version})

    assert response.status_code == 302
    assert response["Location"] == entry_url(value)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "KPI1 for RP1 submitted to the coordinator for validation."
    ]
    value.refresh_from_db()
    assert (value.status, value.version, value.review_comment) == ("submitted", 2, "")
    assert value.submitted_at is not None
    assert before <= value.submitted_at <= timezone.now()
    record = value.history.latest()
    assert (record.history_user, record.history_change_reason) == (partner, "Submitted")


def test_the_coordinator_may_submit_too(
    client: Client, coordinator: User, value: IndicatorValue
) -> None:
    client.force_login(coordinator)
    assert client.post(url(value), {"version": value.version}).status_code == 302
    value.refresh_from_db()
    assert value.status == "submitted"


@pytest.mark.parametrize(
    "status", [IndicatorValue.Status.SUBMITTED, IndicatorValue.Status.VALIDATED]
)
def test_only_a_draft_is_submitted(pat: Client, value: IndicatorValue, status: str) -> None:
    IndicatorValue.objects.filter(pk=value.pk).update(status=status)

    response = pat.post(url(value), {"version": value.version})

    assert response.status_code == 422
    assert response.context["refused"] == ["Only a draft can be submitted."]
    html = response.content.decode()
    assert "Nothing was saved:" in html
    assert 'href="#indicator-KPI1"' in html
    value.refresh_from_db()
    assert (value.status, value.version) == (status, 1)


def test_evidence_the_indicator_asks_for_must_be_there_first(
    pat: Client, value: IndicatorValue
) -> None:
    Indicator.objects.filter(pk=value.indicator_id).update(requires_evidence=True)

    page = pat.get(entry_url(value))
    review = page.context["rows"][0].review
    assert (review["needs_evidence"], review["can_submit"]) == (True, False)
    assert "KPI1 asks for evidence: add a file that backs the figure before submitting it." in (
        page.content.decode()
    )
    response = pat.post(url(value), {"version": value.version})

    assert response.status_code == 422
    assert response.context["refused"] == [
        "KPI1 asks for evidence: add a file that backs the figure before submitting it."
    ]
    value.refresh_from_db()
    assert (value.status, value.version) == ("draft", 1)

    ValueEvidence.objects.create(
        value=value,
        file="impact/evidence/1/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    assert pat.get(entry_url(value)).context["rows"][0].review["can_submit"] is True
    assert pat.post(url(value), {"version": value.version}).status_code == 302
    value.refresh_from_db()
    assert value.status == "submitted"


def test_the_figures_are_checked_again(pat: Client, value: IndicatorValue) -> None:
    """The indicator now asks for a breakdown the draft does not have."""
    Indicator.objects.filter(pk=value.indicator_id).update(
        disaggregations=[Indicator.Disaggregation.GENDER]
    )
    response = pat.post(url(value), {"version": value.version})
    assert response.status_code == 422
    assert response.context["refused"] == ["KPI1 asks for the breakdown by gender."]
    value.refresh_from_db()
    assert value.status == "draft"


def test_nothing_of_a_locked_period_is_submitted(
    client: Client, coordinator: User, value: IndicatorValue
) -> None:
    ReportingPeriod.objects.filter(pk=value.period_id).update(is_locked=True)
    client.force_login(coordinator)
    response = client.post(url(value), {"version": value.version})
    assert response.status_code == 422
    assert response.context["refused"] == [
        "RP1 is locked: it was reported to the funder and is kept as it was."
    ]
    value.refresh_from_db()
    assert (value.status, value.version) == ("draft", 1)


def test_a_stale_page_is_refused_with_the_current_state(pat: Client, value: IndicatorValue) -> None:
    """Someone corrected the figure after this page was loaded: it is checked again."""
    IndicatorValue.objects.filter(pk=value.pk).update(version=2, value=Decimal(7))

    response = pat.post(url(value), {"version": 1})

    assert response.status_code == 409
    assert response.context["refused"] == [
        "Someone else changed this value after you opened the page. Nothing of yours was "
        "saved: check its current state below and try again."
    ]
    review = response.context["rows"][0].review
    assert review["value"].value == Decimal(7)  # the figure as it is now
    assert review["can_submit"] is True
    value.refresh_from_db()
    assert (value.status, value.version) == ("draft", 2)


@pytest.mark.parametrize("data", [{}, {"version": "x"}])
def test_a_form_without_its_version_is_refused(
    pat: Client, value: IndicatorValue, data: dict[str, str]
) -> None:
    response = pat.post(url(value), data)
    assert response.status_code == 422
    assert "The page was out of date: reload it and try again." in response.content.decode()
    value.refresh_from_db()
    assert value.status == "draft"


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403_and_nothing_changes(
    client: Client, value: IndicatorValue, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(value), {"version": value.version}).status_code == 403
    value.refresh_from_db()
    assert (value.status, value.version) == ("draft", 1)


def test_outsider_gets_404(client: Client, outsider: User, value: IndicatorValue) -> None:
    client.force_login(outsider)
    assert client.post(url(value), {"version": value.version}).status_code == 404
    value.refresh_from_db()
    assert value.status == "draft"


def test_a_value_of_another_project_gets_404(
    pat: Client, project: Project, value: IndicatorValue
) -> None:
    other = make_project("Other", slug="other")
    theirs = make_value(
        make_indicator(other, code="KPI1", reporting_partners=[]),
        make_partner(other, number=2),
        make_period(other),
    )
    wrong = reverse("impact:value_submit", args=[project.slug, theirs.pk])
    assert pat.post(wrong, {"version": 1}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "draft"


def test_anonymous_is_sent_to_login(client: Client, value: IndicatorValue) -> None:
    response = client.post(url(value), {"version": value.version})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    value.refresh_from_db()
    assert value.status == "draft"


def test_get_is_not_allowed(pat: Client, value: IndicatorValue) -> None:
    assert pat.get(url(value)).status_code == 405
