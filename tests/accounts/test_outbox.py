"""The outbox (accounts/outbox.py): every email is a row written in the caller's transaction,
sent by a task after commit, marked sent once, retried with backoff while the SMTP server is
down, and re-sent by the sweep when the broker lost its message.

Without REDIS_URL the task runs in-process on commit (CELERY_TASK_ALWAYS_EAGER), so most tests
here need no broker; the SMTP server is real (aiosmtpd) where the test is about it. The last
tests run a real Celery worker on Redis and PostgreSQL (marked `services`)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import outbox
from accounts.models import OutboxEmail
from accounts.outbox import send_email
from accounts.tasks import send_email_task, sweep_outbox_task
from tests.accounts.mailserver import SwitchableSMTP
from tests.factories import make_user
from tests.reports.workers import broker_at, forget_queue, start_worker, wait_for
from tests.smtp import body

# The task runs in this process when sent (also with REDIS_URL set); the tests that are about
# the broker and the worker (at the end) override it with `celery_broker` or `broker_at`.
pytestmark = pytest.mark.usefixtures("in_process_tasks")

# A port nothing listens on: connecting to the broker is refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


def queue_one(
    callbacks: Any, *, to: str = "ana@example.org", key: str | None = None
) -> OutboxEmail:
    """One email queued in a transaction that commits, its on-commit task captured, not run."""
    with callbacks(execute=False):
        return send_email(
            to,
            "[CO-RESP] Hello",
            "Plain words.",
            html="<p>Plain words.</p>",
            kind="test",
            headers={"X-Kind": "test"},
            key=key,
        )


def make_due(email: OutboxEmail, *, ago: dt.timedelta = dt.timedelta(minutes=1)) -> None:
    """Time passes: the row's next attempt (and the sweep's grace) is `ago` in the past."""
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - ago)


@pytest.mark.django_db
def test_an_email_is_a_queued_row_and_leaves_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user("ana@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = send_email(
            "ana@example.org",
            "[CO-RESP] Hello",
            "Plain words.",
            html="<p>Plain words.</p>",
            user=user,
            kind="test",
            headers={"X-Kind": "test"},
        )
        # Inside the transaction: a row, and nothing sent.
        assert OutboxEmail.objects.get().status == OutboxEmail.Status.QUEUED
        assert mail.outbox == []
    assert len(callbacks) == 1

    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == "[CO-RESP] Hello"
    assert message.body == "Plain words."
    assert isinstance(message, EmailMultiAlternatives)
    assert [(content, kind) for content, kind in message.alternatives] == [
        ("<p>Plain words.</p>", "text/html")
    ]
    assert message.extra_headers["X-Kind"] == "test"
    assert message.extra_headers["Message-ID"].startswith(f"<outbox.{email.pk}.")
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.sent_at is not None
    assert email.attempts == 1
    assert (email.user, email.kind) == (user, "test")


@pytest.mark.django_db
def test_nothing_is_sent_or_kept_for_a_rolled_back_transaction(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_email("ana@example.org", "Hello", "Plain words.")
        raise RuntimeError("what came after the email failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not OutboxEmail.objects.exists()


@pytest.mark.django_db
def test_the_task_run_twice_sends_once(django_capture_on_commit_callbacks: Any) -> None:
    email = queue_one(django_capture_on_commit_callbacks)

    assert send_email_task(email.pk) == "sent"
    assert send_email_task(email.pk) == "not claimed"
    # The sweep finds nothing to do with a sent row either.
    assert outbox.sweep(now=timezone.now() + dt.timedelta(hours=1)) == {
        "requeued": 0,
        "unstuck": 0,
    }

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 1)


@pytest.mark.django_db
def test_a_task_for_a_deleted_row_does_nothing() -> None:
    assert send_email_task(123456) == "gone"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_key_used_before_returns_the_first_email_and_sends_nothing_more(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = send_email("ana@example.org", "Due in 3 days", "D1.1", key="reminder:1:3")
        second = send_email("ana@example.org", "Due in 3 days", "D1.1", key="reminder:1:3")
        # The duplicate key rolled back a savepoint only: the transaction goes on.
        other = send_email("ben@example.org", "Due in 3 days", "D1.1", key="reminder:2:3")
    assert second.pk == first.pk
    assert len(callbacks) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]

    # Later, in another transaction (another beat tick): still nothing more.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = send_email("ana@example.org", "Due in 3 days", "D1.1", key="reminder:1:3")
    assert again.pk == first.pk
    assert callbacks == []
    assert OutboxEmail.objects.count() == 2
    assert other.pk != first.pk
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_with_smtp_down_the_row_stays_queued_with_a_growing_backoff(
    django_capture_on_commit_callbacks: Any, smtp_down: SwitchableSMTP
) -> None:
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        email = send_email("ana@example.org", "Hello", "Plain words.")

    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.QUEUED
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    assert email.last_attempt_at is not None and email.last_attempt_at >= before
    # 1 minute after the first failure.
    wait = email.next_attempt_at - email.last_attempt_at
    assert dt.timedelta(seconds=59) < wait < dt.timedelta(seconds=61)

    # A message that arrives during the backoff (a duplicate) sends nothing and counts nothing.
    assert send_email_task(email.pk) == "not claimed"
    # The sweep leaves it alone until the backoff is over.
    assert outbox.sweep()["requeued"] == 0

    make_due(email)
    assert outbox.sweep()["requeued"] == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.QUEUED, 2)
    wait = email.next_attempt_at - email.last_attempt_at
    assert dt.timedelta(seconds=119) < wait < dt.timedelta(seconds=121)


def test_the_backoff_doubles_up_to_an_hour() -> None:
    minutes = [OutboxEmail.backoff(n) // dt.timedelta(minutes=1) for n in range(1, 11)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]


@pytest.mark.django_db
def test_after_the_last_attempt_the_email_is_failed_with_the_error(
    django_capture_on_commit_callbacks: Any, smtp_down: SwitchableSMTP
) -> None:
    email = queue_one(django_capture_on_commit_callbacks)
    for attempt in range(1, OutboxEmail.MAX_ATTEMPTS + 1):
        make_due(email)
        outcome = send_email_task(email.pk)
        assert outcome == ("failed" if attempt == OutboxEmail.MAX_ATTEMPTS else "queued")
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert email.attempts == OutboxEmail.MAX_ATTEMPTS
    assert "ConnectionRefusedError" in email.last_error

    # Failed stays failed: the sweep never sends it again, even when SMTP is back ...
    smtp_down.up()
    make_due(email, ago=dt.timedelta(hours=1))
    assert outbox.sweep()["requeued"] == 0
    assert smtp_down.inbox.messages == []
    # ... until someone sends it again.
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.send_again(email)
    assert len(smtp_down.inbox.to("ana@example.org")) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboxEmail.Status.SENT, 1, "")


@pytest.mark.django_db
def test_when_smtp_is_back_the_sweep_sends_the_queued_email_once(
    django_capture_on_commit_callbacks: Any, smtp_down: SwitchableSMTP
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        email = send_email("ana@example.org", "Hello", "Plain words.", html="<p>Plain</p>")
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.QUEUED

    smtp_down.up()
    make_due(email)
    sweep_outbox_task()
    sweep_outbox_task()

    (message,) = smtp_down.inbox.to("ana@example.org")
    assert message["Subject"] == "Hello"
    assert body(message).strip() == "Plain words."
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<p>Plain</p>" in html.get_content()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 2)


@pytest.mark.django_db
def test_a_server_that_refuses_the_address_for_good_fails_it_at_once(
    django_capture_on_commit_callbacks: Any, smtp_down: SwitchableSMTP
) -> None:
    async def refuse(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 No such mailbox"

    smtp_down.inbox.handle_RCPT = refuse  # type: ignore[attr-defined]
    smtp_down.up()
    with django_capture_on_commit_callbacks(execute=True):
        email = send_email("nobody@example.org", "Hello", "Plain words.")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.FAILED, 1)
    assert "SMTPRecipientsRefused" in email.last_error


@pytest.mark.django_db
def test_with_the_broker_down_the_request_succeeds_and_the_sweep_sends_it_later(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from coresp.celery import app as celery_app

    with broker_at(celery_app, DEAD_BROKER):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            email = send_email("ana@example.org", "Hello", "Plain words.")
        assert time.monotonic() - started < 10
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.QUEUED, 0)
    assert mail.outbox == []

    # Within the grace the sweep leaves a new row to its own message (it may be on its way).
    assert outbox.sweep()["requeued"] == 0
    make_due(email, ago=OutboxEmail.OUTBOX_GRACE + dt.timedelta(seconds=1))
    assert outbox.sweep()["requeued"] == 1

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 1)


@pytest.mark.django_db
def test_a_row_stuck_sending_is_taken_back_by_the_sweep(
    django_capture_on_commit_callbacks: Any,
) -> None:
    email = queue_one(django_capture_on_commit_callbacks)
    # A worker claimed it and died before sending.
    assert email.claim(timezone.now()) == 1
    assert outbox.sweep()["unstuck"] == 0  # not stuck yet: it may still be sending

    long_ago = timezone.now() - OutboxEmail.STUCK_AFTER - dt.timedelta(seconds=1)
    OutboxEmail.objects.filter(pk=email.pk).update(last_attempt_at=long_ago)
    assert outbox.sweep() == {"requeued": 0, "unstuck": 1}
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.QUEUED
    assert "worker stopped" in email.last_error

    make_due(email)
    assert outbox.sweep()["requeued"] == 1
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 2)


@pytest.mark.django_db
def test_a_late_sender_whose_claim_was_taken_back_does_not_send_it_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    email = queue_one(django_capture_on_commit_callbacks)
    attempt = email.claim(timezone.now())
    assert attempt == 1
    # The sweep thought the worker dead and took the row back; then the slow worker finished.
    long_ago = timezone.now() - OutboxEmail.STUCK_AFTER - dt.timedelta(seconds=1)
    OutboxEmail.objects.filter(pk=email.pk).update(last_attempt_at=long_ago)
    outbox.sweep()
    assert not email.mark_sent(attempt, timezone.now())  # its fencing token is stale


# --- for real: PostgreSQL, Redis, a Celery worker, an SMTP server ------------------------------


@contextmanager
def route_email_to(celery_app: Any, queue: str) -> Iterator[None]:
    """Send the outbox task (from `.delay()` in accounts/outbox.py too) to `queue` while inside,
    so that only this test's worker, which knows this test's SMTP server, takes it."""
    before = celery_app.conf.task_routes

    def reset() -> None:
        celery_app.amqp.flush_routes()
        with suppress(AttributeError):
            del celery_app.amqp.router

    celery_app.conf.task_routes = {"accounts.send_email_task": {"queue": queue}}
    reset()
    try:
        yield
    finally:
        celery_app.conf.task_routes = before
        reset()


@pytest.mark.services
def test_two_workers_given_the_same_email_send_it_once(
    postgres: None,
    transactional_db: None,
    smtp_down: SwitchableSMTP,
) -> None:
    smtp_down.up()
    # The row alone, committed, its message not sent: both workers get "the same message".
    email = OutboxEmail.objects.create(to_address="ana@example.org", subject="Hi", body_text="Hi")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            outcomes.append(outbox.deliver(email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["not claimed", "sent"]
    assert len(smtp_down.inbox.to("ana@example.org")) == 1


@pytest.mark.services
def test_a_reset_asked_while_smtp_is_down_arrives_through_the_worker_once_smtp_is_back(
    postgres: None,
    celery_broker: str,
    transactional_db: None,
    smtp_down: SwitchableSMTP,
    tmp_path: Path,
    client: Client,
) -> None:
    from coresp.celery import app as celery_app

    queue = f"coresp-outbox-test-{tmp_path.name}"
    worker = start_worker(
        queue=queue,
        media_root=tmp_path / "media",
        log_dir=tmp_path,
        redis_url=celery_broker,
        extra_env={
            "EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": smtp_down.host,
            "EMAIL_PORT": str(smtp_down.port),
            "EMAIL_USE_TLS": "False",
        },
    )
    try:
        with route_email_to(celery_app, queue):
            make_user("ana@example.org")
            started = time.monotonic()
            response = client.post(reverse("account_reset_password"), {"email": "ana@example.org"})
            assert response.status_code == 302
            assert time.monotonic() - started < 3

            # The worker tried, found no server, and left the row queued for later.
            def tried() -> OutboxEmail | None:
                return OutboxEmail.objects.filter(attempts=1, last_error__gt="").first()

            email = wait_for(tried, timeout=30, what="the worker's first attempt")
            assert email is not None
            assert email.status == OutboxEmail.Status.QUEUED
            assert "ConnectionRefusedError" in email.last_error

            smtp_down.up()
            make_due(email)
            # Beat's sweep, run here: it sends the task through Redis to the worker.
            assert outbox.sweep() == {"requeued": 1, "unstuck": 0}
            messages = wait_for(
                lambda: smtp_down.inbox.to("ana@example.org"), timeout=30, what="the email"
            )
            assert "/password/reset/key/" in body(messages[0])

            def sent() -> bool:
                return OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).exists()

            wait_for(sent, timeout=10, what="the row marked sent")
            # A second sweep sends nothing more.
            assert outbox.sweep() == {"requeued": 0, "unstuck": 0}
            time.sleep(1)
            assert len(smtp_down.inbox.messages) == 1
            email.refresh_from_db()
            assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 2)
    except BaseException:
        print(f"--- worker log ---\n{worker.log()}")
        raise
    finally:
        worker.stop()
        forget_queue(celery_broker, queue)
