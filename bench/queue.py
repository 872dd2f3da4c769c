"""Benchmark 2: the reviewers' queue. SQL statements per page (in-process), then GraphQL beside the
plain endpoint over HTTP: CPU per request and per resolved field."""

from bench.data import Dataset, tokens_used_now
from bench.fields import resolved_fields
from bench.load import (
    LoadResult,
    Side,
    get_request,
    graphql_request,
    interleaved_rounds,
    round_ratios,
    same_answer,
)
from bench.operations import QUEUE, TRACKING
from bench.report import Table, ratio, spread
from bench.servers import HOST, Server, certs_serve, plain_serve
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


async def check_same_queue(graphql: Server, plain: Server, token: str, first: int) -> int:
    """Both endpoints answer the same page; returns the fields GraphQL resolved for it."""
    answer = await same_answer(
        f"queue, first={first}",
        (graphql.port, graphql_request(HOST, graphql.port, token, QUEUE, {"first": first})),
        (plain.port, get_request(HOST, plain.port, token, f"/queue?first={first}")),
        HOST,
    )
    return resolved_fields(answer["data"])


async def queue_throughput(
    dataset: Dataset,
    env: dict[str, str],
    *,
    clients: int,
    duration: float,
    warmup: float,
    max_requests: int,
    rounds: int,
    label: str,
    workers: int = 1,
) -> Table:
    """GraphQL and the plain endpoint take turns on the same page, `rounds` times per page size."""
    table = Table(
        f"Reviewer queue over HTTP, GraphQL beside plain ({label}, {workers} worker(s), "
        f"{clients} clients)",
        [
            "page size",
            "fields/req",
            "GraphQL req/s",
            "p50",
            "p99",
            "CPU ms/req",
            "CPU µs/field",
            "plain req/s",
            "p50",
            "p99",
            "CPU ms/req",
            "GraphQL/plain req/s",
            "GraphQL/plain by CPU",
            "by round: median (range)",
            "extra µs/field",
            "errors",
        ],
    )
    rounds = max(rounds, 1)
    token = dataset.reviewer_token
    with certs_serve(env, workers) as graphql, plain_serve(env, workers) as plain:
        for first in PAGE_SIZES:
            fields = await check_same_queue(graphql, plain, token, first)
            graphql_page = graphql_request(HOST, graphql.port, token, QUEUE, {"first": first})
            plain_page = get_request(HOST, plain.port, token, f"/queue?first={first}")
            parts = await interleaved_rounds(
                HOST,
                [
                    Side("graphql", graphql.port, [graphql_page], graphql.cpu_seconds),
                    Side("plain", plain.port, [plain_page], plain.cpu_seconds),
                ],
                rounds=rounds,
                clients=clients,
                duration=duration,
                warmup=warmup,
                max_requests=max_requests,
                before_turn=tokens_used_now,  # no measured request writes last_used_at
            )
            g = LoadResult.merged(parts["graphql"])
            p = LoadResult.merged(parts["plain"])
            g_cpu, p_cpu = g.cpu_ms_per_request, p.cpu_ms_per_request
            table.add(
                first,
                fields,
                g.rps,
                g.p50,
                g.p99,
                g_cpu,
                g_cpu * 1000 / fields,
                p.rps,
                p.p50,
                p.p99,
                p_cpu,
                ratio(g.rps, p.rps),
                f"{p_cpu / g_cpu:.2f}",
                spread(
                    round_ratios(parts["plain"], parts["graphql"], lambda r: r.cpu_ms_per_request)
                ),
                (g_cpu - p_cpu) * 1000 / fields,
                g.errors + p.errors,
            )
            print(table.rows[-1], flush=True)
            for name, result in (("graphql", g), ("plain", p)):
                if result.first_error:
                    table.note(f"{name}, first={first}: {result.first_error}")
    table.note(
        "fields/req: the fields graphql-core executes for the page, counted from the answer's shape "
        "(bench/fields.py); the plain endpoint's answer is checked equal before measuring"
    )
    table.note(
        "CPU: user + system of the server's processes (/proc) while measured; CPU µs/field is "
        "GraphQL's CPU per request over its fields, extra µs/field what GraphQL costs per field "
        "beyond the plain endpoint's same reads; GraphQL/plain by CPU = plain CPU / GraphQL CPU "
        "(the req/s ratio if the server alone were the bottleneck); by round: that ratio of "
        "every round alone, its median and range"
    )
    table.note(
        f"each cell: {warmup:g} s warm-up, then {duration:g} s measured, GraphQL and plain taking "
        f"turns {rounds} times, each round starting with the other"
    )
    return table
