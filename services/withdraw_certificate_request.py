"""Use case: the company gives up a rejected request (Desistida), or the job does it for them.

A rejected request is the company's one open request: until it is corrected and resubmitted, or
withdrawn, no new request can be submitted. Withdrawing closes it for good, with a history row
and an email, and lets the company start afresh. The scheduled job withdraws a request left
rejected for `RequestRules.auto_withdraw_days` days (`withdraw_stale_rejections`).
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from domain.enums import RequestStatus
from domain.errors import DomainError
from domain.request_lifecycle import REQUEST_ACTION_ROLES, RequestAction, next_request_status
from domain.validation import require_text
from models import CertificateRequest, Company
from notifications.emails import queue_request_withdrawn
from services.dependencies import AfterCommit, Dependencies
from services.history import record_request_change
from services.locking import lock_request, save_versioned
from services.principal import Principal, require_role

logger = logging.getLogger("certs.jobs")

REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class WithdrawCommand:
    request_id: int
    reason: str | None = None


async def withdraw_certificate_request(
    deps: Dependencies, principal: Principal | None, command: WithdrawCommand
) -> CertificateRequest:
    caller = require_role(
        principal, REQUEST_ACTION_ROLES[RequestAction.WITHDRAW], "desistir de solicitudes"
    )
    reason = (
        require_text(
            command.reason, field="reason", label="El motivo", max_length=REASON_MAX_LENGTH
        )
        if command.reason and command.reason.strip()
        else None
    )
    now = deps.clock.now()
    after = AfterCommit()
    async with in_transaction():
        company, request = await lock_request(caller, command.request_id)
        await _withdraw(deps, company, request, now, after, caller, reason, automatic=False)
    await after.publish(deps)
    return request


async def _withdraw(
    deps: Dependencies,
    company: Company,
    request: CertificateRequest,
    now: datetime,
    after: AfterCommit,
    caller: Principal | None,
    reason: str | None,
    *,
    automatic: bool,
    days: int = 0,
) -> None:
    previous_status = request.status
    request.status = next_request_status(request.status, RequestAction.WITHDRAW)
    request.decided_at = now
    await save_versioned(request, now, "status", "decided_at")
    after.add(
        await record_request_change(
            request, from_status=previous_status, actor=caller, at=now, note=reason
        )
    )
    await queue_request_withdrawn(
        deps.mail, request, company, reason, automatic=automatic, days=days
    )


async def withdraw_stale_rejections(deps: Dependencies, now: datetime) -> tuple[int, int]:
    """Withdraw every request left rejected `auto_withdraw_days` or more; (withdrawn, failed).

    One transaction per request, locking the company then the request as every use case does,
    and re-checking under the lock (a resubmission in between wins)."""
    days = deps.rules.auto_withdraw_days
    cutoff = (now - timedelta(days=days)).astimezone(UTC)  # as stored: SQLite compares the text
    stale = await CertificateRequest.filter(
        status=RequestStatus.REJECTED, decided_at__lte=cutoff
    ).values_list("id", "company_id")
    withdrawn = failed = 0
    for request_id, company_id in stale:
        after = AfterCommit()
        try:
            async with in_transaction():
                company = await Company.filter(id=company_id).select_for_update().get()
                request = await CertificateRequest.filter(id=request_id).select_for_update().get()
                if request.status is not RequestStatus.REJECTED or (
                    request.decided_at is None or request.decided_at > cutoff
                ):
                    continue
                note = f"Desistida automáticamente: la solicitud llevaba {days} días rechazada sin corregirse."
                await _withdraw(
                    deps, company, request, now, after, None, note, automatic=True, days=days
                )
        except DomainError:
            logger.info("request %s: changed by someone else meanwhile", request_id)
            continue
        except Exception:
            logger.exception("request %s: the automatic withdrawal failed", request_id)
            failed += 1
            continue
        await after.publish(deps)
        withdrawn += 1
    return withdrawn, failed
