"""projects:risk_review_add and projects.workflows.review_risk: a dated review; the latest one sets
the risk's current likelihood, impact and status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.models import Project, Risk, RiskReview
from projects.workflows import review_risk
from tests.factories import make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(project: Project) -> Risk:
    """R1, owned by P2 (the `partner`'s organisation), likelihood and impact medium, open."""
    return make_risk(project, owner=project.partners.get(number=2))


def url(risk: Risk) -> str:
    return reverse("projects:risk_review_add", args=[risk.project.slug, risk.number])


def review(**changes: Any) -> dict[str, Any]:
    return {
        "review_date": "2023-05-02",
        "likelihood": "3",
        "impact": "2",
        "status": "monitored",
        "note": "Two roundtables had fewer than ten people.",
        **changes,
    }


def test_a_review_is_logged_and_sets_the_current_scores(
    client: Client, partner: User, risk: Risk
) -> None:
    client.force_login(partner)

    response = client.post(url(risk), review(), follow=True)

    assert response.redirect_chain == [(risk.get_absolute_url(), 302)]
    assert "Review of R1 recorded; its scores are updated." in response.content.decode()
    logged = RiskReview.objects.get()
    assert (logged.review_date, logged.likelihood, logged.impact, logged.status) == (
        dt.date(2023, 5, 2),
        3,
        2,
        "monitored",
    )
    assert logged.reviewed_by == partner
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (3, 2, "monitored")
    assert risk.version == 2
    record = risk.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        partner,
        "Reviewed on 02 May 2023",
    )


def test_a_review_dated_before_the_latest_is_logged_but_does_not_change_the_scores(
    client: Client, coordinator: User, risk: Risk
) -> None:
    client.force_login(coordinator)
    client.post(url(risk), review(review_date="2023-05-02", likelihood="3", impact="3"))

    response = client.post(
        url(risk),
        review(review_date="2023-04-01", likelihood="1", impact="1", status="closed"),
        follow=True,
    )

    assert "A later review still sets its current scores." in response.content.decode()
    assert RiskReview.objects.count() == 2
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (3, 3, "monitored")


def test_of_two_reviews_on_the_same_day_the_newer_one_counts(coordinator: User, risk: Risk) -> None:
    day = dt.date(2023, 5, 2)
    review_risk(
        risk,
        by=coordinator,
        review_date=day,
        likelihood=3,
        impact=3,
        status="open",
        note="Morning.",
    )
    review_risk(
        risk,
        by=coordinator,
        review_date=day,
        likelihood=1,
        impact=2,
        status="monitored",
        note="Afternoon.",
    )

    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (1, 2, "monitored")


def test_a_review_makes_an_edit_form_opened_before_it_stale(
    client: Client, coordinator: User, partner: User, risk: Risk
) -> None:
    """Otherwise the edit would write the old scores back over the review's."""
    loaded_version = risk.version
    review_risk(
        risk,
        by=coordinator,
        review_date=dt.date(2023, 5, 2),
        likelihood=3,
        impact=3,
        status="open",
        note="Worse.",
    )
    client.force_login(partner)

    response = client.post(
        reverse("projects:risk_edit", args=["co-resp", 1]),
        {
            "title": "Edited",
            "description": risk.description,
            "category": risk.category,
            "owner": str(risk.owner_id),
            "version": str(loaded_version),
        },
    )

    assert response.status_code == 409
    risk.refresh_from_db()
    assert (risk.title, risk.likelihood, risk.impact) == ("Low turnout at local roundtables", 3, 3)


def test_a_future_date_is_refused_and_nothing_is_saved(
    client: Client, coordinator: User, risk: Risk
) -> None:
    client.force_login(coordinator)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(url(risk), review(review_date=tomorrow.isoformat()))

    assert response.status_code == 422
    assert "The date is in the future." in response.content.decode()
    assert not RiskReview.objects.exists()
    risk.refresh_from_db()
    assert (risk.likelihood, risk.version) == (2, 1)


def test_bad_input_is_refused_with_errors_on_the_risk_page(
    client: Client, coordinator: User, risk: Risk
) -> None:
    client.force_login(coordinator)

    response = client.post(url(risk), review(note="", likelihood="5", status="forgotten"))

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"note", "likelihood", "status"}
    assert "R1 Low turnout at local roundtables" in response.content.decode()  # the risk's page
    assert not RiskReview.objects.exists()
    risk.refresh_from_db()
    assert (risk.likelihood, risk.status) == (2, "open")


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_may_not_review(
    client: Client, risk: Risk, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.post(url(risk), review()).status_code == 403
    assert not RiskReview.objects.exists()


def test_outsider_gets_404(client: Client, outsider: User, risk: Risk) -> None:
    client.force_login(outsider)
    assert client.post(url(risk), review()).status_code == 404
    assert not RiskReview.objects.exists()


def test_anonymous_is_sent_to_login(client: Client, risk: Risk) -> None:
    response = client.post(url(risk), review())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not RiskReview.objects.exists()


def test_get_is_not_allowed(client: Client, coordinator: User, risk: Risk) -> None:
    client.force_login(coordinator)
    assert client.get(url(risk)).status_code == 405
