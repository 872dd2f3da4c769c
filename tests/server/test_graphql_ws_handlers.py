"""The `graphql-transport-ws` handler's keep-alive (server/graphql_ws_handlers.py)."""

import asyncio
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from server.graphql_ws_handlers import TransportWSHandler

INTERVAL = 0.05


class RecordingSocket:
    """The one call the keep-alive makes of Strawberry's WebSocket adapter."""

    def __init__(self) -> None:
        self.sent: asyncio.Queue[Any] = asyncio.Queue()

    async def send_json(self, message: Any) -> None:
        self.sent.put_nowait(message)


async def test_an_idle_socket_is_pinged_and_keeps_no_finished_task_between_pings() -> None:
    socket = RecordingSocket()
    handler = TransportWSHandler(
        SimpleNamespace(keep_alive=True, keep_alive_interval=INTERVAL),
        socket,
        None,
        None,
        None,
        timedelta(seconds=1),
    )
    handler._schedule_ping(INTERVAL)
    for _ in range(2):  # a ping after each idle interval
        assert await asyncio.wait_for(socket.sent.get(), 5) == {"type": "ping"}
        assert handler._ping_sending is None  # between pings: only the timer is held
    await handler.shutdown()
    # Shut down: no timer, no ping in flight, so nothing is left that could send another ping.
    assert (handler._ping_timer, handler._ping_sending) == (None, None)
    assert socket.sent.empty()
