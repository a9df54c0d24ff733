"""The outbox: every email the platform sends goes through `send_email` (a row, then a task).

The row is the state; Celery only carries its id (the report pipeline's pattern):
- `send_email` writes the row in the caller's transaction and sends the task after commit, so a
  rolled-back change mails nothing, and a broker that is down leaves the row for the sweep;
- `deliver` (the task) claims the row queued -> sending with a conditional UPDATE, hands the
  message to the SMTP server, and marks it sent at once, so a message delivered twice, or two
  workers given the same one, send once; while the SMTP server is down the row goes back to
  queued with a growing backoff (OutboxEmail.backoff), and after MAX_ATTEMPTS it is failed;
- `sweep` (every minute, from beat) re-sends rows that are due and that no message carries (the
  broker lost it, or a retry's backoff is over), and takes back rows stuck "sending" because
  their worker died.

The one window where an email can leave twice is a worker that dies after the SMTP server
accepted the message and before the row is marked sent; the message keeps the same Message-ID
each time, so mail clients show one.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import OutboxEmail, User

logger = logging.getLogger(__name__)


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
    """Queue one email to `to`; it leaves after the current transaction commits (at once
    outside one). Any caller, any time. With a `key` that was used before, the existing row is
    returned and nothing more is sent: safe to call twice for the same thing."""
    fields = {
        "to_address": to,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "user": user,
        "kind": kind[: OutboxEmail._meta.get_field("kind").max_length or 40],
        "headers": headers or {},
        "key": key,
    }
    if key is None:
        email = OutboxEmail.objects.create(**fields)
    else:
        try:
            # A savepoint: the caller's transaction survives the duplicate key.
            with transaction.atomic():
                email = OutboxEmail.objects.create(**fields)
        except IntegrityError:
            return OutboxEmail.objects.get(key=key)
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def _enqueue(email_id: int) -> None:
    """Send the task for `email_id`. Never raises: the request that wrote the row has already
    succeeded; if the broker cannot be reached the row stays queued and the sweep sends it."""
    from accounts.tasks import send_email_task

    try:
        send_email_task.delay(email_id)
    except (OperationalError, OSError):
        logger.warning("Could not reach the broker for email %s; the sweep will send it", email_id)
    except Exception:
        logger.exception("Could not queue email %s; the sweep will send it", email_id)


def message_of(email: OutboxEmail) -> EmailMultiAlternatives:
    """The email as Django sends it: the text, the HTML as an alternative, the row's headers,
    and a Message-ID that stays the same however many times it is sent."""
    headers = dict(email.headers)
    if not any(name.lower() == "message-id" for name in headers):
        domain = urlsplit(settings.SITE_URL).hostname or "localhost"
        headers["Message-ID"] = f"<outbox.{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"
    message = EmailMultiAlternatives(
        email.subject,
        email.body_text,
        settings.DEFAULT_FROM_EMAIL,
        [email.to_address],
        headers=headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _is_permanent(error: Exception) -> bool:
    """The server refused every recipient for good (5xx): retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def deliver(email_id: int) -> str:
    """Send outbox row `email_id` if it is due; returns what happened. Safe to run twice, or
    concurrently: only one claim sends."""
    email = OutboxEmail.objects.filter(pk=email_id).first()
    if email is None:
        return "gone"
    attempt = email.claim(timezone.now())
    if attempt is None:
        return "not claimed"
    try:
        message_of(email).send()
    except (smtplib.SMTPException, OSError) as error:
        # OSError covers a refused or timed-out connection (ConnectionError, TimeoutError).
        outcome = email.mark_attempt_failed(
            attempt,
            timezone.now(),
            f"{type(error).__name__}: {error}",
            permanent=_is_permanent(error),
        )
        logger.warning(
            "Email %s (attempt %s) could not be sent: %s; now %s",
            email_id,
            attempt,
            error,
            outcome or "taken back",
        )
        return str(outcome or "superseded")
    except Exception as error:
        # Not the server: the message itself (a bad header, a bug). Retrying cannot help.
        logger.exception("Email %s could not be built or sent", email_id)
        email.mark_attempt_failed(
            attempt, timezone.now(), f"{type(error).__name__}: {error}", permanent=True
        )
        return "failed"
    if not email.mark_sent(attempt, timezone.now()):
        # The sweep took it back meanwhile (it thought this worker dead): it is sent now, and
        # the row says so no more. Rare; logged so that it can be seen.
        logger.warning("Email %s was sent after its claim had been taken back", email_id)
        OutboxEmail.objects.filter(pk=email_id).exclude(status=OutboxEmail.Status.SENT).update(
            status=OutboxEmail.Status.SENT, sent_at=timezone.now()
        )
    return "sent"


def send_again(email: OutboxEmail, *, now: dt.datetime | None = None) -> bool:
    """Queue a failed email again, its attempts starting over (an admin's action)."""
    if not email.send_again(now or timezone.now()):
        return False
    transaction.on_commit(lambda: _enqueue(email.pk))
    return True


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Take back rows stuck sending, then re-send every due row. Safe to run any time, and
    twice: a row's claim decides who sends it."""
    now = now or timezone.now()
    stuck = list(OutboxEmail.objects.stuck_sending(now).values_list("pk", "attempts"))
    unstuck = 0
    for pk, attempts in stuck:
        # Through the same door as a failed attempt: back to queued, or failed after the last.
        row = OutboxEmail(pk=pk, attempts=attempts)
        if row.mark_attempt_failed(attempts, now, "The worker stopped while sending this email."):
            unstuck += 1
    # The due rows' next attempt is now: a sent message's claim passes (next_attempt_at <= now).
    due = list(OutboxEmail.objects.due(now).values_list("pk", flat=True))
    for pk in due:
        _enqueue(pk)
    return {"requeued": len(due), "unstuck": unstuck}
