"""The library versions our performance work was checked against; any other refuses to start.

Each of these modules relies on internals that a release may change without notice:

- `schema/execution.py` (SharedEventResultsExecutionContext): graphql-core's per-event executor
  (`build_per_event_executor`, `_relevant_sub_fields`) and the attributes graphql-core and
  Strawberry set on it (its `__slots__`).
- `schema/extensions.py` (DocumentLimits): Strawberry's `parse_options` and `validation_rules` on
  the execution context.
- `server/uvicorn_websocket.py` (LightWSProtocol): uvicorn's wsproto protocol and the wsproto
  connection it drives; `write_frame` writes whole frames to its transport past `send` (its
  `handshake_complete`, `close_sent`, `transport`).
- `server/fanout.py` and `server/graphql_ws_handlers.py` (subscription groups): the ends of
  Strawberry's two protocol handlers (`run_operation`, `handle_async_results`, the messages they
  send and the bookkeeping they release), reproduced for a grouped subscription; the Starlette
  `WebSocket` under Strawberry's adapter (`ws.scope`).
- `server/direct_socket.py`: how Starlette matches a route's path below its mount point.

`constraints.txt` pins the same versions (tests/server/test_tuning_versions.py checks they
agree). To upgrade one: read the module's notes against the new release, rerun its test and the
benchmark (`python -m bench`), then change both pins.
"""

from collections.abc import Callable, Mapping
from importlib.metadata import version

CHECKED_VERSIONS: Mapping[str, str] = {
    "graphql-core": "3.3.2",
    "starlette": "1.10.0",
    "strawberry-graphql": "0.341.2",
    "uvicorn": "0.54.0",
    "wsproto": "1.3.2",
}


class UncheckedLibraryVersion(RuntimeError):
    """A library our performance work patches is at a version it was not checked against."""


def require_checked_versions(installed: Callable[[str], str] = version) -> None:
    """Raise UncheckedLibraryVersion, naming every mismatch, unless all versions are checked."""
    wrong = {
        name: installed(name)
        for name, checked in CHECKED_VERSIONS.items()
        if installed(name) != checked
    }
    if wrong:
        found = ", ".join(
            f"{name} {found} (checked: {CHECKED_VERSIONS[name]})" for name, found in wrong.items()
        )
        raise UncheckedLibraryVersion(
            f"refusing to start: {found}; see server/tuning/versions.py before upgrading"
        )
