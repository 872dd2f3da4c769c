"""The `node` root field: any object by its global id."""

from tortoise.models import Model

from resolvers.context import AppInfo
from resolvers.ids import from_global_id
from services import reads


async def node(
    info: AppInfo, global_id: str, models: dict[str, type[Model]]
) -> tuple[str, Model] | None:
    """The type name and row a global id names among `models` (by type name); None when it does
    not exist or the caller may not see it."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in models:
        return None
    row = await reads.get_visible(info.context.principal, models[decoded[0]], decoded[1])
    return (decoded[0], row) if row is not None else None
