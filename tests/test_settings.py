"""coresp/settings.py refuses to start without production secrets, and passes `check --deploy`
when given production values. Each test starts a fresh Python with a clean environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def run_python(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    clean_env = {"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def import_settings(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_python(["-c", "import coresp.settings"], env, tmp_path)


def test_settings_refuse_to_start_without_secret_key(tmp_path: Path) -> None:
    result = import_settings({"DEBUG": "False", "ALLOWED_HOSTS": "coresp.example"}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_settings_refuse_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    result = import_settings({"DEBUG": "False", "SECRET_KEY": secrets.token_urlsafe(50)}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set" in result.stderr


def test_settings_without_debug_default_to_off(tmp_path: Path) -> None:
    # No DEBUG at all is production: it must refuse, like DEBUG=False.
    result = import_settings({}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_settings_start_with_debug_and_nothing_else(tmp_path: Path) -> None:
    result = import_settings({"DEBUG": "True"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_values(tmp_path: Path) -> None:
    env = {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "coresp.example",
        "SITE_URL": "https://coresp.example",
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_COOKIES": "True",
        "SECURE_HSTS_SECONDS": "31536000",
    }
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_yes_no_setting_that_is_neither_stops_the_start(tmp_path: Path) -> None:
    result = import_settings({"DEBUG": "ture"}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be one of" in result.stderr
    assert "'ture'" in result.stderr


def test_a_number_setting_that_is_not_a_number_stops_the_start(tmp_path: Path) -> None:
    result = import_settings({"DEBUG": "1", "MAX_UPLOAD_SIZE": "50MB"}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: MAX_UPLOAD_SIZE must be a whole number, not '50MB'" in (
        result.stderr
    )


def test_off_words_read_as_off(tmp_path: Path) -> None:
    code = "import coresp.settings as s; print(s.SECURE_HSTS_PRELOAD, s.DEBUG)"
    result = run_python(["-c", code], {"DEBUG": "yes", "SECURE_HSTS_PRELOAD": "off"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
