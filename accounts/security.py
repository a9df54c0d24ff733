"""The security log: one function writes it (sign-ins, failures, lockouts, MFA, roles, exports)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import SecurityEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The visitor's address as allauth sees it (it honours ALLAUTH_TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request) or None
    except Exception:  # a log line must never break the request it records
        return request.META.get("REMOTE_ADDR") or None


def record(
    kind: SecurityEvent.Kind | str,
    *,
    user: User | None = None,
    email: str = "",
    request: HttpRequest | None = None,
    actor: User | None = None,
    **detail: Any,
) -> SecurityEvent:
    """Append one line to the security log. Safe anywhere: it never changes another row."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:200] if request is not None else ""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        email=(email or (user.email if user is not None else ""))[:254],
        actor=actor,
        ip_address=client_ip(request),
        user_agent=agent,
        detail=detail,
    )
