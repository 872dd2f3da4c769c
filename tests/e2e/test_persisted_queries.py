"""Persisted queries with Apollo Client's PersistedQueryLink (tests/node/apollo.mjs) against the
real server: the automatic round trip, a GET by hash afterwards, and trusted-documents mode."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from devkit.database import MigratedSqlite
from tests.support.node import run_node
from tests.support.server import (
    RunningServer,
    SharedServer,
    certs,
    certs_json,
    running_server,
    server_env,
)

pytestmark = pytest.mark.e2e

MINE = "query Mine { viewer { user { email } } }\n"
OTHER = "query Other { viewer { company { nit } } }\n"
DEMO_EMAIL = "cliente@demo.example.co"


@pytest.fixture
def trusted_server(tmp_path: Path, sqlite_template: MigratedSqlite) -> Iterator[RunningServer]:
    env = server_env(
        tmp_path / "var", sqlite_template.fresh_copy(tmp_path), PERSISTED_QUERIES="only"
    )
    with running_server(env) as server:
        yield server


def apollo(
    server: RunningServer, token: str, tmp_path: Path, *queries: str
) -> list[dict[str, Any]]:
    """What Apollo Client (tests/node/apollo.mjs) saw at each step, sending `queries` with `token`."""
    files = []
    for index, query in enumerate(queries):
        path = tmp_path / f"q{index}.graphql"
        path.write_text(query)
        files.append(str(path))
    result = run_node("apollo.mjs", f"{server.base_url}/graphql", token, *files)
    assert result.returncode == 0, result.stderr
    steps: list[dict[str, Any]] = orjson.loads(result.stdout)
    return steps


def shape(requests: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """(method, query text sent) per HTTP request."""
    return [(r["method"], r["sentQuery"]) for r in requests]


def test_apollo_s_persisted_query_round_trip_then_a_get_by_hash(
    shared_sqlite_server: SharedServer, tmp_path: Path
) -> None:
    # The shared server has not seen MINE before: no other test sends it.
    token = shared_sqlite_server.demo["tokens"]["customer"]
    first, again = apollo(shared_sqlite_server.server, token, tmp_path, MINE)
    assert first["data"]["viewer"]["user"]["email"] == DEMO_EMAIL
    # The hash alone by GET: unknown; then the query with its hash by POST.
    assert shape(first["requests"]) == [("GET", False), ("POST", True)]
    assert all(r["sentHash"] for r in first["requests"])
    # Known now: one GET by hash, no query text (what a CDN can cache).
    assert again["data"]["viewer"]["user"]["email"] == DEMO_EMAIL
    assert shape(again["requests"]) == [("GET", False)]
    assert again["requests"][0]["status"] == 200


def test_trusted_documents_run_registered_operations_only(
    trusted_server: RunningServer, tmp_path: Path
) -> None:
    source = tmp_path / "mine.graphql"
    source.write_text(MINE)
    built = run_node("manifest.mjs", str(source))  # what a front end's build step writes
    assert built.returncode == 0, built.stderr
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(built.stdout)
    added = orjson.loads(certs(trusted_server.env, "documents", "add", str(manifest)).stdout)
    assert added["added"] == 1

    token = certs_json(trusted_server.env, "demo")["tokens"]["customer"]
    registered, registered_again, unregistered, _ = apollo(
        trusted_server, token, tmp_path, MINE, OTHER
    )
    assert registered["data"]["viewer"]["user"]["email"] == DEMO_EMAIL
    assert shape(registered["requests"]) == [("GET", False)]
    assert registered_again["data"]["viewer"]["user"]["email"] == DEMO_EMAIL
    assert "data" not in unregistered
    assert "PERSISTED_QUERY_NOT_ALLOWED" in unregistered["codes"]
