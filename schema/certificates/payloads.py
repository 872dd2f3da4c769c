"""The certificates' mutation payloads: the result, or `errors` saying why not (never both)."""

import strawberry

from schema.certificates.types import Certificate
from schema.core.errors import UserError


@strawberry.type
class ChangeCertificateStatePayload:
    certificate: Certificate | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
