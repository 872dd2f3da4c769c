"""The Starlette application: GraphQL over HTTP and WebSocket, health, document downloads."""

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp
from tortoise import Tortoise, connections
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from domain.clock import Clock
from domain.redaction import redacted_url
from events.live_bus import LiveBus
from events.metrics import metrics as live_metrics
from models.database import tortoise_config
from notifications.reminder_recipients import CONFIRM_PATH
from notifications.transports import transport_from_settings
from notifications.worker import OutboxWorker
from schema.root import CertsSchema, build_schema
from server import cors, graphiql
from server.apq_memory import LocalMemory, RedisMemory
from server.auth import Authenticator
from server.dependencies import build_dependencies, build_webhook_worker
from server.documents import DocumentDownload
from server.graphql_app import CertsGraphQL
from server.live_sessions import LiveSessions
from server.logs import count_sql_statements
from server.metrics import Metrics
from server.persisted_queries import PersistedQueries
from server.reminder_recipients import RecipientConfirmation
from server.request_id import RequestIdMiddleware
from server.scheduler import JobScheduler
from server.security import BodySizeLimitMiddleware, FailedAuthLimiter, SecurityHeadersMiddleware
from server.settings import Settings
from server.tracing import asgi_middleware, configure_tracing, graphql_tracing_extension
from tuning.direct_socket import DirectWebSocketRoute
from tuning.versions import require_checked_versions

logger = logging.getLogger("certs.server")


def build_persisted_queries(settings: Settings) -> PersistedQueries:
    """APQ remembered per process, or shared by every worker through Redis (REDIS_URL)."""
    local = LocalMemory(settings.persisted_queries_cache_size)
    memory = (
        RedisMemory(
            settings.redis_url,
            local,
            prefix=settings.redis_channel_prefix,
            ttl_seconds=settings.persisted_queries_ttl_seconds,
            max_chars=settings.max_query_chars,
            timeout=settings.persisted_queries_redis_timeout_seconds,
        )
        if settings.redis_url
        else local
    )
    return PersistedQueries(settings.persisted_queries, memory=memory)


@dataclass(frozen=True)
class SchemaOptions:
    """What of the settings shapes the schema `create_app` serves: all that `build` reads, so that
    two apps whose options are equal can serve one schema (the test suite builds one per worker
    and per options instead of one per test, docs/testing.md)."""

    introspection: bool
    max_query_chars: int
    tracing: bool

    @classmethod
    def of(cls, settings: Settings) -> "SchemaOptions":
        return cls(
            introspection=settings.introspection,
            max_query_chars=settings.max_query_chars,
            tracing=bool(settings.otel_exporter_otlp_endpoint),
        )

    def build(self) -> CertsSchema:
        return build_schema(
            introspection=self.introspection,
            max_query_chars=self.max_query_chars,
            extra_extensions=[graphql_tracing_extension()] if self.tracing else [],
        )


def create_app(
    settings: Settings, *, clock: Clock | None = None, schema: CertsSchema | None = None
) -> Starlette:
    """The app for `settings`. `schema` is one built beforehand by `SchemaOptions.of(settings)`
    (the tests share one between their apps); by default the app builds its own."""
    require_checked_versions()
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
    bus = deps.bus
    assert isinstance(bus, LiveBus)
    live_sessions = LiveSessions(deps.clock.now, settings.live_recheck_seconds)
    bus.on_principals = live_sessions.principals_changed
    options = SchemaOptions.of(settings)
    tracing = options.tracing
    if settings.otel_exporter_otlp_endpoint:
        configure_tracing(settings.otel_exporter_otlp_endpoint)
    metrics = Metrics(settings.metrics_allowed_networks, live=live_metrics, feed=bus.feed)
    count_sql_statements()  # the SQL count of each operation's log line
    persisted_queries = build_persisted_queries(settings)
    graphql = CertsGraphQL(
        schema if schema is not None else options.build(),
        deps,
        public_base_url=settings.public_base_url,
        graphiql=settings.graphiql,
        authenticator=authenticator,
        live_sessions=live_sessions,
        keep_alive_seconds=settings.ws_keepalive_seconds,
        connection_init_timeout_seconds=settings.ws_connection_init_timeout_seconds,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        allowed_origins=settings.allowed_origins,
        max_sockets_per_token=settings.max_sockets_per_token,
        metrics=metrics,
        data_dir=settings.data_dir,
        persisted_queries=persisted_queries,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.prepare_data_dir()
        # Tortoise 1.x keeps its state in a contextvar; the lifespan runs in another task than the
        # requests, so the context must also be the process-wide fallback.
        await Tortoise.init(
            config=tortoise_config(settings.effective_database_url), _enable_global_fallback=True
        )
        logger.info("serving; database %s", redacted_url(settings.effective_database_url))
        await bus.start()
        live_sessions.start()
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
            await live_sessions.stop()
            metrics.process_stopped()
            await persisted_queries.memory.close()
            await bus.stop()
            await Tortoise.close_connections()

    async def health(request: Request) -> Response:
        """Liveness: the database answers (503 if not); Redis is reported, not required."""
        redis = _redis_state(bus)
        try:
            await connections.get("default").execute_query("SELECT 1")
        except Exception:
            logger.exception("health check: database unreachable")
            return JSONResponse(
                {"status": "error", "database": "unreachable", "redis": redis}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok", "redis": redis})

    async def ready(request: Request) -> Response:
        """Readiness, for the load balancer: 503 while the database or the bus (Redis, when
        configured) is down, so new sockets go to a process whose live updates flow."""
        redis = _redis_state(bus)
        try:
            await connections.get("default").execute_query("SELECT 1")
            database = "ok"
        except Exception:
            database = "unreachable"
        ok = database == "ok" and redis != "down"
        return JSONResponse(
            {"status": "ok" if ok else "error", "database": database, "redis": redis},
            status_code=200 if ok else 503,
        )

    app = CertsStarlette(
        routes=[
            # WebSocket connections to /graphql never reach the router: DirectWebSocketRoute.
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/health", health),
            Route("/ready", ready),
            *(
                [Mount(graphiql.STATIC_PATH, StaticFiles(directory=graphiql.STATIC_DIR))]
                if settings.graphiql
                else []
            ),
            *([Route("/metrics", metrics.endpoint)] if settings.metrics else []),
            Route("/documents/{document_id}", DocumentDownload(deps, authenticator).download),
            Route(CONFIRM_PATH, RecipientConfirmation(deps).confirm, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
        middleware=[
            *([asgi_middleware()] if tracing else []),
            Middleware(DirectWebSocketRoute, path="/graphql", endpoint=graphql),
            # Every HTTP answer and log line, refusals included, carries the request id (sockets
            # to /graphql skip the middleware: the GraphQL view sets theirs).
            Middleware(RequestIdMiddleware),
            # CORS reads no body: outside the body limit, a front end on an allowed origin can
            # read the 413 too.
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=list(cors.ALLOWED_METHODS),
                allow_headers=list(cors.ALLOWED_HEADERS),
                expose_headers=list(cors.EXPOSED_HEADERS),
                max_age=cors.PREFLIGHT_MAX_AGE,
            ),
            # An oversized body is cut off before anything else reads it.
            Middleware(
                BodySizeLimitMiddleware,
                max_bytes=settings.max_request_bytes,
                max_json_bytes=settings.max_json_request_bytes,
            ),
        ],
    )
    app.trusted_proxies = settings.trusted_proxies
    app.state.deps = deps
    app.state.metrics = metrics
    app.state.fanout = graphql.fanout  # its groups, for tests and operators
    app.state.settings = settings
    app.state.scheduler = scheduler
    app.state.live_sessions = live_sessions
    app.state.live_metrics = live_metrics
    return app


class CertsStarlette(Starlette):
    """Starlette with two layers outside its error handler, so that they see every answer.

    Security headers go on every response, the 500 written by Starlette's ServerErrorMiddleware
    and the 413 of the body limit included; X-Forwarded-For is believed only from the proxies the
    operator lists (TRUSTED_PROXIES, none by default), for every request and socket.
    """

    trusted_proxies: tuple[str, ...] = ()

    def build_middleware_stack(self) -> ASGIApp:
        stack: ASGIApp = SecurityHeadersMiddleware(super().build_middleware_stack())
        if self.trusted_proxies:
            stack = ProxyHeadersMiddleware(stack, trusted_hosts=list(self.trusted_proxies))  # type: ignore[arg-type,assignment]
        return stack


def _redis_state(bus: LiveBus) -> str:
    connected = bus.redis_connected
    return "disabled" if connected is None else "ok" if connected else "down"
