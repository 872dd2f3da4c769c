"""The app of the in-process tests: `create_app` serving a schema built once per worker and per
`SchemaOptions`, not once per test (a build is about 75 ms of CPU, the largest part of an
in-process test's set-up before this; docs/testing.md)."""

from starlette.applications import Starlette

from domain.clock import Clock
from schema.root import CertsSchema
from server.app import SchemaOptions, create_app
from server.settings import Settings

_SCHEMAS: dict[SchemaOptions, CertsSchema] = {}


def shared_schema(settings: Settings) -> CertsSchema:
    """The schema `create_app` would build for `settings`, built the first time these options are
    asked for in this process, its parsed and validated documents (`document_caches`) dropped so
    that no test is answered from another's cache. Nothing else in a built schema outlives an
    operation: its extensions are made per operation, loaders per request, the memory of persisted
    queries per app. Tests of a schema's own caches, or of building one, build their own."""
    options = SchemaOptions.of(settings)
    schema = _SCHEMAS.get(options)
    if schema is None:
        schema = _SCHEMAS[options] = options.build()
    for cache in schema.document_caches:
        cache.clear()
    return schema


def in_process_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    """`create_app(settings, clock=clock)`, on the worker's schema for these settings."""
    return create_app(settings, clock=clock, schema=shared_schema(settings))
