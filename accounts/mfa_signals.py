"""allauth's MFA signals into the security log, and the enrolment decision at sign-in.

Connected when this module is imported: AccountsConfig.ready() imports it (until then
accounts/admin.py does, which Django's admin autodiscovery loads at start-up).
"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts import mfa
from accounts.models import SecurityEvent, User
from accounts.security import record


def _user(user: Any) -> User | None:
    return user if isinstance(user, User) else None


def _is_own_session(request: HttpRequest, user: Any) -> bool:
    """The request is the person's own (not an admin acting on them), with a session."""
    me = getattr(request, "user", None)
    return hasattr(request, "session") and me is not None and me.pk == getattr(user, "pk", None)


@receiver(user_logged_in, dispatch_uid="accounts.mfa.decide_at_login")
def decide_at_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Whether this session must enrol, decided once (see accounts/mfa.py)."""
    if request is not None and hasattr(request, "session"):
        mfa.remember_enrolment(request, user)


@receiver(signals.authenticator_added, dispatch_uid="accounts.mfa.added")
def on_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    record(
        SecurityEvent.Kind.MFA_ENABLED, user=_user(user), request=request, type=authenticator.type
    )
    if authenticator.type != Authenticator.Type.RECOVERY_CODES and _is_own_session(request, user):
        request.session[mfa.SESSION_KEY] = False


@receiver(signals.authenticator_reset, dispatch_uid="accounts.mfa.reset")
def on_reset(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    """New recovery codes (the old ones stop working): a change to the factors, logged."""
    record(
        SecurityEvent.Kind.MFA_ENABLED,
        user=_user(user),
        request=request,
        type=authenticator.type,
        regenerated=True,
    )


@receiver(signals.authenticator_removed, dispatch_uid="accounts.mfa.removed")
def on_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    record(
        SecurityEvent.Kind.MFA_REMOVED, user=_user(user), request=request, type=authenticator.type
    )
    # Someone who must have a factor and removed their last one enrols again before going on.
    if _is_own_session(request, user):
        mfa.remember_enrolment(request, user)


@receiver(signals.authentication_failed, dispatch_uid="accounts.mfa.failed")
def on_failed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    record(
        SecurityEvent.Kind.MFA_FAILED,
        user=_user(user),
        request=request,
        type=authenticator.type,
        reauthentication=bool(kwargs.get("reauthentication")),
    )


@receiver(signals.authenticator_used, dispatch_uid="accounts.mfa.used")
def on_used(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    """A recovery code is a factor of last resort: each use is logged (a TOTP code is not)."""
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        record(
            SecurityEvent.Kind.RECOVERY_CODE_USED,
            user=_user(user),
            request=request,
            # Read again: the code was marked used on another copy of the row.
            remaining=len(Authenticator.objects.get(pk=authenticator.pk).wrap().get_unused_codes()),
        )
