"""Webhooks through the API: who registers what, the secret shown once, deliveries for operators."""

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from domain.clock import FixedClock
from domain.enums import Role
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from resolvers.ids import to_global_id
from server.settings import Settings
from tests.support.app import in_process_app
from tests.support.factories import Caller, make_caller, make_company
from tests.support.flows import submit
from tests.support.graphql import GraphQLClient, data_of

REGISTER = """
mutation($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) {
    endpoint { id url eventTypes enabled company { nit } }
    secret
    errors { code message field }
  }
}"""

ENDPOINTS = "query { webhookEndpoints { id url eventTypes enabled consecutiveFailures } }"

DELIVERIES = """
query { webhookDeliveries(first: 10) {
  id eventId eventType status attempts lastStatusCode payload endpoint { url } } }"""

REDELIVER = """
mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) {
  delivery { status nextAttemptAt } errors { code message } } }"""

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def settings(tmp_path: Path, db: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=db, webhook_allow_local=True)


async def register(gql: GraphQLClient, caller: Caller, **input: Any) -> dict[str, Any]:
    values = {"url": URL, "eventTypes": ["REQUEST_SUBMITTED", "CERTIFICATE_EXPIRED"], **input}
    body = await gql.execute(REGISTER, {"input": values}, caller.token)
    result: dict[str, Any] = data_of(body)["registerWebhookEndpoint"]
    return result


async def test_an_operator_registers_an_endpoint_and_sees_its_secret_only_once(
    gql: GraphQLClient, admin: Caller, customer: Caller
) -> None:
    company_id = to_global_id("Company", customer.principal.company_id or 0)
    result = await register(gql, admin, companyId=company_id, description="ERP")

    assert result["errors"] == []
    assert result["secret"].startswith("whsec_")
    assert len(result["secret"]) > 40
    assert result["endpoint"]["eventTypes"] == ["REQUEST_SUBMITTED", "CERTIFICATE_EXPIRED"]
    assert result["endpoint"]["enabled"] is True
    listed = data_of(await gql.execute(ENDPOINTS, token=admin.token))["webhookEndpoints"]
    assert listed == [
        {
            "id": result["endpoint"]["id"],
            "url": URL,
            "eventTypes": ["REQUEST_SUBMITTED", "CERTIFICATE_EXPIRED"],
            "enabled": True,
            "consecutiveFailures": 0,
        }
    ]
    again = await gql.execute("query { webhookEndpoints { secret } }", token=admin.token)
    assert "Cannot query field 'secret'" in again["errors"][0]["message"]


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.REVIEWER])
async def test_only_operators_register_endpoints_by_default(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, role: Role
) -> None:
    caller = customer if role is Role.CUSTOMER else reviewer
    result = await register(gql, caller)
    assert result["endpoint"] is None
    assert result["secret"] is None
    assert result["errors"] == [
        {
            "code": "FORBIDDEN",
            "message": "Tu rol no permite administrar webhooks.",
            "field": None,
        }
    ]
    assert await WebhookEndpoint.all().count() == 0


async def test_bad_input_gets_a_spanish_error_and_registers_nothing(
    gql: GraphQLClient, admin: Caller
) -> None:
    result = await register(gql, admin, eventTypes=[])
    assert result["errors"] == [
        {
            "code": "INVALID_INPUT",
            "message": "Elige al menos un tipo de evento para el webhook.",
            "field": "eventTypes",
        }
    ]
    result = await register(gql, admin, url="nada")
    assert result["errors"] == [
        {
            "code": "INVALID_INPUT",
            "message": "La URL del webhook no es válida: usa una dirección https completa, "
            "como https://erp.ejemplo.co/webhooks/certificados.",
            "field": "url",
        }
    ]
    assert await WebhookEndpoint.all().count() == 0


class TestCompanyUsersWhenAllowed:
    @pytest.fixture
    def app(self, settings: Settings, clock: FixedClock) -> Starlette:
        allowed = Settings(
            data_dir=settings.data_dir,
            database_url=settings.database_url,
            webhook_allow_local=True,
            webhook_customer_endpoints=True,
        )
        return in_process_app(allowed, clock=clock)

    async def test_a_company_user_registers_for_their_own_company_only(
        self, gql: GraphQLClient, customer: Caller, admin: Caller
    ) -> None:
        other = await make_company(name="Otra S.A.S.")
        others = await register(gql, customer, companyId=to_global_id("Company", other.id))
        assert others["errors"] == [
            {"code": "NOT_FOUND", "message": "No encontramos la empresa.", "field": None}
        ]
        own = await register(gql, customer)
        assert own["errors"] == []
        assert own["endpoint"]["company"]["nit"] != other.nit
        stranger = await make_caller(Role.CUSTOMER, other)
        seen = data_of(await gql.execute(ENDPOINTS, token=stranger.token))["webhookEndpoints"]
        assert seen == []
        mine = data_of(await gql.execute(ENDPOINTS, token=customer.token))["webhookEndpoints"]
        assert [e["id"] for e in mine] == [own["endpoint"]["id"]]


async def test_deliveries_are_for_operators_who_redeliver_them(
    gql: GraphQLClient, admin: Caller, customer: Caller, clock: FixedClock
) -> None:
    await register(gql, admin)
    await submit(gql, customer.token, clock.now().date())

    refused = await gql.execute(DELIVERIES, token=customer.token)
    assert refused["errors"][0]["message"] == (
        "Solo un operador (ADMIN) puede ver las entregas de webhooks."
    )
    [delivery] = data_of(await gql.execute(DELIVERIES, token=admin.token))["webhookDeliveries"]
    assert delivery["eventType"] == "REQUEST_SUBMITTED"
    assert delivery["status"] == "PENDING"
    assert delivery["eventId"] in delivery["payload"]

    await WebhookDelivery.all().update(status=WebhookDeliveryStatus.FAILED)
    denied = data_of(await gql.execute(REDELIVER, {"id": delivery["id"]}, customer.token))
    assert denied["redeliverWebhook"]["errors"] == [
        {"code": "FORBIDDEN", "message": "Solo un operador (ADMIN) puede reenviar webhooks."}
    ]
    again = data_of(await gql.execute(REDELIVER, {"id": delivery["id"]}, admin.token))
    assert again["redeliverWebhook"]["errors"] == []
    assert again["redeliverWebhook"]["delivery"]["status"] == "PENDING"
    missing = data_of(
        await gql.execute(REDELIVER, {"id": to_global_id("WebhookDelivery", 999)}, admin.token)
    )
    assert missing["redeliverWebhook"]["errors"] == [
        {"code": "NOT_FOUND", "message": "No encontramos la entrega."}
    ]
