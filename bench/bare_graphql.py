"""The floor under any GraphQL server on our schema: graphql-core executing the service's own schema
(its resolvers, loaders, execution plans) behind one bare Starlette route, without what `certs
serve` puts around the execution.

`POST /graphql` reads a JSON body (`query`, `variables`), authenticates the bearer token as the
plain endpoint does, parses and validates each distinct query text once, and answers graphql-core's
`execute` of it with `schema.root.CertsExecutionContext`, encoded with orjson. Left out, on
purpose: our middleware (security headers, request id, CORS, body limit), Strawberry's HTTP view
(media types, GET, multipart, persisted queries, the failed-authentication limiter, the log line
and metrics) and Strawberry's `schema.execute` pipeline (the extensions: error masking, document
limits, the bounded caches, the operation's name for the metrics). None of that may be left out of
a production server; what this endpoint measures is what is left when all of it costs nothing:

- `certs serve` ÷ this = what the server's layers around execution cost;
- this ÷ the plain endpoint = what executing the same reads as a GraphQL document costs, the part
  no view, middleware or extension change can remove.

Served by uvicorn with the same loop, HTTP parser and heap settings as `certs serve`:
`DATABASE_URL=… uvicorn --factory bench.bare_graphql:app_from_env --loop uvloop --http httptools`.
"""

from inspect import isawaitable
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLFormattedError, parse, validate
from graphql import execute as graphql_execute
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.execution.is_awaitable import optimized_is_awaitable

from bench.plain_app import as_served, database_lifespan, health, json_response
from domain.clock import Clock, SystemClock
from resolvers.context import Context
from schema.root import CertsExecutionContext, CertsSchema, build_schema
from server.auth import principal_from_header
from server.dependencies import build_dependencies
from server.logs import count_sql_statements, sql_counter
from server.settings import Settings

#: Distinct query texts kept parsed and validated: the benchmark sends two.
MAX_DOCUMENTS = 16


def _errors(errors: list[GraphQLError]) -> list[GraphQLFormattedError]:
    return [error.formatted for error in errors]


def create_bare_app(
    settings: Settings, clock: Clock | None = None, schema: CertsSchema | None = None
) -> Starlette:
    clock = clock or SystemClock()
    built = schema or build_schema()
    deps = build_dependencies(settings, clock=clock)
    count_sql_statements()  # as create_app does: sql_counter() below then counts
    documents: dict[str, DocumentNode | list[GraphQLError]] = {}

    def document_of(query: str) -> DocumentNode | list[GraphQLError]:
        known = documents.get(query)
        if known is None:
            try:
                document = parse(query)
            except GraphQLError as error:
                return [error]
            errors = validate(built._schema, document)
            known = errors or document
            if len(documents) < MAX_DOCUMENTS:
                documents[query] = known
        return known

    async def graphql(request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
            query, variables = body["query"], body.get("variables")
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return json_response({"errors": [{"message": "cuerpo no válido"}]}, 400)
        if not isinstance(query, str) or not isinstance(variables, dict | None):
            return json_response({"errors": [{"message": "query o variables no válidas"}]}, 400)
        document = document_of(query)
        if isinstance(document, list):
            return json_response({"errors": _errors(document)}, 400)
        principal = await principal_from_header(request.headers.get("authorization"), clock)
        context = Context(deps=deps, public_base_url=settings.public_base_url, principal=principal)
        with sql_counter():  # as the view runs every operation (tuning/statement_count.py)
            result = graphql_execute(
                built._schema,
                document,
                context_value=context,
                variable_values=variables,
                executor_class=CertsExecutionContext,
                # As Strawberry's schema.execute passes it (graphql-core's own check is slower);
                # annotated as returning bool where graphql-core asks for a TypeGuard.
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            )
            if isawaitable(result):
                result = await result
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = _errors(result.errors)
        return json_response(answer)

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health)],
        lifespan=database_lifespan(settings),
    )


def app_from_env() -> Starlette:
    """uvicorn's `--factory`: importing this module (as the tests do) builds nothing."""
    return as_served(lambda: create_bare_app(Settings.from_env()))
