"""Celery tasks: thin wrappers that take ids; the work and its guarantees are in outbox.py."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import outbox


@shared_task(name="accounts.clear_expired_sessions_task")
def clear_expired_sessions_task() -> int:
    """Delete sessions past their expiry date; returns how many. Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="accounts.send_email_task", acks_late=True, reject_on_worker_lost=True)
def send_email_task(email_id: int) -> str:
    """Send one outbox email. Safe to deliver twice: the row's claim decides who sends."""
    return outbox.deliver(email_id)


@shared_task(name="accounts.sweep_outbox_task")
def sweep_outbox_task() -> dict[str, int]:
    """Re-send due outbox emails the broker lost or whose backoff is over, and take back those
    stuck sending. Safe to run any time (beat, every minute)."""
    return outbox.sweep()
