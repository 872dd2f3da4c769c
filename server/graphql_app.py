"""The Strawberry ASGI view: builds a fresh Context per request, authenticates sockets on connect."""

import logging
import time
from collections.abc import Sequence
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, FormData, HTTPException, StarletteRequestAdapter
from graphql import GraphQLError, parse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

from domain.enums import ErrorCode
from resolvers.context import Context
from schema.request_scope import current_operation
from schema.root import MAX_QUERY_CHARS_DEFAULT, MAX_TOKENS
from server.auth import (
    Authenticator,
    TooManyFailures,
    bearer_token,
    client_address,
    header_from_params,
)
from server.fanout import Fanout
from server.graphiql import render_page
from server.graphql_http import (
    APPLICATION_JSON,
    GRAPHQL_RESPONSE_JSON,
    OPERATION_NAME_NOT_A_STRING,
    error_response,
    is_request_error,
    negotiate,
    request_error,
)
from server.graphql_ws_handlers import LegacyWSHandler, TransportWSHandler
from server.live_sessions import REVOKED_CLOSE_CODE, REVOKED_REASON, LiveSession, LiveSessions
from server.logs import sql_counter
from server.metrics import Metrics
from server.multipart import CodedHTTPException, malformed, place_files
from server.persisted_queries import (
    DOCUMENT_ID_FIELDS,
    DOCUMENT_ID_FIELDS_WITH_QUERY,
    PersistedQueries,
    document_id_in,
    with_document_id,
)
from server.request_id import current_request_id, request_id_from
from server.socket_limits import SocketsPerToken, token_key
from services.audit import audit_source
from services.auth import hash_token
from services.dependencies import Dependencies
from services.principal import Principal

#: Files in one multipart request: a full submission has 3 documents plus a few "other" ones.
MAX_FILES_PER_REQUEST = 10
MAX_FORM_FIELDS = 20
#: No text past the query limit is parsed to learn whether it is a subscription.
MAX_SNIFFED_QUERY_CHARS = MAX_QUERY_CHARS_DEFAULT

operations_log = logging.getLogger("certs.operations")

#: The media type negotiated for the request being answered (GraphQL over HTTP).
_media_type: ContextVar[str] = ContextVar("graphql_media_type", default=APPLICATION_JSON)


class BoundedFormAdapter(StarletteRequestAdapter):
    """Multipart requests: a CSRF guard first, then a form parser with caps on files and fields."""

    async def get_form_data(self) -> FormData:
        # A browser sends a cross-site form without a preflight only with "simple" headers;
        # Authorization is not one, and every upload needs it anyway.
        if not self.headers.get("authorization"):
            raise malformed("Las cargas de archivos requieren el encabezado Authorization.")
        try:
            form = await self._request.form(
                max_files=MAX_FILES_PER_REQUEST, max_fields=MAX_FORM_FIELDS
            )
        except StarletteHTTPException as error:  # python-multipart's refusal, e.g. too many files
            raise malformed(
                f"El cuerpo multipart no es válido ({error.detail}). Se permiten hasta "
                f"{MAX_FILES_PER_REQUEST} archivos y {MAX_FORM_FIELDS} campos."
            ) from None
        except ValueError:
            raise malformed("El cuerpo multipart no se puede leer.") from None
        files = {key: value for key, value in form.items() if isinstance(value, UploadFile)}
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        return FormData(files=files, form=fields)


def is_subscription(request_data: GraphQLRequestData) -> bool:
    """Whether the operation to run is a subscription; unparsable ones are left to Strawberry."""
    if not request_data.query or "subscription" not in request_data.query:
        return False  # every subscription names its operation type: no need to parse the rest
    if len(request_data.query) > MAX_SNIFFED_QUERY_CHARS:
        return False  # the schema refuses it before parsing (QUERY_TOO_LARGE)
    try:
        document = parse(request_data.query, max_tokens=MAX_TOKENS)
        return get_operation_type(document, request_data.operation_name) is (
            OperationType.SUBSCRIPTION
        )
    except (GraphQLError, RuntimeError):
        return False


class CertsGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP and over WebSocket (`graphql-transport-ws` and the legacy `graphql-ws`)."""

    request_adapter_class = BoundedFormAdapter
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self,
        schema: BaseSchema,
        deps: Dependencies,
        public_base_url: str,
        graphiql: bool,
        *,
        authenticator: Authenticator,
        live_sessions: LiveSessions | None = None,
        keep_alive_seconds: float = 20.0,
        connection_init_timeout_seconds: float = 10.0,
        max_subscriptions_per_connection: int = 20,
        allowed_origins: Sequence[str] = (),
        max_sockets_per_token: int = 10,
        metrics: Metrics | None = None,
        data_dir: Path = Path("var"),
        persisted_queries: PersistedQueries | None = None,
    ) -> None:
        # Multipart uploads are safe from CSRF here: every mutation needs an Authorization header
        # (never a cookie), which a cross-site form cannot send without a CORS preflight.
        # WebSocket handshakes get no CORS from browsers: a page on another origin is refused
        # (HTTP 403) unless listed in `allowed_origins`; clients sending no Origin are not browsers.
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            keep_alive=keep_alive_seconds > 0,
            keep_alive_interval=keep_alive_seconds,
            connection_init_wait_timeout=timedelta(seconds=connection_init_timeout_seconds),
            max_subscriptions_per_connection=max_subscriptions_per_connection,
            allowed_origins=allowed_origins,
        )
        self.deps = deps
        self.public_base_url = public_base_url
        self.authenticator = authenticator
        self.live_sessions = live_sessions
        self.sockets = SocketsPerToken(max_sockets_per_token)
        self.metrics = metrics or Metrics()
        self.data_dir = data_dir
        self.persisted_queries = persisted_queries or PersistedQueries()
        self.fanout = Fanout(schema, self._group_context)

    def _group_context(self, principal: Principal) -> Context:
        """The context a subscription group runs with: a caller of its members' visibility."""
        return Context(deps=self.deps, public_base_url=self.public_base_url, principal=principal)

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Not for a GET carrying a persisted query's hash or a document's id (no `query`, but an
        operation)."""
        params = request.query_params
        return super().should_render_graphql_ide(request) and not any(
            params.get(name) for name in ("extensions", *DOCUMENT_ID_FIELDS)
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Strawberry's reading, plus the persisted document's id the request names (`documentId`,
        `doc_id`, or `id` without a `query`: server/persisted_queries.py). A JSON body is parsed
        again only when it may hold one (Starlette keeps the body it read)."""
        data = await super().parse_http_body(request)
        if isinstance(data, list):
            return data
        with_query = data.query is not None
        if request.method == "GET":
            params: object = request.query_params
        elif "json" in (request.content_type or ""):
            body = await request.get_body()
            raw = body.encode() if isinstance(body, str) else body
            if with_query and not any(
                f'"{n}"'.encode() in raw for n in DOCUMENT_ID_FIELDS_WITH_QUERY
            ):
                return data
            params = self.parse_json(raw)
        else:
            return data
        return with_document_id(data, document_id_in(params, with_query=with_query))

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page, from the package's own files (no CDN)."""
        return render_page(request, self.data_dir)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """HTTP: the media type negotiated from Accept, and every refusal (Strawberry's, or ours
        with a stable code: multipart, JSON nesting, failed authentications) as JSON with
        `errors` and a code, in that media type (server/graphql_http.py)."""
        if scope["type"] == "websocket":
            # As Strawberry's own __call__ does, without awaiting it: no extra frame held for the
            # life of every socket (tuning/direct_socket.py).
            token_id = current_request_id.set(request_id_from(dict(scope.get("headers", ()))))
            self.metrics.sockets.inc()
            try:
                await self.run(WebSocket(scope, receive=receive, send=send))
            finally:
                self.metrics.sockets.dec()
                current_request_id.reset(token_id)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        media_type = negotiate(request.headers.get("accept")) or APPLICATION_JSON
        token = _media_type.set(media_type)
        try:
            response = await self.run(request)
        except HTTPException as e:
            status, code, message = request_error(e.reason, e.status_code, getattr(e, "code", None))
            headers = {"Allow": "GET, POST"} if status == 405 else None
            response = error_response(status, code, message, media_type, headers)
        finally:
            _media_type.reset(token)
        await response(scope, receive, send)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """A request error (nothing executed) has no `data` entry at all, whatever the media type."""
        processed = process_result(result)
        if is_request_error(result.data, result.errors):
            processed.pop("data", None)
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """`application/graphql-response+json` answers a request error with 400; `application/json`
        keeps 200 for every well-formed request, as legacy clients expect."""
        response = super().create_response(response_data, sub_response)
        media_type = _media_type.get()
        if media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if (
                isinstance(response_data, dict)
                and "data" not in response_data
                and response.status_code == 200
            ):
                response.status_code = 400
        return response

    def parse_json(self, data: str | bytes) -> Any:
        """A body nested thousands of levels deep makes the JSON parser raise RecursionError:
        a 400 like any other unreadable body, not a 500."""
        try:
            return super().parse_json(data)
        except RecursionError:
            raise CodedHTTPException(
                400, "El cuerpo JSON está anidado demasiado profundo.", "BAD_REQUEST"
            ) from None

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, Any]:
        form = await request.get_form_data()
        return place_files(form.form, form.files)

    def encode_json(self, data: object) -> str:
        """Answers (HTTP bodies and WebSocket messages) encoded by orjson: about 20 times faster
        than `json.dumps` on a queue page of 50 (0.9-1.3 ms -> 0.04-0.07 ms of the page's ~29;
        docs/performance.md), non-ASCII text sent as UTF-8 rather than `\\u` escapes. A str, not
        bytes: Strawberry sends bytes over a WebSocket as binary frames, which the protocols'
        clients do not expect."""
        return orjson.dumps(data).decode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        principal = None
        audit_source.set(client_address(request))
        if isinstance(request, Request):
            try:
                principal = await self.authenticator.principal(
                    request.headers.get("authorization"), client_address(request)
                )
            except TooManyFailures:
                raise CodedHTTPException(
                    429,
                    "Demasiados intentos de autenticación fallidos. Espera un minuto.",
                    ErrorCode.TOO_MANY_REQUESTS.value,
                ) from None
        return Context(
            deps=self.deps,
            public_base_url=self.public_base_url,
            principal=principal,
            request=request,
            response=response,
        )

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        """Strawberry never closes uploaded files: closing the request removes their temp files,
        whether or not a resolver read them."""
        try:
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        finally:
            await request.close()

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Persisted queries resolved first; subscriptions live on the WebSocket, over plain HTTP
        they are refused with a 400."""
        if not isinstance(request_data.operation_name, str | None):
            raise HTTPException(400, OPERATION_NAME_NOT_A_STRING)
        resolved = await self.persisted_queries.resolve(request_data)
        if isinstance(resolved, ExecutionResult):
            return resolved
        request_data = resolved
        if is_subscription(request_data):
            raise HTTPException(400, "Las suscripciones se sirven por WebSocket en /graphql.")
        operation: dict[str, str | None] = {"name": request_data.operation_name, "type": None}
        token = current_operation.set(operation)
        started = time.perf_counter()
        result: ExecutionResult | None = None
        failure = "INTERNAL_SERVER_ERROR"
        try:
            with sql_counter() as statements:
                result = await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
            return result
        except HTTPException as e:
            failure = request_error(e.reason, e.status_code, getattr(e, "code", None))[1]
            raise
        finally:
            current_operation.reset(token)
            codes = error_codes(result) if result is not None else [failure]
            self._record(operation, context, time.perf_counter() - started, statements[0], codes)

    def _record(
        self,
        operation: dict[str, str | None],
        context: Context,
        seconds: float,
        statements: int,
        codes: list[str],
    ) -> None:
        """One log line and the metrics of an operation answered over HTTP."""
        operation_type = operation["type"] or "unknown"
        self.metrics.observe_operation(operation["name"], operation_type, seconds, codes)
        principal = context.principal
        operations_log.info(
            "%s %s",
            operation_type,
            operation["name"] or "anonymous",
            extra={
                "operation_name": operation["name"],
                "operation_type": operation_type,
                "principal": principal.user_id if principal else None,
                "role": principal.role.value if principal else None,
                "company": principal.company_id if principal else None,
                "duration_ms": round(seconds * 1000, 2),
                "sql_count": statements,
                "error_codes": codes or None,
            },
        )

    async def on_ws_connect(self, context: Context) -> Any:
        """A socket must authenticate in `connection_init`; otherwise the protocol's close code."""
        header = header_from_params(context.connection_params)
        try:
            context.principal = await self.authenticator.principal(
                header, client_address(context.request)
            )
        except TooManyFailures:
            raise ConnectionRejectionError({"message": "Demasiados intentos fallidos."}) from None
        if context.principal is None:
            raise ConnectionRejectionError({"message": "Token ausente o no válido."})
        assert header is not None
        key = token_key(header)
        self.sockets.open(key)  # TooManySockets past the limit
        context.socket_token = key
        token = bearer_token(header)
        websocket = context.request
        if self.live_sessions is not None and token is not None and websocket is not None:

            async def close() -> None:
                await websocket.close(code=REVOKED_CLOSE_CODE, reason=REVOKED_REASON)

            context.session = LiveSession(hash_token(token), context.principal, close)
            self.live_sessions.add(context.session)
        return None

    def socket_ended(self, context: Context) -> None:
        """Called once by the protocol handler as the socket ends: it no longer counts against
        its token, and its session is no longer checked for revocation."""
        if self.live_sessions is not None and context.session is not None:
            self.live_sessions.discard(context.session)
        if context.socket_token is not None:
            self.sockets.close(context.socket_token)
            context.socket_token = None


def error_codes(result: ExecutionResult) -> list[str]:
    """The codes of an answer's errors, and of the UserErrors its mutation payloads return."""
    codes = [
        str((error.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED")
        for error in result.errors or ()
    ]
    for payload in (result.data or {}).values():
        if isinstance(payload, dict):
            for user_error in payload.get("errors") or ():
                if isinstance(user_error, dict) and user_error.get("code"):
                    codes.append(str(user_error["code"]))
    return codes
