"""`python -m bench --profile`: the two servers' CPU per request side by side by component, each
component's share of its server's samples times that server's CPU per request."""

from bench.profile import difference
from bench.servers import REPO


def _raw(*stacks: tuple[str, int]) -> str:
    return "\n".join(f"{frames} {count}" for frames, count in stacks)


def test_the_difference_by_component_adds_up_to_the_difference_of_cpu_per_request() -> None:
    view = f"run (/x/site-packages/strawberry/http/async_base_view.py);_record ({REPO}/server/graphql_app.py)"
    sql = "run (/x/site-packages/tortoise/queryset.py)"
    graphql = _raw((view, 1), (sql, 3))
    plain = _raw((sql, 2))
    table = difference("SQLite", "the tracking query", (graphql, 4.0), (plain, 2.0))
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["HTTP: our view and middleware (server/)"] == ["1.000", "0.000", "+1.000", "50 %"]
    assert rows["ORM: Tortoise + pypika (SQL built, rows made)"] == [
        "3.000",
        "2.000",
        "+1.000",
        "50 %",
    ]
    assert rows["**all (CPU per request while sampled)**"] == ["4.000", "2.000", "+2.000", "100 %"]
