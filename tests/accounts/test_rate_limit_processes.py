"""allauth's sign-in rate limit holds across web processes without Redis (issue 15, item 5).

A real gunicorn with two workers serves the app against the PostgreSQL test database, with no
REDIS_URL, so the cache is the database cache. Each worker answers one request and is replaced
(`--max-requests 1`): every attempt is judged by a process that saw none of the earlier ones, so
a per-process cache would let every attempt through. The 6th wrong password within 5 minutes
(ACCOUNT_RATE_LIMITS login_failed 5/300s/key) must be refused.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import BASE_DIR, _test_database_url, call_failed
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.services

LOGIN = "/accounts/login/"
TOO_MANY = "Too many failed login attempts"
WRONG = "not correct"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Gunicorn:
    url: str
    access_log: Path
    error_log: Path
    process: subprocess.Popen[bytes]

    def pids_that_answered(self, method: str, path: str, *, count: int) -> list[str]:
        """The process ids of the `count` answers to METHOD PATH, in order."""
        # Access log lines are "<pid> METHOD PATH STATUS" (--access-logformat below); a worker
        # writes its line just after the response, so the last one may be a moment late.
        deadline = time.monotonic() + 10
        while True:
            lines = self.access_log.read_text().splitlines()
            pids = [line.split()[0] for line in lines if line.split()[1:3] == [method, path]]
            if len(pids) >= count or time.monotonic() > deadline:
                return pids
            time.sleep(0.1)


@pytest.fixture
def gunicorn(
    postgres: None, transactional_db: None, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Gunicorn]:
    """gunicorn with 2 workers on a free port, sharing the test database, without Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CACHE_BACKEND": "database",
        "CORESP_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "coresp.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    python = Path(sys.executable)
    # As at every start (docker-compose.yml, bin/run): the test database was migrated by this
    # process, whose cache is local memory, so the table comes from here.
    made = subprocess.run(
        [str(python), "manage.py", "createcachetable"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM coresp_cache")  # no attempts left from an earlier run

    port = free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    command = [
        str(python.with_name("gunicorn")), "coresp.wsgi", "-c", "gunicorn.conf.py",
        "--bind", f"127.0.0.1:{port}", "--workers", "2",
        "--max-requests", "1", "--max-requests-jitter", "0",
        "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
        "--error-logfile", str(error_log),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    server = Gunicorn(f"http://127.0.0.1:{port}", access_log, error_log, process)
    try:
        deadline = time.monotonic() + 60
        while error_log.read_text().count("Booting worker") < 2 if error_log.exists() else True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{_read(error_log)}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if call_failed(request):
            print(f"--- gunicorn error log ---\n{_read(error_log)}")
            print(f"--- gunicorn access log ---\n{_read(access_log)}")


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else "(none)"


class Browser:
    """Cookies and the CSRF token, over plain urllib (a new connection for every request)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.token = ""

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base_url + path))  # noqa: S310 (http only)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.token}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body))  # noqa: S310

    def _open(self, req: urllib.request.Request) -> tuple[int, str]:
        req.add_header("Referer", self.base_url + LOGIN)
        try:
            with self.opener.open(req, timeout=60) as response:
                status, html = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, html = error.code, error.read().decode()
        if match := re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html):
            self.token = match.group(1)
        return status, html


def verdict(status: int, html: str) -> str:
    if status == 429 or TOO_MANY in html:
        return "too many"
    return "wrong" if WRONG in html else f"unexpected {status}"


def test_the_sixth_wrong_password_is_refused_whichever_worker_answers(gunicorn: Gunicorn) -> None:
    make_user("ana@example.org")
    browser = Browser(gunicorn.url)
    status, _ = browser.get(LOGIN)
    assert status == 200 and browser.token

    answers = []
    for _ in range(7):
        status, html = browser.post(LOGIN, {"login": "ana@example.org", "password": "wrong-pw"})
        answers.append(verdict(status, html))

    assert answers == ["wrong"] * 5 + ["too many"] * 2
    # Locked means locked: the right password is refused too until the window has passed.
    status, html = browser.post(LOGIN, {"login": "ana@example.org", "password": PASSWORD})
    assert TOO_MANY in html
    # Every attempt was judged by a different process (each worker answers one request).
    pids = gunicorn.pids_that_answered("POST", LOGIN, count=8)
    assert len(pids) == 8
    assert len(set(pids)) == 8, pids
