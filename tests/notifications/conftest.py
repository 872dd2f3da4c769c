"""Fixtures for the email tests: a known mail configuration (and, below, a real SMTP server)."""

from collections.abc import Iterator

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

import notifications
from notifications.config import MailConfig, current_config

MAIL_FROM = "Andes Certificados <no-reply@certs.example.co>"
PUBLIC_BASE_URL = "https://certs.example.co"


@pytest.fixture(autouse=True)
def mail_config() -> Iterator[MailConfig]:
    """Every test renders with the same sender and base URL, and leaves the default behind."""
    previous = current_config()
    config = notifications.configure(mail_from=MAIL_FROM, public_base_url=PUBLIC_BASE_URL)
    yield config
    notifications.configure(mail_from=previous.mail_from, public_base_url=previous.public_base_url)


@pytest.fixture(autouse=True)
def _fresh_tortoise_executor_cache() -> None:
    """Tortoise caches INSERT statements per connection *name*, which is `default` on both
    backends: a statement built for SQLite (`?` placeholders) would be reused on PostgreSQL
    in the same process. Start every test with an empty cache."""
    EXECUTOR_CACHE.clear()
