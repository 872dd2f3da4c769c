"""The Starlette application: GraphQL over HTTP and WebSocket, health, document downloads."""

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from tortoise import Tortoise, connections

import notifications
from domain.clock import Clock, SystemClock
from events.bus import InProcessBus
from models import RequestDocument
from models.database import tortoise_config
from notifications.transports import transport_from_settings
from notifications.worker import OutboxWorker
from schema.node import from_global_id
from schema.root import schema
from server.auth import principal_from_header
from server.graphql_app import CertsGraphQL
from server.settings import Settings
from services.dependencies import Dependencies
from services.reads import get_visible
from storage.documents import DocumentStore

logger = logging.getLogger("certs.server")


def build_dependencies(settings: Settings, clock: Clock | None = None) -> Dependencies:
    return Dependencies(
        clock=clock or SystemClock(),
        documents=DocumentStore(settings.documents_dir),
        bus=InProcessBus(),
        max_document_bytes=settings.max_document_bytes,
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    notifications.configure(mail_from=settings.mail_from, public_base_url=settings.public_base_url)
    deps = build_dependencies(settings, clock)
    transport = transport_from_settings(settings)  # a malformed SMTP_URL fails here, at start-up
    worker = OutboxWorker(transport, deps.clock) if settings.outbox_worker else None
    if worker is not None:
        deps.wake_outbox = worker.wake
    graphql = CertsGraphQL(
        schema, deps, public_base_url=settings.public_base_url, graphiql=settings.graphiql
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Tortoise 1.x keeps its state in a contextvar; the lifespan runs in another task than the
        # requests, so the context must also be the process-wide fallback.
        await Tortoise.init(
            config=tortoise_config(settings.effective_database_url), _enable_global_fallback=True
        )
        logger.info("serving; database %s", _redacted(settings.effective_database_url))
        if worker is not None:
            worker.start()
            logger.info("delivering emails through %s", transport.description)
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await Tortoise.close_connections()

    async def health(request: Request) -> Response:
        try:
            await connections.get("default").execute_query("SELECT 1")
        except Exception:
            logger.exception("health check: database unreachable")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def download_document(request: Request) -> Response:
        """The file of a document, for callers who may see its request; 404 for anyone else."""
        principal = await principal_from_header(request.headers.get("authorization"), deps.clock)
        if principal is None:
            return JSONResponse(
                {"error": "UNAUTHENTICATED", "message": "Envía un token válido."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        decoded = from_global_id(request.path_params["document_id"])
        row = None
        if decoded is not None and decoded[0] == "RequestDocument":
            row = await get_visible(principal, RequestDocument, decoded[1])
        if row is None or not deps.documents.exists(row.sha256):
            return JSONResponse(
                {"error": "NOT_FOUND", "message": "No encontramos el documento."}, status_code=404
            )
        return Response(
            deps.documents.read(row.sha256),
            media_type=row.content_type,
            headers={
                "Content-Disposition": _attachment(row.file_name),
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health),
            Route("/documents/{document_id}", download_document),
        ],
        lifespan=lifespan,
    )
    app.state.deps = deps
    app.state.settings = settings
    return app


def _attachment(file_name: str) -> str:
    from urllib.parse import quote

    ascii_name = file_name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def _redacted(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}"
    return url
