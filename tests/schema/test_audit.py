"""`auditEvents` over HTTP: operators read the trail, a page at a time; nobody else does."""

from typing import Any

from tests.support.factories import Caller
from tests.support.graphql import GraphQLClient

AUDIT = """
query Audit($first: Int!, $after: ID, $action: AuditAction) {
  auditEvents(first: $first, after: $after, action: $action) {
    events { action actorName actorRole source targetType details }
    endCursor hasNextPage
  }
}
"""

CONTACT = """
mutation Contact($input: UpdatePrincipalContactInput!) {
  updatePrincipalContact(input: $input) { errors { code message } }
}
"""


async def test_operators_page_through_the_trail_and_others_are_refused(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, admin: Caller
) -> None:
    for n in range(3):
        body = await gql.execute(
            CONTACT,
            {"input": {"name": f"Contacto {n}", "email": f"c{n}@ejemplo.co"}},
            token=customer.token,
        )
        assert body["data"]["updatePrincipalContact"]["errors"] == []

    refused = await gql.execute(AUDIT, {"first": 10}, token=reviewer.token)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (
        refused["errors"][0]["message"]
        == "Solo un operador (ADMIN) puede ver el registro de auditoría."
    )

    seen: list[dict[str, Any]] = []
    after = None
    while True:
        body = await gql.execute(
            AUDIT,
            {"first": 2, "after": after, "action": "CONTACT_CHANGED"},
            token=admin.token,
        )
        page = body["data"]["auditEvents"]
        seen.extend(page["events"])
        if not page["hasNextPage"]:
            break
        after = page["endCursor"]
    assert [e["details"]["to"] for e in seen] == [
        "Contacto 2 <c2@ejemplo.co>",
        "Contacto 1 <c1@ejemplo.co>",
        "Contacto 0 <c0@ejemplo.co>",
    ]
    assert {(e["actorName"], e["actorRole"], e["targetType"]) for e in seen} == {
        ("Camila Rojas", "CUSTOMER", "Company")
    }
    assert all(e["source"] for e in seen)
