"""The `certs` command, as ../shared/design/CLI.md names it. Creating commands print one JSON object
on stdout and nothing else there; logs and hints go to stderr."""

import argparse
import asyncio
import csv
import json
import logging
import logging.config
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from graphql import GraphQLError, parse, validate
from tortoise import Tortoise

from domain.calendar import BOGOTA
from domain.clock import SystemClock
from domain.enums import ErrorCode, PersonType, Role
from domain.errors import DomainError
from events.deployment import deployment_id
from events.redis_wakeups import wake_servers
from models import Company
from models.database import tortoise_config
from models.migrate import apply_migrations
from models.webhooks import WebhookDeliveryStatus
from notifications.transports import transport_from_settings
from notifications.webhook_delivery import deliver_webhooks_until_idle
from notifications.webhook_http import WebhookSender
from notifications.worker import deliver_until_idle
from resolvers.ids import decode_id, from_global_id, to_global_id
from schema.root import schema
from server.app import build_dependencies, webhook_delivery_settings
from server.demo import seed_demo
from server.graphiql import DEMO_TOKENS_FILE
from server.logs import logging_config
from server.metrics import prepare_multiprocess_dir, remove_multiprocess_dir
from server.persisted_queries import Registered, documents_in, register
from server.settings import Settings
from services.audit import export_audit_events
from services.auth import issue_token, list_tokens, revoke_tokens
from services.document_sweep import sweep_unreferenced_documents
from services.expire_and_remind import run_daily_job
from services.operators import create_company, create_user, find_company
from services.principal import Principal
from services.user_admin import UserChange, activate_user, deactivate_user, move_user
from services.webhooks import list_deliveries, redeliver

logger = logging.getLogger("certs")


def emit(data: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(data).decode() + "\n")
    sys.stdout.flush()


async def with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    settings.prepare_data_dir()
    await Tortoise.init(config=tortoise_config(settings.effective_database_url))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


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


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:

    if args.workers > 1 and not settings.redis_url:
        logger.warning(
            "%d workers without REDIS_URL: a subscriber hears the changes served by other "
            "workers only at their next poll of the event outbox (LIVE_POLL_SECONDS); set "
            "REDIS_URL so that they arrive at once",
            args.workers,
        )
    # Before the workers start, so that they inherit PROMETHEUS_MULTIPROC_DIR: /metrics then adds
    # up every worker's numbers, whichever worker answers the scrape.
    owned = prepare_multiprocess_dir(args.workers)
    try:
        _run_uvicorn(settings, args)
    finally:
        remove_multiprocess_dir(owned)
    return 0


def _run_uvicorn(settings: Settings, args: argparse.Namespace) -> None:
    uvicorn.run(
        "server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        # Applied by uvicorn in every worker process, so `--workers N` keeps its logs.
        log_config=logging_config(settings.log_level, settings.log_format),
        # X-Forwarded-For is believed only from TRUSTED_PROXIES, by the app itself (server.app).
        proxy_headers=False,
        # A larger WebSocket message closes the socket with 1009 before it is buffered whole.
        ws_max_size=settings.ws_max_message_bytes,
        # What "auto" picks when they are installed (uvicorn[standard]); said explicitly so that a
        # missing one fails at start-up instead of silently serving on the slower fallbacks.
        loop="uvloop",
        http="httptools",
        # uvicorn's wsproto protocol rather than "auto" (websockets, which keeps the handshake's
        # headers), with a lighter message queue (README, Performance: memory per subscriber).
        ws="tuning.light_ws_protocol:LightWSProtocol",
        # permessage-deflate keeps a zlib compressor and decompressor per socket: about half of
        # an idle subscriber's memory, to compress messages of a few hundred bytes.
        ws_per_message_deflate=False,
        # WebSocket ping frames (a peer that does not answer within the same time is dropped),
        # beside the protocol-level keep-alive messages of the GraphQL view.
        ws_ping_interval=settings.ws_keepalive_seconds or None,
        ws_ping_timeout=settings.ws_keepalive_seconds or None,
    )


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:

    async def work() -> int:
        demo = await seed_demo(SystemClock())
        emit(
            {
                "company": {
                    "id": to_global_id("Company", demo.company.id),
                    "nit": demo.company.nit,
                },
                "tokens": demo.tokens,
            }
        )
        write_demo_tokens(settings.data_dir, demo.tokens)
        print(
            f"\nGraphiQL: {settings.public_base_url}/graphql — pega uno de estos en «Headers»:",
            file=sys.stderr,
        )
        for role, token in demo.tokens.items():
            header = orjson.dumps({"Authorization": f"Bearer {token}"}).decode()
            print(f"  {role:>8}: {header}", file=sys.stderr)
        return 0

    return asyncio.run(with_database(settings, work))


def write_demo_tokens(data_dir: Path, tokens: dict[str, str]) -> None:
    """The demo tokens, readable by the owner only, for the GraphiQL page's headers hint."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DEMO_TOKENS_FILE
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(orjson.dumps(tokens))


def cmd_company_create(settings: Settings, args: argparse.Namespace) -> int:

    async def work() -> int:
        company = await create_company(
            nit=args.nit,
            legal_name=args.name,
            person_type=PersonType(args.person_type),
            contact_name=args.contact_name,
            contact_email=args.contact_email,
        )
        emit({"id": to_global_id("Company", company.id), "nit": company.nit})
        return 0

    return asyncio.run(with_database(settings, work))


async def _company_named(reference: str) -> Company:
    """The company a `--company` names, by NIT (with check digit) or global id."""
    decoded = from_global_id(reference)
    company = await find_company(
        str(decoded[1]) if decoded and decoded[0] == "Company" else reference
    )
    if company is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"No existe la empresa {reference}.", "company")
    return company


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:

    async def work() -> int:
        company = await _company_named(args.company) if args.company else None
        user = await create_user(
            email=args.email, name=args.name, role=Role(args.role), company=company
        )
        emit({"id": to_global_id("User", user.id)})
        return 0

    return asyncio.run(with_database(settings, work))


def _user_change_json(change: UserChange) -> dict[str, Any]:
    user = change.user
    return {
        "id": to_global_id("User", user.id),
        "email": user.email,
        "active": user.is_active,
        "company": to_global_id("Company", user.company_id) if user.company_id else None,
        "changed": change.changed,
    }


def _run_user_change(settings: Settings, change: Callable[[], Awaitable[UserChange]]) -> int:
    """Run a change of a user's standing; when it changed something, wake the servers so that
    they close the user's sockets now rather than at their next poll."""

    async def work() -> int:
        done = await change()
        if done.changed:
            await wake_servers(settings.redis_url, settings.redis_channel_prefix)
        emit(_user_change_json(done))
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_user_deactivate(settings: Settings, args: argparse.Namespace) -> int:
    return _run_user_change(settings, lambda: deactivate_user(args.email, now=SystemClock().now()))


def cmd_user_activate(settings: Settings, args: argparse.Namespace) -> int:
    return _run_user_change(settings, lambda: activate_user(args.email, now=SystemClock().now()))


def cmd_user_move(settings: Settings, args: argparse.Namespace) -> int:

    async def move() -> UserChange:
        company = await _company_named(args.company)
        return await move_user(args.email, company, now=SystemClock().now())

    return _run_user_change(settings, move)


def cmd_token_issue(settings: Settings, args: argparse.Namespace) -> int:

    async def work() -> int:
        token = await issue_token(
            args.email, now=SystemClock().now(), expires_in_days=args.expires_in_days
        )
        emit({"token": token})
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_outbox_deliver(settings: Settings, args: argparse.Namespace) -> int:
    """Deliver every due email, then exit: for cron, or with OUTBOX_WORKER=false on the servers."""

    async def work() -> int:
        report = await deliver_until_idle(transport_from_settings(settings), SystemClock())
        sender = WebhookSender(
            allow_local=settings.webhook_allow_local,
            timeout_seconds=settings.webhook_timeout_seconds,
        )
        try:
            hooks = await deliver_webhooks_until_idle(
                sender, SystemClock(), webhook_delivery_settings(settings)
            )
        finally:
            await sender.aclose()
        emit({**asdict(report), "webhooks": asdict(hooks)})
        return 0 if report.transport_error is None else 1

    return asyncio.run(with_database(settings, work))


def cmd_token_list(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        emit({"tokens": await list_tokens(args.email)})
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_token_revoke(settings: Settings, args: argparse.Namespace) -> int:

    async def work() -> int:
        revoked = await revoke_tokens(args.email, now=SystemClock().now())
        if revoked:  # the servers close the user's sockets now, not at their next poll
            await wake_servers(settings.redis_url, settings.redis_channel_prefix)
        emit({"revoked": revoked})
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the expiry and reminders job once and print its report: for cron, or with
    JOBS_SCHEDULER=false on the servers. Its emails are delivered by the servers' outbox worker,
    or by `certs outbox deliver`."""

    async def work() -> int:
        deps = build_dependencies(settings)
        try:
            report = await run_daily_job(
                deps, deps.clock.now(), reminder_days=settings.reminder_days
            )
            removed = await sweep_unreferenced_documents(
                deps, older_than_seconds=settings.orphan_file_age_hours * 3600
            )
        finally:
            await deps.bus.stop()
        # The servers deliver its changes now rather than at their next poll.
        await wake_servers(settings.redis_url, settings.redis_channel_prefix)
        emit({**report.as_dict(), "unreferenced_files_removed": removed})
        return 0 if report.failed == 0 else 1

    return asyncio.run(with_database(settings, work))


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


#: Who the CLI acts as: whoever runs it on the server is an operator.
CLI_OPERATOR = Principal(
    user_id=0, name="certs (línea de comandos)", email="", role=Role.ADMIN, company_id=None
)


def _delivery_json(delivery: Any) -> dict[str, Any]:
    def at(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": to_global_id("WebhookDelivery", delivery.id),
        "eventId": delivery.event.event_id,
        "eventType": delivery.event.type,
        "endpoint": {
            "id": to_global_id("WebhookEndpoint", delivery.endpoint_id),
            "url": delivery.endpoint.url,
            "enabled": delivery.endpoint.enabled,
        },
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "lastStatusCode": delivery.last_status_code,
        "lastResponse": delivery.last_response,
        "lastLatencyMs": delivery.last_latency_ms,
        "lastAttemptAt": at(delivery.last_attempt_at),
        "nextAttemptAt": at(delivery.next_attempt_at),
        "deliveredAt": at(delivery.delivered_at),
        "createdAt": at(delivery.created_at),
    }


def _row_id(raw: str, type_name: str, what: str) -> int:
    """A row id given as a number or as the API's global id."""
    if raw.isdigit():
        return int(raw)
    return decode_id(raw, type_name, field="id", what=what)


def cmd_webhooks_deliveries(settings: Settings, args: argparse.Namespace) -> int:
    """The newest webhook deliveries, as the API's `webhookDeliveries` shows them."""

    async def work() -> int:
        rows = await list_deliveries(
            CLI_OPERATOR,
            endpoint_id=_row_id(args.endpoint, "WebhookEndpoint", "el webhook")
            if args.endpoint
            else None,
            status=WebhookDeliveryStatus(args.status) if args.status else None,
            first=args.limit,
        )
        emit({"deliveries": [_delivery_json(row) for row in rows]})
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_webhooks_redeliver(settings: Settings, args: argparse.Namespace) -> int:
    """Put a delivery back in line now; the servers' worker (or `certs outbox deliver`) sends it."""

    async def work() -> int:
        row = await redeliver(
            CLI_OPERATOR,
            _row_id(args.delivery, "WebhookDelivery", "la entrega"),
            SystemClock().now(),
        )
        emit({"delivery": _delivery_json(row)})
        return 0

    return asyncio.run(with_database(settings, work))


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


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:

    sdl = schema.as_str() + "\n"
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certs", description="Solicitudes y certificados digitales propios (Andes SCD)."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply the migrations to DATABASE_URL").set_defaults(
        run=cmd_migrate
    )

    serve = commands.add_parser("serve", help="serve /graphql, /health and document downloads")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)

    commands.add_parser("demo", help="create a demo company and users, print tokens").set_defaults(
        run=cmd_demo
    )

    company = commands.add_parser("company", help="companies").add_subparsers(
        dest="action", required=True
    )
    create_company = company.add_parser("create", help="create a company")
    create_company.add_argument("--nit", required=True, help='with its check digit: "900123456-8"')
    create_company.add_argument("--name", required=True, help="legal name")
    create_company.add_argument(
        "--person-type", required=True, choices=[p.value for p in PersonType]
    )
    create_company.add_argument("--contact-name", required=True)
    create_company.add_argument("--contact-email", required=True)
    create_company.set_defaults(run=cmd_company_create)

    user = commands.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    create_user = user.add_parser("create", help="create a user")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--role", required=True, choices=[r.value for r in Role])
    create_user.add_argument("--company", help="NIT or global id; required for CUSTOMER")
    create_user.set_defaults(run=cmd_user_create)
    deactivate = user.add_parser(
        "deactivate", help="the user may no longer sign in; their open sockets close"
    )
    deactivate.add_argument("--email", required=True)
    deactivate.set_defaults(run=cmd_user_deactivate)
    activate = user.add_parser("activate", help="the user may sign in again")
    activate.add_argument("--email", required=True)
    activate.set_defaults(run=cmd_user_activate)
    move = user.add_parser("move", help="move a user to another company; their open sockets close")
    move.add_argument("--email", required=True)
    move.add_argument("--company", required=True, help="NIT or global id")
    move.set_defaults(run=cmd_user_move)

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    issue = token.add_parser("issue", help="issue a token; it is shown only this once")
    issue.add_argument("--email", required=True)
    issue.add_argument("--expires-in-days", type=int, default=None)
    issue.set_defaults(run=cmd_token_issue)
    revoke = token.add_parser("revoke", help="revoke every token of a user")
    revoke.add_argument("--email", required=True)
    revoke.set_defaults(run=cmd_token_revoke)
    listing = token.add_parser(
        "list", help="a user's tokens: issued, expires, revoked, last used (to the minute)"
    )
    listing.add_argument("--email", required=True)
    listing.set_defaults(run=cmd_token_list)

    outbox = commands.add_parser("outbox", help="the email outbox").add_subparsers(
        dest="action", required=True
    )
    outbox.add_parser("deliver", help="send every due email and webhook, then exit").set_defaults(
        run=cmd_outbox_deliver
    )

    documents = commands.add_parser(
        "documents", help="trusted documents (PERSISTED_QUERIES=only)"
    ).add_subparsers(dest="action", required=True)
    add_documents = documents.add_parser(
        "add", help="register the operations of .graphql files or hash→document JSON manifests"
    )
    add_documents.add_argument("files", nargs="+", metavar="FILE")
    add_documents.set_defaults(run=cmd_documents_add)
    hooks = commands.add_parser("webhooks", help="webhook deliveries").add_subparsers(
        dest="action", required=True
    )
    deliveries = hooks.add_parser("deliveries", help="list the newest deliveries as JSON")
    deliveries.add_argument("--status", choices=["PENDING", "SUCCEEDED", "FAILED"])
    deliveries.add_argument("--endpoint", help="the endpoint's id (number or global id)")
    deliveries.add_argument("--limit", type=int, default=50)
    deliveries.set_defaults(run=cmd_webhooks_deliveries)
    again = hooks.add_parser("redeliver", help="send a delivery again")
    again.add_argument("delivery", help="the delivery's id (number or global id)")
    again.set_defaults(run=cmd_webhooks_redeliver)

    jobs = commands.add_parser("jobs", help="scheduled jobs").add_subparsers(
        dest="action", required=True
    )
    jobs.add_parser(
        "run", help="expire certificates and queue the reminders due now, print a JSON report"
    ).set_defaults(run=cmd_jobs_run)

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="action", required=True
    )
    audit_export = audit.add_parser(
        "export", help="privileged actions, oldest first, to stdout (CSV or JSON lines)"
    )
    audit_export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    audit_export.add_argument("--since", help="a date (YYYY-MM-DD, Bogotá): actions from then on")
    audit_export.set_defaults(run=cmd_audit_export)

    export = commands.add_parser("export-schema", help="write the schema's SDL")
    export.add_argument("--output", help="file to write instead of stdout")
    export.set_defaults(run=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
    try:
        code: int = args.run(settings, args)
    except DomainError as error:
        for problem in error.errors:
            print(f"error: {problem.message} ({problem.code})", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
