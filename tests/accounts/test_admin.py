"""People in Django admin: adding and inviting them, activating and deactivating them, and the
admin's login, which is allauth's (rate-limited) one."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import make_user

CHANGELIST = reverse("admin:accounts_user_changelist")
ADD = reverse("admin:accounts_user_add")
NEW_PASSWORD = "Chosen-by-Ines-42"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def invitation_path(message: mail.EmailMessage) -> str:
    urls = re.findall(r"https?://\S+/password/reset/key/\S+", str(message.body))
    assert len(urls) == 1, message.body
    return urlsplit(urls[0]).path


def run_action(client: Client, action: str, users: list[User]):  # type: ignore[no-untyped-def]
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [u.pk for u in users]}, follow=True
    )


# The invitation is mailed when the admin's transaction commits, inside the request (allauth's
# mail needs it): these tests commit for real (transactional_db) to follow that path.


@pytest.mark.django_db(transaction=True)
def test_admin_adds_a_person_and_the_invitation_arrives(admin_client: Client) -> None:
    response = admin_client.post(
        ADD, {"email": "Ines@Example.org", "full_name": "Inês Invited", "send_invitation": "on"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="ines@example.org")
    assert not user.has_usable_password()
    assert user.invited_at is not None
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ines@example.org"]
    assert "invited" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_invitation_link_sets_a_password_that_logs_in(admin_client: Client) -> None:
    admin_client.post(ADD, {"email": "ines@example.org", "send_invitation": "on"})
    client = Client()
    response = client.get(invitation_path(mail.outbox[0]), follow=True)
    assert b'name="password1"' in response.content
    response = client.post(
        response.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    client.post(reverse("account_login"), {"login": "ines@example.org", "password": NEW_PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(email="ines@example.org").pk)


def test_admin_can_add_a_person_without_inviting_them_yet(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ADD, {"email": "ines@example.org"})
    assert User.objects.get(email="ines@example.org").invited_at is None
    assert mail.outbox == []


def test_admin_cannot_add_an_email_that_is_taken(admin_client: Client) -> None:
    make_user("ines@example.org")
    response = admin_client.post(ADD, {"email": "INES@example.org", "send_invitation": "on"})
    assert response.status_code == 200
    assert b"Someone already uses this email address." in response.content
    assert User.objects.filter(email__iexact="ines@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
def test_send_invitation_action_mails_the_active_people_only(admin_client: Client) -> None:
    ana = make_user("ana@example.org", password=None)
    ben = make_user("ben@example.org", password=None)
    gone = make_user("gone@example.org", password=None, is_active=False)
    response = run_action(admin_client, "send_invitation", [ana, ben, gone])
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]
    assert b"Invitations emailed to 2 people." in response.content
    assert b"1 inactive person was not invited." in response.content
    gone.refresh_from_db()
    assert gone.invited_at is None


def test_deactivate_action_stops_people_logging_in(admin_client: Client) -> None:
    ana = make_user("ana@example.org")
    response = run_action(admin_client, "deactivate", [ana])
    assert b"1 person deactivated." in response.content
    ana.refresh_from_db()
    assert not ana.is_active

    client = Client()
    client.post(reverse("account_login"), {"login": "ana@example.org", "password": "pw-Secret-123"})
    assert "_auth_user_id" not in client.session


def test_admin_cannot_deactivate_themselves(admin_client: Client, admin_user: User) -> None:
    ana = make_user("ana@example.org")
    response = run_action(admin_client, "deactivate", [ana, admin_user])
    assert b"You cannot deactivate yourself." in response.content
    admin_user.refresh_from_db()
    ana.refresh_from_db()
    assert admin_user.is_active
    assert not ana.is_active


def test_activate_action_lets_people_log_in_again(admin_client: Client) -> None:
    ana = make_user("ana@example.org", is_active=False)
    response = run_action(admin_client, "activate", [ana])
    assert b"1 person activated." in response.content
    ana.refresh_from_db()
    assert ana.is_active


def test_anonymous_admin_visit_goes_to_the_allauth_login(client: Client) -> None:
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    final_url = response.redirect_chain[-1][0]
    assert urlsplit(final_url).path == reverse("account_login")
    templates = [t.name for t in response.templates]
    assert "account/login.html" in templates
    assert "admin/login.html" not in templates


def test_admin_login_url_never_shows_djangos_own_form(client: Client) -> None:
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    # And a POST of credentials to it logs nobody in (it would bypass allauth's rate limits).
    make_user("admin@example.org", is_staff=True, is_superuser=True)
    client.post(
        reverse("admin:login"), {"username": "admin@example.org", "password": "pw-Secret-123"}
    )
    assert "_auth_user_id" not in client.session


def test_logged_in_non_staff_gets_403_from_admin(client: Client) -> None:
    client.force_login(make_user("ana@example.org"))
    assert client.get(reverse("admin:login")).status_code == 403
    response = client.get("/admin/")
    assert response.status_code == 302  # to the admin login, which refuses them
    assert client.get(response["Location"]).status_code == 403
