"""Changes to people that send mail."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.outbox import send_email


def invitation_url(user: User) -> str:
    """A one-time link that lets `user` choose a password (allauth's reset-from-key page)."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


@transaction.atomic
def invite_user(user: User, *, invited_by: User | None = None) -> None:
    """Email `user` a link to set their password. Safe to repeat: a new link replaces the old.

    The address counts as verified: the administrator vouched for it, and the account has no
    usable password until someone with access to that mailbox follows the link.
    """
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    context = {
        "user": user,
        "invited_by": invited_by,
        "url": invitation_url(user),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        "site_url": settings.SITE_URL,
    }
    # In the invited person's language, whoever sends the invitation.
    with translation.override(user.email_language):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_message.txt", context)
    # Through the outbox: it leaves after commit (none for an invitation that was rolled back),
    # and waits for an SMTP server that is down.
    send_email(
        user.email,
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body,
        user=user,
        kind="invitation",
    )
