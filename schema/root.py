"""The root types and the assembled Schema."""

import asyncio
import logging
from typing import Any

import strawberry
from graphql import ExecutionResult, GraphQLError
from graphql.execution import Executor
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext

from resolvers import coverage, outbox, queries, reminder_settings, subscriptions, webhooks
from resolvers.mutations import (
    approve_certificate_request,
    change_certificate_state,
    reject_certificate_request,
    resubmit_certificate_request,
    submit_certificate_request,
    update_principal_contact,
)
from schema.certificates import Certificate
from schema.companies import CertificateTracking, Company
from schema.cost import QueryCostRule
from schema.extensions import DocumentLimits, MaskUnexpectedErrors, is_unexpected
from schema.node import Node
from schema.requests import (
    CertificateRequest,
    CertificateRequestConnection,
    RequestDocument,
)
from schema.users import User, Viewer

logger = logging.getLogger("certs.errors")


@strawberry.type
class Query:
    node: Node | None = strawberry.field(resolver=queries.node)
    viewer: Viewer = strawberry.field(resolver=queries.viewer)
    certificate_tracking: CertificateTracking = strawberry.field(
        resolver=queries.certificate_tracking,
        description="The tracking screen. companyId: reviewers and operators.",
    )
    certificate_requests: CertificateRequestConnection = strawberry.field(
        resolver=queries.certificate_requests
    )
    outbox_emails = strawberry.field(
        resolver=outbox.outbox_emails, description="Operators: the email outbox."
    )
    certificate_coverage = strawberry.field(
        resolver=coverage.certificate_coverage,
        description="Can the company sign on this date? companyId: reviewers and operators.",
    )
    certificates_expiring_between = strawberry.field(
        resolver=coverage.certificates_expiring_between,
        description="Operators: certificates expiring in a period, paged.",
    )
    reminder_settings = strawberry.field(
        resolver=reminder_settings.reminder_settings_of,
        description="How the company hears about expiry. companyId: operators.",
    )
    webhook_endpoints = strawberry.field(
        resolver=webhooks.webhook_endpoints,
        description="Webhook endpoints: every one for operators; a company's own for its users "
        "when WEBHOOK_CUSTOMER_ENDPOINTS allows.",
    )
    webhook_deliveries = strawberry.field(
        resolver=webhooks.webhook_deliveries,
        description="Operators: webhook deliveries, newest first.",
    )


@strawberry.type
class Mutation:
    submit_certificate_request = strawberry.mutation(resolver=submit_certificate_request.resolve)
    resubmit_certificate_request = strawberry.mutation(
        resolver=resubmit_certificate_request.resolve
    )
    reject_certificate_request = strawberry.mutation(resolver=reject_certificate_request.resolve)
    approve_certificate_request = strawberry.mutation(resolver=approve_certificate_request.resolve)
    change_certificate_state = strawberry.mutation(resolver=change_certificate_state.resolve)
    update_principal_contact = strawberry.mutation(resolver=update_principal_contact.resolve)
    retry_outbox_email = strawberry.mutation(
        resolver=outbox.retry_outbox_email, description="Operators: send a failed email again."
    )
    update_reminder_settings = strawberry.mutation(
        resolver=reminder_settings.update_reminder_settings,
        description="Changes the company's reminder stages or channel.",
    )
    add_reminder_recipient = strawberry.mutation(
        resolver=reminder_settings.add_reminder_recipient,
        description="Adds an extra reminder recipient; they confirm through an emailed link.",
    )
    remove_reminder_recipient = strawberry.mutation(
        resolver=reminder_settings.remove_reminder_recipient,
        description="Removes an extra reminder recipient.",
    )
    register_webhook_endpoint = strawberry.mutation(
        resolver=webhooks.register_webhook_endpoint,
        description="Registers a webhook endpoint; its secret is in the payload, only this once.",
    )
    set_webhook_endpoint_enabled = strawberry.mutation(
        resolver=webhooks.set_webhook_endpoint_enabled,
        description="Switches a webhook endpoint on or off.",
    )
    redeliver_webhook = strawberry.mutation(
        resolver=webhooks.redeliver_webhook,
        description="Operators: sends a webhook delivery again.",
    )


@strawberry.type
class Subscription:
    certificate_request_status_changed = strawberry.subscription(
        resolver=subscriptions.certificate_request_status_changed
    )
    certificate_status_changed = strawberry.subscription(
        resolver=subscriptions.certificate_status_changed
    )


MAX_QUERY_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000
#: Distinct query texts whose parsed document and validation result are kept (least recently used
#: first out): a front end sends a few dozen; a client sending endless new ones only evicts.
DOCUMENT_CACHE_SIZE = 256

#: The validation rules of the limits, built once. QueryDepthLimiter and MaxAliasesLimiter make a
#: new rule class each time they are instantiated: built per request, every request would come
#: with new rules, and ValidationCache (keyed by document and rules) would never hit.
#: DocumentLimits adds them.
LIMIT_RULES = (
    *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    QueryCostRule,
)


class SharedEventResultsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """How each subscription event is executed.

    **One execution per question, not per subscriber.** Every subscriber of a process gets the
    same event object from the bus, and the payload its resolver yields is built from the rows of
    that event's shared loaders. Subscribers that ask the same question (the same parsed operation,
    the same variables) as the same principal, of the same payload row, get the same answer: the
    first executes it and the others await its result (README, Performance: 2,000 reviewers'
    dashboards, one execution). The principal is part of the question, so no one is ever answered
    with what someone else may see; a result with errors is not shared (each executes its own, so
    errors are masked and logged per subscriber); and the results live with the event's loaders,
    dropped with the event.

    **A memo per event.** graphql-core 3.3 runs each event on a shallow copy of the subscription's
    executor, so the copy shares the memo of collected subfields, keyed by the identity of lists
    made anew for every event: the memo grew by some 30 objects per event and per subscriber for as
    long as the subscription lived, and every garbage collection walked them. Each event gets a memo
    of its own, dropped with it.

    **Slots.** The executor of a subscription lives as long as the subscription. graphql-core and
    Strawberry set 32 attributes on it, and past 29 CPython gives an object a dictionary of its
    own instead of its class's shared keys: 1.6 KiB per subscriber instead of 0.4 (README,
    Performance: memory per idle subscriber). The attributes named here live in slots instead.
    """

    __slots__ = (
        "_deferred_execution_plans",
        "_initial_execution_plans",
        "abort_signal",
        "defer_usage_set",
        "groups",
        "hide_suggestions",
        "hooks",
        "operation_extensions",
        "streams",
        "tasks",
    )

    _event_payload: Any = None

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        executor._event_payload = payload  # type: ignore[attr-defined]
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        key = self._shared_result_key()
        if key is None:
            return super().execute_operation(serially)
        return self._execute_shared(key, serially)

    def _shared_result_key(self) -> tuple[Any, ...] | None:
        """The question this per-event execution answers; None when it must not be shared."""
        payload = self._event_payload
        row = getattr(payload, "row", None)
        principal = getattr(self.context_value, "principal", None)
        if payload is None or row is None or principal is None:
            return None
        variables = getattr(self.variable_values, "coerced", None) or {}
        return (
            principal,
            id(self.operation),
            id(row),
            type(payload),
            tuple(sorted((name, repr(value)) for name, value in variables.items())),
        )

    async def _execute_shared(self, key: tuple[Any, ...], serially: bool | None) -> Any:
        shared: dict[Any, Any] = self.context_value.loaders.shared_results
        entry = shared.get(key)
        # The ids in the key are checked against the objects themselves: an id is only unique
        # among objects alive together.
        if entry is not None and entry[0] is self.operation and entry[1] is self._event_payload.row:
            result = await asyncio.shield(entry[2])
            if result is not None:
                return result
            return await self._own_result(serially)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        shared[key] = (self.operation, self._event_payload.row, answer)
        try:
            result = await self._own_result(serially)
        except BaseException:
            answer.set_result(None)  # failed or cancelled: the others execute their own
            raise
        shareable = isinstance(result, ExecutionResult) and not result.errors
        answer.set_result(result if shareable else None)
        return result

    async def _own_result(self, serially: bool | None) -> Any:
        result = super().execute_operation(serially)
        return await result if self.is_awaitable(result) else result


class CertsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Client mistakes (syntax, validation, refusals) are answers, not server errors; bugs
        are logged by MaskUnexpectedErrors with the error id the client sees."""
        for error in errors:
            if is_unexpected(error):
                logger.error("unmasked unexpected error", exc_info=error.original_error)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The schema with its limits. `introspection=False` for production (INTROSPECTION=false)."""
    rules = (*LIMIT_RULES, *(() if introspection else (NoSchemaIntrospectionCustomRule,)))
    extensions: list[Any] = [
        MaskUnexpectedErrors,
        lambda: DocumentLimits(max_tokens=MAX_TOKENS, rules=rules),
        # Parsing and validating a document cost more than executing the tracking query (README,
        # Performance): both are cached by the query's text, the limits' errors included.
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
    ]
    return CertsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Company, CertificateRequest, Certificate, RequestDocument, User],
        extensions=extensions,
        config=StrawberryConfig(),
        execution_context_class=SharedEventResultsExecutionContext,
    )


schema = build_schema()
