"""`certs` imports a command's module only when that command runs (server.cli): every command the
parser offers names a function that exists, and the commands that need neither the GraphQL schema
nor the web app start without importing them."""

import subprocess
import sys

import pytest

from server.cli import build_parser, load_command
from tests.support.cli import command_parsers

COMMANDS = command_parsers(build_parser())


@pytest.mark.parametrize("line", sorted(COMMANDS))
def test_every_command_names_a_function_of_server_commands(line: str) -> None:
    name = COMMANDS[line].get_default("run")
    assert isinstance(name, str)
    command = load_command(name)
    assert callable(command)
    assert command.__module__ == f"server.commands.{name.partition(':')[0]}"


@pytest.mark.parametrize(
    ("module", "heavy"),
    [
        ("server.commands.accounts", ["strawberry", "graphql", "schema.root", "server.app"]),
        ("server.commands.delivery", ["strawberry", "graphql", "schema.root", "server.app"]),
        ("server.commands.database", ["strawberry", "graphql", "schema.root", "uvicorn"]),
        ("server.commands.audit", ["strawberry", "graphql", "schema.root", "uvicorn"]),
        ("server.commands.webhooks", ["strawberry", "graphql", "schema.root", "uvicorn"]),
    ],
)
def test_commands_outside_the_api_start_without_the_graphql_schema(
    module: str, heavy: list[str]
) -> None:
    # A fresh interpreter: this test process has imported everything already.
    probe = f"import sys, server.cli, {module}; print(sorted(set({heavy!r}) & set(sys.modules)))"
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
