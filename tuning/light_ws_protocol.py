"""The WebSocket protocol `certs serve` gives uvicorn: its wsproto one, made lighter per socket.

Thousands of subscribers stay connected and idle for hours, so what a socket keeps at rest is the
server's memory (docs/performance.md: memory per idle subscriber). uvicorn's protocol is kept
whole; this only changes where its state lives and drops what the connection no longer needs.

**Measured alone** (`python -m bench.tuning --variants all,-light_ws_protocol`, 1,000 reviewers'
dashboards on one SQLite worker, each variant a real `certs serve`, taking turns for 3 rounds,
medians; 2026-12-01 10:25 UTC, load average 5-7): memory per idle subscriber 31.5 KiB with it,
40.0 KiB with uvicorn's own wsproto protocol: **8.5 KiB (27 %) less**. CPU per event unchanged
(90 ms both). The connection's event deque as a list (`ConnectionEvents`), measured alone later
(`-connection_events`, 2026-12-01 13:15–13:24 UTC, load average 10–11): 18.8 KiB per idle
subscriber with it, 19.4 without (3.2 %).

**Upstream.** No issue exists; the text to file (as a discussion, which uvicorn asks for first)
is docs/performance/upstream/uvicorn-wsproto-memory-per-socket.md (related: memory of
permessage-deflate per connection, https://github.com/Kludex/uvicorn/issues/1862).

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

import asyncio
from collections.abc import Mapping
from typing import Any

from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
from wsproto import WSConnection
from wsproto.events import Request

from events.inbox import Inbox

#: What this module relies on: the attributes uvicorn's wsproto protocol sets and the methods it
#: calls on its queue, its `writable` flag and its wsproto connection.
CHECKED_AGAINST: Mapping[str, str] = {"uvicorn": "0.54.0", "wsproto": "1.3.2"}


#: Where a socket served by `LightWSProtocol` offers itself in the ASGI scope's extensions, for
#: `server.fanout` to write subscription messages through `write_frame` (a `fanout.FrameSink`).
FRAMES_EXTENSION = "certs.frames"


def text_frame(message: bytes) -> bytes:
    """A whole WebSocket text frame (RFC 6455 §5.2) carrying `message` (UTF-8), as a server sends
    it: final, unmasked, uncompressed (allowed with permessage-deflate too: RFC 7692 §6)."""
    size = len(message)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + message


class SocketMessages(Inbox[Any]):
    """What uvicorn's protocol asks of its queue of incoming messages, unbounded as uvicorn's is
    (it pauses reading from the socket while messages wait)."""

    __slots__ = ()

    def put_nowait(self, message: Any) -> None:
        self.put(message)


class WriteGate:
    """What uvicorn's protocol asks of its `writable` flag: open while the transport takes writes
    (`set`), closed while its buffer is full (`clear`), and awaited before every write (`wait`).

    Not `asyncio.Event`, which holds a deque from birth (0.7 KiB per socket): this holds futures
    only while writers wait for a full buffer to drain.
    """

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        if self._open:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True


class ConnectionEvents(list[Any]):
    """What wsproto's `Connection` asks of its `_events` deque: `append`, `popleft` and whether
    it is empty. It holds an event only when the peer's side ends without a close frame (the
    frames' events come from elsewhere), so it is empty for the socket's life: a list is 56 bytes
    where a deque is 0.7 KiB."""

    __slots__ = ()

    def popleft(self) -> Any:
        return self.pop(0)


def lighter_events(connection: Any) -> None:
    """The accepted connection's `_events` in a `ConnectionEvents` (what it holds, kept)."""
    connection._events = ConnectionEvents(connection._events)


class LightWSProtocol(WSProtocol):
    """uvicorn's wsproto protocol with less kept per socket (tracemalloc, per idle subscriber):

    - its incoming messages in an `Inbox`, not an `asyncio.Queue` with four deques (3.3 KiB);
    - its `writable` flag a `WriteGate`, not an `asyncio.Event` (0.7 KiB);
    - once the handshake is accepted, the wsproto connection alone, without the handshake's h11
      parser and event deque that `WSConnection` keeps for the socket's life (2.4 KiB), and the
      connection's own event deque, nearly always empty, in a list (`ConnectionEvents`, 0.7 KiB);
    - the attributes it shares with every socket in slots: uvicorn sets 33 attributes and past
      29 CPython gives an object a dictionary of its own instead of its class's shared keys
      (1.2 KiB).

    uvicorn calls `put_nowait`, `get` and `empty` on the queue, `wait`, `set` and `clear` on the
    flag, and `send`, `receive_data`, `events` and `state` on `conn`; the WebSocket tests against
    a real uvicorn fail if it calls anything else.
    """

    __slots__ = (
        "app",
        "app_state",
        "asgi_version",
        "config",
        "connections",
        "default_headers",
        "logger",
        "loop",
        "root_path",
        "tasks",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = SocketMessages()  # type: ignore[assignment]
        self.writable = WriteGate()  # type: ignore[assignment]

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        extensions: dict[str, Any] = self.scope["extensions"]
        extensions[FRAMES_EXTENSION] = self

    def write_frame(self, frame: bytes) -> bool:
        """Write a whole frame (`text_frame`) now, past the ASGI `send`: False when the socket is
        not open (not accepted yet, closing or closed). Frames are written whole, so they never
        interleave with what `send` writes; wsproto keeps no state for a complete data message."""
        if not self.handshake_complete or self.close_sent or self.transport.is_closing():
            return False
        self.transport.write(frame)
        return True

    def buffered(self) -> int:
        """Bytes written and not yet taken by the kernel: a client that does not keep up."""
        return int(self.transport.get_write_buffer_size())

    async def send(self, message: Any) -> None:
        await super().send(message)
        if isinstance(self.conn, WSConnection) and self.conn.connection is not None:
            # Accepted: from here on `WSConnection` only hands every call to its connection.
            self.conn = self.conn.connection  # type: ignore[assignment]
            lighter_events(self.conn)
