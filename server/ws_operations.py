"""One log line per operation run on a WebSocket, like the HTTP ones (`certs.operations`).

A subscription's line is written when it ends, however it ends: `ended_by` is `client` (it sent
`complete`/`stop`), `server` (the stream finished, as after SUBSCRIPTION_LAGGING, whose code is in
`error_codes`), `error` (refused before it started, or failed) or `socket_closed`. Queries and
mutations sent over the socket get their line too (`ended_by` `server` once answered). The line
carries the socket's request id (one per connection), the operation's id on that socket, who
asked, how long it lasted, how many results (`events`) were sent, and the error codes sent.

While it runs, an operation counts in /metrics (`graphql_subscriptions`, server/metrics.py): one up
when it starts, one down when it ends, so each worker's file always holds its current number. The
error codes it sent count in `graphql_errors_total`, as those of HTTP answers do, and a query or
mutation is timed in `graphql_operation_duration_seconds` with the same labels (operation name and
type) as over HTTP.
"""

import logging
import time
from collections.abc import Awaitable
from typing import Any

from resolvers.context import Context
from schema.request_scope import current_operation, current_request_id
from server.logs import sql_counter
from server.metrics import Metrics

operations_log = logging.getLogger("certs.operations")

CLIENT = "client"
SERVER = "server"
ERROR = "error"
SOCKET_CLOSED = "socket_closed"


class SocketOperation:
    """What is logged of one operation on a socket; held only while it runs."""

    __slots__ = ("codes", "ended_by", "events", "id", "operation", "started", "statements")

    def __init__(self, operation_id: str, name: str | None) -> None:
        self.id = operation_id
        self.operation: dict[str, str | None] = {"name": name, "type": None}
        self.started = time.perf_counter()
        self.events = 0
        self.codes: list[str] = []
        self.ended_by: str | None = None
        self.statements = [0]

    def counted(self, codes: list[str]) -> None:
        """A result sent for this operation past `send_message`, with its codes (`result_codes`):
        `server.fanout` works them out once for all the members it writes a result to."""
        self.events += 1
        if codes:
            self.codes.extend(codes)

    def sent(self, kind: str, payload: Any) -> None:
        """A message sent for this operation: results count as events, their errors' codes kept."""
        if kind in ("next", "data"):
            self.counted(result_codes(payload))
        elif kind == "error":
            self.codes.extend(codes_of(payload if isinstance(payload, list) else [payload]))
            self.end(ERROR)

    def end(self, how: str) -> None:
        """The first reason given is the one logged."""
        if self.ended_by is None:
            self.ended_by = how


def result_codes(payload: Any) -> list[str]:
    """The codes of a result's errors, and of the errors its fields' payloads return."""
    if not isinstance(payload, dict):
        return []
    codes = codes_of(payload.get("errors") or ())
    for field in (payload.get("data") or {}).values():
        if isinstance(field, dict) and field.get("errors"):
            codes.extend(codes_of(field["errors"]))
    return codes


def codes_of(errors: Any) -> list[str]:
    return [
        str((error.get("extensions") or {}).get("code") or "GRAPHQL_VALIDATION_FAILED")
        for error in errors
        if isinstance(error, dict)
    ]


class OperationLog:
    """The running operations of one socket, by their id on it."""

    __slots__ = ("_metrics", "_running")

    def __init__(self, metrics: Metrics | None = None) -> None:
        self._running: dict[str, SocketOperation] = {}
        self._metrics = metrics

    async def run(
        self, context: Context, operation_id: str, name: str | None, work: Awaitable[None]
    ) -> None:
        """Await `work` (the operation's task body) as operation `operation_id`, then log it."""
        record = self.begin(operation_id, name)
        token = current_operation.set(record.operation)
        how = ERROR
        try:
            with sql_counter() as statements:
                record.statements = statements
                await work
            how = SERVER
        finally:
            current_operation.reset(token)
            self.finish(record, context, how)

    def begin(self, operation_id: str, name: str | None) -> SocketOperation:
        """Operation `operation_id` starts (`run`, or a subscription that has no task of its own:
        a member of a group, `server.graphql_ws_handlers`); `finish` ends it."""
        record = SocketOperation(operation_id, name)
        self._running[operation_id] = record
        if self._metrics is not None:
            self._metrics.subscriptions.inc()
        return record

    def finish(self, record: SocketOperation, context: Context, how: str) -> None:
        """It ended (`how`, unless a reason was given before): counted, logged, forgotten."""
        record.end(how)
        if self._running.get(record.id) is record:
            del self._running[record.id]
        if self._metrics is not None:
            self._metrics.subscriptions.dec()
            record_metrics(self._metrics, record)
        log_operation(record, context)

    def running(self, operation_id: str) -> SocketOperation | None:
        """The record of an operation while it runs (`server.fanout` counts what it writes)."""
        return self._running.get(operation_id)

    def sent(self, message: Any) -> None:
        if isinstance(message, dict):
            record = self._running.get(message.get("id"))  # type: ignore[arg-type]
            if record is not None:
                record.sent(str(message.get("type")), message.get("payload"))

    def stopped(self, operation_id: str) -> None:
        """The client asked to stop it."""
        record = self._running.get(operation_id)
        if record is not None:
            record.end(CLIENT)

    def socket_closed(self) -> None:
        for record in self._running.values():
            record.end(SOCKET_CLOSED)


def record_metrics(metrics: Metrics, record: SocketOperation) -> None:
    """A query or mutation is timed in `graphql_operation_duration_seconds` with the labels of an
    HTTP one; a subscription is not (it lasts as long as its client listens), only its codes
    count."""
    operation_type = record.operation["type"] or "unknown"
    if operation_type == "subscription":
        metrics.count_errors(record.codes)
    else:
        seconds = time.perf_counter() - record.started
        metrics.observe_operation(record.operation["name"], operation_type, seconds, record.codes)


def log_operation(record: SocketOperation, context: Context) -> None:
    operation_type = record.operation["type"] or "unknown"
    principal = context.principal
    subscription = operation_type == "subscription"
    operations_log.info(
        "%s %s",
        operation_type,
        record.operation["name"] or "anonymous",
        extra={
            "request_id": current_request_id.get(),
            "operation_id": record.id,
            "operation_name": record.operation["name"],
            "operation_type": operation_type,
            "transport": "websocket",
            "principal": principal.user_id if principal else None,
            "role": principal.role.value if principal else None,
            "company": principal.company_id if principal else None,
            "duration_ms": round((time.perf_counter() - record.started) * 1000, 2),
            # A subscription's events are executed once for all who asked the same: its
            # statements are not its own, so it has no count.
            "sql_count": None if subscription else record.statements[0],
            "events": record.events if subscription else None,
            "ended_by": record.ended_by,
            "error_codes": record.codes or None,
        },
    )
