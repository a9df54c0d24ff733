"""Per-request rules for signed-in people: their language, session timeouts, no caching."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

from accounts.models import SecurityEvent, User
from accounts.security import record

# Session keys (epoch seconds): when this session signed in, and when it was last seen.
LOGIN_AT = "coresp_login_at"
SEEN_AT = "coresp_seen_at"
# The last-seen stamp is written at most this often, so most requests never save the session.
SEEN_RESOLUTION = 60
# Set in request.META when a timeout signs the person out (a WSGI environ key of our own).
EXPIRED_MARK = "coresp.session_expired"


class UserLanguageMiddleware:
    """After LocaleMiddleware (cookie, then Accept-Language): a person's saved preference wins.

    Anonymous visitors and people who never chose keep what LocaleMiddleware found.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and user is not None and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response


def start_session_clock(session: SessionBase, now: float | None = None) -> None:
    """Start both timeouts from now (called on sign-in)."""
    now = int(time.time() if now is None else now)
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def session_expiry(session: SessionBase, now: float) -> str:
    """Why this session is over ("idle", "absolute"), or "" while it is still good."""
    idle, absolute = settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT
    if absolute and now - session.get(LOGIN_AT, now) > absolute:
        return "absolute"
    if idle and now - session.get(SEEN_AT, now) > idle:
        return "idle"
    return ""


class SessionTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_TIMEOUT seconds without a request, and
    SESSION_ABSOLUTE_TIMEOUT seconds after they signed in; records it and sends them to the
    login page with a message. Anonymous requests pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = time.time()
        if LOGIN_AT not in session:
            # A session from before the timeouts existed (or a sign-in that bypassed the
            # signal): its clock starts now.
            start_session_clock(session, now)
        elif reason := session_expiry(session, now):
            return self.expire(request, user, reason)
        elif now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
            session[SEEN_AT] = int(now)
        return self.get_response(request)

    def expire(self, request: HttpRequest, user: User, reason: str) -> HttpResponse:
        record(SecurityEvent.Kind.SESSION_EXPIRED, user=user, request=request, reason=reason)
        # The sign-out is this line's, not a LOGOUT of its own (accounts.signals reads the mark).
        request.META[EXPIRED_MARK] = reason
        logout(request)
        if reason == "idle":
            text = gettext(
                "You were signed out after a period of inactivity. Please sign in again."
            )
        else:
            text = gettext("Your session has ended for your security. Please sign in again.")
        # MessageMiddleware runs inside this one and never sees this request: store the
        # message on the response ourselves.
        storage = default_storage(request)
        storage.add(messages.INFO, text)
        if request.headers.get("HX-Request"):
            # An htmx swap would put the login page inside a fragment: send the browser there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
        else:
            path = request.get_full_path() if request.method == "GET" else "/"
            response = redirect_to_login(path)
        storage.update(response)
        return response


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person (every project
    page, export and download: none may stay in a browser's or a proxy's cache), unless the view
    chose its own. Static files (WhiteNoise answers before this) and /healthz are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and "Cache-Control" not in response
            and not request.path.startswith((settings.STATIC_URL, "/healthz"))
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
