"""Fixtures for the email tests: a real SMTP server (the mail configuration is
`tests.support.factories.MAIL`, passed to every `queue_*` call)."""

import pytest

from devkit.smtp_server import SmtpServer
from notifications.transports import SmtpTransport
from tests.services.conftest import deps  # noqa: F401 - shared fixture (company and customer are global)


@pytest.fixture
def smtp_transport(smtp_server: SmtpServer) -> SmtpTransport:
    return SmtpTransport.from_url(smtp_server.url)
