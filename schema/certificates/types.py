"""Issued certificates and their history."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.certificate_lifecycle import certificate_status_label
from domain.coverage import CoverageReason
from domain.reminders import ReminderKind, ReminderStage
from domain.renewal import days_until_expiry, renewable_from
from domain.renewal_window import RenewalWindow as Window
from models import Certificate as CertificateRow
from models import CertificateReminder as ReminderRow
from models import CertificateStatusChange as ChangeRow
from resolvers import rows
from resolvers.certificates import queries
from resolvers.context import AppInfo
from schema.core.actor import Actor
from schema.core.enums import CertificateStatus
from schema.core.lazy import DomainType
from schema.core.node import Node, to_global_id
from schema.core.pagination import PageInfo

if TYPE_CHECKING:
    from schema.companies.types import Company
    from schema.requests.types import CertificateRequest

CompanyRef = Annotated["Company", strawberry.lazy("schema.companies.types")]
RequestRef = Annotated["CertificateRequest", strawberry.lazy("schema.requests.types")]
_Company = DomainType("schema.companies.types", "Company")
_Request = DomainType("schema.requests.types", "CertificateRequest")

strawberry.enum(
    CoverageReason,
    name="CertificateCoverageReason",
    description="Why no certificate covers the date: NO_CERTIFICATE (the company has none), "
    "INACTIVE, REVOKED, EXPIRED, NOT_YET_STARTED (the next one starts later).",
)

strawberry.enum(
    ReminderKind,
    name="CertificateReminderStage",
    description="The emails of a certificate's expiry timeline.",
)


@strawberry.type(description="A digital certificate issued by Andes SCD to the company.")
class Certificate(Node):
    """Plain fields are copied from the row (Strawberry reads them without a resolver call:
    docs/performance.md); methods are the fields that load something or need the request."""

    row: strawberry.Private[CertificateRow]
    serial_number: str
    issuer: str
    valid_from: datetime
    valid_until: datetime

    @classmethod
    def from_row(cls, row: CertificateRow) -> "Certificate":
        return cls(
            id=to_global_id("Certificate", row.id),
            row=row,
            serial_number=row.serial_number,
            issuer=row.issuer,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
        )

    def _status(self, info: AppInfo) -> CertificateStatus:
        return queries.status(info, self.row)

    @strawberry.field(
        description="The status now, derived from the clock on every read: ISSUED until "
        "validFrom, then ACTIVE; EXPIRED from validUntil; INACTIVE once the renewal that "
        "replaces it started. Time-driven changes are persisted later by the scheduled job."
    )
    def status(self, info: AppInfo) -> CertificateStatus:
        return self._status(info)

    @strawberry.field(description="Emitido, Activo, Inactivo, Revocado or Vencido.")
    def status_label(self, info: AppInfo) -> str:
        return certificate_status_label(self._status(info))

    @strawberry.field(
        description="When to renew, in the manner of ACME ARI (RFC 9773): from the opening of "
        "the renewal month to RENEWAL_WINDOW_END_DAYS days before expiry. Null when revoked "
        "or already renewed."
    )
    def suggested_renewal_window(self, info: AppInfo) -> "RenewalWindow | None":
        window = queries.renewal_window(info, self.row)
        return RenewalWindow.from_domain(window) if window else None

    @strawberry.field
    async def company(self, info: AppInfo) -> CompanyRef:
        return _Company.from_row(await rows.company(info, self.row.company_id))  # type: ignore[no-any-return]

    @strawberry.field
    async def request(self, info: AppInfo) -> RequestRef:
        return _Request.from_row(await rows.request(info, self.row.request_id))  # type: ignore[no-any-return]

    @strawberry.field(description="Calendar days in Colombia until validUntil; negative after it.")
    def days_until_expiry(self, info: AppInfo) -> int:
        return days_until_expiry(self.row.valid_until, queries.now(info))

    @strawberry.field(description="One calendar month before validUntil.")
    def renewable_from(self) -> datetime:
        return renewable_from(self.row.valid_until)

    @strawberry.field(
        description="In its renewal window (or expired), not revoked nor already renewed, and no "
        "open request of the company (in review, or rejected and awaiting correction)."
    )
    async def can_renew(self, info: AppInfo) -> bool:
        return await queries.can_renew(info, self.row)

    @strawberry.field(
        description="Exactly the statuses changeCertificateState accepts now (one table decides "
        "both); empty: no edit action. ACTIVE: INACTIVE or REVOKED; INACTIVE: ACTIVE (unless a "
        "renewal replaced it) or REVOKED; ISSUED, REVOKED, EXPIRED: none."
    )
    def allowed_state_changes(self, info: AppInfo) -> list[CertificateStatus]:
        return queries.allowed_changes(info, self.row)

    @strawberry.field(description="The certificate that renewed this one.")
    async def replaced_by(self, info: AppInfo) -> "Certificate | None":
        row = await rows.optional_certificate(info, self.row.replaced_by_id)
        return Certificate.from_row(row) if row else None

    @strawberry.field
    async def history(self, info: AppInfo) -> list["CertificateStatusChange"]:
        found = await queries.history(info, self.row.id)
        return [CertificateStatusChange.from_row(row, self.row) for row in found]

    @strawberry.field(
        description="The expiry emails sent to the principal contact (renewal open, reminders, "
        "expired), oldest first. Each stage is sent once."
    )
    async def reminders(self, info: AppInfo) -> list["CertificateReminder"]:
        found = await queries.reminders(info, self.row.id)
        return [CertificateReminder.from_row(row) for row in found]


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
    certificate_row: strawberry.Private[CertificateRow | None]
    from_status: CertificateStatus | None
    to_status: CertificateStatus
    at: datetime
    actor: Actor | None = strawberry.field(
        description="Null when the system made the change (expiry, renewal)."
    )
    note: str | None

    @classmethod
    def from_row(
        cls, row: ChangeRow, certificate: CertificateRow | None = None
    ) -> "CertificateStatusChange":
        actor = None
        if row.actor_name is not None and row.actor_role is not None:
            actor = Actor(name=row.actor_name, role=row.actor_role)
        return cls(
            row=row,
            certificate_row=certificate,
            from_status=row.from_status,
            to_status=row.to_status,
            at=row.at,
            actor=actor,
            note=row.note,
        )

    @strawberry.field
    async def certificate(self, info: AppInfo) -> Certificate:
        row = self.certificate_row or await rows.certificate(info, self.row.certificate_id)
        return Certificate.from_row(row)


@strawberry.type(
    description="A window in which to renew, in the manner of ACME ARI (RFC 9773): from the "
    "opening of the renewal month to RENEWAL_WINDOW_END_DAYS days before expiry."
)
class RenewalWindow:
    start: datetime = strawberry.field(
        description="From when to renew: a renewal may be submitted."
    )
    end: datetime = strawberry.field(description="Renew before this, to have time for the review.")

    @classmethod
    def from_domain(cls, window: Window) -> "RenewalWindow":
        return cls(start=window.start, end=window.end)


@strawberry.type(
    description="Whether a company can sign on a date, with which certificate, and if not why."
)
class CertificateCoverage:
    on: date = strawberry.field(description="The date asked about (Bogotá).")
    covered: bool = strawberry.field(
        description="True when an ACTIVE certificate (or an ISSUED one that has started) covers it."
    )
    certificate: Certificate | None = strawberry.field(
        description="The certificate that covers the date, or the one that explains why none does."
    )
    reason: CoverageReason | None = strawberry.field(description="Null when covered.")
    message: str = strawberry.field(description="What a front end shows, in Spanish.")


@strawberry.type(description="A certificate in a page.")
class CertificateEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the next page.")
    node: Certificate = strawberry.field(description="The certificate.")


@strawberry.type(description="A page of certificates, soonest expiry first.")
class CertificateConnection:
    edges: list[CertificateEdge] = strawberry.field(description="This page.")
    page_info: PageInfo = strawberry.field(description="Whether there is more.")
    total_count: int = strawberry.field(description="All the certificates that match.")
