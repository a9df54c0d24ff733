"""The outbox: every email the platform sends goes through `send_email` (a row, then a task)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from accounts.models import OutboxEmail, User


def send_email(
    to: str,
    subject: str,
    text: str,
    *,
    html: str = "",
    user: User | None = None,
    kind: str = "",
    headers: dict[str, str] | None = None,
    key: str | None = None,
) -> OutboxEmail:
    """Queue one email; it leaves after the current transaction commits. A stub that sends it
    directly after commit until the outbox task exists."""
    email = OutboxEmail.objects.create(
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        user=user,
        kind=kind,
        headers=headers or {},
        key=key,
    )

    def deliver() -> None:
        message = EmailMultiAlternatives(
            subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
        )
        if html:
            message.attach_alternative(html, "text/html")
        message.send()

    transaction.on_commit(deliver)
    return email
