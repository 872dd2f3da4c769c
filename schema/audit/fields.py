"""The audit trail's part of the root types: `auditEvents` for operators."""

from datetime import datetime
from typing import Annotated

import strawberry

from domain.audit import AuditAction
from resolvers.audit import queries
from resolvers.context import AppInfo
from schema.audit.types import AuditEvent, AuditEventPage
from schema.core.guard import or_public_error


async def resolve_audit_events(
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
    rows, more = await or_public_error(
        queries.audit_events(
            info,
            first=first,
            after=after,
            action=action,
            company_id=company_id,
            actor_email=actor_email,
            since=since,
            until=until,
        )
    )
    events = [AuditEvent(row=row) for row in rows]
    return AuditEventPage(
        events=events, end_cursor=events[-1].id() if events else None, has_next_page=more
    )


audit_events = strawberry.field(
    resolver=resolve_audit_events,
    description=(
        "Operators (ADMIN): the audit trail of privileged actions, newest first, `first` "
        "(at most 200) at a time after the cursor `after`; filter by action, company "
        "(companyId), actor's email and time (since inclusive, until exclusive)."
    ),
)
