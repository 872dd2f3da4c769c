"""OpenTelemetry traces, when OTEL_EXPORTER_OTLP_ENDPOINT is set: a span per HTTP request and
WebSocket connection (the ASGI instrumentation), per GraphQL operation and resolver (Strawberry's
OpenTelemetryExtension) and per SQL statement on both databases, exported over OTLP/HTTP. Incoming `traceparent` headers continue the caller's trace. The service is named
by OTEL_SERVICE_NAME (default "certs"); the other OTEL_* variables of the SDK apply as usual.

SQL spans: on PostgreSQL, asyncpg's instrumentation. On SQLite, a span around each of Tortoise's
SQLite client execute methods (`instrument_sqlite`), on the event loop, so a child of the
operation's span: opentelemetry-instrumentation-sqlite3 patches `sqlite3.connect`, but aiosqlite
runs the statements on its own thread, outside the operation's context (tried with 0.66b1: no
span in the operation's trace). The statement text is recorded, never its values. Resolver
arguments are never recorded (they hold personal data).
"""

import functools
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.middleware import Middleware
from strawberry.extensions.tracing import OpenTelemetryExtension
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

_configured = False


def no_arguments(args: dict[str, Any], info: Any) -> dict[str, Any]:
    """Strawberry's arg_filter: record no resolver argument (names, emails, NITs, documents)."""
    return {}


def configure_tracing(endpoint: str, environ: Mapping[str, str] | None = None) -> None:
    """The process-wide tracer provider exporting to `endpoint`, once per process."""
    global _configured
    if _configured:
        return
    env = os.environ if environ is None else environ
    resource = Resource.create({SERVICE_NAME: env.get("OTEL_SERVICE_NAME") or "certs"})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces"))
    )
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    instrument_sqlite(provider)
    _configured = True


#: Tortoise's SQLite client methods that send a statement (the transaction's own `execute_many`
#: does not call the client's). Read in tortoise-orm 1.1.9: `tuning/versions.py` refuses to start
#: on another version until these names are checked again.
SQLITE_EXECUTE_METHODS = (
    "execute_insert",
    "execute_many",
    "execute_query",
    "execute_query_dict",
    "execute_script",
)
_TRACED = "_certs_traced"


def instrument_sqlite(provider: trace.TracerProvider) -> None:
    """A CLIENT span per statement Tortoise sends to SQLite (`db.system` "sqlite",
    `db.statement` the SQL with its placeholders), child of the span current on the event loop.
    Called again, it only changes the provider."""
    global _sqlite_tracer
    _sqlite_tracer = trace.get_tracer(__name__, tracer_provider=provider)
    for cls in (SqliteClient, SqliteTransactionWrapper):
        for name in SQLITE_EXECUTE_METHODS:
            method = cls.__dict__.get(name)
            if method is not None and not hasattr(method, _TRACED):
                setattr(cls, name, _traced_statement(method))


def uninstrument_sqlite() -> None:
    """Tortoise's methods as they were (for tests)."""
    global _sqlite_tracer
    _sqlite_tracer = None
    for cls in (SqliteClient, SqliteTransactionWrapper):
        for name in SQLITE_EXECUTE_METHODS:
            original = getattr(cls.__dict__.get(name), _TRACED, None)
            if original is not None:
                setattr(cls, name, original)


_sqlite_tracer: trace.Tracer | None = None


def _traced_statement(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def traced(self: SqliteClient, query: str, *args: Any, **kwargs: Any) -> Any:
        tracer = _sqlite_tracer
        if tracer is None:
            return await method(self, query, *args, **kwargs)
        words = query.split(maxsplit=1)
        with tracer.start_as_current_span(
            words[0].upper() if words else "sqlite",
            kind=trace.SpanKind.CLIENT,
            attributes={"db.system": "sqlite", "db.statement": query},
        ):
            return await method(self, query, *args, **kwargs)

    setattr(traced, _TRACED, method)  # the original, for `uninstrument_sqlite`
    return traced


def graphql_tracing_extension(provider: trace.TracerProvider | None = None) -> Any:
    """Strawberry's extension, on the global tracer provider unless given one (tests)."""
    return lambda: OpenTelemetryExtension(arg_filter=no_arguments, tracer_provider=provider)


def asgi_middleware() -> Any:
    """The ASGI instrumentation, without a span per message sent or received on a socket."""
    return Middleware(OpenTelemetryMiddleware, exclude_spans=["receive", "send"])
