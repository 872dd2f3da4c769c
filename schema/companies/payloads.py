"""The companies' mutation payloads: the result, or `errors` saying why not (never both)."""

import strawberry

from schema.companies.types import Company
from schema.core.errors import UserError


@strawberry.type
class UpdatePrincipalContactPayload:
    company: Company | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
