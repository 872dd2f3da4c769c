"""The GraphiQL page is ours: no outside URL, a CSP of our own origin, assets from the package,
and the demo token in its headers hint only for a page opened from this machine."""

import re
from pathlib import Path

import httpx
import orjson
from starlette.applications import Starlette

from server.graphiql import DEMO_TOKENS_FILE, STATIC_DIR
from server.settings import Settings

DEMO_TOKEN = "cdt_demo_customer_token"


async def page(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response


async def test_the_page_loads_nothing_from_outside(http: httpx.AsyncClient) -> None:
    response = await page(http)
    assert not re.search(r"(src|href)=\"(https?:)?//", response.text)
    assert "unpkg" not in response.text
    assert "cdn" not in response.text.lower()
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "connect-src 'self'" in csp
    assert "http" not in csp
    assert "*" not in csp
    assert "unsafe" not in csp
    assert response.headers["cache-control"] == "no-store"


async def test_every_asset_the_page_names_is_served(http: httpx.AsyncClient) -> None:
    html = (await page(http)).text
    assets = re.findall(r'(?:src|href)="(/graphiql/static/[^"]+)"', html)
    assert len(assets) == 7
    for asset in assets:
        response = await http.get(asset)
        assert response.status_code == 200, asset
        assert (
            response.content == (STATIC_DIR / asset.removeprefix("/graphiql/static/")).read_bytes()
        )


def test_the_vendored_assets_carry_their_licences_and_versions() -> None:
    vendor = STATIC_DIR / "vendor"
    licences = (vendor / "LICENSES.txt").read_text()
    versions = orjson.loads((vendor / "versions.json").read_bytes())
    for package in ("react", "react-dom", "graphiql", "graphql-ws"):
        assert f"===== {package} {versions[package]} " in licences


async def test_the_demo_token_is_hinted_to_this_machine_only(
    app: Starlette, settings: Settings
) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / DEMO_TOKENS_FILE).write_bytes(orjson.dumps({"customer": DEMO_TOKEN}))
    local = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    remote = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    async with httpx.AsyncClient(transport=local, base_url="http://testserver") as client:
        assert DEMO_TOKEN in (await page(client)).text
    async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as client:
        assert DEMO_TOKEN not in (await page(client)).text


def test_the_page_template_has_no_inline_script() -> None:
    template = Path(STATIC_DIR / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", template) == []
