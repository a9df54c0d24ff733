"""The raw HTML of the main pages is valid: the Nu HTML checker (the W3C's validator, `vnu-jar`
from the npm registry, pinned in package-lock.json) finds no error in any of them.

The pages are the demo project's, as its coordinator sees them (the fullest pages: every button and
form a coordinator is offered), plus the login page. They are fetched with Django's test client,
written to files and checked in one run of the checker, since each start of the JVM costs about a
second. The checker comes from `npm ci` (`make install`, `.ci/run`) and needs Java: without either
the test is skipped, or fails with REQUIRE_SERVICES=1, as in CI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demo.loader import load_demo
from events.models import Event
from procurement.models import Tender
from projects.models import Membership
from tests.conftest import require_service

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command() -> list[str]:
    """`java -jar vnu.jar`, or skip (fail under REQUIRE_SERVICES=1) when either is missing."""
    java = shutil.which("java")
    if not VNU_JAR.exists():
        require_service("the Nu HTML checker", f"{VNU_JAR} is missing (run `npm ci`)")
    if java is None:
        require_service("Java", "`java` is not on PATH (apt-get install default-jre-headless)")
    return [str(java), "-jar", str(VNU_JAR)]


def vnu_errors(command: list[str], files: list[Path]) -> list[str]:
    """Every error the checker reports in `files`, as `file:line: message`."""
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # The messages go to stderr; anything that is not the JSON report is a crash of the checker.
    output = result.stderr.strip() or result.stdout.strip()
    try:
        messages = json.loads(output)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"The Nu HTML checker gave no report (exit {result.returncode}):\n{output}")
    return [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


@pytest.mark.django_db
def test_the_main_pages_have_no_html_errors(tmp_path: Path) -> None:
    command = vnu_command()
    project = load_demo(today=timezone.localdate())
    coordinator = Membership.objects.get(project=project, role=Membership.Role.COORDINATOR).user
    slug = project.slug
    deliverable = project.deliverables.order_by("sort_key").first()
    event = Event.objects.filter(project=project).order_by("starts_at").first()
    tender = Tender.objects.filter(project=project).order_by("pk").first()
    assert deliverable and event and tender
    pages = {
        "dashboard": reverse("projects:project_dashboard", args=[slug]),
        "deliverable_list": reverse("projects:deliverable_list", args=[slug]),
        "deliverable_detail": deliverable.get_absolute_url(),
        "event_list": reverse("events:event_list", args=[slug]),
        "event_detail": event.get_absolute_url(),
        "risk_list": reverse("projects:risk_list", args=[slug]),
        "impact_overview": reverse("impact:impact_overview", args=[slug]),
        "procurement_summary": reverse("procurement:procurement_summary", args=[slug]),
        "tender_list": reverse("procurement:tender_list", args=[slug]),
        "tender_detail": reverse("procurement:tender_detail", args=[slug, tender.pk]),
        "report_list": reverse("reports:report_list", args=[slug]),
    }
    client = Client()
    client.force_login(coordinator)
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    login = Client().get(reverse("account_login"))
    assert login.status_code == 200
    files.append(tmp_path / "login.html")
    files[-1].write_bytes(login.content)

    errors = vnu_errors(command, files)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
