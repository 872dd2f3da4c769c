"""Every step of the flow emails the principal contact, once, through a real SMTP server."""

from datetime import UTC, date, datetime, timedelta

from devkit.smtp_server import SmtpServer
from domain.clock import FixedClock
from notifications.transports import SmtpTransport
from notifications.worker import deliver_until_idle
from resolvers.ids import to_global_id
from tests.support.factories import Caller
from tests.support.files import pdf
from tests.support.flows import approve, reject, resubmit, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import UPDATE_CONTACT
from tests.support.refusals import assert_refused

REJECTION_SUBJECT = "Rechazo solicitud de certificado digital"


async def test_each_event_emails_the_current_principal_contact_exactly_once(
    gql: GraphQLClient,
    customer: Caller,
    reviewer: Caller,
    admin: Caller,
    clock: FixedClock,
    smtp_server: SmtpServer,
) -> None:
    transport = SmtpTransport.from_url(smtp_server.url)
    submitted = await submit(gql, customer.token, issued_on=date(2026, 11, 20))
    request_id = submitted["request"]["id"]
    rut = next(d for d in submitted["request"]["documents"] if d["kind"] == "RUT")
    await reject(
        gql, reviewer.token, request_id, "El RUT está vencido.", {rut["id"]: "Súbelo actualizado."}
    )

    # The contact changes before the resubmission: later emails go to the new address.
    body = await gql.execute(
        UPDATE_CONTACT,
        {"input": {"name": "Nuevo Contacto", "email": "nuevo@ejemplo.co"}},
        token=customer.token,
    )
    assert data_of(body)["updatePrincipalContact"]["errors"] == []
    await resubmit(gql, customer.token, request_id, {"RUT": pdf("rut-nuevo")})
    start = datetime(2026, 11, 26, 5, tzinfo=UTC)
    await approve(
        gql,
        reviewer.token,
        request_id,
        "SN-MAIL-1",
        start.isoformat(),
        (start + timedelta(days=365)).isoformat(),
    )

    await deliver_until_idle(transport, clock)
    await deliver_until_idle(transport, clock)  # a second run sends nothing more
    received = smtp_server.messages
    subjects = [m.message["Subject"] for m in received]
    assert len(subjects) == 5, subjects
    assert subjects[1] == REJECTION_SUBJECT
    # The previous contact hears of the change (issue 14); later emails go to the new one.
    assert subjects[2].startswith("Cambió el contacto principal de ")
    assert "Andes aprobó" in subjects[4]
    assert len({m.message_id for m in received}) == 5
    assert [m.rcpt_tos for m in received] == [
        ("contacto@ejemplo.co",),
        ("contacto@ejemplo.co",),
        ("contacto@ejemplo.co",),
        ("nuevo@ejemplo.co",),
        ("nuevo@ejemplo.co",),
    ]
    rejection = received[1].message
    text = rejection.get_body(preferencelist=("plain",))
    assert text is not None
    content = text.get_content()
    assert "El RUT está vencido." in content
    assert "Súbelo actualizado." in content

    # The operator sees them all as SENT.
    body = await gql.execute(
        "{ outboxEmails { status toEmail subject attempts } }", token=admin.token
    )
    emails = data_of(body)["outboxEmails"]
    assert [e["status"] for e in emails] == ["SENT"] * 5


async def test_the_outbox_is_for_operators_only(gql: GraphQLClient, customer: Caller) -> None:
    body = await gql.execute("{ outboxEmails { id } }", token=customer.token)
    (error,) = body["errors"]
    assert (error["extensions"]["code"], error["message"]) == (
        "FORBIDDEN",
        "Solo un operador (ADMIN) puede ver los correos enviados.",
    )
    # A well-formed id, so that the role is what refuses (a malformed one is NOT_FOUND first).
    body = await gql.execute(
        "mutation($id: ID!) { retryOutboxEmail(input: {emailId: $id}) {"
        " email { id } errors { code field message } } }",
        {"id": to_global_id("OutboxEmail", 1)},
        token=customer.token,
    )
    assert_refused(
        data_of(body)["retryOutboxEmail"],
        "FORBIDDEN",
        message="Solo un operador (ADMIN) puede reintentar los correos enviados.",
    )


async def test_a_failed_email_can_be_retried_by_an_operator(
    gql: GraphQLClient, customer: Caller, admin: Caller, clock: FixedClock, smtp_server: SmtpServer
) -> None:
    smtp_server.refuse("contacto@ejemplo.co")
    transport = SmtpTransport.from_url(smtp_server.url)
    await submit(gql, customer.token, issued_on=date(2026, 11, 20))
    for _ in range(10):  # each attempt is refused; move past the backoff each time
        await deliver_until_idle(transport, clock)
        clock.advance(timedelta(hours=2))
    body = await gql.execute(
        "{ outboxEmails(status: FAILED) { id attempts lastError } }", token=admin.token
    )
    failed = data_of(body)["outboxEmails"]
    assert len(failed) == 1
    assert "550" in failed[0]["lastError"]

    smtp_server.handler.refused.clear()
    body = await gql.execute(
        "mutation($id: ID!) { retryOutboxEmail(input: {emailId: $id}) "
        "{ email { status } errors { code } } }",
        {"id": failed[0]["id"]},
        token=admin.token,
    )
    assert data_of(body)["retryOutboxEmail"]["email"]["status"] == "PENDING"
    await deliver_until_idle(transport, clock)
    assert [m.rcpt_tos for m in smtp_server.messages] == [("contacto@ejemplo.co",)]
