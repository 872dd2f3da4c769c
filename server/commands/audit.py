"""`certs audit export`: the audit trail as CSV or JSON lines."""

import argparse
import asyncio
import csv
import json
import sys
from datetime import date, datetime

from domain.calendar import BOGOTA
from server.commands.common import with_database
from server.settings import Settings
from services.audit import export_audit_events


def cmd_audit_export(settings: Settings, args: argparse.Namespace) -> int:
    """The audit trail to stdout, oldest first: CSV with a header row, or one JSON object a line."""
    since = (
        datetime.combine(date.fromisoformat(args.since), datetime.min.time(), tzinfo=BOGOTA)
        if args.since
        else None
    )
    columns = ["id", "at", "action", "actor_name", "actor_email", "actor_role", "source"]
    columns += ["target_type", "target_id", "company_id", "details"]

    async def work() -> int:
        rows = await export_audit_events(since)
        if args.format == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(
                    [row.at.isoformat() if c == "at" else getattr(row, c) for c in columns]
                )
        else:
            for row in rows:
                record = {c: getattr(row, c) for c in columns}
                record["at"] = row.at.isoformat()
                record["details"] = json.loads(row.details)
                print(json.dumps(record, ensure_ascii=False), flush=True)
        return 0

    return asyncio.run(with_database(settings, work))
