"""The audit trail of privileged actions: recorded inside each action's transaction, read by
operators (`auditEvents`, ADMIN only) and exported (`certs audit export`).

"From where" is the client's address for the API (set per request by the server in
`audit_source`) and "cli" for the operators' command line, the default.
"""

import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.audit import AuditAction
from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from models import AuditEvent
from services.principal import Principal

#: Where the current action comes from: the server sets the client's address per request.
audit_source: ContextVar[str] = ContextVar("audit_source", default="cli")

MAX_PAGE_SIZE = 200


async def record_audit(
    action: AuditAction,
    *,
    actor: Principal | None,
    at: datetime,
    target_type: str,
    target_id: int | None,
    company_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """One row of the trail; await it inside the action's transaction. `actor=None` is an
    operator at the command line."""
    return await AuditEvent.create(
        at=at,
        actor_id=actor.user_id if actor else None,
        actor_name=actor.name if actor else "Operador (línea de comandos)",
        actor_email=actor.email if actor else "",
        actor_role=actor.role.value if actor else "CLI",
        source=audit_source.get()[:100],
        action=action.value,
        target_type=target_type,
        target_id=target_id,
        company_id=company_id,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
    )


@dataclass(frozen=True)
class AuditFilter:
    action: AuditAction | None = None
    company_id: int | None = None
    actor_email: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(filters: AuditFilter) -> Any:
    query = AuditEvent.all()
    if filters.action is not None:
        query = query.filter(action=filters.action.value)
    if filters.company_id is not None:
        query = query.filter(company_id=filters.company_id)
    if filters.actor_email:
        query = query.filter(actor_email=filters.actor_email.strip().lower())
    if filters.since is not None:
        query = query.filter(at__gte=filters.since)
    if filters.until is not None:
        query = query.filter(at__lt=filters.until)
    return query


async def list_audit_events(
    principal: Principal, filters: AuditFilter, *, first: int, after_id: int | None
) -> tuple[list[AuditEvent], bool]:
    """The newest events first, `first` at a time after the event `after_id`; and whether more
    follow. Operators (ADMIN) only: the trail names every company's people."""
    if principal.role is not Role.ADMIN:
        raise DomainError(
            ErrorCode.FORBIDDEN, "Solo un operador (ADMIN) puede ver el registro de auditoría."
        )
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"first debe estar entre 1 y {MAX_PAGE_SIZE}.", field="first"
        )
    query = _filtered(filters)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows: list[AuditEvent] = await query.order_by("-id").limit(first + 1)
    return rows[:first], len(rows) > first


async def export_audit_events(since: datetime | None) -> list[AuditEvent]:
    """Every event since `since` (oldest first), for `certs audit export`."""
    rows: list[AuditEvent] = await _filtered(AuditFilter(since=since)).order_by("id")
    return rows
