"""Applying the migrations, shared by `certs migrate`, the server's tests and the benchmarks."""

from collections.abc import Callable

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from models.database import tortoise_config


async def apply_migrations(
    database_url: str, progress: Callable[[str, str, str], object] | None = None
) -> None:
    """Bring the database at `database_url` to the latest migration, then close its connections."""
    try:
        await migrate(config=tortoise_config(database_url), progress=progress)
    finally:
        await Tortoise.close_connections()
