"""A query cost limit: every field costs 1, times the size of the lists that contain it.

`first` is capped (100) by the services, but depth × width × page sizes can still multiply into
an expensive query: `certificateRequests(first: 100) { edges { node { documents … history … }}}`
is bounded by this rule before anything runs. A `first` given as a variable counts at its cap.
"""

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)

MAX_QUERY_COST = 20_000
#: What a list field without `first` is assumed to hold (documents, history, certificates).
DEFAULT_LIST_SIZE = 10
#: What a `first` given as a variable, or absent on a connection, counts as.
FIRST_CAP = 100


def _page_size(field: FieldNode) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(0, min(int(argument.value.value), FIRST_CAP))
            return FIRST_CAP
    return None


class QueryCostRule(ValidationRule):
    """Refuses an operation whose estimated cost exceeds MAX_QUERY_COST, with a clean error."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments: dict[str, FragmentDefinitionNode] = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        root = self.context.schema.get_root_type(node.operation)
        if root is None:
            return
        cost = self._cost(node.selection_set, root, 1, frozenset())
        if cost > MAX_QUERY_COST:
            self.report_error(
                GraphQLError(
                    f"La consulta es demasiado costosa ({cost} > {MAX_QUERY_COST}). "
                    "Pide menos elementos por página o menos campos anidados.",
                    node,
                    extensions={"code": "QUERY_TOO_COSTLY", "cost": cost},
                )
            )

    def _cost(
        self,
        selections: SelectionSetNode | None,
        parent: GraphQLNamedType,
        multiplier: int,
        seen: frozenset[str],
    ) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                definition = fields.get(selection.name.value)
                if definition is None:  # unknown fields are reported by other rules
                    continue
                size = _page_size(selection)
                is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
                # A connection's `edges` hold the `first` its field already counted.
                if size is None and is_list and selection.name.value != "edges":
                    size = DEFAULT_LIST_SIZE
                inner = multiplier * (size if size is not None else 1)
                child = get_named_type(definition.type)
                total += multiplier + self._cost(selection.selection_set, child, inner, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = self._type_named(selection.type_condition, parent)
                total += self._cost(selection.selection_set, target, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    target = self._type_named(fragment.type_condition, parent)
                    total += self._cost(fragment.selection_set, target, multiplier, seen | {name})
        return total

    def _type_named(
        self, condition: NamedTypeNode | None, default: GraphQLNamedType
    ) -> GraphQLNamedType:
        if condition is None:
            return default
        return self.context.schema.get_type(condition.name.value) or default
