"""Gunicorn settings for `gunicorn coresp.wsgi -c gunicorn.conf.py`, read from the environment."""

import os


def _default_workers() -> int:
    # The usual 2 x cores + 1, capped: each worker holds a full Django process in memory, and PDF
    # rendering runs in Celery, not here. sched_getaffinity sees the cores a container may use.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, 9)


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())

# Recycle workers now and then so slow memory growth never accumulates.
max_requests = 1000
max_requests_jitter = 100

# Request and error logs both go to stdout/stderr, where Docker collects them.
accesslog = "-"
errorlog = "-"

# Gunicorn's documented advice for Docker, whose /tmp is on disk: a worker that waits on the disk to
# touch its heartbeat file gets killed as stuck. Gunicorn makes these files itself, safely.
SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(SHM):
    worker_tmp_dir = SHM
