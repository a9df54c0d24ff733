"""The test cast, and the real services some tests need.

The cast (STYLE.md): one `project` with three partners, and a user for each role.

    P1 EASPD    coordinator organisation  <- `coordinator` (role coordinator)
    P2 CoopLab  leads WP1 and `deliverable` (D1.1)  <- `partner` (role partner)
    P3 Voorbeeld  another partner  <- `other_partner` (role partner)
    `observer`  role observer, for no partner (a funder's project officer)
    `outsider`  in no project at all

Services: tests that are about PostgreSQL, Redis, the Celery worker or the browser ask for them
through fixtures (`postgres`, `redis_url`, `celery_worker`, and `page` in browser/). A missing
service skips the test, loudly (one line per service at the end of the run), or fails it when
REQUIRE_SERVICES=1, as in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from projects.models import Deliverable, Membership, Organisation, Partner, Project, WorkPackage
from tests.factories import (
    make_deliverable,
    make_membership,
    make_organisation,
    make_partner,
    make_project,
    make_user,
    make_work_package,
)

BASE_DIR = Path(settings.BASE_DIR)


# --- the cast ---------------------------------------------------------------------------------


@pytest.fixture
def project(db: None) -> Project:
    """CO-RESP with P1 (coordinator organisation), P2 (leads WP1), P3, and WP1."""
    project = make_project("CO-RESP")
    make_partner(
        project,
        make_organisation(
            "EASPD",
            legal_name="European Association of Service providers for Persons with Disabilities",
            kind=Organisation.Kind.NETWORK,
            country="BE",
        ),
        number=1,
        role=Partner.Role.COORDINATOR,
    )
    p2 = make_partner(
        project,
        make_organisation("CoopLab", legal_name="CoopLab S. Coop.", country="ES"),
        number=2,
    )
    make_partner(
        project,
        make_organisation(
            "Voorbeeld",
            legal_name="Gemeente Voorbeeld",
            kind=Organisation.Kind.PUBLIC_AUTHORITY,
            country="NL",
        ),
        number=3,
    )
    make_work_package(project, number=1, title="Project management and quality", lead=p2)
    return project


def _partner(project: Project, number: int) -> Partner:
    return project.partners.get(number=number)


@pytest.fixture
def coordinator(project: Project) -> User:
    user = make_user("coordinator@example.org", full_name="Cora Coordinator")
    make_membership(user, project, role=Membership.Role.COORDINATOR, partner=_partner(project, 1))
    return user


@pytest.fixture
def partner(project: Project) -> User:
    """Staff of P2, the lead organisation of WP1 and of the deliverables tests make there."""
    user = make_user("partner@example.org", full_name="Pat Partner")
    make_membership(user, project, role=Membership.Role.PARTNER, partner=_partner(project, 2))
    return user


@pytest.fixture
def other_partner(project: Project) -> User:
    user = make_user("other.partner@example.org", full_name="Olga Other")
    make_membership(user, project, role=Membership.Role.PARTNER, partner=_partner(project, 3))
    return user


@pytest.fixture
def observer(project: Project) -> User:
    user = make_user("observer@example.org", full_name="Otto Observer")
    make_membership(user, project, role=Membership.Role.OBSERVER)
    return user


@pytest.fixture
def outsider(db: None) -> User:
    return make_user("outsider@example.org", full_name="Xena Outsider")


@pytest.fixture
def work_package(project: Project) -> WorkPackage:
    return project.work_packages.get(number=1)


@pytest.fixture
def deliverable(work_package: WorkPackage) -> Deliverable:
    """D1.1, led by P2 (the `partner`'s organisation), due M6 (31 March 2023)."""
    return make_deliverable(work_package, number="D1.1", title="Project handbook", due_month=6)


# --- a clean cache ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """allauth's rate limits live in the cache: each test starts with none used."""
    _empty_cache()
    yield
    _empty_cache()


def _empty_cache() -> None:
    backend = cache._cache if hasattr(cache, "_cache") else None  # RedisCache's client wrapper
    if backend is not None and hasattr(backend, "get_client"):
        # The cache is Redis (REDIS_URL is set): without it, every test that logs in would fail
        # with a connection error. Say so once, clearly, instead.
        if problem := _redis_problem(os.environ.get("REDIS_URL", "")):
            require_service("Redis", f"the cache is Redis, but {problem}")
        # Not cache.clear(): on Redis that is FLUSHDB, which would also wipe the Celery
        # broker's queues and bindings when both share a database. Delete only our own keys.
        client = backend.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key("*")))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


# --- services ---------------------------------------------------------------------------------

# service name -> [reason, number of tests that needed it]
_missing_services: dict[str, list[Any]] = {}


def require_service(name: str, reason: str) -> None:
    """Skip the current test for want of `name` (fail it when REQUIRE_SERVICES=1)."""
    entry = _missing_services.setdefault(name, [reason, 0])
    entry[1] += 1
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but missing: {reason}", pytrace=False)
    pytest.skip(f"needs {name}: {reason}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, (reason, count) in sorted(_missing_services.items()):
        verb = "FAILED" if os.environ.get("REQUIRE_SERVICES") == "1" else "SKIPPED"
        terminalreporter.write_line(
            f"!!! {verb} {count} test(s) that need {name}: {reason}", red=True, bold=True
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the test, so fixtures can tell at teardown whether it failed
    # (print the worker's log, take a screenshot).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def call_failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "rep_call", None)
    return report is None or report.failed


@pytest.fixture
def postgres() -> None:
    """The test database is PostgreSQL (a SQLite one is invisible to other processes)."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        require_service(
            "PostgreSQL",
            f"the database is {engine.rsplit('.', 1)[-1]}; "
            "set DATABASE_URL=postgres://... (and DB_TEST_NAME)",
        )


_redis_answers: dict[str, str] = {}  # REDIS_URL -> "" if it answered, else the error


def _redis_problem(url: str) -> str:
    if url not in _redis_answers:
        import redis

        try:
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            client.ping()
            client.close()
            _redis_answers[url] = ""
        except Exception as exc:
            _redis_answers[url] = f"{url} does not answer ({type(exc).__name__}: {exc})"
    return _redis_answers[url]


@pytest.fixture
def redis_url() -> str:
    """REDIS_URL, when it is set and Redis answers a ping."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        require_service("Redis", "REDIS_URL is not set (e.g. REDIS_URL=redis://127.0.0.1:6379/1)")
    elif problem := _redis_problem(url):
        require_service("Redis", problem)
    return url


@pytest.fixture
def celery_broker(redis_url: str, settings: Any) -> Iterator[str]:
    """This process sends tasks to the Redis broker, never runs them in-process, for one test."""
    from coresp.celery import app as celery_app

    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The Celery app copied Django's settings when it was first configured; change its own
    # configuration too, and drop connection pools that may point at another broker.
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    _configure_celery(celery_app, broker_url=redis_url, always_eager=False)
    yield redis_url
    _configure_celery(celery_app, broker_url=before[0], always_eager=before[1])


def _configure_celery(celery_app: Any, *, broker_url: str, always_eager: bool) -> None:
    celery_app.conf.task_always_eager = always_eager
    if celery_app.conf.broker_url != broker_url:
        celery_app.conf.broker_url = broker_url
        # kombu keeps its connection pools per broker address; reset them all, or switching
        # back to an address later finds its closed pool ("Acquire on closed pool").
        import kombu.pools

        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict  # while tests run, NAME is the test database's name
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or ""
    if db["PORT"]:
        host += f":{db['PORT']}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


class CeleryWorker:
    """A real `celery worker` process, sharing the test database and Redis with this process."""

    def __init__(self, log_path: Path, process: subprocess.Popen[bytes]) -> None:
        self.log_path = log_path
        self.process = process

    def log(self, start: int = 0) -> str:
        return self.log_path.read_text(errors="replace")[start:]

    def log_size(self) -> int:
        return len(self.log())


@pytest.fixture(scope="session")
def _celery_worker_process(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorker]:
    # Depends on django_db_setup so that the worker (and its database connections) is gone
    # before pytest-django drops the test database.
    from coresp.celery import app as celery_app

    redis_url = os.environ["REDIS_URL"]
    # A message left behind by an earlier, aborted run would otherwise run against this run's
    # database (or fail on a missing row): start from an empty queue.
    with celery_app.connection_for_write(redis_url) as connection:
        celery_app.control.purge(connection=connection)

    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_url,
        "CORESP_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "coresp.settings",
        "PYTHONUNBUFFERED": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery), "-A", "coresp", "worker", "--pool", "prefork", "--concurrency", "1",
        "-l", "info", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "-n", f"coresp-tests-{os.getpid()}@%h",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    worker = CeleryWorker(log_path, process)
    deadline = time.monotonic() + 60
    while " ready." not in worker.log():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"The Celery worker did not start. Its log:\n{worker.log()}")
        time.sleep(0.1)
    yield worker
    process.terminate()  # warm shutdown: finishes the task in hand
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker(
    postgres: None,
    celery_broker: str,
    transactional_db: None,
    request: pytest.FixtureRequest,
) -> Iterator[CeleryWorker]:
    """A running Celery worker that sees what the test commits; its log is printed on failure.

    Needs PostgreSQL (an in-memory SQLite test database is invisible to another process) and
    Redis. The test's data is committed (transactional_db) so that the worker can read it.
    """
    worker: CeleryWorker = request.getfixturevalue("_celery_worker_process")
    start = worker.log_size()
    yield worker
    if worker.process.poll() is not None:
        pytest.fail(f"The Celery worker died during the test. Its log:\n{worker.log(start)}")
    if call_failed(request):
        print(f"--- Celery worker log during {request.node.name} ---\n{worker.log(start)}")


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Any]:
    """A real SMTP server (aiosmtpd, tests/smtp.py) that Django's default mailer sends to."""
    from tests import smtp

    inbox = smtp.Inbox()
    controller = smtp.start(inbox)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": controller.hostname,
                "port": controller.port,
                "use_tls": False,
                "timeout": 10,
            },
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's language: a request's language (LocaleMiddleware) stays
    active in the thread after the response, and would leak into the next test's rendering."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def in_process_tasks() -> Iterator[None]:
    """Tasks run in this process when sent (Celery's eager mode), even when REDIS_URL is set,
    so that an email queued on commit is sent into this test's mailer (locmem's mail.outbox, or
    the test's SMTP server). For tests about what is sent, not about the background machinery;
    a test that asks for `celery_broker` turns it off again."""
    from coresp.celery import app as celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before
