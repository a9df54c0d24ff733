"""Fixtures for the tests about email (the outbox, invitations, password resets). None is
autouse: a test asks for what it needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.accounts.mailserver import SwitchableSMTP


@pytest.fixture
def smtp_down(settings: Any) -> Iterator[SwitchableSMTP]:
    """Django's mailer points at a port where no SMTP server listens (yet): `.up()` starts one
    there, `.inbox` is what it received."""
    server = SwitchableSMTP()
    settings.MAILERS = server.mailer()
    try:
        yield server
    finally:
        server.down()
