"""The authenticated sockets of this process, checked again while they stay open.

A socket is authenticated once, at `connection_init`; its token may then be revoked, expire, or
its user be deactivated or moved to another company. Each of those closes the socket with 4403:

- a revocation through `certs token revoke`, and a user deactivated or moved through
  `certs user deactivate` / `certs user move` (`services.user_admin`), writes a PRINCIPAL row
  in the event outbox, in the change's own transaction; every
  process's feed reads it (woken through Redis, or at its next poll) and checks that user's sockets
  before delivering any event read after it (`LiveSessions.principals_changed`);
- every `recheck_interval` seconds, all the sockets of the process are checked in bulk (one query
  per 500 tokens): expiry, and changes made to users directly in the database.

A closed session is marked at once, so its subscriptions deliver nothing more even before the
socket has finished closing (`resolvers.status_events`).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from events.metrics import metrics
from services.auth import current_principals
from services.principal import Principal

logger = logging.getLogger(__name__)

#: Close code for a socket whose credentials are no longer valid (as graphql-transport-ws uses).
REVOKED_CLOSE_CODE = 4403
REVOKED_REASON = "Forbidden"


class LiveSession:
    """One authenticated socket: who it is, and how to close it."""

    __slots__ = ("_close", "principal", "revoked", "token_hash")

    def __init__(
        self, token_hash: str, principal: Principal, close: Callable[[], Awaitable[None]]
    ) -> None:
        self.token_hash = token_hash
        self.principal = principal
        self.revoked = False
        self._close = close

    def still(self, principal: Principal | None) -> bool:
        """Whether the principal its token stands for now is the one it was opened as (for what
        may be seen: the user, role and company; not the name)."""
        return principal is not None and (
            principal.user_id,
            principal.role,
            principal.company_id,
        ) == (self.principal.user_id, self.principal.role, self.principal.company_id)

    async def close(self) -> None:
        """Close the socket (4403); `revoked` must be set first."""
        metrics.sockets_revoked_total += 1
        with contextlib.suppress(Exception):  # already closing: nothing to do
            await self._close()


class LiveSessions:
    def __init__(self, now: Callable[[], datetime], recheck_interval: float = 3.0) -> None:
        self._now = now
        self.recheck_interval = recheck_interval
        self._sessions: set[LiveSession] = set()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._sessions)

    def add(self, session: LiveSession) -> None:
        self._sessions.add(session)

    def discard(self, session: LiveSession) -> None:
        self._sessions.discard(session)

    async def principals_changed(self, user_ids: set[int]) -> None:
        """Check again, now, the sockets of these users (a PRINCIPAL event)."""
        await self.recheck([s for s in self._sessions if s.principal.user_id in user_ids])

    async def recheck(self, sessions: list[LiveSession] | None = None) -> int:
        """Close the sockets among `sessions` (default: all) whose principal changed; how many."""
        chosen = list(self._sessions) if sessions is None else sessions
        chosen = [s for s in chosen if not s.revoked]
        if not chosen:
            return 0
        try:
            found = await current_principals({s.token_hash for s in chosen}, now=self._now())
        except Exception:
            logger.exception("live sessions: could not check the open sockets' tokens")
            return 0
        gone = [s for s in chosen if not s.still(found.get(s.token_hash))]
        for session in gone:
            self._sessions.discard(session)
            session.revoked = True  # before any await: nothing more is delivered to it
        for session in gone:
            await session.close()
        if gone:
            logger.info(
                "live sessions: closed %d socket(s) whose token is no longer valid", len(gone)
            )
        return len(gone)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="live-sessions-recheck")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.recheck_interval)
            await self.recheck()
