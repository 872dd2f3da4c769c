"""With `--workers N`, /metrics adds up every worker's numbers (prometheus-client's multiprocess
mode): whichever worker answers a scrape, it counts every request the server answered, every open
socket and subscription of every worker, and the event lag of the worker furthest behind."""

import json
import os
import re
import signal
import ssl
import stat
import subprocess
import sys
from collections.abc import Awaitable, Iterator
from contextlib import AsyncExitStack, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from devkit.database import MigratedSqlite
from tests.support.live import (
    receive,
    rejected_on,
    settle,
    socket,
    submitted_request,
    watch,
)
from tests.support.server import (
    STARTUP_SECONDS,
    RunningServer,
    SharedServer,
    running_server,
    server_env,
)
from tests.support.waiting import wait_until, wait_until_sync

pytestmark = pytest.mark.e2e

REQUESTS = 24
SCRAPES = 6


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    match = re.search(r"^" + pattern + "$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


@cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


@cache
def new_connections() -> httpx.Client:
    """A client that opens a new connection for each request (the kernel hands each to any of
    the workers): `Connection: close`, rather than a client per request (~25 ms of CPU each to
    build its TLS context)."""
    return httpx.Client(timeout=10, headers={"Connection": "close"}, verify=tls_context())


def scrape(server: RunningServer) -> str:
    response = new_connections().get(f"{server.base_url}/metrics")
    assert response.status_code == 200
    return response.text


def send_pings(server: RunningServer) -> None:
    for _ in range(REQUESTS):
        response = new_connections().post(
            f"{server.base_url}/graphql", json={"query": "query Ping { __typename }"}
        )
        assert response.json() == {"data": {"__typename": "Query"}}


def pings_counted(text: str) -> float:
    return sample(
        text,
        "graphql_operation_duration_seconds_count",
        operation_name="Ping",
        operation_type="query",
    )


def assert_every_scrape_counts_every_request(server: RunningServer) -> None:
    # The requests are answered before their metrics are written: allow the last ones a moment.
    wait_until_sync(
        lambda: pings_counted(scrape(server)) == REQUESTS,
        within=20,
        what=f"/metrics to count {REQUESTS} requests",
    )
    for _ in range(SCRAPES):
        text = scrape(server)
        assert pings_counted(text) == REQUESTS
        assert sample(text, "graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 0
        # The outbox is read from the database once per scrape, not once per worker.
        assert text.count("\noutbox_pending_emails ") == 1
        assert sample(text, "outbox_pending_emails") == 0
        assert sample(text, "graphql_websocket_connections") == 0
        assert "# TYPE live_events_read_total counter" in text
        # Where each worker's feed has read up to serves the lag; it is not a metric itself.
        assert "live_event_read_position" not in text
        assert text.count("\nlive_event_lag_seconds ") == 1


def test_two_workers_answer_metrics_for_both(
    tmp_path: Path, sqlite_template: MigratedSqlite
) -> None:
    env = server_env(tmp_path / "var", sqlite_template.fresh_copy(tmp_path))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    temporary = tmp_path / "tmp"  # where the serve command makes its private folder
    temporary.mkdir()
    env["TMPDIR"] = str(temporary)
    with running_server(env, workers=2) as server:
        send_pings(server)
        assert_every_scrape_counts_every_request(server)
        [folder] = temporary.glob("certs-metrics-*")
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        # A file of counters per process that wrote to it: at least the two workers.
        assert len(list(folder.glob("counter_*.db"))) >= 2
    assert list(temporary.iterdir()) == []  # removed when the server stopped


# What a worker of an earlier run writes: the app's own metrics in a process of their own, with
# the folder given. The process ends without marking itself dead, as a crashed server would.
EARLIER_RUN = f"""
from server.metrics import Metrics
metrics = Metrics()
for _ in range({REQUESTS}):
    metrics.observe_operation("Ping", "query", 0.01, [])
"""


def test_a_given_folder_is_private_and_emptied_of_an_earlier_run(
    tmp_path: Path, sqlite_template: MigratedSqlite
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir(mode=0o700)
    env = server_env(tmp_path / "var", sqlite_template.fresh_copy(tmp_path))
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # An earlier run leaves its files behind, as a crash would: counts of pings the next server
    # never answered. (Written without a server of its own: a start costs seconds.)
    subprocess.run([sys.executable, "-c", EARLIER_RUN], env=env, check=True, timeout=60)  # noqa: S603
    earlier = {path.name for path in folder.glob("*.db")}
    assert {name.split("_")[0] for name in earlier} >= {"counter", "histogram"}

    # One worker: the folder given turns the mode on all the same.
    with running_server(env, workers=1) as server:
        assert pings_counted(scrape(server)) == 0
        send_pings(server)
        assert_every_scrape_counts_every_request(server)
        written = {path.name for path in folder.glob("*.db")}
        assert written  # files of its own: the mode is on
        assert not written & earlier  # and none of the earlier run's is left
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


# Live connections and the event lag, over two workers. Which worker takes a new connection is
# the kernel's choice; to place one on a given worker, the other is stopped (SIGSTOP) while it
# connects: a stopped process accepts nothing, so the running one takes it. Each stop lasts well
# under the 5 s after which uvicorn's supervisor would take a silent worker for hung.

WHERE = json.dumps(
    {"id": "where", "type": "subscribe", "payload": {"query": "query Where { __typename }"}}
)


STARTED = "Application startup complete."


async def workers_of(logs: list[dict[str, Any]]) -> list[int]:
    """The pids of the two workers, from their startup lines."""

    def started() -> list[int]:
        return sorted(
            {line["pid"] for line in list(logs) if line.get("message") == STARTED and "pid" in line}
        )

    # /health answered once one worker was up; the other may still be starting.
    await wait_until(
        lambda: len(started()) == 2, within=STARTUP_SECONDS, what="the two workers' startup lines"
    )
    return started()


@contextmanager
def stopped(*pids: int) -> Iterator[None]:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


async def ascrape(server: RunningServer) -> str:
    # A new connection each time; the TLS context (never used over http://) built once.
    async with httpx.AsyncClient(timeout=10, verify=tls_context()) as http:
        response = await http.get(f"{server.base_url}/metrics")
    assert response.status_code == 200
    return response.text


def live_totals(text: str) -> tuple[float, float]:
    return sample(text, "graphql_websocket_connections"), sample(text, "graphql_subscriptions")


async def landed_on(logs: list[dict[str, Any]], ws: ClientConnection, request_id: str) -> int:
    """The pid of the worker serving the socket: a query sent over it logs a line with the
    socket's request id and the worker's pid."""
    await ws.send(WHERE)
    assert (await receive(ws))["type"] == "next"
    assert (await receive(ws))["type"] == "complete"

    def logged() -> list[int]:
        return [
            int(line["pid"])
            for line in list(logs)
            if line.get("request_id") == request_id and line.get("operation_name") == "Where"
        ]

    [pid] = await wait_until(logged, what=f"the log line of socket {request_id}")
    return pid


async def every_scrape_shows(
    server: RunningServer, workers: list[int], sockets: int, subscriptions: int
) -> None:
    """Once the totals show, every scrape shows them: answered by each worker in turn (the
    other one stopped), and by whichever the kernel picks."""
    expected = (float(sockets), float(subscriptions))
    await wait_until(
        lambda: _shows(server, expected), within=20, what=f"/metrics to show {expected}"
    )
    for _ in range(SCRAPES // 2):
        for pid in workers:
            others = [other for other in workers if other != pid]
            with stopped(*others):
                assert live_totals(await ascrape(server)) == expected
        assert live_totals(await ascrape(server)) == expected


async def _shows(server: RunningServer, expected: tuple[float, float]) -> bool:
    return live_totals(await ascrape(server)) == expected


# The next two tests share one `certs serve --workers 2` per backend (tests/e2e/conftest.py): each
# leaves no socket open, and the second counts the events read from where it starts.


async def test_open_sockets_and_subscriptions_add_up_over_two_workers(
    two_worker_server: SharedServer,
) -> None:
    server, logs = two_worker_server.server, two_worker_server.logs
    workers = await workers_of(logs)
    tokens = list(two_worker_server.demo["tokens"].values())
    # Subscriptions per socket, by worker: 4 sockets and 5 subscriptions on one, 3 and 3 on
    # the other.
    plan = {workers[0]: [1, 3, 0, 1], workers[1]: [2, 0, 1]}
    async with AsyncExitStack() as stack:
        sockets: dict[int, list[ClientConnection]] = {}
        for pid, counts in plan.items():
            for index, count in enumerate(counts):
                request_id = f"socket-{pid}-{index}"
                token = tokens[index % len(tokens)]
                with stopped(*(other for other in workers if other != pid)):
                    ws = await stack.enter_async_context(
                        socket(server, token, request_id=request_id)
                    )
                assert await landed_on(logs, ws, request_id) == pid
                for n in range(count):
                    await watch(ws, f"watch-{n}")
                await settle(ws)
                sockets.setdefault(pid, []).append(ws)
        await every_scrape_shows(server, workers, sockets=7, subscriptions=8)

        # One socket closed on each worker (3 subscriptions and 2 with them), and one
        # subscription stopped by its client on a socket that stays open.
        await sockets[workers[0]][1].close()
        await sockets[workers[1]][0].close()
        await sockets[workers[1]][2].send(json.dumps({"id": "watch-0", "type": "complete"}))
        await every_scrape_shows(server, workers, sockets=5, subscriptions=2)
    await every_scrape_shows(server, workers, sockets=0, subscriptions=0)


async def test_the_event_lag_is_the_worker_furthest_behind(
    two_worker_server: SharedServer,
) -> None:
    """The one test of the shared server that submits for its demo customer."""
    server, logs = two_worker_server.server, two_worker_server.logs
    behind, _ = await workers_of(logs)
    tokens = two_worker_server.demo["tokens"]

    async def lag() -> float:
        return sample(await ascrape(server), "live_event_lag_seconds")

    async def events_read() -> float:
        return sample(await ascrape(server), "live_events_read_total")

    request_id = await submitted_request(server, tokens["customer"])
    await wait_until(lambda: _is_zero(lag()), what="both workers to read the submission")
    read_before = await events_read()
    with stopped(behind):
        # Rejected through the worker that runs, whose feed reads the event at once; the stopped
        # one cannot read it. (One small mutation: the stop must stay short, see above.)
        await rejected_on(server, tokens["reviewer"], request_id)
        await wait_until(
            lambda: _at_least(events_read(), read_before + 1),
            what="the running worker to read the event",
        )
        first = await lag()
        assert first > 0  # the stopped worker's lag, though the caught-up one answers
        assert await lag() > first  # and it grows while that worker reads nothing
    os.kill(behind, 0)  # still the same worker (not taken for hung and replaced by uvicorn)
    await wait_until(lambda: _is_zero(lag()), what="the worker to catch up once it runs again")
    assert await events_read() == read_before + 2  # each worker read the event once
    assert [line for line in logs if "unparsed" in line] == []


async def _is_zero(value: Awaitable[float]) -> bool:
    return await value == 0


async def _at_least(value: Awaitable[float], least: float) -> bool:
    return await value >= least
