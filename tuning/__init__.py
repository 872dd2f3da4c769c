"""Tuning: every performance patch that leans on a library's internals, one module per patch.

Each module says why it exists (what the server pays without it), what it earned measured alone
(on and off in one run, and the command that measured it), the upstream issue or discussion that
would make it unnecessary, and `CHECKED_AGAINST`: the library versions it was read against.
`tuning.versions` gathers those, and `create_app` refuses to start on any other version.

**Where it sits.** Below the server and the GraphQL layer, which use it (`server/` hands uvicorn
`light_ws_protocol` and puts `direct_socket` outermost; `schema/root.py` builds the schema with
`execution_plans`, `shared_event_results`, `leaf_fields`, `acyclic_executor` and
`document_limits`, then gives its fields `lean_resolvers` and `leaf_fields`; `server/logs.py`
counts each operation's SQL statements through `statement_count`), and above the small parts it
builds on (`events.inbox`).
import-linter's layers contract (`pyproject.toml`) keeps it there: a patch never imports the
server, the schema, a resolver or a service, so the schema needs no patch handed in from above
and the server assembles nothing the schema could not test alone. Anything a patch
must say to people (a refusal's code and Spanish message) is handed to it by the layer that owns
the words (`DocumentLimits(query_too_large=...)`).

**Not here, on purpose** (performance work on supported interfaces, so no patch and no guard of
its own): `schema/extensions.py` `MaskUnexpectedErrors` (Strawberry's public extension hooks;
measured in docs/performance.md all the same), `schema/document_cache.py` (bounded parse and
validation caches on the public hooks), `models/database.py` `PooledConnection` (asyncpg's
documented `connection_class` and `Connection.get_reset_query()`), `server/heap.py` (CPython's
garbage collector). `server/tracing.py` wraps Tortoise's SQLite client methods by name, for
traces rather than speed; `versions.PATCHES` guards it too.

docs/performance.md ("Tuning, patch by patch") has the figures and what was tried and removed;
docs/performance/upstream/ the text of the upstream issues to file where none exists.
"""
