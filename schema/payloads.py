"""Mutation payloads: the result, or `errors` saying why not (never both)."""

import strawberry

from schema.certificates import Certificate
from schema.companies import Company
from schema.errors import UserError
from schema.requests import CertificateRequest


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
    certificate: Certificate | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ChangeCertificateStatePayload:
    certificate: Certificate | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdatePrincipalContactPayload:
    company: Company | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
