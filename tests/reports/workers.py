"""Real Celery worker processes for the pipeline's fault tests, each test with its own.

Same command and environment as tests/conftest.py's session worker, with three differences:
- every worker has a unique name and listens on a queue of its own test (`-Q`), and this process
  routes the render task to that queue while the test runs (`route_reports_to`), so the session
  worker that other tests share never takes these messages, nor these workers theirs;
- its private storage is the test's own directory (PRIVATE_MEDIA_ROOT), to count the files;
- it runs in a session of its own, so that a test can SIGKILL it (or its pool child) and the
  clean-up can still reach every process it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from kombu import pools

BASE_DIR = Path(settings.BASE_DIR)


def wait_for[T](
    predicate: Callable[[], T], *, timeout: float, interval: float = 0.05, what: str = ""
) -> T:
    """Call `predicate` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what or predicate}")
        time.sleep(interval)


def worker_database_url() -> str:
    """The URL of the test database this process uses (the worker must use the same one)."""
    from django.db import connection

    db = connection.settings_dict  # while tests run, NAME is the test database's name
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or ""
    if db["PORT"]:
        host += f":{db['PORT']}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


def unique_queue() -> str:
    return f"coresp-reports-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@dataclass
class Worker:
    """One `celery worker` process (prefork, concurrency 1) and its log."""

    name: str
    queue: str
    process: subprocess.Popen[bytes]
    log_path: Path
    killed_children: list[int] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"Worker {self.name} exited. Its log:\n{self.log()}")
            return " ready." in self.log()

        wait_for(ready, timeout=timeout, interval=0.1, what=f"worker {self.name} to start")

    def pool_children(self) -> list[int]:
        """The pids of the pool's child processes (the ones that run tasks)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            return []
        return [int(child) for child in children]

    def kill_pool_child(self) -> int:
        """SIGKILL the pool's child process, as the kernel's OOM killer would; returns its pid.
        The main process sees it die and, with reject_on_worker_lost, requeues the message."""
        children = self.pool_children()
        assert len(children) == 1, f"Expected one pool child, found {children}"
        os.kill(children[0], signal.SIGKILL)
        self.killed_children.append(children[0])
        return children[0]

    def stop(self, timeout: float = 15) -> None:
        """Warm shutdown; SIGKILL the worker's whole process group if it does not stop in time."""
        if self.process.poll() is None:
            self.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        # The group was created for this worker (start_new_session): only its processes. It
        # also takes a pool child that outlived its main process.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def start_worker(
    *,
    queue: str,
    media_root: Path,
    log_dir: Path,
    redis_url: str,
    wait: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Worker:
    """Start a worker on `queue` that shares this test's database and Redis; `extra_env` adds to or
    overrides its environment (the settings read it, e.g. CELERY_TASK_SOFT_TIME_LIMIT)."""
    name = f"reports-{uuid.uuid4().hex[:8]}"
    log_path = log_dir / f"{name}.log"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "CORESP_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "coresp.settings",
        "PYTHONUNBUFFERED": "1",
        "PRIVATE_MEDIA_ROOT": str(media_root),
        **(extra_env or {}),
    }
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery), "-A", "coresp", "worker", "--pool", "prefork", "--concurrency", "1",
        "-l", "info", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "-n", f"{name}@%h", "-Q", queue,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    worker = Worker(name=name, queue=queue, process=process, log_path=log_path)
    if wait:
        worker.wait_ready()
    return worker


def configure_broker(celery_app: Any, broker_url: str) -> None:
    """Point this process's Celery app at `broker_url`, dropping connections to the old one."""
    celery_app.conf.task_always_eager = False
    if celery_app.conf.broker_url != broker_url:
        celery_app.conf.broker_url = broker_url
        # kombu keeps its connection and producer pools in process-wide registries keyed by the
        # broker's address: closing the app's pool would leave a closed pool registered for that
        # address ("Acquire on closed pool" on the way back). Empty the registries instead.
        pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(celery_app: Any, broker_url: str) -> Iterator[None]:
    """This process sends tasks to `broker_url` (never runs them in-process) while inside."""
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    configure_broker(celery_app, broker_url)
    try:
        yield
    finally:
        configure_broker(celery_app, before[0])
        celery_app.conf.task_always_eager = before[1]


def purge_queue(celery_app: Any, broker_url: str, queue: str) -> None:
    with celery_app.connection_for_write(broker_url) as connection:
        connection.default_channel.queue_purge(queue)


def forget_queue(broker_url: str, queue: str) -> None:
    """Remove what kombu keeps in Redis for a queue that will not be used again: the messages
    and the exchange bindings (otherwise two keys would stay behind for every test)."""
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        keys = [key for key in client.scan_iter(match=f"*{queue}*") if queue.encode() in key]
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextmanager
def route_reports_to(celery_app: Any, queue: str) -> Iterator[None]:
    """Send the render task to `queue` (from `.delay()` in the workflows too) while inside."""
    before = celery_app.conf.task_routes
    celery_app.conf.task_routes = {"reports.render_report_task": {"queue": queue}}
    _reset_router(celery_app)
    try:
        yield
    finally:
        celery_app.conf.task_routes = before
        _reset_router(celery_app)


def _reset_router(celery_app: Any) -> None:
    # The router and its routing table are cached on first use.
    celery_app.amqp.flush_routes()
    with suppress(AttributeError):
        del celery_app.amqp.router
