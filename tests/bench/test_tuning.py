"""`python -m bench.tuning` switches off exactly the patch each variant names, in the process that
serves: a switch that silently kept the patch would report a gain of zero, and one that broke
the server would measure nothing."""

from collections import deque

import pytest
from graphql import parse
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
from wsproto import ConnectionType
from wsproto.connection import Connection

from bench import tuning as bench_tuning
from schema import root
from server import app as app_module
from server import fanout, graphql_ws_handlers
from tests.support.layout import SHARED_KEYS_LIMIT
from tuning import light_ws_protocol

WATCH = "subscription { certificateRequestStatusChanged { toStatus } }"


@pytest.fixture(autouse=True)
def _restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a switch replaces comes back after the test."""
    for module, name in [
        (root, "SharedEventResultsExecutionContext"),
        (root, "DocumentLimits"),
        (root, "MaskUnexpectedErrors"),
        (app_module, "build_schema"),
        (app_module, "CertsStarlette"),
        (light_ws_protocol, "LightWSProtocol"),
        (light_ws_protocol, "lighter_events"),
        (fanout, "Fanout"),
        (graphql_ws_handlers, "TransportWSHandler"),
    ]:
        monkeypatch.setattr(module, name, getattr(module, name))
    monkeypatch.setattr(fanout.Fanout, "follow", fanout.Fanout.follow)
    handler = graphql_ws_handlers.TransportWSHandler
    monkeypatch.setattr(handler, "_join_group", handler._join_group)
    monkeypatch.setattr(handler, "run_operation", handler.run_operation)
    monkeypatch.setattr(bench_tuning, "_CONTEXT_DROPS", set())


def _executor() -> StrawberryGraphQLCoreExecutionContext:
    built = root.build_schema()
    context: type[StrawberryGraphQLCoreExecutionContext] = vars(root)[
        "SharedEventResultsExecutionContext"
    ]
    executor = context.build(built._schema, parse(WATCH))
    assert isinstance(executor, context)
    return executor


def test_every_variant_names_switches_that_exist() -> None:
    for variant in (*bench_tuning.VARIANTS, *bench_tuning.MORE_VARIANTS):
        assert set(variant.split("&")) <= set(bench_tuning.SWITCHES)


def test_without_slots_the_executor_keeps_a_dictionary_of_its_own() -> None:
    assert len(vars(_executor())) <= SHARED_KEYS_LIMIT
    bench_tuning.SWITCHES["-slots"]()
    assert len(vars(_executor())) > SHARED_KEYS_LIMIT


def test_without_the_memo_an_event_shares_the_subscription_memo() -> None:
    executor = _executor()
    assert executor.build_per_event_executor(object())._relevant_sub_fields is not (
        executor._relevant_sub_fields
    )
    bench_tuning.SWITCHES["-memo"]()
    executor = _executor()
    assert executor.build_per_event_executor(object())._relevant_sub_fields is (
        executor._relevant_sub_fields
    )


def test_without_sharing_each_event_executes_its_own_operation_and_keeps_the_rest() -> None:
    bench_tuning.SWITCHES["-shared_event_results"]()
    bench_tuning.SWITCHES["-memo"]()
    context = vars(root)["SharedEventResultsExecutionContext"]
    assert context.execute_operation is StrawberryGraphQLCoreExecutionContext.execute_operation
    assert context.__slots__
    executor = _executor()
    assert executor.build_per_event_executor(object())._relevant_sub_fields is (
        executor._relevant_sub_fields
    )


def test_without_document_limits_strawberry_s_extensions_set_the_same_limits() -> None:
    bench_tuning.SWITCHES["-document_limits"]()
    built = vars(app_module)["build_schema"]()
    extensions = [factory() for factory in built.extensions]
    assert any(isinstance(e, MaxTokensLimiter) for e in extensions)
    added = [e for e in extensions if isinstance(e, AddValidationRules)]
    assert added
    assert set(root.LIMIT_RULES) <= set(added[0].validation_rules)


def test_without_mask_errors_strawberry_s_masks_the_same_errors() -> None:
    bench_tuning.SWITCHES["-mask_errors"]()
    extensions = [factory() for factory in root.build_schema().extensions]
    assert any(isinstance(e, MaskErrors) for e in extensions)


def test_without_the_light_protocol_uvicorn_s_own_is_served() -> None:
    bench_tuning.SWITCHES["-light_ws_protocol"]()
    assert light_ws_protocol.LightWSProtocol is WSProtocol


def test_without_member_registrations_a_member_runs_in_a_task_of_its_own() -> None:
    ours = graphql_ws_handlers.TransportWSHandler.run_operation
    bench_tuning.SWITCHES["-member_registrations"]()
    handler = graphql_ws_handlers.TransportWSHandler
    assert handler._join_group(object(), {"id": "1"}) is False  # type: ignore[arg-type, typeddict-item]
    assert handler.run_operation is not ours


def test_without_compact_keys_follow_holds_orjson_s_bytes_in_its_own_frame() -> None:
    ours = fanout.Fanout.follow
    bench_tuning.SWITCHES["-compact_keys"]()
    replaced = fanout.Fanout.follow
    assert replaced is not ours
    assert "variables" in replaced.__code__.co_varnames


def test_without_connection_events_the_connection_keeps_its_deque() -> None:
    connection = Connection(ConnectionType.SERVER)
    light_ws_protocol.lighter_events(connection)
    assert isinstance(connection._events, light_ws_protocol.ConnectionEvents)
    bench_tuning.SWITCHES["-connection_events"]()
    untouched = Connection(ConnectionType.SERVER)
    light_ws_protocol.lighter_events(untouched)
    assert isinstance(untouched._events, deque)
