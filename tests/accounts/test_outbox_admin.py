"""The outbox in Django admin (accounts/admin_outbox.py): read-only rows, and "send again" for
the failed ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from accounts.admin_outbox import OutboxEmailAdmin
from accounts.models import OutboxEmail
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]


def admin_request(**user_fields: Any) -> HttpRequest:
    request = RequestFactory().post("/admin/accounts/outboxemail/")
    request.user = make_user("admin@example.org", is_staff=True, **user_fields)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def make_email(status: str, to: str) -> OutboxEmail:
    return OutboxEmail.objects.create(
        to_address=to,
        subject="Hello",
        body_text="Plain words.",
        status=status,
        attempts=OutboxEmail.MAX_ATTEMPTS if status == OutboxEmail.Status.FAILED else 1,
        last_error="ConnectionRefusedError" if status == OutboxEmail.Status.FAILED else "",
        sent_at=timezone.now() if status == OutboxEmail.Status.SENT else None,
    )


def test_send_again_queues_the_failed_emails_only_and_they_leave(
    django_capture_on_commit_callbacks: Any,
) -> None:
    failed = make_email(OutboxEmail.Status.FAILED, "ana@example.org")
    sent = make_email(OutboxEmail.Status.SENT, "ben@example.org")
    request = admin_request(is_superuser=True)
    model_admin = OutboxEmailAdmin(OutboxEmail, admin.site)

    with django_capture_on_commit_callbacks(execute=True):
        model_admin.send_again(request, OutboxEmail.objects.all())

    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxEmail.Status.SENT, 1)
    sent.refresh_from_db()
    assert sent.attempts == 1  # untouched
    assert [str(m) for m in get_messages(request)] == [
        "1 email queued to be sent again.",
        "1 email was not failed and was left as it is.",
    ]


def test_the_outbox_cannot_be_edited_added_or_deleted_in_admin() -> None:
    request = admin_request(is_superuser=True)
    model_admin = OutboxEmailAdmin(OutboxEmail, admin.site)
    email = make_email(OutboxEmail.Status.SENT, "ana@example.org")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, email)
    assert not model_admin.has_delete_permission(request, email)
    assert model_admin.has_view_permission(request, email)


def test_staff_without_the_change_permission_cannot_send_again() -> None:
    request = admin_request()
    model_admin = OutboxEmailAdmin(OutboxEmail, admin.site)
    assert not model_admin.has_send_again_permission(request)
    assert "send_again" not in model_admin.get_actions(request)
