"""The Strawberry ASGI view: builds a fresh Context per request, authenticates sockets on connect."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema

from schema.context import Context
from server.auth import header_from_params, principal_from_header
from services.dependencies import Dependencies


class CertsGraphQL(GraphQL[Context, None]):
    def __init__(
        self, schema: BaseSchema, deps: Dependencies, public_base_url: str, graphiql: bool
    ) -> None:
        # Multipart uploads are safe from CSRF here: every mutation needs an Authorization header
        # (never a cookie), which a cross-site form cannot send without a CORS preflight.
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            multipart_uploads_enabled=True,
        )
        self.deps = deps
        self.public_base_url = public_base_url

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        principal = None
        if isinstance(request, Request):
            principal = await principal_from_header(
                request.headers.get("authorization"), self.deps.clock
            )
        return Context(
            deps=self.deps,
            public_base_url=self.public_base_url,
            principal=principal,
            request=request,
            response=response,
        )

    async def on_ws_connect(self, context: Context) -> Any:
        """A socket must authenticate in `connection_init`; otherwise the protocol's close code."""
        header = header_from_params(context.connection_params)
        context.principal = await principal_from_header(header, self.deps.clock)
        if context.principal is None:
            raise ConnectionRejectionError({"message": "Token ausente o no válido."})
        return None
