"""The requests' mutation payloads: the result, or `errors` saying why not (never both)."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.core.errors import UserError
from schema.requests.types import CertificateRequest

if TYPE_CHECKING:
    from schema.certificates.types import Certificate

CertificateRef = Annotated["Certificate", strawberry.lazy("schema.certificates.types")]


@strawberry.type
class SubmitCertificateRequestPayload:
    request: CertificateRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ResubmitCertificateRequestPayload:
    request: CertificateRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The withdrawn request, or why not.")
class WithdrawCertificateRequestPayload:
    request: CertificateRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RejectCertificateRequestPayload:
    request: CertificateRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ApproveCertificateRequestPayload:
    request: CertificateRequest | None = None
    certificate: CertificateRef | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
