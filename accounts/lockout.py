"""A lockout line in the security log when allauth refuses a sign-in for too many failures.

allauth checks its `login_failed` rate limit in the adapter's `pre_authenticate` and sends no
signal when it refuses, so the hook is the adapter: `accounts.adapters.AccountAdapter` derives
from this class.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import SecurityEvent, User
from accounts.security import record


class LockoutRecordingAdapter(DefaultAccountAdapter):
    """allauth's adapter, recording each sign-in attempt its rate limit refuses."""

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            email = str(credentials.get("email") or "").strip().lower()
            user = User.objects.filter(email=email).first() if email else None
            record(SecurityEvent.Kind.LOCKOUT, user=user, email=email, request=request)
            raise
