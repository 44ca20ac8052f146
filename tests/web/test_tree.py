"""The customer tree page of the workspace: its JSON and page over a real SQLite file (what each key sees), and
in Chromium a group of 46 companies that opens folded to fit, folds and unfolds, and finds a company."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import Bundle, Company, Person, Role, TeamMember, Tie, TieType
from tests.api.support import REPO, server
from tests.browser import wait_ready
from tests.web.support import ACCOUNT, OTHER, make_store, new_key, sign_in, workspace
from tests.web.test_browser import App, _clean, _page, _sign_in

GROUP = "grp46"
DIVISIONS = 5
EACH = 8
DEEP = "grp46-d4-s7"  # the last subsidiary of the last division: folded away when the page opens


def group_bundle() -> Bundle:
    """A group of 1 + 5 divisions × (1 + 8 subsidiaries) = 46 companies, a decision maker in each division (one
    of them known to our account manager) and a person in the deep subsidiary."""
    companies = [Company(id=GROUP, name="Group Forty-Six")]
    people = []
    for d in range(DIVISIONS):
        division = f"{GROUP}-d{d}"
        companies.append(Company(id=division, name=f"Division {d}", parent=GROUP))
        people.append(Person(id=f"{division}-boss", name=f"Boss {d}", company=division, roles=[Role.DECISION_MAKER]))
        companies += [
            Company(id=f"{division}-s{s}", name=f"Subsidiary {d}.{s} <b>", parent=division) for s in range(EACH)
        ]
    people.append(Person(id="deep-p", name="Deep Person", company=DEEP, roles=[Role.DECISION_MAKER]))
    return Bundle(
        companies=companies,
        people=people,
        team=[TeamMember(id="grp46-am", name="Our AM")],
        ties=[
            Tie.model_validate({"from": "grp46-am", "to": f"{GROUP}-d0-boss", "type": TieType.KNOWS, "strength": 0.9})
        ],
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = make_store(tmp_path_factory.mktemp("web-tree") / "web.db")
    s.load_bundle(group_bundle())
    try:
        yield s
    finally:
        s.close()


def test_the_tree_json_gives_every_company_with_its_parent_coverage_and_risk(store: GraphStore) -> None:
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer"))
        answer = client.get("/web/tree", params={"account": GROUP})
        assert answer.status_code == 200
        data = answer.json()
        assert data["name"] == "Group Forty-Six" and data["companies"] == 46
        nodes = {n["id"]: n for n in data["tree"]["nodes"]}
        assert len(nodes) == 46 and len(data["tree"]["edges"]) == 45
        assert nodes[GROUP]["parent"] is None and nodes[GROUP]["depth"] == 0
        assert nodes[DEEP]["parent"] == f"{GROUP}-d4" and nodes[DEEP]["depth"] == 2
        assert nodes[f"{GROUP}-d0"]["coverage"] == 100.0  # its one decision maker is reached
        assert nodes[f"{GROUP}-d1"]["coverage"] == 0.0 and nodes[f"{GROUP}-d1-s0"]["coverage"] is None
        assert all(isinstance(n["risk"], float) for n in nodes.values())
        assert nodes[f"{GROUP}-d0-s0"]["card"]["heading"] == "Subsidiary 0.0 <b>"  # data: the page sets it as text
        page = client.get(f"/accounts/{GROUP}/tree")
        assert page.status_code == 200 and 'src="/web/static/tree.js"' in page.text
        assert "Group Forty-Six: customer tree" in page.text
        assert f'href="/accounts/{GROUP}/tree"' in client.get(f"/accounts/{GROUP}").text


def test_a_limited_key_sees_only_its_account_tree(store: GraphStore) -> None:
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer", (ACCOUNT,)))
        assert client.get("/web/tree", params={"account": ACCOUNT}).status_code == 200
        assert client.get(f"/accounts/{ACCOUNT}/tree").status_code == 200
        for account in (OTHER, GROUP, "nope"):
            assert client.get("/web/tree", params={"account": account}).status_code == 404
            assert client.get(f"/accounts/{account}/tree").status_code == 404
        # a company that is not the top of its group is no account
        assert client.get("/web/tree", params={"account": f"{ACCOUNT}-x"}).status_code == 404


def test_the_tree_needs_a_session(store: GraphStore) -> None:
    with workspace(store) as client:
        assert client.get("/web/tree", params={"account": GROUP}).status_code == 401
        answer = client.get(f"/accounts/{GROUP}/tree")
        assert answer.status_code == 303 and answer.headers["location"] == "/signin"


@pytest.fixture(scope="module")
def app(store: GraphStore) -> Iterator[App]:
    keys = (new_key(store, "planner"), new_key(store, "viewer"), new_key(store, "viewer", (ACCOUNT,)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCOUNTGRAPH_", "NEO4J_"))}
    path = Path(store.url.removeprefix("sqlite:///"))
    env.update(ACCOUNTGRAPH_STORE=f"sqlite:///{path}", ACCOUNTGRAPH_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    with server(env) as running:
        yield App(running, *keys)


def _inside(page: Any) -> bool:
    """Every company drawn lies inside the tree's box."""
    return bool(
        page.evaluate(
            """() => {
                const {network, nodes} = agTree;
                const box = document.getElementById('ag-tree').getBoundingClientRect();
                return nodes.getIds().every((id) => {
                    const b = network.getBoundingBox(id);
                    const a = network.canvasToDOM({x: b.left, y: b.top});
                    const z = network.canvasToDOM({x: b.right, y: b.bottom});
                    return a.x >= 0 && a.y >= 0 && z.x <= box.width && z.y <= box.height;
                });
            }"""
        )
    )


def test_a_group_of_46_opens_folded_to_fit_folds_unfolds_and_finds_a_company(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        page.goto(f"{app.server.url}/accounts/{GROUP}")
        page.click("#ag-tree-link")
        page.wait_for_url(f"{app.server.url}/accounts/{GROUP}/tree")
        wait_ready(page)
        root = page.locator("#ag-tree-page")
        assert "46 companies" in page.locator("#ag-tree-figures").inner_text()
        shown = int(root.get_attribute("data-shown") or 0)
        assert shown == 6  # whole levels while at most 30 fit: the group and its divisions, subsidiaries folded
        assert "Showing 6 of 46 companies" in page.locator("#ag-tree-shown").inner_text()
        assert _inside(page)  # fits on open
        scale = page.evaluate("() => agTree.network.getScale()")
        assert scale >= 0.6, f"too small to read: {scale}"
        # find a folded-away company: its branch unfolds, it is selected and its card opens (text, not markup)
        page.fill("#ag-tree-query", "subsidiary 4.7")
        page.click("#ag-tree-search button[type=submit]")
        page.wait_for_function(
            "id => document.getElementById('ag-tree-card').dataset.company === id", arg=DEEP, timeout=10_000
        )
        assert page.evaluate("id => agTree.nodes.get(id) !== null", DEEP)
        assert page.evaluate("() => agTree.network.getSelectedNodes()") == [DEEP]
        assert page.locator("#ag-tree-card h3").inner_text() == "Subsidiary 4.7 <b>"
        assert "1 of 1" in page.locator("#ag-tree-found").inner_text()
        # fold the division from its card: its subsidiaries go, and come back when unfolded
        division = f"{GROUP}-d4"
        page.evaluate("id => agTree.reveal(id)", division)
        page.click("#ag-tree-toggle")
        page.wait_for_function("id => agTree.nodes.get(id) === null", arg=DEEP)
        assert "▸ 8 companies folded" in page.evaluate("id => agTree.nodes.get(id).label", division)
        page.click("#ag-tree-toggle")
        page.wait_for_function("id => agTree.nodes.get(id) !== null", arg=DEEP)
        page.click("#ag-tree-expand")
        assert int(root.get_attribute("data-shown") or 0) == 46
        page.click("#ag-tree-collapse")
        assert int(root.get_attribute("data-shown") or 0) == 6
        page.fill("#ag-tree-query", "no such company")
        page.click("#ag-tree-search button[type=submit]")
        assert "No company" in page.locator("#ag-tree-found").inner_text()
        _clean(watched)
    finally:
        page.context.close()
