"""LeafFields: a field without a resolver whose type is a scalar or an enum is read and completed
without a `GraphQLResolveInfo`.

**Why.** graphql-core's `execute_field` builds a `GraphQLResolveInfo` for every field it executes
(15 values, and `to_nodes` copying the field's nodes into a new list), calls the resolver, then
`complete_value` unwraps non-null, checks for null, list, leaf. For a field without a resolver,
Strawberry's resolver (`_get_basic_result` → `StrawberryField.get_result` → `getattr`) ignores the
info, and completing a scalar or an enum never reads it either (only the message of a null in a
non-null field names its type and field). Most of the reviewer queue page's 1,506 fields are such
fields (`id`, `status`, `submittedAt`, `fileName`, …). `leaf_fields` gives each such field of the
built schema a `LeafField` resolver (a bare `getattr`, what Strawberry's resolver does) that
carries its leaf type; `LeafFieldsExecutionContext.execute_field` reads a `LeafField` field and
coerces its value directly, and gives every other field (and any field when middleware is
installed) graphql-core's path. A value that is awaitable, an exception, or null goes the way
graphql-core takes it: awaited and completed with an info, raised as the field's error, refused
in a non-null field with graphql-core's message.

**Measured alone** (the reviewer queue page of 50 in-process on SQLite, this patch off and on
taking turns, `time.process_time`): the median of the rounds' ratios on/off **0.87** (30 rounds
of 10 pages, 2026-12-01 12:44-12:46 UTC, load average 8.8-9.9; fastest rounds 33.3 → 29.9 ms)
and **0.859** (`python -m bench.inprocess --rounds 25 --calls 10`, 13:00-13:06, load average
8-11.5; fastest rounds 38.9 → 34.2 ms): **about 13-14 % of the page's CPU**. 1,103 of the page's
1,506 fields take this path. `python -m bench.inprocess` shows it as the row "+ leaf fields
without an info" against the row above it.

**Upstream.** No issue exists; the text to file is docs/performance/upstream/
graphql-core-info-for-leaf-fields.md.

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

from collections.abc import Mapping
from typing import Any

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from tuning.lean_resolvers import Replaced, replace_resolvers

#: What this module relies on: graphql-core's `execute_field` (what it does around the resolver
#: call: `build_resolve_info`, `complete_awaitable_value`, `complete_value`'s non-null and leaf
#: steps and its message, `complete_leaf_value`, `handle_field_error`, `middleware_manager`), and
#: Strawberry's resolver for a field without one (`is_basic_field`, `default_resolver`, the
#: `DEFINITION_BACKREF` linking a graphql-core type to its Strawberry definition).
CHECKED_AGAINST: Mapping[str, str] = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}


class LeafField:
    """The resolver of a field without one whose type is a scalar or an enum: `getattr`, as
    Strawberry's; the execution context below reads the field without calling it."""

    __slots__ = ("leaf_type", "name", "non_null")

    _is_default = True  # as Strawberry marks the resolver of a field without one

    def __init__(self, name: str, leaf_type: GraphQLLeafType, *, non_null: bool) -> None:
        self.name = name
        self.leaf_type = leaf_type
        self.non_null = non_null

    def __call__(self, source: Any, info: Any, **kwargs: Any) -> Any:
        return getattr(source, self.name)


def _leaf(graphql_field: GraphQLField, field: StrawberryField) -> LeafField | None:
    """The `LeafField` for `graphql_field`, or None when its resolver or type needs more."""
    if not field.is_basic_field or field.default_resolver is not getattr or graphql_field.args:
        return None
    field_type = graphql_field.type
    non_null = isinstance(field_type, GraphQLNonNull)
    leaf_type = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if not isinstance(leaf_type, GraphQLScalarType | GraphQLEnumType):
        return None
    return LeafField(field.python_name, leaf_type, non_null=non_null)


def leaf_fields(schema: strawberry.Schema) -> Replaced:
    """Give every field of `schema` without a resolver whose type is a scalar or an enum a
    `LeafField`; return what was replaced. Nothing when the schema has exception handlers."""
    return replace_resolvers(schema, _leaf)


class LeafFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, reading a `LeafField` field without an info."""

    __slots__ = ()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        leaf = field_def.resolve if field_def is not None else None
        middleware = self.middleware_manager
        if (
            field_def is None
            or type(leaf) is not LeafField
            or node.arguments
            or (middleware is not None and middleware.middlewares)
        ):
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        try:
            result = getattr(source, leaf.name)
            if self.is_awaitable(result):
                info = self.build_resolve_info(
                    field_def, to_nodes(field_details_list), parent_type, path
                )
                return self.complete_awaitable_value(
                    field_def.type, field_details_list, info, path, result, position_context
                )
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                if leaf.non_null:
                    msg = (
                        "Cannot return null for non-nullable field"
                        f" {parent_type}.{node.name.value}."
                    )
                    raise TypeError(msg)
                return None
            return self.complete_leaf_value(leaf.leaf_type, result)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_def.type, field_details_list, path)
            return None
