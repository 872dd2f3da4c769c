"""The processes under test: `certs serve` and the plain endpoint, each on a free loopback port."""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from devkit.ports import free_port

HOST = "127.0.0.1"
CERTS = str(Path(sys.executable).with_name("certs"))
REPO = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 30
#: Both servers build download links from this, so their answers are the same bytes.
PUBLIC_BASE_URL = "https://certs.bench.example"


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}/graphql"

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its children (uvicorn's workers), from /proc."""
        return sum(_cpu_seconds(pid) for pid in _process_tree(self.pid))

    def thread_cpu_seconds(self) -> tuple[float, float]:
        """User + system CPU of the serving process's main thread (the event loop) and of its
        other threads together (the SQLite driver's, the default executor's), from /proc."""
        main = other = 0.0
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            try:
                fields = _stat_fields_of(task / "stat")
            except OSError:
                continue
            seconds = (int(fields[11]) + int(fields[12])) / _TICKS
            if task.name == str(self.pid):
                main += seconds
            else:
                other += seconds
        return main, other

    def rss_kib(self) -> int:
        """Resident memory of the serving process (VmRSS in /proc), in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for {self.pid}")


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    return _stat_fields_of(Path(f"/proc/{pid}/stat"))


def _stat_fields_of(path: Path) -> list[str]:
    raw = path.read_text()
    return raw[raw.rfind(")") + 2 :].split()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _process_tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat_fields(int(entry.name))[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def server_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "REDIS_URL"))}
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        LOG_LEVEL="WARNING",  # no access log: it would be measured too
        OUTBOX_WORKER="false",
        # The expiry job runs as a server starts: on a fresh dataset it expires certificates and
        # queues reminders, CPU the first cells would charge to GraphQL (the plain app runs none).
        JOBS_SCHEDULER="false",
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        # The code of this checkout, whatever the virtualenv's editable install points at.
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **extra,
    )
    return env


def _wait_healthy(name: str, process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"{name} exited at start-up: {err[-3000:]}")
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not become healthy in {STARTUP_SECONDS} s")
        time.sleep(0.1)


@contextmanager
def _running(name: str, argv: list[str], env: dict[str, str], port: int) -> Iterator[Server]:
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
            argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr
        )
        try:
            try:
                _wait_healthy(name, process, port)
            except (RuntimeError, TimeoutError):
                stderr.seek(0)
                sys.stderr.write(stderr.read().decode(errors="replace")[-3000:])
                raise
            yield Server(name, port, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def certs_serve(env: dict[str, str], workers: int = 1) -> Iterator[Server]:
    port = free_port()
    argv = [CERTS, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with _running(f"certs serve --workers {workers}", argv, env, port) as server:
        yield server


@contextmanager
def plain_serve(env: dict[str, str], workers: int = 1) -> Iterator[Server]:
    """The hand-written JSON endpoints (bench/plain_app.py)."""
    with _factory_serve("plain", "bench.plain_app:app_from_env", env, workers) as server:
        yield server


@contextmanager
def bare_serve(env: dict[str, str], workers: int = 1) -> Iterator[Server]:
    """graphql-core executing our schema behind one bare route (bench/bare_graphql.py)."""
    with _factory_serve("bare GraphQL", "bench.bare_graphql:app_from_env", env, workers) as server:
        yield server


@contextmanager
def _factory_serve(name: str, factory: str, env: dict[str, str], workers: int) -> Iterator[Server]:
    """An application factory under uvicorn with `certs serve`'s loop and HTTP parser."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-proxy-headers",  # as certs serve runs uvicorn (server/commands/serve.py)
        "--log-level",
        "warning",
    ]
    with _running(f"{name} --workers {workers}", argv, env, port) as server:
        yield server
