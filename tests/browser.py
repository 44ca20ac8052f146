"""The browser of the browser tests: Debian's `chromium` driven by Playwright for Python (no `playwright install`).

When Playwright or Chromium is missing the tests that use the `browser` fixture fail, so CI cannot pass without
them, unless ACCOUNTGRAPH_ALLOW_NO_BROWSER=1. The fixture is offered to every test by tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for the tests of one module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
