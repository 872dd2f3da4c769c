"""GraphQL over HTTP: graphql-http's own audit (tests/node/audit.mjs) against the real server."""

import orjson
import pytest

from tests.support.node import run_node
from tests.support.server import SharedServer

pytestmark = pytest.mark.e2e

#: Every audit of graphql-http 1.23.1 (tests/node/package-lock.json): MUST, SHOULD and MAY.
AUDITS = 61


def test_graphql_http_audit_passes_every_must_and_should(
    shared_sqlite_server: SharedServer,
) -> None:
    result = run_node("audit.mjs", f"{shared_sqlite_server.server.base_url}/graphql")
    assert result.returncode == 0, result.stderr
    audits = [orjson.loads(line) for line in result.stdout.splitlines() if line.strip()]
    failing = [a for a in audits if a["status"] != "ok"]
    assert failing == [], "\n".join(orjson.dumps(a).decode() for a in failing)
    assert len(audits) == AUDITS
