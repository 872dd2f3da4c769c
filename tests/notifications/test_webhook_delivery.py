"""Webhook delivery against a real HTTP receiver on loopback, with a moving clock.

Events are made by the real use cases (submit, reject, resubmit, approve); the receiver is a
real HTTP server; the worker's clock is moved by hand, so retries fall where the test says.
"""

import asyncio
import base64
import functools
import os
import re
import shutil
import signal
import ssl
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import trustme

from domain.audit import AuditAction
from domain.clock import FixedClock
from domain.enums import DocumentKind, ErrorCode
from domain.errors import DomainError
from domain.webhooks import WebhookEventType
from models import AuditEvent, Company, OutboxEmail
from models.outbox import EmailKind
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEvent
from notifications.webhook_delivery import (
    CLAIM_LEASE,
    DeliverySettings,
    WebhookReport,
    deliver_webhooks,
)
from notifications.webhook_events import queue_event
from notifications.webhook_http import WebhookSender
from resolvers.ids import to_global_id
from services.dependencies import Dependencies
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from services.webhooks import (
    RegisterEndpointCommand,
    redeliver,
    register_endpoint,
    set_endpoint_enabled,
)
from services.webhooks_policy import WebhookPolicy
from tests.support.factories import Caller, make_company
from tests.support.refusals import assert_refusal
from tests.support.server import CERTS, server_env
from tests.support.use_cases import approve, reject, submit, upload
from tests.support.waiting import wait_until
from tests.support.webhook_receiver import WebhookReceiver, register_local_endpoint

DOCS = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"
LOCAL = WebhookPolicy(allow_local=True)
ALL_TYPES = list(WebhookEventType)
NO_JITTER = DeliverySettings(draw=lambda: 0.0)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    try:
        yield server
    finally:
        server.stop()


async def register(
    admin: Caller,
    url: str,
    types: list[WebhookEventType] | None = None,
    company_id: int | None = None,
) -> tuple[WebhookEndpoint, str]:
    return await register_local_endpoint(admin.principal, url, types or ALL_TYPES, company_id)


@functools.cache
def trusted_authorities() -> ssl.SSLContext:
    """The context httpx makes for `verify=True` (certifi's authorities), made once: loading the
    authorities took ~40 ms of CPU per round, most of a 60-round test's time."""
    return httpx.create_ssl_context()


async def deliver(
    clock: FixedClock, settings: DeliverySettings = NO_JITTER, *, allow_local: bool = True
) -> WebhookReport:
    """One round of the worker, with a sender of its own (as `certs outbox deliver` has)."""
    sender = WebhookSender(allow_local=allow_local, timeout_seconds=5, verify=trusted_authorities())
    try:
        return await deliver_webhooks(sender, now=clock.now(), settings=settings)
    finally:
        await sender.aclose()


async def deliver_until_quiet(clock: FixedClock, settings: DeliverySettings = NO_JITTER) -> None:
    """Rounds at the clock's instant until one attempts nothing."""
    for _ in range(50):
        if (await deliver(clock, settings)).attempted == 0:
            return
    raise AssertionError("deliveries kept coming")


async def full_story(deps: Dependencies, customer: Caller, reviewer: Caller) -> int:
    """Submit, reject, resubmit, approve: four request events and a certificate started."""
    request = await submit(deps, customer)
    await reject(deps, reviewer, request, flagged={DocumentKind.RUT: "Adjunta el RUT vigente."})
    await resubmit_certificate_request(
        deps,
        customer.principal,
        ResubmitCommand(
            request_id=request.id, documents=[upload(DocumentKind.RUT, name="rut2.pdf")]
        ),
    )
    await approve(deps, reviewer, request)
    return request.id


REQUEST_STORY = ["request.submitted", "request.rejected", "request.resubmitted", "request.approved"]


def python_snippet() -> str:
    blocks: list[str] = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return blocks[0]


def javascript_snippet() -> str:
    blocks: list[str] = re.findall(
        r"```javascript\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S
    )
    return blocks[0]


# --- The signature, checked with the documented snippets ----------------------------------------


async def test_a_delivery_is_signed_as_the_documented_python_snippet_checks(
    deps: Dependencies, customer: Caller, reviewer: Caller, admin: Caller, receiver: WebhookReceiver
) -> None:
    _, secret = await register(admin, receiver.url)
    await submit(deps, customer)
    clock = deps.clock
    assert isinstance(clock, FixedClock)

    report = await deliver(clock)

    assert report.succeeded == 1
    [received] = receiver.received
    body = received.json
    assert body["type"] == "request.submitted"
    assert body["schemaVersion"] == 1
    assert body["id"].startswith("evt_")
    assert received.headers["certificados-event-id"] == body["id"]
    namespace: dict[str, Any] = {}
    exec(python_snippet(), namespace)  # noqa: S102 - the docs' own code, as a receiver copies it
    verify = namespace["verify_webhook"]
    header = received.headers["certificados-signature"]
    now = clock.now().timestamp()
    assert verify(secret, header, received.body, now=now)
    assert not verify(secret, header, received.body + b" ", now=now)
    assert not verify("whsec_otro", header, received.body, now=now)
    assert not verify(secret, header, received.body, now=now + 301)  # a replay, too late


async def test_a_delivery_is_signed_as_the_documented_javascript_snippet_checks(
    deps: Dependencies, customer: Caller, admin: Caller, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    _, secret = await register(admin, receiver.url)
    await submit(deps, customer)
    assert isinstance(deps.clock, FixedClock)
    await deliver(deps.clock)
    [received] = receiver.received
    (tmp_path / "verify.js").write_text(javascript_snippet(), encoding="utf-8")
    check = textwrap.dedent(
        """
        const { verifyWebhook } = require("./verify.js");
        const body = Buffer.from(process.env.BODY, "base64");
        const now = Number(process.env.NOW);
        const results = [
          verifyWebhook(process.env.SECRET, process.env.HEADER, body, now),
          verifyWebhook(process.env.SECRET, process.env.HEADER, Buffer.concat([body, Buffer.from(" ")]), now),
          verifyWebhook("whsec_otro", process.env.HEADER, body, now),
          verifyWebhook(process.env.SECRET, process.env.HEADER, body, now + 301),
        ];
        process.stdout.write(JSON.stringify(results));
        """
    )
    (tmp_path / "check.js").write_text(check, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        node,
        "check.js",
        cwd=tmp_path,
        env={
            **os.environ,
            "SECRET": secret,
            "HEADER": received.headers["certificados-signature"],
            "BODY": base64.b64encode(received.body).decode(),
            "NOW": str(deps.clock.now().timestamp()),
        },
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert orjson.loads(stdout) == [True, False, False, False]


# --- A receiver down for a while, then up ---------------------------------------------------------


async def test_a_receiver_down_then_up_gets_each_event_once_in_order_per_request(
    deps: Dependencies, customer: Caller, reviewer: Caller, admin: Caller
) -> None:
    down = WebhookReceiver()  # a free port where nothing listens yet
    await register(admin, down.url)
    request_id = await full_story(deps, customer, reviewer)
    clock = deps.clock
    assert isinstance(clock, FixedClock)

    for _ in range(4):  # retries while it is down: every attempt fails, nothing is lost
        report = await deliver(clock)
        assert report.succeeded == 0
        assert report.retrying > 0
        clock.advance(timedelta(minutes=5))
    pending = await WebhookDelivery.filter(status=WebhookDeliveryStatus.PENDING).count()
    assert pending == 5

    up = WebhookReceiver(port=down.port).start()
    try:
        clock.advance(timedelta(hours=1, minutes=1))  # past the longest wait so far
        await deliver_until_quiet(clock)
        bodies = up.bodies()
    finally:
        up.stop()

    ids = [body["id"] for body in bodies]
    assert len(ids) == len(set(ids)) == 5
    request_types = [
        body["type"] for body in bodies if body["data"].get("request", {}).get("status") is not None
    ]
    assert request_types == REQUEST_STORY
    assert {body["data"]["request"]["id"] for body in bodies if "request" in body["data"]} == {
        _global("CertificateRequest", request_id)
    }
    assert [b["type"] for b in bodies if "certificate" in b["data"]] == ["certificate.started"]
    statuses = {delivery.status for delivery in await WebhookDelivery.all()}
    assert statuses == {WebhookDeliveryStatus.SUCCEEDED}


def _global(type_name: str, pk: int) -> str:
    return str(to_global_id(type_name, pk))


# --- A worker killed mid-delivery ---------------------------------------------------------------


async def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_at_most_that_event(
    db: str,
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    admin: Caller,
    receiver: WebhookReceiver,
    tmp_path: Path,
) -> None:
    await register(admin, receiver.url)
    request = await submit(deps, customer)
    await reject(deps, reviewer, request)
    receiver.hold()  # the receiver reads the first request and keeps it waiting for its answer
    env = server_env(tmp_path / "var", db, WEBHOOK_ALLOW_LOCAL="true")
    worker = await asyncio.create_subprocess_exec(
        CERTS, "outbox", "deliver", env=env, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        await wait_until(lambda: len(receiver.received) == 1, what="the worker's first request")
        worker.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.wait(), timeout=10)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    receiver.release()
    [first] = receiver.event_ids()
    assert await WebhookDelivery.filter(status=WebhookDeliveryStatus.SUCCEEDED).count() == 0

    # Another worker, once the dead one's claim is over (its lease on SQLite; at once on PostgreSQL).
    later = FixedClock(datetime.now(UTC) + CLAIM_LEASE + timedelta(seconds=1))

    async def all_delivered() -> bool:
        await deliver(later)
        return await WebhookDelivery.filter(status=WebhookDeliveryStatus.SUCCEEDED).count() == 2

    await wait_until(all_delivered, what="both deliveries to succeed")
    ids = receiver.event_ids()
    events = [event.event_id for event in await WebhookEvent.all().order_by("id")]
    assert ids == [first, *events]
    assert first == events[0]
    assert [body["type"] for body in receiver.bodies()] == [
        "request.submitted",
        "request.submitted",
        "request.rejected",
    ]


# --- Never twice ---------------------------------------------------------------------------------


async def test_two_workers_at_once_send_each_event_once(
    deps: Dependencies, customer: Caller, reviewer: Caller, admin: Caller, receiver: WebhookReceiver
) -> None:
    await register(admin, receiver.url)
    await full_story(deps, customer, reviewer)
    assert isinstance(deps.clock, FixedClock)
    clock = deps.clock

    for _ in range(10):
        await asyncio.gather(deliver(clock), deliver(clock))

    ids = receiver.event_ids()
    assert len(ids) == 5
    assert len(set(ids)) == 5


async def test_the_same_cause_is_queued_once(
    deps: Dependencies, customer: Caller, admin: Caller
) -> None:
    await register(admin, "http://127.0.0.1:9/hook")
    own = await Company.get(id=customer.principal.company_id)
    for _ in range(2):
        await queue_event(
            event_key="request-change:1",
            event_type=WebhookEventType.REQUEST_SUBMITTED,
            company=own,
            ordering_key="request:1",
            data={},
            at=deps.clock.now(),
        )
    assert await WebhookEvent.all().count() == 1
    assert await WebhookDelivery.all().count() == 1


async def test_an_endpoint_gets_only_its_types_and_its_company(
    deps: Dependencies, customer: Caller, reviewer: Caller, admin: Caller, receiver: WebhookReceiver
) -> None:
    other = await make_company(name="Otra S.A.S.", contact_email="ana@ejemplo.co")
    await register(admin, receiver.url, [WebhookEventType.REQUEST_APPROVED])
    await register(admin, receiver.url + "/otra", ALL_TYPES, company_id=other.id)
    await full_story(deps, customer, reviewer)
    assert isinstance(deps.clock, FixedClock)
    await deliver_until_quiet(deps.clock)
    assert [(r.path, r.json["type"]) for r in receiver.received] == [
        ("/hooks/certificados", "request.approved")
    ]


# --- Retries, giving up, disabling, redelivering ---------------------------------------------------


async def test_failures_back_off_then_give_up_after_24_hours_and_an_operator_redelivers(
    deps: Dependencies, customer: Caller, admin: Caller, receiver: WebhookReceiver
) -> None:
    receiver.status = 500
    await register(admin, receiver.url)
    await submit(deps, customer)
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    settings = DeliverySettings(draw=lambda: 0.0, disable_after=1000)
    start = clock.now()
    waits: list[timedelta] = []
    while True:
        await deliver(clock, settings)
        delivery = await WebhookDelivery.get()
        if delivery.status is WebhookDeliveryStatus.FAILED:
            break
        assert delivery.next_attempt_at is not None
        waits.append(delivery.next_attempt_at - clock.now())
        clock.set(delivery.next_attempt_at)
    # 15 s, 30 s, 1 min, ... (half of 30 s doubling, no jitter drawn), capped at half an hour
    assert waits[:3] == [timedelta(seconds=15), timedelta(seconds=30), timedelta(minutes=1)]
    assert max(waits) == timedelta(minutes=30)
    assert clock.now() - start >= timedelta(hours=24)
    assert delivery.last_status_code == 500
    assert delivery.last_response == "recibido 500"
    assert delivery.last_latency_ms is not None
    attempts = delivery.attempts
    assert len(receiver.received) == attempts

    receiver.status = 200
    again = await redeliver(admin.principal, delivery.id, clock.now())
    assert again.status is WebhookDeliveryStatus.PENDING
    audit = await AuditEvent.get(action=AuditAction.WEBHOOK_REDELIVERED)
    assert (audit.actor_email, audit.target_id) == (admin.user.email, delivery.id)
    await deliver(clock, settings)
    delivery = await WebhookDelivery.get()
    assert delivery.status is WebhookDeliveryStatus.SUCCEEDED
    assert delivery.attempts == attempts + 1
    assert len(set(receiver.event_ids())) == 1


async def test_an_endpoint_failing_n_times_in_a_row_is_disabled_and_the_operator_emailed(
    deps: Dependencies, customer: Caller, admin: Caller, receiver: WebhookReceiver
) -> None:
    receiver.status = 503
    endpoint, _ = await register(admin, receiver.url)
    await submit(deps, customer)
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    settings = DeliverySettings(draw=lambda: 0.0, disable_after=3, operator_email="ops@andes.co")
    for _ in range(3):
        await deliver(clock, settings)
        clock.advance(timedelta(hours=1))

    await endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "3 fallos seguidos; el último: HTTP 503"
    [email] = await OutboxEmail.filter(kind=EmailKind.WEBHOOK_ENDPOINT_DISABLED)
    assert email.to_email == "ops@andes.co"
    assert email.subject == f"Webhook desactivado: {receiver.url}"
    assert "quedó desactivado después de 3 intentos de entrega fallidos seguidos" in email.body_text
    assert (await deliver(clock, settings)).attempted == 0  # a disabled endpoint gets nothing
    assert len(receiver.received) == 3

    receiver.status = 200
    await set_endpoint_enabled(admin.principal, LOCAL, endpoint.id, True, now=clock.now())
    await deliver(clock, settings)
    assert (await WebhookDelivery.get()).status is WebhookDeliveryStatus.SUCCEEDED


# --- SSRF -----------------------------------------------------------------------------------------


async def test_a_redirect_is_not_followed(
    deps: Dependencies, customer: Caller, admin: Caller, receiver: WebhookReceiver
) -> None:
    target = WebhookReceiver().start()
    try:
        receiver.status = 302
        receiver.location = target.url
        await register(admin, receiver.url)
        await submit(deps, customer)
        assert isinstance(deps.clock, FixedClock)
        report = await deliver(deps.clock)
        assert report.retrying == 1
        delivery = await WebhookDelivery.get()
        assert delivery.last_status_code == 302
        assert delivery.last_response is not None
        assert delivery.last_response.startswith(f"Redirección a {target.url} no seguida.")
        assert len(receiver.received) == 1
        assert target.received == []
    finally:
        target.stop()


PRIVATE_ADDRESS = (
    "La URL del webhook apunta a una dirección privada, local o reservada; "
    "usa una dirección pública."
)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", PRIVATE_ADDRESS),
        ("https://localhost/hook", PRIVATE_ADDRESS),
        ("https://169.254.169.254/latest/meta-data", PRIVATE_ADDRESS),
        ("https://10.0.0.7/hook", PRIVATE_ADDRESS),
        ("https://[::1]/hook", PRIVATE_ADDRESS),
        ("https://[::ffff:192.168.0.1]/hook", PRIVATE_ADDRESS),
        ("http://93.184.215.14/hook", "La URL del webhook debe usar https."),
        (
            "https://usuario:clave@93.184.215.14/hook",
            "La URL del webhook no puede llevar usuario ni contraseña.",
        ),
        (
            "ftp://93.184.215.14/hook",
            "La URL del webhook no es válida: usa una dirección https completa, "
            "como https://erp.ejemplo.co/webhooks/certificados.",
        ),
    ],
)
async def test_registering_a_url_to_a_private_address_is_refused(
    db: str, admin: Caller, url: str, message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await register_endpoint(
            admin.principal,
            WebhookPolicy(allow_local=False),
            RegisterEndpointCommand(url=url, event_types=ALL_TYPES),
            datetime.now(UTC),
        )
    assert_refusal(refused.value, code=ErrorCode.INVALID_INPUT, field="url", message=message)
    assert await WebhookEndpoint.all().count() == 0


async def test_a_delivery_to_an_address_that_became_private_is_refused_without_connecting(
    deps: Dependencies, customer: Caller, admin: Caller, receiver: WebhookReceiver
) -> None:
    # Registered where local addresses were allowed; delivered where they are not.
    await register(admin, f"https://127.0.0.1:{receiver.port}/hook")
    await submit(deps, customer)
    assert isinstance(deps.clock, FixedClock)

    report = await deliver(deps.clock, allow_local=False)

    assert report.retrying == 1
    delivery = await WebhookDelivery.get()
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_response == (
        "La URL del webhook apunta a una dirección privada, local o reservada; "
        "usa una dirección pública."
    )
    assert receiver.received == []


# --- https: the checked address, the name in SNI and in the certificate check ----------------------


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


def tls_receiver(authority: trustme.CA, name: str) -> WebhookReceiver:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(name).configure_cert(context)
    return WebhookReceiver(tls=context).start()


def https_sender(authority: trustme.CA) -> WebhookSender:
    """Resolves hooks.ejemplo.test to loopback (a DNS answer), trusts the test authority."""

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "hooks.ejemplo.test" else []

    client = ssl.create_default_context()
    authority.configure_trust(client)
    return WebhookSender(allow_local=True, resolver=resolver, verify=client)


@pytest.mark.parametrize(
    ("certificate_name", "delivered"), [("hooks.ejemplo.test", True), ("otro.ejemplo.test", False)]
)
async def test_https_connects_to_the_checked_address_and_verifies_the_name(
    deps: Dependencies,
    customer: Caller,
    authority: trustme.CA,
    certificate_name: str,
    delivered: bool,
) -> None:
    receiver = tls_receiver(authority, certificate_name)
    sender = https_sender(authority)
    try:
        # The name resolves only through this test's resolver, so the row is written directly.
        await WebhookEndpoint.create(
            url=f"https://hooks.ejemplo.test:{receiver.port}/hook",
            event_types=WebhookEventType.REQUEST_SUBMITTED.value,
            secret="whsec_prueba",
            created_at=deps.clock.now(),
        )
        await submit(deps, customer)
        report = await deliver_webhooks(sender, now=deps.clock.now(), settings=NO_JITTER)
        delivery = await WebhookDelivery.get()
        if delivered:
            assert report.succeeded == 1
            [received] = receiver.received
            assert received.headers["host"] == f"hooks.ejemplo.test:{receiver.port}"
        else:
            assert report.retrying == 1
            assert delivery.last_status_code is None
            assert delivery.last_response is not None
            assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_response
            assert receiver.received == []
    finally:
        await sender.aclose()
        receiver.stop()
