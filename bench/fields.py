"""How many fields the server resolved for an answer, read off the answer's shape.

graphql-core executes one field for every key of every object in `data` (a list field is one field,
its items' fields one each): counting the keys counts the resolutions, with nothing added to the
server to count them. `tests/bench/test_plain_app.py` checks the count against a graphql-core
middleware that counts each resolver call.
"""

from typing import Any


def resolved_fields(data: Any) -> int:
    """The fields executed to produce `data` (a response's `data`, or any part of it)."""
    if isinstance(data, dict):
        return len(data) + sum(resolved_fields(value) for value in data.values())
    if isinstance(data, list):
        return sum(resolved_fields(item) for item in data)
    return 0
