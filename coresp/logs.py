"""Logging filters for the console."""

from __future__ import annotations

import logging


class NoTracebackBelow500(logging.Filter):
    """A refused request (403, 404, 405...) is the platform working as meant: log its line, not
    the traceback Django attaches to it. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
