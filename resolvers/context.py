"""What every resolver sees in `info.context`: the caller, the dependencies and per-request loaders."""

from dataclasses import dataclass, field, replace
from typing import Any

from strawberry.types import Info

from resolvers.loaders import Loaders
from services.dependencies import Dependencies
from services.principal import Principal, require_principal


@dataclass
class Context:
    deps: Dependencies
    public_base_url: str
    principal: Principal | None = None
    loaders: Loaders = field(default_factory=Loaders)
    #: Set by Strawberry from the WebSocket `connection_init` payload.
    connection_params: dict[str, Any] | None = None
    request: Any = None
    response: Any = None
    #: The token digest a WebSocket is counted under (server.socket_limits), released at its end.
    socket_token: str | None = None
    #: A socket's `server.live_sessions.LiveSession`: closed (and delivering nothing) once its
    #: token is revoked or expires.
    session: Any = None

    def for_operation(self) -> "Context":
        """A socket's context for one of its operations: the same caller, loaders of its own
        (loaders live per operation, and per event in a subscription, never per connection)."""
        return replace(self, loaders=Loaders())


AppInfo = Info[Context, None]


def require_caller(info: AppInfo) -> Principal:
    """The authenticated caller; raises the domain's UNAUTHENTICATED error when there is none."""
    return require_principal(info.context.principal)
