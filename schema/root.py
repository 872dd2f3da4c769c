"""The root types and the assembled Schema."""

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
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

from resolvers import outbox, queries, subscriptions
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


class PerEventMemoExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core 3.3 runs each subscription event on a shallow copy of the subscription's
    executor, so the copy shares the memo of collected subfields, keyed by the identity of lists
    made anew for every event: the memo grew by some 30 objects per event and per subscriber for
    as long as the subscription lived, and every garbage collection walked them (README,
    Performance). Each event gets a memo of its own, dropped with it."""

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


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
        execution_context_class=PerEventMemoExecutionContext,
    )


schema = build_schema()
