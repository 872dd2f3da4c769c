"""Fixtures for the email tests: a real SMTP server (the mail configuration is
`tests.support.factories.MAIL`, passed to every `queue_*` call)."""

import pytest

from devkit.smtp_server import SmtpServer
from notifications.transports import SmtpTransport


@pytest.fixture
def smtp_transport(smtp_server: SmtpServer) -> SmtpTransport:
    return SmtpTransport.from_url(smtp_server.url)
