"""How Tortoise is configured: one app, `models`, whose schema is owned by `models/migrations`."""

from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from models import MODEL_MODULES

APP_LABEL = "models"


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A PostgreSQL connection that skips asyncpg's reset query when it goes back to the pool.

    Tortoise takes a connection from the pool for every statement; asyncpg then sends, on each
    release, `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` — one more round
    trip per statement (about a tenth of the server's time on the tracking query; docs/performance/
    history.md). It undoes session state this service never creates: no advisory locks, cursors
    outside transactions, LISTEN or SET. An open transaction is still rolled back on release.
    """

    def get_reset_query(self) -> str:
        return ""


def _connection(database_url: str) -> str | dict[str, Any]:
    config: dict[str, Any] = expand_db_url(database_url)
    if config["engine"] != "tortoise.backends.asyncpg":
        return database_url
    config["credentials"]["connection_class"] = PooledConnection
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }
