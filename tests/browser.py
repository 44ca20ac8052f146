"""The browser of the browser tests: Debian's `chromium` driven by Playwright for Python (no `playwright install`).

When Playwright or Chromium is missing the tests that use the `browser` fixture fail, so CI cannot pass without
them, unless ACCOUNTGRAPH_ALLOW_NO_BROWSER=1. The fixture is offered to every test by tests/conftest.py.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ACCOUNTGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1400, "height": 900}


def unavailable(reason: str) -> None:
    """Skip when ACCOUNTGRAPH_ALLOW_NO_BROWSER=1, else fail: a missing browser is not a pass."""
    if os.environ.get("ACCOUNTGRAPH_ALLOW_NO_BROWSER") == "1":
        pytest.skip(reason)
    pytest.fail(f"{reason} (set ACCOUNTGRAPH_ALLOW_NO_BROWSER=1 to skip the browser tests)", pytrace=False)


@dataclass
class Chromium:
    browser: Any
    loop: asyncio.AbstractEventLoop | None  # Playwright's event loop, which its sync API marks as running


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """One headless Chromium for the session: a launch (Playwright's driver and the browser) took about 2.5 s,
    paid once instead of by every browser test module. Each module still gets a clean browser (`browser`).

    Between its calls Playwright's sync API leaves its event loop marked as the thread's running loop (its
    dispatcher is suspended inside it). The mark is set only while a module uses the browser, so the other
    tests run as they did when each module stopped its own Playwright: with no running loop."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shared = Chromium(b, asyncio._get_running_loop())
        asyncio._set_running_loop(None)
        try:
            yield shared
        finally:
            asyncio._set_running_loop(shared.loop)
            b.close()


@pytest.fixture(scope="module")
def browser(chromium: Chromium) -> Iterator[Any]:
    """The session's headless Chromium for the tests of one module; the browser contexts (Chromium's isolated
    profiles: cookies, storage, cache) the module opened and left open are closed when it ends, so the next module
    starts with none, as it did with a browser of its own."""
    asyncio._set_running_loop(chromium.loop)
    try:
        assert chromium.browser.is_connected(), "the session's Chromium went away"
        yield chromium.browser
        for context in list(chromium.browser.contexts):
            context.close()
    finally:
        asyncio._set_running_loop(None)


def wait_ready(page: Any) -> None:
    """Until the page's script has drawn it (`<body data-ready="1">`). Safe while a navigation is under way: until
    the new document has a body, `document.body` is null (reading it made the wait fail at once)."""
    page.wait_for_function("() => document.body?.dataset.ready === '1'", timeout=60_000)
