"""projects:deliverable_approve: the coordinator approves a deliverable in review."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_approve", args=[d.project.slug, d.number])


def fresh(d: Deliverable) -> Deliverable:
    return Deliverable.objects.get(pk=d.pk)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def in_review(deliverable: Deliverable) -> Deliverable:
    Deliverable.objects.filter(pk=deliverable.pk).update(
        status=Deliverable.Status.IN_REVIEW, review_comment="An old request, since addressed."
    )
    return fresh(deliverable)


def test_coordinator_approves_a_deliverable_in_review(
    client: Client, coordinator: User, in_review: Deliverable
) -> None:
    client.force_login(coordinator)

    response = client.post(url(in_review), {"version": in_review.version}, follow=True)

    assert response.redirect_chain == [(in_review.get_absolute_url(), 302)]
    assert messages_of(response) == ["D1.1 approved."]
    approved = fresh(in_review)
    assert approved.status == Deliverable.Status.APPROVED
    assert approved.review_comment == ""  # the old request is settled
    assert approved.version == in_review.version + 1
    record = approved.history.latest("history_id")
    assert (record.history_change_reason, record.history_user) == ("Approved", coordinator)


@pytest.mark.parametrize(
    "status",
    [
        Deliverable.Status.PLANNED,
        Deliverable.Status.IN_PREPARATION,
        Deliverable.Status.CHANGES_REQUESTED,
        Deliverable.Status.APPROVED,
        Deliverable.Status.SUBMITTED,
    ],
)
def test_only_a_deliverable_in_review_can_be_approved(
    client: Client, coordinator: User, deliverable: Deliverable, status: str
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(status=status)
    client.force_login(coordinator)

    response = client.post(url(deliverable), {"version": 1})

    assert response.status_code == 422
    label = Deliverable.Status(status).label.lower()
    assert f"D1.1 is {label}: it cannot be approved now." in response.content.decode()
    assert fresh(deliverable).status == status
    assert fresh(deliverable).version == 1


def test_a_stale_version_is_refused_with_a_message_and_changes_nothing(
    client: Client, coordinator: User, in_review: Deliverable
) -> None:
    client.force_login(coordinator)
    # The partner uploaded a correction and resubmitted after the coordinator opened the page.
    Deliverable.objects.filter(pk=in_review.pk).update(version=in_review.version + 2)

    response = client.post(url(in_review), {"version": in_review.version}, follow=True)

    assert messages_of(response)[0].startswith("Someone else changed this deliverable")
    assert fresh(in_review).status == Deliverable.Status.IN_REVIEW


def test_approving_twice_from_the_same_page_approves_once(
    client: Client, coordinator: User, in_review: Deliverable
) -> None:
    client.force_login(coordinator)
    client.post(url(in_review), {"version": in_review.version})
    second = client.post(url(in_review), {"version": in_review.version})
    assert second.status_code == 422  # it is approved already: nothing to do
    assert fresh(in_review).history.filter(history_change_reason="Approved").count() == 1


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_approves(
    client: Client, in_review: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(in_review), {"version": in_review.version}).status_code == 403
    assert fresh(in_review).status == Deliverable.Status.IN_REVIEW


def test_outsider_gets_404(client: Client, outsider: User, in_review: Deliverable) -> None:
    client.force_login(outsider)
    assert client.post(url(in_review), {"version": in_review.version}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, in_review: Deliverable) -> None:
    response = client.post(url(in_review), {"version": in_review.version})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert fresh(in_review).status == Deliverable.Status.IN_REVIEW


def test_get_is_not_allowed(client: Client, coordinator: User, in_review: Deliverable) -> None:
    client.force_login(coordinator)
    assert client.get(url(in_review)).status_code == 405
