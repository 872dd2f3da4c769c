"""Steps of the request flow through the use cases themselves (submit, reject, approve,
upload…) and the checks around them (refused, emails, next_event…): the one home of these helpers
for the service, notification and server tests (the GraphQL steps are in tests/support/flows.py).

Every scenario starts from rows the services really write: the `deps` the server hands every use
case (tests/conftest.py) and a `Caller` (tests/support/factories.py).
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from tortoise.models import Model

from domain.calendar import local_date
from domain.clock import FixedClock
from domain.enums import DocumentKind, ErrorCode, IdentityDocumentType, PersonType, Role
from domain.errors import DomainError
from events.bus import EventBus, InProcessBus
from events.messages import StatusChanged
from models import (
    ApiToken,
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    OutboxEmail,
    RequestDocument,
    RequestStatusChange,
    User,
)
from services.approve_certificate_request import ApproveCommand, approve_certificate_request
from services.dependencies import Dependencies
from services.documents import UploadedDocument
from services.reject_certificate_request import (
    DocumentObservation,
    RejectCommand,
    reject_certificate_request,
)
from services.submit_certificate_request import (
    LegalRepresentative,
    SubmitCommand,
    submit_certificate_request,
)
from storage.documents import DocumentStore
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import pdf
from tests.support.refusals import assert_refusal

#: Every table a use case may write to, for "nothing was written" checks.
ALL_MODELS: tuple[type[Model], ...] = (
    Company,
    User,
    ApiToken,
    CertificateRequest,
    RequestDocument,
    RequestStatusChange,
    Certificate,
    CertificateStatusChange,
    OutboxEmail,
)

REPRESENTATIVE = LegalRepresentative(
    name="Laura Gómez Ñáñez", id_type=IdentityDocumentType.CC, id_number="1020304050"
)

ONE_YEAR = timedelta(days=365)
EVENT_TIMEOUT = 1.0


# --- Dependencies ----------------------------------------------------------------------------


def today(deps: Dependencies) -> date:
    """The date in Bogotá at the deps' clock: what 'today' means for the rules."""
    return local_date(deps.clock.now())


# --- Documents and commands ------------------------------------------------------------------


def upload(
    kind: DocumentKind, data: bytes | None = None, *, name: str = "", issued_on: date | None = None
) -> UploadedDocument:
    return UploadedDocument(
        kind=kind,
        file_name=name or f"{kind.value.lower()}.pdf",
        data=pdf(kind.value) if data is None else data,
        issued_on=issued_on,
    )


def document_set(
    issued_on: date | None,
    person_type: PersonType = PersonType.LEGAL_ENTITY,
    *,
    tag: str = "",
) -> list[UploadedDocument]:
    """A complete, valid set: RUT, the representative's ID and (legal entity) the chamber one."""
    documents = [
        upload(DocumentKind.RUT, pdf("RUT" + tag)),
        upload(DocumentKind.LEGAL_REPRESENTATIVE_ID, pdf("ID" + tag)),
    ]
    if person_type is PersonType.LEGAL_ENTITY:
        documents.append(
            upload(
                DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE,
                pdf("CHAMBER" + tag),
                issued_on=issued_on,
            )
        )
    return documents


def submit_command(
    deps: Dependencies,
    *,
    documents: Sequence[UploadedDocument] | None = None,
    chamber_age_days: int = 10,
    **overrides: Any,
) -> SubmitCommand:
    """A valid submission at the deps' clock; any field of SubmitCommand may be overridden."""
    if documents is None:
        documents = document_set(today(deps) - timedelta(days=chamber_age_days))
    values: dict[str, Any] = {"legal_representative": REPRESENTATIVE, **overrides}
    return SubmitCommand(documents=documents, **values)


async def submit(deps: Dependencies, caller: Caller, **overrides: Any) -> CertificateRequest:
    return await submit_certificate_request(
        deps, caller.principal, submit_command(deps, **overrides)
    )


async def reject(
    deps: Dependencies,
    reviewer: Caller,
    request: CertificateRequest,
    observations: str = "El RUT no está actualizado.",
    flagged: dict[DocumentKind, str] | None = None,
) -> CertificateRequest:
    """Reject `request`, flagging the current document of each kind in `flagged`."""
    documents = await current_documents(request)
    notes = [
        DocumentObservation(documents[kind].id, text) for kind, text in (flagged or {}).items()
    ]
    return await reject_certificate_request(
        deps, reviewer.principal, RejectCommand(request.id, observations, notes)
    )


def approve_command(
    deps: Dependencies,
    request: CertificateRequest,
    serial: str = "SN-0001",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> ApproveCommand:
    start = valid_from or deps.clock.now()
    return ApproveCommand(request.id, serial, start, valid_until or start + ONE_YEAR)


async def approve(
    deps: Dependencies,
    reviewer: Caller,
    request: CertificateRequest,
    serial: str = "SN-0001",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> tuple[CertificateRequest, Certificate]:
    return await approve_certificate_request(
        deps,
        reviewer.principal,
        approve_command(deps, request, serial, valid_from, valid_until),
    )


async def current_documents(request: CertificateRequest) -> dict[DocumentKind, RequestDocument]:
    """The request's documents not superseded, by kind (one per kind, OTHER aside)."""
    rows = await RequestDocument.filter(request_id=request.id, superseded_at=None).order_by("id")
    return {row.kind: row for row in rows}


# --- Certificates relative to the real clock ---------------------------------------------------


async def certificate_ending_in(
    ends_in: timedelta, serial: str, documents: Path, valid_for: timedelta = timedelta(days=365)
) -> Certificate:
    """A company with a certificate that ends `ends_in` from now (negative: it already ended),
    for the tests that run the expiry job in another process (`certs jobs run`, `certs serve`)."""
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


# --- Checks ----------------------------------------------------------------------------------


def fields_of(rows: Iterable[Model], *names: str) -> list[tuple[object, ...]]:
    """The named attributes of each row, to compare history or documents in one assertion."""
    return [tuple(getattr(row, name) for name in names) for row in rows]


async def row_counts() -> dict[str, int]:
    """The rows of each table of ALL_MODELS, read in one statement: a query per table (nine round
    trips through the driver's thread) was most of a state-machine step (stateful test)."""
    counts = ", ".join(
        f'(SELECT COUNT(*) FROM "{model._meta.db_table}") AS "{model.__name__}"'  # noqa: S608 - our tables
        for model in ALL_MODELS
    )
    [row] = await ALL_MODELS[0]._meta.db.execute_query_dict(f"SELECT {counts}")
    return {name: int(value) for name, value in row.items()}


async def refused(
    call: Awaitable[object], code: ErrorCode, field: str | None = None, *, message: str
) -> DomainError:
    """Await a use case that must refuse and write nothing: its headline problem is exactly
    (`code`, `field`, `message`), the Spanish message compared whole (docs/testing.md)."""
    before = await row_counts()
    with pytest.raises(DomainError) as caught:
        await call
    error = caught.value
    assert_refusal(error, code=code, field=field, message=message)
    assert await row_counts() == before, "a refused use case wrote rows"
    return error


async def emails(**filters: Any) -> list[OutboxEmail]:
    return await OutboxEmail.filter(**filters).order_by("id")


async def next_event(events: AsyncIterator[StatusChanged]) -> StatusChanged:
    return await asyncio.wait_for(anext(events), EVENT_TIMEOUT)


#: Published by `assert_no_event` after the calls under test; no use case makes a change id 0.
NOTHING_BEFORE_ME = StatusChanged(subject="request", subject_id=0, company_id=0, change_id=0)


async def assert_no_event(events: AsyncIterator[StatusChanged], bus: EventBus) -> None:
    """Nothing was announced to `events` so far: a marker published now must be the next event
    (the bus delivers in order, and use cases publish before they return), rather than waiting
    a fixed time for an event that might just be late."""
    await bus.publish(NOTHING_BEFORE_ME)
    assert await next_event(events) == NOTHING_BEFORE_ME


# --- A bus that checks, as each event is published, that its change is committed -------------


_HISTORY_TABLES = {
    "request": "request_status_changes",
    "certificate": "certificate_status_changes",
}


def _sqlite_has_row(path: str, table: str, row_id: int) -> bool:
    connection = sqlite3.connect(path, timeout=1)
    try:
        found = connection.execute(
            f"SELECT 1 FROM {table} WHERE id = ?",  # noqa: S608 - table from a fixed mapping
            (row_id,),
        ).fetchone()
    finally:
        connection.close()
    return found is not None


async def committed(database_url: str, event: StatusChanged) -> bool:
    """Whether the history row an event names is visible from another connection."""
    table = _HISTORY_TABLES[event.subject]
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        return await asyncio.to_thread(_sqlite_has_row, path, table, event.change_id)
    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        found = await connection.fetchval(
            f"SELECT 1 FROM {table} WHERE id = $1",  # noqa: S608 - table from a fixed mapping
            event.change_id,
        )
    finally:
        await connection.close()
    return found is not None


@dataclass
class Published:
    event: StatusChanged
    committed: bool


class CommitProbingBus(InProcessBus):
    """An InProcessBus that records, for every event, whether its change was already committed
    (visible to another database connection) at the moment it was published."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.database_url = database_url
        self.published: list[Published] = []

    async def publish(self, event: StatusChanged) -> None:
        self.published.append(Published(event, await committed(self.database_url, event)))
        await super().publish(event)
