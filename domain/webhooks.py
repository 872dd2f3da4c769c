"""Webhooks as rules: event types, the signature, the retry schedule, which URLs may be called.

Nothing here does I/O: the signature is a pure function of secret, timestamp and body; the retry
delay takes the random draw as an argument; the URL and address checks take the resolved
addresses from the caller. `notifications.webhook_delivery` and `services.webhooks` apply them.
"""

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from domain.enums import CertificateStatus, ErrorCode, RequestStatus
from domain.errors import DomainError

#: The version of the JSON body's layout; bumped only on a change a receiver must know about.
SCHEMA_VERSION = 1

SIGNATURE_HEADER = "Certificados-Signature"
EVENT_ID_HEADER = "Certificados-Event-Id"
#: What the documented receiver accepts between the signature's `t` and its own clock.
SIGNATURE_TOLERANCE = timedelta(minutes=5)

#: Retries go on for this long after the first attempt; then the delivery is FAILED.
RETRY_PERIOD = timedelta(hours=24)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)

DEFAULT_DISABLE_AFTER_FAILURES = 20
MAX_URL_LENGTH = 2000
MAX_EVENT_TYPES = 20


class WebhookEventType(StrEnum):
    """What happened; the value is the `type` of the JSON body."""

    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_REJECTED = "request.rejected"
    REQUEST_RESUBMITTED = "request.resubmitted"
    REQUEST_WITHDRAWN = "request.withdrawn"
    REQUEST_APPROVED = "request.approved"
    CERTIFICATE_STARTED = "certificate.started"
    CERTIFICATE_STATE_CHANGED = "certificate.state_changed"
    CERTIFICATE_RENEWAL_OPEN = "certificate.renewal_open"
    CERTIFICATE_REMINDER = "certificate.reminder"
    CERTIFICATE_EXPIRED = "certificate.expired"


def request_event_type(
    from_status: RequestStatus | None, to_status: RequestStatus
) -> WebhookEventType | None:
    """The event a request's transition announces; None for a move no event names."""
    if to_status is RequestStatus.IN_REVIEW:
        return (
            WebhookEventType.REQUEST_SUBMITTED
            if from_status is None
            else WebhookEventType.REQUEST_RESUBMITTED
        )
    if to_status is RequestStatus.REJECTED:
        return WebhookEventType.REQUEST_REJECTED
    if to_status is RequestStatus.COMPLETED:
        return WebhookEventType.REQUEST_APPROVED
    if to_status is RequestStatus.WITHDRAWN:
        return WebhookEventType.REQUEST_WITHDRAWN
    return None


def certificate_event_type(
    from_status: CertificateStatus | None, to_status: CertificateStatus
) -> WebhookEventType:
    """A certificate that becomes ACTIVE from nothing (or from ISSUED) has started; one that
    becomes EXPIRED has expired; any other move is a state change."""
    if to_status is CertificateStatus.ACTIVE and (
        from_status is None or from_status is CertificateStatus.ISSUED
    ):
        return WebhookEventType.CERTIFICATE_STARTED
    if to_status is CertificateStatus.EXPIRED:
        return WebhookEventType.CERTIFICATE_EXPIRED
    return WebhookEventType.CERTIFICATE_STATE_CHANGED


# --- Signature --------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256, keyed by the endpoint's secret, of `"<timestamp>.<body>"`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex>`, in the manner of Stripe's."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: int, tolerance: timedelta = SIGNATURE_TOLERANCE
) -> bool:
    """What a receiver does (docs/integrations.md shows the same in Python and JavaScript)."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance.total_seconds():
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


# --- Retries ----------------------------------------------------------------------------------


def retry_delay(failed_attempts: int, draw: float) -> timedelta:
    """The wait after the `failed_attempts`-th failure: 30 s doubling up to one hour, with
    "equal jitter" (half the delay fixed, half spread by `draw` in [0, 1)) so that endpoints
    that failed together do not all retry at the same instant."""
    if not 0.0 <= draw < 1.0:
        raise ValueError("draw must be in [0, 1)")
    exponent = min(max(failed_attempts - 1, 0), 20)
    delay = min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)
    return delay / 2 + (delay / 2) * draw


def gives_up(first_attempt_at: datetime, now: datetime) -> bool:
    """Whether a delivery that keeps failing has used up its retry period."""
    return now - first_attempt_at >= RETRY_PERIOD


# --- URLs and addresses -----------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookUrl:
    url: str
    scheme: str
    host: str
    port: int


def parse_webhook_url(raw: str, *, allow_local: bool) -> WebhookUrl:
    """An absolute https URL (http too when `allow_local`), without credentials or fragment."""
    text = raw.strip()
    invalid = DomainError(
        ErrorCode.INVALID_INPUT,
        "La URL del webhook no es válida: usa una dirección https completa, "
        "como https://erp.ejemplo.co/webhooks/certificados.",
        field="url",
    )
    if not text or len(text) > MAX_URL_LENGTH or any(c.isspace() for c in text):
        raise invalid
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise invalid from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.fragment:
        raise invalid
    if parts.username is not None or parts.password is not None:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "La URL del webhook no puede llevar usuario ni contraseña.",
            field="url",
        )
    if parts.scheme == "http" and not allow_local:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "La URL del webhook debe usar https.", field="url"
        )
    return WebhookUrl(
        url=text,
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
    )


def is_public_address(address: str) -> bool:
    """Whether an IP address is one the public Internet routes: not private, loopback,
    link-local (cloud metadata lives there), multicast, reserved or unspecified. An IPv4 address
    mapped or embedded in IPv6 is judged as the IPv4 address it carries."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    return bool(ip.is_global) and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_addresses(host: str, addresses: Iterable[str], *, allow_local: bool) -> list[str]:
    """The addresses a webhook may connect to; refuses when any of them is not public (a name
    that resolves to one public and one private address is refused as a whole)."""
    found = list(dict.fromkeys(addresses))
    if not found:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"No pudimos resolver el nombre {host} de la URL del webhook.",
            field="url",
        )
    if not allow_local and not all(is_public_address(address) for address in found):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "La URL del webhook apunta a una dirección privada, local o reservada; "
            "usa una dirección pública.",
            field="url",
        )
    return found


def parse_event_types(stored: str) -> list[WebhookEventType]:
    """The event types as an endpoint row keeps them (comma-separated values)."""
    return [WebhookEventType(value) for value in stored.split(",") if value]


def normalize_event_types(types: Iterable[WebhookEventType]) -> list[WebhookEventType]:
    """The distinct types asked for, in the enum's order; at least one."""
    chosen = set(types)
    if not chosen:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Elige al menos un tipo de evento para el webhook.",
            field="eventTypes",
        )
    return [kind for kind in WebhookEventType if kind in chosen]
