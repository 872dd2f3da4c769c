"""Keyset pagination cursors: an opaque encoding of (timestamp, id), the position of a row in a
list ordered by that timestamp and then by id. Shared by every paged read."""

import base64
import binascii
from datetime import datetime

from domain.enums import ErrorCode
from domain.errors import DomainError
from models.keys import MAX_PRIMARY_KEY


def encode_keyset(at: datetime, pk: int) -> str:
    raw = f"{at.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_keyset(cursor: str) -> tuple[datetime, int]:
    """The (timestamp, id) of a cursor from `encode_keyset`; anything else is bad input on
    `after`, never a server error."""
    invalid = DomainError(
        ErrorCode.INVALID_INPUT, "El cursor de paginación no es válido.", field="after"
    )
    try:
        stamp, _, raw_pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        at, pk = datetime.fromisoformat(stamp), int(raw_pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if at.tzinfo is None or not 0 < pk <= MAX_PRIMARY_KEY:
        raise invalid
    return at, pk
