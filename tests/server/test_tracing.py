"""SQL spans on SQLite (server/tracing.py `instrument_sqlite`): a GraphQL query's statements are
spans in the operation's trace, children of its span. PostgreSQL's are asyncpg's instrumentation
(tests/e2e/test_tracing.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from domain.clock import FixedClock
from resolvers.context import Context
from schema.root import build_schema
from server.settings import Settings
from server.tracing import graphql_tracing_extension, instrument_sqlite, uninstrument_sqlite
from tests.support.app import in_process_app
from tests.support.factories import Caller


@pytest.fixture
def traced() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument_sqlite(provider)
    yield provider, exporter
    uninstrument_sqlite()


async def test_a_query_on_sqlite_has_sql_spans_under_the_operation_s_span(
    tmp_path: Path,
    db: str,
    clock: FixedClock,
    customer: Caller,
    traced: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    if not db.startswith("sqlite"):
        pytest.skip("SQLite's instrumentation; PostgreSQL's spans are asyncpg's")
    provider, exporter = traced
    deps = in_process_app(
        Settings(data_dir=tmp_path / "var", database_url=db), clock=clock
    ).state.deps
    schema = build_schema(extra_extensions=[graphql_tracing_extension(provider)])
    context = Context(deps=deps, public_base_url="http://testserver", principal=customer.principal)
    result = await schema.execute(
        "query Traced { viewer { user { id name } company { id nit } } }", context_value=context
    )
    assert result.errors is None
    spans = exporter.get_finished_spans()
    (operation,) = [s for s in spans if s.name == "GraphQL Query: Traced"]
    sql = [s for s in spans if (s.attributes or {}).get("db.system") == "sqlite"]
    assert sql, [s.name for s in spans]
    assert all(s.context.trace_id == operation.context.trace_id for s in sql)
    assert all(descends(s, operation, spans) for s in sql)
    assert all(str((s.attributes or {})["db.statement"]).split()[0].upper() == s.name for s in sql)


def descends(span: ReadableSpan, ancestor: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> bool:
    by_id = {s.context.span_id: s for s in spans}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        found = by_id.get(parent.span_id)
        parent = found.parent if found is not None else None
    return False
