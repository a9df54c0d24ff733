"""The Celery application, configured from Django's settings (the CELERY_* names)."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coresp.settings")

app = Celery("coresp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("coresp")


@worker_ready.connect
def _announce_worker(**_: object) -> None:
    logger.info("Celery worker ready on broker %s", app.conf.broker_url.split("@")[-1])


def announce_task_mode() -> None:
    """Say in the server log where background tasks run: a worker, or this process."""
    if app.conf.task_always_eager:
        logger.warning(
            "No REDIS_URL: background tasks (PDF reports) run IN-PROCESS inside the web "
            "server, one at a time. Start Redis and set REDIS_URL to use a Celery worker."
        )
    else:
        logger.info("Background tasks go to the Celery broker at %s", app.conf.broker_url)
