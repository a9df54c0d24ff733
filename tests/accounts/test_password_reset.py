"""Forgotten passwords: allauth's reset form, the mailed link, and the new password.

The email goes through the outbox (accounts/outbox.py): it is sent after the request's
transaction commits, so these tests commit for real (transactional_db); without Redis the task
runs in-process on commit. With the SMTP server down the page still answers at once, and the
email leaves when the server is back."""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import outbox
from accounts.models import OutboxEmail
from tests.accounts.mailserver import SwitchableSMTP
from tests.factories import make_user
from tests.smtp import body

RESET = reverse("account_reset_password")
NEW_PASSWORD = "a-New-Password-2024"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_process_tasks")]


def link_in(message: mail.EmailMessage) -> str:
    """The path of the one reset link in `message`."""
    return link_in_text(str(message.body))


def link_in_text(text: str) -> str:
    urls = re.findall(r"https?://\S+", text)
    paths = [urlsplit(url).path for url in urls if "/password/reset/key/" in url]
    assert len(paths) == 1, text
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


def test_reset_mail_is_one_outbox_row_marked_sent(client: Client) -> None:
    user = make_user("ana@example.org")
    client.post(RESET, {"email": "ana@example.org"})
    email = OutboxEmail.objects.get()
    assert (email.to_address, email.user, email.kind) == (
        "ana@example.org",
        user,
        "password_reset_key",
    )
    assert email.status == OutboxEmail.Status.SENT
    assert email.subject == mail.outbox[0].subject
    assert "/password/reset/key/" in email.body_text


def test_reset_with_smtp_down_answers_at_once_and_the_mail_leaves_when_it_is_back(
    client: Client, smtp_down: SwitchableSMTP
) -> None:
    make_user("ana@example.org")

    started = time.monotonic()
    response = client.post(RESET, {"email": "ana@example.org"})
    elapsed = time.monotonic() - started

    # Not a 500: the page says the email is on its way, without waiting for the server.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert elapsed < 3, f"the reset page took {elapsed:.1f} s"
    email = OutboxEmail.objects.get()
    assert email.status == OutboxEmail.Status.QUEUED
    assert email.attempts == 1
    assert "Connection" in email.last_error or "Errno" in email.last_error, email.last_error
    assert email.next_attempt_at > timezone.now()
    assert smtp_down.inbox.messages == []

    smtp_down.up()
    # The backoff is over; beat's sweep sends it.
    OutboxEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert outbox.sweep() == {"requeued": 1, "unstuck": 0}
    assert outbox.sweep() == {"requeued": 0, "unstuck": 0}

    (message,) = smtp_down.inbox.to("ana@example.org")
    assert message["Subject"].startswith("[CO-RESP] ")
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 2
    # The link in the email that came late still works.
    response = set_password_from(client, link_in_text(body(message)), NEW_PASSWORD)
    assert response["Location"] == reverse("account_reset_password_from_key_done")
