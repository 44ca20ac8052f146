"""The views in a real headless Chromium, with every network request other than the page itself blocked.

Chromium is Debian's `chromium` package driven by Playwright for Python (no `playwright install`). When it
is missing these tests fail, so CI cannot pass without them, unless ACCOUNTGRAPH_ALLOW_NO_BROWSER=1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from accountgraph.graph import open_store
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.viz.power_map import PATH_COLOR
from accountgraph.viz.tree_view import render_tree
from tests.browser import VIEWPORT, wait_ready
from tests.viz.support import Account, big_account, expected_counts, hostile_bundle, load


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Account:
    return load(hostile_bundle(), "medtech", tmp_path_factory.mktemp("viz-browser"))


@dataclass
class Loaded:
    page: Any
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _watched(
    browser: Any, allowed: Callable[[str], bool], console: tuple[str, ...], headers: dict[str, str] | None = None
) -> Loaded:
    """A new page whose requests other than the `allowed` URLs are aborted, with its failed requests, the
    console messages of the `console` types and its errors collected (`headers` sent with every request)."""
    context = browser.new_context(viewport=VIEWPORT, extra_http_headers=headers or {})
    page = context.new_page()
    loaded = Loaded(page)

    def route(r: Any) -> None:
        if allowed(r.request.url):
            r.continue_()
        else:
            loaded.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: loaded.failed.append(req.url))
    page.on("console", lambda msg: loaded.errors.append(msg.text) if msg.type in console else None)
    page.on("pageerror", lambda err: loaded.errors.append(str(err)))
    return loaded


def _open(browser: Any, html: str, path: Path) -> Loaded:
    """Open the page from a file with every other request aborted; wait for its first drawing."""
    path.write_text(html, encoding="utf-8")
    url = path.as_uri()
    loaded = _watched(browser, url.__eq__, ("error", "warning"))
    page = loaded.page
    page.goto(url)
    wait_ready(page)
    return loaded


def _check_clean(loaded: Loaded) -> None:
    assert loaded.blocked == [], f"the page tried to fetch {loaded.blocked}"
    assert loaded.failed == [], f"failed requests: {loaded.failed}"
    assert loaded.errors == [], f"console errors: {loaded.errors}"


def _rendered_counts(page: Any) -> tuple[int, int]:
    counts = page.evaluate(
        "() => [Object.keys(agNetwork.body.nodes).filter(id => agNetwork.body.nodeIndices.includes(id)).length,"
        " agNetwork.body.edgeIndices.length]"
    )
    return int(counts[0]), int(counts[1])


def _click_node(page: Any, node: str) -> None:
    """Centre the network on a node, zoomed in, and click it where the browser draws it."""
    point = page.evaluate(
        """id => {
            agNetwork.moveTo({position: agNetwork.getPosition(id), scale: 1.5, animation: false});
            const p = agNetwork.canvasToDOM(agNetwork.getPosition(id));
            const r = document.getElementById('ag-network').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top];
        }""",
        node,
    )
    page.mouse.click(point[0], point[1])


def _colours(png: Path) -> tuple[int, int]:
    """Distinct colours of a screenshot and how many pixels are (close to) the path colour."""
    from PIL import Image

    with Image.open(png) as img:
        rgb = img.convert("RGB")
        distinct = len(rgb.getcolors(maxcolors=1 << 24) or [])
        target = tuple(int(PATH_COLOR[i : i + 2], 16) for i in (1, 3, 5))
        path_pixels = sum(
            n
            for n, c in rgb.getcolors(maxcolors=1 << 24) or []
            if isinstance(c, tuple) and all(abs(a - b) <= 12 for a, b in zip(c, target, strict=True))
        )
    return distinct, path_pixels


def test_power_map_in_the_browser(browser: Any, account: Account, tmp_path: Path) -> None:
    loaded = _open(browser, account.power_map, tmp_path / "power_map.html")
    page = loaded.page
    try:
        assert _rendered_counts(page) == expected_counts(account.graph)

        # the whole map, with the highlighted path drawn on it
        shot = tmp_path / "power_map.png"
        page.screenshot(path=str(shot))
        distinct, path_pixels = _colours(shot)
        assert shot.stat().st_size > 20_000 and distinct > 200, "the screenshot looks blank"
        assert path_pixels > 100, "the highlighted path is not drawn"
        best = account.path.paths[0]
        drawn = page.evaluate(
            "ids => ids.map(id => { const e = agNetwork.body.edges[id]; return e ? e.options.color.color : null; })",
            [e for e in page.evaluate("() => agEdges.get({filter: e => e.path}).map(e => e.id)")],
        )
        assert len(drawn) == len(best.hops) and set(drawn) == {PATH_COLOR}
        assert "Best path from" in (page.text_content("#ag-panel-path") or "")

        # clicking a person shows their card: the path's target, then the hostile-named person
        target = best.hops[-1].target
        _click_node(page, target)
        card = page.locator("#ag-card")
        assert card.is_visible() and card.get_attribute("data-node") == target
        text = card.text_content() or ""
        target_name = str(account.graph.nodes[target]["name"])
        assert target_name in text and "Score parts" in text and "Who of ours knows them" in text
        hostile = "medtech-p00001"
        _click_node(page, hostile)
        assert card.get_attribute("data-node") == hostile
        assert page.locator("#ag-card h3").text_content() == account.graph.nodes[hostile]["name"]
        assert page.evaluate("() => document.querySelectorAll('b, img').length") == 0  # the names stayed text
        # finding a person by name centres the map on them and shows their card
        page.fill("#ag-search", target_name)
        page.press("#ag-search", "Enter")
        assert card.get_attribute("data-node") == target
        assert page.evaluate("() => agNetwork.getSelectedNodes()") == [target]
        page.screenshot(path=str(tmp_path / "power_map_card.png"))
        _check_clean(loaded)
    finally:
        page.context.close()


def test_tree_in_the_browser(browser: Any, account: Account, tmp_path: Path) -> None:
    loaded = _open(browser, account.tree_html, tmp_path / "tree.html")
    page = loaded.page
    try:
        companies = list(account.tree.walk())
        assert _rendered_counts(page) == (len(companies), len(companies) - 1)
        # top-down: every child is drawn below its parent
        positions = page.evaluate("() => agNetwork.getPositions()")
        for node in companies:
            for child in node.children:
                assert positions[child.company.id]["y"] > positions[node.company.id]["y"]
        shot = tmp_path / "tree.png"
        page.screenshot(path=str(shot))
        distinct, _ = _colours(shot)
        assert shot.stat().st_size > 10_000 and distinct > 50, "the screenshot looks blank"
        root = account.tree.company.id
        _click_node(page, root)
        card = page.locator("#ag-card")
        assert card.is_visible() and card.get_attribute("data-node") == root
        text = card.text_content() or ""
        assert "Key people reached" in text and "Risk alerts" in text
        _check_clean(loaded)
    finally:
        page.context.close()


def test_people_of_the_same_name_are_each_found_in_the_browser(browser: Any, tmp_path: Path) -> None:
    """Issue 14 item 7: two people named the same at different companies are two entries of the search, each
    labelled with name, company and title; choosing one focuses that person (by id), the other the other."""
    bundle = hostile_bundle()
    companies = {c.id: c.name for c in bundle.companies}
    first = 1
    second = next(i for i, p in enumerate(bundle.people) if p.company != bundle.people[first].company)
    for i, title in ((first, "Head of Lab"), (second, '<img src=x onerror=alert(1)> "Head"')):
        bundle.people[i] = bundle.people[i].model_copy(update={"name": "Nils Jensen", "title": title})
    twins = {bundle.people[i].id: bundle.people[i] for i in (first, second)}
    drawn = load(bundle, "medtech", tmp_path)
    loaded = _open(browser, drawn.power_map, tmp_path / "twins.html")
    page = loaded.page
    try:
        options = page.evaluate("() => [...document.querySelectorAll('#ag-names option')].map(o => o.value)")
        assert len(options) == len(set(options)) == expected_counts(drawn.graph)[0]  # one per person and member
        labels = {}
        for pid, person in twins.items():
            label = f"Nils Jensen — {companies[str(person.company)]}, {person.title}"
            assert label in options
            labels[pid] = label
        for n, (pid, label) in enumerate(labels.items()):
            page.fill("#ag-search", label)  # as picking the entry: its label is put in at once
            if n:
                page.press("#ag-search", "Enter")
            assert page.evaluate("() => agNetwork.getSelectedNodes()") == [pid]
            assert page.locator("#ag-card").get_attribute("data-node") == pid
            assert page.evaluate("() => document.body.dataset.found") == pid
            # focused: the person is drawn at the middle of the network's area
            centre = page.evaluate(
                """id => { const p = agNetwork.canvasToDOM(agNetwork.getPosition(id));
                           const r = document.getElementById('ag-network').getBoundingClientRect();
                           return [p.x - r.width / 2, p.y - r.height / 2]; }""",
                pid,
            )
            assert abs(centre[0]) < 2 and abs(centre[1]) < 2
        assert page.evaluate("() => document.querySelectorAll('b, img').length") == 0  # the title stayed text
        _check_clean(loaded)
    finally:
        page.context.close()


def test_tree_of_forty_companies_fits_on_open_in_the_browser(browser: Any, tmp_path: Path) -> None:
    """Issue 14 item 12: a group of 40+ companies opens with every company in view, none overlapping another,
    and drawn at a scale that stays readable (the wide tree is laid out left to right)."""
    bundle = generate_account(2500, 11, account_id="wide", reference=DEFAULT_REFERENCE)
    assert len(bundle.companies) >= 40
    store = open_store(f"sqlite:///{tmp_path / 'wide.db'}")
    try:
        store.load_bundle(bundle)
        tree = store.company_tree("wide")
    finally:
        store.close()
    loaded = _open(browser, render_tree(tree), tmp_path / "wide_tree.html")
    page = loaded.page
    try:
        boxes, area, scale = page.evaluate(
            """() => {
                const r = document.getElementById('ag-network').getBoundingClientRect();
                const boxes = agNodes.getIds().map(id => {
                    const b = agNetwork.getBoundingBox(id);
                    const a = agNetwork.canvasToDOM({x: b.left, y: b.top});
                    const z = agNetwork.canvasToDOM({x: b.right, y: b.bottom});
                    return [id, a.x, a.y, z.x, z.y];
                });
                return [boxes, [r.width, r.height], agNetwork.getScale()];
            }"""
        )
        assert len(boxes) == len(bundle.companies)
        for pid, x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= area[0] and 0 <= y0 < y1 <= area[1], f"{pid} is outside the view"
        for i, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
            for b, bx0, by0, bx1, by1 in boxes[i + 1 :]:
                assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, f"{a} overlaps {b}"
        assert scale >= 0.35, f"drawn at {scale:.2f} of its size: too small to read"
        page.screenshot(path=str(tmp_path / "wide_tree.png"))
        _check_clean(loaded)
    finally:
        page.context.close()


def test_power_map_of_two_thousand_people_in_the_browser(browser: Any, tmp_path: Path) -> None:
    big = big_account()
    loaded = _open(browser, big.html, tmp_path / "big.html")
    page = loaded.page
    try:
        assert _rendered_counts(page) == expected_counts(big.graph)
        # zooming and redrawing work (edges are hidden while zooming, positions are fixed); times are benchmarks'
        page.evaluate("() => { agNetwork.moveTo({scale: 0.5, animation: false}); agNetwork.redraw(); }")
        assert page.evaluate("() => agNetwork.getScale()") == 0.5
        _check_clean(loaded)
    finally:
        page.context.close()


def test_committee_power_map_and_plan_page_in_the_browser(browser: Any, tmp_path: Path) -> None:
    """Issue 7's views: one deal's committee power map (the committee's stances of that deal) and a plan's
    progress page, both offline with no failed request or console error."""
    from accountgraph.graph.sqlite import SqliteStore
    from accountgraph.opportunities import service as opps
    from accountgraph.opportunities.committee import committee_nodes, opportunity_power_map
    from accountgraph.opportunities.features import committee_view
    from accountgraph.plans import progress as plan_progress
    from accountgraph.plans import service as plans
    from accountgraph.services import analysis
    from tests.opportunities.test_opportunities import account_bundle

    store = SqliteStore(f"sqlite:///{tmp_path / 'deal.db'}")
    try:
        store.load_bundle(account_bundle())
        committee = [
            {"person": "ceo", "roles": ["decision_maker"], "stance": "opponent"},
            {"person": "cto", "roles": ["champion"]},
            {"person": "ops", "roles": ["decision_maker"]},
        ]
        opp = opps.create_opportunity(store, "acc", "Imaging", id="d1", owner="am", committee=committee)
        html = opportunity_power_map(store, "d1", cache=None)
        view = analysis.account_view(store, "acc", cache=None)
        cview = committee_view(view, opp.committee)
        drawn = committee_nodes(cview, opp)
        loaded = _open(browser, html, tmp_path / "committee.html")
        page = loaded.page
        try:
            nodes, _ = _rendered_counts(page)
            assert nodes >= sum(1 for n in drawn if cview.node(n).get("kind") in ("person", "team"))
            # the CEO is an opponent in this deal only: the card says so
            _click_node(page, "ceo")
            card = page.locator("#ag-card")
            assert card.get_attribute("data-node") == "ceo" and "opponent" in (card.text_content() or "")
            shot = tmp_path / "committee.png"
            page.screenshot(path=str(shot))
            distinct, _ = _colours(shot)
            assert distinct > 100, "the screenshot looks blank"
            _check_clean(loaded)
        finally:
            page.context.close()

        plan = plans.create_plan_from_opportunity(store, "d1", id="p1", cache=None)
        page_html = plan_progress.progress_html(store, plan.id, cache=None)
        path = tmp_path / "plan.html"
        path.write_text(page_html, encoding="utf-8")
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        blocked: list[str] = []
        errors: list[str] = []
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url == path.as_uri() else (blocked.append(r.request.url), r.abort()),
        )
        page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
        try:
            page.goto(path.as_uri())
            text = page.text_content("body") or ""
            assert plan.actions and plan.name in text and all(a.title in text for a in plan.actions)
            assert blocked == [] and errors == []
        finally:
            context.close()
    finally:
        store.close()


def test_api_docs_in_the_browser(browser: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Swagger UI from a real server: nothing fetched from elsewhere; Authorize takes a key, Try it out uses it."""
    from accountgraph.graph.sqlite import SqliteStore
    from accountgraph.services.keys import mint_key
    from tests.api.support import server, store_env
    from tests.graph.test_store_contract import group_bundle

    store = SqliteStore(f"sqlite:///{tmp_path / 'api.db'}")
    store.load_bundle(group_bundle())
    _, key = mint_key(store, "viewer", name="docs")
    env = store_env(store, request)
    store.close()
    with server(env) as s:
        loaded = _watched(browser, lambda url: url.startswith(s.url + "/"), ("error",))
        page = loaded.page
        page.goto(s.url + "/docs")
        page.wait_for_selector(".opblock", timeout=60_000)
        assert page.locator(".opblock").count() > 40  # every operation listed
        page.click("button.authorize")
        page.fill(".auth-container input", key)
        page.click(".auth-btn-wrapper button.authorize")
        page.click(".auth-btn-wrapper button.btn-done")
        accounts = page.locator(".opblock-get", has=page.locator('[data-path="/v1/accounts"]')).first
        accounts.locator(".opblock-summary").click()
        accounts.locator("button.try-out__btn").click()
        accounts.locator("button.execute").click()
        answer = accounts.locator(".live-responses-table tr.response").first
        answer.wait_for(timeout=30_000)
        assert answer.locator(".response-col_status").inner_text().strip() == "200"
        assert '"id": "grp"' in answer.locator(".response-col_description").inner_text()
        page.context.close()
    _check_clean(loaded)


def test_views_from_the_api_run_under_their_content_security_policy(
    browser: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The views served by the API carry a Content-Security-Policy that lets only their own inline scripts run
    (by hash): they still draw, fetch nothing and log no error (a blocked script is a console error)."""
    from accountgraph.graph.sqlite import SqliteStore
    from accountgraph.services.keys import mint_key
    from tests.api.support import server, store_env
    from tests.graph.test_store_contract import group_bundle

    store = SqliteStore(f"sqlite:///{tmp_path / 'api.db'}")
    store.load_bundle(group_bundle())
    _, key = mint_key(store, "viewer", name="views")
    env = store_env(store, request)
    store.close()
    with server(env) as s:
        for path in ("/v1/accounts/grp/view", "/v1/accounts/grp/tree/view"):
            url = s.url + path
            loaded = _watched(browser, url.__eq__, ("error", "warning"), {"Authorization": f"Bearer {key}"})
            response = loaded.page.goto(url)
            policy = response.headers["content-security-policy"]
            script_src = next(p for p in policy.split("; ") if p.startswith("script-src "))
            assert "'sha256-" in script_src and "unsafe" not in script_src, policy
            wait_ready(loaded.page)
            if path.endswith("/grp/view"):
                nodes, edges = _rendered_counts(loaded.page)
                assert nodes > 0 and edges > 0
            loaded.page.context.close()
            _check_clean(loaded)
