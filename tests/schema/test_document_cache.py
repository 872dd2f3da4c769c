"""Parsed and validated documents are cached by their text, and the limits still hold."""

from typing import Any

from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from schema.root import DOCUMENT_CACHE_SIZE, MAX_TOKENS, build_schema, schema

QUERY = "query Cached { __typename }"


def nested(depth: int) -> str:
    """`node { ... on Company { certificates { company { certificates ... } } } }`, `depth` deep."""
    inner = "id"
    for level in range(depth):
        inner = f"{'company' if level % 2 else 'certificates'} {{ {inner} }}"
    return f'query TooDeep {{ node(id: "x") {{ ... on Company {{ {inner} }} }} }}'


async def test_a_document_sent_again_is_neither_parsed_nor_validated_again() -> None:
    # Strawberry's caches are functools.lru_cache wrappers, shared by every request.
    parses: Any = _get_parse_cache(DOCUMENT_CACHE_SIZE)
    validations: Any = _get_validate_cache(DOCUMENT_CACHE_SIZE)
    await schema.execute(QUERY)
    parsed, validated = parses.cache_info().hits, validations.cache_info().hits
    for _ in range(3):
        result = await schema.execute(QUERY)
        assert result.errors is None
    # The limits' rules are built once: were they built per request, every request would bring
    # new rule classes, and the validation cache, keyed by them, would never hit.
    assert parses.cache_info().hits == parsed + 3
    assert validations.cache_info().hits == validated + 3


async def test_a_query_past_a_limit_is_refused_every_time_not_only_the_first() -> None:
    for _ in range(3):
        result = await schema.execute(nested(20))
        assert result.errors is not None
        assert "exceeds maximum operation depth" in result.errors[0].message


async def test_a_document_with_too_many_tokens_is_refused_before_it_is_parsed() -> None:
    aliases = " ".join(f"a{n}: __typename" for n in range(MAX_TOKENS))
    for _ in range(2):  # refused again when sent again: a refusal is not cached as a success
        result = await schema.execute(f"query Long {{ {aliases} }}")
        assert result.errors is not None
        assert f"more than {MAX_TOKENS} tokens" in result.errors[0].message


async def test_introspection_is_refused_only_by_the_production_schema() -> None:
    query = "query Types { __schema { types { name } } }"
    assert (await schema.execute(query)).errors is None
    refused = await build_schema(introspection=False).execute(query)
    assert refused.errors is not None
    assert "introspection" in refused.errors[0].message.lower()
