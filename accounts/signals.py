"""The security log's sign-in lines, written from Django's and allauth's signals.

STYLE.md keeps logic out of signals; these are the exception because the events happen inside
Django's and allauth's own code (login(), authenticate(), allauth's password views), and their
signals are the one door each of them offers. The receivers only append log lines (and start a
session's timeout clock); they change no other row.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as allauth_signals
from django.contrib.auth import signals as auth_signals
from django.http import HttpRequest

from accounts.middleware import EXPIRED_MARK, start_session_clock
from accounts.models import SecurityEvent, User
from accounts.security import record


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # Django's signal, not allauth's: it fires for every way in (allauth, admin, tests' login()).
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)
    record(SecurityEvent.Kind.LOGIN, user=user, request=request)


def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None or (request is not None and request.META.get(EXPIRED_MARK)):
        return  # nobody was signed in, or the expiry already wrote its own line
    record(SecurityEvent.Kind.LOGOUT, user=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; the address is kept.
    email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
    user = User.objects.filter(email=email).first() if email else None
    record(SecurityEvent.Kind.LOGIN_FAILED, user=user, email=email, request=request)


def on_password_changed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(SecurityEvent.Kind.PASSWORD_CHANGED, user=user, request=request)


def on_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(SecurityEvent.Kind.PASSWORD_RESET, user=user, request=request)


def connect() -> None:
    """Called once from AccountsConfig.ready(); the uids keep a second call from doubling lines."""
    auth_signals.user_logged_in.connect(on_login, dispatch_uid="coresp_log_login")
    auth_signals.user_logged_out.connect(on_logout, dispatch_uid="coresp_log_logout")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="coresp_log_failed")
    allauth_signals.password_changed.connect(
        on_password_changed, dispatch_uid="coresp_log_password_changed"
    )
    allauth_signals.password_reset.connect(
        on_password_reset, dispatch_uid="coresp_log_password_reset"
    )
