"""The schema documents itself: every type, field, argument and enum value has a description,
custom scalars say which spec they follow, and no description is left for an element that is gone."""

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    specified_scalar_types,
)

from schema.descriptions import DESCRIPTIONS
from schema.root import build_schema, schema


def elements() -> Iterator[tuple[str, str | None]]:
    """(key, description) of every element of the schema, as schema/descriptions.py keys them."""
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        yield name, graphql_type.description
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            for field_name, field in graphql_type.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in getattr(field, "args", {}).items():
                    yield f"{name}.{field_name}({arg_name})", arg.description
        if isinstance(graphql_type, GraphQLEnumType):
            for value_name, value in graphql_type.values.items():
                yield f"{name}.{value_name}", value.description


def test_every_element_has_a_description() -> None:
    undescribed = [key for key, description in elements() if not (description or "").strip()]
    assert undescribed == [], "describe them in the code or in schema/descriptions.py"


def test_no_description_is_left_for_an_element_that_does_not_exist() -> None:
    keys = {key for key, _ in elements()}
    assert sorted(set(DESCRIPTIONS) - keys) == []


def test_custom_scalars_name_their_specification() -> None:
    built = build_schema()._schema
    scalars = {
        name: t.specified_by_url
        for name, t in built.type_map.items()
        if isinstance(t, GraphQLScalarType) and name not in specified_scalar_types
    }
    assert (scalars["DateTime"] or "").startswith("https://datatracker.ietf.org/doc/html/rfc3339")
    assert all(scalars.values()), scalars
    assert "offset" in (built.type_map["DateTime"].description or "")


async def test_every_validation_error_of_an_operation_is_returned() -> None:
    result = await schema.execute("{ nope1 viewer { nope2 } nope3 }")
    messages = [error.message for error in result.errors or []]
    assert len(messages) == 3, messages
