"""The webhook rules: signature, retry schedule, URLs and addresses, which event a change is."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import CertificateStatus, ErrorCode, RequestStatus
from domain.webhooks import (
    WebhookEventType,
    WebhookUrl,
    certificate_event_type,
    check_addresses,
    gives_up,
    is_public_address,
    normalize_event_types,
    parse_event_types,
    parse_webhook_url,
    request_event_type,
    retry_delay,
    signature_header,
    verify_signature,
)
from tests.support.refusals import assert_refusal, refusal

T = 1_764_000_000


def test_the_signature_header_is_stripe_style_hmac_of_timestamp_dot_body() -> None:
    body = b'{"id":"evt_1"}'
    expected = hmac.new(b"whsec_x", b"1764000000." + body, hashlib.sha256).hexdigest()
    assert signature_header("whsec_x", T, body) == f"t={T},v1={expected}"


@given(secret=st.text(min_size=1, max_size=40), body=st.binary(max_size=200))
def test_a_signature_verifies_with_its_secret_and_body_only(secret: str, body: bytes) -> None:
    header = signature_header(secret, T, body)
    assert verify_signature(secret, header, body, now=T)
    assert not verify_signature(secret + "x", header, body, now=T)
    assert not verify_signature(secret, header, body + b"x", now=T)


def test_a_signature_outside_the_tolerance_window_is_refused() -> None:
    header = signature_header("s", T, b"{}")
    assert verify_signature("s", header, b"{}", now=T + 300)
    assert not verify_signature("s", header, b"{}", now=T + 301)
    assert not verify_signature("s", header, b"{}", now=T - 301)
    assert not verify_signature("s", "v1=abc", b"{}", now=T)


def reference_delay(n: int) -> tuple[float, float]:
    """From docs/integrations.md: 30 s doubling, capped at an hour; half fixed, half jitter."""
    full = min(30 * 2 ** (n - 1), 3600)
    return full / 2, full


@given(n=st.integers(min_value=1, max_value=200), draw=st.floats(min_value=0, max_value=0.999999))
def test_the_retry_delay_stays_within_the_documented_bounds(n: int, draw: float) -> None:
    low, high = reference_delay(n)
    delay = retry_delay(n, draw).total_seconds()
    assert low <= delay < high or (low == delay == high)


def test_the_retry_delay_grows_then_caps() -> None:
    assert retry_delay(1, 0.0) == timedelta(seconds=15)
    assert retry_delay(2, 0.5) == timedelta(seconds=45)
    assert retry_delay(50, 0.0) == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address to judge, not to bind
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:c0a8:0101::1", False),
        ("no-es-ip", False),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_urls_https_only_unless_local_is_allowed() -> None:
    assert parse_webhook_url("https://erp.ejemplo.co/h?a=1", allow_local=False).port == 443
    assert parse_webhook_url("http://127.0.0.1:9000/h", allow_local=True).port == 9000
    for bad in (
        "",
        "erp.ejemplo.co",
        "https://",
        "https://x/#f",
        "https://x:99999/",
        "https://a b/",
    ):
        assert_refusal(
            refusal(parse_webhook_url, bad, allow_local=True),
            code=ErrorCode.INVALID_INPUT,
            field="url",
            message="La URL del webhook no es válida: usa una dirección https completa, "
            "como https://erp.ejemplo.co/webhooks/certificados.",
        )


def test_which_event_a_request_change_is() -> None:
    assert request_event_type(None, RequestStatus.IN_REVIEW) is WebhookEventType.REQUEST_SUBMITTED
    assert (
        request_event_type(RequestStatus.REJECTED, RequestStatus.IN_REVIEW)
        is WebhookEventType.REQUEST_RESUBMITTED
    )
    assert (
        request_event_type(RequestStatus.IN_REVIEW, RequestStatus.REJECTED)
        is WebhookEventType.REQUEST_REJECTED
    )
    assert (
        request_event_type(RequestStatus.IN_REVIEW, RequestStatus.COMPLETED)
        is WebhookEventType.REQUEST_APPROVED
    )


def test_which_event_a_certificate_change_is() -> None:
    active, inactive = CertificateStatus.ACTIVE, CertificateStatus.INACTIVE
    assert certificate_event_type(None, active) is WebhookEventType.CERTIFICATE_STARTED
    assert certificate_event_type(inactive, active) is WebhookEventType.CERTIFICATE_STATE_CHANGED
    assert certificate_event_type(active, inactive) is WebhookEventType.CERTIFICATE_STATE_CHANGED
    assert (
        certificate_event_type(active, CertificateStatus.EXPIRED)
        is WebhookEventType.CERTIFICATE_EXPIRED
    )


def test_the_event_types_asked_for_in_the_enums_order() -> None:
    assert normalize_event_types(
        [WebhookEventType.CERTIFICATE_EXPIRED, WebhookEventType.REQUEST_SUBMITTED] * 2
    ) == [WebhookEventType.REQUEST_SUBMITTED, WebhookEventType.CERTIFICATE_EXPIRED]


INVALID_URL = (
    "La URL del webhook no es válida: usa una dirección https completa, "
    "como https://erp.ejemplo.co/webhooks/certificados."
)


def test_a_withdrawn_request_is_announced_and_a_move_no_event_names_is_not() -> None:
    assert (
        request_event_type(RequestStatus.REJECTED, RequestStatus.WITHDRAWN)
        is WebhookEventType.REQUEST_WITHDRAWN
    )
    assert request_event_type(None, RequestStatus.COMPLETED) is WebhookEventType.REQUEST_APPROVED


def test_unknown_parts_of_the_signature_header_are_ignored() -> None:
    """A receiver skips schemes it does not know (Stripe's `v0`), whatever their value."""
    header = signature_header("s", T, b"{}")
    t_part, v1_part = header.split(",")
    assert verify_signature("s", f"{t_part},v0=1234567890,{v1_part}", b"{}", now=T)
    assert verify_signature("s", f" {t_part} , {v1_part} ", b"{}", now=T)
    assert not verify_signature("s", f"t=abc,{v1_part}", b"{}", now=T)


@pytest.mark.parametrize("draw", [-0.1, 1.0, 1.5])
def test_the_random_draw_is_in_zero_to_one(draw: float) -> None:
    with pytest.raises(ValueError, match=r"^draw must be in \[0, 1\)$"):
        retry_delay(1, draw)


def test_retries_stop_exactly_24_hours_after_the_first_attempt() -> None:
    first = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert not gives_up(first, first + timedelta(hours=24) - timedelta(seconds=1))
    assert gives_up(first, first + timedelta(hours=24))


def test_a_valid_url_is_kept_as_typed_with_its_host_and_port() -> None:
    assert parse_webhook_url(" https://ERP.Ejemplo.co/Hooks?a=1 ", allow_local=False) == (
        WebhookUrl("https://ERP.Ejemplo.co/Hooks?a=1", "https", "erp.ejemplo.co", 443)
    )
    assert parse_webhook_url("https://erp.ejemplo.co:8443/h", allow_local=False) == (
        WebhookUrl("https://erp.ejemplo.co:8443/h", "https", "erp.ejemplo.co", 8443)
    )
    assert parse_webhook_url("http://127.0.0.1/h", allow_local=True) == (
        WebhookUrl("http://127.0.0.1/h", "http", "127.0.0.1", 80)
    )


def test_a_url_of_2000_characters_at_most() -> None:
    base = "https://erp.ejemplo.co/"
    longest = base + "a" * (2000 - len(base))
    assert parse_webhook_url(longest, allow_local=False).url == longest
    assert_refusal(
        refusal(parse_webhook_url, longest + "a", allow_local=False),
        code=ErrorCode.INVALID_INPUT,
        field="url",
        message=INVALID_URL,
    )


@pytest.mark.parametrize(
    "bad", ["", "erp.ejemplo.co", "https://", "https://x/#f", "https://x:99999/", "https://a b/"]
)
def test_an_invalid_url_is_refused_with_an_example(bad: str) -> None:
    assert_refusal(
        refusal(parse_webhook_url, bad, allow_local=True),
        code=ErrorCode.INVALID_INPUT,
        field="url",
        message=INVALID_URL,
    )


@pytest.mark.parametrize(
    "url", ["https://erp@erp.ejemplo.co/h", "https://:clave@erp.ejemplo.co/h", "https://a:b@x/h"]
)
def test_a_url_with_credentials_is_refused(url: str) -> None:
    assert_refusal(
        refusal(parse_webhook_url, url, allow_local=True),
        code=ErrorCode.INVALID_INPUT,
        field="url",
        message="La URL del webhook no puede llevar usuario ni contraseña.",
    )


def test_plain_http_only_when_local_is_allowed() -> None:
    assert_refusal(
        refusal(parse_webhook_url, "http://erp.ejemplo.co/h", allow_local=False),
        code=ErrorCode.INVALID_INPUT,
        field="url",
        message="La URL del webhook debe usar https.",
    )


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("4000::1", False),  # reserved IPv6, though outside the private ranges
        ("ff02::1", False),  # multicast
        ("2606:4700::1111%eth0", True),  # the zone index is not part of the address
        ("93.184.215.14%eth0", True),
        ("10.0.0.1%eth0", False),
        ("93.184.215.14 x", False),
    ],
)
def test_more_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_a_name_with_any_private_address_is_refused_as_a_whole() -> None:
    assert_refusal(
        refusal(
            check_addresses, "mixto.ejemplo.co", ["93.184.215.14", "10.0.0.1"], allow_local=False
        ),
        code=ErrorCode.INVALID_INPUT,
        field="url",
        message="La URL del webhook apunta a una dirección privada, local o reservada; "
        "usa una dirección pública.",
    )
    assert_refusal(
        refusal(check_addresses, "nada.ejemplo.co", [], allow_local=False),
        code=ErrorCode.INVALID_INPUT,
        field="url",
        message="No pudimos resolver el nombre nada.ejemplo.co de la URL del webhook.",
    )
    assert check_addresses(
        "x", ["93.184.215.14", "2606:4700::1111", "93.184.215.14"], allow_local=False
    ) == ["93.184.215.14", "2606:4700::1111"]
    assert check_addresses("x", ["127.0.0.1"], allow_local=True) == ["127.0.0.1"]


def test_event_types_as_an_endpoint_row_keeps_them() -> None:
    assert parse_event_types("request.submitted,certificate.expired") == [
        WebhookEventType.REQUEST_SUBMITTED,
        WebhookEventType.CERTIFICATE_EXPIRED,
    ]
    assert parse_event_types("") == []


def test_at_least_one_event_type_is_asked_for() -> None:
    assert_refusal(
        refusal(normalize_event_types, []),
        code=ErrorCode.INVALID_INPUT,
        field="eventTypes",
        message="Elige al menos un tipo de evento para el webhook.",
    )
