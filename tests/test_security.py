"""Headers and checks every page carries: the Content-Security-Policy with a script nonce, CSRF
protection on state changes, and the other security headers."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def csp_of(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_carry_a_content_security_policy_with_a_nonce(client: Client) -> None:
    response = client.get(reverse("account_login"))
    csp = csp_of(response)
    nonces = [v for v in csp["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1, csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]


def test_every_script_tag_carries_the_nonce_of_its_response(client: Client) -> None:
    response = client.get(reverse("account_login"))
    nonce = next(v for v in csp_of(response)["script-src"] if v.startswith("'nonce-"))[7:-1]
    scripts = re.findall(rb"<script\b[^>]*>", response.content)
    assert scripts, "the page should load htmx with a nonce"
    for tag in scripts:
        assert f'nonce="{nonce}"'.encode() in tag, tag


def test_the_nonce_changes_on_every_response(client: Client) -> None:
    first = csp_of(client.get(reverse("account_login")))["script-src"]
    second = csp_of(client.get(reverse("account_login")))["script-src"]
    assert first != second


def test_security_headers(client: Client) -> None:
    response = client.get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_login_without_csrf_token_is_refused() -> None:
    make_user("ana@example.org")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("account_login"), {"login": "ana@example.org", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_without_csrf_token_is_refused() -> None:
    user: User = make_user("ana@example.org")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_csrf_token_works() -> None:
    # The other half of the two tests above: the token from the form is accepted.
    user = make_user("ana@example.org")
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("account_login"))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert token
    client.post(
        reverse("account_login"),
        {
            "login": "ana@example.org",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token[1].decode(),
        },
    )
    assert client.session["_auth_user_id"] == str(user.pk)
