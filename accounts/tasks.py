from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="accounts.clear_expired_sessions_task")
def clear_expired_sessions_task() -> int:
    """Delete sessions past their expiry date; returns how many. Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="accounts.sweep_outbox_task")
def sweep_outbox_task() -> int:
    """Re-send outbox rows the broker lost (issue 15/10): a stub that does nothing yet."""
    return 0
