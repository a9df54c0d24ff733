"""Notifications of the deliverable review cycle: made by the workflow (projects.workflows.
move_deliverable) in the transaction of the change, for exactly the people concerned: the
coordinators when a deliverable is sent for review, the lead partner's people when the reviewer
answers; never the person who acted, nobody outside the project, nothing for a refused change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, Membership, Notification, Project
from tests.factories import make_membership, make_user

pytestmark = pytest.mark.django_db


def post(client: Client, user: User, d: Deliverable, action: str, **data: object) -> None:
    client.force_login(user)
    response = client.post(
        reverse(f"projects:deliverable_{action}", args=[d.project.slug, d.number]),
        {"version": Deliverable.objects.get(pk=d.pk).version, **data},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def set_status(d: Deliverable, status: str) -> None:
    Deliverable.objects.filter(pk=d.pk).update(status=status)


def told(kind: str | None = None) -> set[str]:
    rows = Notification.objects.all()
    if kind is not None:
        rows = rows.filter(kind=kind)
    return {n.recipient.email for n in rows}


@pytest.fixture
def second_coordinator(project: Project) -> User:
    user = make_user("co.coordinator@example.org", full_name="Cody Second")
    make_membership(
        user, project, role=Membership.Role.COORDINATOR, partner=project.partners.get(number=1)
    )
    return user


@pytest.fixture
def cast(
    coordinator: User, partner: User, other_partner: User, observer: User, outsider: User
) -> None:
    """Everyone in the project, and one person outside it."""


def test_sent_for_review_tells_the_coordinators_only(
    client: Client, cast: None, second_coordinator: User, partner: User, deliverable: Deliverable
) -> None:
    post(client, partner, deliverable, "submit")

    assert told() == {"coordinator@example.org", "co.coordinator@example.org"}
    notification = Notification.objects.get(recipient__email="coordinator@example.org")
    assert notification.kind == Notification.Kind.DELIVERABLE_IN_REVIEW
    assert notification.text == "D1.1 Project handbook is sent for review."
    assert notification.actor == partner
    assert notification.link == deliverable.get_absolute_url()
    assert notification.about == deliverable
    assert notification.read_at is None


@pytest.mark.parametrize(
    ("action", "status", "data", "kind", "text"),
    [
        (
            "request_changes",
            Deliverable.Status.IN_REVIEW,
            {"comment": "Add the annexes."},
            Notification.Kind.DELIVERABLE_CHANGES_REQUESTED,
            "Changes are requested on D1.1 Project handbook.",
        ),
        (
            "approve",
            Deliverable.Status.IN_REVIEW,
            {},
            Notification.Kind.DELIVERABLE_APPROVED,
            "D1.1 Project handbook is approved.",
        ),
        (
            "record_submission",
            Deliverable.Status.APPROVED,
            {"submitted_date": "2023-03-30", "delay_justification": ""},
            Notification.Kind.DELIVERABLE_SUBMITTED,
            "D1.1 Project handbook is recorded as submitted to the funder.",
        ),
    ],
)
def test_the_reviewers_answer_tells_the_lead_partners_people(
    client: Client,
    cast: None,
    coordinator: User,
    deliverable: Deliverable,
    action: str,
    status: str,
    data: dict[str, str],
    kind: str,
    text: str,
) -> None:
    colleague = make_user("colleague@example.org", full_name="Cole League")
    make_membership(
        colleague,
        deliverable.project,
        role=Membership.Role.PARTNER,
        partner=deliverable.project.partners.get(number=2),
    )
    set_status(deliverable, status)

    post(client, coordinator, deliverable, action, **data)

    # P2's two people; not the coordinator who acted, not P3, the observer or the outsider.
    assert told() == {"partner@example.org", "colleague@example.org"}
    assert {n.kind for n in Notification.objects.all()} == {kind}
    assert {n.text for n in Notification.objects.all()} == {text}


def test_starting_work_tells_no_one(
    client: Client, cast: None, partner: User, deliverable: Deliverable
) -> None:
    post(client, partner, deliverable, "start")

    assert Deliverable.objects.get(pk=deliverable.pk).status == Deliverable.Status.IN_PREPARATION
    assert not Notification.objects.exists()


def test_the_coordinator_submitting_their_own_deliverable_is_not_told(
    client: Client,
    cast: None,
    coordinator: User,
    second_coordinator: User,
    deliverable: Deliverable,
) -> None:
    post(client, coordinator, deliverable, "submit")

    assert told() == {"co.coordinator@example.org"}


def test_a_refused_or_stale_change_tells_no_one(
    client: Client, cast: None, partner: User, coordinator: User, deliverable: Deliverable
) -> None:
    client.force_login(coordinator)
    url = reverse("projects:deliverable_approve", args=[deliverable.project.slug, "D1.1"])
    # Planned, so it cannot be approved; then in review but with a stale version.
    assert client.post(url, {"version": 1}).status_code == 422
    set_status(deliverable, Deliverable.Status.IN_REVIEW)
    Deliverable.objects.filter(pk=deliverable.pk).update(version=5)
    # A stale state change goes back to the page with a message (a second click on Approve).
    assert client.post(url, {"version": 1}).status_code == 302

    assert Deliverable.objects.get(pk=deliverable.pk).status == Deliverable.Status.IN_REVIEW
    assert not Notification.objects.exists()


def test_a_member_who_left_is_not_told(
    client: Client, cast: None, coordinator: User, partner: User, deliverable: Deliverable
) -> None:
    Membership.objects.filter(user=coordinator).update(is_active=False)

    post(client, partner, deliverable, "submit")

    assert not Notification.objects.exists()


def test_the_text_is_written_in_the_readers_language(
    client: Client, cast: None, partner: User, deliverable: Deliverable
) -> None:
    from django.utils import translation

    post(client, partner, deliverable, "submit")
    notification = Notification.objects.get()

    with translation.override("de"):
        text = notification.text
    assert text != "D1.1 Project handbook is sent for review."
    assert "D1.1 Project handbook" in text


def test_the_notification_is_dated_when_the_change_happened(
    client: Client, cast: None, partner: User, deliverable: Deliverable
) -> None:
    from django.utils import timezone

    before = timezone.now()
    post(client, partner, deliverable, "submit")

    created = Notification.objects.get().created_at
    assert before <= created <= timezone.now() + dt.timedelta(seconds=1)
