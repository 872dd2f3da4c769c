"""The `certs` command, as ../shared/design/CLI.md names it. Creating commands print one JSON object
on stdout and nothing else there; logs and hints go to stderr.

This module only parses: each command lives in a module of server.commands, named here as
"module:function" and imported when that command runs, so that a command starts with the
imports it needs (`certs token issue` in about a third of the time `certs serve` takes to import
the GraphQL schema and the web app). tests/server/test_cli_dispatch.py checks that every name
resolves."""

import argparse
import importlib
import logging.config
import sys
from collections.abc import Sequence

from domain.enums import PersonType, Role
from domain.errors import DomainError
from server.commands import Command
from server.logs import logging_config
from server.settings import Settings

COMMANDS_PACKAGE = "server.commands"


def load_command(name: str) -> Command:
    """The command a parser names as "module:function", its module imported now."""
    module_name, _, function = name.partition(":")
    module = importlib.import_module(f"{COMMANDS_PACKAGE}.{module_name}")
    command: Command = getattr(module, function)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certs", description="Solicitudes y certificados digitales propios (Andes SCD)."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply the migrations to DATABASE_URL").set_defaults(
        run="database:cmd_migrate"
    )

    serve = commands.add_parser("serve", help="serve /graphql, /health and document downloads")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run="serve:cmd_serve")

    commands.add_parser("demo", help="create a demo company and users, print tokens").set_defaults(
        run="accounts:cmd_demo"
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
    create_company.set_defaults(run="accounts:cmd_company_create")

    user = commands.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    create_user = user.add_parser("create", help="create a user")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--role", required=True, choices=[r.value for r in Role])
    create_user.add_argument("--company", help="NIT or global id; required for CUSTOMER")
    create_user.set_defaults(run="accounts:cmd_user_create")
    deactivate = user.add_parser(
        "deactivate", help="the user may no longer sign in; their open sockets close"
    )
    deactivate.add_argument("--email", required=True)
    deactivate.set_defaults(run="accounts:cmd_user_deactivate")
    activate = user.add_parser("activate", help="the user may sign in again")
    activate.add_argument("--email", required=True)
    activate.set_defaults(run="accounts:cmd_user_activate")
    move = user.add_parser("move", help="move a user to another company; their open sockets close")
    move.add_argument("--email", required=True)
    move.add_argument("--company", required=True, help="NIT or global id")
    move.set_defaults(run="accounts:cmd_user_move")

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    issue = token.add_parser("issue", help="issue a token; it is shown only this once")
    issue.add_argument("--email", required=True)
    issue.add_argument("--expires-in-days", type=int, default=None)
    issue.set_defaults(run="accounts:cmd_token_issue")
    revoke = token.add_parser("revoke", help="revoke every token of a user")
    revoke.add_argument("--email", required=True)
    revoke.set_defaults(run="accounts:cmd_token_revoke")
    listing = token.add_parser(
        "list", help="a user's tokens: issued, expires, revoked, last used (to the minute)"
    )
    listing.add_argument("--email", required=True)
    listing.set_defaults(run="accounts:cmd_token_list")

    outbox = commands.add_parser("outbox", help="the email outbox").add_subparsers(
        dest="action", required=True
    )
    outbox.add_parser("deliver", help="send every due email and webhook, then exit").set_defaults(
        run="delivery:cmd_outbox_deliver"
    )

    documents = commands.add_parser(
        "documents", help="trusted documents (PERSISTED_QUERIES=only)"
    ).add_subparsers(dest="action", required=True)
    add_documents = documents.add_parser(
        "add", help="register the operations of .graphql files or hash→document JSON manifests"
    )
    add_documents.add_argument("files", nargs="+", metavar="FILE")
    add_documents.set_defaults(run="graphql_schema:cmd_documents_add")
    hooks = commands.add_parser("webhooks", help="webhook deliveries").add_subparsers(
        dest="action", required=True
    )
    deliveries = hooks.add_parser("deliveries", help="list the newest deliveries as JSON")
    deliveries.add_argument("--status", choices=["PENDING", "SUCCEEDED", "FAILED"])
    deliveries.add_argument("--endpoint", help="the endpoint's id (number or global id)")
    deliveries.add_argument("--limit", type=int, default=50)
    deliveries.set_defaults(run="webhooks:cmd_webhooks_deliveries")
    again = hooks.add_parser("redeliver", help="send a delivery again")
    again.add_argument("delivery", help="the delivery's id (number or global id)")
    again.set_defaults(run="webhooks:cmd_webhooks_redeliver")

    jobs = commands.add_parser("jobs", help="scheduled jobs").add_subparsers(
        dest="action", required=True
    )
    jobs.add_parser(
        "run", help="expire certificates and queue the reminders due now, print a JSON report"
    ).set_defaults(run="delivery:cmd_jobs_run")

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="action", required=True
    )
    audit_export = audit.add_parser(
        "export", help="privileged actions, oldest first, to stdout (CSV or JSON lines)"
    )
    audit_export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    audit_export.add_argument("--since", help="a date (YYYY-MM-DD, Bogotá): actions from then on")
    audit_export.set_defaults(run="audit:cmd_audit_export")

    export = commands.add_parser("export-schema", help="write the schema's SDL")
    export.add_argument("--output", help="file to write instead of stdout")
    export.set_defaults(run="graphql_schema:cmd_export_schema")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
    try:
        code: int = load_command(args.run)(settings, args)
    except DomainError as error:
        for problem in error.errors:
            print(f"error: {problem.message} ({problem.code})", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
