"""accounts.workflows.invite_user: the one door for inviting a person, from any caller (admin,
a management command, an import), inside a request or not. The invitation goes through the
outbox (accounts/outbox.py); the task runs in this process on commit here."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction

from accounts.models import OutboxEmail
from accounts.workflows import invite_user
from tests.accounts.mailserver import SwitchableSMTP
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]


def test_invitation_is_mailed_on_commit_outside_a_request(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user("ines@example.org", password=None, verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        invite_user(user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ines@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    user.refresh_from_db()
    assert user.invited_at is not None
    assert EmailAddress.objects.get(user=user).verified


def test_no_invitation_is_mailed_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user("ines@example.org", password=None, verified=False)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite_user(user)
        raise RuntimeError("something after the invitation failed")
    assert callbacks == []
    assert mail.outbox == []
    user.refresh_from_db()
    assert user.invited_at is None


def test_the_invitation_is_an_outbox_row_for_the_invited_person(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user("ines@example.org", password=None, verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        invite_user(user)
    email = OutboxEmail.objects.get()
    assert (email.to_address, email.user, email.kind) == ("ines@example.org", user, "invitation")
    assert email.status == OutboxEmail.Status.SENT
    assert email.subject == mail.outbox[0].subject
    assert email.subject.startswith("[CO-RESP] ")


def test_an_invitation_made_while_smtp_is_down_is_kept_for_later(
    django_capture_on_commit_callbacks: Any, smtp_down: SwitchableSMTP
) -> None:
    user = make_user("ines@example.org", password=None, verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        invite_user(user)  # does not raise
    user.refresh_from_db()
    assert user.invited_at is not None
    email = OutboxEmail.objects.get()
    assert (email.status, email.attempts) == (OutboxEmail.Status.QUEUED, 1)
