"""A real SMTP server for the tests about mail: aiosmtpd on 127.0.0.1, on a free port, keeping
every message it receives. The `smtp_server` fixture (tests/conftest.py) points Django's default
mailer at it, so a test sends through Django's SMTP backend, over a socket, as production does."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the server received: one parsed message per DATA, with its envelope recipients."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        pairs = zip(self.messages, self.recipients, strict=True)
        return [message for message, rcpt in pairs if address in rcpt]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def body(message: EmailMessage) -> str:
    """The plain-text part of `message`, decoded."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text part"
    text: str = part.get_content()
    return text
