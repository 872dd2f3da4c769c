"""Relay global object identification: the Node interface (ids are encoded in resolvers/ids.py)."""

import strawberry

from resolvers import ids


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(ids.to_global_id(type_name, pk))
