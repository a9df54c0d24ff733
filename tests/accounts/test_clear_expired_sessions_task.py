"""accounts.tasks.clear_expired_sessions_task, run by a real Celery worker over Redis."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from celery.result import EagerResult
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions_task


def make_session(expire_date: dt.datetime) -> str:
    store = SessionStore()
    store["note"] = "test"
    store.create()
    assert store.session_key
    Session.objects.filter(session_key=store.session_key).update(expire_date=expire_date)
    return store.session_key


@pytest.mark.django_db
def test_task_deletes_expired_sessions_and_keeps_live_ones() -> None:
    now = timezone.now()
    expired = make_session(now - dt.timedelta(minutes=1))
    live = make_session(now + dt.timedelta(days=1))
    assert clear_expired_sessions_task.run() == 1
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
    assert clear_expired_sessions_task.run() == 0  # safe to run twice


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_task_and_deletes_the_expired_session(celery_worker: Any) -> None:
    now = timezone.now()
    expired = make_session(now - dt.timedelta(minutes=1))
    live = make_session(now + dt.timedelta(days=1))

    result = clear_expired_sessions_task.delay()
    assert not isinstance(result, EagerResult)  # sent to the broker, not run in this process

    deadline = time.monotonic() + 20
    while Session.objects.filter(session_key=expired).exists():
        assert time.monotonic() < deadline, "the worker did not delete the session within 20 s"
        time.sleep(0.2)
    assert Session.objects.filter(session_key=live).exists()
    assert "accounts.clear_expired_sessions_task" in celery_worker.log()
