"""Subscriptions answered once per group, each answer written to every member's socket as a
ready frame (README, Live updates and Performance: reviewers' dashboards at 100 changes/s).

Subscribers of this process that ask the same question — the same document, operation name and
variables — with the same visibility (`Principal.visibility`: the role and the company, which
decide what may be seen; no field below a subscription depends on who the user is) form a
**group**. The group runs the subscription once, as a subscriber of the bus of its own with a
principal of that visibility: one inbox, one execution and one JSON encoding per event. For each
member the group then

1. checks the event against the member's own principal (its company) and session (a revoked
   socket receives nothing more, `server.live_sessions`),
2. checks the member's socket keeps up: with more than `max_buffered_bytes` written and not yet
   taken by the client, the member is told SUBSCRIPTION_LAGGING then `complete` (by its own
   operation, in order after what it was written), never skipped silently,
3. writes the frame — the group's payload inside the member's protocol message with its own
   operation id, built once per (protocol, id) — straight to the socket (`FrameSink`). A quiet
   group writes at once; the frames of the next `COALESCE_SECONDS` wait and go together, one
   write per member (the session is checked again as they go).

Order per member is the group's order, which is the bus's. When the group's own inbox falls
behind (`SUBSCRIPTION_QUEUE_SIZE`, `SUBSCRIPTION_MAX_LAG_SECONDS`), every member is told, as each
would have been alone. A document the schema refuses is answered to each member with the
protocol's `error`, as Strawberry does.

Only sockets that offer a `FrameSink` (those `certs serve` serves, `tuning.light_ws_protocol`)
join groups; any other transport runs each subscription on its own, as before.
"""

import asyncio
import contextvars
import enum
import logging
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
)
from strawberry.types.execution import PreExecutionError

from events.metrics import metrics
from resolvers.context import Context
from resolvers.status_events import SUBSCRIPTION_LAGGING, delivering
from schema.request_scope import current_operation, current_request_id
from server.logs import sql_counter_off
from server.ws_operations import result_codes
from services.principal import Principal
from tuning.light_ws_protocol import FRAMES_EXTENSION, text_frame

logger = logging.getLogger(__name__)

#: Bytes a member's socket may hold unsent before the member counts as lagging.
MAX_BUFFERED_BYTES = 1 << 20
#: After a write to the members, the answers of the next this many seconds are written together,
#: one write per member: a write (a system call) is most of a member's cost, and at 100 changes/s
#: this makes five of them one. A quiet group writes at once.
COALESCE_SECONDS = 0.05
#: Documents longer than this are not looked at here: they run on their own, where the schema's
#: limits refuse them.
MAX_GROUPED_QUERY_CHARS = 16 * 1024


class FrameSink(Protocol):
    """A socket that takes whole frames now (`tuning.light_ws_protocol.LightWSProtocol`)."""

    def write_frame(self, frame: bytes) -> bool:
        """False when the socket is no longer open."""
        ...

    def buffered(self) -> int:
        """Bytes written and not yet taken by the client."""
        ...


class Wire(enum.Enum):
    """The message a result travels in, per WebSocket protocol: what follows the id."""

    TRANSPORT_WS = b'","type":"next","payload":'  # graphql-transport-ws
    LEGACY_WS = b'","type":"data","payload":'  # graphql-ws (subscriptions-transport-ws)


class Ended(enum.Enum):
    """How a member's subscription ended, for its own operation to answer."""

    COMPLETE = "complete"  # the group's stream ended, or the member's session was revoked
    LAGGING = "lagging"  # tell SUBSCRIPTION_LAGGING, then complete


@dataclass(frozen=True)
class Refused:
    """The schema refused the document (validation): the protocol's `error`, no `complete`."""

    errors: list[GraphQLError]


Outcome = Ended | Refused


@dataclass(eq=False)
class Member:
    """One subscription of one socket, in a group."""

    operation_id: str
    principal: Principal
    session: Any  # server.live_sessions.LiveSession | None
    sink: FrameSink
    protocol: Wire
    #: The operation's name in its document (None for an anonymous one), for its log line.
    name: str | None
    #: Told each result sent, with its error codes (the operation's log line counts them).
    on_sent: Callable[[list[str]], None] | None = None
    ended: "asyncio.Future[Outcome]" = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    #: The group it joined (`Fanout.join`).
    group: "Group | None" = None

    def end(self, outcome: Outcome) -> None:
        if not self.ended.done():
            self.ended.set_result(outcome)


GroupKey = tuple[str, str | None, str, tuple[Any, ...]]


class Group:
    """The members asking one question with one visibility, and the subscription run for them."""

    def __init__(
        self, fanout: "Fanout", key: GroupKey, context: Context, request: dict[str, Any]
    ) -> None:
        self.fanout = fanout
        self.key = key
        self.members: dict[Member, None] = {}
        #: Frames written during the coalescing window, by member, in order; and the window.
        self._pending: dict[Member, list[bytes]] = {}
        self._flush: asyncio.TimerHandle | None = None
        self._context = context
        self._request = request
        # The joining member's context (the database's, among others), without what is that
        # member's own: its operation's log record and SQL count, its socket's request id.
        own = contextvars.copy_context()
        own.run(_not_a_members_operation)
        self.task = asyncio.create_task(self._run(), name="subscription-group", context=own)

    async def _run(self) -> None:
        outcome: Outcome = Ended.COMPLETE
        try:
            source = await self.fanout.schema.subscribe(
                self._request["query"],
                variable_values=self._request["variables"],
                context_value=self._context,
                operation_name=self._request["operation_name"],
            )
            first = True
            async with aclosing(source):
                async for result in source:
                    if first and isinstance(result, PreExecutionError):
                        outcome = Refused(list(result.errors or ()))
                        return
                    first = False
                    if _lagging(result):
                        outcome = Ended.LAGGING
                        return
                    self.send(result, delivering.get())
                    if self.fanout.groups.get(self.key) is not self:
                        return  # its last member left while it wrote
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("a subscription group failed; its members are completed")
        finally:
            self.fanout.dissolve(self, outcome)

    def send(self, result: ExecutionResult, event: Any) -> None:
        """Write `result` to every member that may see `event` and keeps up."""
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        body = orjson.dumps(payload)
        codes = result_codes(payload)
        frames: dict[tuple[Wire, str], bytes] = {}
        limit = self.fanout.max_buffered_bytes
        company_id = getattr(event, "company_id", None)
        for member in list(self.members):
            if member.ended.done():
                continue
            session = member.session
            if session is not None and session.revoked:
                self.leave(member, Ended.COMPLETE)
                continue
            if company_id is not None and not member.principal.may_see_company(company_id):
                continue  # never with the group's visibility; checked all the same
            if member.sink.buffered() > limit:
                self.leave(member, Ended.LAGGING)
                continue
            frame_key = (member.protocol, member.operation_id)
            frame = frames.get(frame_key)
            if frame is None:
                frame = frames[frame_key] = text_frame(
                    b'{"id":"' + member.operation_id.encode() + member.protocol.value + body + b"}"
                )
            if self._flush is None:  # quiet until now: at once, and a window opens
                if not member.sink.write_frame(frame):
                    self.leave(member, Ended.COMPLETE)  # the socket is closing
                    continue
            else:
                self._pending.setdefault(member, []).append(frame)
            if member.on_sent is not None:
                member.on_sent(codes)
        if self._flush is None:
            self._open_window()

    def _open_window(self) -> None:
        self._flush = asyncio.get_running_loop().call_later(
            self.fanout.coalesce_seconds, self.flush
        )

    def flush(self) -> None:
        """Write what waits for each member in one write; a window stays open while there was."""
        self._flush = None
        pending, self._pending = self._pending, {}
        for member, frames in pending.items():
            self._write(member, frames)
        if pending and self.members:
            self._open_window()

    def _write(self, member: Member, frames: list[bytes]) -> None:
        if member.ended.done():
            return
        session = member.session
        if session is not None and session.revoked:
            self.leave(member, Ended.COMPLETE)
            return
        if not member.sink.write_frame(frames[0] if len(frames) == 1 else b"".join(frames)):
            self.leave(member, Ended.COMPLETE)

    def leave(self, member: Member, outcome: Outcome) -> None:
        frames = self._pending.pop(member, None)
        if outcome is Ended.LAGGING:
            metrics.subscribers_lagging_total += 1
            if frames:
                self._write(member, frames)  # what it was sent comes before being told
        member.end(outcome)
        self.members.pop(member, None)
        if not self.members:
            self.fanout.dissolve(self, Ended.COMPLETE)

    def close(self) -> None:
        """Before the members are told how it ended: what waits for them is written."""
        if self._flush is not None:
            self._flush.cancel()
        pending, self._pending = self._pending, {}
        for member, frames in pending.items():
            self._write(member, frames)


class Fanout:
    """The groups of this process (one per `CertsGraphQL` view)."""

    def __init__(self, schema: Any, make_context: Callable[[Principal], Context]) -> None:
        self.schema = schema
        self._make_context = make_context
        self.groups: dict[GroupKey, Group] = {}
        self.max_buffered_bytes = MAX_BUFFERED_BYTES
        self.coalesce_seconds = COALESCE_SECONDS

    def member(
        self,
        context: Context,
        websocket: Any,
        protocol: Wire,
        operation_id: str,
        request: dict[str, Any],
        on_sent: Callable[[list[str]], None] | None = None,
    ) -> Member | None:
        """A member for this subscription, or None when it must run on its own: no caller, a
        socket without a `FrameSink`, not a subscription, or an id that cannot go in a frame as
        is."""
        principal = context.principal
        sink = _sink_of(websocket)
        if principal is None or sink is None:
            return None
        if not operation_id.isprintable() or '"' in operation_id or "\\" in operation_id:
            return None
        operation = _subscription(request)
        if operation is None:
            return None
        name = operation.name.value if operation.name is not None else None
        return Member(operation_id, principal, context.session, sink, protocol, name, on_sent)

    async def follow(self, member: Member, request: dict[str, Any]) -> Outcome:
        """Join the group of `member`'s question until the member's subscription ends; leaves the
        group when cancelled (the client stopped it)."""
        self.join(member, request)
        try:
            return await member.ended
        finally:
            self.leave(member)

    def join(self, member: Member, request: dict[str, Any]) -> "Group":
        """Add `member` to the group of its question (made if there is none). From here the
        group writes to it; `member.ended` says how it ended, unless `leave` ends it first."""
        key: GroupKey = (
            request["query"],
            request["operation_name"],
            variables_key(request["variables"]),
            member.principal.visibility,
        )
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(
                self, key, self._make_context(member.principal), request
            )
        group.members[member] = None
        member.group = group
        return group

    def leave(self, member: Member) -> None:
        """The member's subscription was stopped (by its client, or its socket closed)."""
        group = member.group
        if group is not None and member in group.members:
            group.leave(member, Ended.COMPLETE)

    def dissolve(self, group: Group, outcome: Outcome) -> None:
        """The group ends: its members are told `outcome`; the next subscriber starts anew."""
        if self.groups.get(group.key) is group:
            del self.groups[group.key]
        group.close()
        members, group.members = list(group.members), {}
        if outcome is Ended.LAGGING and len(members) > 1:
            # The bus counted the group's own subscription once; each member was told.
            metrics.subscribers_lagging_total += len(members) - 1
        for member in members:
            member.end(outcome)
        if not group.task.done() and group.task is not asyncio.current_task():
            group.task.cancel()


def variables_key(variables: Any) -> str:
    """The variables as they count in a group's key: sorted JSON, a `str` of its own size.

    Not orjson's `bytes`: orjson allocates 4 KiB for any output and keeps that allocation in the
    object it returns (3.13: 4.4 KiB traced for `orjson.dumps(None)`, whose `sys.getsizeof` is 37),
    and every member's `follow` holds its key while the subscription lives: 4 KiB per idle
    subscriber (`python -m bench.breakdown`; docs/performance.md, "Memory per idle subscriber").
    """
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return repr(variables)


def _not_a_members_operation() -> None:
    current_operation.set(None)
    current_request_id.set(None)
    sql_counter_off()


def _lagging(result: Any) -> bool:
    errors = getattr(result, "errors", None) or ()
    return any((error.extensions or {}).get("code") == SUBSCRIPTION_LAGGING for error in errors)


def _sink_of(websocket: Any) -> FrameSink | None:
    scope = getattr(getattr(websocket, "ws", None), "scope", None)
    if not isinstance(scope, dict):
        return None
    sink: FrameSink | None = (scope.get("extensions") or {}).get(FRAMES_EXTENSION)
    return sink


def _subscription(request: dict[str, Any]) -> OperationDefinitionNode | None:
    """The subscription operation `request` runs; None for anything else, or a document that does
    not parse (it runs on its own, and the schema answers)."""
    query = request.get("query")
    if not isinstance(query, str) or len(query) > MAX_GROUPED_QUERY_CHARS:
        return None
    try:
        operation = get_operation_ast(parse(query), request.get("operation_name"))
    except GraphQLError:
        return None
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    return operation
