"""Concurrent decisions on one request or certificate: exactly one wins, the other is refused.

Run on SQLite and PostgreSQL (the `db` fixture). The calls race with asyncio.gather; on
PostgreSQL each holds its own connection, so only the row locks keep them apart.
"""

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from domain.enums import CertificateStatus, DocumentKind, ErrorCode, RequestStatus
from domain.errors import DomainError
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    EmailKind,
    OutboxEmail,
    RequestStatusChange,
)
from services.change_certificate_state import ChangeStateCommand, change_certificate_state
from services.dependencies import Dependencies
from services.locking import lock_certificate, lock_request, save_versioned
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from tests.support.factories import Caller
from tests.support.files import pdf
from tests.support.refusals import assert_refusal
from tests.support.use_cases import approve, fields_of, reject, submit, upload

LOST_RACE = {ErrorCode.INVALID_STATE_TRANSITION, ErrorCode.CONFLICT}
DECISIONS = (RequestStatus.REJECTED, RequestStatus.COMPLETED)


async def warm_pool(count: int = 4) -> None:
    """Open several pooled connections at once (PostgreSQL's pool starts with one), so that racing
    calls do not queue behind the opening of a connection but really run side by side. Each
    holder keeps its connection until all of them hold one: then `count` are open together.
    SQLite has one connection, which transactions take in turn: nothing to warm."""
    if connections.get("default").capabilities.dialect != "postgres":
        return
    all_holding = asyncio.Barrier(count)

    async def hold() -> None:
        async with in_transaction() as connection:
            await connection.execute_query("SELECT 1")
            await asyncio.wait_for(all_holding.wait(), 10)

    await asyncio.gather(*(hold() for _ in range(count)))


async def race(*calls: Awaitable[Any]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls concurrently; their results, and the exceptions of those that failed."""
    await warm_pool()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    return won, lost


def assert_lost_the_race(lost: Sequence[BaseException], expected: set[ErrorCode]) -> None:
    assert len(lost) == 1, lost
    assert isinstance(lost[0], DomainError), repr(lost[0])
    assert lost[0].code in expected, lost[0].errors


async def decision_rows(request: CertificateRequest) -> tuple[int, int]:
    history = await RequestStatusChange.filter(
        request_id=request.id, to_status__in=list(DECISIONS)
    ).count()
    mails = await OutboxEmail.filter(
        kind__in=[EmailKind.REQUEST_REJECTED, EmailKind.REQUEST_APPROVED]
    ).count()
    return history, mails


@pytest.mark.parametrize("order", ["approve-first", "reject-first"])
async def test_approve_and_reject_at_once_only_one_decides(
    deps: Dependencies, reviewer: Caller, admin: Caller, submitted: CertificateRequest, order: str
) -> None:
    calls = [approve(deps, reviewer, submitted), reject(deps, admin, submitted)]
    if order == "reject-first":
        calls.reverse()

    won, lost = await race(*calls)

    assert len(won) == 1
    assert_lost_the_race(lost, LOST_RACE)
    stored = await CertificateRequest.get(id=submitted.id)
    assert stored.status in DECISIONS
    assert await decision_rows(submitted) == (1, 1)
    certificates = await Certificate.filter(request_id=submitted.id).count()
    assert certificates == (1 if stored.status is RequestStatus.COMPLETED else 0)


async def test_two_approvals_at_once_issue_one_certificate(
    deps: Dependencies, reviewer: Caller, admin: Caller, submitted: CertificateRequest
) -> None:
    won, lost = await race(
        approve(deps, reviewer, submitted, serial="SN-A"),
        approve(deps, admin, submitted, serial="SN-B"),
    )

    assert len(won) == 1
    assert_lost_the_race(lost, LOST_RACE)
    assert await Certificate.all().count() == 1
    assert await decision_rows(submitted) == (1, 1)
    assert (await CertificateRequest.get(id=submitted.id)).status is RequestStatus.COMPLETED


async def test_two_rejections_at_once_record_one(
    deps: Dependencies, reviewer: Caller, admin: Caller, submitted: CertificateRequest
) -> None:
    won, lost = await race(
        reject(deps, reviewer, submitted, "Primera.", {DocumentKind.RUT: "Ilegible."}),
        reject(deps, admin, submitted, "Segunda."),
    )

    assert len(won) == 1
    assert_lost_the_race(lost, LOST_RACE)
    assert await decision_rows(submitted) == (1, 1)


async def test_two_submissions_at_once_make_one_request(
    deps: Dependencies, customer: Caller, admin: Caller
) -> None:
    company_id = customer.principal.company_id
    won, lost = await race(submit(deps, customer), submit(deps, admin, company_id=company_id))

    assert len(won) == 1
    assert_lost_the_race(lost, {ErrorCode.REQUEST_IN_PROGRESS})
    assert await CertificateRequest.filter(company_id=company_id).count() == 1
    assert await RequestStatusChange.all().count() == 1
    assert await OutboxEmail.filter(kind=EmailKind.REQUEST_RECEIVED).count() == 1


async def test_two_retries_with_one_idempotency_key_at_once_make_one_request(
    deps: Dependencies, customer: Caller
) -> None:
    first, second = await asyncio.gather(
        submit(deps, customer, idempotency_key="form-7"),
        submit(deps, customer, idempotency_key="form-7"),
    )

    assert first.id == second.id
    assert await CertificateRequest.all().count() == 1
    assert await OutboxEmail.all().count() == 1


async def test_two_resubmissions_at_once_make_one_attempt(
    deps: Dependencies, customer: Caller, admin: Caller, rejected: CertificateRequest
) -> None:
    def command(tag: str) -> ResubmitCommand:
        return ResubmitCommand(rejected.id, [upload(DocumentKind.RUT, pdf(tag))])

    won, lost = await race(
        resubmit_certificate_request(deps, customer.principal, command("a")),
        resubmit_certificate_request(deps, admin.principal, command("b")),
    )

    assert len(won) == 1
    assert_lost_the_race(lost, LOST_RACE)
    stored = await CertificateRequest.get(id=rejected.id)
    assert (stored.status, stored.attempt) == (RequestStatus.IN_REVIEW, 2)
    assert await OutboxEmail.filter(kind=EmailKind.REQUEST_RECEIVED).count() == 2


async def test_two_state_changes_at_once_apply_one(
    deps: Dependencies, customer: Caller, admin: Caller, certificate: Certificate
) -> None:
    won, lost = await race(
        change_certificate_state(
            deps, customer.principal, ChangeStateCommand(certificate.id, CertificateStatus.INACTIVE)
        ),
        change_certificate_state(
            deps, admin.principal, ChangeStateCommand(certificate.id, CertificateStatus.INACTIVE)
        ),
    )

    assert len(won) == 1
    assert_lost_the_race(lost, LOST_RACE)
    history = await CertificateStatusChange.filter(certificate_id=certificate.id).order_by("id")
    assert fields_of(history, "from_status", "to_status") == [
        (None, CertificateStatus.ACTIVE),
        (CertificateStatus.ACTIVE, CertificateStatus.INACTIVE),
    ]
    assert await OutboxEmail.filter(kind=EmailKind.CERTIFICATE_STATE_CHANGED).count() == 1


# --- The helpers themselves ------------------------------------------------------------------


async def test_a_stale_write_is_a_conflict_and_changes_nothing(
    deps: Dependencies, submitted: CertificateRequest
) -> None:
    first = await CertificateRequest.get(id=submitted.id)
    stale = await CertificateRequest.get(id=submitted.id)
    first.observations = "primera"
    await save_versioned(first, deps.clock.now(), "observations")
    assert first.version == 2

    stale.observations = "tardía"
    with pytest.raises(DomainError) as conflict:
        await save_versioned(stale, deps.clock.now(), "observations")

    assert_refusal(
        conflict.value,
        code=ErrorCode.CONFLICT,
        message="Alguien más modificó este registro al mismo tiempo. Recarga y vuelve a intentarlo.",
    )
    stored = await CertificateRequest.get(id=submitted.id)
    assert (stored.observations, stored.version) == ("primera", 2)


async def test_locking_a_foreign_row_is_not_found(
    other_customer: Caller, reviewer: Caller, submitted: CertificateRequest
) -> None:
    with pytest.raises(DomainError) as refused:
        await lock_request(other_customer.principal, submitted.id)
    assert_refusal(refused.value, code=ErrorCode.NOT_FOUND, message="No encontramos la solicitud.")
    company, request = await lock_request(reviewer.principal, submitted.id)
    assert (company.id, request.id) == (submitted.company_id, submitted.id)


async def test_locking_a_foreign_certificate_is_not_found(
    other_customer: Caller, customer: Caller, certificate: Certificate
) -> None:
    with pytest.raises(DomainError) as refused:
        await lock_certificate(other_customer.principal, certificate.id)
    assert_refusal(
        refused.value, code=ErrorCode.NOT_FOUND, message="No encontramos el certificado."
    )
    _, locked = await lock_certificate(customer.principal, certificate.id)
    assert locked.id == certificate.id


async def test_decisions_race_on_many_requests_of_many_companies(
    deps: Dependencies, reviewer: Caller, admin: Caller, customer: Caller, other_customer: Caller
) -> None:
    """Decisions on different companies do not block or fail each other."""
    mine = await submit(deps, customer)
    theirs = await submit(deps, other_customer)

    (first, _), (second, _) = await asyncio.gather(
        approve(deps, reviewer, mine, serial="SN-1"),
        approve(deps, admin, theirs, serial="SN-2"),
    )

    assert {first.status, second.status} == {RequestStatus.COMPLETED}
    assert await Certificate.filter(status=CertificateStatus.ACTIVE).count() == 2
