"""`certs serve`: uvicorn on the ASGI app (server.asgi), with its workers and limits."""

import argparse
import logging
import logging.config

import uvicorn

from server.logs import logging_config
from server.metrics import prepare_multiprocess_dir, remove_multiprocess_dir
from server.settings import Settings

logger = logging.getLogger("certs")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:

    if args.workers > 1 and not settings.redis_url:
        logger.warning(
            "%d workers without REDIS_URL: a subscriber hears the changes served by other "
            "workers only at their next poll of the event outbox (LIVE_POLL_SECONDS); set "
            "REDIS_URL so that they arrive at once",
            args.workers,
        )
    # Before the workers start, so that they inherit PROMETHEUS_MULTIPROC_DIR: /metrics then adds
    # up every worker's numbers, whichever worker answers the scrape.
    owned = prepare_multiprocess_dir(args.workers)
    try:
        _run_uvicorn(settings, args)
    finally:
        remove_multiprocess_dir(owned)
    return 0


def _run_uvicorn(settings: Settings, args: argparse.Namespace) -> None:
    uvicorn.run(
        "server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        # Applied by uvicorn in every worker process, so `--workers N` keeps its logs.
        log_config=logging_config(settings.log_level, settings.log_format),
        # X-Forwarded-For is believed only from TRUSTED_PROXIES, by the app itself (server.app).
        proxy_headers=False,
        # A larger WebSocket message closes the socket with 1009 before it is buffered whole.
        ws_max_size=settings.ws_max_message_bytes,
        # What "auto" picks when they are installed (uvicorn[standard]); said explicitly so that a
        # missing one fails at start-up instead of silently serving on the slower fallbacks.
        loop="uvloop",
        http="httptools",
        # uvicorn's wsproto protocol rather than "auto" (websockets, which keeps the handshake's
        # headers), with a lighter message queue (docs/performance.md: memory per idle subscriber).
        ws="tuning.light_ws_protocol:LightWSProtocol",
        # permessage-deflate keeps a zlib compressor and decompressor per socket: about half of
        # an idle subscriber's memory, to compress messages of a few hundred bytes.
        ws_per_message_deflate=False,
        # WebSocket ping frames (a peer that does not answer within the same time is dropped),
        # beside the protocol-level keep-alive messages of the GraphQL view.
        ws_ping_interval=settings.ws_keepalive_seconds or None,
        ws_ping_timeout=settings.ws_keepalive_seconds or None,
    )
