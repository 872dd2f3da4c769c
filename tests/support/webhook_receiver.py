"""A real HTTP server on 127.0.0.1 that receives webhooks, for the delivery tests.

It records every request it read completely (headers and body) and answers with `status`
(and `location`, for a redirect). With `hold()` it keeps each request waiting for an answer
until `release()`, so a test can kill a worker while a delivery is in flight. It can be stopped
and started again on the same port, to play a receiver that is down for a while.
"""

import ssl
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from devkit.ports import free_port
from domain.clock import FixedClock
from domain.webhooks import WebhookEventType
from models.webhooks import WebhookEndpoint
from notifications.webhook_delivery import DeliverySettings, deliver_webhooks
from notifications.webhook_http import WebhookSender
from services.dependencies import Dependencies
from services.expire_and_remind import run_daily_job
from services.principal import Principal
from services.webhooks import RegisterEndpointCommand, register_endpoint
from services.webhooks_policy import WebhookPolicy

#: How often the serving thread looks for a stop request between connections. `shutdown()` waits
#: for that look: with socketserver's default of 0.5 s, each stop waited half a second.
SHUTDOWN_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)


class WebhookReceiver:
    def __init__(self, port: int | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.port = port or free_port()
        self.tls = tls
        self.status = 200
        self.location: str | None = None
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._release.set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/certificados"

    def hold(self) -> None:
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    def bodies(self) -> list[Any]:
        with self._lock:
            return [item.json for item in self.received]

    def event_ids(self) -> list[str]:
        return [body["id"] for body in self.bodies()]

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                receiver._release.wait(timeout=30)
                try:
                    self.send_response(receiver.status)
                    if receiver.location:
                        self.send_header("Location", receiver.location)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    answer = f"recibido {receiver.status}".encode()
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender is gone (a killed worker)

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


async def register_local_endpoint(
    admin: Principal,
    url: str,
    types: Sequence[WebhookEventType] = tuple(WebhookEventType),
    company_id: int | None = None,
) -> tuple[WebhookEndpoint, str]:
    """An operator's endpoint on loopback (local addresses allowed), and its secret."""
    return await register_endpoint(
        admin,
        WebhookPolicy(allow_local=True),
        RegisterEndpointCommand(url=url, event_types=types, company_id=company_id),
        datetime.now(UTC),
    )


async def run_jobs_and_deliver(
    deps: Dependencies, clock: FixedClock, instants: Iterable[datetime]
) -> None:
    """At each instant, as the server does: the daily job, then a round of webhook deliveries."""
    sender = WebhookSender(allow_local=True)
    try:
        for at in instants:
            clock.set(at)
            await run_daily_job(deps, at)
            await deliver_webhooks(sender, now=at, settings=DeliverySettings())
    finally:
        await sender.aclose()
