"""The networkx projection: its bulk edge insert equals networkx's own, in both directions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import networkx as nx

from accountgraph.generate import generate_account
from tests.conftest import sqlite_store


def test_projection_equals_a_graph_built_with_add_edges_from(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    store.load_bundle(generate_account(300, seed=3, account_id="acc"))
    g = store.account_subgraph("acc", as_of=date(2026, 1, 1))
    reference = nx.MultiDiGraph(**g.graph)
    reference.add_nodes_from(g.nodes(data=True))
    reference.add_edges_from(g.edges(keys=True, data=True))
    assert nx.utils.graphs_equal(g, reference)
    assert sorted(g.in_edges(keys=True)) == sorted(reference.in_edges(keys=True))
    assert dict(g.in_degree()) == dict(reference.in_degree())
    # knows is symmetric: both directions, with equal but separate attribute dicts
    knows = [(a, b) for a, b, k in g.edges(keys=True) if k == "KNOWS"]
    assert knows and all(g.has_edge(b, a, "KNOWS") for a, b in knows)
    a, b = knows[0]
    assert g.edges[a, b, "KNOWS"] == g.edges[b, a, "KNOWS"]
    assert g.edges[a, b, "KNOWS"] is not g.edges[b, a, "KNOWS"]
    store.close()
