"""`manage.py check --deploy` passes with production values and fails on a per-process cache
(accounts/checks.py); `migrate` makes the database cache's table. Each test starts a fresh
Python with a clean environment (tests/test_settings.py's helpers)."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from tests.test_settings import run_python

CHECK_DEPLOY = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def production(**env: str) -> dict[str, str]:
    return {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "coresp.example",
        "SITE_URL": "https://coresp.example",
        **env,
    }


def test_check_deploy_is_clean_with_redis(tmp_path: Path) -> None:
    # The check does not connect to Redis: nothing needs to listen there.
    result = run_python(CHECK_DEPLOY, production(REDIS_URL="redis://127.0.0.1:6379/3"), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_with_the_database_cache(tmp_path: Path) -> None:
    # No REDIS_URL: the default is the database cache, shared by every process.
    result = run_python(CHECK_DEPLOY, production(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_a_per_process_cache(tmp_path: Path) -> None:
    result = run_python(CHECK_DEPLOY, production(CACHE_BACKEND="locmem"), tmp_path)
    assert result.returncode != 0
    assert "coresp.E001" in result.stderr
    assert "LocMemCache" in result.stderr


def test_plain_check_without_deploy_lets_a_per_process_cache_through(tmp_path: Path) -> None:
    # Development and the test run use local memory; only a deployment must not.
    result = run_python(["manage.py", "check"], production(CACHE_BACKEND="locmem"), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unknown_cache_backend_stops_the_start(tmp_path: Path) -> None:
    result = run_python(["-c", "import coresp.settings"], production(CACHE_BACKEND="mem"), tmp_path)
    assert result.returncode != 0
    assert "CACHE_BACKEND must be one of redis, database, locmem, not 'mem'" in result.stderr


def test_migrate_makes_the_database_cache_table(tmp_path: Path) -> None:
    database = tmp_path / "fresh.sqlite3"
    env = production(DATABASE_URL=f"sqlite:///{database}")
    result = run_python(["manage.py", "migrate", "--noinput"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "coresp_cache" in tables
    # createcachetable at every start (bin/run, docker-compose.yml) is harmless afterwards.
    again = run_python(["manage.py", "createcachetable"], env, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
