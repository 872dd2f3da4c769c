"""The commands that need the GraphQL schema: `certs export-schema` and `certs documents add`."""

import argparse
import asyncio
import sys
from pathlib import Path

from graphql import GraphQLError, parse, validate

from models.persisted import PersistedDocument
from schema.root import schema
from server.commands.common import emit, with_database
from server.persisted_queries import documents_in
from server.settings import Settings


def cmd_documents_add(settings: Settings, args: argparse.Namespace) -> int:
    """Registers the documents of each FILE for PERSISTED_QUERIES=only; each must validate."""
    documents: dict[str, str] = {}
    for name in args.files:
        try:
            found = documents_in(Path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"error: {name}: {error}", file=sys.stderr)
            return 1
        for digest, document in found.items():
            try:
                problems = validate(schema._schema, parse(document))
            except GraphQLError as error:
                problems = [error]
            if problems:
                print(f"error: {name}: {problems[0].message}", file=sys.stderr)
                return 1
            documents[digest] = document

    async def work() -> int:
        added = 0
        for digest, document in documents.items():
            _, created = await PersistedDocument.get_or_create(
                sha256=digest, defaults={"body": document}
            )
            added += created
        emit({"added": added, "known": len(documents) - added, "sha256": sorted(documents)})
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:

    sdl = schema.as_str() + "\n"
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0
