"""Who made a change, in the history of requests and certificates."""

import strawberry

from schema.core.enums import Role


@strawberry.type(description="Who made a change: a name and a role.")
class Actor:
    name: str
    role: Role
