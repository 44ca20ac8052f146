"""Shared helpers of the view tests: a sample account loaded into a real SQLite store and its views.

The views are drawn from the prepared view (`analysis.account_map`) and the results; the account's networkx
projection and `tie_strengths` of it (prepared) are kept as the oracle the tests count against."""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx

from accountgraph.algorithms import prepare, tie_strengths
from accountgraph.algorithms.results import Coverage, PathResult, Ranking, RiskReport, TieStrength
from accountgraph.graph import open_store
from accountgraph.graph.store import CompanyNode
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.samples.sample import sample_bundle
from accountgraph.schema.models import Bundle
from accountgraph.services import analysis
from accountgraph.services.scope import Scope
from accountgraph.viz.inputs import AccountMap
from accountgraph.viz.power_map import render_power_map
from accountgraph.viz.tree_view import render_tree

OPERATOR = Scope.operator()

HOSTILE_PERSON = '</script><script>alert("p")</script> `${document.cookie}` \' " & <b>x</b>'
HOSTILE_COMPANY = '"><img src=x onerror=alert(1)> `c` </title><script>alert(2)</script>'
HOSTILE_TEAM = "Robert'); alert(3);// </script>\u2028"


@dataclass
class Account:
    graph: nx.MultiDiGraph
    drawn: AccountMap
    ranking: Ranking
    coverage: Coverage
    strengths: dict[tuple[str, str], TieStrength]
    tree: CompanyNode
    risk: RiskReport
    path: PathResult
    power_map: str
    tree_html: str


def hostile_bundle() -> Bundle:
    """The sample account with script, quotes and backticks in a person's, a company's and a member's name."""
    b = sample_bundle()
    b.people[0] = b.people[0].model_copy(update={"name": HOSTILE_PERSON, "title": HOSTILE_PERSON})
    b.companies[0] = b.companies[0].model_copy(update={"name": HOSTILE_COMPANY})
    b.team[0] = b.team[0].model_copy(update={"name": HOSTILE_TEAM})
    return b


def load(bundle: Bundle, account: str, tmp: Path) -> Account:
    store = open_store(f"sqlite:///{tmp / 'viz.db'}")
    try:
        store.load_bundle(bundle)
        G = store.account_subgraph(account)
        view = analysis.account_view(store, account, cache=None)
        reference = view.reference
        ranking = analysis.rank(store, OPERATOR, account, reference=reference, cache=None)
        coverage = analysis.coverage(store, OPERATOR, account, reference=reference, cache=None)
        risk = analysis.risk(store, OPERATOR, account, reference=reference, cache=None)
        tree = store.company_tree(account)
        target = next(g.subject for g in coverage.gaps if g.kind == "uncovered_person")
        path = analysis.path(store, OPERATOR, account, target, reference=reference, cache=None)
    finally:
        store.close()
    strengths = tie_strengths(prepare(G), reference=reference)
    drawn = analysis.account_map(view)
    return Account(
        graph=G,
        drawn=drawn,
        ranking=ranking,
        coverage=coverage,
        strengths=strengths,
        tree=tree,
        risk=risk,
        path=path,
        power_map=render_power_map(drawn, ranking, coverage, highlight_path=path, show_gaps=True),
        tree_html=render_tree(tree, coverage, risk),
    )


def expected_counts(G: nx.MultiDiGraph) -> tuple[int, int]:
    """People and our team members; reporting lines, influence ties and acquaintances once per pair."""
    nodes = sum(1 for _, k in G.nodes(data="kind") if k in ("person", "team"))
    directed = sum(1 for _, _, k in G.edges(keys=True) if k in ("REPORTS_TO", "INFLUENCES"))
    pairs = {frozenset((u, v)) for u, v, k in G.edges(keys=True) if k == "KNOWS"}
    return nodes, directed + len(pairs)


_DATA = re.compile(r'<script type="application/json" id="ag-data">(.*?)</script>', re.DOTALL)


def embedded(html: str) -> dict[str, Any]:
    match = _DATA.search(html)
    assert match, "no embedded data"
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    return data


@dataclass
class Big:
    graph: nx.MultiDiGraph
    ranking: Ranking
    coverage: Coverage
    strengths: dict[tuple[str, str], TieStrength]
    html: str
    render_seconds: float


@cache
def big_account() -> Big:
    """A generated account of 2,000 people, analysed and drawn once per test process (its store is gone)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'big.db'}")
        try:
            store.load_bundle(generate_account(2000, 11, account_id="big", reference=DEFAULT_REFERENCE))
            G = store.account_subgraph("big")
            view = analysis.account_view(store, "big", cache=None)
            ranking = analysis.rank(store, OPERATOR, "big", reference=view.reference, cache=None)
            coverage = analysis.coverage(store, OPERATOR, "big", reference=view.reference, cache=None)
        finally:
            store.close()
    strengths = tie_strengths(prepare(G), reference=view.reference)
    drawn = analysis.account_map(view)
    started = time.perf_counter()
    html = render_power_map(drawn, ranking, coverage, show_gaps=True)
    return Big(G, ranking, coverage, strengths, html, time.perf_counter() - started)
