"""A Redis server of a test's own, on a free loopback port, to stop and start like a real restart
(never the shared one on 6379)."""

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.waiting import wait_until_sync

HAVE_REDIS_SERVER = shutil.which("redis-server") is not None


@contextmanager
def own_redis(port: int, directory: Path) -> Iterator[subprocess.Popen[bytes]]:
    server = shutil.which("redis-server")
    assert server is not None
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, loopback only
        [server, *options, "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def accepting() -> bool:
            if process.poll() is not None:
                raise RuntimeError("redis-server exited")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                return False
            return True

        wait_until_sync(accepting, within=5, what="redis-server to accept connections")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
