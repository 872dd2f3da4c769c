"""ExecutionPlans: a query's fields executed from plans kept across requests, not collected anew.

**Why.** For every request graphql-core collects the operation's fields again (its memo of
collected subfields lives for one execution), looks up each field's definition by name, builds a
`GraphQLResolveInfo`, and dispatches on the return type (`is_non_null_type`, `is_list_type`,
`is_leaf_type`, … one `isinstance` after the other) for every value it completes: on the reviewer
queue page of 50 (1,506 fields) and on the tracking query, this generic work is most of what
GraphQL costs beyond the plain endpoint (issue 18's profile). The front end sends the same few
documents again and again, and the schema's parse cache (schema/document_cache.py) hands back the
same `DocumentNode` for the same text: what is collected, and each field's definition, resolver,
constant arguments and the completion of its type, are the same from one request to the next.

`PlannedExecutionContext` keeps, per cached operation, the root field set and, per (parent type,
field), a `FieldPlan`: response key, field definition, resolver, field nodes, the arguments when
they use no variable, and the return type unwrapped once into a small completer (non-null, list,
leaf with its coercion, object with its field set, abstract). Executing a plan calls no
`collect_fields`, no `get_field`, no type dispatch; an info is built only for a field whose
resolver is called or whose value is awaitable: a `tuning.leaf_fields.LeafField` is read in the
field set's loop, its `Path` made only for an error or an awaitable value, and a Strawberry enum's
name is found by value in a dictionary (Strawberry compares the value with each of the enum's
values in turn). Everything
else is graphql-core's, in graphql-core's order: siblings are started first and then gathered
(DataLoader batching across a list's items depends on it), `is_type_of` and `resolve_type` are
called as there, errors go through `handle_field_error` (null propagation, `error_propagation`,
the same messages). The answer, data and errors, is graphql-core's
(tests/tuning/test_execution_plans.py: Hypothesis differential tests against graphql-core's own
executor on a seeded database, and the cases they may miss).

**Keys.** A plan set is kept per schema and per operation node, referenced weakly (dropped with
its document when the parse cache lets it go; its id checked against the node), with the values
of the variables that @skip/@include read and `hide_suggestions` in the key: what else the
variables change (arguments) is computed per request. Least recently used first out, `MAX_PLANS`
entries, like the document caches. graphql-core's own path, unchanged, for anything else:
mutations (executed serially), subscriptions, middleware, an abort signal, @defer/@stream,
fragment arguments. Two differences a resolver could see, neither read here: a plan reads each
field's resolver when it is made (a schema whose resolvers are swapped afterwards, as
`bench.inprocess`'s switches do, keeps the plans' until they go: its rows switch the plans off
with them), and `info.field_nodes` is the plan's list, the same for every request (graphql-core
copies the nodes into a new list per field).

**Leaf shortcuts.** In the field set's loop a leaf's value of exactly the type its coercion hands
back unchanged (a `str` for String and ID, a `bool` for Boolean: graphql-core's
`serialize_string`, `serialize_id`, `serialize_boolean` begin with that `isinstance`) is the
answer, and a member of a Strawberry enum's own class is answered its name from a dictionary made
with the plan (the name `coerce` below would find); any other value (an `int` in a String field, a
`str` subclass, an enum's raw value) takes the coercion as before. `is_awaitable` is not called for
values of `NOT_AWAITABLE`'s exact types (`dict`, `list`, `None`, `str`, `datetime`, `date`, …: the
results of object and list fields, `is_type_of`'s `bool`, the page's timestamps), which neither
graphql-core's nor Strawberry's `is_awaitable` calls awaitable. On the queue page of 50 (cProfile):
coercions 1,153 -> 201 calls (651 strings and IDs, 301 enum members answered in the loop), and
`is_awaitable` 2,360 -> 405 calls.
Measured alone (rows "+ execution plans" and "+ leaf shortcuts" of `python -m bench.inprocess
--rounds 60 --calls 10 --last 2`, with `--database postgres` for PostgreSQL), the median of the
rounds' ratios on/off: on PostgreSQL 0.942, 0.947, 0.949 (15:50-15:51 UTC, load average 2.1-2.8)
and, after tuning/acyclic_executor.py was merged, 0.971, 0.958, 0.960 (16:04-16:08, load 1.0-2.0):
**about -3 to -5 %** of the page's CPU; on SQLite 0.970, 0.955, 0.971, 0.986, 0.967 (15:43-15:48)
and 0.979, 0.983, 0.983 (16:04-16:08): -2 to -3 %. Kept for PostgreSQL, the production database
(docs/performance.md, "What changed, each measured alone", item 10).

**Measured alone** (off and on taking turns, `time.process_time`, SQLite, 2026-12-01): the
reviewers' queue page of 50 in-process, `python -m bench.inprocess --rounds 30 --calls 10`
(15:28 UTC, load average 2.1-2.4): fastest rounds **12.0 -> 10.4 ms** (8.0 -> 6.9 µs per field;
plain ÷ GraphQL 0.61 -> 0.71), median of the rounds' ratios on/off **0.866** (a run at 15:21,
load 1.6-1.8, before the last small change: 12.1 -> 10.4 ms, 0.886); the tracking request through
`certs serve`'s whole application, `python -m bench.inprocess --page tracking --rounds 30
--calls 20` (15:29, load 2.4): 2.57 -> 2.36 ms, median **0.923** (15:22: 0.931). About
**-12 %** of the queue page's CPU and **-7 to -8 %** of a tracking request's. The rows
"+ execution plans" and "certs serve's application, without execution plans" of those
commands repeat it.

**Upstream.** graphql-core memoizes collected subfields per execution only; the text to file is
docs/performance/upstream/graphql-core-execution-plans.md (related: graphql-jit, which compiles a
query into a function, https://github.com/zalando-incubator/graphql-jit).

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_fields, collect_subfields
from graphql.execution.executor import (
    collect_iterator_awaitables,
    invalid_return_type_error,
    to_nodes,
)
from graphql.execution.values import get_argument_values
from graphql.language import (
    DirectiveNode,
    FieldNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel, is_iterable
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_string
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from tuning.leaf_fields import LeafField

#: What this module relies on: graphql-core's executor (`execute_operation`, `execute_fields`,
#: `execute_field`, `complete_value` and its list, leaf, abstract, object steps, their messages,
#: `handle_field_error`, `build_response`, `finish`, `settle_in_background`, `collect_fields`,
#: `collect_subfields`, `get_argument_values`, the attributes it sets) and `tuning.leaf_fields`.
CHECKED_AGAINST: Mapping[str, str] = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}

#: Plan sets kept per schema (operations × @skip/@include values), least recently used first out.
MAX_PLANS = 256
#: The directives whose presence sends a document to graphql-core's own path.
INCREMENTAL_DIRECTIVES = frozenset({"defer", "stream"})
CONDITIONAL_DIRECTIVES = frozenset({"skip", "include"})
#: Values no `is_awaitable` calls awaitable (exactly these types: a subclass may define
#: `__await__`), checked before calling it for a leaf's value and its coerced value.
PLAIN_VALUES: frozenset[type] = frozenset({str, int, float, bool})
#: Values neither graphql-core's nor Strawberry's `is_awaitable` calls awaitable (exactly these
#: types: builtins and C types without an instance dictionary, none defining `__await__`):
#: checked in line before calling it for every completed value, object and list item.
NOT_AWAITABLE: frozenset[type] = frozenset(
    {type(None), str, int, float, bool, bytes, list, tuple, dict, set, frozenset, datetime, date}
)
#: The output coercions that return a value of exactly this type unchanged (graphql-core's
#: `serialize_string`, `serialize_id`, `serialize_boolean`: each begins with that `isinstance`).
UNCHANGED_OUTPUT: Mapping[Callable[[Any], Any], type] = {
    serialize_string: str,
    serialize_id: str,
    serialize_boolean: bool,
}

Completer = Callable[["PlannedExecutionContext", "FieldPlan", Any, Path, Any], Any]


class FieldPlan:
    """One field of a field set: what graphql-core looks up or computes for it per request."""

    __slots__ = (
        "args",
        "attribute",
        "coerce",
        "complete",
        "details",
        "enum_class",
        "enum_names",
        "field_def",
        "has_args",
        "leaf",
        "name",
        "nodes",
        "non_null",
        "null_message",
        "parent_type",
        "plans",
        "resolve",
        "response_key",
        "return_type",
        "type_name",
        "unchanged",
    )

    def __init__(
        self,
        plans: "OperationPlans",
        parent_type: GraphQLObjectType,
        key: str,
        details: Any,
        *,
        shortcuts: bool = True,
    ) -> None:
        node: FieldNode = details[0].node
        field_def: GraphQLField = plans.schema.get_field(parent_type, node.name.value)  # type: ignore[assignment]
        self.plans = plans
        self.parent_type = parent_type
        self.response_key = key
        self.details: FieldDetailsList = details
        self.nodes = to_nodes(details)
        self.name = node.name.value
        self.field_def = field_def
        self.return_type = field_def.type
        self.resolve = resolve = field_def.resolve
        self.type_name = parent_type.name
        leaf = resolve if type(resolve) is LeafField and not node.arguments else None
        self.leaf = leaf
        self.has_args = bool(field_def.args or node.arguments)
        self.args: dict[str, Any] | None = None if self.has_args else {}
        self.complete: Completer = plans.completer(field_def.type)
        # What a `LeafField` is read with (tuning/leaf_fields.py), in the field set's loop.
        self.attribute = leaf.name if leaf is not None else ""
        self.non_null = isinstance(field_def.type, GraphQLNonNull)
        self.null_message = f"Cannot return null for non-nullable field {parent_type}.{self.name}."
        self.coerce = plans.coercer(leaf.leaf_type) if leaf is not None else None
        # A leaf's value answered in the loop without its coercion's call: a `str` of a String
        # or ID, a `bool` of a Boolean, a member of a Strawberry enum by a dictionary.
        self.unchanged: type | None = None
        self.enum_class: type | None = None
        self.enum_names: dict[Any, str] = {}
        if leaf is not None and shortcuts:
            self.unchanged = UNCHANGED_OUTPUT.get(leaf.leaf_type.coerce_output_value)
            self.enum_class, self.enum_names = _enum_names(leaf.leaf_type)

    def constant_args(self, context: "PlannedExecutionContext") -> None:
        """Compute the arguments once when no variable is in them and no value is mutable."""
        node = self.details[0].node
        if any(_has_variable(argument.value) for argument in node.arguments or ()):
            return
        try:
            args = get_argument_values(
                self.field_def, node, context.variable_values, None, context.hide_suggestions
            )
        except Exception:
            return
        if all(type(value) not in (list, dict) for value in args.values()):
            self.args = args


class OperationPlans:
    """The plans of one operation, for one set of @skip/@include values: its root field set and,
    per field plan and runtime type, the field set of the object it completes to."""

    __slots__ = ("coercers", "completers", "operation", "root", "schema", "subfields")

    def __init__(
        self, schema: GraphQLSchema, operation: "weakref.ref[OperationDefinitionNode]"
    ) -> None:
        self.schema = schema
        #: The operation, weakly (PlanCache): the executions that use the plans pass it in.
        self.operation = operation
        self.root: list[FieldPlan] | None = None
        self.subfields: dict[tuple[int, GraphQLObjectType], tuple[FieldPlan, list[FieldPlan]]] = {}
        self.completers: dict[GraphQLOutputType, Completer] = {}
        self.coercers: dict[GraphQLLeafType, Callable[[Any], Any]] = {}

    def field_set(
        self, context: "PlannedExecutionContext", parent_type: GraphQLObjectType, grouped: Any
    ) -> list[FieldPlan]:
        plans = []
        for key, details in grouped.items():
            if context.schema.get_field(parent_type, details[0].node.name.value) is None:
                continue  # graphql-core leaves it out (Undefined)
            plan = FieldPlan(self, parent_type, key, details, shortcuts=context.leaf_shortcuts)
            if plan.has_args:
                plan.constant_args(context)
            plans.append(plan)
        return plans

    def root_fields(
        self, context: "PlannedExecutionContext", root_type: GraphQLObjectType
    ) -> list[FieldPlan]:
        if self.root is None:
            grouped = collect_fields(
                self.schema,
                context.fragments,
                context.variable_values,
                root_type,
                context.operation,
                context.hide_suggestions,
            ).grouped_field_set
            self.root = self.field_set(context, root_type, grouped)
        return self.root

    def sub_fields(
        self, context: "PlannedExecutionContext", field: FieldPlan, object_type: GraphQLObjectType
    ) -> list[FieldPlan]:
        key = (id(field), object_type)
        found = self.subfields.get(key)
        if found is not None:
            return found[1]
        grouped = collect_subfields(
            self.schema,
            context.fragments,
            context.variable_values,
            context.operation,
            object_type,
            field.details,
            context.hide_suggestions,
        ).grouped_field_set
        plans = self.field_set(context, object_type, grouped)
        self.subfields[key] = (field, plans)  # the plan kept alive with its id
        return plans

    def coercer(self, leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
        """graphql-core's `complete_leaf_value` for `leaf_type`: its value coerced, or its error."""
        found = self.coercers.get(leaf_type)
        if found is None:
            found = self.coercers[leaf_type] = _coercer(leaf_type)
        return found

    def completer(self, return_type: GraphQLOutputType) -> Completer:
        """The completion of `return_type`, unwrapped once."""
        found = self.completers.get(return_type)
        if found is None:
            found = self.completers[return_type] = _completer(self, return_type)
        return found


def _completer(plans: OperationPlans, return_type: GraphQLOutputType) -> Completer:
    """graphql-core's `complete_value` for one type, its dispatch done here once."""
    if isinstance(return_type, GraphQLNonNull):
        inner = plans.completer(return_type.of_type)

        def non_null(
            context: "PlannedExecutionContext", field: FieldPlan, info: Any, path: Path, result: Any
        ) -> Any:
            if isinstance(result, Exception):
                raise result
            completed = inner(context, field, info, path, result)
            if completed is None:
                raise TypeError(field.null_message)
            return completed

        return non_null

    if isinstance(return_type, GraphQLList):
        list_type: GraphQLList[Any] = return_type
        item_type = return_type.of_type
        item = plans.completer(item_type)

        def list_(
            context: "PlannedExecutionContext", field: FieldPlan, info: Any, path: Path, result: Any
        ) -> Any:
            if context.is_async_iterable(result):
                return context.complete_list_value(
                    list_type, field.details, info, path, result, None
                )
            if not is_iterable(result):
                msg = (
                    "Expected Iterable, but did not find one for field"
                    f" '{field.parent_type}.{field.name}'."
                )
                raise GraphQLError(msg)
            return context.complete_planned_list(item_type, item, field, info, path, result)

        return _nullable(list_)

    if isinstance(return_type, GraphQLScalarType | GraphQLEnumType):
        coerce = plans.coercer(return_type)

        def leaf(
            context: "PlannedExecutionContext", field: FieldPlan, info: Any, path: Path, result: Any
        ) -> Any:
            return coerce(result)

        return _nullable(leaf)

    # An object type's value completes to its fields, an abstract type's first finds its type.
    composite: Any = return_type
    finish = (
        PlannedExecutionContext.complete_planned_object
        if isinstance(return_type, GraphQLObjectType)
        else PlannedExecutionContext.complete_planned_abstract
    )

    def object_or_abstract(
        context: "PlannedExecutionContext", field: FieldPlan, info: Any, path: Path, result: Any
    ) -> Any:
        return finish(context, composite, field, info, path, result)

    return _nullable(object_or_abstract)


def _coercer(leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
    """`complete_leaf_value`. A Strawberry enum's `coerce_output_value` compares the value with
    each of the enum's values in turn; here the names are found in a dictionary by value, the
    first name of a value as there (a value that is not hashable takes Strawberry's path)."""
    coerce_output_value = leaf_type.coerce_output_value
    wrapped = getattr(leaf_type, "wrapped_cls", None)
    by_value: dict[Any, str] = {}
    if isinstance(leaf_type, GraphQLEnumType) and wrapped is not None:
        found = _first_names_by_value(leaf_type)
        if found is None:  # not hashable: Strawberry's path for every value
            wrapped = None
        else:
            by_value = found

    def coerce(result: Any) -> Any:
        if wrapped is not None and isinstance(result, wrapped):
            try:
                name = by_value.get(result.value)
            except TypeError:
                name = None
            if name is not None:
                return name
        coerced = coerce_output_value(result)
        if coerced is Undefined or coerced is None:
            return PlannedExecutionContext.complete_leaf_value(leaf_type, result)  # its error
        return coerced

    return coerce


def _enum_names(leaf_type: GraphQLLeafType) -> tuple[type | None, dict[Any, str]]:
    """A Strawberry enum's class and the name of each of its members, as `_coercer`'s `coerce`
    finds it (the first name of the member's value); (None, {}) for any other leaf type, or
    an enum class whose members could be awaitable or raised."""
    wrapped = getattr(leaf_type, "wrapped_cls", None)
    if (
        not isinstance(leaf_type, GraphQLEnumType)
        or not isinstance(wrapped, type)
        or not issubclass(wrapped, Enum)
        or issubclass(wrapped, BaseException)
        or hasattr(wrapped, "__await__")
    ):
        return None, {}
    by_value = _first_names_by_value(leaf_type)
    if by_value is None:  # a value that is not hashable: `coerce` for every value
        return None, {}
    try:
        names = {member: by_value[member.value] for member in wrapped if member.value in by_value}
    except TypeError:
        return None, {}
    return wrapped, names


def _first_names_by_value(enum_type: GraphQLEnumType) -> dict[Any, str] | None:
    """Each of the enum's values with its first name, as Strawberry's `coerce_output_value` finds
    it by comparing in order; None when a value is not hashable."""
    by_value: dict[Any, str] = {}
    try:
        for name, value in reversed(enum_type.values.items()):
            by_value[value.value] = name
    except TypeError:
        return None
    return by_value


def _nullable(complete: Completer) -> Completer:
    """`complete` for a value that is neither an exception (raised) nor null (null), as
    graphql-core's `complete_value` checks them first."""

    def nullable(
        context: "PlannedExecutionContext", field: FieldPlan, info: Any, path: Path, result: Any
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        return complete(context, field, info, path, result)

    return nullable


def _has_variable(node: Node) -> bool:
    """Whether a variable appears anywhere in the value `node`."""
    if isinstance(node, VariableNode):
        return True
    values = getattr(node, "values", None) or ()
    fields = getattr(node, "fields", None) or ()
    return any(_has_variable(value) for value in values) or any(
        _has_variable(field.value) for field in fields
    )


class _Conditions:
    """What a document's @skip/@include read, found once per operation: the names of the
    variables, or None when the document must take graphql-core's own path."""

    __slots__ = ("variables",)

    def __init__(self, context: "PlannedExecutionContext") -> None:
        names: set[str] = set()
        plannable = True
        stack: list[Any] = [
            context.operation,
            *(fragment.definition for fragment in context.fragments.values()),
        ]
        if any(fragment.variable_signatures for fragment in context.fragments.values()):
            plannable = False
        while stack and plannable:
            node = stack.pop()
            for directive in getattr(node, "directives", None) or ():
                name = directive.name.value
                if name in INCREMENTAL_DIRECTIVES:
                    plannable = False
                elif name in CONDITIONAL_DIRECTIVES:
                    names.update(_variables_of(directive))
            selection_set = getattr(node, "selection_set", None)
            if selection_set is not None:
                stack.extend(selection_set.selections)
        self.variables: tuple[str, ...] | None = tuple(sorted(names)) if plannable else None


def _same(kept: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    """The same nodes (by identity: a node's `==` compares whole trees)."""
    return len(kept) == len(now) and all(a is b for a, b in zip(kept, now, strict=True))


def _variables_of(directive: DirectiveNode) -> list[str]:
    return [
        argument.value.name.value
        for argument in directive.arguments or ()
        if isinstance(argument.value, VariableNode)
    ]


class PlanCache:
    """A schema's plan sets, least recently used first out, each dropped with its document.

    An operation node is referenced weakly, so that the plans never keep a document alive that
    the parse cache let go (their bound is then the parse cache's, in bytes as well); its id in
    the keys is checked against the node itself, and the entries of a node that died are dropped
    at the next look-up (the weak reference's callback only notes it: it may run in the middle of
    anything)."""

    __slots__ = ("__weakref__", "conditions", "dead", "entries", "max_entries")

    def __init__(self, max_entries: int = MAX_PLANS) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[Any, ...], OperationPlans] = OrderedDict()
        #: Per operation's id: the operation (weakly), the fragment nodes, its conditions.
        self.conditions: OrderedDict[int, tuple[Any, tuple[Any, ...], _Conditions]] = OrderedDict()
        #: The weak references of the operations that died since the last look-up.
        self.dead: list[Any] = []

    def __len__(self) -> int:
        """How many plan sets are kept."""
        self._forget_dead()
        return len(self.entries)

    def _died(self, reference: Any) -> None:
        self.dead.append(reference)

    def _forget_dead(self) -> None:
        dead, self.dead = self.dead, []
        for reference in dead:
            for gone in [k for k, known in self.conditions.items() if known[0] is reference]:
                del self.conditions[gone]
            for key in [k for k, plans in self.entries.items() if plans.operation is reference]:
                del self.entries[key]

    def plans_for(self, context: "PlannedExecutionContext") -> OperationPlans | None:
        if self.dead:
            self._forget_dead()
        operation = context.operation
        fragments = tuple(fragment.definition for fragment in context.fragments.values())
        known = self.conditions.get(id(operation))
        if known is None or known[0]() is not operation or not _same(known[1], fragments):
            known = (weakref.ref(operation, self._died), fragments, _Conditions(context))
            self.conditions[id(operation)] = known
            if len(self.conditions) > self.max_entries:
                self.conditions.popitem(last=False)
        else:
            self.conditions.move_to_end(id(operation))
        names = known[2].variables
        if names is None:
            return None
        coerced = context.variable_values.coerced
        key = (
            id(operation),
            context.hide_suggestions,
            *(coerced.get(name, Undefined) for name in names),
        )
        entries = self.entries
        plans = entries.get(key)
        if plans is None or plans.operation() is not operation:
            plans = OperationPlans(context.schema, known[0])
            entries[key] = plans
            if len(entries) > self.max_entries:
                entries.popitem(last=False)
        else:
            entries.move_to_end(key)
        return plans


#: The plan caches, one per graphql-core schema (dropped with it).
_CACHES: "weakref.WeakKeyDictionary[GraphQLSchema, PlanCache]" = weakref.WeakKeyDictionary()


def plan_cache(schema: GraphQLSchema) -> PlanCache:
    """The plan cache of `schema` (tests and operators look at its size)."""
    cache = _CACHES.get(schema)
    if cache is None:
        cache = _CACHES[schema] = PlanCache()
    return cache


def swap_plan_cache(schema: GraphQLSchema, cache: PlanCache) -> PlanCache:
    """Make `cache` the plan cache of `schema`; return the one it replaces (the benchmark's A/B
    keeps the plans made with and without a setting apart, each made once)."""
    previous = plan_cache(schema)
    _CACHES[schema] = cache
    return previous


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, executing a query's fields from plans kept across requests."""

    __slots__ = ()

    #: Off in `python -m bench.inprocess`'s row before it (the A/B switch).
    plans_enabled = True
    #: A leaf's `str`, `bool` or enum member answered without its coercion's call, read when a
    #: plan is made; and the values `is_awaitable` is not called for (off, both: the A/B switch).
    leaf_shortcuts = True
    not_awaitable: frozenset[type] = NOT_AWAITABLE
    leaf_not_awaitable: frozenset[type] = NOT_AWAITABLE

    def execute_operation(self, serially: bool | None = None) -> Any:
        plans = self._plans() if not serially else None
        if plans is None:
            return super().execute_operation(serially)
        root_type: GraphQLObjectType = self.schema.query_type  # type: ignore[assignment]
        try:
            try:
                fields = plans.root_fields(self, root_type)
            except RecursionError:
                fields = None
            if fields is None:
                return super().execute_operation(serially)  # graphql-core's error
            result = self.execute_planned_fields(fields, self.root_value, None)
            if self.is_awaitable(result):
                return self._await_data(result)
            data = result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        return self.finish(self.build_response(data))

    async def _await_data(self, result: Awaitable[dict[str, Any]]) -> Any:
        """graphql-core's `execute_operation`'s `await_result` (no abort signal here)."""
        try:
            data = await result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        except Exception:
            await self.cancel_incremental_work()
            self.run_async_work_finished_hook()
            raise
        return self.build_response(data)

    def _plans(self) -> OperationPlans | None:
        """This execution's plans; None for graphql-core's own path."""
        middleware = self.middleware_manager
        if (
            not self.plans_enabled
            or self.operation.operation is not OperationType.QUERY
            or self.abort_signal is not None
            or (middleware is not None and middleware.middlewares)
            or self.schema.query_type is None
        ):
            return None
        return plan_cache(self.schema).plans_for(self)

    def execute_planned_fields(
        self, fields: list[FieldPlan], source: Any, path: Path | None
    ) -> Any:
        """graphql-core's `execute_fields`, for a planned field set."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        not_awaitable = self.not_awaitable
        leaf_not_awaitable = self.leaf_not_awaitable
        awaitable_fields: list[str] = []
        execute = self.execute_planned_field
        try:
            for field in fields:
                key = field.response_key
                if field.coerce is None:
                    result = execute(field, source, Path(path, key, field.type_name))
                    results[key] = result
                    if type(result) not in not_awaitable and is_awaitable(result):
                        awaitable_fields.append(key)
                    continue
                # A `LeafField`: execute_field, complete_value and complete_leaf_value of
                # graphql-core in line, its path made only for an error or an awaitable value.
                result = None
                try:
                    value = getattr(source, field.attribute)
                    kind = type(value)
                    if kind is field.unchanged:
                        result = value
                    elif kind is field.enum_class and value in field.enum_names:
                        result = field.enum_names[value]
                    elif value is None or value is Undefined:
                        if field.non_null:
                            raise TypeError(field.null_message)
                    elif kind not in leaf_not_awaitable and is_awaitable(value):
                        result = self.read_awaitable_leaf(
                            field, Path(path, key, field.type_name), value
                        )
                        awaitable_fields.append(key)
                    elif isinstance(value, Exception):
                        raise value
                    else:
                        result = field.coerce(value)
                        if type(result) not in PLAIN_VALUES and is_awaitable(result):
                            result = self._await_completed(
                                field, Path(path, key, field.type_name), result
                            )
                            awaitable_fields.append(key)
                except Exception as raw_error:
                    field_path = Path(path, key, field.type_name)
                    self.handle_field_error(raw_error, field.return_type, field.details, field_path)
                results[key] = result
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[key] for key in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                key = awaitable_fields[0]
                results[key] = await results[key]
            else:
                awaited = await gather_with_cancel(*(results[key] for key in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def execute_planned_field(self, field: FieldPlan, source: Any, path: Path) -> Any:
        """graphql-core's `execute_field`, for a field whose resolver is called."""
        info = self.build_resolve_info(field.field_def, field.nodes, field.parent_type, path)
        try:
            args = field.args
            if args is None:
                args = get_argument_values(
                    field.field_def,
                    field.details[0].node,
                    self.variable_values,
                    field.details[0].fragment_variable_values,
                    self.hide_suggestions,
                )
            result = (field.resolve or self.field_resolver)(source, info, **args)
            not_awaitable = self.not_awaitable
            if type(result) not in not_awaitable and self.is_awaitable(result):
                return self.complete_planned_awaitable(field, info, path, result)
            completed = field.complete(self, field, info, path, result)
            if type(completed) not in not_awaitable and self.is_awaitable(completed):
                return self._await_completed(field, path, completed)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None
        return completed

    def read_awaitable_leaf(self, field: FieldPlan, path: Path, value: Any) -> Any:
        """A `LeafField`'s awaitable value, completed with an info as graphql-core does."""
        info = self.build_resolve_info(field.field_def, field.nodes, field.parent_type, path)
        return self.complete_planned_awaitable(field, info, path, value)

    async def _await_completed(self, field: FieldPlan, path: Path, completed: Any) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None

    async def complete_planned_awaitable(
        self, field: FieldPlan, info: Any, path: Path, result: Any
    ) -> Any:
        """graphql-core's `complete_awaitable_value`."""
        try:
            resolved = await result
            completed = field.complete(self, field, info, path, resolved)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            completed = None
        return completed

    def complete_planned_list(
        self,
        item_type: GraphQLOutputType,
        item: Completer,
        field: FieldPlan,
        info: Any,
        path: Path,
        items: Any,
    ) -> Any:
        """graphql-core's `complete_iterable_value` (no @stream in a planned document)."""
        is_awaitable = self.is_awaitable
        not_awaitable = self.not_awaitable
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        iterator = iter(items)
        index = 0
        try:
            for value in iterator:
                item_path = path.add_key(index, None)
                if type(value) not in not_awaitable and is_awaitable(value):
                    append(
                        self._complete_awaitable_item(
                            item_type, item, field, info, item_path, value
                        )
                    )
                    awaitable_indices.append(index)
                else:
                    try:
                        completed = item(self, field, info, item_path, value)
                        if type(completed) not in not_awaitable and is_awaitable(completed):
                            append(self._await_item(item_type, field, item_path, completed))
                            awaitable_indices.append(index)
                        else:
                            append(completed)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, field.details, item_path)
                        append(None)
                index += 1
        except Exception:
            pending = [completed_results[i] for i in awaitable_indices]
            pending.extend(collect_iterator_awaitables(iterator, is_awaitable))
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                i = awaitable_indices[0]
                completed_results[i] = await completed_results[i]
            else:
                awaited = await gather_with_cancel(
                    *(completed_results[i] for i in awaitable_indices)
                )
                for i, value in zip(awaitable_indices, awaited, strict=True):
                    completed_results[i] = value
            return completed_results

        return get_completed_results()

    async def _await_item(
        self, item_type: GraphQLOutputType, field: FieldPlan, item_path: Path, completed: Any
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field.details, item_path)
            return None

    async def _complete_awaitable_item(
        self,
        item_type: GraphQLOutputType,
        item: Completer,
        field: FieldPlan,
        info: Any,
        item_path: Path,
        value: Any,
    ) -> Any:
        """graphql-core's `complete_awaitable_list_item_value`."""
        try:
            resolved = await value
            completed = item(self, field, info, item_path, resolved)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field.details, item_path)
            return None
        return completed

    def complete_planned_object(
        self,
        object_type: GraphQLObjectType,
        field: FieldPlan,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
    ) -> Any:
        """graphql-core's `complete_object_value`, the subfields from the plan."""
        if object_type.is_type_of:
            is_type_of = object_type.is_type_of(result, info)
            if type(is_type_of) not in self.not_awaitable and self.is_awaitable(is_type_of):
                return self._object_after_is_type_of(object_type, field, path, result, is_type_of)
            if not is_type_of:
                raise invalid_return_type_error(object_type, result, field.details)
        fields = field.plans.sub_fields(self, field, object_type)
        return self.execute_planned_fields(fields, result, path)

    async def _object_after_is_type_of(
        self,
        object_type: GraphQLObjectType,
        field: FieldPlan,
        path: Path,
        result: Any,
        is_type_of: Awaitable[bool],
    ) -> Any:
        if not await is_type_of:
            raise invalid_return_type_error(object_type, result, field.details)
        fields = field.plans.sub_fields(self, field, object_type)
        sub_fields = self.execute_planned_fields(fields, result, path)
        if self.is_awaitable(sub_fields):
            return await sub_fields
        return sub_fields

    def complete_planned_abstract(
        self,
        abstract_type: GraphQLAbstractType,
        field: FieldPlan,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
    ) -> Any:
        """graphql-core's `complete_abstract_value`, the runtime type's subfields from the plan."""
        resolve_type = abstract_type.resolve_type or self.type_resolver
        runtime_type = resolve_type(result, info, abstract_type)
        if self.is_awaitable(runtime_type):
            return self._abstract_after_resolve_type(
                abstract_type, field, info, path, result, runtime_type
            )
        object_type = self.ensure_valid_runtime_type(
            runtime_type, abstract_type, field.details, info, result
        )
        return self.complete_planned_object(object_type, field, info, path, result)

    async def _abstract_after_resolve_type(
        self,
        abstract_type: GraphQLAbstractType,
        field: FieldPlan,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        runtime_type: Awaitable[Any],
    ) -> Any:
        object_type = self.ensure_valid_runtime_type(
            await runtime_type, abstract_type, field.details, info, result
        )
        value = self.complete_planned_object(object_type, field, info, path, result)
        if self.is_awaitable(value):
            return await value
        return value
