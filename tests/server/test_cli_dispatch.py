"""`certs` imports a command's module only when that command runs (server.cli): every command the
parser offers names a function that exists, and the commands that need neither the GraphQL schema
nor the web app start without importing them."""

import subprocess
import sys

import orjson
import pytest

from server.cli import build_parser, load_command
from tests.support.cli import command_parsers

COMMANDS = command_parsers(build_parser())

#: Each command module and what it must not import.
HEAVY = {
    "server.commands.accounts": ["strawberry", "graphql", "schema.root", "server.app"],
    "server.commands.delivery": ["strawberry", "graphql", "schema.root", "server.app"],
    "server.commands.database": ["strawberry", "graphql", "schema.root", "uvicorn"],
    "server.commands.audit": ["strawberry", "graphql", "schema.root", "uvicorn"],
    "server.commands.webhooks": ["strawberry", "graphql", "schema.root", "uvicorn"],
}

# One fresh interpreter (this test process has imported everything already) imports `server.cli`,
# as `certs` does, then forks a child per module: each child starts from that interpreter's state
# and imports one command module, as `certs COMMAND` would, and reports what it brought in.
PROBE = """
import os, sys, orjson, server.cli
found = {}
for module, heavy in orjson.loads(sys.argv[1]).items():
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        __import__(module)
        os.write(write, orjson.dumps(sorted(set(heavy) & set(sys.modules))))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        found[module] = orjson.loads(answer.read())
    assert os.waitpid(child, 0)[1] == 0, module
sys.stdout.buffer.write(orjson.dumps(found))
"""


@pytest.fixture(scope="module")
def imported_by_each_command() -> dict[str, list[str]]:
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", PROBE, orjson.dumps(HEAVY).decode()],
        capture_output=True,
        timeout=60,
        check=True,
    )
    found: dict[str, list[str]] = orjson.loads(result.stdout)
    return found


@pytest.mark.parametrize("line", sorted(COMMANDS))
def test_every_command_names_a_function_of_server_commands(line: str) -> None:
    name = COMMANDS[line].get_default("run")
    assert isinstance(name, str)
    command = load_command(name)
    assert callable(command)
    assert command.__module__ == f"server.commands.{name.partition(':')[0]}"


@pytest.mark.parametrize("module", sorted(HEAVY))
def test_commands_outside_the_api_start_without_the_graphql_schema(
    module: str, imported_by_each_command: dict[str, list[str]]
) -> None:
    assert imported_by_each_command[module] == []
