"""The operators' view of the audit trail (ADMIN only)."""

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from domain.audit import AuditAction
from models import AuditEvent as AuditRow
from schema.core.node import to_global_id

strawberry.enum(AuditAction, name="AuditAction", description="A kind of privileged action.")


@strawberry.type(description="A privileged action: who did it, when, from where and to what.")
class AuditEvent:
    row: strawberry.Private[AuditRow]

    @strawberry.field(description="The event's global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("AuditEvent", self.row.id)

    @strawberry.field(description="When the action was committed.")
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field(description="What was done.")
    def action(self) -> AuditAction:
        return AuditAction(self.row.action)

    @strawberry.field(description="Who did it: the user's name at the time.")
    def actor_name(self) -> str:
        return self.row.actor_name

    @strawberry.field(description="Who did it: the user's email at the time (empty for the CLI).")
    def actor_email(self) -> str:
        return self.row.actor_email

    @strawberry.field(description="The actor's role at the time, or CLI for the command line.")
    def actor_role(self) -> str:
        return self.row.actor_role

    @strawberry.field(description="From where: the client's address, or `cli`.")
    def source(self) -> str:
        return self.row.source

    @strawberry.field(description="The kind of row acted on (CertificateRequest, Company...).")
    def target_type(self) -> str:
        return self.row.target_type

    @strawberry.field(description="The global id of the row acted on, when there is one.")
    def target_id(self) -> strawberry.ID | None:
        if self.row.target_id is None:
            return None
        return to_global_id(self.row.target_type, self.row.target_id)

    @strawberry.field(description="The global id of the company concerned, when there is one.")
    def company_id(self) -> strawberry.ID | None:
        return to_global_id("Company", self.row.company_id) if self.row.company_id else None

    @strawberry.field(description="What changed, as recorded (for example from and to).")
    def details(self) -> JSON:
        value: JSON = json.loads(self.row.details)
        return value


@strawberry.type(description="A page of audit events, newest first.")
class AuditEventPage:
    events: list[AuditEvent] = strawberry.field(description="The events of this page.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page; null when there are no events."
    )
    has_next_page: bool = strawberry.field(description="Whether older events follow.")
