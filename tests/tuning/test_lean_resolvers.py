"""Fields without arguments call their resolver directly, and answer what Strawberry's chain
answers (docs/performance.md: what changed, each measured alone)."""

import asyncio
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from schema.root import schema as certs_schema
from tuning.lean_resolvers import lean_resolvers, restore


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Item:
    name: str

    @strawberry.field
    def with_self(self) -> str:
        return f"self:{self.name}"

    @strawberry.field
    @staticmethod
    def with_root(root: "Item") -> str:
        return f"root:{root.name}"

    @strawberry.field
    @staticmethod
    def with_parent(parent: strawberry.Parent["Item"]) -> str:
        return f"parent:{parent.name}"

    @strawberry.field
    def with_info(self, info: Info) -> str:
        return f"{info.field_name}:{info.context['who']}:{self.name}"

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"later:{self.name}"

    @strawberry.field
    def with_argument(self, suffix: str = "!") -> str:
        return f"{self.name}{suffix}"

    extended: str = strawberry.field(
        resolver=lambda root: f"extended:{root.name}", extensions=[Upper()]
    )


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(name="a"), Item(name="b")]


QUERY = """{ items { name withSelf withRoot withParent withInfo later withArgument
  other: withArgument(suffix: "?") extended } }"""


def answer(schema: strawberry.Schema) -> Any:
    result = asyncio.run(schema.execute(QUERY, context_value={"who": "ana"}))
    assert result.errors is None
    return result.data


def test_only_fields_without_arguments_or_extensions_are_called_directly() -> None:
    schema = strawberry.Schema(query=Query)
    replaced = lean_resolvers(schema)
    item = schema._schema.type_map["Item"]
    query = schema._schema.type_map["Query"]
    lean = {
        name
        for graphql_type in (item, query)
        for name, field in graphql_type.fields.items()  # type: ignore[attr-defined]
        if any(field is replaced_field for replaced_field, _ in replaced)
    }
    assert lean == {"withSelf", "withRoot", "withParent", "withInfo", "later", "items"}
    assert len(replaced) == 6


def test_the_answer_is_the_one_of_strawberrys_resolvers() -> None:
    schema = strawberry.Schema(query=Query)
    strawberrys = answer(schema)
    replaced = lean_resolvers(schema)
    assert answer(schema) == strawberrys
    assert strawberrys["items"][0] == {
        "name": "a",
        "withSelf": "self:a",
        "withRoot": "root:a",
        "withParent": "parent:a",
        "withInfo": "withInfo:ana:a",
        "later": "later:a",
        "withArgument": "a!",
        "other": "a?",
        "extended": "EXTENDED:A",
    }
    restore(replaced)
    assert answer(schema) == strawberrys


def test_a_schema_with_exception_handlers_keeps_strawberrys_chain() -> None:
    schema = strawberry.Schema(query=Query)
    # Strawberry's chain applies a field's exception handlers; the lean call would skip them.
    schema.schema_converter.exception_handlers = (object(),)  # type: ignore[assignment]
    assert lean_resolvers(schema) == []


def test_the_queue_pages_fields_are_called_directly() -> None:
    request = certs_schema._schema.type_map["CertificateRequest"]
    fields = request.fields  # type: ignore[attr-defined]
    lean = [field for field, _ in certs_schema.lean_fields]
    for name in ("company", "documents", "history", "certificate", "isOverdue"):
        assert any(fields[name] is field for field in lean), name
