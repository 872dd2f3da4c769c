"""GraphiQL in a real browser (headless Chromium driven by Playwright): the page loads from our
own files only, runs a query with the demo token from its headers hint, runs a subscription that
hears a submission, keeps the token out of localStorage, and leaves a screenshot behind."""

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.calendar import local_date
from tests.support.flows import submit
from tests.support.graphql import GraphQLClient
from tests.support.server import SharedServer
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

SUBSCRIPTION = "subscription Cambios { certificateRequestStatusChanged { toStatus } }"


def chromium_or_skip() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        reason = "chromium is not installed (apt-get install chromium): the GraphiQL browser test did NOT run"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return chromium


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """Under TEST_OUTPUT_DIR (CI keeps it) when set, else in the test's own tmp_path."""
    folder = Path(os.environ.get("TEST_OUTPUT_DIR") or tmp_path) / "graphiql"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def page_shows(page: Any, selector: str, text: str) -> Any:
    """Whether the element's visible text contains `text` (an awaitable; CDP evaluation, not
    subject to the page's CSP)."""
    return page.evaluate(
        "([selector, text]) => { const e = document.querySelector(selector);"
        " return !!e && e.innerText.includes(text); }",
        [selector, text],
    )


async def editors_text(page: Any) -> str:
    """What every CodeMirror editor on the page holds (query, variables, headers, results)."""
    value: str = await page.evaluate(
        "Array.from(document.querySelectorAll('.CodeMirror'))"
        ".map((e) => e.CodeMirror.getValue()).join('\\n')"
    )
    return value


async def test_graphiql_runs_a_query_and_a_subscription_offline(
    shared_sqlite_server: SharedServer, tmp_path: Path
) -> None:
    """On the shared server, whose demo customer no other test submits for (the page's headers
    hint carries that customer's token)."""
    chromium = chromium_or_skip()
    from playwright.async_api import async_playwright

    server, demo = shared_sqlite_server.server, shared_sqlite_server.demo
    customer_token = demo["tokens"]["customer"]
    outside: list[str] = []
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((server.base_url, server.ws_url, "data:"))
                else outside.append(r.url)
            ),
        )
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        await page.goto(f"{server.base_url}/graphql")
        await page.wait_for_selector(".graphiql-execute-button", timeout=20_000)

        # The headers hint carries the demo customer's token (page opened from loopback).
        assert customer_token in await editors_text(page)

        await page.click(".graphiql-execute-button")
        await wait_until(
            lambda: page_shows(page, ".result-window", "cliente@demo.example.co"),
            within=20,
            what="the query's answer in the result pane",
        )

        # A subscription over the WebSocket, with the same header, hears a submission.
        await page.evaluate(
            "(q) => document.querySelector('.graphiql-query-editor .CodeMirror')"
            ".CodeMirror.setValue(q)",
            SUBSCRIPTION,
        )
        await page.click(".graphiql-execute-button")
        # The socket is open and subscribed before anything is submitted.
        await wait_until(
            lambda: page.evaluate(
                "document.querySelector('.graphiql-execute-button')"
                ".getAttribute('aria-label').toLowerCase().includes('stop')"
            ),
            within=20,
            what="the subscription running (the button turns into «stop»)",
        )
        async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
            today = local_date(datetime.now(UTC))
            submitted = await submit(
                GraphQLClient(http), customer_token, issued_on=today - timedelta(days=5)
            )
        assert submitted["errors"] == [], submitted
        await wait_until(
            lambda: page_shows(page, ".result-window", "IN_REVIEW"),
            within=20,
            what="the submission's event in the result pane",
        )

        stored: str = await page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
        shot = screenshot_path(tmp_path, "graphiql-subscription.png")
        await page.screenshot(path=str(shot), full_page=True)
        await browser.close()

    print(f"GraphiQL screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert customer_token not in stored
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
