"""Issued certificates and their history."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.certificate_lifecycle import allowed_state_changes, certificate_status_label
from domain.enums import CertificateStatus as Status
from domain.reminders import ReminderKind, ReminderStage
from domain.renewal import days_until_expiry, is_renewal_open, renewable_from
from models import Certificate as CertificateRow
from models import CertificateReminder as ReminderRow
from models import CertificateStatusChange as ChangeRow
from schema.context import AppInfo
from schema.enums import CertificateStatus
from schema.node import Node, to_global_id
from schema.requests import Actor, load_company

if TYPE_CHECKING:
    from schema.companies import Company
    from schema.requests import CertificateRequest

CompanyRef = Annotated["Company", strawberry.lazy("schema.companies")]
RequestRef = Annotated["CertificateRequest", strawberry.lazy("schema.requests")]

strawberry.enum(
    ReminderKind,
    name="CertificateReminderStage",
    description="The emails of a certificate's expiry timeline.",
)


@strawberry.type(description="A digital certificate issued by Andes SCD to the company.")
class Certificate(Node):
    row: strawberry.Private[CertificateRow]

    @classmethod
    def from_row(cls, row: CertificateRow) -> "Certificate":
        return cls(id=to_global_id("Certificate", row.id), row=row)

    @strawberry.field
    async def company(self, info: AppInfo) -> CompanyRef:
        return await load_company(info, self.row.company_id)

    @strawberry.field
    async def request(self, info: AppInfo) -> RequestRef:
        from schema.requests import CertificateRequest

        row = await info.context.loaders.request.load(self.row.request_id)
        if row is None:
            raise LookupError(f"request {self.row.request_id} vanished")
        return CertificateRequest.from_row(row)

    @strawberry.field
    def serial_number(self) -> str:
        return self.row.serial_number

    @strawberry.field
    def issuer(self) -> str:
        return self.row.issuer

    @strawberry.field
    def status(self) -> CertificateStatus:
        return self.row.status

    @strawberry.field(description="Activo, Inactivo, Revocado or Vencido.")
    def status_label(self) -> str:
        return certificate_status_label(self.row.status)

    @strawberry.field
    def valid_from(self) -> datetime:
        return self.row.valid_from

    @strawberry.field
    def valid_until(self) -> datetime:
        return self.row.valid_until

    @strawberry.field(description="Calendar days in Colombia until validUntil; negative after it.")
    def days_until_expiry(self, info: AppInfo) -> int:
        return days_until_expiry(self.row.valid_until, info.context.deps.clock.now())

    @strawberry.field(description="One calendar month before validUntil.")
    def renewable_from(self) -> datetime:
        return renewable_from(self.row.valid_until)

    @strawberry.field(
        description="In its renewal window (or expired), not revoked nor already renewed, and no "
        "request of the company in review."
    )
    async def can_renew(self, info: AppInfo) -> bool:
        if self.row.status is Status.REVOKED or self.row.replaced_by_id is not None:
            return False
        if not is_renewal_open(self.row.valid_until, info.context.deps.clock.now()):
            return False
        return not await info.context.loaders.request_in_review.load(self.row.company_id)

    @strawberry.field(description="The states the company may set now; empty: no edit action.")
    def allowed_state_changes(self, info: AppInfo) -> list[CertificateStatus]:
        return allowed_state_changes(
            self.row.status, self.row.valid_until, info.context.deps.clock.now()
        )

    @strawberry.field(description="The certificate that renewed this one.")
    async def replaced_by(self, info: AppInfo) -> "Certificate | None":
        if self.row.replaced_by_id is None:
            return None
        row = await info.context.loaders.certificate.load(self.row.replaced_by_id)
        return Certificate.from_row(row) if row else None

    @strawberry.field
    async def history(self, info: AppInfo) -> list["CertificateStatusChange"]:
        rows = await info.context.loaders.history_by_certificate.load(self.row.id)
        return [CertificateStatusChange(row=row, certificate_row=self.row) for row in rows]

    @strawberry.field(
        description="The expiry emails sent to the principal contact (renewal open, reminders, "
        "expired), oldest first. Each stage is sent once."
    )
    async def reminders(self, info: AppInfo) -> list["CertificateReminder"]:
        rows = await info.context.loaders.reminders_by_certificate.load(self.row.id)
        return [CertificateReminder.from_row(row) for row in rows]


@strawberry.type(description="An email of the certificate's expiry timeline.")
class CertificateReminder:
    row: strawberry.Private[ReminderRow]
    stage_row: strawberry.Private[ReminderStage]

    @classmethod
    def from_row(cls, row: ReminderRow) -> "CertificateReminder":
        return cls(row=row, stage_row=ReminderStage.from_key(row.stage))

    @strawberry.field
    def stage(self) -> ReminderKind:
        return self.stage_row.kind

    @strawberry.field(description="For BEFORE_EXPIRY: the days before validUntil of this stage.")
    def days_before_expiry(self) -> int | None:
        return self.stage_row.days_before

    @strawberry.field(
        description="The stage in Spanish, e.g. «Recordatorio 7 días antes del vencimiento»."
    )
    def label(self) -> str:
        return self.stage_row.label

    @strawberry.field(description="When the email was queued for delivery, at the stage.")
    def queued_at(self) -> datetime:
        return self.row.queued_at

    @strawberry.field(
        description="When the mail server accepted the email; null while it waits to be delivered "
        "(or after delivery failed)."
    )
    def sent_at(self) -> datetime | None:
        email = self.row.email
        return email.sent_at if email is not None else None


@strawberry.type
class CertificateStatusChange:
    row: strawberry.Private[ChangeRow]
    certificate_row: strawberry.Private[CertificateRow | None] = None

    @strawberry.field
    async def certificate(self, info: AppInfo) -> Certificate:
        row = self.certificate_row or await info.context.loaders.certificate.load(
            self.row.certificate_id
        )
        if row is None:
            raise LookupError(f"certificate {self.row.certificate_id} vanished")
        return Certificate.from_row(row)

    @strawberry.field
    def from_status(self) -> CertificateStatus | None:
        return self.row.from_status

    @strawberry.field
    def to_status(self) -> CertificateStatus:
        return self.row.to_status

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field(description="Null when the system made the change (expiry, renewal).")
    def actor(self) -> Actor | None:
        if self.row.actor_name is None or self.row.actor_role is None:
            return None
        return Actor(name=self.row.actor_name, role=self.row.actor_role)

    @strawberry.field
    def note(self) -> str | None:
        return self.row.note
