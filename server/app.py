"""The Starlette application: GraphQL over HTTP and WebSocket, health, document downloads."""

import contextlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from tortoise import Tortoise, connections

import notifications
from domain.clock import Clock, SystemClock
from events.bus import EventBus, InProcessBus
from events.redis_bus import RedisBus
from models import RequestDocument
from models.database import tortoise_config
from notifications.reminder_recipients import CONFIRM_PATH
from notifications.rendering import escape_html
from notifications.transports import transport_from_settings
from notifications.webhook_delivery import DeliverySettings, WebhookWorker
from notifications.webhook_http import WebhookSender
from notifications.worker import OutboxWorker
from schema.node import from_global_id
from schema.root import build_schema
from server.auth import Authenticator, TooManyFailures, client_address
from server.direct_socket import DirectWebSocketRoute
from server.graphql_app import CertsGraphQL
from server.scheduler import JobScheduler
from server.security import BodySizeLimitMiddleware, FailedAuthLimiter, SecurityHeadersMiddleware
from server.settings import Settings
from services.dependencies import Dependencies
from services.reads import get_visible
from services.reminder_settings import confirm_recipient
from services.webhooks_policy import WebhookPolicy
from storage.documents import DocumentStore

logger = logging.getLogger("certs.server")


def build_dependencies(settings: Settings, clock: Clock | None = None) -> Dependencies:
    return Dependencies(
        clock=clock or SystemClock(),
        documents=DocumentStore(settings.documents_dir),
        bus=build_bus(settings),
        max_document_bytes=settings.max_document_bytes,
        renewal_window_end_days=settings.renewal_window_end_days,
        reminder_channel=settings.reminder_channel,
        reminder_days=settings.reminder_days,
        webhooks=WebhookPolicy(
            allow_local=settings.webhook_allow_local,
            customer_endpoints=settings.webhook_customer_endpoints,
        ),
    )


def build_webhook_worker(settings: Settings, clock: Clock) -> WebhookWorker:
    return WebhookWorker(
        WebhookSender(
            allow_local=settings.webhook_allow_local,
            timeout_seconds=settings.webhook_timeout_seconds,
        ),
        clock,
        webhook_delivery_settings(settings),
    )


def webhook_delivery_settings(settings: Settings) -> DeliverySettings:
    return DeliverySettings(
        disable_after=settings.webhook_disable_after_failures,
        operator_email=settings.operator_email,
    )


def build_bus(settings: Settings) -> EventBus:
    """Events through Redis pub/sub when REDIS_URL is set (several processes), else in-process."""
    if settings.redis_url:
        return RedisBus(settings.redis_url, channel_prefix=settings.redis_channel_prefix)
    return InProcessBus()


def create_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    notifications.configure(mail_from=settings.mail_from, public_base_url=settings.public_base_url)
    deps = build_dependencies(settings, clock)
    transport = transport_from_settings(settings)  # a malformed SMTP_URL fails here, at start-up
    worker = OutboxWorker(transport, deps.clock) if settings.outbox_worker else None
    webhook_worker = build_webhook_worker(settings, deps.clock) if settings.outbox_worker else None
    if worker is not None and webhook_worker is not None:
        email_worker, hook_worker = worker, webhook_worker

        def wake_both() -> None:
            email_worker.wake()
            hook_worker.wake()

        deps.wake_outbox = wake_both
    scheduler = (
        JobScheduler(
            deps,
            interval_seconds=settings.jobs_interval_seconds,
            reminder_days=settings.reminder_days,
        )
        if settings.jobs_scheduler
        else None
    )
    authenticator = Authenticator(
        deps.clock, FailedAuthLimiter(max_failures=settings.auth_failures_per_minute, window=60)
    )
    graphql = CertsGraphQL(
        build_schema(introspection=settings.introspection),
        deps,
        public_base_url=settings.public_base_url,
        graphiql=settings.graphiql,
        authenticator=authenticator,
        keep_alive_seconds=settings.ws_keepalive_seconds,
        connection_init_timeout_seconds=settings.ws_connection_init_timeout_seconds,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        allowed_origins=settings.allowed_origins,
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
        if isinstance(deps.bus, RedisBus):
            await deps.bus.start()
        if worker is not None:
            worker.start()
            logger.info("delivering emails through %s", transport.description)
        if webhook_worker is not None:
            webhook_worker.start()
        if scheduler is not None:
            scheduler.start()  # runs the expiry job now, then every JOBS_INTERVAL_SECONDS
        try:
            yield
        finally:
            if scheduler is not None:
                await scheduler.stop()
            if worker is not None:
                await worker.stop()
            if webhook_worker is not None:
                await webhook_worker.stop()
            if isinstance(deps.bus, RedisBus):
                await deps.bus.stop()
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
        try:
            principal = await authenticator.principal(
                request.headers.get("authorization"), client_address(request)
            )
        except TooManyFailures:
            return JSONResponse(
                {"error": "TOO_MANY_REQUESTS", "message": "Demasiados intentos fallidos."},
                status_code=429,
            )
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

    async def confirm_reminder_recipient(request: Request) -> Response:
        """The link emailed to an extra reminder recipient. GET shows a button, POST confirms:
        a mail scanner that follows links confirms nothing."""
        token = request.query_params.get("token", "")
        if request.method == "GET":
            if not token or len(token) > 100:
                return HTMLResponse(_page("El enlace no es válido."), status_code=404)
            return HTMLResponse(
                _page(
                    "Confirma que quieres recibir los avisos de vencimiento del certificado "
                    "digital.",
                    form_token=token,
                )
            )
        recipient = await confirm_recipient(token, deps.clock.now())
        if recipient is None:
            return HTMLResponse(
                _page("El enlace no es válido o el destinatario ya fue eliminado."),
                status_code=404,
            )
        return HTMLResponse(_page(f"Listo: {recipient.email} recibirá los avisos de vencimiento."))

    app = Starlette(
        routes=[
            # WebSocket connections to /graphql never reach the router: DirectWebSocketRoute.
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/health", health),
            Route("/documents/{document_id}", download_document),
            Route(CONFIRM_PATH, confirm_reminder_recipient, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(DirectWebSocketRoute, path="/graphql", endpoint=graphql),
            # Outermost first: an oversized body is cut off before anything else reads it.
            Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes),
            Middleware(SecurityHeadersMiddleware),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            ),
        ],
    )
    app.state.deps = deps
    app.state.settings = settings
    app.state.scheduler = scheduler
    return app


def _page(message: str, form_token: str | None = None) -> str:
    form = ""
    if form_token is not None:
        form = (
            f'<form method="post" action="?token={quote(form_token)}">'
            '<button type="submit">Confirmar mi correo</button></form>'
        )
    return (
        '<!doctype html><html lang="es-CO"><head><meta charset="utf-8">'
        "<title>Avisos de vencimiento</title></head>"
        f"<body><p>{escape_html(message)}</p>{form}</body></html>"
    )


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
