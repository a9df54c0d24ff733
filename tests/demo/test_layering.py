"""The demo is its own component: the app at the top of the chain, and the domain apps hold
none of its data or code."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.conf import settings

from demo.story import read_story
from tests.demo.texts import data_texts

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("accounts", "projects", "events", "procurement", "impact", "reports")


def _domain_files() -> list[Path]:
    files = [
        path
        for app in DOMAIN_APPS
        for path in sorted((ROOT / app).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert len(files) > 50  # the apps are there, so the test can fail
    return files


def _markers() -> set[str]:
    """What only the demo knows: its people, organisations, password and project."""
    story = read_story()
    markers = {story.people.password, story.plan.project.title}
    markers |= {story.plan.project.grant_agreement_number}
    for person in story.people.people:
        markers |= {person.email, person.email.split("@")[1], person.full_name}
    for partner in story.partners:
        markers |= {partner.legal_name, partner.pic}
    return markers


def _runs(text: str) -> set[str]:
    """Fingerprints of the runs of seven words of `text`."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    runs = {" ".join(words[i : i + 7]) for i in range(len(words) - 6)}
    return {hashlib.sha256(run.encode()).hexdigest()[:16] for run in runs}


def test_demo_is_the_last_installed_app() -> None:
    assert settings.INSTALLED_APPS[-1] == "demo"


def test_no_domain_app_holds_demo_data() -> None:
    markers = _markers()
    story_runs = set().union(*(_runs(text) for text in data_texts()))
    for path in _domain_files():
        assert "demo" not in path.stem, path
        text = path.read_text(errors="replace")
        assert not [m for m in markers if m in text], path
        assert not _runs(text) & story_runs, path


def test_no_domain_app_imports_the_demo() -> None:
    imports = re.compile(r"^\s*(from|import)\s+demo\b", re.MULTILINE)
    assert not [path for path in _domain_files() if imports.search(path.read_text("utf-8"))]
