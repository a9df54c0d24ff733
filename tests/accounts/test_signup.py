"""Sign-up is closed: people are invited by an administrator (accounts.adapters)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

SIGNUP = reverse("account_signup")

pytestmark = pytest.mark.django_db


def test_signup_page_says_it_is_closed(client: Client) -> None:
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert b'name="password1"' not in response.content


def test_signup_post_creates_no_user(client: Client) -> None:
    response = client.post(
        SIGNUP,
        {"email": "new@example.org", "password1": "pw-Secret-123", "password2": "pw-Secret-123"},
    )
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_login_page_offers_no_signup_link(client: Client) -> None:
    response = client.get(reverse("account_login"))
    assert SIGNUP.encode() not in response.content
