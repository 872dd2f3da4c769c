"""`selected_names`: the fields a query selects below the current one, through fragments."""

import strawberry

from resolvers.context import AppInfo
from resolvers.selection import selected_names

seen: list[set[str]] = []


@strawberry.type
class Item:
    a: int = 1
    b: int = 2
    c: int = 3


@strawberry.type
class Edge:
    node: Item


@strawberry.type
class Page:
    edges: list[Edge]
    total: int = 1


@strawberry.type
class Query:
    @strawberry.field
    def page(self, info: AppInfo) -> Page:
        seen.append(selected_names(info, "edges", "node"))
        return Page(edges=[Edge(node=Item())])


schema = strawberry.Schema(query=Query)


def names_for(query: str) -> set[str]:
    seen.clear()
    result = schema.execute_sync(query)
    assert result.errors is None, result.errors
    assert len(seen) == 1
    return seen[0]


def test_the_fields_of_the_nodes() -> None:
    assert names_for("{ page { total edges { node { a c } } } }") == {"a", "c"}


def test_through_inline_and_named_fragments() -> None:
    query = """
    { page { edges { node { a ... on Item { b } } ...More } } }
    fragment More on Edge { node { ...C } }
    fragment C on Item { c }
    """
    assert names_for(query) == {"a", "b", "c"}


def test_nothing_when_the_nodes_are_not_asked() -> None:
    assert names_for("{ page { total } }") == set()
