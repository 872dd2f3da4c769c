"""What the request being served carries down to the schema's extensions and up to the logs: its
request id and its operation. A module of its own, with nothing to import, so that the logs
(server.logs, which every `certs` command configures) do not import Strawberry to read them."""

from contextvars import ContextVar

#: The request id of the HTTP request or WebSocket connection being served (server.request_id
#: sets it), quoted in masked errors.
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
#: Filled by OperationRecorder for whoever set it (the HTTP view): the operation's name and type.
current_operation: ContextVar[dict[str, str | None] | None] = ContextVar(
    "current_operation", default=None
)
