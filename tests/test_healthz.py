"""/healthz: is the database answering, and the Celery broker?"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthy_with_tasks_in_process(client: Client, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}


@pytest.mark.services
def test_healthy_with_redis_as_broker(client: Client, settings: Any, redis_url: str) -> None:
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_unavailable_when_the_broker_does_not_answer(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")


def test_healthz_is_never_cached(client: Client, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
