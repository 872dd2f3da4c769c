"""OpenTelemetry traces, when OTEL_EXPORTER_OTLP_ENDPOINT is set: a span per HTTP request and
WebSocket connection (the ASGI instrumentation), per GraphQL operation and resolver (Strawberry's
OpenTelemetryExtension) and per SQL statement on PostgreSQL (asyncpg's instrumentation), exported
over OTLP/HTTP. Incoming `traceparent` headers continue the caller's trace. The service is named
by OTEL_SERVICE_NAME (default "certs"); the other OTEL_* variables of the SDK apply as usual.

SQLite is not instrumented: aiosqlite runs statements on its own thread, outside the operation's
trace, where they would only be orphan spans. Resolver arguments are never recorded (they hold
personal data).
"""

import os
from collections.abc import Mapping
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
    _configured = True


def graphql_tracing_extension() -> Any:
    return lambda: OpenTelemetryExtension(arg_filter=no_arguments)


def asgi_middleware() -> Any:
    """The ASGI instrumentation, without a span per message sent or received on a socket."""
    return Middleware(OpenTelemetryMiddleware, exclude_spans=["receive", "send"])
