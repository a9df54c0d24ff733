"""Forgotten passwords: allauth's reset form, the mailed link, and the new password."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

RESET = reverse("account_reset_password")
NEW_PASSWORD = "a-New-Password-2024"

pytestmark = pytest.mark.django_db


def link_in(message: mail.EmailMessage) -> str:
    """The path of the one reset link in `message`."""
    urls = re.findall(r"https?://\S+", str(message.body))
    paths = [urlsplit(url).path for url in urls if "/password/reset/key/" in url]
    assert len(paths) == 1, message.body
    return paths[0]


def set_password_from(client: Client, path: str, password: str):  # type: ignore[no-untyped-def]
    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    return client.post(form_path, {"password1": password, "password2": password})


def main_of(html: bytes) -> str:
    match = re.search(rb"<main.*?</main>", html, re.S)
    assert match, html
    return match.group().decode()


def test_reset_mail_arrives(client: Client) -> None:
    make_user("ana@example.org")
    response = client.post(RESET, {"email": "ana@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert mail.outbox[0].subject.startswith("[CO-RESP] ")


def test_reset_link_sets_a_new_password_that_logs_in(client: Client) -> None:
    user = make_user("ana@example.org")
    client.post(RESET, {"email": "ana@example.org"})
    response = set_password_from(client, link_in(mail.outbox[0]), NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # ACCOUNT_LOGIN_ON_PASSWORD_RESET is off: the person logs in with the new password.
    assert "_auth_user_id" not in client.session
    client.post(reverse("account_login"), {"login": "ana@example.org", "password": NEW_PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_reset_link_works_only_once(client: Client) -> None:
    make_user("ana@example.org")
    client.post(RESET, {"email": "ana@example.org"})
    path = link_in(mail.outbox[0])
    set_password_from(client, path, NEW_PASSWORD)

    again = Client()
    response = again.get(path, follow=True)
    assert b'name="password1"' not in response.content


def test_reset_for_an_unknown_email_looks_the_same(client: Client) -> None:
    make_user("ana@example.org")
    known = client.post(RESET, {"email": "ana@example.org"}, follow=True)
    unknown = Client().post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    assert main_of(known.content) == main_of(unknown.content)
    # Nobody gets a reset link for an account that does not exist (allauth may tell the
    # mailbox's owner that there is no account: that reveals nothing to the person asking).
    assert all(
        "/password/reset/key/" not in m.body for m in mail.outbox if m.to != ["ana@example.org"]
    )
