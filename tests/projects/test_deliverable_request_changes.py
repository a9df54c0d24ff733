"""projects:deliverable_request_changes: the coordinator sends a deliverable in review back to the
lead partner, saying what should change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_request_changes", args=[d.project.slug, d.number])


def fresh(d: Deliverable) -> Deliverable:
    return Deliverable.objects.get(pk=d.pk)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def in_review(deliverable: Deliverable) -> Deliverable:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.IN_REVIEW)
    return fresh(deliverable)


def test_coordinator_requests_changes_with_a_comment(
    client: Client, coordinator: User, partner: User, in_review: Deliverable
) -> None:
    client.force_login(coordinator)

    response = client.post(
        url(in_review),
        {
            "version": in_review.version,
            "comment": "  Add the annexes.\nFix the table of contents. ",
        },
        follow=True,
    )

    assert response.redirect_chain == [(in_review.get_absolute_url(), 302)]
    assert messages_of(response) == ["Changes to D1.1 requested."]
    sent_back = fresh(in_review)
    assert sent_back.status == Deliverable.Status.CHANGES_REQUESTED
    assert sent_back.review_comment == "Add the annexes.\nFix the table of contents."
    record = sent_back.history.latest("history_id")
    assert (record.history_change_reason, record.history_user) == ("Changes requested", coordinator)
    # The lead partner sees the request on the deliverable's page, and may submit again.
    client.force_login(partner)
    html = client.get(in_review.get_absolute_url()).content.decode()
    assert "Add the annexes.<br>Fix the table of contents." in html
    assert reverse("projects:deliverable_submit", args=["co-resp", "D1.1"]) in html


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_request_without_a_comment_is_refused(
    client: Client, coordinator: User, in_review: Deliverable, comment: str
) -> None:
    client.force_login(coordinator)
    response = client.post(url(in_review), {"version": in_review.version, "comment": comment})
    assert response.status_code == 422
    assert response.context["changes_form"].errors["comment"] == ["This field is required."]
    assert fresh(in_review).status == Deliverable.Status.IN_REVIEW


@pytest.mark.parametrize(
    "status",
    [Deliverable.Status.PLANNED, Deliverable.Status.APPROVED, Deliverable.Status.SUBMITTED],
)
def test_only_a_deliverable_in_review_can_be_sent_back(
    client: Client, coordinator: User, deliverable: Deliverable, status: str
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=status)
    client.force_login(coordinator)

    response = client.post(url(deliverable), {"version": 1, "comment": "More detail."})

    assert response.status_code == 422
    label = Deliverable.Status(status).label.lower()
    assert f"D1.1 is {label}: it cannot be" in response.content.decode()
    stored = fresh(deliverable)
    assert (stored.status, stored.review_comment, stored.version) == (status, "", 1)


def test_a_stale_version_is_refused_with_a_message_and_changes_nothing(
    client: Client, coordinator: User, in_review: Deliverable
) -> None:
    client.force_login(coordinator)
    Deliverable.objects.filter(pk=in_review.pk).update(version=5)
    response = client.post(url(in_review), {"version": 1, "comment": "More detail."}, follow=True)
    assert messages_of(response)[0].startswith("Someone else changed this deliverable")
    stored = fresh(in_review)
    assert (stored.status, stored.review_comment) == (Deliverable.Status.IN_REVIEW, "")


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_requests_changes(
    client: Client, in_review: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(in_review), {"version": 1, "comment": "Looks wrong to me."})
    assert response.status_code == 403
    assert fresh(in_review).status == Deliverable.Status.IN_REVIEW


def test_outsider_gets_404(client: Client, outsider: User, in_review: Deliverable) -> None:
    client.force_login(outsider)
    assert client.post(url(in_review), {"version": 1, "comment": "x"}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, in_review: Deliverable) -> None:
    response = client.post(url(in_review), {"version": 1, "comment": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_get_is_not_allowed(client: Client, coordinator: User, in_review: Deliverable) -> None:
    client.force_login(coordinator)
    assert client.get(url(in_review)).status_code == 405
