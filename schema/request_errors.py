"""Request errors (a document that does not parse or validate, variables that do not coerce) with
a stable code, and variables refused in Spanish, naming the variable and the input field at fault.

graphql-core words a refused variable in English («Variable '$input' has invalid value at
.validFrom: …») and gives it no code. `worded` answers instead with `INVALID_INPUT` (the code of
every other refusal of bad input), `variable` and `field` in the extensions, and a Spanish message
(«El valor de la variable $input no es válido en validFrom: …»). The reason is read from
graphql-core's own reason (its templates, graphql-core 3.3: `utilities/validate_input_value.py`,
`execution/values.py`), the types from the schema; a reason it does not know still gets the code
and a Spanish sentence, never English. Syntax errors get `GRAPHQL_PARSE_FAILED`, validation errors
`GRAPHQL_VALIDATION_FAILED`; their messages stay graphql-core's, read by developers.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLSchema,
    GraphQLSyntaxError,
    VariableDefinitionNode,
    get_named_type,
    get_nullable_type,
    type_from_ast,
)

from domain.enums import ErrorCode
from schema.core.errors import reworded

INVALID_INPUT = ErrorCode.INVALID_INPUT.value
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

#: Scalars whose refusals are already Spanish sentences (schema/scalars.py).
SPANISH_SCALARS = frozenset({"Date", "DateTime"})

_REFUSED = re.compile(
    r"^Variable '\$(?P<name>\w+)' has invalid value(?: at (?P<path>(?:\.\w+|\[\d+\])+))?: "
)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")
_TOO_DEEP = "Variable values are nested too deeply."

#: graphql-core's reasons (the inner error of a refused variable) and how to say them in Spanish;
#: each gets the match and the type the path reaches.
_REASONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"^Expected value of non-null type '(?P<type>[^']+)' not to be None\."),
        lambda m: f"no puede ser nulo (tipo {m['type']}).",
    ),
    (
        re.compile(r"^Expected value of type '(?P<type>[^']+)' to be an object, found"),
        lambda m: f"se espera un objeto de tipo {m['type']}.",
    ),
    (
        re.compile(
            r"^Expected value of type '(?P<type>[^']+)' to include required field '(?P<f>\w+)'"
        ),
        lambda m: f"falta el campo obligatorio «{m['f']}» de {m['type']}.",
    ),
    (
        re.compile(
            r"^Expected value of type '(?P<type>[^']+)' not to include unknown field '(?P<f>\w+)'"
        ),
        lambda m: f"el campo «{m['f']}» no existe en {m['type']}.",
    ),
    (
        re.compile(r"^Within OneOf Input Object type '(?P<type>[^']+)'"),
        lambda m: f"{m['type']} lleva exactamente uno de sus campos, y no nulo.",
    ),
    (
        re.compile(r"^Expected value of type '(?P<type>[^']+)'"),
        lambda m: f"se espera un valor de tipo {m['type']}.",
    ),
)


def worded(
    error: GraphQLError, schema: GraphQLSchema, variables: Mapping[str, Any] | None
) -> GraphQLError:
    """`error` with a code, and in Spanish if it refuses a variable; as it is if it has a code."""
    if error.extensions and "code" in error.extensions:
        return error
    if isinstance(error, GraphQLSyntaxError):
        return reworded(error, error.message, {"code": PARSE_FAILED})
    if error.message == _TOO_DEEP:
        return reworded(
            error, "Las variables están anidadas demasiado profundo.", {"code": INVALID_INPUT}
        )
    refused = _REFUSED.match(error.message)
    definition = error.nodes[0] if error.nodes else None
    if refused is None or not isinstance(definition, VariableDefinitionNode):
        return reworded(error, error.message, {"code": VALIDATION_FAILED})
    name = refused["name"]
    path = [int(i) if i else f for f, i in _STEP.findall(refused["path"] or "")]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    extensions: dict[str, Any] = {"code": INVALID_INPUT, "variable": name}
    if field:
        extensions["field"] = field
    reason = error.original_error.message if isinstance(error.original_error, GraphQLError) else ""
    if reason.startswith("Expected a value of non-null type"):  # nothing sent for it
        type_name = type_from_ast(schema, definition.type)
        return reworded(
            error, f"Falta la variable obligatoria ${name} (tipo {type_name}).", extensions
        )
    where = f" en {field}" if field else ""
    because = _reason(reason, schema, definition, path, (variables or {}).get(name))
    message = f"El valor de la variable ${name} no es válido{where}: {because}"
    return reworded(error, message, extensions)


def _reason(
    reason: str,
    schema: GraphQLSchema,
    definition: VariableDefinitionNode,
    path: list[str | int],
    value: Any,
) -> str:
    for pattern, say in _REASONS:
        found = pattern.match(reason)
        if found:
            return say(found)
    # A scalar or an enum refused the value by raising: which one is found from the schema.
    leaf: Any = type_from_ast(schema, definition.type)
    for step in path:
        leaf, value = _step(leaf, value, step)
    named = get_named_type(leaf)
    if named.name in SPANISH_SCALARS:
        return reason
    if isinstance(named, GraphQLEnumType) and isinstance(value, str):
        return f"«{value}» no es un valor de {named.name}."
    return f"se espera un valor de tipo {named.name}."


def _step(type_: Any, value: Any, step: str | int) -> tuple[Any, Any]:
    """The type and value at `step` below `type_` and `value`: graphql-core's path follows both."""
    type_ = get_nullable_type(type_)
    if isinstance(type_, GraphQLList):
        if isinstance(step, int):
            return type_.of_type, value[step]
        type_ = get_nullable_type(type_.of_type)  # a single value stands for a list of one
    return type_.fields[step].type, value[step]
