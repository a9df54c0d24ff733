"""The site as a whole: the home page needs a login, and errors get the site's own pages."""

from __future__ import annotations

import ast
import logging
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from coresp.logs import NoTracebackBelow500

pytestmark = pytest.mark.django_db


def test_home_sends_anonymous_visitors_to_login(client: Client) -> None:
    response = client.get(reverse("projects:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/"


def test_home_of_someone_in_no_project_says_so(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    response = client.get(reverse("projects:home"))
    assert response.status_code == 200
    assert b"You are not a member of any project yet." in response.content


def test_unknown_address_gets_the_friendly_404_page(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert b"We could not find that page" in response.content
    assert b"CO-RESP" in response.content


def test_404_page_does_not_leak_debug_information(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert b"Using the URLconf" not in response.content
    assert b"Traceback" not in response.content


def test_a_refused_request_is_logged_without_a_traceback(
    client: Client, observer: User, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(observer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post(
            reverse("projects:risk_create", args=[observer.memberships.get().project.slug])
        )
    assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert refused, "Django logs the refusal"
    assert all(r.exc_info is None for r in refused)
    assert "Forbidden" in refused[0].getMessage()


def test_a_server_error_keeps_its_traceback() -> None:
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    record.status_code = 500
    assert NoTracebackBelow500().filter(record)
    assert record.exc_info is not None


# Imports go one way: an app may import the apps before it in this chain, never one after it.
# demo, at the top, is the only app that may import all the others.
IMPORT_CHAIN = ("accounts", "projects", "events", "procurement", "impact", "reports", "demo")


def test_imports_go_one_way_up_the_chain() -> None:
    root = Path(__file__).resolve().parents[1]
    upward = []
    for level, app in enumerate(IMPORT_CHAIN):
        for path in sorted((root / app).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in IMPORT_CHAIN and IMPORT_CHAIN.index(top) > level:
                        upward.append(f"{path.relative_to(root)}:{node.lineno} imports {name}")
    assert not upward
