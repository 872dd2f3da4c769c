"""LeanResolvers: a field with a resolver but no arguments and no field extension calls its
resolver directly, without Strawberry's per-call chain.

**Why.** For every field with a resolver, Strawberry's `GraphQLCoreConverter.from_resolver` wraps
it in a chain that runs on every call: an `Info` object (made whether the resolver asks for it or
not), `get_arguments` (argument conversion, even for a field without arguments), a closure over
the converted arguments, `functools.reduce`/`partial` over the field's extensions (none here),
`StrawberryResolver.__call__`, and, for an `async def` resolver, a second coroutine
(`await_maybe`) around the resolver's own. A reviewer queue page of 50 has 451 such fields
(`company`, `documents`, `history`, `certificate`, `expectedDecisionBy`, `isOverdue`,
`downloadUrl`), none of them with arguments. For those fields, when the schema has no exception
handler, all that chain does is call the resolver with the source as `self` (or as `root` /
`parent`) and the `Info` when it asks for one; `lean_resolvers` gives each such field of the
built schema a resolver doing only that. Fields with arguments or field extensions keep
Strawberry's resolver (their arguments need converting), and so do fields without a resolver
(Strawberry already reads those with a bare `getattr`).

**Measured alone** (the reviewer queue page of 50 in-process on SQLite, this patch off and on
taking turns for 40 rounds of 10 pages, `time.process_time`; 2026-12-01 10:59-11:01 UTC, load
average 7.4-7.7): the median of the rounds' ratios on/off **0.944 and 0.948** in two runs, about
**5 % of the page's CPU** (fastest rounds 20.4 → 19.0 ms and 21.1 → 20.2 ms); a third run at load
average 3.6 (11:18): 0.937. A bare `getattr` for fields without a resolver too was measured the
same way and did not pay (0.998, 0.983; docs/performance.md, "Tried, and did not pay"). `python -m
bench.inprocess` shows it as the row "+ lean resolvers" against the row above it.

**Re-measured after the execution plans** (issue 18, seventh pass; everything on against
everything on but this patch, its plans kept apart: the row "GraphQL, now but Strawberry's
resolver chain" of `python -m bench.inprocess --database postgres --rounds 30 --calls 10 --last
1`, and of `--page tracking`; 2026-12-01 16:38-16:41 UTC, load average 1.3-2.1): the median of
the rounds' ratios off/on **1.089** on PostgreSQL and **1.056** on SQLite for the queue page of
50, **1.009 and 1.021** for the tracking request on PostgreSQL. Still 5-9 % of the page: kept.

**Upstream.** No issue exists; the text to file is docs/performance/upstream/
strawberry-lean-resolvers.md.

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

#: What this module relies on: what Strawberry's `from_resolver` passes a resolver (the source as
#: `self`, `root` or `parent`, `config.info_class(_raw_info=..., _field=...)` as its info
#: parameter, the converted arguments), its `exception_handlers`, and the
#: `DEFINITION_BACKREF` linking a graphql-core type to its Strawberry definition.
CHECKED_AGAINST: Mapping[str, str] = {"strawberry-graphql": "0.341.2"}

#: Each field given a lean resolver, and the resolver Strawberry gave it (to switch back).
Replaced = list[tuple[GraphQLField, Callable[..., Any]]]


def _lean(field: StrawberryField, info_class: type[Any]) -> Callable[..., Any] | None:
    """The direct call of `field`'s resolver, or None when Strawberry's chain does more."""
    resolver = field.base_resolver
    if resolver is None or field.extensions or field.arguments:
        return None
    call = resolver.wrapped_func
    if not callable(call):
        return None  # Strawberry's chain raises its UncallableResolverError
    self_parameter = resolver.self_parameter is not None
    source_names = tuple(
        parameter.name
        for parameter in (resolver.root_parameter, resolver.parent_parameter)
        if parameter is not None
    )
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def lean(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        kwargs = {name: source for name in source_names}
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)
        if self_parameter:
            return call(source, **kwargs)
        return call(**kwargs)

    lean._is_default = False  # type: ignore[attr-defined]  # as Strawberry marks a resolver
    return lean


def schema_fields(
    schema: strawberry.Schema,
) -> Iterator[tuple[GraphQLField, StrawberryField]]:
    """Every field of the schema's object types with its Strawberry field, subscription fields
    left out (their resolver is Strawberry's subscription machinery)."""
    name_of = schema.config.name_converter.get_graphql_name
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        definition = (graphql_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        for field in definition.fields:
            graphql_field = graphql_type.fields.get(name_of(field))
            if graphql_field is not None and graphql_field.subscribe is None:
                yield graphql_field, field


def replace_resolvers(
    schema: strawberry.Schema,
    resolver_for: Callable[[GraphQLField, StrawberryField], Callable[..., Any] | None],
) -> Replaced:
    """Give each field of `schema` the resolver `resolver_for` makes for it (None: keep its own);
    return what was replaced. Nothing when the schema has exception handlers (Strawberry's chain
    applies them)."""
    if schema.schema_converter.exception_handlers:
        return []
    replaced: Replaced = []
    for graphql_field, field in schema_fields(schema):
        resolver = resolver_for(graphql_field, field)
        if resolver is not None and graphql_field.resolve is not None:
            replaced.append((graphql_field, graphql_field.resolve))
            graphql_field.resolve = resolver
    return replaced


def lean_resolvers(schema: strawberry.Schema) -> Replaced:
    """Give every field of `schema` that has a resolver, no arguments and no field extension a
    resolver calling it directly; return what was replaced."""
    info_class = schema.config.info_class
    return replace_resolvers(schema, lambda _, field: _lean(field, info_class))


def restore(replaced: Replaced) -> None:
    """Strawberry's resolvers back (the benchmark's A/B)."""
    for graphql_field, original in replaced:
        graphql_field.resolve = original
