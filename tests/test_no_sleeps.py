"""No test synchronises with a fixed sleep: it waits on a condition with a deadline instead.

A sleep followed by an assertion is a race that passes or fails with the machine's load. This
scans every test module's syntax tree for a call to `sleep` (`time.sleep`, `asyncio.sleep`, or
a bare `sleep` imported from either) and fails on any outside `tests/support/waiting.py`, the
only module allowed to poll. Two exceptions, both stated here:

- `asyncio.sleep(0)`: a single turn of the event loop, no time passes; what it orders does not
  depend on the machine's speed.
- `ALLOWED`: a sleep that *is* the behaviour under test (a slow handler inside a fake server),
  by file and the reason, so that a new one needs a reviewer's eye.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).parent

#: Modules whose sleeps are the behaviour under test, each with why.
ALLOWED: dict[str, str] = {
    "tests/support/waiting.py": "the polling interval of wait_until / wait_until_sync themselves",
}


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


def sleeps_in(source: str) -> list[int]:
    """The line numbers of the timed sleeps called in `source`, under any name a `sleep` is
    imported as (`from asyncio import sleep as nap`)."""
    tree = ast.parse(source)
    names = {"sleep"} | {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name == "sleep" and alias.asname
    }
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in names:
            continue
        if len(node.args) == 1 and not node.keywords and _is_zero(node.args[0]):
            continue  # asyncio.sleep(0): one turn of the loop, no time passes
        lines.append(node.lineno)
    return sorted(lines)


def test_the_scanner_finds_every_spelling_of_a_sleep() -> None:
    source = (
        "import asyncio, time\n"
        "from time import sleep\n"
        "from asyncio import sleep as nap\n"
        "async def f():\n"
        "    await asyncio.sleep(0.1)\n"
        "    time.sleep(1)\n"
        "    sleep(0.5)\n"
        "    await asyncio.sleep(delay=0)\n"
        "    await asyncio.sleep(0)\n"
        "    await nap(0.2)\n"
    )
    assert sleeps_in(source) == [5, 6, 7, 8, 10]


def test_no_test_sleeps_outside_the_waiting_helpers() -> None:
    root = TESTS.parent
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in ALLOWED:
            continue
        found += [f"{relative}:{line}" for line in sleeps_in(path.read_text(encoding="utf-8"))]
    assert found == [], (
        "fixed sleeps in tests: wait on a condition with tests/support/waiting.py "
        "(wait_until / wait_until_sync), or add the file to ALLOWED with the reason"
    )
