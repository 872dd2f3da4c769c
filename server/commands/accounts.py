"""Companies, users and API tokens from the shell, and the demo that creates some."""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from domain.clock import SystemClock
from domain.enums import PersonType, Role
from events.redis_wakeups import wake_servers
from resolvers.ids import to_global_id
from server.commands.common import company_named, emit, with_database
from server.demo import seed_demo
from server.graphiql import DEMO_TOKENS_FILE
from server.settings import Settings
from services.auth import issue_token, list_tokens, revoke_tokens
from services.operators import create_company, create_user
from services.user_admin import UserChange, activate_user, deactivate_user, move_user


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


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:

    async def work() -> int:
        company = await company_named(args.company) if args.company else None
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
        company = await company_named(args.company)
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
