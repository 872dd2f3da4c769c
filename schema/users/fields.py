"""The users' part of the root types: `viewer`."""

import strawberry

from resolvers.context import AppInfo
from resolvers.users import queries
from schema.core.guard import or_public_error
from schema.users.types import Viewer


async def resolve_viewer(info: AppInfo) -> Viewer:
    user, company = await or_public_error(queries.viewer(info))
    return Viewer.of(user, company)


viewer = strawberry.field(resolver=resolve_viewer)
