"""The inbox (projects:notification_list and friends): a person reads, filters, opens and marks
read their own notifications, about projects they still belong to, and nobody else's."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, Membership, Notification, Project
from tests.factories import make_membership, make_organisation, make_partner, make_project

pytestmark = pytest.mark.django_db

INBOX = reverse("projects:notification_list")
COUNT = reverse("projects:notification_count")
READ_ALL = reverse("projects:notification_read_all")


def tell(
    user: User,
    d: Deliverable,
    kind: str = Notification.Kind.DELIVERABLE_IN_REVIEW,
    project: Project | None = None,
) -> Notification:
    return Notification.objects.create(
        recipient=user,
        project=project or d.project,
        kind=kind,
        content_type=ContentType.objects.get_for_model(d),
        object_id=d.pk,
        subject=f"{d.number} {d.title}",
        link=d.get_absolute_url(),
    )


def open_url(n: Notification) -> str:
    return reverse("projects:notification_open", args=[n.pk])


def test_the_inbox_lists_ones_own_notifications(
    client: Client, coordinator: User, partner: User, deliverable: Deliverable
) -> None:
    tell(coordinator, deliverable)
    tell(partner, deliverable, Notification.Kind.DELIVERABLE_APPROVED)
    client.force_login(coordinator)

    html = client.get(INBOX).content.decode()

    assert "D1.1 Project handbook is sent for review." in html
    assert "D1.1 Project handbook is approved." not in html  # the partner's
    assert "1 unread notification." in html
    assert "Unread" in html  # the state in words, not only by colour


def test_an_empty_inbox_says_what_will_come(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)

    html = client.get(INBOX).content.decode()

    assert "No notifications yet." in html
    assert "Mark all as read" not in html


def test_a_member_who_left_the_project_no_longer_reads_its_notifications(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    n = tell(coordinator, deliverable)
    Membership.objects.filter(user=coordinator).update(is_active=False)
    client.force_login(coordinator)

    assert "Project handbook" not in client.get(INBOX).content.decode()
    assert client.post(open_url(n)).status_code == 404


def test_opening_marks_read_and_goes_to_the_record(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    n = tell(coordinator, deliverable)
    client.force_login(coordinator)

    response = client.post(open_url(n))

    assert response.status_code == 302
    assert response["Location"] == deliverable.get_absolute_url()
    assert Notification.objects.get(pk=n.pk).read_at is not None


def test_someone_elses_notification_is_not_revealed(
    client: Client, coordinator: User, partner: User, deliverable: Deliverable
) -> None:
    n = tell(coordinator, deliverable)
    client.force_login(partner)

    assert client.post(open_url(n)).status_code == 404
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_a_stored_link_off_the_site_is_not_followed(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    n = tell(coordinator, deliverable)
    Notification.objects.filter(pk=n.pk).update(link="https://evil.example/")
    client.force_login(coordinator)

    assert client.post(open_url(n))["Location"] == INBOX


def test_mark_all_read_marks_only_ones_own(
    client: Client, coordinator: User, partner: User, deliverable: Deliverable
) -> None:
    tell(coordinator, deliverable)
    tell(coordinator, deliverable, Notification.Kind.DELIVERABLE_APPROVED)
    theirs = tell(partner, deliverable)
    client.force_login(coordinator)

    response = client.post(READ_ALL, follow=True)

    assert "2 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=coordinator, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_count_fragment_gives_the_unread_number(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    client.force_login(coordinator)
    assert "unread" not in client.get(COUNT).content.decode()

    tell(coordinator, deliverable)
    tell(coordinator, deliverable)
    response = client.get(COUNT)

    assert "2 unread" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_filters_by_unread_project_and_kind(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    other = make_project("OTHER")
    make_partner(other, make_organisation("Elsewhere"), number=1)
    make_membership(coordinator, other, role=Membership.Role.PARTNER, partner=other.partners.get())
    read = tell(coordinator, deliverable, Notification.Kind.DELIVERABLE_APPROVED)
    Notification.objects.filter(pk=read.pk).update(subject="D1.1 Read one")
    Notification.objects.filter(pk=read.pk).update(read_at="2023-01-01T00:00:00Z")
    tell(coordinator, deliverable, Notification.Kind.DELIVERABLE_IN_REVIEW)
    elsewhere = tell(coordinator, deliverable, project=other)
    Notification.objects.filter(pk=elsewhere.pk).update(subject="D9.9 Elsewhere")
    client.force_login(coordinator)

    unread = client.get(INBOX, {"unread": "true"}).content.decode()
    assert "Read one" not in unread and "Project handbook" in unread

    only_other = client.get(INBOX, {"project": other.pk}).content.decode()
    assert "D9.9 Elsewhere" in only_other and "Project handbook" not in only_other

    approved = client.get(INBOX, {"kind": Notification.Kind.DELIVERABLE_APPROVED}).content
    assert b"Read one" in approved and b"Project handbook" not in approved

    nothing = client.get(INBOX, {"kind": Notification.Kind.DELIVERABLE_SUBMITTED}).content
    assert b"No notification matches these filters." in nothing


def test_a_project_one_is_not_in_cannot_be_chosen(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    stranger = make_project("SECRET")
    client.force_login(coordinator)

    response = client.get(INBOX, {"project": stranger.pk})

    assert response.status_code == 200
    assert "SECRET" not in response.content.decode()


def test_the_inbox_runs_the_same_queries_for_5_and_60_notifications(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INBOX).status_code == 200
        return len(queries)

    for _ in range(5):
        tell(coordinator, deliverable)
    client.force_login(coordinator)
    few = measure()
    for _ in range(55):
        tell(coordinator, deliverable)
    many = measure()

    # session, user, the unread count, the projects of the filter, the page's count and rows.
    assert few == many == 6


def test_every_page_links_the_inbox_and_asks_for_the_count_after_loading(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    tell(coordinator, deliverable)
    client.force_login(coordinator)

    html = client.get(deliverable.get_absolute_url()).content.decode()

    assert f'<a href="{INBOX}">Notifications</a>' in html
    assert f'data-hx-get="{COUNT}" data-hx-trigger="load, every 30s"' in html
    assert "1 unread" not in html  # the page itself does not count (no query for it)
