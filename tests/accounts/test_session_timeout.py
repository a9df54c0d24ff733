"""Sessions end after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_TIMEOUT after
signing in (accounts.middleware.SessionTimeoutMiddleware); signed-in pages are never stored by a
cache (NoStoreMiddleware); production cookies carry the __Host- prefix.

Time travel: the tests move the session's stamps into the past instead of the clock forward."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.middleware import LOGIN_AT, SEEN_AT
from accounts.models import SecurityEvent, User
from projects.models import Project
from tests.test_settings import run_python

HOUR = 3600
DAY = 24 * HOUR

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(partner: User) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(partner)
    return client


def move_stamps(client: Client, *, login_ago: float = 0, seen_ago: float = 0) -> None:
    session = client.session
    now = time.time()
    session[LOGIN_AT] = int(now - login_ago)
    session[SEEN_AT] = int(now - seen_ago)
    session.save()


def test_signing_in_starts_both_clocks(signed_in: Client) -> None:
    session = signed_in.session
    assert abs(session[LOGIN_AT] - time.time()) < 5
    assert session[SEEN_AT] == session[LOGIN_AT]


def test_a_session_idle_for_eight_hours_is_signed_out(
    signed_in: Client, partner: User, project: Project
) -> None:
    move_stamps(signed_in, login_ago=9 * HOUR, seen_ago=8 * HOUR + 5)
    page = project.get_absolute_url()
    response = signed_in.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={page}"
    assert "_auth_user_id" not in signed_in.session
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_EXPIRED)
    assert (event.kind, event.user, event.ip_address) == ("session_expired", partner, "203.0.113.7")
    assert event.detail == {"reason": "idle"}
    # The login page says why.
    login = signed_in.get(response["Location"])
    assert b"signed out after a period of inactivity" in login.content


def test_a_session_idle_for_less_than_eight_hours_stays(
    signed_in: Client, project: Project
) -> None:
    move_stamps(signed_in, login_ago=9 * HOUR, seen_ago=8 * HOUR - 60)
    response = signed_in.get(project.get_absolute_url())
    assert response.status_code == 200
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_EXPIRED).exists()


def test_a_session_in_use_ends_seven_days_after_signing_in(
    signed_in: Client, partner: User, project: Project
) -> None:
    move_stamps(signed_in, login_ago=7 * DAY + 5, seen_ago=30)
    response = signed_in.get(project.get_absolute_url())
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_EXPIRED)
    assert (event.kind, event.user, event.detail) == (
        "session_expired",
        partner,
        {"reason": "absolute"},
    )
    login = signed_in.get(response["Location"])
    assert b"Your session has ended" in login.content


def test_the_timeouts_come_from_the_settings(
    signed_in: Client, project: Project, settings: Any
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 10 * 60
    move_stamps(signed_in, login_ago=11 * 60, seen_ago=11 * 60)
    assert signed_in.get(project.get_absolute_url()).status_code == 302


def test_a_timeout_of_zero_is_off(signed_in: Client, project: Project, settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = 0
    settings.SESSION_ABSOLUTE_TIMEOUT = 0
    move_stamps(signed_in, login_ago=30 * DAY, seen_ago=30 * DAY)
    assert signed_in.get(project.get_absolute_url()).status_code == 200


def test_an_htmx_request_after_expiry_sends_the_browser_to_login(
    signed_in: Client, project: Project
) -> None:
    move_stamps(signed_in, seen_ago=9 * HOUR)
    response = signed_in.get(project.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("account_login")


def test_an_expiry_is_one_line_not_a_sign_out_as_well(signed_in: Client, project: Project) -> None:
    move_stamps(signed_in, seen_ago=9 * HOUR)
    signed_in.get(project.get_absolute_url())
    # force_login wrote the sign-in; the expiry adds its own line and no sign-out.
    assert list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "login",
        "session_expired",
    ]


def test_the_last_seen_stamp_is_written_at_most_once_a_minute(
    signed_in: Client, project: Project
) -> None:
    move_stamps(signed_in, login_ago=HOUR, seen_ago=30)
    key = signed_in.session.session_key
    stored = Session.objects.get(pk=key)
    signed_in.get(project.get_absolute_url())
    # Seen 30 s ago: the session is not saved at all (its row is untouched).
    assert Session.objects.get(pk=key).expire_date == stored.expire_date
    assert signed_in.session[SEEN_AT] == stored.get_decoded()[SEEN_AT]

    move_stamps(signed_in, login_ago=HOUR, seen_ago=61)
    signed_in.get(project.get_absolute_url())
    assert abs(signed_in.session[SEEN_AT] - time.time()) < 5


def test_a_signed_in_page_is_not_stored(signed_in: Client, project: Project) -> None:
    response = signed_in.get(project.get_absolute_url())
    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}


def test_an_export_is_not_stored(signed_in: Client, project: Project) -> None:
    response = signed_in.get(reverse("projects:deliverable_export", args=[project.slug, "xlsx"]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_caching(signed_in: Client) -> None:
    response = signed_in.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def production_cookie_names(tmp_path: Path, **env: str) -> list[str]:
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    result = run_python(
        ["-c", code], {"DJANGO_SETTINGS_MODULE": "coresp.settings", **env}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_cookies_have_the_host_prefix(tmp_path: Path) -> None:
    env = {"DEBUG": "False", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x.example"}
    assert production_cookie_names(tmp_path, **env) == ["__Host-sessionid", "__Host-csrftoken"]


def test_development_over_http_keeps_the_plain_cookie_names(tmp_path: Path) -> None:
    assert production_cookie_names(tmp_path, DEBUG="True") == ["sessionid", "csrftoken"]
