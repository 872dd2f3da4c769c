"""`python -m bench.instructions` counts what a child executes between its READY and its DONE, the
same count every run, and nothing of its start-up.

The counting tests need valgrind: without it they skip, loudly; with REQUIRE_VALGRIND=1 (set by
`.ci/run`, which installs it) they fail instead.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.instructions import (
    SIMULATED,
    Count,
    callgrind_events,
    count_child,
    tool,
)

#: A child in the benchmark's protocol whose measured part is a loop of `n` turns.
CHILD = """
import sys
print("READY", flush=True)
sys.stdin.readline()
for _ in range({n}):
    pass
print("DONE", flush=True)
sys.stdin.readline()
"""


def valgrind_or_skip() -> None:
    if shutil.which("valgrind") and shutil.which("callgrind_control"):
        return
    reason = "valgrind is not installed: the instruction counter's tests did NOT run"
    if os.environ.get("REQUIRE_VALGRIND") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def count(turns: int, simulate: bool = False) -> Count:
    # -S: no site-packages at start-up, which the count does not include anyway: a faster test.
    return count_child([sys.executable, "-S", "-c", CHILD.format(n=turns)], 1, "loop", simulate)


def test_the_count_is_the_same_every_run_and_grows_with_the_measured_work_only() -> None:
    valgrind_or_skip()
    once, twice, again = count(2_000), count(4_000), count(2_000)
    assert once.instructions == again.instructions
    # Start-up (interpreter, imports) runs before READY: uncounted, or the loop would be a sliver.
    loop = twice.instructions - once.instructions
    assert loop > 0
    assert once.instructions == pytest.approx(loop, rel=0.05)


def test_the_simulation_adds_misses_and_mispredictions_without_changing_the_count() -> None:
    valgrind_or_skip()
    plain, simulated = count(2_000), count(2_000, simulate=True)
    assert simulated.instructions == plain.instructions
    assert set(plain.events) == {"Ir"}
    with pytest.raises(KeyError):
        plain.simulated_per_request("L1 data misses")
    # A loop's branches are predicted, not all of them: a model that ran, not one that said 0.
    branches = simulated.events["Bc"] + simulated.events["Bi"]
    assert 0 < simulated.simulated_per_request("mispredicted branches") < branches
    for name in SIMULATED:
        assert simulated.simulated_per_request(name) >= 0


def test_a_kept_output_file_holds_the_count_for_callgrind_annotate(tmp_path: Path) -> None:
    valgrind_or_skip()
    kept = tmp_path / "loop.callgrind"
    counted = count_child([sys.executable, "-S", "-c", CHILD.format(n=2_000)], 1, "loop", keep=kept)
    assert callgrind_events(kept.read_text()) == counted.events
    annotated = subprocess.run(  # noqa: S603 - valgrind's own tool, a file of this test
        [tool("callgrind_annotate"), str(kept)], capture_output=True, text=True, check=True
    ).stdout
    assert "PROGRAM TOTALS" in annotated


def test_a_child_that_does_not_follow_the_protocol_is_an_error_with_its_output() -> None:
    valgrind_or_skip()
    with pytest.raises(RuntimeError, match="instead of READY"):
        count_child([sys.executable, "-S", "-c", "print('hello')"], 1, "rude")


def test_the_totals_come_from_callgrinds_output_file() -> None:
    totals = "events: Ir\nsummary: 5\nfn=(1) f\n0 5\ntotals: 123456\n"
    assert callgrind_events(totals)["Ir"] == 123456
    assert callgrind_events("events: Ir\nsummary: 77\n")["Ir"] == 77
    with pytest.raises(ValueError, match="not a callgrind output file"):
        callgrind_events("nothing here")


def test_the_events_are_read_by_name_trailing_zeros_included() -> None:
    text = "events: Ir Dr D1mr Bcm\nsummary: 0\nfn=(1) f\n0 9 4 1\ntotals: 900 40 10\n"
    assert callgrind_events(text) == {"Ir": 900, "Dr": 40, "D1mr": 10, "Bcm": 0}
    assert callgrind_events(text)["Ir"] == 900
