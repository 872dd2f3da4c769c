"""Fields without a resolver of a scalar or enum type are read without an info, and answer what
graphql-core's path answers: values, nulls, errors and their paths (docs/performance.md: what
changed, each measured alone)."""

import asyncio
import enum
from typing import Any

import pytest
import strawberry
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from schema.root import CertsExecutionContext
from schema.root import schema as certs_schema
from tests.support.awaitables import Later
from tuning.leaf_fields import LeafField, LeafFieldsExecutionContext, leaf_fields
from tuning.lean_resolvers import restore


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Inner:
    label: str


@strawberry.type
class Item:
    name: str
    nickname: str | None
    colour: Colour
    size: int
    inner: Inner
    tags: list[str]
    # What a bug would put in a plain field: the answer must be graphql-core's all the same.
    awaited: str
    broken: str
    missing: str

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def item(name: str, *, missing: Any = "here", broken: Any = "fine") -> Item:
    return Item(
        name=name,
        nickname=None,
        colour=Colour.BLUE,
        size=3,
        inner=Inner(label=f"inner {name}"),
        tags=["x", "y"],
        awaited=Later(f"later {name}"),  # type: ignore[arg-type]
        broken=broken,
        missing=missing,
    )


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [item("a"), item("b", missing=None, broken=ValueError("roto"))]


QUERY = """{ items { name nickname colour size inner { label } tags awaited shout missing } }
"""
BROKEN = "{ items { name broken } }"


def leaf_schema(**kwargs: Any) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, execution_context_class=LeafFieldsExecutionContext, **kwargs
    )


def answer(schema: strawberry.Schema, query: str = QUERY) -> tuple[Any, list[Any]]:
    result = asyncio.run(schema.execute(query))
    errors = [(error.message, error.path, error.locations) for error in result.errors or []]
    return result.data, errors


def test_only_scalar_and_enum_fields_without_a_resolver_are_read_directly() -> None:
    schema = leaf_schema()
    replaced = leaf_fields(schema)
    item_type = schema._schema.type_map["Item"]
    read = {
        name
        for name, field in item_type.fields.items()  # type: ignore[attr-defined]
        if isinstance(field.resolve, LeafField)
    }
    assert read == {"name", "nickname", "colour", "size", "awaited", "broken", "missing"}
    assert len(replaced) == len(read) + 1  # and Inner.label


def test_the_answer_is_graphql_cores_values_nulls_and_errors() -> None:
    schema = leaf_schema()
    graphql_cores = answer(schema)
    graphql_cores_broken = answer(schema, BROKEN)
    replaced = leaf_fields(schema)
    assert answer(schema) == graphql_cores
    assert answer(schema, BROKEN) == graphql_cores_broken
    data, errors = graphql_cores
    assert data is None  # b's null in a non-null field nulls up to the root
    assert errors == [
        (
            "Cannot return null for non-nullable field Item.missing.",
            ["items", 1, "missing"],
            errors[0][2],
        )
    ]
    assert answer(schema, "{ items { name nickname colour size awaited } }")[0] == {
        "items": [
            {
                "name": name,
                "nickname": None,
                "colour": "BLUE",
                "size": 3,
                "awaited": f"later {name}",
            }
            for name in ("a", "b")
        ]
    }
    assert graphql_cores_broken[1][0][:2] == ("roto", ["items", 1, "broken"])
    restore(replaced)
    assert answer(schema) == graphql_cores


class CountFields(SchemaExtension):
    seen: list[str] = []  # noqa: RUF012

    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        CountFields.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def test_a_middleware_still_sees_every_field() -> None:
    schema = leaf_schema(extensions=[CountFields])
    leaf_fields(schema)
    CountFields.seen = []
    data, errors = answer(schema, "{ items { name size inner { label } } }")
    assert errors == []
    assert data == {
        "items": [
            {"name": name, "size": 3, "inner": {"label": f"inner {name}"}} for name in ("a", "b")
        ]
    }
    assert sorted(CountFields.seen) == sorted(["items"] + ["name", "size", "inner", "label"] * 2)


def test_a_schema_with_exception_handlers_keeps_graphql_cores_path() -> None:
    schema = leaf_schema()
    schema.schema_converter.exception_handlers = (object(),)  # type: ignore[assignment]
    assert leaf_fields(schema) == []


@pytest.mark.parametrize(
    ("type_name", "field_name", "read_directly"),
    [
        ("CertificateRequest", "status", True),
        ("CertificateRequest", "submittedAt", True),
        ("RequestDocument", "fileName", True),
        ("RequestDocument", "downloadUrl", True),
        ("CertificateRequest", "company", False),
        ("CertificateRequest", "legalRepresentative", False),
        ("CertificateRequest", "isOverdue", False),
    ],
)
def test_the_queue_pages_plain_fields_are_read_directly(
    type_name: str, field_name: str, read_directly: bool
) -> None:
    assert issubclass(certs_schema.execution_context_class, LeafFieldsExecutionContext)
    assert certs_schema.execution_context_class is CertsExecutionContext
    field = certs_schema._schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]
    assert isinstance(field.resolve, LeafField) is read_directly
