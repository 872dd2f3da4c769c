"""Sending one webhook request, safely: the URL checked, the name resolved and every address
checked, the connection made to the address that was checked, redirects not followed.

Checking the URL when it is registered is not enough: a name can later resolve elsewhere (DNS
rebinding). So each attempt resolves the name itself, refuses it if any address is private,
loopback, link-local or reserved (unless `allow_local`, for development), and connects to that
very address, sending the original name in `Host` and, for https, in the TLS SNI, so the
certificate is still verified against the name.
"""

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from domain.errors import DomainError
from domain.webhooks import check_addresses, parse_webhook_url

#: How much of the receiver's answer is kept for the operators.
RESPONSE_KEEP_BYTES = 1000
USER_AGENT = "Certificados-Webhooks/1"

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (an IP literal resolves to itself)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Answer:
    """How an attempt went: `ok` only for a 2xx answer."""

    ok: bool
    status_code: int | None
    response: str
    latency_ms: int | None

    @property
    def reached_receiver(self) -> bool:
        return self.status_code is not None


class WebhookSender:
    def __init__(
        self,
        *,
        allow_local: bool = False,
        timeout_seconds: float = 10.0,
        resolver: Resolver = resolve,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.allow_local = allow_local
        self._verify = verify
        self.timeout_seconds = timeout_seconds
        self._resolver = resolver
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                follow_redirects=False,
                timeout=httpx.Timeout(self.timeout_seconds),
                trust_env=False,  # no proxy from the environment: we connect where we checked
                verify=self._verify,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def target(self, url: str) -> tuple[str, str, str]:
        """(the URL to connect to, by address; the Host header; the TLS server name), or a
        DomainError saying why this URL may not be called."""
        checked = parse_webhook_url(url, allow_local=self.allow_local)
        try:
            found = await self._resolver(checked.host, checked.port)
        except OSError:
            found = []
        addresses = check_addresses(checked.host, found, allow_local=self.allow_local)
        address = addresses[0]
        literal = f"[{address}]" if ":" in address else address
        parts = urlsplit(checked.url)
        default_port = 443 if checked.scheme == "https" else 80
        host_header = (
            checked.host if checked.port == default_port else f"{checked.host}:{checked.port}"
        )
        if ":" in checked.host:  # an IPv6 literal in the URL itself
            host_header = (
                f"[{checked.host}]"
                if checked.port == default_port
                else f"[{checked.host}]:{checked.port}"
            )
        netloc = f"{literal}:{checked.port}"
        direct = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        return direct, host_header, checked.host

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        try:
            direct, host_header, server_name = await self.target(url)
        except DomainError as refused:
            return Answer(ok=False, status_code=None, response=refused.message, latency_ms=None)
        request_headers = {
            **headers,
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
        extensions = {"sni_hostname": server_name} if direct.startswith("https:") else {}
        started = time.monotonic()
        try:
            request = self._http().build_request(
                "POST", direct, content=body, headers=request_headers, extensions=extensions
            )
            response = await self._http().send(request, stream=True)
            try:
                kept = bytearray()
                async for chunk in response.aiter_raw():
                    kept.extend(chunk)
                    if len(kept) >= RESPONSE_KEEP_BYTES:
                        break
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            return Answer(False, None, "Sin respuesta a tiempo del receptor.", _ms(started))
        except httpx.HTTPError as exc:
            return Answer(
                False, None, f"No se pudo conectar: {type(exc).__name__}: {exc}"[:500], _ms(started)
            )
        text = bytes(kept[:RESPONSE_KEEP_BYTES]).decode("utf-8", "replace")
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            text = f"Redirección a {location[:300]} no seguida. {text}".strip()
        return Answer(200 <= status < 300, status, text, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
