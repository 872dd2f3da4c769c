"""The command lines of `certs`, read from its parser, and `certs` run in the test's process."""

import argparse
import asyncio
import io
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any
from unittest import mock

import orjson
from tortoise.backends.base.executor import EXECUTOR_CACHE

from server.cli import main

#: The loggers `main` configures (server.logs.logging_config) besides the root.
CONFIGURED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def command_parsers(
    parser: argparse.ArgumentParser, prefix: str = "certs"
) -> dict[str, argparse.ArgumentParser]:
    """Every command line down to the leaves (`certs token issue`, `certs migrate`…) and the
    parser of its arguments."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(command_parsers(sub, f"{prefix} {name}"))
    return found or {prefix: parser}


@dataclass(frozen=True)
class CommandRun:
    returncode: int
    stdout: str
    stderr: str


def run_certs(env: dict[str, str], *args: str, check: bool = True) -> CommandRun:
    """`certs ARGS` in this process, for tests of what a command does (tests/support/server.py's
    `certs` starts the real program, for what the process does): `main(argv)` with `env` as the
    whole environment and its stdout and stderr captured. The logging configuration `main`
    installs is put back afterwards, so it does not reach the next tests of this worker; and, as
    the `db` fixture does, Tortoise's SQL cache (kept per connection name, whatever the dialect)
    is emptied before and after, the suite alternating SQLite and PostgreSQL."""
    stdout, stderr = io.StringIO(), io.StringIO()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in CONFIGURED_LOGGERS)]
    saved = [(logger, logger.level, logger.handlers[:], logger.propagate) for logger in loggers]
    EXECUTOR_CACHE.clear()
    try:
        with (
            mock.patch.dict(os.environ, env, clear=True),
            redirect_stdout(stdout),
            redirect_stderr(stderr),
        ):
            code = main(list(args))
    finally:
        EXECUTOR_CACHE.clear()
        for logger, level, handlers, propagate in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
    run = CommandRun(code, stdout.getvalue(), stderr.getvalue())
    if check:
        assert run.returncode == 0, f"certs {' '.join(args)} exited {code}: {run.stderr}"
    return run


def run_certs_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    result: dict[str, Any] = orjson.loads(run_certs(env, *args).stdout)
    return result


async def run_certs_aside(env: dict[str, str], *args: str, check: bool = True) -> CommandRun:
    """`run_certs` from a test whose event loop holds the `db` fixture's Tortoise: in a thread of
    its own, since `main` runs its own event loop (asyncio.run). A new thread starts with an empty
    context, so the command's Tortoise (kept per context, tortoise.context) is its own, and its
    closing leaves the test's connection open."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return await asyncio.wrap_future(thread.submit(run_certs, env, *args, check=check))


async def run_certs_json_aside(env: dict[str, str], *args: str) -> dict[str, Any]:
    result: dict[str, Any] = orjson.loads((await run_certs_aside(env, *args)).stdout)
    return result
