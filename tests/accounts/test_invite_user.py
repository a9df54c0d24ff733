"""accounts.workflows.invite_user: the one door for inviting a person, from any caller (admin,
a management command, an import), inside a request or not."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction

from accounts.workflows import invite_user
from tests.factories import make_user

pytestmark = pytest.mark.django_db


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
