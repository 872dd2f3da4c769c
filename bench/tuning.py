"""`python -m bench.tuning`: each patch of `tuning/` switched off alone, against all of them on,
on the benchmark it targets: memory per idle subscriber and the server's CPU per fan-out.

One SQLite dataset; for each round, each variant in turn (so the variants take turns and a slower
minute of the shared host falls on all of them): a real `certs serve` (one worker) started by
`python -m bench.tuning serve VARIANT`, which switches that patch off in its own process and then
serves exactly as `certs serve` does. Against it: `--subscribers` reviewers' dashboards
(`graphql-transport-ws`, bench/subscriptions.py), its VmRSS before and after they open (KiB per
idle subscriber, as `python -m bench` reports it), then `--events` rejections, each awaited until
every subscriber has it, and the server's CPU time (/proc, less moved by other load than wall
time) over them: CPU ms per fan-out. The figure per variant is the median of its rounds.

`python -m bench.tuning masking`: the error masking's CPU per subscription result, in-process
(MaskUnexpectedErrors against Strawberry's MaskErrors), for a difference too small for the fan-out's
CPU figure on a shared host.

Variants (each is everything on but one):
- `all`: as served.
- `-light_ws_protocol`: uvicorn's own wsproto protocol.
- `-direct_socket`: sockets go through the middleware and the router (a `WebSocketRoute`).
- `-document_limits`: Strawberry's `MaxTokensLimiter` and `AddValidationRules`.
- `-shared_event_results`: every subscriber executes its own event (the per-event memo and the
  slots kept).
- `-slots`: the execution context without `__slots__` (the rest of shared_event_results kept).
- `-mask_errors`: Strawberry's `MaskErrors` (its public `should_mask_error` and
  `anonymise_error`) instead of `MaskUnexpectedErrors`' own hooks.
- `-compact_keys`: `Fanout.follow` as it was, holding orjson's `bytes` of the variables (a 4 KiB
  allocation) in every member's frame while it follows the group; only where members run in
  tasks of their own (`-member_registrations&-compact_keys`).
- `-member_registrations`: a member of a group on `graphql-transport-ws` runs in a task of its
  own (Strawberry's operation task, awaiting how it ends) instead of being a registration in the
  group, and keeps its own copy of the document.
- `-connection_events`: the accepted wsproto connection keeps its own `_events` deque (0.7 KiB),
  not a `ConnectionEvents` list.
"""

import argparse
import asyncio
import inspect
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import orjson
from graphql import ExecutionResult
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.routing import WebSocketRoute
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from uvicorn.protocols.websockets.wsproto_impl import WSProtocol

from bench.data import Sizes, fresh_database, load, tortoise
from bench.report import Table
from bench.servers import HOST, Server, _running, server_env
from bench.subscriptions import Arrivals, Subscriber, _open_all, _reject
from devkit.ports import free_port
from resolvers.ids import to_global_id
from schema import root
from schema.extensions import MaskUnexpectedErrors, is_unexpected
from server import app as app_module
from server import cli, fanout, graphql_ws_handlers
from server.fanout import Wire
from tuning import light_ws_protocol, shared_event_results
from tuning.direct_socket import DirectWebSocketRoute

VARIANTS = (
    "all",
    "-light_ws_protocol",
    "-direct_socket",
    "-document_limits",
    "-shared_event_results",
    "-slots",
    "-mask_errors",
    "-compact_keys",
    "-member_registrations",
    "-connection_events",
)
#: Not in the default run: the per-event memo shows only where subscribers execute their own
#: events (`-shared_event_results&-memo` against `-shared_event_results`).
MORE_VARIANTS = ("-memo", "-shared_event_results&-memo")
WARM = 20


# --- switches, applied in the server's own process before the app is built -----------------
#
# Each replaces a name in the module that uses it (uvicorn imports the protocol by its dotted
# name; create_app and build_schema read these module globals when they run).


def _replace(module: ModuleType, name: str, value: object) -> None:
    assert hasattr(module, name), f"{module.__name__}.{name}"
    vars(module)[name] = value


def _without_light_ws_protocol() -> None:
    _replace(light_ws_protocol, "LightWSProtocol", WSProtocol)


def _without_direct_socket() -> None:
    class Routed(app_module.CertsStarlette):
        def __init__(self, *, routes: list[Any], middleware: list[Any], **kwargs: Any) -> None:
            direct = [m for m in middleware if m.cls is DirectWebSocketRoute]
            routes = [
                *routes,
                *(WebSocketRoute(m.kwargs["path"], m.kwargs["endpoint"]) for m in direct),
            ]
            rest = [m for m in middleware if m.cls is not DirectWebSocketRoute]
            super().__init__(routes=routes, middleware=rest, **kwargs)

    _replace(app_module, "CertsStarlette", Routed)


def _without_document_limits() -> None:
    build = root.build_schema

    def build_schema(*, introspection: bool = True, **kwargs: Any) -> Any:
        rules = [
            *root.LIMIT_RULES,
            *(() if introspection else (NoSchemaIntrospectionCustomRule,)),
        ]
        extra = list(kwargs.pop("extra_extensions", ()))
        return build(
            introspection=introspection,
            extra_extensions=[lambda: AddValidationRules(rules), *extra],
            **kwargs,
        )

    def tokens_only(**limits: Any) -> MaxTokensLimiter:
        return MaxTokensLimiter(max_token_count=limits["max_tokens"])

    _replace(root, "DocumentLimits", tokens_only)
    _replace(app_module, "build_schema", build_schema)


#: What the execution context variant leaves out (the switches below add to it).
_CONTEXT_DROPS: set[str] = set()


def _context_without(name: str) -> None:
    """The execution context of tuning/shared_event_results.py without `name` (and whatever an
    earlier switch left out), rebuilt from its source: its methods call `super()`, bound to the
    class they were written in."""
    _CONTEXT_DROPS.add(name)
    source = inspect.getsource(shared_event_results)
    removals = {
        "__slots__": r"\n    __slots__ = \([^)]*\)\n",
        "memo": r"\n        executor\._relevant_sub_fields = \{\}",
    }
    for drop in _CONTEXT_DROPS & set(removals):
        source, found = re.subn(removals[drop], "\n", source)
        assert found == 1, drop
    namespace: dict[str, Any] = {"__name__": "bench_tuning_variant"}
    exec(compile(source, shared_event_results.__file__ or "", "exec"), namespace)  # noqa: S102 - our own module
    variant = namespace["SharedEventResultsExecutionContext"]
    for drop in _CONTEXT_DROPS - set(removals):
        delattr(variant, drop)
    _replace(root, "SharedEventResultsExecutionContext", variant)


def _without_shared_event_results() -> None:
    _context_without("execute_operation")


def _without_slots() -> None:
    _context_without("__slots__")


def _without_memo() -> None:
    _context_without("memo")


class StrawberryMask(MaskErrors):
    """Strawberry's MaskErrors, told what to mask and how through its public options."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    anonymise_error = MaskUnexpectedErrors.anonymise_error


def _without_mask_errors() -> None:
    _replace(root, "MaskUnexpectedErrors", StrawberryMask)


def _without_compact_keys() -> None:
    """`Fanout.follow` as it was: the group's key made in the member's own frame, which holds
    orjson's `bytes` of the variables (a 4 KiB allocation) while the subscription lives. Seen only
    where members run in tasks of their own (`-member_registrations`)."""

    async def follow(self: fanout.Fanout, member: fanout.Member, request: dict[str, Any]) -> Any:
        try:
            variables = orjson.dumps(request["variables"], option=orjson.OPT_SORT_KEYS)
        except TypeError:
            variables = repr(request["variables"]).encode()
        key = (request["query"], request["operation_name"], variables, member.principal.visibility)
        group = self.groups.get(key)  # type: ignore[arg-type]
        if group is None:
            group = self.groups[key] = fanout.Group(  # type: ignore[index]
                self,
                key,  # type: ignore[arg-type]
                self._make_context(member.principal),
                request,
            )
        group.members[member] = None
        member.group = group
        try:
            return await member.ended
        finally:
            if member in group.members:
                group.leave(member, fanout.Ended.COMPLETE)

    _replace_attribute(fanout.Fanout, "follow", follow)


def _without_member_registrations() -> None:
    """Group members on `graphql-transport-ws` as they were: `subscribe` joins no group, and the
    operation's own task becomes the member, waiting for its end (the code as it was)."""
    handlers = graphql_ws_handlers

    def run_as_a_task(handler: Any, message: Any) -> bool:
        return False

    async def run_operation(handler: Any, operation: Any) -> None:
        request = {
            "query": operation.query,
            "variables": operation.variables,
            "operation_name": operation.operation_name,
        }

        async def run() -> None:
            member = handlers.group_member(handler, Wire.TRANSPORT_WS, operation.id, request)
            if member is None:
                await BaseGraphQLTransportWSHandler.run_operation(handler, operation)
                return
            await handlers.answer_end(operation, await handlers.follow(handler, member, request))

        await handler.operation_log.run(
            handler.context, operation.id, operation.operation_name, run()
        )

    _replace_attribute(handlers.TransportWSHandler, "_join_group", run_as_a_task)
    _replace_attribute(handlers.TransportWSHandler, "run_operation", run_operation)


def _without_connection_events() -> None:
    _replace(light_ws_protocol, "lighter_events", lambda connection: None)


def _replace_attribute(cls: type, name: str, value: object) -> None:
    assert name in vars(cls), f"{cls.__qualname__}.{name}"
    setattr(cls, name, value)


SWITCHES: dict[str, Callable[[], None]] = {
    "all": lambda: None,
    "-light_ws_protocol": _without_light_ws_protocol,
    "-direct_socket": _without_direct_socket,
    "-document_limits": _without_document_limits,
    "-shared_event_results": _without_shared_event_results,
    "-slots": _without_slots,
    "-memo": _without_memo,
    "-mask_errors": _without_mask_errors,
    "-compact_keys": _without_compact_keys,
    "-member_registrations": _without_member_registrations,
    "-connection_events": _without_connection_events,
}


def serve(variant: str, argv: Sequence[str]) -> int:
    for part in variant.split("&"):
        SWITCHES[part]()
    return cli.main(["serve", *argv])


# --- the measurement, from the benchmark's process --------------------------------------------


@contextmanager
def variant_server(variant: str, env: dict[str, str], module: str = "bench.tuning") -> Any:
    """A `certs serve` with `variant`'s switches, started by `python -m MODULE serve VARIANT`."""
    port = free_port()
    argv = [sys.executable, "-m", module, "serve", variant, "--host", HOST, "--port", str(port)]
    with _running(f"{module} serve {variant}", argv, env, port) as server:
        yield server


@dataclass
class Run:
    #: Resident memory per idle subscriber, KiB.
    idle_kib: float
    #: What each subscriber added to it over the events, KiB.
    events_kib: float
    #: Server CPU per event (the mutation and its fan-out), ms: the events' total over their
    #: number, so that /proc's 10 ms ticks average out.
    cpu_ms: float
    missed: int


async def one_run(server: Server, token: str, request_ids: list[int], subscribers: int) -> Run:
    arrivals = Arrivals(subscribers)
    everyone = [Subscriber(token, server.ws_url) for _ in range(subscribers)]
    try:
        await _open_all(everyone[:WARM], arrivals)
        await asyncio.sleep(1.0)
        before = server.rss_kib()
        await _open_all(everyone[WARM:], arrivals)
        await asyncio.sleep(3.0)
        idle = server.rss_kib()
        cpu = 0.0
        missed = 0
        async with httpx.AsyncClient(timeout=60) as client:
            for index, pk in enumerate(request_ids):
                request_id = to_global_id("CertificateRequest", pk)
                done = arrivals.event(request_id)
                start = server.cpu_seconds()
                await _reject(client, server, token, request_id)
                try:
                    await asyncio.wait_for(done.wait(), timeout=60)
                except TimeoutError:
                    missed += 1
                if index:  # the first one warms up
                    cpu += server.cpu_seconds() - start
                await asyncio.sleep(0.2)
        return Run(
            idle_kib=(idle - before) / (subscribers - WARM),
            events_kib=(server.rss_kib() - idle) / subscribers,
            cpu_ms=cpu * 1000 / (len(request_ids) - 1),
            missed=missed,
        )
    finally:
        await asyncio.gather(*(s.close() for s in everyone), return_exceptions=True)


async def run(args: argparse.Namespace) -> Table:
    variants = args.variants
    needed = args.rounds * len(variants) * (args.events + 1)
    sizes = Sizes(args.companies, args.requests, args.certificates)
    runs: dict[str, list[Run]] = {v: [] for v in variants}
    async with fresh_database("sqlite") as url, tortoise(url):
        started = time.perf_counter()
        dataset = await load(url, sizes)
        print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        ids = list(dataset.in_review_request_ids)
        if len(ids) < needed:
            raise SystemExit(f"{len(ids)} requests in review, {needed} needed: raise --requests")
        with tempfile.TemporaryDirectory(prefix="certs-bench-tuning-") as data_dir:
            # Every dashboard is the same reviewer's: one token for all the sockets.
            env = server_env(
                url, Path(data_dir), MAX_SOCKETS_PER_TOKEN=str(args.subscribers + WARM)
            )
            for round_ in range(args.rounds):
                for variant in variants:
                    chosen, ids = ids[: args.events + 1], ids[args.events + 1 :]
                    started = time.perf_counter()
                    with variant_server(variant, env) as server:
                        result = await one_run(
                            server, dataset.reviewer_token, chosen, args.subscribers
                        )
                    runs[variant].append(result)
                    print(
                        f"round {round_ + 1} {variant}: {result.idle_kib:.1f} KiB idle, "
                        f"+{result.events_kib:.2f} KiB over the events, "
                        f"{result.cpu_ms:.1f} ms CPU/event, missed {result.missed} "
                        f"({time.perf_counter() - started:.0f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
    return report(args, runs)


def report(args: argparse.Namespace, runs: dict[str, list[Run]]) -> Table:
    table = Table(
        f"Tuning, each patch off alone ({args.subscribers} subscribers, {args.events} events, "
        f"{args.rounds} rounds, medians)",
        [
            "variant",
            "KiB per idle subscriber",
            "",
            "KiB added over the events",
            "CPU ms per event",
            "",
        ],
    )

    def median(variant: str, measure: str) -> float:
        return statistics.median(float(getattr(r, measure)) for r in runs[variant])

    def versus(variant: str, measure: str) -> str:
        if "all" not in runs:
            return ""
        return f"{(median(variant, measure) / median('all', measure) - 1) * 100:+.1f} %"

    for variant in runs:
        table.add(
            variant,
            median(variant, "idle_kib"),
            versus(variant, "idle_kib"),
            f"{median(variant, 'events_kib'):.2f}",
            median(variant, "cpu_ms"),
            versus(variant, "cpu_ms"),
        )
    for variant, results in runs.items():
        table.note(
            f"{variant}, each round: "
            + ", ".join(f"{r.idle_kib:.1f} KiB / {r.cpu_ms:.1f} ms" for r in results)
        )
    return table


def masking(rounds: int = 15, calls: int = 20_000) -> str:
    """`python -m bench.tuning masking`: CPU per subscription result without errors (what every
    subscriber of a fan-out pays) of MaskUnexpectedErrors and of Strawberry's MaskErrors with the
    same options, in-process, taking turns; the fastest round of each."""
    result = ExecutionResult(data={"x": 1}, errors=None)

    def per_result(extension: MaskUnexpectedErrors | MaskErrors) -> float:
        start = time.process_time()
        for _ in range(calls):
            for _ in extension.on_stream_result(result):  # type: ignore[arg-type]
                pass
        return (time.process_time() - start) / calls * 1e6

    ours: list[float] = []
    strawberry: list[float] = []
    for _ in range(rounds):
        ours.append(per_result(MaskUnexpectedErrors()))
        strawberry.append(per_result(StrawberryMask()))
    return (
        f"µs per result: MaskUnexpectedErrors {min(ours):.2f} (median "
        f"{statistics.median(ours):.2f}), Strawberry's MaskErrors {min(strawberry):.2f} "
        f"(median {statistics.median(strawberry):.2f}); {rounds} rounds of {calls:,}"
    )


def parse_variants(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    variants: Sequence[str],
    switches: Mapping[str, Callable[[], None]],
) -> argparse.Namespace:
    """`argv` parsed with `--variants` (each of `switches`' names, joined by `&`) and the
    dataset's sizes added to `parser`'s options."""
    parser.add_argument("--variants", type=lambda t: t.split(","), default=list(variants))
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--certificates", type=int, default=1000)
    args = parser.parse_args(argv)
    unknown = {p for v in args.variants for p in v.split("&")} - set(switches)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        return serve(argv[1], argv[2:])
    if argv[:1] == ["masking"]:
        print(masking(), flush=True)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    args = parse_variants(parser, argv, VARIANTS, SWITCHES)
    print(asyncio.run(run(args)).render(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
