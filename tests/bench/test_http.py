"""`python -m bench.http`: the `-acyclic_executor` switch gives the served schema graphql-core's
executor as it is (a switch that kept the patch would report a gain of zero), and a server's
garbage collections are handed over on SIGUSR2."""

import gc
import json
import os
import signal
from pathlib import Path

import pytest

from bench import http as bench_http
from schema import root
from tuning.acyclic_executor import AcyclicExecutor
from tuning.execution_plans import PlannedExecutionContext
from tuning.leaf_fields import LeafFieldsExecutionContext
from tuning.shared_event_results import SharedEventResultsExecutionContext


def test_the_switch_serves_graphql_core_s_executor_in_its_cycle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(root, "CertsExecutionContext", root.CertsExecutionContext)
    assert issubclass(root.build_schema().execution_context_class, AcyclicExecutor)
    bench_http.SWITCHES["-acyclic_executor"]()
    served = root.build_schema().execution_context_class
    assert not issubclass(served, AcyclicExecutor)
    assert issubclass(served, PlannedExecutionContext)
    assert issubclass(served, LeafFieldsExecutionContext)
    assert issubclass(served, SharedEventResultsExecutionContext)


def test_a_server_hands_over_its_collections_on_sigusr2(tmp_path: Path) -> None:
    report = tmp_path / "gc.json"
    previous = signal.getsignal(signal.SIGUSR2)
    callbacks = list(gc.callbacks)
    try:
        bench_http.watch_gc(report)
        gc.collect(1)
        os.kill(os.getpid(), signal.SIGUSR2)
        data = json.loads(report.read_text())
    finally:
        gc.callbacks[:] = callbacks
        signal.signal(signal.SIGUSR2, previous)
    assert data["sequence"] == 1
    assert 1 in [generation for generation, _ in data["pauses"]]  # and any automatic ones
    assert all(seconds >= 0 for _, seconds in data["pauses"])
