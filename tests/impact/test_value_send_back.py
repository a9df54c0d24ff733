"""impact:value_send_back: the coordinator alone returns a submitted value to its partner as a
draft, saying what should change (IndicatorValue.send_back); a send-back without a comment is
refused on the field, a stale page keeps the comment, nothing of a locked period changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from impact.models import IndicatorValue
from projects.models import Project, ReportingPeriod
from tests.factories import make_partner, make_project
from tests.impact.factories import make_indicator, make_value
from tests.procurement.factories import make_period

pytestmark = pytest.mark.django_db

COMMENT = "The payroll extract lists six persons, not five."


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
    return reverse("impact:value_send_back", args=[value.indicator.project.slug, value.pk])


def entry_url(value: IndicatorValue) -> str:
    project = value.indicator.project
    return (
        reverse("impact:value_entry", args=[project.slug, 2, 1]) + "?indicator=KPI1#indicator-KPI1"
    )


def test_the_coordinator_sends_it_back_with_a_comment_and_the_partner_may_correct_it(
    cora: Client, coordinator: User, partner: User, value: IndicatorValue
) -> None:
    response = cora.post(url(value), {"version": value.version, "comment": f"  {COMMENT} "})

    assert response.status_code == 302
    assert response["Location"] == entry_url(value)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "KPI1 for RP1 sent back to P2 CoopLab with your comment."
    ]
    value.refresh_from_db()
    assert (value.status, value.version, value.review_comment) == ("draft", 2, COMMENT)
    record = value.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Sent back")
    # Back with the partner: a draft again, its entry page and edit form showing the comment.
    pat = Client()
    pat.force_login(partner)
    page = pat.get(entry_url(value))
    assert page.context["rows"][0].review["can_edit"] is True
    assert COMMENT in page.content.decode()
    edit = pat.get(reverse("impact:value_edit", args=[value.indicator.project.slug, value.pk]))
    assert edit.status_code == 200
    assert COMMENT in edit.content.decode()


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_send_back_without_a_comment_is_refused_on_the_field(
    cora: Client, value: IndicatorValue, comment: str
) -> None:
    response = cora.post(url(value), {"version": value.version, "comment": comment})

    assert response.status_code == 422
    form = response.context["rows"][0].review["send_back_form"]
    assert form.errors["comment"] == ["Say what should change."]
    assert form.auto_id == "value-KPI1-back-%s"
    html = response.content.decode()
    assert "Say what should change." in html
    value.refresh_from_db()
    assert (value.status, value.version, value.review_comment) == ("submitted", 1, "")


@pytest.mark.parametrize("status", [IndicatorValue.Status.DRAFT, IndicatorValue.Status.VALIDATED])
def test_only_a_submitted_value_is_sent_back(
    cora: Client, value: IndicatorValue, status: str
) -> None:
    IndicatorValue.objects.filter(pk=value.pk).update(status=status)

    response = cora.post(url(value), {"version": value.version, "comment": COMMENT})

    assert response.status_code == 422
    assert response.context["refused"] == ["Only a submitted value can be sent back."]
    value.refresh_from_db()
    assert (value.status, value.review_comment) == (status, "")


def test_nothing_of_a_locked_period_is_sent_back(cora: Client, value: IndicatorValue) -> None:
    ReportingPeriod.objects.filter(pk=value.period_id).update(is_locked=True)
    assert cora.get(entry_url(value)).context["rows"][0].review["can_send_back"] is False

    response = cora.post(url(value), {"version": value.version, "comment": COMMENT})

    assert response.status_code == 422
    assert response.context["refused"] == [
        "RP1 is locked: it was reported to the funder and is kept as it was."
    ]
    value.refresh_from_db()
    assert (value.status, value.review_comment) == ("submitted", "")


def test_a_stale_page_is_refused_keeping_the_comment(cora: Client, value: IndicatorValue) -> None:
    IndicatorValue.objects.filter(pk=value.pk).update(version=3, value=Decimal(9))

    response = cora.post(url(value), {"version": 1, "comment": COMMENT})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this value after you opened the page." in html
    form = response.context["rows"][0].review["send_back_form"]
    # The comment is kept, against the version now shown: sending it again is deliberate.
    assert (form["comment"].value(), form["version"].value()) == (COMMENT, 3)
    assert COMMENT in html
    value.refresh_from_db()
    assert (value.status, value.review_comment) == ("submitted", "")


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_sends_back(
    client: Client, value: IndicatorValue, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(entry_url(value)).context["rows"][0].review["can_send_back"] is False
    response = client.post(url(value), {"version": value.version, "comment": COMMENT})
    assert response.status_code == 403
    value.refresh_from_db()
    assert (value.status, value.review_comment) == ("submitted", "")


def test_outsider_gets_404(client: Client, outsider: User, value: IndicatorValue) -> None:
    client.force_login(outsider)
    response = client.post(url(value), {"version": value.version, "comment": COMMENT})
    assert response.status_code == 404
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
    wrong = reverse("impact:value_send_back", args=[project.slug, theirs.pk])
    assert cora.post(wrong, {"version": 1, "comment": COMMENT}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"


def test_anonymous_is_sent_to_login(client: Client, value: IndicatorValue) -> None:
    response = client.post(url(value), {"version": value.version, "comment": COMMENT})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    value.refresh_from_db()
    assert value.status == "submitted"


def test_get_is_not_allowed(cora: Client, value: IndicatorValue) -> None:
    assert cora.get(url(value)).status_code == 405
