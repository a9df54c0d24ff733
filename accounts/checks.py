"""System checks for a deployment: `manage.py check --deploy` fails on a per-process cache."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

# Each process keeps its own copy (or none): allauth's rate limits would count per worker.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def check_cache_is_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The default cache is shared by every process (Redis or the database)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is per process: each web worker "
            "would count sign-in attempts on its own, so the rate limits do not hold.",
            hint="Set REDIS_URL, or leave CACHE_BACKEND unset (or 'database') to use the "
            "database cache.",
            id="coresp.E001",
        )
    ]
