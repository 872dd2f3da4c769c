"""Benchmark 1: the tracking screen through GraphQL, and the same reads as a plain JSON endpoint."""

from dataclasses import dataclass

from bench.data import Dataset, tokens_used_now
from bench.load import (
    LoadResult,
    Side,
    get_request,
    graphql_request,
    interleaved_rounds,
    round_ratios,
    same_answer,
)
from bench.operations import TRACKING
from bench.report import Table, ratio, spread
from bench.servers import HOST, Server, bare_serve, certs_serve, plain_serve


@dataclass(frozen=True)
class LoadOptions:
    clients: list[int]
    workers: list[int]
    duration: float
    warmup: float
    max_requests: int
    #: GraphQL and plain take turns this many times per cell, each measuring duration / rounds:
    #: a drift of the machine's speed during the run (a shared host) hits both sides alike.
    rounds: int = 3


async def check_same_answers(graphql: Server, plain: Server, tokens: list[str]) -> int:
    """Both endpoints answer the same data for these companies; returns how many were compared."""
    for token in tokens:
        await same_answer(
            "tracking",
            (graphql.port, graphql_request(HOST, graphql.port, token, TRACKING)),
            (plain.port, get_request(HOST, plain.port, token, "/tracking")),
            HOST,
        )
    return len(tokens)


async def run_tracking(
    dataset: Dataset, env: dict[str, str], options: LoadOptions, label: str
) -> list[Table]:
    """The tracking query against the plain endpoint, then the same runs' floor: how much of the
    difference is the server's layers around execution and how much is executing a document
    (bench/bare_graphql.py)."""
    floor = Table(
        f"Tracking query ({label}): the floor under the server's layers (bare graphql-core route)",
        [
            "workers",
            "clients",
            "bare req/s",
            "p50",
            "p99",
            "CPU ms/req",
            "bare/plain req/s",
            "plain/bare CPU",
            "GraphQL/bare req/s",
            "bare/GraphQL CPU",
            "errors",
        ],
    )
    table = Table(
        f"Tracking query ({label}): requests/s and latency (ms)",
        [
            "workers",
            "clients",
            "GraphQL req/s",
            "p50",
            "p99",
            "CPU ms/req",
            "plain req/s",
            "p50",
            "p99",
            "CPU ms/req",
            "GraphQL/plain req/s",
            "by round: median (range)",
            "plain/GraphQL CPU",
            "by round: median (range)",
            "errors",
        ],
    )
    rounds = max(options.rounds, 1)
    tokens = dataset.customer_tokens_shuffled()
    for workers in options.workers:
        with (
            certs_serve(env, workers) as graphql,
            plain_serve(env, workers) as plain,
            bare_serve(env, workers) as bare,
        ):
            compared = await check_same_answers(graphql, plain, tokens[:25])
            await check_same_answers(bare, plain, tokens[:25])
            gql_requests = [graphql_request(HOST, graphql.port, t, TRACKING) for t in tokens]
            plain_requests = [get_request(HOST, plain.port, t, "/tracking") for t in tokens]
            bare_requests = [graphql_request(HOST, bare.port, t, TRACKING) for t in tokens]
            sides = [
                Side("graphql", graphql.port, gql_requests, graphql.cpu_seconds),
                Side("plain", plain.port, plain_requests, plain.cpu_seconds),
                Side("bare", bare.port, bare_requests, bare.cpu_seconds),
            ]
            for clients in options.clients:
                parts = await interleaved_rounds(
                    HOST,
                    sides,
                    rounds=rounds,
                    clients=clients,
                    duration=options.duration,
                    warmup=options.warmup,
                    max_requests=options.max_requests,
                    # Before each side's turn: no turn of a long round reaches the minute after
                    # which its requests would write the tokens' last_used_at.
                    before_turn=tokens_used_now,
                )
                results = {name: LoadResult.merged(measured) for name, measured in parts.items()}
                g, p, b = results["graphql"], results["plain"], results["bare"]
                table.add(
                    workers,
                    clients,
                    g.rps,
                    g.p50,
                    g.p99,
                    g.cpu_ms_per_request,
                    p.rps,
                    p.p50,
                    p.p99,
                    p.cpu_ms_per_request,
                    ratio(g.rps, p.rps),
                    spread(round_ratios(parts["graphql"], parts["plain"], lambda r: r.rps)),
                    ratio(p.cpu_ms_per_request, g.cpu_ms_per_request),
                    spread(
                        round_ratios(
                            parts["plain"], parts["graphql"], lambda r: r.cpu_ms_per_request
                        )
                    ),
                    g.errors + p.errors,
                )
                floor.add(
                    workers,
                    clients,
                    b.rps,
                    b.p50,
                    b.p99,
                    b.cpu_ms_per_request,
                    ratio(b.rps, p.rps),
                    ratio(p.cpu_ms_per_request, b.cpu_ms_per_request),
                    ratio(g.rps, b.rps),
                    ratio(b.cpu_ms_per_request, g.cpu_ms_per_request),
                    b.errors,
                )
                print(table.rows[-1], floor.rows[-1], flush=True)
                for name, result in results.items():
                    if result.first_error:
                        table.note(f"{name}, {clients} clients: {result.first_error}")
            size_g = g.response_bytes / max(g.requests, 1)
            size_p = p.response_bytes / max(p.requests, 1)
            table.note(
                f"{workers} worker(s): answers compared for {compared} companies (identical data); "
                f"response size GraphQL {size_g:,.0f} B, plain {size_p:,.0f} B"
            )
    table.note(
        "by round: each ratio of every round alone (the two sides a few seconds apart), their "
        "median and range: how far one round's ratio strays from the cell's on this machine"
    )
    table.note(
        "CPU ms/req: user + system CPU of the server's processes during the measurement, per "
        "request (robust to other load on the machine, unlike req/s); plain/GraphQL CPU is "
        "what the req/s ratio would be if the server alone were the bottleneck"
    )
    table.note(
        f"each cell: {options.warmup:g} s warm-up, then {options.duration:g} s measured (closed "
        "loop, keep-alive, one request in flight per client), GraphQL, plain and the bare route "
        f"taking turns {rounds} times, each round starting with the next of them; tokens of "
        f"{len(tokens)} companies round-robin"
    )
    floor.note(
        "bare: graphql-core executing the same document on the service's schema (resolvers, "
        "loaders, execution plans) behind one Starlette route, with authentication and orjson but "
        "without our middleware, Strawberry's view or its extensions (bench/bare_graphql.py); "
        "measured in the same rounds as the table above, its answers checked equal to plain's"
    )
    floor.note(
        "bare/plain is the ceiling of the tracking target while execution stays as it is; "
        "GraphQL/bare is what the layers around execution cost"
    )
    return [table, floor]
