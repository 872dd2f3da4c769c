"""The executor a subscription keeps for its whole life stays small (docs/performance.md: memory
per idle subscriber)."""

from graphql import parse

from schema.root import schema
from tests.support.layout import SHARED_KEYS_LIMIT
from tuning.shared_event_results import SharedEventResultsExecutionContext

WATCH = "subscription { certificateRequestStatusChanged { toStatus } }"


def test_a_subscription_executor_keeps_its_dictionary_within_the_shared_keys() -> None:
    executor = SharedEventResultsExecutionContext.build(schema._schema, parse(WATCH))
    assert isinstance(executor, SharedEventResultsExecutionContext)
    assert len(vars(executor)) <= SHARED_KEYS_LIMIT


def test_each_event_executor_is_a_full_copy_with_its_own_payload() -> None:
    executor = SharedEventResultsExecutionContext.build(schema._schema, parse(WATCH))
    assert isinstance(executor, SharedEventResultsExecutionContext)
    payload = object()
    event = executor.build_per_event_executor(payload)
    assert isinstance(event, SharedEventResultsExecutionContext)
    assert event.root_value is payload
    assert executor.root_value is None
    for name in (*SharedEventResultsExecutionContext.__slots__, "schema", "operation"):
        assert getattr(event, name) is getattr(executor, name), name
    assert event.collected_errors is not executor.collected_errors
