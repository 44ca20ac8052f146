"""The projection: its networkx view (bulk edge insert, read back) and the algorithms on either form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import networkx as nx

from accountgraph.algorithms import account_risk, best_paths, coverage, key_people, next_best_actions, prepare
from accountgraph.algorithms.ranking import rank_arrays
from accountgraph.projection import Projection
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from tests.algorithms.support import REFERENCE
from tests.conftest import sqlite_store


def test_projection_equals_a_graph_built_with_add_edges_from(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    store.load_bundle(generate_account(300, seed=3, account_id="acc", reference=DEFAULT_REFERENCE))
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


def test_the_algorithms_read_the_projection_as_they_read_its_networkx_view(tmp_path: Path) -> None:
    """The rows path (`account_projection`) and the networkx path (`account_subgraph`) give the same results,
    and a networkx view read back into a projection builds the same graph again."""
    store = sqlite_store(tmp_path)
    bundle = generate_account(400, seed=5, account_id="acc", reference=DEFAULT_REFERENCE)
    for k, p in enumerate(bundle.people[1:60]):  # some joined in 2025, some left in 2024
        if k % 2:
            p.since = date(2025, 1, 1)
        else:
            p.until = date(2024, 1, 1)
    store.load_bundle(bundle)
    for as_of in (date(2023, 6, 1), date(2026, 1, 1)):
        projection = store.account_projection("acc", as_of=as_of)
        g = store.account_subgraph("acc", as_of=as_of)
        back = Projection.from_networkx(g).to_networkx()
        assert nx.utils.graphs_equal(g, back)
        assert sorted(g.edges(keys=True, data=True)) == sorted(back.edges(keys=True, data=True))
        assert g.graph == back.graph
        views = [prepare(source, reference=REFERENCE) for source in (projection, g)]
        there = [p for p in bundle.people if (p.since or as_of) <= as_of and (p.until is None or as_of < p.until)]
        assert views[0].P == len(there) < 400
        results = []
        for view in views:
            top = rank_arrays(view).order[:4].tolist()
            results.append(
                [
                    key_people(view, top=None).model_dump(),
                    coverage(view).model_dump(),
                    next_best_actions(view).model_dump(),
                    account_risk(view).model_dump(),
                    [best_paths(view, view.people[i], k=3).model_dump() for i in top],
                ]
            )
        assert results[0] == results[1]
    store.close()


def test_a_restricted_projection_is_the_subgraph_of_its_networkx_view(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    store.load_bundle(generate_account(300, seed=7, account_id="acc", reference=DEFAULT_REFERENCE))
    projection = store.account_projection("acc", as_of=date(2026, 1, 1))
    g = projection.to_networkx()
    nodes = {p["id"] for p in projection.people[::3]} | {t["id"] for t in projection.team[:2]} | {"acc"}
    small = projection.restricted(nodes).to_networkx()
    assert nx.utils.graphs_equal(small, g.subgraph(nodes))
    assert sorted(small.edges(keys=True, data=True)) == sorted(g.subgraph(nodes).edges(keys=True, data=True))
    assert small.number_of_edges() > 0
    store.close()


def test_the_selection_reads_dated_roles_as_person_state_on_does(tmp_path: Path) -> None:
    """`projection._state_on` reads stored history rows without pydantic: it must agree with `Person.state_on`."""
    from accountgraph.projection.selection import _state_on
    from accountgraph.schema.models import Person

    store = sqlite_store(tmp_path)
    store.load_bundle(generate_account(1000, seed=4, account_id="acc", reference=DEFAULT_REFERENCE))
    rows = [p for p in store._account_rows("acc").people if p["history"]]
    assert len(rows) > 50
    for on in (date(2019, 1, 1), date(2023, 6, 1), date(2024, 12, 31), date(2025, 6, 1), date(2026, 1, 1)):
        for row in rows:
            state = Person.model_validate(row).state_on(on)
            expected = ([r.value for r in state.roles], state.stance.value)
            assert _state_on(row["history"], on.isoformat()) == expected, (row["id"], on)
    store.close()
