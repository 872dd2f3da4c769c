"""The load generator's interleaved cells: every side takes its turn each round, a different side
opens each round, and the hook before a turn runs before every turn (against real loopback
servers: the same sockets and parsing the benchmark's servers get)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from bench.load import HttpRequest, Side, interleaved_rounds

HOST = "127.0.0.1"
BODY = b'{"data":{}}'


@asynccontextmanager
async def answering_server() -> AsyncIterator[int]:
    """A keep-alive HTTP/1.1 server on a free loopback port answering every request 200."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, HOST, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_each_round_opens_with_the_next_side_and_the_hook_runs_before_every_turn() -> None:
    events: list[str] = []

    async def before_turn() -> None:
        events.append("hook")

    def probe(name: str) -> float:
        events.append(name)  # read as a turn's measurement starts, then as it ends
        return 0.0

    async with answering_server() as first, answering_server() as second:
        sides = [
            Side(name, port, [HttpRequest.build(HOST, port, "GET", "/", {})], partial(probe, name))
            for name, port in (("a", first), ("b", second))
        ]
        parts = await interleaved_rounds(
            HOST,
            sides,
            rounds=3,
            clients=2,
            duration=0.15,
            warmup=0.0,
            max_requests=10_000,
            before_turn=before_turn,
        )

    assert {name: len(measured) for name, measured in parts.items()} == {"a": 3, "b": 3}
    assert all(
        part.requests > 0 and part.errors == 0 for measured in parts.values() for part in measured
    )
    # hook, start, end for each turn: rounds open with a, b, a.
    turns = [events[i : i + 3] for i in range(0, len(events), 3)]
    assert turns == [
        ["hook", "a", "a"],
        ["hook", "b", "b"],
        ["hook", "b", "b"],
        ["hook", "a", "a"],
        ["hook", "a", "a"],
        ["hook", "b", "b"],
    ]
