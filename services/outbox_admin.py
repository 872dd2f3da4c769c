"""The operators' view of the outbox: what was sent, what is waiting, what failed and why.

Only operators (ADMIN) see it: the rows hold every company's contact addresses and messages.
A retry puts a FAILED (or a waiting PENDING) email back in line for the next delivery round
at once; its attempt count is kept, so the history of failures stays visible and a row that
fails again after a retry goes straight back to FAILED instead of starting a new series.
"""

from datetime import datetime

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from models.outbox import OutboxEmail, OutboxStatus
from services.audit import record_audit
from services.principal import Principal, not_found

MAX_PAGE_SIZE = 200
_RETRYABLE = frozenset({OutboxStatus.FAILED, OutboxStatus.PENDING})


def _require_admin(principal_role: Role, action: str) -> None:
    if principal_role != Role.ADMIN:
        raise DomainError(
            ErrorCode.FORBIDDEN, f"Solo un operador (ADMIN) puede {action} los correos enviados."
        )


async def list_outbox(
    principal_role: Role, *, status: OutboxStatus | None, first: int
) -> list[OutboxEmail]:
    """The newest `first` emails (at most MAX_PAGE_SIZE), optionally only those in `status`."""
    _require_admin(principal_role, "ver")
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"first debe estar entre 1 y {MAX_PAGE_SIZE}.",
            field="first",
        )
    query = OutboxEmail.all()
    if status is not None:
        query = query.filter(status=status)
    return await query.order_by("-id").limit(first)


async def retry_email(
    principal_role: Role, email_id: int, now: datetime, actor: Principal | None = None
) -> OutboxEmail:
    """Put a FAILED or PENDING email back in line, due at `now`; a SENT one is refused."""
    _require_admin(principal_role, "reintentar")
    async with in_transaction():
        # Waits for a worker that holds the row mid-send, then sees what it decided.
        email = await OutboxEmail.filter(id=email_id).select_for_update().first()
        if email is None:
            raise not_found("el correo")
        if email.status not in _RETRYABLE:
            raise DomainError(
                ErrorCode.INVALID_STATE_TRANSITION,
                "Este correo ya se envió; no se puede reintentar.",
            )
        email.status = OutboxStatus.PENDING
        email.next_attempt_at = now
        await email.save(update_fields=["status", "next_attempt_at"])
        await record_audit(
            AuditAction.OUTBOX_EMAIL_RETRIED,
            actor=actor,
            at=now,
            target_type="OutboxEmail",
            target_id=email.id,
            company_id=email.company_id,
            details={"attempts": email.attempts, "lastError": email.last_error},
        )
    return email
