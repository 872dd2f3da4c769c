"""A real `certs serve` process on a free loopback port, for end-to-end tests."""

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import orjson

from devkit.ports import free_port
from tests.support.waiting import wait_until_sync

CERTS = str(Path(sys.executable).with_name("certs"))
#: A deadline, not a wait: a server is used as soon as it answers /health. Generous, because
#: `certs serve --workers 2` on two cores busy with the rest of the suite took 13 s to be healthy.
STARTUP_SECONDS = 60


def certs(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [CERTS, *args], env=env, capture_output=True, text=True, timeout=60, check=check
    )


def certs_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    result: dict[str, Any] = orjson.loads(certs(env, *args).stdout)
    return result


@dataclass
class RunningServer:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/graphql"


@dataclass
class SharedServer:
    """A server shared by the tests of a pytest-xdist worker (tests/e2e/conftest.py): `certs demo`
    run once against it, and its log lines (LOG_FORMAT=json) as they come, read on a thread so
    that the pipe of a long-lived server never fills."""

    server: RunningServer
    demo: dict[str, Any]
    logs: list[dict[str, Any]]


def json_logs(server: RunningServer) -> list[dict[str, Any]]:
    """The server's log lines (LOG_FORMAT=json) as they come: a thread reads its stderr into the
    returned list (so the pipe never fills and blocks the server); a line that is not JSON is
    kept as `{"unparsed": text}`."""
    lines: list[dict[str, Any]] = []

    def read(stream: IO[bytes]) -> None:
        for raw in stream:
            try:
                lines.append(orjson.loads(raw))
            except orjson.JSONDecodeError:
                lines.append({"unparsed": raw.decode(errors="replace")})

    assert server.process.stderr is not None
    threading.Thread(target=read, args=(server.process.stderr,), daemon=True).start()
    return lines


def server_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.update(DATA_DIR=str(data_dir), DATABASE_URL=database_url, LOG_LEVEL="WARNING", **extra)
    return env


@contextmanager
def running_server(env: dict[str, str], workers: int = 1) -> Iterator[RunningServer]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**env, "PUBLIC_BASE_URL": base_url}
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [CERTS, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    # One client for every poll: `httpx.get` builds a client and its TLS context (~25 ms of CPU)
    # per call, and a start on a loaded machine takes dozens of polls (43 measured at load 7).
    http = httpx.Client(base_url=base_url, timeout=1)

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            return http.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    try:
        with http:
            wait_until_sync(healthy, within=STARTUP_SECONDS, what="the server to become healthy")
        yield RunningServer(base_url=base_url, env=env, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
