"""Error masking as the schema's extension applies it to every result, streamed ones included."""

from dataclasses import dataclass

from graphql import GraphQLError

from domain.enums import ErrorCode
from domain.errors import DomainError
from schema.core.errors import PublicError
from schema.extensions import MaskUnexpectedErrors


@dataclass
class Result:
    errors: list[GraphQLError] | None


def mask(result: object) -> None:
    """What Strawberry does with each result of a subscription: run the `on_stream_result` hook."""
    for _ in MaskUnexpectedErrors().on_stream_result(result):
        pass


def bug() -> GraphQLError:
    return GraphQLError("relation certificates: SELECT ... failed", original_error=KeyError("x"))


def test_a_bug_is_masked_and_a_refusal_meant_for_people_is_not() -> None:
    refusal = PublicError(DomainError(ErrorCode.NOT_FOUND, "No encontramos la solicitud."))
    result = Result(errors=[bug(), refusal])
    mask(result)
    assert result.errors is not None
    masked, kept = result.errors
    assert masked.extensions is not None
    assert masked.extensions["code"] == "INTERNAL_SERVER_ERROR"
    error_id = masked.extensions["errorId"]
    assert masked.message == f"Error inesperado. Código de seguimiento: {error_id}."
    assert kept is refusal


def test_results_without_errors_are_left_alone() -> None:
    clean = Result(errors=None)
    mask(clean)
    assert clean.errors is None
    mask(object())  # no `errors` at all: nothing to do
