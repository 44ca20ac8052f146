"""The HTML of the power map and the customer tree: self-contained, complete and safe with hostile names."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from accountgraph.algorithms.results import Ranking
from accountgraph.graph.store import GraphStore
from accountgraph.services import analysis
from accountgraph.viz._html import safe_json, vis_network_js
from accountgraph.viz.inputs import AccountMap
from accountgraph.viz.power_map import PATH_COLOR, power_map_data, render_power_map
from accountgraph.viz.tree_view import coverage_color, tree_data
from tests.viz.support import (
    HOSTILE_COMPANY,
    HOSTILE_PERSON,
    HOSTILE_TEAM,
    Account,
    big_account,
    embedded,
    expected_counts,
    hostile_bundle,
    load,
)


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Account:
    return load(hostile_bundle(), "medtech", tmp_path_factory.mktemp("viz"))


def _assert_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    # nothing is loaded from anywhere: no src or href attributes, no stylesheet links, no CSS imports or urls
    assert not re.search(r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*\b(?:src|href|data)\s*=", html, re.I)
    assert not re.search(r"\bhref\s*=", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # the data, vis-network, the page's own code (vis-network itself holds a "<script>" in a string)
    assert len(re.findall(r"<script\b", html.replace(vis_network_js(), ""), re.I)) == 3


def test_power_map_is_self_contained(account: Account) -> None:
    _assert_self_contained(account.power_map)
    assert "vis-network" in account.power_map and "@version 9.1.2" in account.power_map


def test_tree_is_self_contained(account: Account) -> None:
    _assert_self_contained(account.tree_html)


def test_power_map_counts_equal_the_accounts(account: Account) -> None:
    data = embedded(account.power_map)
    nodes: list[dict[str, Any]] = data["nodes"]
    edges: list[dict[str, Any]] = data["edges"]
    want_nodes, want_edges = expected_counts(account.graph)
    assert (len(nodes), len(edges)) == (want_nodes, want_edges) == (156, 1491)
    assert data["counts"] == {"nodes": want_nodes, "edges": want_edges}
    assert len({n["id"] for n in nodes}) == len(nodes) and len({e["id"] for e in edges}) == len(edges)
    ids = {n["id"] for n in nodes}
    assert all(e["from"] in ids and e["to"] in ids for e in edges)


def test_power_map_encodes_score_stance_role_and_strength(account: Account) -> None:
    data = embedded(account.power_map)
    nodes = {n["id"]: n for n in data["nodes"]}
    top, last = account.ranking.people[0], account.ranking.people[-1]
    assert nodes[top.id]["size"] > nodes[last.id]["size"]
    assert nodes[top.id]["shape"] == "star"  # the CEO is a decision maker
    team = [n for n in nodes.values() if n["kind"] == "team"]
    assert team and all(n["shape"] == "box" for n in team)
    card = nodes[top.id]["card"]
    rows = dict(card["rows"])
    assert rows["Rank"] == f"#1 of {len(account.ranking.people)}" and "authority" in rows["Score parts"]
    edges = data["edges"]
    ours = [e for e in edges if e["kind"] == "OURS"]
    assert len(ours) == len(account.strengths)
    stale = [t for t in account.strengths.values() if t.stale]
    assert sum(1 for e in ours if e["stale"]) == len(stale)
    assert all(e["dashes"] for e in ours if e["stale"] and not e.get("path"))
    strong = max(ours, key=lambda e: e["strength"])
    weak = min(ours, key=lambda e: e["strength"])
    assert strong["width"] > weak["width"]
    # a person's card names who of ours knows them, with the effective strength
    member, person = next(iter(account.strengths))
    lists = {lst["heading"]: lst["items"] for lst in nodes[person]["card"]["lists"]}
    assert any(
        f"{account.strengths[(member, person)].effective:.2f} effective" in i for i in lists["Who of ours knows them"]
    )


def test_power_map_highlights_the_path_and_the_gaps(account: Account) -> None:
    data = embedded(account.power_map)
    best = account.path.paths[0]
    path: dict[str, list[str]] = data["path"]
    assert path["nodes"] == [best.member] + [h.target for h in best.hops]
    assert len(path["edges"]) == len(best.hops)
    edges = {e["id"]: e for e in data["edges"]}
    assert all(edges[i]["color"]["color"] == PATH_COLOR for i in path["edges"])
    nodes = {n["id"]: n for n in data["nodes"]}
    uncovered_key = [p.id for p in account.coverage.people if p.layer == "key" and not p.covered]
    assert uncovered_key and all(nodes[i].get("gap") for i in uncovered_key if i not in path["nodes"])
    panels = {p["id"]: p for p in data["panels"]}
    assert len(panels["path"]["items"]) == len(best.hops) and panels["gaps"]["items"]


def test_power_map_without_optional_results(account: Account) -> None:
    data = power_map_data(account.drawn, account.ranking)
    assert data["path"] == {"nodes": [], "edges": []} and data["panels"] == []
    assert not any(n.get("gap") for n in data["nodes"])
    assert (len(data["nodes"]), len(data["edges"])) == expected_counts(account.graph)


def test_tree_counts_coverage_and_alerts(account: Account) -> None:
    data = tree_data(account.tree, account.coverage, account.risk)
    companies = list(account.tree.walk())
    assert (len(data["nodes"]), len(data["edges"])) == (len(companies), len(companies) - 1)
    assert embedded(account.tree_html)["counts"] == data["counts"]
    by_id = {n["id"]: n for n in data["nodes"]}
    for b in account.coverage.by_company:
        assert f"reach {b.covered} / {b.people} key people" in by_id[b.key]["label"]
        assert by_id[b.key]["color"]["background"] == coverage_color(b.score / 100)
    assert sum(n["alerts"] for n in data["nodes"]) == len(account.risk.alerts)
    assert data["options"]["layout"]["hierarchical"]["direction"] == "UD"


@pytest.mark.parametrize("on", [date(2025, 6, 30), date(2026, 12, 31)])
def test_the_tree_from_the_projection_is_the_stores(store: GraphStore, on: date) -> None:
    """The tree page's companies and people come from the prepared view: the tree the store reads."""
    store.load_bundle(hostile_bundle())
    view = analysis.account_view(store, "medtech", as_of=on, cache=None)
    assert analysis.company_tree(view).as_dict() == store.company_tree("medtech", on).as_dict()


def test_coverage_colours_run_from_red_to_green() -> None:
    assert coverage_color(0) == "#d64541" and coverage_color(1) == "#27ae60" and coverage_color(0.5) == "#f39c12"
    assert coverage_color(-1) == coverage_color(0) and coverage_color(7) == coverage_color(1)


@pytest.mark.parametrize("which", ["power_map", "tree_html"])
def test_hostile_names_are_escaped(account: Account, which: str) -> None:
    html: str = getattr(account, which)
    for hostile in (HOSTILE_PERSON, HOSTILE_COMPANY, HOSTILE_TEAM):
        assert hostile not in html
    assert "<script>alert" not in html and "<img" not in html and "</title><script>" not in html
    assert "\u2028" not in html
    # the names arrive intact in the data
    data = embedded(html)
    labels = {str(n["label"]) for n in data["nodes"]}
    assert HOSTILE_COMPANY in str(data["title"])
    if which == "power_map":
        assert {HOSTILE_PERSON, HOSTILE_TEAM} <= labels
    else:
        assert any(label.startswith(HOSTILE_COMPANY + "\n") for label in labels)
    # the page title is HTML-escaped
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    assert title and "&lt;" in title.group(1) and "<" not in title.group(1)


def test_safe_json_never_closes_a_script() -> None:
    text = safe_json({"x": "</script><!-- & \u2028 \u2029 >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


def test_power_map_is_usable_at_two_thousand_people() -> None:
    big = big_account()  # its drawing time is measured by bench/web.py, not asserted here
    data = embedded(big.html)
    assert (len(data["nodes"]), len(data["edges"])) == expected_counts(big.graph)
    assert len(data["nodes"]) > 2000
    options: dict[str, Any] = data["options"]
    assert options["physics"]["enabled"] is False and options["edges"]["smooth"] is False
    assert options["interaction"]["hideEdgesOnDrag"] is True
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    # people of one company are drawn together: their box is far smaller than the whole map
    xs = [n["x"] for n in data["nodes"]]
    company = big.graph.nodes[big.ranking.people[0].id]["company"]
    mine = [n["x"] for n in data["nodes"] if big.graph.nodes[n["id"]].get("company") == company]
    assert max(mine) - min(mine) < (max(xs) - min(xs)) / 2


def test_an_account_without_people_still_renders() -> None:
    drawn = AccountMap(account="empty", companies=[{"id": "empty", "name": "Empty Group"}], people=[], team=[], ties=[])
    ranking = Ranking.model_validate(
        {
            "account": "empty",
            "as_of": "2026-01-01",
            "reference": "2026-01-01T00:00:00Z",
            "people": [],
            "method": {
                "weights": {},
                "pagerank_iterations": 0,
                "pagerank_converged": True,
                "pagerank_residual": 0.0,
                "betweenness": "exact",
                "betweenness_sources": 0,
                "seed": 0,
                "informal_edges": 0,
                "influence_edges": 0,
            },
        }
    )
    html = render_power_map(drawn, ranking)
    data = embedded(html)
    assert data["nodes"] == [] and data["edges"] == [] and data["title"] == "Power map — Empty Group"
