"""OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, the real server exports the spans of an
operation over OTLP/HTTP, continuing the caller's trace; SQL spans on both databases."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.support.server import running_server, server_env
from tests.support.waiting import wait_until_sync

pytestmark = pytest.mark.e2e

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


class Collector:
    """An OTLP/HTTP trace receiver on a loopback port: the spans it was sent, as dicts."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                for resource_spans in request.resource_spans:
                    service = {
                        a.key: a.value.string_value for a in resource_spans.resource.attributes
                    }.get("service.name")
                    for scope_spans in resource_spans.scope_spans:
                        for span in scope_spans.spans:
                            collector.spans.append(
                                {
                                    "name": span.name,
                                    "trace_id": span.trace_id.hex(),
                                    "service": service,
                                    "attributes": {a.key for a in span.attributes},
                                }
                            )
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def collector() -> Iterator[Collector]:
    running = Collector()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()


def test_an_operation_is_traced_with_the_caller_s_trace_id(
    tmp_path: Path, database_url: str, collector: Collector
) -> None:
    env = server_env(
        tmp_path / "var",
        database_url,
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
        OTEL_BSP_SCHEDULE_DELAY="100",
        OTEL_SERVICE_NAME="certs-test",
    )
    with running_server(env) as server:
        response = httpx.post(
            f"{server.base_url}/graphql",
            json={"query": "query Traced { viewer { user { id } } }"},
            headers={
                "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
                "Authorization": "Bearer cdt_desconocido",
            },
            timeout=10,
        )
        assert response.status_code == 200

        def traced() -> list[dict[str, Any]]:
            return [s for s in collector.spans if s["trace_id"] == TRACE_ID]

        spans = wait_until_sync(
            lambda: [s for s in traced() if s["name"] == "GraphQL Query: Traced"] and traced(),
            within=20,
            what="the operation's span at the collector",
        )
        wait_until_sync(
            lambda: any("db.system" in s["attributes"] for s in traced()),
            within=20,
            what="a SQL span in the operation's trace",
        )
    assert all(s["service"] == "certs-test" for s in spans)
    assert any(s["name"].startswith("POST") for s in spans), [s["name"] for s in spans]
