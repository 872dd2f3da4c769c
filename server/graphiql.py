"""The GraphiQL page, served entirely from this package (server/static/graphiql: our page and
the vendored GraphiQL, React and graphql-ws, refreshed by tools/graphiql/refresh.sh), under a
Content-Security-Policy that lets it load and connect to nothing but this server.

On a developer's machine the headers editor starts with the demo customer's token (written by
`certs demo` to DATA_DIR/demo-tokens.json), for pages opened from the loopback address only;
anywhere else it shows where to get a token.
"""

import html
import ipaddress
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.auth import client_address

STATIC_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
STATIC_PATH = "/graphiql/static"
DEMO_TOKENS_FILE = "demo-tokens.json"

#: Our own origin only: scripts and styles from our files, fonts and icons inlined by GraphiQL's
#: stylesheet (data: URIs), and requests (fetch, WebSocket) to this server.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

DEFAULT_QUERY = """\
# GraphiQL de Certificados. Ctrl-Enter ejecuta; Ctrl-Espacio sugiere campos.
#
# Las operaciones necesitan un token en «Headers»:
#   {"Authorization": "Bearer cdt_..."}
# `make run` (o `certs demo`) imprime uno por rol: customer, reviewer, admin.
#
# Suscripción (WebSocket, mismo token): cambia la operación a
#   subscription Cambios { certificateRequestStatusChanged { toStatus } }

query Yo {
  viewer {
    user { name email role }
    company { legalName nit }
  }
}
"""


def demo_token(data_dir: Path) -> str | None:
    """The demo customer's token `certs demo` left for this page, if any."""
    try:
        tokens = orjson.loads((data_dir / DEMO_TOKENS_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    token = tokens.get("customer") if isinstance(tokens, dict) else None
    return token if isinstance(token, str) else None


def is_loopback(request: Request) -> bool:
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:
        return False


def render_page(request: Request, data_dir: Path) -> HTMLResponse:
    token = demo_token(data_dir) if is_loopback(request) else None
    headers = {"Authorization": f"Bearer {token or 'cdt_... (certs demo imprime uno)'}"}
    values = {
        "static": STATIC_PATH,
        "endpoint": str(request.url.path),
        "default_query": DEFAULT_QUERY,
        "default_headers": orjson.dumps(headers, option=orjson.OPT_INDENT_2).decode(),
    }
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for name, value in values.items():
        page = page.replace("{" + name + "}", html.escape(value, quote=True))
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": CSP,
            # The page may hold a token once typed: never cached by anyone.
            "Cache-Control": "no-store",
        },
    )
