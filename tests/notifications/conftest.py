"""Fixtures for the email tests: a known mail configuration (and, below, a real SMTP server)."""

from collections.abc import Iterator

import pytest

import notifications
from notifications.config import MailConfig, current_config
from notifications.transports import SmtpTransport
from tests.services.conftest import company, customer, deps  # noqa: F401 - shared fixtures
from tests.support.smtp_server import SmtpServer

MAIL_FROM = "Andes Certificados <no-reply@certs.example.co>"
PUBLIC_BASE_URL = "https://certs.example.co"


@pytest.fixture(autouse=True)
def mail_config() -> Iterator[MailConfig]:
    """Every test renders with the same sender and base URL, and leaves the default behind."""
    previous = current_config()
    config = notifications.configure(mail_from=MAIL_FROM, public_base_url=PUBLIC_BASE_URL)
    yield config
    notifications.configure(mail_from=previous.mail_from, public_base_url=previous.public_base_url)


@pytest.fixture
def smtp_transport(smtp_server: SmtpServer) -> SmtpTransport:
    return SmtpTransport.from_url(smtp_server.url)
