"""Who holds a project's keys, for accounts' rule on second factors (settings.MFA_REQUIRED_FOR).

accounts cannot import projects (the layers go projects -> accounts), so settings name this
predicate and accounts/mfa.py loads it by its dotted path.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from projects.models import Membership


def is_coordinator_anywhere(user: AbstractBaseUser) -> bool:
    """An active coordinator membership in any project: they plan, approve and see everything."""
    return Membership.objects.filter(
        user_id=user.pk, role=Membership.Role.COORDINATOR, is_active=True
    ).exists()
