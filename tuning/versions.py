"""The library versions each piece of tuning was checked against; any other refuses to start.

Every module of this package relies on a library's internals that a release may change without
notice, and names the versions it was read against in its `CHECKED_AGAINST`. So do two modules
outside it, which are not patches but lean on a library's internals all the same:
`server/tracing.py` (spans around Tortoise's SQLite client methods, by their names) and
`server/fanout.py` with `server/graphql_ws_handlers.py` (subscription groups: they reproduce the
ends of Strawberry's two protocol handlers — `run_operation`, `handle_async_results`, the messages
they send and the bookkeeping they release — and reach the Starlette `WebSocket` under Strawberry's
adapter; `tuning.light_ws_protocol.write_frame` writes the group's ready frames; on
`graphql-transport-ws` a member is an `Operation` without a task in the handler's `operations`,
which `cleanup_operation` removes: docs/performance/upstream/strawberry-subscription-without-task.md).

`constraints.txt` pins the same versions (tests/tuning/test_versions.py checks they agree). To
upgrade a library: read the notes of every patch that names it against the new release, rerun
their tests and their benchmark (`python -m bench.tuning`, docs/performance.md), then change the
patch's `CHECKED_AGAINST` and the pin together.
"""

import functools
from collections.abc import Callable, Mapping
from importlib.metadata import version

from tuning import (
    acyclic_executor,
    direct_socket,
    document_limits,
    execution_plans,
    leaf_fields,
    lean_resolvers,
    light_ws_protocol,
    shared_event_results,
    statement_count,
)

#: Each patch (its module) and the library versions it was checked against.
PATCHES: Mapping[str, Mapping[str, str]] = {
    "tuning.shared_event_results": shared_event_results.CHECKED_AGAINST,
    "tuning.document_limits": document_limits.CHECKED_AGAINST,
    "tuning.lean_resolvers": lean_resolvers.CHECKED_AGAINST,
    "tuning.leaf_fields": leaf_fields.CHECKED_AGAINST,
    "tuning.execution_plans": execution_plans.CHECKED_AGAINST,
    "tuning.light_ws_protocol": light_ws_protocol.CHECKED_AGAINST,
    "tuning.direct_socket": direct_socket.CHECKED_AGAINST,
    "tuning.acyclic_executor": acyclic_executor.CHECKED_AGAINST,
    "tuning.statement_count": statement_count.CHECKED_AGAINST,
    # SQLITE_EXECUTE_METHODS: the names of Tortoise's SQLite client methods it wraps.
    "server.tracing": {"tortoise-orm": "1.1.9"},
    # Subscription groups: Strawberry's protocol handlers' ends, Starlette's WebSocket under them.
    "server.fanout": {"strawberry-graphql": "0.341.2", "starlette": "1.10.0"},
}


class UncheckedLibraryVersion(RuntimeError):
    """A library some tuning relies on is at a version it was not checked against."""


def checked_versions(patches: Mapping[str, Mapping[str, str]] = PATCHES) -> dict[str, str]:
    """The one version of each library that every patch naming it was checked against."""
    checked: dict[str, str] = {}
    for patch, libraries in patches.items():
        for name, wanted in libraries.items():
            if checked.setdefault(name, wanted) != wanted:
                raise UncheckedLibraryVersion(
                    f"{patch} was checked against {name} {wanted}, another patch against "
                    f"{checked[name]}: check both against one version"
                )
    return checked


CHECKED_VERSIONS: Mapping[str, str] = checked_versions()


@functools.cache
def installed_version(name: str) -> str:
    """The installed version of `name`, read once per process (a process runs the modules it
    imported, whatever is installed after it started). Reading it parses the package's METADATA
    file, about 0.7 ms: for six libraries, 4 of the 5 ms `create_app` took for an app of the
    tests on a prebuilt schema, and the suite builds hundreds."""
    return version(name)


def require_checked_versions(
    installed: Callable[[str], str] = installed_version,
    patches: Mapping[str, Mapping[str, str]] = PATCHES,
) -> None:
    """Raise UncheckedLibraryVersion, naming every mismatch and the patches relying on it,
    unless every installed version is the one its patches were checked against."""
    wrong = []
    for name, checked in checked_versions(patches).items():
        found = installed(name)
        if found != checked:
            users = ", ".join(patch for patch, libraries in patches.items() if name in libraries)
            wrong.append(f"{name} {found} (checked: {checked}, by {users})")
    if wrong:
        raise UncheckedLibraryVersion(
            f"refusing to start: {'; '.join(wrong)}; see tuning/versions.py before upgrading"
        )
