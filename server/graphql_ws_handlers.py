"""Strawberry's two WebSocket protocol handlers, with what production sockets need on top:

- **Keep-alive through idle proxies.** Proxies and load balancers cut a connection with no
  traffic after a while (often 60 s), and a subscription waiting for a reviewer is quiet for
  hours. On `graphql-transport-ws` the server sends the protocol's own `ping` after
  `keep_alive_interval` idle seconds (clients answer `pong`, as the protocol requires); on the
  legacy `graphql-ws` Strawberry sends `ka` at that interval. Application messages cross every
  proxy hop, unlike WebSocket ping frames, which a terminating proxy may answer itself (uvicorn
  sends those too, see `certs serve`).
- **A cap on operations per connection**, refused with a clean, Spanish `error` message for that
  operation id (code `TOO_MANY_SUBSCRIPTIONS`); the socket and its other subscriptions go on.
- **An init timeout on the legacy protocol too**: a socket that never authenticates is closed
  (4408), as `graphql-transport-ws` already does.
- **A log line per operation** (`server.ws_operations`): a subscription's when it ends, a query's
  or mutation's once answered, on both protocols.
- **Subscriptions in groups** (`server.fanout`): on a socket that takes ready frames, a
  subscription joins the group asking the same question with the same visibility, which
  executes once per event and writes each member's frame; the operation itself only waits for
  how it ends and says so (SUBSCRIPTION_LAGGING, the schema's refusal, `complete`). On
  `graphql-transport-ws` it does not even wait in a task of its own: it is a registration in the
  handler's operations and the group, told its end by a callback (2.5 KiB less per idle
  subscriber, docs/performance.md, "Memory per idle subscriber").
"""

import asyncio
import contextlib
import functools
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    CompleteMessage as LegacyCompleteMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ErrorMessage,
    OperationMessage,
    StartMessage,
    StopMessage,
)
from strawberry.types.execution import ExecutionResult

from resolvers.context import Context
from resolvers.status_events import lagging_error
from server.fanout import Ended, Fanout, Member, Outcome, Refused, Wire
from server.socket_limits import TOO_MANY_SOCKETS_CLOSE_CODE, TooManySockets
from server.ws_operations import ERROR, SERVER, OperationLog, SocketOperation

TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"


def subscription_limit_error(limit: int) -> GraphQLError:
    return GraphQLError(
        f"Demasiadas suscripciones abiertas en esta conexión (el máximo es {limit}). "
        "Cierra alguna antes de abrir otra.",
        extensions={"code": TOO_MANY_SUBSCRIPTIONS},
    )


def group_member(
    handler: Any,
    wire: Wire,
    operation_id: str,
    request: dict[str, Any],
) -> Member | None:
    """A member of a subscription group for this operation, or None: it runs on its own."""
    fanout: Fanout | None = getattr(handler.view, "fanout", None)
    if fanout is None:
        return None
    record: SocketOperation | None = handler.operation_log.running(operation_id)
    member = fanout.member(
        handler.context,
        handler.websocket,
        wire,
        operation_id,
        request,
        record.counted if record is not None else None,
    )
    if member is not None and record is not None:
        record.operation["type"] = "subscription"
        record.operation["name"] = member.name
    return member


def fanout_of(handler: Any) -> Fanout:
    """The subscription groups of the handler's view (it made a member: it has them)."""
    fanout: Fanout = handler.view.fanout
    return fanout


async def follow(handler: Any, member: Member, request: dict[str, Any]) -> Outcome:
    return await fanout_of(handler).follow(member, request)


async def answer_end(operation: Operation[Context, None], outcome: Outcome) -> None:
    """How a member's subscription ended, told on `graphql-transport-ws`: the schema's refusal,
    or SUBSCRIPTION_LAGGING then `complete`, or `complete`."""
    if isinstance(outcome, Refused):
        await operation.send_initial_errors(outcome.errors)
        return
    if outcome is Ended.LAGGING:
        await operation.send_next(ExecutionResult(data=None, errors=[lagging_error()]))
    await operation.send_operation_message({"id": operation.id, "type": "complete"})


def socket_ended(view: object, context: Context) -> None:
    """The socket ended: the view (`CertsGraphQL`) stops counting it against its token and stops
    checking its session for revocation (`server.live_sessions`)."""
    ended = getattr(view, "socket_ended", None)
    if ended is not None:
        ended(context)


def operation_log(view: object) -> OperationLog:
    """The log of a socket's operations, which count in the view's metrics (`CertsGraphQL`)."""
    return OperationLog(getattr(view, "metrics", None))


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """`graphql-transport-ws`: pings an idle client, refuses operations past the cap cleanly.

    The keep-alive is a timer, not a task per socket: a socket is idle nearly all its life, and a
    sleeping task (with its coroutine and future) cost about 1 KiB per subscriber.
    """

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            socket_ended(self.view, self.context)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ping_timer: asyncio.TimerHandle | None = None
        self._ping_sending: asyncio.Task[None] | None = None
        self._last_sent = 0.0
        self.operation_log = operation_log(self.view)
        #: Subscriptions answered by a group, by operation id: no task of their own.
        self._members: dict[str, Member] = {}
        #: The tasks telling members how they ended, while they do (an empty set is 0.2 KiB).
        self._answering: set[asyncio.Task[None]] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await self._init_connection(message)
        # Strawberry cancelled its init watchdog; drop the finished task rather than keep it.
        self.connection_init_timeout_task = None
        interval = self.view.keep_alive_interval
        if self.connection_acknowledged and self.view.keep_alive and interval:
            self._schedule_ping(interval)

    async def _init_connection(self, message: ConnectionInitMessage) -> None:
        """Strawberry's `handle_connection_init`, except that a socket refused for the per-token
        limit is closed with 4429 and a reason naming the limit, not a bare 4403 "Forbidden"."""
        payload = message.get("payload", {})
        if (
            self.connection_timed_out
            or self.connection_init_received
            or not isinstance(payload, dict)
        ):
            await super().handle_connection_init(message)
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        self.connection_init_received = True
        self.context.connection_params = payload
        try:
            await self.view.on_ws_connect(self.context)
        except TooManySockets as refusal:
            await self.websocket.close(code=TOO_MANY_SOCKETS_CLOSE_CODE, reason=refusal.reason)
            return
        except ConnectionRejectionError:
            await self.websocket.close(code=4403, reason="Forbidden")
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            error = subscription_limit_error(limit)
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        if not self._join_group(message):
            await super().handle_subscribe(message)

    def _join_group(self, message: SubscribeMessage) -> bool:
        """A subscription that a group answers joins it here and has no task of its own: the
        group writes its results, and `_member_ended` answers how it ended. False when it must
        run as Strawberry runs it (not a group's, or a subscribe Strawberry refuses)."""
        operation_id = message["id"]
        if not self.connection_acknowledged or operation_id in self.operations:
            return False  # Strawberry closes the socket
        payload = message["payload"]
        variables = payload.get("variables")
        name = payload.get("operationName")
        request = {"query": payload["query"], "variables": variables, "operation_name": name}
        member = group_member(self, Wire.TRANSPORT_WS, operation_id, request)
        if member is None:
            return False
        record = self.operation_log.begin(operation_id, name)
        record.operation["type"] = "subscription"
        record.operation["name"] = member.name
        member.on_sent = record.counted
        group = fanout_of(self).join(member, request)
        # The group's copy of the document, not this message's: one per group, not per member.
        query = group.key[0]
        self.operations[operation_id] = Operation(self, operation_id, query, variables, name)
        self._members[operation_id] = member
        member.ended.add_done_callback(functools.partial(self._member_ended, operation_id))
        return True

    def _member_ended(self, operation_id: str, ended: "asyncio.Future[Outcome]") -> None:
        member = self._members.pop(operation_id, None)
        operation = self.operations.get(operation_id)
        if member is None or operation is None:
            return  # stopped by the client or the socket's end: `cleanup_operation` logged it
        task = asyncio.create_task(self._answer_end(operation, ended.result()))
        if self._answering is None:
            self._answering = set()
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def _answer_end(self, operation: Operation[Context, None], outcome: Outcome) -> None:
        """As `_run_operation` ends a member's subscription, for a member without a task."""
        record = self.operation_log.running(operation.id)
        how = ERROR
        try:
            if self.operations.get(operation.id) is operation:  # not closed meanwhile
                await answer_end(operation, outcome)
            how = SERVER
        except Exception as error:
            await self.handle_task_exception(error)
        finally:
            if self.operations.get(operation.id) is operation:
                del self.operations[operation.id]
            if record is not None:
                self.operation_log.finish(record, self.context, how)

    async def cleanup_operation(self, operation_id: str) -> None:
        member = self._members.pop(operation_id, None)
        operation = self.operations.get(operation_id)
        if operation is None or operation.task is not None:
            await super().cleanup_operation(operation_id)
            return
        # A member: stopped by its client, or its socket closed (the reason is in its record).
        del self.operations[operation_id]
        if member is None:
            return  # its end is being answered (`_answer_end` logs it)
        fanout_of(self).leave(member)
        record = self.operation_log.running(operation_id)
        if record is not None:
            self.operation_log.finish(record, self.context, ERROR)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """An operation no group answers (`_join_group` took the group's at `subscribe`): as
        Strawberry runs it, in a task of its own, logged."""
        await self.operation_log.run(
            self.context, operation.id, operation.operation_name, super().run_operation(operation)
        )

    async def handle_complete(self, message: CompleteMessage) -> None:
        self.operation_log.stopped(message["id"])
        await super().handle_complete(message)

    async def send_message(self, message: Message) -> None:
        self._last_sent = asyncio.get_running_loop().time()
        self.operation_log.sent(message)
        await super().send_message(message)

    async def shutdown(self) -> None:
        self.operation_log.socket_closed()
        if self._ping_timer is not None:
            self._ping_timer.cancel()
            self._ping_timer = None
        if self._ping_sending is not None:
            self._ping_sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ping_sending
        await super().shutdown()

    def _schedule_ping(self, delay: float) -> None:
        self._ping_timer = asyncio.get_running_loop().call_later(delay, self._ping_if_idle)

    def _ping_if_idle(self) -> None:
        interval = self.view.keep_alive_interval or 0.0
        idle = asyncio.get_running_loop().time() - self._last_sent
        if idle >= interval:
            if self._ping_sending is None:
                self._ping_sending = asyncio.create_task(self._send_ping())
            idle = 0.0
        self._schedule_ping(interval - idle)

    async def _send_ping(self) -> None:
        """Held in `_ping_sending` only while in flight: a finished task kept until the next ping
        would cost every idle socket about 0.5 KiB."""
        try:
            # A failure means the socket is gone: the read loop notices and shuts the handler down.
            with contextlib.suppress(Exception):
                await self.send_message({"type": "ping"})
        finally:
            self._ping_sending = None


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """`graphql-ws` (subscriptions-transport-ws): the init timeout and the clean cap refusal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operation_log = operation_log(self.view)

    async def handle(self) -> None:
        timeout = self.view.connection_init_wait_timeout.total_seconds()
        watchdog = asyncio.create_task(self._close_unless_acknowledged(after=timeout))
        try:
            await super().handle()
        finally:
            socket_ended(self.view, self.context)
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def handle_start(self, message: StartMessage) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message["id"] not in self.tasks
            and len(self.tasks) >= limit
        ):
            error = subscription_limit_error(limit)
            await self.send_message(
                {"type": "error", "id": message["id"], "payload": error.formatted}
            )
            return
        await super().handle_start(message)

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        request = {"query": query, "variables": variables, "operation_name": operation_name}
        work = self._run_grouped_or_alone(operation_id, request)
        await self.operation_log.run(self.context, operation_id, operation_name, work)

    async def _run_grouped_or_alone(self, operation_id: str, request: dict[str, Any]) -> None:
        member = group_member(self, Wire.LEGACY_WS, operation_id, request)
        if member is None:
            await super().handle_async_results(
                operation_id, request["query"], request["operation_name"], request["variables"]
            )
            return
        # As Strawberry's `handle_async_results` ends each way (its messages, its bookkeeping).
        try:
            outcome = await follow(self, member, request)
            if isinstance(outcome, Refused):
                error = ErrorMessage(
                    type="error", id=operation_id, payload=outcome.errors[0].formatted
                )
                await self.send_message(error)
                return
            if outcome is Ended.LAGGING:
                lagging = ExecutionResult(data=None, errors=[lagging_error()])
                await self.send_data_message(lagging, operation_id)
            await self.send_message(LegacyCompleteMessage(type="complete", id=operation_id))
        except asyncio.CancelledError:
            await self.send_message(LegacyCompleteMessage(type="complete", id=operation_id))
        finally:
            self.subscriptions.pop(operation_id, None)
            self.tasks.pop(operation_id, None)

    async def handle_stop(self, message: StopMessage) -> None:
        self.operation_log.stopped(message["id"])
        await super().handle_stop(message)

    async def send_message(self, message: OperationMessage) -> None:
        self.operation_log.sent(message)
        await super().send_message(message)

    async def cleanup(self) -> None:
        self.operation_log.socket_closed()
        await super().cleanup()

    async def _close_unless_acknowledged(self, after: float) -> None:
        await asyncio.sleep(after)
        if not self.connection_acknowledged:
            with contextlib.suppress(Exception):
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")
