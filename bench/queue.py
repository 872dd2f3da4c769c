"""Benchmark 2: the reviewers' queue. SQL statements per page (in-process), then throughput."""

from bench.data import Dataset
from bench.load import graphql_request, run_load
from bench.operations import QUEUE, TRACKING
from bench.report import Table
from bench.servers import HOST, certs_serve
from bench.sqlcount import count_statements

PAGE_SIZES = (10, 50)
STATEMENT_TARGET = 6


async def queue_statements(dataset: Dataset, label: str) -> Table:
    table = Table(
        f"SQL statements per operation ({label})",
        ["operation", "token lookup", "operation statements", "total"],
    )
    counts = {}
    for first in PAGE_SIZES:
        count = await count_statements(
            dataset.database_url, dataset.reviewer_token, QUEUE, {"first": first}
        )
        counts[first] = count
        table.add(
            f"certificateRequests(first: {first})",
            count.authentication,
            count.operation,
            count.total,
        )
    tracking = await count_statements(
        dataset.database_url, dataset.customer_tokens[0], TRACKING, None
    )
    table.add("certificateTracking", tracking.authentication, tracking.operation, tracking.total)
    grows = counts[PAGE_SIZES[0]].operation != counts[PAGE_SIZES[-1]].operation
    worst = max(c.operation for c in counts.values())
    table.note(
        f"queue: {'GROWS with `first`' if grows else 'does not grow with `first`'}; "
        f"target ≤ {STATEMENT_TARGET} per page (token lookup apart): "
        f"{'met' if worst <= STATEMENT_TARGET and not grows else 'MISSED'} ({worst})"
    )
    return table


async def queue_throughput(
    dataset: Dataset,
    env: dict[str, str],
    *,
    clients: int,
    duration: float,
    warmup: float,
    max_requests: int,
    label: str,
) -> Table:
    table = Table(
        f"Reviewer queue over HTTP ({label}, 1 worker, {clients} clients)",
        ["page size", "req/s", "rows/s", "p50 ms", "p99 ms", "CPU ms/req", "errors"],
    )
    with certs_serve(env, 1) as server:
        for first in PAGE_SIZES:
            requests = [
                graphql_request(HOST, server.port, dataset.reviewer_token, QUEUE, {"first": first})
            ]
            result = await run_load(
                HOST,
                server.port,
                requests,
                clients=clients,
                duration=duration,
                warmup=warmup,
                max_requests=max_requests,
                cpu_probe=server.cpu_seconds,
            )
            table.add(
                first,
                result.rps,
                result.rps * first,
                result.p50,
                result.p99,
                result.cpu_ms_per_request,
                result.errors,
            )
            if result.first_error:
                table.note(f"first={first}: {result.first_error}")
    return table
