"""`python -m bench --profile`: the two servers' CPU per request side by side by component: each
component's share of the main thread's samples times the main thread's CPU per request, the other
threads (SQLite's driver) from /proc, whatever py-spy sampled there."""

from bench.load import LoadResult
from bench.profile import OTHER_THREADS, Sampled, difference
from bench.servers import REPO


def _sampled(main_ms: float, other_ms: float, *stacks: tuple[str, str, int]) -> Sampled:
    raw = "\n".join(f"thread (1): {thread};{frames} {count}" for thread, frames, count in stacks)
    return Sampled(LoadResult(clients=16, seconds=1.0, latencies=[0.01]), raw, main_ms, other_ms)


def test_the_difference_by_component_adds_up_to_the_difference_of_cpu_per_request() -> None:
    view = f"run (/x/site-packages/strawberry/http/base.py);_record ({REPO}/server/graphql_app.py)"
    sql = "run (/x/site-packages/tortoise/queryset.py)"
    driver = "_connection_worker_thread (/x/site-packages/aiosqlite/core.py)"
    graphql = _sampled(4.0, 0.5, ("MainThread", view, 1), ("MainThread", sql, 3), ("T", driver, 9))
    plain = _sampled(2.0, 0.5, ("MainThread", sql, 2), ("T", driver, 2))
    table = difference("SQLite", "the tracking query", graphql, plain)
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["HTTP: our view and middleware (server/)"] == ["1.000", "0.000", "+1.000", "50 %"]
    assert rows["ORM: Tortoise + pypika (SQL built, rows made)"] == [
        "3.000",
        "2.000",
        "+1.000",
        "50 %",
    ]
    # The driver thread's samples (waiting for the GIL counts as busy) are not the measure.
    assert rows[OTHER_THREADS] == ["0.500", "0.500", "+0.000", "0 %"]
    assert "database driver and its thread" not in rows
    assert rows["**all (CPU per request while sampled, /proc)**"] == [
        "4.500",
        "2.500",
        "+2.000",
        "100 %",
    ]
