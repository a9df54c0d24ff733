"""Logging in and out with an email address (allauth's login and logout views)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user

LOGIN = reverse("account_login")
LOGOUT = reverse("account_logout")

pytestmark = pytest.mark.django_db


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def log_in(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"login": email, "password": password})


def test_login_page_asks_for_email_and_password(client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "account/login.html" in [t.name for t in response.templates]
    assert b'name="login"' in response.content
    assert b'type="email"' in response.content
    assert b'name="password"' in response.content


def test_user_logs_in_with_email_and_lands_on_home(client: Client) -> None:
    user = make_user("ana@example.org")
    response = log_in(client, "ana@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:home")
    assert logged_in_user_id(client) == str(user.pk)


def test_login_email_is_case_insensitive(client: Client) -> None:
    user = make_user("ana@example.org")
    log_in(client, "Ana@Example.ORG", PASSWORD)
    assert logged_in_user_id(client) == str(user.pk)


def test_wrong_password_does_not_log_in(client: Client) -> None:
    make_user("ana@example.org")
    response = log_in(client, "ana@example.org", "not-the-password")
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert logged_in_user_id(client) is None


def test_login_goes_back_to_next(client: Client) -> None:
    make_user("ana@example.org")
    response = client.post(
        LOGIN + "?next=/accounts/password/change/",
        {"login": "ana@example.org", "password": PASSWORD},
    )
    assert response["Location"] == "/accounts/password/change/"


def test_login_refuses_next_to_another_site(client: Client) -> None:
    make_user("ana@example.org")
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"login": "ana@example.org", "password": PASSWORD}
    )
    assert response["Location"] == reverse("projects:home")


def test_inactive_user_cannot_log_in(client: Client) -> None:
    make_user("ana@example.org", is_active=False)
    log_in(client, "ana@example.org", PASSWORD)
    assert logged_in_user_id(client) is None


def test_unverified_email_cannot_log_in(client: Client) -> None:
    # Verification is mandatory with DEBUG off; invited people are verified by the invitation.
    make_user("ana@example.org", verified=False)
    response = log_in(client, "ana@example.org", PASSWORD)
    assert logged_in_user_id(client) is None
    assert response["Location"] == reverse("account_email_verification_sent")


def test_logout_by_post_ends_the_session(client: Client) -> None:
    user = make_user("ana@example.org")
    client.force_login(user)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_logout_by_get_only_asks_for_confirmation(client: Client) -> None:
    # A link or an image must not be able to log someone out: only the POST does.
    user = make_user("ana@example.org")
    client.force_login(user)
    response = client.get(LOGOUT)
    assert response.status_code == 200
    assert logged_in_user_id(client) == str(user.pk)


def test_fifth_attempt_with_the_right_password_still_logs_in(client: Client) -> None:
    user = make_user("ana@example.org")
    for _ in range(4):
        log_in(client, "ana@example.org", "wrong-password")
    log_in(client, "ana@example.org", PASSWORD)
    assert logged_in_user_id(client) == str(user.pk)


def test_sixth_attempt_is_refused_even_with_the_right_password(client: Client) -> None:
    # allauth's login_failed limit: 5 failures per account in 300 s (the key is the email).
    make_user("ana@example.org")
    for _ in range(5):
        log_in(client, "ana@example.org", "wrong-password")
    response = log_in(client, "ana@example.org", PASSWORD)
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert logged_in_user_id(client) is None


def test_failed_attempts_on_one_account_do_not_lock_another(client: Client) -> None:
    make_user("ana@example.org")
    other = make_user("ben@example.org")
    for _ in range(5):
        log_in(client, "ana@example.org", "wrong-password")
    log_in(client, "ben@example.org", PASSWORD)
    assert logged_in_user_id(client) == str(other.pk)


def test_unknown_email_and_wrong_password_get_the_same_answer(client: Client) -> None:
    make_user("ana@example.org")
    known = log_in(client, "ana@example.org", "wrong-password")
    unknown = log_in(client, "nobody@example.org", "wrong-password")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
