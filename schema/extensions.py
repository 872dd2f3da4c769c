"""Schema extensions: unexpected errors are masked; refusals meant for people pass through, request
errors with a code (schema/request_errors.py); the operation is noted for logs and metrics. The limits on documents are `tuning.document_limits`."""

import logging
import uuid
from collections.abc import Iterator

from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.enums import ErrorCode
from schema.request_errors import worded
from schema.request_scope import current_operation, current_request_id

logger = logging.getLogger("certs.errors")


def is_unexpected(error: GraphQLError) -> bool:
    """Mask exceptions raised by code; keep errors written for the client: syntax and validation
    errors (no original error), variable coercion (a GraphQLError from graphql-core) and ours."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(SchemaExtension):
    """Replaces a bug's message (which may hold SQL, paths or data) with a generic Spanish one and
    an error id; the full traceback goes to the server log under that id. Request errors (parse,
    validation, variables: no path) get their code, and refused variables a Spanish message
    (`schema.request_errors.worded`): here, because this is the one hook that sees every result,
    over HTTP and on both WebSocket protocols, subscriptions included.

    Written on the public hooks of `SchemaExtension` (`on_operation`, and `on_stream_result` for
    each result of a subscription) rather than as a subclass of Strawberry's `MaskErrors`, whose
    private `_process_result` we used to override: that method checks every result with
    `isinstance` against a runtime-checkable Protocol, which walks the Protocol's members each
    time, once per subscriber and event of every fan-out, and overriding it tied us to Strawberry's
    internals (it changed in 0.342). Only public hooks are used, so this is no patch (nothing in
    tuning/ and no version guard). Measured against Strawberry's `MaskErrors` given the same
    `should_mask_error` and `anonymise_error` (`python -m bench.tuning --variants
    all,-mask_errors`, 1,000 subscribers, 3 rounds): server CPU per event 100 ms with
    `MaskErrors` against 90 (second run 108 against 102: +6.6 %, rounds within ±10 %); in-process,
    per result without errors (`python -m bench.tuning masking`), 7.3 µs for `MaskErrors` against
    0.28 µs: 7 ms of a fan-out to 1,000 subscribers (7 %). Upstream issue to file:
    docs/performance/upstream/strawberry-mask-errors-protocol-check.md.
    """

    def __init__(self) -> None:
        self._streamed = False

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        try:
            yield
        except GraphQLError as error:  # raised while parsing: it ends the operation
            raise self._word(error) from None
        if self._streamed:  # each result was masked as it was yielded
            return
        result = self.execution_context.result
        self._mask(result)
        self._mask(getattr(result, "initial_result", None))

    def on_stream_result(self, result: object) -> Iterator[None]:
        self._streamed = True
        self._mask(result)
        for part in (
            *(getattr(result, "incremental", None) or ()),
            *(getattr(result, "completed", None) or ()),
        ):
            self._mask(part)
        yield None

    def _mask(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [  # type: ignore[attr-defined]
                self.anonymise_error(error) if is_unexpected(error) else self._word(error)
                for error in errors
            ]

    def _word(self, error: GraphQLError) -> GraphQLError:
        if error.path is not None or "code" in (error.extensions or {}):
            return error  # a field's error (ours carry their code) or a refusal with its code
        context = self.execution_context
        return worded(error, context.schema._schema, context.variables)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex[:12]
        original = error.original_error
        logger.error(
            "unexpected error %s at %s",
            error_id,
            error.path,
            exc_info=(type(original), original, original.__traceback__) if original else None,
        )
        return GraphQLError(
            message=f"Error inesperado. Código de seguimiento: {error_id}.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={
                "code": "INTERNAL_SERVER_ERROR",
                "errorId": error_id,
                "requestId": current_request_id.get(),
            },
        )


class OperationRecorder(SchemaExtension):
    """Notes the operation's name and type once the document is known, for the operation's log
    line and metrics; nothing stays suspended for a subscription's life."""

    def on_validate(self) -> Iterator[None]:
        yield
        box = current_operation.get()
        if box is not None:
            context = self.execution_context
            box["name"] = context.operation_name
            try:
                box["type"] = context.operation_type.value
            except Exception:  # no operation to run: the request error says so
                box["type"] = None


QUERY_TOO_LARGE = ErrorCode.QUERY_TOO_LARGE.value


def query_too_large(limit: int) -> GraphQLError:
    return GraphQLError(
        f"La consulta es demasiado larga: el máximo es de {limit} caracteres.",
        extensions={"code": QUERY_TOO_LARGE},
    )
