"""Take the README's pictures of the workspace: the portfolio and an account with a person's card.

    python tools/workspace_screenshots.py [OUT_DIR]   (default docs/)

Seeds the demo (`seed_demo`) into a temporary SQLite file, mints a planner key, serves it with `accountgraph serve`
on a free loopback port and drives Debian's chromium through Playwright (every request other than the server's
is refused): signs in, shoots the portfolio (`workspace-home.png`), opens the sample account, clicks its best
ranked person and shoots the map with the card (`workspace-account.png`), then opens the account's deals and
shoots the first one's health with its committee map drawn (`workspace-deals.png`).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from accountgraph.graph import open_store  # noqa: E402
from accountgraph.samples.demo import seed_demo  # noqa: E402
from accountgraph.services.keys import mint_key  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, nargs="?", default=REPO / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        store = open_store(url)
        try:
            account = seed_demo(store).account
            _, key = mint_key(store, "planner", name="screenshots")
        finally:
            store.close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "ACCOUNTGRAPH_STORE": url, "ACCOUNTGRAPH_LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}
        serve = [sys.executable, "-m", "accountgraph", "serve", "--port", str(port)]
        server = subprocess.Popen(serve, env=env, stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            shoot(base, key, account, args.out)
        finally:
            server.terminate()
            server.wait(30)


def shoot(base: str, key: str, account: str, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base + "/") else r.abort())
        page.goto(base + "/signin")
        page.fill("#ag-key", key)
        page.click("#ag-signin-form button[type=submit]")
        page.wait_for_url(base + "/")
        page.screenshot(path=str(out / "workspace-home.png"))
        page.click(f'tr[data-account="{account}"] a')
        page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=60_000)
        person = page.evaluate(
            "() => agNodes.get({filter: n => n.kind === 'person'}).sort((a, b) => b.size - a.size)[0].id"
        )
        point = page.evaluate(
            """id => {
                const p = agNetwork.canvasToDOM(agNetwork.getPosition(id));
                const r = document.getElementById('ag-map').getBoundingClientRect();
                return [p.x + r.left, p.y + r.top];
            }""",
            person,
        )
        page.mouse.click(point[0], point[1])
        page.wait_for_function("id => document.getElementById('ag-card').dataset.person === id", arg=person)
        page.screenshot(path=str(out / "workspace-account.png"))
        page.click("#ag-deals-link")
        page.wait_for_url(f"{base}/accounts/{account}/deals")
        page.click(".ag-committee-map")
        page.wait_for_function("() => document.getElementById('ag-deals').dataset.shown !== undefined")
        page.wait_for_timeout(1500)  # the committee map settles
        page.evaluate("() => window.scrollTo(0, 0)")
        page.set_viewport_size({"width": 1400, "height": 1250})
        page.screenshot(path=str(out / "workspace-deals.png"))
        browser.close()
    print(f"wrote {out / 'workspace-home.png'}, {out / 'workspace-account.png'} and {out / 'workspace-deals.png'}")


if __name__ == "__main__":
    main()
