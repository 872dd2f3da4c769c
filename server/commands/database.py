"""`certs migrate`: the schema of DATABASE_URL brought up to date."""

import argparse
import asyncio
import sys

from events.deployment import deployment_id
from models.migrate import apply_migrations
from server.commands.common import with_database
from server.settings import Settings


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    settings.prepare_data_dir()
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)
            print(f"applied {app_label}.{name}", flush=True)

    asyncio.run(apply_migrations(settings.effective_database_url, progress=progress))
    if not applied:
        print("no migrations to apply", flush=True)

    async def deployment() -> int:
        # The id that names this deployment's Redis channels (made once, kept for ever).
        print(f"deployment {await deployment_id()}", file=sys.stderr, flush=True)
        return 0

    return asyncio.run(with_database(settings, deployment))
