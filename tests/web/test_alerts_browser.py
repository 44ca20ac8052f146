"""The alerts list of the workspace in a real headless Chromium against a real `accountgraph serve` process: a
planner acknowledges and mutes an alert by clicking; a viewer finds no button (the browser fixture of
`tests.browser`; every request other than the app's own is blocked)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.services import alerts
from accountgraph.services.scope import Scope
from tests.api.support import REPO, Server, server
from tests.browser import VIEWPORT
from tests.services.alert_support import REF, load_account
from tests.web.support import new_key


@dataclass
class App:
    server: Server
    url: str
    store: str
    planner: str
    viewer: str
    alert: str
    reason: str


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("alerts-browser") / "web.db"
    with SqliteStore(f"sqlite:///{path}") as store:
        load_account(store)
        raised = alerts.run(store, Scope.operator(), reference=REF).raised[0]
        keys = (new_key(store, "planner"), new_key(store, "viewer"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCOUNTGRAPH_", "NEO4J_"))}
    env.update(
        ACCOUNTGRAPH_STORE=f"sqlite:///{path}",
        ACCOUNTGRAPH_LOG_LEVEL="WARNING",
        ACCOUNTGRAPH_ALERTS_WORKER="0",  # the list stays as evaluated on REF
        PYTHONPATH=str(REPO),
    )
    with server(env) as running:
        yield App(running, running.url, f"sqlite:///{path}", *keys, raised.id, raised.reason)


def _signed_in(browser: Any, app: App, key: str) -> tuple[Any, list[str]]:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    problems: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(app.url + "/"):
            r.continue_()
        else:
            problems.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(app.url + "/")
    page.fill("#ag-key", key)
    page.click("#ag-signin-form button[type=submit]")
    page.wait_for_url(app.url + "/")
    return page, problems


def test_a_planner_acknowledges_and_mutes_an_alert(browser: Any, app: App) -> None:
    page, problems = _signed_in(browser, app, app.planner)
    row = page.locator(f'#ag-alerts tr[data-alert="{app.alert}"]')
    assert app.reason in row.inner_text()
    row.locator('button[data-alert-do="ack"]').click()
    page.wait_for_selector(f'#ag-alerts tr[data-alert="{app.alert}"] >> text=(acknowledged)')
    page.locator(f'#ag-alerts tr[data-alert="{app.alert}"] button[data-alert-do="mute"]').click()
    page.wait_for_selector(f'#ag-alerts tr[data-alert="{app.alert}"] >> text=(muted)')
    with SqliteStore(app.store) as store:
        stored = alerts.get_alert(store, Scope.operator(), app.alert)
    assert stored.acknowledged_at is not None and stored.muted
    page.goto(app.url + "/accounts/acme")
    assert page.locator(f'#ag-alerts tr[data-alert="{app.alert}"] button[data-alert-do="unmute"]').count() == 1
    assert problems == []


def test_a_viewer_sees_the_alerts_without_buttons(browser: Any, app: App) -> None:
    page, problems = _signed_in(browser, app, app.viewer)
    assert page.locator(f'#ag-alerts tr[data-alert="{app.alert}"]').count() == 1
    assert page.locator("#ag-alerts button").count() == 0
    assert problems == []
