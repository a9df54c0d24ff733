"""An SMTP server that a test can take down and bring back on the same port (aiosmtpd, as in
tests/smtp.py), with Django's default mailer pointed at that port all along."""

from __future__ import annotations

from typing import Any

from aiosmtpd.controller import Controller

from tests import smtp


class SwitchableSMTP:
    """A port with, or without, a real SMTP server listening on it."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = smtp.free_port()
        self.inbox = smtp.Inbox()
        self._controller: Controller | None = None

    def mailer(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "use_tls": False, "timeout": 5},
            }
        }

    def up(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.inbox, hostname=self.host, port=self.port)
            self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
