"""With `--workers N` every worker logs, in JSON, one line per operation with its request id."""

import httpx
import pytest

from tests.support.server import SharedServer
from tests.support.waiting import wait_until_sync

pytestmark = pytest.mark.e2e


def test_every_worker_logs_its_operations_as_json(two_worker_sqlite_server: SharedServer) -> None:
    """On the shared two-worker server (LOG_FORMAT=json, LOG_LEVEL=INFO)."""
    server, lines = two_worker_sqlite_server.server, two_worker_sqlite_server.logs
    sent = [f"w-{i}" for i in range(12)]
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        for request_id in sent:
            http.post(
                "/graphql",
                json={"query": "query Ping { __typename }"},
                headers={"X-Request-ID": request_id},
            )

    def logged() -> set[str]:
        return {
            line["request_id"]
            for line in list(lines)
            if line.get("logger") == "certs.operations" and line.get("request_id") in sent
        }

    wait_until_sync(lambda: logged() == set(sent), within=20, what="a log line per request")
    unparsed = [line for line in lines if "unparsed" in line]
    assert unparsed == []
    operation = next(line for line in lines if line.get("request_id") == "w-0")
    assert operation["operation_name"] == "Ping"
    assert operation["operation_type"] == "query"
    assert "duration_ms" in operation
    assert "sql_count" in operation
