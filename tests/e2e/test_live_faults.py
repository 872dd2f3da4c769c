"""The live layer under faults, against real `certs serve` processes, real WebSocket clients and a
real Redis. Each test asserts exactly what the subscriber receives.

- two deployments on one Redis, default settings: neither hears the other;
- a forged PUBLISH on the deployment's own channel (and on the old one): nothing;
- `certs token revoke`, `certs user deactivate` or `certs user move` while the socket is open on
  the other process: closed with 4403, nothing delivered after the change;
- Redis stopped and restarted mid-stream: no mutation waits, the events committed meanwhile
  arrive once Redis is back, in order, once; `/ready` fails while it is down;
- a burst that overflows a stalled subscriber: told SUBSCRIPTION_LAGGING, then complete, while a
  subscriber that keeps up gets every event.
"""

import asyncio
import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection

from devkit.database import MigratedSqlite, truncate_postgres
from devkit.ports import free_port
from events.redis_wakeups import DEFAULT_CHANNEL_PREFIX, channel_name
from tests.support.files import pdf
from tests.support.flows import reject, resubmit
from tests.support.graphql import GraphQLClient
from tests.support.live import (
    close_code,
    receive,
    settle,
    silent,
    socket,
    submitted_and_announced,
    submitted_request,
    watch,
)
from tests.support.redis import HAVE_REDIS_SERVER, own_redis
from tests.support.server import (
    RunningServer,
    certs,
    certs_json,
    running_server,
    server_env,
)
from tests.support.waiting import wait_until

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="Redis: TEST_REDIS_URL is not set")
#: So slow that only a wake-up through Redis can explain a prompt delivery or closing.
NO_POLLING = {"LIVE_POLL_SECONDS": "300", "LIVE_RECHECK_SECONDS": "300"}


def changes(message: dict[str, Any]) -> tuple[str, str]:
    """The request and new status a `next` message carries."""
    assert message["type"] == "next", message
    change = message["payload"]["data"]["certificateRequestStatusChanged"]
    return change["request"]["id"], change["toStatus"]


async def next_changes(
    ws: ClientConnection, count: int, within: float = 15
) -> list[tuple[str, str]]:
    return [changes(await receive(ws, within)) for _ in range(count)]


async def reject_then_resubmit(
    server: RunningServer, reviewer: str, customer: str, request_id: str, n: int
) -> list[tuple[str, str]]:
    """`n` rounds of rejection and correction of one request; the changes they make, in order."""
    made: list[tuple[str, str]] = []
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
        gql = GraphQLClient(http)
        for round_ in range(n):
            rejected = await reject(gql, reviewer, request_id, f"Ronda {round_}: RUT ilegible.", {})
            assert rejected["errors"] == [], rejected
            made.append((request_id, "REJECTED"))
            corrected = await resubmit(gql, customer, request_id, {"RUT": pdf(f"RUT-{round_}")})
            assert corrected["errors"] == [], corrected
            made.append((request_id, "IN_REVIEW"))
    return made


def deployment_of(sqlite_url: str) -> str:
    with sqlite3.connect(sqlite_url.removeprefix("sqlite://")) as connection:
        row = connection.execute("SELECT deployment_id FROM deployment").fetchone()
    return str(row[0])


# Two deployments, one Redis: SQLite each, REDIS_URL the same, every other setting the default.


@pytest.fixture
def two_deployments(
    tmp_path: Path, sqlite_template: MigratedSqlite
) -> Iterator[tuple[RunningServer, RunningServer]]:
    if not REDIS_URL:
        pytest.skip("Redis: TEST_REDIS_URL is not set")
    with ExitStack() as stack:
        servers = []
        for name in ("x", "y"):
            folder = tmp_path / name
            folder.mkdir()
            env = server_env(
                folder / "var", sqlite_template.fresh_copy(folder), REDIS_URL=REDIS_URL
            )
            servers.append(stack.enter_context(running_server(env)))
        yield servers[0], servers[1]


async def test_two_deployments_on_one_redis_never_hear_each_other(
    two_deployments: tuple[RunningServer, RunningServer],
) -> None:
    x, y = two_deployments
    demo_x, demo_y = certs_json(x.env, "demo"), certs_json(y.env, "demo")
    # The same rows, the same ids on both: the very case where a trusted id leaked a company.
    assert demo_x["company"]["id"] == demo_y["company"]["id"]
    assert deployment_of(x.env["DATABASE_URL"]) != deployment_of(y.env["DATABASE_URL"])

    async with (
        socket(x, demo_x["tokens"]["reviewer"]) as reviewer_x,
        socket(x, demo_x["tokens"]["customer"]) as customer_x,
    ):
        await watch(reviewer_x, "1")
        await watch(customer_x, "1")
        await settle(reviewer_x, customer_x)
        on_y = await submitted_request(y, demo_y["tokens"]["customer"])
        on_x = await submitted_request(x, demo_x["tokens"]["customer"])  # the marker
        assert on_x == on_y  # same global id, other deployment
        assert await next_changes(reviewer_x, 1) == [(on_x, "IN_REVIEW")]
        assert await next_changes(customer_x, 1) == [(on_x, "IN_REVIEW")]
        assert await silent(reviewer_x, 1.0)  # and nothing more: Y's change never arrives


async def test_a_forged_publish_delivers_nothing(
    two_deployments: tuple[RunningServer, RunningServer],
) -> None:
    x, _ = two_deployments
    demo = certs_json(x.env, "demo")
    customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
    # A real change, announced before the socket opens, that the forger names again.
    earlier = await submitted_and_announced([x], customer, reviewer)

    async with socket(x, reviewer) as ws:
        await watch(ws, "1")
        await settle(ws)
        forged = json.dumps(
            {"subject": "request", "subject_id": 1, "company_id": 1, "change_id": 1}
        ).encode()
        channel = channel_name(DEFAULT_CHANNEL_PREFIX, deployment_of(x.env["DATABASE_URL"]))
        async with Redis.from_url(REDIS_URL) as raw:
            for target in (channel, "certs:status-changes"):  # its own channel, and the old one
                await raw.publish(target, forged)
                await raw.publish(target, b"not json at all")
        async with httpx.AsyncClient(base_url=x.base_url, timeout=20) as http:
            marker = await reject(GraphQLClient(http), reviewer, earlier, "RUT vencido.", {})
        assert marker["errors"] == []
        # The first thing received is the real rejection, not the forged "submission" replayed.
        assert await next_changes(ws, 1) == [(earlier, "REJECTED")]
        assert await silent(ws, 1.0)


# Two processes of one deployment, on PostgreSQL.


@pytest.fixture
def shared_database(request: pytest.FixtureRequest) -> str:
    """One PostgreSQL database for two processes, emptied."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("two processes need a shared database: PostgreSQL (TEST_DATABASE_URL) is unset")
    database_url: str = request.getfixturevalue("postgres_url")
    asyncio.run(truncate_postgres(database_url))
    return database_url


@contextmanager
def postgres_servers(
    database_url: str, tmp_path: Path, **extra: str
) -> Iterator[list[RunningServer]]:
    env = server_env(tmp_path / "var", database_url, **extra)
    with ExitStack() as stack:
        yield [stack.enter_context(running_server(env)) for _ in range(2)]


@needs_redis
async def test_revoking_a_token_closes_its_socket_on_the_other_process(
    shared_database: str, tmp_path: Path
) -> None:
    with postgres_servers(shared_database, tmp_path, REDIS_URL=REDIS_URL, **NO_POLLING) as (
        one,
        other,
    ):
        demo = certs_json(one.env, "demo")
        customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
        request_id = await submitted_and_announced([one, other], customer, reviewer)
        async with socket(other, customer) as revoked, socket(other, reviewer) as bystander:
            await watch(revoked, "1")
            await watch(bystander, "1")
            await settle(revoked, bystander)

            result = certs(one.env, "token", "revoke", "--email", "cliente@demo.example.co")
            assert json.loads(result.stdout) == {"revoked": 1}, result
            # A change right after the revocation: the revoked socket must not get it.
            async with httpx.AsyncClient(base_url=one.base_url, timeout=20) as http:
                rejected = await reject(GraphQLClient(http), reviewer, request_id, "RUT.", {})
            assert rejected["errors"] == []

            # Closed within seconds of the revocation: through the bus, since polling and the
            # periodic re-check are off (300 s).
            assert await close_code(revoked, 10) == 4403
            assert await next_changes(bystander, 1) == [(request_id, "REJECTED")]


#: Neither polling nor the periodic re-check within the test: only the bus can close a socket.
NO_RECHECK = {"LIVE_POLL_SECONDS": "3600", "LIVE_RECHECK_SECONDS": "3600"}
OTHER_NIT = "901234567-7"


@needs_redis
@pytest.mark.parametrize("change", ["deactivate", "move"])
async def test_deactivating_or_moving_a_user_closes_their_socket_on_the_other_process(
    shared_database: str, tmp_path: Path, change: str
) -> None:
    with postgres_servers(shared_database, tmp_path, REDIS_URL=REDIS_URL, **NO_RECHECK) as (
        one,
        other,
    ):
        demo = certs_json(one.env, "demo")
        customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
        certs_json(
            one.env,
            *("company", "create", "--nit", OTHER_NIT, "--name", "Otra Empresa S.A.S."),
            *("--person-type", "LEGAL_ENTITY", "--contact-name", "Pedro Ruiz"),
            *("--contact-email", "contacto@otra.example.co"),
        )
        request_id = await submitted_and_announced([one, other], customer, reviewer)
        async with socket(other, customer) as changed, socket(other, reviewer) as bystander:
            await watch(changed, "1")
            await watch(bystander, "1")
            await settle(changed, bystander)

            email = "cliente@demo.example.co"
            if change == "deactivate":
                done = certs_json(one.env, "user", "deactivate", "--email", email)
                assert (done["active"], done["changed"]) == (False, True), done
            else:
                done = certs_json(one.env, "user", "move", "--email", email, "--company", OTHER_NIT)
                assert done["changed"] is True, done
                assert done["company"] != demo["company"]["id"]
            # A change of the old company right after: the changed user's socket must not get it.
            async with httpx.AsyncClient(base_url=one.base_url, timeout=20) as http:
                rejected = await reject(GraphQLClient(http), reviewer, request_id, "RUT.", {})
            assert rejected["errors"] == []

            # Closed within seconds, with nothing received first: through the bus, since polling
            # and the periodic re-check are off (3600 s).
            assert await close_code(changed, 10) == 4403
            assert await next_changes(bystander, 1) == [(request_id, "REJECTED")]


@pytest.mark.skipif(not HAVE_REDIS_SERVER, reason="redis-server is not installed")
async def test_redis_stopped_and_restarted_mid_stream_loses_nothing_and_delays_no_mutation(
    shared_database: str, tmp_path: Path
) -> None:
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    with ExitStack() as redis:  # Redis only: closing it stops Redis, not the servers
        redis.enter_context(own_redis(port, redis_dir))
        servers = postgres_servers(shared_database, tmp_path, REDIS_URL=redis_url, **NO_POLLING)
        with servers as (one, other):
            await _outage(redis, port, redis_dir, one, other)


async def _outage(
    redis: ExitStack, port: int, redis_dir: Path, one: RunningServer, other: RunningServer
) -> None:
    async with httpx.AsyncClient(timeout=20) as http:
        await readiness_becomes(http, other, 200)
        demo = certs_json(one.env, "demo")
        customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
        async with socket(other, reviewer) as ws:
            await watch(ws, "1")
            await settle(ws)
            request_id = await submitted_request(one, customer)
            assert await next_changes(ws, 1) == [(request_id, "IN_REVIEW")]

            redis.close()  # Redis stops
            await readiness_becomes(http, other, 503)
            health = await http.get(f"{other.base_url}/health")
            assert health.status_code == 200  # alive, serving queries and mutations
            assert health.json() == {"status": "ok", "database": "ok", "redis": "down"}

            started = time.monotonic()
            during = await reject_then_resubmit(one, reviewer, customer, request_id, 2)
            # Four mutations while Redis is down: none waited on it.
            assert time.monotonic() - started < 4.0

            with own_redis(port, redis_dir):  # Redis is back, empty
                assert await next_changes(ws, 4, within=20) == during
                after = await reject_then_resubmit(one, reviewer, customer, request_id, 1)
                assert await next_changes(ws, 2) == after
                assert await silent(ws, 1.0)  # once: no duplicate of anything
                await readiness_becomes(http, other, 200)


async def readiness_becomes(http: httpx.AsyncClient, server: RunningServer, status: int) -> None:
    """Until `/ready` answers `status` (within 15 s)."""

    async def answers() -> bool:
        return (await http.get(f"{server.base_url}/ready")).status_code == status

    await wait_until(answers, within=15, what=f"/ready to answer {status}")


@needs_redis
async def test_a_burst_that_overflows_a_stalled_subscriber_tells_it_to_refetch(
    shared_database: str, tmp_path: Path
) -> None:
    with postgres_servers(
        shared_database, tmp_path, REDIS_URL=REDIS_URL, SUBSCRIPTION_QUEUE_SIZE="3"
    ) as (
        one,
        other,
    ):
        await _burst(one, other)


async def _burst(one: RunningServer, other: RunningServer) -> None:
    demo = certs_json(one.env, "demo")
    customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
    request_id = await submitted_and_announced([one, other], customer, reviewer)
    async with socket(one, reviewer) as keeping_up, socket(other, reviewer) as stalled:
        await watch(keeping_up, "1")
        await watch(stalled, "1")
        await settle(keeping_up, stalled)
        os.kill(other.process.pid, signal.SIGSTOP)  # its process stalls (a pause, a busy CPU)
        try:
            burst = await reject_then_resubmit(one, reviewer, customer, request_id, 3)
        finally:
            os.kill(other.process.pid, signal.SIGCONT)
        assert await next_changes(keeping_up, 6) == burst

        told = await receive(stalled, 15)
        assert (told["type"], told["id"]) == ("next", "1"), told
        assert told["payload"]["data"] is None
        [error] = told["payload"]["errors"]
        assert error["extensions"] == {"code": "SUBSCRIPTION_LAGGING"}
        assert error["message"] == (
            "La suscripción se quedó atrás y se perdieron actualizaciones. Vuelve a consultar "
            "los datos y suscríbete de nuevo."
        )
        assert await receive(stalled, 5) == {"id": "1", "type": "complete"}
        # The socket stays open: the client refetches and subscribes again.
        await watch(stalled, "2")
        await settle(stalled)
        again = await reject_then_resubmit(one, reviewer, customer, request_id, 1)
        assert await next_changes(stalled, 2) == again
