"""Node programs of the suite (tests/node): graphql-http's audit, Apollo Client.

Their packages come from tests/node/package-lock.json (`make node-deps`, run by `make test`).
Without node on the machine the tests skip, loudly; with REQUIRE_NODE=1 (set by `.ci/run`) they
fail instead, so CI cannot pass without running them.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        reason = (
            "node is not installed: the GraphQL-over-HTTP audit and Apollo Client tests did NOT run"
        )
        if os.environ.get("REQUIRE_NODE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    if not (NODE_DIR / "node_modules").is_dir():
        pytest.fail("tests/node/node_modules is missing: run `make node-deps`")
    return node


def run_node(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs tests/node/<script> and returns its result (stdout: one JSON line per finding)."""
    node = node_or_skip()
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [node, str(NODE_DIR / script), *args],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
