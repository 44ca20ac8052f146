"""The workspace in a real headless Chromium against a real `accountgraph serve` process on a SQLite file, with
every request other than the app's own blocked.

Chromium is Debian's `chromium` package driven by Playwright for Python (the launch options and the
ACCOUNTGRAPH_ALLOW_NO_BROWSER convention of the view tests): without it these tests fail unless that is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.api.support import REPO, Server, server
from tests.browser import VIEWPORT, wait_ready
from tests.web.support import ACCOUNT, HOSTILE, HOSTILE_PERSON, OTHER, make_store, new_key

OPPONENT_COLOUR = "#D55E00"  # accountgraph/web/static/stance.js STANCES.opponent


@dataclass
class App:
    server: Server
    planner: str
    viewer: str
    limited: str


@dataclass
class Watched:
    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("web-browser") / "web.db"
    store = make_store(path)
    try:
        keys = (new_key(store, "planner"), new_key(store, "viewer"), new_key(store, "viewer", (ACCOUNT,)))
    finally:
        store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCOUNTGRAPH_", "NEO4J_"))}
    env.update(ACCOUNTGRAPH_STORE=f"sqlite:///{path}", ACCOUNTGRAPH_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    with server(env) as running:
        yield App(running, *keys)


def _page(browser: Any, app: App) -> Watched:
    """A new page whose requests outside the app are aborted; console errors, page errors and dialogs kept."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    watched = Watched(page)

    def route(r: Any) -> None:
        if r.request.url.startswith(app.server.url + "/"):
            r.continue_()
        else:
            watched.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watched.errors.append(str(e)))

    def dialog(d: Any) -> None:
        watched.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    return watched


def _sign_in(watched: Watched, app: App, key: str) -> None:
    page = watched.page
    page.goto(app.server.url + "/")
    assert page.url == app.server.url + "/signin"
    page.fill("#ag-key", key)
    page.click("#ag-signin-form button[type=submit]")
    page.wait_for_url(app.server.url + "/")


def _open_account(watched: Watched, app: App) -> None:
    page = watched.page
    page.click(f'tr[data-account="{ACCOUNT}"] a')
    page.wait_for_url(f"{app.server.url}/accounts/{ACCOUNT}")
    wait_ready(page)


def _click_node(page: Any, node: str) -> None:
    """Centre the map on a node, zoomed in, and click it where the browser draws it; wait for its card."""
    point = page.evaluate(
        """id => {
            agNetwork.moveTo({position: agNetwork.getPosition(id), scale: 1.5, animation: false});
            const p = agNetwork.canvasToDOM(agNetwork.getPosition(id));
            const r = document.getElementById('ag-map').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top];
        }""",
        node,
    )
    page.mouse.click(point[0], point[1])
    page.wait_for_function("id => document.getElementById('ag-card').dataset.person === id", arg=node)


def _renders(page: Any) -> int:
    return int(page.evaluate("() => Number(document.body.dataset.renders)"))


def _clean(watched: Watched) -> None:
    assert watched.blocked == [], f"the page tried to fetch {watched.blocked}"
    assert watched.errors == [], f"console errors: {watched.errors}"
    assert watched.dialogs == [], f"a script ran: {watched.dialogs}"


def test_a_planner_signs_in_and_edits_the_map(browser: Any, app: App, tmp_path: Path) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.planner)
        assert page.locator("#ag-portfolio tbody tr").count() == 2
        assert page.evaluate("() => document.querySelectorAll('main img').length") == 0  # the hostile name is text
        page.screenshot(path=str(tmp_path / "home.png"))
        _open_account(watched, app)
        coverage = page.locator("#ag-coverage")
        assert (coverage.text_content() or "").startswith("Coverage ")

        # the person card of the hostile-named chief executive: the name is text
        _click_node(page, HOSTILE_PERSON)
        assert page.locator("#ag-card h3").text_content() == HOSTILE
        assert page.evaluate("() => document.querySelectorAll('#ag-card img, main img').length") == 0
        assert "Who of ours knows them" in (page.text_content("#ag-card") or "")

        # set the stance: the map recolours (colour and mark) and the coverage figures refresh, no reload
        page.evaluate("() => { window.agStillHere = true; }")
        before = _renders(page)
        figures = coverage.text_content()
        score, gaps = coverage.get_attribute("data-score"), int(coverage.get_attribute("data-gaps") or "-1")
        page.select_option("#ag-stance-form select[name=stance]", "opponent")
        page.click("#ag-stance-form button[type=submit]")
        page.wait_for_function("n => Number(document.body.dataset.renders) > n", arg=before)
        node = page.evaluate("id => agNodes.get(id)", HOSTILE_PERSON)
        assert node["color"]["background"] == OPPONENT_COLOUR and node["label"].startswith("− ")
        drawn = page.evaluate("id => agNetwork.body.nodes[id].options.color.background", HOSTILE_PERSON)
        assert drawn == OPPONENT_COLOUR
        # the coverage figure that follows a stance is the gaps' count: an opponent in a decision role is a new gap
        # (PRODUCT.md, algorithms/coverage.py); the score itself is how much of the chain we reach, not who
        # supports us, so it stays
        assert int(coverage.get_attribute("data-gaps") or "-1") > gaps
        assert coverage.get_attribute("data-score") == score
        assert coverage.text_content() != figures
        assert "opponent in decision role" in page.locator("#ag-card").inner_text()
        assert page.evaluate("() => window.agStillHere") is True  # the page was not reloaded
        page.wait_for_function(
            "() => document.querySelector('#ag-card tr:nth-child(3) td').textContent === '− opponent'"
        )
        # the card's change log names the edit: by the signed-in key (its label), through the workspace
        first = page.locator("#ag-changes li").first
        first.wait_for()
        line = first.text_content() or ""
        assert "web planner" in line and "via workspace" in line and "→ opponent" in line, line
        assert page.locator("#ag-changes h2").text_content() == "Changes"

        # log an interaction with the weakest of our ties to them: its strength rises, coverage follows
        weakest = page.evaluate(
            """() => [...document.querySelectorAll('#ag-card li[data-member]')]
                .map(li => [li.dataset.member, Number(li.dataset.strength)]).sort((a, b) => a[1] - b[1])[0]"""
        )
        member, strength = str(weakest[0]), float(weakest[1])
        score = float(coverage.get_attribute("data-score") or "nan")
        before = _renders(page)
        page.select_option("#ag-interaction-form select[name=member]", member)
        page.select_option("#ag-interaction-form select[name=sentiment]", "1")
        page.click("#ag-interaction-form button[type=submit]")
        page.wait_for_function("n => Number(document.body.dataset.renders) > n", arg=before)
        item = page.locator(f'#ag-card li[data-member="{member}"]')
        item.wait_for()
        page.wait_for_function(
            "([m, s]) => Number(document.querySelector(`#ag-card li[data-member='${m}']`).dataset.strength) > s",
            arg=[member, strength],
        )
        assert float(coverage.get_attribute("data-score") or "nan") >= score
        page.screenshot(path=str(tmp_path / "account.png"))

        # a validation error is shown at its field
        page.fill("#ag-interaction-form input[name=on]", "")
        page.click("#ag-interaction-form button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('#ag-interaction-form .ag-form-status').textContent.startsWith('Not saved')"
        )
        assert page.locator('#ag-interaction-form [data-error-for="on"]').text_content()
        watched.errors = [e for e in watched.errors if "422" not in e]  # the refused request is logged
        _clean(watched)
    finally:
        page.context.close()


def test_a_viewer_finds_no_edit_control_and_a_forged_edit_is_refused(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        _open_account(watched, app)
        _click_node(page, HOSTILE_PERSON)
        assert page.locator("#ag-card form, #ag-card select, #ag-card input").count() == 0
        status = page.evaluate(
            """async ([account, person]) => {
                const csrf = document.querySelector('meta[name="csrf-token"]').content;
                const r = await fetch('/web/stance', {method: 'POST', body: JSON.stringify({account, person,
                    stance: 'supporter'}), headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
                return r.status;
            }""",
            [ACCOUNT, HOSTILE_PERSON],
        )
        assert status == 403
        watched.errors = [e for e in watched.errors if "403" not in e]
        _clean(watched)
    finally:
        page.context.close()


def test_a_limited_key_cannot_open_another_account(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.limited)
        assert page.locator("#ag-portfolio tbody tr").count() == 1
        answer = page.goto(f"{app.server.url}/accounts/{OTHER}")
        assert answer is not None and answer.status == 404
        watched.errors = [e for e in watched.errors if "404" not in e]
        _clean(watched)
    finally:
        page.context.close()


def test_the_map_filters_switches_to_layers_and_draws_a_path_on_request(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        _open_account(watched, app)
        root = page.locator("#ag-account")
        people = "() => agNodes.get({filter: (n) => n.kind === 'person' && !n.hidden})"
        everyone = len(page.evaluate(people))
        page.select_option("#ag-filters select[name=stance]", "opponent")
        shown = page.evaluate(people)
        assert shown and len(shown) < everyone and {n["stance"] for n in shown} == {"opponent"}
        assert root.get_attribute("data-visible") == str(len(shown))
        assert f"{len(shown)} of {everyone} people match" in page.locator("#ag-filtered").inner_text()
        page.click("#ag-filters button[type=reset]")
        page.wait_for_function(f"() => document.getElementById('ag-account').dataset.visible === '{everyone}'")
        page.select_option("#ag-filters select[name=role]", "decision_maker")
        assert all("decision_maker" in n["roles"] for n in page.evaluate(people))
        page.click("#ag-filters button[type=reset]")
        page.uncheck("#ag-filters input[value=KNOWS]")
        kinds = "() => [...new Set(agEdges.get({filter: (e) => !e.hidden}).map((e) => e.kind))].sort()"
        assert page.evaluate(kinds) == ["COLLEAGUES", "INFLUENCES", "OURS", "REPORTS_TO"]
        page.check("#ag-filters input[name=stale]")
        ours = page.evaluate("() => agEdges.get({filter: (e) => !e.hidden && e.kind === 'OURS'})")
        assert ours and all(e["stale"] for e in ours)
        page.click("#ag-filters button[type=reset]")
        # the layered layout: the decision layer on top, the operational layer below it, our team at the bottom
        y = "id => agNetwork.getPosition(id).y"
        before = page.evaluate(y, HOSTILE_PERSON)
        page.click("#ag-layout")
        assert root.get_attribute("data-layout") == "layered"
        key, broad, ours_y = (page.evaluate(y, n) for n in (HOSTILE_PERSON, "medtech-p00014", "medtech-t01"))
        assert key < broad < ours_y
        page.click("#ag-layout")
        assert root.get_attribute("data-layout") == "network" and page.evaluate(y, HOSTILE_PERSON) == before
        # the best path to someone not on the map, from their card: drawn and explained
        far = "medtech-p00013"
        assert page.evaluate("id => agNodes.get(id)", far) is None
        page.evaluate("id => agOpenCard(id)", far)
        page.wait_for_function("id => document.getElementById('ag-card').dataset.person === id", arg=far)
        page.click("#ag-draw-path")
        page.wait_for_function("() => document.getElementById('ag-account').dataset.path !== undefined")
        path = (root.get_attribute("data-path") or "").split()
        assert path[-1] == far and len(path) >= 2
        assert page.evaluate("ids => ids.every((id) => agNodes.get(id)?.path === true)", path)
        assert page.evaluate("() => agEdges.get({filter: (e) => e.path === true}).length") == len(path) - 1
        assert page.locator("#ag-path-text").inner_text().startswith("Best path to ")
        page.click("#ag-path-clear")
        page.wait_for_function("() => document.getElementById('ag-account').dataset.path === undefined")
        assert page.evaluate("id => agNodes.get(id)", far) is None
        # the nodes and ties of the path that stay on the map are drawn as before it (nothing of it kept)
        assert page.evaluate("() => agNodes.get({filter: (n) => n.path}).map((n) => n.id)") == []
        assert page.evaluate("() => agEdges.get({filter: (e) => e.path}).map((e) => e.id)") == []
        assert page.evaluate("ids => ids.filter((id) => agNodes.get(id)?.borderWidth === 6)", path) == []
        _clean(watched)
    finally:
        page.context.close()


def test_the_person_card_lists_the_changes_of_their_interactions_with_more(browser: Any, app: App) -> None:
    """21 interactions with a person logged through the API: the card's change log shows the newest 20 of the
    changes naming the person; "more changes" appends the rest, the oldest last, and goes away."""
    import json
    import urllib.request

    for n in range(21):
        body = {
            "id": f"bt{n}",
            "member": "medtech-t01",
            "person": HOSTILE_PERSON,
            "kind": "meeting",
            "at": f"2026-01-{n + 1:02d}T10:00:00Z",
        }
        put = urllib.request.Request(
            f"{app.server.url}/v1/interactions/bt{n}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {app.planner}", "Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(put, timeout=30) as answer:
            assert answer.status in (200, 201)
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.planner)
        _open_account(watched, app)
        _click_node(page, HOSTILE_PERSON)
        lines = page.locator("#ag-changes li")
        lines.first.wait_for()
        assert lines.count() == 20
        assert "bt20" in (lines.first.text_content() or "")
        page.click("#ag-changes-more")
        page.wait_for_function("() => document.querySelectorAll('#ag-changes li').length > 20")
        texts = [t or "" for t in lines.all_text_contents()]
        assert any("bt0" in t for t in texts[20:]) and not any("bt0" in t for t in texts[:20])
        page.wait_for_function("() => !document.getElementById('ag-changes-more')")
        _clean(watched)
    finally:
        page.context.close()
