"""The root types, assembled from the domains' fields, and the Schema with its extensions."""

from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from tortoise.models import Model

from models import Certificate as CertificateRow
from models import CertificateRequest as RequestRow
from models import Company as CompanyRow
from models import RequestDocument as DocumentRow
from models import User as UserRow
from resolvers import node as node_resolver
from resolvers.context import AppInfo, Context
from schema.audit import fields as audit
from schema.certificates import fields as certificates
from schema.certificates.types import Certificate
from schema.companies import fields as companies
from schema.companies.types import Company
from schema.core.guard import or_public_error
from schema.core.node import Node
from schema.cost import QueryCostRule
from schema.descriptions import apply_descriptions
from schema.document_cache import BoundedCache, CachedParseAndValidate
from schema.extensions import MaskUnexpectedErrors, OperationRecorder, query_too_large
from schema.outbox import fields as outbox
from schema.reminders import fields as reminders
from schema.requests import fields as requests
from schema.requests.types import CertificateRequest, RequestDocument
from schema.scalars import SCALAR_MAP
from schema.users import fields as users
from schema.users.types import User
from schema.webhooks import fields as webhooks
from tuning.acyclic_executor import AcyclicExecutor
from tuning.document_limits import DocumentLimits
from tuning.execution_plans import PlannedExecutionContext
from tuning.leaf_fields import LeafFieldsExecutionContext, leaf_fields
from tuning.lean_resolvers import Replaced, lean_resolvers
from tuning.shared_event_results import SharedEventResultsExecutionContext

#: The types `node(id:)` answers with, by the type name in the id, and their rows.
NODE_TYPES: dict[str, tuple[type[Model], Any]] = {
    "Company": (CompanyRow, Company),
    "CertificateRequest": (RequestRow, CertificateRequest),
    "Certificate": (CertificateRow, Certificate),
    "RequestDocument": (DocumentRow, RequestDocument),
    "User": (UserRow, User),
}
_NODE_MODELS = {name: model for name, (model, _) in NODE_TYPES.items()}


async def resolve_node(info: AppInfo, id: strawberry.ID) -> Node | None:
    """Any object by its global id; null when it does not exist or the caller may not see it."""
    found = await or_public_error(node_resolver.node(info, id, _NODE_MODELS))
    if found is None:
        return None
    type_name, row = found
    if isinstance(row, DocumentRow):  # its download URL is the caller's base URL's
        return RequestDocument.from_row(row, info.context.public_base_url)
    return NODE_TYPES[type_name][1].from_row(row)  # type: ignore[no-any-return]


@strawberry.type
class Query:
    node: Node | None = strawberry.field(resolver=resolve_node)
    viewer = users.viewer
    certificate_tracking = companies.certificate_tracking
    certificate_requests = requests.certificate_requests
    outbox_emails = outbox.outbox_emails
    certificate_coverage = certificates.certificate_coverage
    certificates_expiring_between = certificates.certificates_expiring_between
    reminder_settings = reminders.reminder_settings
    webhook_endpoints = webhooks.webhook_endpoints
    webhook_deliveries = webhooks.webhook_deliveries
    audit_events = audit.audit_events


@strawberry.type
class Mutation:
    submit_certificate_request = requests.submit
    resubmit_certificate_request = requests.resubmit
    withdraw_certificate_request = requests.withdraw
    reject_certificate_request = requests.reject
    approve_certificate_request = requests.approve
    change_certificate_state = certificates.change_state
    update_principal_contact = companies.update_contact
    retry_outbox_email = outbox.retry
    update_reminder_settings = reminders.update
    add_reminder_recipient = reminders.add_recipient
    remove_reminder_recipient = reminders.remove_recipient
    register_webhook_endpoint = webhooks.register_endpoint
    set_webhook_endpoint_enabled = webhooks.set_endpoint_enabled
    redeliver_webhook = webhooks.redeliver


@strawberry.type
class Subscription:
    certificate_request_status_changed = requests.status_changed
    certificate_status_changed = certificates.status_changed


MAX_QUERY_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000
#: Distinct query texts whose parsed document and validation result are kept (least recently used
#: first out): a front end sends a few dozen; a client sending endless new ones only evicts.
DOCUMENT_CACHE_SIZE = 256
#: ... and the bytes of their texts, so that the cache cannot hold more than a few MiB of trees.
DOCUMENT_CACHE_BYTES = 1024 * 1024
#: The longest query text (MAX_QUERY_CHARS), refused before it is parsed: the front end's longest
#: operation is under 2,000 characters.
MAX_QUERY_CHARS_DEFAULT = 16 * 1024

#: The validation rules of the limits, built once. QueryDepthLimiter and MaxAliasesLimiter make a
#: new rule class each time they are instantiated: built per request, every request would come
#: with new rules, and ValidationCache (keyed by document and rules) would never hit.
#: DocumentLimits adds them.
LIMIT_RULES = (
    *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    QueryCostRule,
)


class CertsExecutionContext(
    AcyclicExecutor,
    PlannedExecutionContext,
    LeafFieldsExecutionContext,
    SharedEventResultsExecutionContext,
):
    """Queries executed from plans kept across requests (tuning/execution_plans.py), subscription
    events executed once per question (tuning/shared_event_results.py), fields without a resolver
    of a scalar or enum type read without an info (tuning/leaf_fields.py), the executor freed by
    reference counting, not by the garbage collector (tuning/acyclic_executor.py)."""

    __slots__ = ()


class CertsSchema(strawberry.Schema):
    #: The parse and validation caches of this schema (tests and operators look at their size).
    document_caches: tuple["BoundedCache[Any]", "BoundedCache[Any]"] = ()  # type: ignore[assignment]
    #: The fields whose resolver is called directly (tuning/lean_resolvers.py), with Strawberry's.
    lean_fields: Replaced = []  # noqa: RUF012
    #: The fields read without an info (tuning/leaf_fields.py), with Strawberry's resolvers.
    leaf_fields: Replaced = []  # noqa: RUF012

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Every operation on a WebSocket (both protocols come through here) gets a context of its
        own: its loaders never answer with rows cached by an earlier operation of the socket."""
        context = kwargs.get("context_value")
        if isinstance(context, Context):
            kwargs["context_value"] = context.for_operation()
        return await super().stream(*args, **kwargs)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Nothing: client mistakes (syntax, validation, refusals) are answers, not server errors,
        and each bug is logged once, with its traceback, by MaskUnexpectedErrors under the error id
        the client sees (Strawberry calls this before the masking; logging here too printed every
        traceback twice)."""


def build_schema(
    *,
    introspection: bool = True,
    max_query_chars: int = MAX_QUERY_CHARS_DEFAULT,
    extra_extensions: Sequence[Any] = (),
) -> CertsSchema:
    """The schema with its limits. `introspection=False` for production (INTROSPECTION=false):
    validation errors then suggest no names either. `extra_extensions` run after ours (tracing,
    when OTEL_EXPORTER_OTLP_ENDPOINT is set)."""
    rules = (*LIMIT_RULES, *(() if introspection else (NoSchemaIntrospectionCustomRule,)))
    # Parsing and validating a document cost more than executing the tracking query (docs/
    # performance/history.md): both are cached by the query's text, the limits' errors included.
    parsed: BoundedCache[Any] = BoundedCache(
        max_entries=DOCUMENT_CACHE_SIZE, max_bytes=DOCUMENT_CACHE_BYTES
    )
    validated: BoundedCache[Any] = BoundedCache(
        max_entries=DOCUMENT_CACHE_SIZE, max_bytes=DOCUMENT_CACHE_BYTES
    )
    extensions: list[Any] = [
        MaskUnexpectedErrors,
        lambda: DocumentLimits(
            max_tokens=MAX_TOKENS,
            rules=rules,
            max_query_chars=max_query_chars,
            query_too_large=query_too_large,
        ),
        lambda: CachedParseAndValidate(
            parsed=parsed, validated=validated, suggestions=introspection
        ),
        OperationRecorder,
        *extra_extensions,
    ]
    built = CertsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Company, CertificateRequest, Certificate, RequestDocument, User],
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=CertsExecutionContext,
    )
    apply_descriptions(built._schema)
    built.document_caches = (parsed, validated)
    built.lean_fields = lean_resolvers(built)
    built.leaf_fields = leaf_fields(built)
    return built


schema = build_schema()
