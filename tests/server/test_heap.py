"""The serving process's garbage-collector settings (server/heap.py,
docs/performance/history.md)."""

import json
import subprocess
import sys
from pathlib import Path

from server.heap import YOUNG_COLLECTION_THRESHOLD
from tests.support.server import server_env

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import asyncio, decimal, gc, json
import server.asgi

async def task_decimal_context():
    return decimal.getcontext()

shared = asyncio.run(task_decimal_context()) is decimal.getcontext()
print(json.dumps({
    "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold(), "decimal_shared": shared
}))
"""


def test_the_entry_point_uvicorn_imports_freezes_the_startup_heap(tmp_path: Path) -> None:
    """Run in a process of its own, as uvicorn's workers do: freezing is process-wide."""
    env = server_env(tmp_path, f"sqlite://{tmp_path / 'db.sqlite3'}", PYTHONPATH=str(REPO))
    result = subprocess.run(  # noqa: S603 - our interpreter, a fixed script
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # The modules, the schema and the ORM metadata: tens of thousands of objects, never walked.
    assert probe["frozen"] > 20_000
    young, middle, old = probe["threshold"]
    assert young == YOUNG_COLLECTION_THRESHOLD
    assert (middle, old) == (10, 10)  # CPython's ratios for the older generations
    # A task uses the decimal context made at import instead of making one of its own.
    assert probe["decimal_shared"] is True
