"""The platform's own settings (read from the environment, as in production), with the bench's
URLconf, which adds a trivial authenticated view to measure the other pages against."""

from coresp.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
