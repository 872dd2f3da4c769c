"""The WebSocket protocol `certs serve` gives uvicorn: its wsproto one, with a lighter queue."""

from typing import Any

from uvicorn.protocols.websockets.wsproto_impl import WSProtocol

from events.inbox import Inbox


class SocketMessages(Inbox[Any]):
    """What uvicorn's protocol asks of its queue of incoming messages, unbounded as uvicorn's is
    (it pauses reading from the socket while messages wait)."""

    __slots__ = ()

    def put_nowait(self, message: Any) -> None:
        self.put(message)


class LightWSProtocol(WSProtocol):
    """uvicorn's wsproto protocol, its incoming messages in an `Inbox` instead of an
    `asyncio.Queue`, which holds four deques from birth: 3.3 KiB of each idle socket's 40 (README,
    Performance: memory per idle subscriber). uvicorn calls `put_nowait`, `get` and `empty` on it;
    the WebSocket tests against a real `certs serve` would fail if it called anything else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = SocketMessages()  # type: ignore[assignment]
