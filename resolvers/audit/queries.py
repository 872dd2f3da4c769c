"""The audit trail for operators: paged, newest first, filterable (ADMIN only)."""

from datetime import datetime

from domain.audit import AuditAction
from models import AuditEvent
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.audit import AuditFilter, list_audit_events
from services.principal import require_principal


async def audit_events(
    info: AppInfo,
    *,
    first: int,
    after: str | None,
    action: AuditAction | None,
    company_id: str | None,
    actor_email: str | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[AuditEvent], bool]:
    """A page of events and whether older ones follow."""
    caller = require_principal(info.context.principal)
    filters = AuditFilter(
        action=action,
        company_id=decode_id(company_id, "Company", field="companyId", what="la empresa")
        if company_id
        else None,
        actor_email=actor_email,
        since=since,
        until=until,
    )
    after_id = decode_id(after, "AuditEvent", field="after", what="el evento") if after else None
    return await list_audit_events(caller, filters, first=first, after_id=after_id)
