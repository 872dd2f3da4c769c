"""The commands that need the GraphQL schema: `certs export-schema` and `certs documents add`."""

import argparse
import asyncio
import sys
from pathlib import Path

from graphql import GraphQLError, parse, validate

from schema.root import schema
from server.commands.common import emit, with_database
from server.persisted_queries import Registered, documents_in, register
from server.settings import Settings


def cmd_documents_add(settings: Settings, args: argparse.Namespace) -> int:
    """Registers the documents of each FILE for PERSISTED_QUERIES=only; each must validate. Each
    is known by its sha256 and by the other ids its manifest gave it (server/persisted_queries.py)."""
    documents: dict[str, Registered] = {}
    for name in args.files:
        try:
            found = documents_in(Path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"error: {name}: {error}", file=sys.stderr)
            return 1
        for entry in found:
            try:
                problems = validate(schema._schema, parse(entry.body))
            except GraphQLError as error:
                problems = [error]
            if problems:
                print(f"error: {name}: {problems[0].message}", file=sys.stderr)
                return 1
            documents.setdefault(entry.sha256, Registered(entry.body)).ids.update(entry.ids)
    entries = list(documents.values())

    async def work() -> int:
        try:
            added = await register(entries)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        emit(
            {
                "added": added,
                "known": len(entries) - added,
                "sha256": sorted(documents),
                "ids": {alias: e.sha256 for e in entries for alias in sorted(e.ids)},
                "custom_ids": sorted(alias for e in entries for alias in e.custom_ids),
            }
        )
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:

    sdl = schema.as_str() + "\n"
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0
