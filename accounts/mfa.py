"""Second factors (allauth.mfa): who must have one, and the middleware that sends them to enrol.

Who must enrol: site staff (`is_staff`, a fact accounts owns) and whoever a predicate named in
`settings.MFA_REQUIRED_FOR` says holds a project's keys. The predicates are dotted paths loaded
with `import_string` when first needed, never at import time: accounts sits at the bottom of the
layers (demo -> reports -> ... -> projects -> accounts) and must not import projects, yet the
coordinator role is a projects fact. Settings are the one place that knows every app, so the
composition happens there, and a new app with its own "holds keys" role adds one line, not a
change here. (A registry that projects fills in its AppConfig.ready() would work too, but hides
the rule in start-up order; a setting is visible and testable with `settings` overrides.)

The decision is taken at sign-in (the `user_logged_in` receiver in accounts/mfa_signals.py) and
kept in the session, so a request costs no query for the people who are fine: only a session that
still has to enrol checks the database again (to notice a factor added in another tab). A session
from before this rule decides on its first request.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.module_loading import import_string

# True: this session's person must enrol before anything else; False: nothing to do.
# (A name a template can read: `request.session.mfa_enrolment_required`.)
SESSION_KEY = "mfa_enrolment_required"

# What a person who still has to enrol may open: allauth's two-factor pages (enrolment itself,
# and the password prompt it asks first), signing out, their email address (allauth refuses a
# factor on an unverified address), the language switch and the health check. Static files
# never reach this middleware (WhiteNoise answers first) but are let through for other setups.
ALLOWED_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "account_email",
        "account_confirm_email",
        "account_email_verification_sent",
        "language_choose",
        "healthz",
    }
)


def _predicates() -> tuple[Callable[[AbstractBaseUser], bool], ...]:
    return tuple(import_string(path) for path in getattr(settings, "MFA_REQUIRED_FOR", ()))


def must_use_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff, and whoever a `MFA_REQUIRED_FOR` predicate names (a project's coordinators)."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False):
        return True
    return any(predicate(user) for predicate in _predicates())


def has_second_factor(user: AbstractBaseUser) -> bool:
    """An authenticator app or a security key; recovery codes alone are only a backup."""
    return (
        Authenticator.objects.filter(user_id=user.pk)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )


def needs_enrolment(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Must have a second factor and has none yet."""
    if isinstance(user, AnonymousUser):
        return False
    return must_use_second_factor(user) and not has_second_factor(user)


def remember_enrolment(request: HttpRequest, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Decide for this session, and keep the answer in it."""
    required = needs_enrolment(user)
    request.session[SESSION_KEY] = required
    return required


def is_allowed_before_enrolment(request: HttpRequest) -> bool:
    if request.path_info.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    name = match.url_name or ""
    return name.startswith("mfa_") or name in ALLOWED_URL_NAMES


class RequireMFAMiddleware:
    """Staff and coordinators enrol a second factor before using the site.

    Until they do, every page but the allowed ones redirects to allauth's two-factor page, which
    (templates/mfa/index.html) says why and links to setting up an authenticator app.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        required = request.session.get(SESSION_KEY)
        if required is None and request.user.is_authenticated:
            required = remember_enrolment(request, request.user)
        elif required:
            # Enrolled in another tab or session since: check again, it is one small query.
            required = remember_enrolment(request, request.user)
        if required and not is_allowed_before_enrolment(request):
            url = reverse("mfa_index")
            if request.headers.get("HX-Request"):
                # An htmx swap would put the whole page inside a fragment: leave the page.
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return HttpResponseRedirect(url)
        return self.get_response(request)
