"""The operators' outbox view: only ADMIN may list or retry, and a retry puts an email back in line."""

from datetime import timedelta
from pathlib import Path

import pytest

from domain.clock import FixedClock
from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from models import OutboxEmail, OutboxStatus
from notifications.config import MailConfig
from notifications.emails import queue_request_received
from notifications.transports import MaildirTransport
from notifications.worker import deliver_pending
from services.outbox_admin import MAX_PAGE_SIZE, list_outbox, retry_email
from tests.support.factories import make_company, make_request, make_user
from tests.support.refusals import assert_refusal


async def _queue(count: int) -> list[OutboxEmail]:
    company = await make_company()
    user = await make_user(Role.CUSTOMER, company)
    for _ in range(count):
        await queue_request_received(
            MailConfig(), await make_request(company, submitted_by=user), company
        )
    return await OutboxEmail.all().order_by("id")


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.REVIEWER])
async def test_only_operators_see_the_outbox(db: str, role: Role) -> None:
    await _queue(1)
    with pytest.raises(DomainError) as refused:
        await list_outbox(role, status=None, first=10)
    assert_refusal(
        refused.value,
        code=ErrorCode.FORBIDDEN,
        message="Solo un operador (ADMIN) puede ver los correos enviados.",
    )
    assert "operador" in refused.value.message


async def test_list_is_newest_first_filtered_and_bounded(db: str, clock: FixedClock) -> None:
    rows = await _queue(4)
    await OutboxEmail.filter(id=rows[1].id).update(
        status=OutboxStatus.FAILED, attempts=8, last_error="550 5.1.1 User unknown"
    )

    listed = await list_outbox(Role.ADMIN, status=None, first=3)
    assert [row.id for row in listed] == [rows[3].id, rows[2].id, rows[1].id]

    failed = await list_outbox(Role.ADMIN, status=OutboxStatus.FAILED, first=10)
    assert [(row.id, row.attempts, row.last_error) for row in failed] == [
        (rows[1].id, 8, "550 5.1.1 User unknown")
    ]
    assert await list_outbox(Role.ADMIN, status=OutboxStatus.SENT, first=10) == []


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE_SIZE + 1])
async def test_page_size_is_validated(db: str, first: int) -> None:
    with pytest.raises(DomainError) as invalid:
        await list_outbox(Role.ADMIN, status=None, first=first)
    assert_refusal(
        invalid.value,
        code=ErrorCode.INVALID_INPUT,
        field="first",
        message="first debe estar entre 1 y 200.",
    )
    assert invalid.value.field == "first"


async def test_retry_puts_a_failed_email_back_in_line_and_it_is_sent(
    db: str, clock: FixedClock, tmp_path: Path
) -> None:
    [row] = await _queue(1)
    await OutboxEmail.filter(id=row.id).update(
        status=OutboxStatus.FAILED, attempts=8, last_error="550 5.1.1 User unknown"
    )
    clock.advance(timedelta(days=1))

    retried = await retry_email(Role.ADMIN, row.id, clock.now())
    assert retried.status == OutboxStatus.PENDING
    assert retried.next_attempt_at == clock.now()
    assert retried.attempts == 8  # kept: the history of failures stays visible
    stored = await OutboxEmail.get(id=row.id)
    assert (stored.status, stored.next_attempt_at) == (OutboxStatus.PENDING, clock.now())

    report = await deliver_pending(MaildirTransport(tmp_path / "mail"), now=clock.now())
    assert report.sent == 1
    assert (await OutboxEmail.get(id=row.id)).status == OutboxStatus.SENT


async def test_retry_of_a_pending_email_makes_it_due_now(db: str, clock: FixedClock) -> None:
    [row] = await _queue(1)
    later = clock.now() + timedelta(minutes=30)
    await OutboxEmail.filter(id=row.id).update(attempts=3, next_attempt_at=later)
    retried = await retry_email(Role.ADMIN, row.id, clock.now())
    assert (retried.status, retried.attempts, retried.next_attempt_at) == (
        OutboxStatus.PENDING,
        3,
        clock.now(),
    )


async def test_a_sent_email_is_not_retried(db: str, clock: FixedClock) -> None:
    [row] = await _queue(1)
    await OutboxEmail.filter(id=row.id).update(status=OutboxStatus.SENT, sent_at=clock.now())
    with pytest.raises(DomainError) as refused:
        await retry_email(Role.ADMIN, row.id, clock.now())
    assert_refusal(
        refused.value,
        code=ErrorCode.INVALID_STATE_TRANSITION,
        message="Este correo ya se envió; no se puede reintentar.",
    )
    assert (await OutboxEmail.get(id=row.id)).status == OutboxStatus.SENT


async def test_retry_of_an_unknown_email_is_not_found(db: str, clock: FixedClock) -> None:
    with pytest.raises(DomainError) as missing:
        await retry_email(Role.ADMIN, 999_999, clock.now())
    assert_refusal(missing.value, code=ErrorCode.NOT_FOUND, message="No encontramos el correo.")


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.REVIEWER])
async def test_only_operators_retry(db: str, clock: FixedClock, role: Role) -> None:
    [row] = await _queue(1)
    await OutboxEmail.filter(id=row.id).update(status=OutboxStatus.FAILED)
    with pytest.raises(DomainError) as refused:
        await retry_email(role, row.id, clock.now())
    assert_refusal(
        refused.value,
        code=ErrorCode.FORBIDDEN,
        message="Solo un operador (ADMIN) puede reintentar los correos enviados.",
    )
    assert (await OutboxEmail.get(id=row.id)).status == OutboxStatus.FAILED
