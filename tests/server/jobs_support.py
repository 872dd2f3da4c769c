"""Certificates at chosen distances from their end, relative to the real clock, for the tests
that run the expiry job in another process (`certs jobs run`, `certs serve`)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.clock import FixedClock
from domain.enums import Role
from events.bus import InProcessBus
from models import Certificate
from services.dependencies import Dependencies
from storage.documents import DocumentStore
from tests.services.conftest import approve, submit
from tests.support.factories import make_caller, make_company


async def certificate_ending_in(
    ends_in: timedelta, serial: str, documents: Path, valid_for: timedelta = timedelta(days=365)
) -> Certificate:
    """A company with a certificate that ends `ends_in` from now (negative: it already ended)."""
    now = datetime.now(UTC)
    valid_until = now + ends_in
    valid_from = valid_until - valid_for
    clock = FixedClock(valid_from - timedelta(hours=2))
    deps = Dependencies(clock=clock, documents=DocumentStore(documents), bus=InProcessBus())
    company = await make_company(contact_email=f"{serial.lower()}@ejemplo.co")
    customer = await make_caller(Role.CUSTOMER, company)
    reviewer = await make_caller(Role.REVIEWER)
    request = await submit(deps, customer, idempotency_key=serial)
    clock.set(valid_from)  # approved as it starts: Activo at once
    _, certificate = await approve(deps, reviewer, request, serial, valid_from, valid_until)
    return certificate
