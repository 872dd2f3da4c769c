"""Open WebSocket connections per token: one token cannot hold thousands of sockets open.

Counted per process from the moment a socket authenticates until its handler shuts down. The key
is a digest of the token, so the table never holds a credential.
"""

import hashlib

from strawberry.exceptions import ConnectionRejectionError

from domain.enums import ErrorCode

TOO_MANY_SOCKETS = ErrorCode.TOO_MANY_SOCKETS.value
#: The close code of a socket refused for the limit (4429, as graphql-transport-ws uses for "too
#: many initialisation requests"), with a reason naming the limit.
TOO_MANY_SOCKETS_CLOSE_CODE = 4429


class TooManySockets(ConnectionRejectionError):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reason = f"Demasiadas conexiones abiertas con este token (máximo {limit})."
        super().__init__(
            {"message": self.reason, "extensions": {"code": TOO_MANY_SOCKETS, "limit": limit}}
        )


def token_key(header: str) -> str:
    return hashlib.sha256(header.encode()).hexdigest()[:32]


class SocketsPerToken:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}

    def open(self, key: str) -> None:
        """Counts one more socket for `key`, or raises TooManySockets at the limit."""
        count = self._open.get(key, 0)
        if count >= self.limit:
            raise TooManySockets(self.limit)
        self._open[key] = count + 1

    def close(self, key: str) -> None:
        count = self._open.get(key, 0) - 1
        if count > 0:
            self._open[key] = count
        else:
            self._open.pop(key, None)

    def count(self, key: str) -> int:
        return self._open.get(key, 0)
