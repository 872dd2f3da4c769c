"""The audit trail for operators: paged, newest first, filterable."""

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.guard import or_public_error
from schema.audit import AuditEvent, AuditEventPage
from schema.context import AppInfo
from schema.node import decode_id
from services.audit import AuditAction, AuditFilter, list_audit_events
from services.principal import require_principal


async def audit_events(
    info: AppInfo,
    first: Annotated[int, strawberry.argument(description="Page size, 1 to 200.")] = 50,
    after: Annotated[
        strawberry.ID | None, strawberry.argument(description="The previous page's endCursor.")
    ] = None,
    action: Annotated[
        AuditAction | None, strawberry.argument(description="Only this kind of action.")
    ] = None,
    company_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only actions on this company.")
    ] = None,
    actor_email: Annotated[
        str | None, strawberry.argument(description="Only actions by the user with this email.")
    ] = None,
    since: Annotated[
        datetime | None, strawberry.argument(description="Only actions at or after this time.")
    ] = None,
    until: Annotated[
        datetime | None, strawberry.argument(description="Only actions before this time.")
    ] = None,
) -> AuditEventPage:
    """Privileged actions (decisions, state changes, retries, tokens, contact changes); ADMIN."""

    async def load() -> AuditEventPage:
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
        after_id = (
            decode_id(after, "AuditEvent", field="after", what="el evento") if after else None
        )
        rows, more = await list_audit_events(caller, filters, first=first, after_id=after_id)
        events = [AuditEvent(row=row) for row in rows]
        return AuditEventPage(
            events=events, end_cursor=events[-1].id() if events else None, has_next_page=more
        )

    return await or_public_error(load())
