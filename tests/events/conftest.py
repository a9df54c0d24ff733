"""Fixtures of the events tests: one event of the cast's project, organised by P2, the
`partner`'s organisation (so `partner` manages it and `other_partner` only reads it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from events.models import Event
from projects.models import Project
from tests.events.factories import make_event


@pytest.fixture
def event(project: Project) -> Event:
    """A roundtable in Brussels on 22 March 2024, 09:00-12:00, organised by P2."""
    return make_event(project, title="Roundtable on social clauses")


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh folder for the test (the storage is reset with the setting)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path
