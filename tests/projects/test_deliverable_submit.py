"""projects:deliverable_submit: the lead organisation's staff (or the coordinator) send a
deliverable to the coordinator for review."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_submit", args=[d.project.slug, d.number])


def set_status(d: Deliverable, status: str) -> None:
    Deliverable.objects.filter(pk=d.pk).update(status=status)


def fresh(d: Deliverable) -> Deliverable:
    return Deliverable.objects.get(pk=d.pk)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize(
    "status",
    [
        Deliverable.Status.PLANNED,
        Deliverable.Status.IN_PREPARATION,
        Deliverable.Status.CHANGES_REQUESTED,
    ],
)
def test_partner_of_the_lead_organisation_submits_for_review(
    client: Client, partner: User, deliverable: Deliverable, status: str
) -> None:
    set_status(deliverable, status)
    client.force_login(partner)

    response = client.post(url(deliverable), {"version": 1}, follow=True)

    assert response.redirect_chain == [(deliverable.get_absolute_url(), 302)]
    assert fresh(deliverable).status == Deliverable.Status.IN_REVIEW
    assert fresh(deliverable).version == 2
    assert messages_of(response) == [
        "D1.1 is submitted for review. The coordinator will see it on their dashboard."
    ]
    record = deliverable.history.latest("history_id")
    assert record.history_change_reason == "Submitted for review"
    assert record.history_user == partner


def test_coordinator_may_submit_too(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    set_status(deliverable, Deliverable.Status.IN_PREPARATION)
    client.force_login(coordinator)
    assert client.post(url(deliverable), {"version": 1}).status_code == 302
    assert fresh(deliverable).status == Deliverable.Status.IN_REVIEW


@pytest.mark.parametrize(
    "status",
    [Deliverable.Status.IN_REVIEW, Deliverable.Status.APPROVED, Deliverable.Status.SUBMITTED],
)
def test_a_deliverable_in_review_or_done_cannot_be_submitted_again(
    client: Client, partner: User, deliverable: Deliverable, status: str
) -> None:
    set_status(deliverable, status)
    client.force_login(partner)

    response = client.post(url(deliverable), {"version": 1})

    assert response.status_code == 422
    # The reason is on the page, in plain English, even though no action is offered any more.
    label = Deliverable.Status(status).label.lower()
    assert f"D1.1 is {label}: it cannot be submitted for review now." in response.content.decode()
    assert fresh(deliverable).status == status
    assert fresh(deliverable).version == 1


def test_a_stale_version_is_refused_with_a_message_and_changes_nothing(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    set_status(deliverable, Deliverable.Status.IN_PREPARATION)
    Deliverable.objects.filter(pk=deliverable.pk).update(version=3)  # someone saved twice since
    client.force_login(partner)

    response = client.post(url(deliverable), {"version": 1}, follow=True)

    assert response.redirect_chain == [(deliverable.get_absolute_url(), 302)]
    assert messages_of(response)[0].startswith("Someone else changed this deliverable")
    assert fresh(deliverable).status == Deliverable.Status.IN_PREPARATION
    assert fresh(deliverable).version == 3


def test_a_post_without_the_version_is_refused(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    client.force_login(partner)
    response = client.post(url(deliverable), {})
    assert response.status_code == 422
    assert fresh(deliverable).status == Deliverable.Status.PLANNED


def test_partner_of_another_organisation_gets_403(
    client: Client, other_partner: User, deliverable: Deliverable
) -> None:
    set_status(deliverable, Deliverable.Status.IN_PREPARATION)
    client.force_login(other_partner)
    assert client.post(url(deliverable), {"version": 1}).status_code == 403
    assert fresh(deliverable).status == Deliverable.Status.IN_PREPARATION


def test_observer_gets_403(client: Client, observer: User, deliverable: Deliverable) -> None:
    set_status(deliverable, Deliverable.Status.IN_PREPARATION)
    client.force_login(observer)
    assert client.post(url(deliverable), {"version": 1}).status_code == 403
    assert fresh(deliverable).status == Deliverable.Status.IN_PREPARATION


def test_outsider_gets_404(client: Client, outsider: User, deliverable: Deliverable) -> None:
    client.force_login(outsider)
    assert client.post(url(deliverable), {"version": 1}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, deliverable: Deliverable) -> None:
    response = client.post(url(deliverable), {"version": 1})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert fresh(deliverable).status == Deliverable.Status.PLANNED


def test_get_is_not_allowed(client: Client, partner: User, deliverable: Deliverable) -> None:
    client.force_login(partner)
    assert client.get(url(deliverable)).status_code == 405
