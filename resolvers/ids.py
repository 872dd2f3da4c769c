"""Relay global ids: opaque strings that name the type and the row. Decoding them is resolution
work (an id of another type, or no id of ours, is NOT_FOUND like a missing row)."""

import base64
import binascii

from domain.enums import ErrorCode
from domain.errors import DomainError
from models.keys import MAX_PRIMARY_KEY


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """The (type name, primary key) a global id names, or None when it is not one of ours."""
    try:
        type_name, _, pk = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
        value = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not type_name or not 0 < value <= MAX_PRIMARY_KEY:
        return None
    return type_name, value


def decode_id(global_id: str, type_name: str, *, field: str, what: str) -> int:
    """The primary key of a global id of `type_name`; any other id is NOT_FOUND, like a missing row."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        raise DomainError(ErrorCode.NOT_FOUND, f"No encontramos {what}.", field=field)
    return decoded[1]


def decode_optional_id(
    global_id: str | None, type_name: str, *, field: str, what: str
) -> int | None:
    return None if global_id is None else decode_id(global_id, type_name, field=field, what=what)
