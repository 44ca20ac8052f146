"""What-if departures and single points of failure."""

from __future__ import annotations

from decimal import Decimal

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountgraph.algorithms import articulation_people, coverage, prepare, what_if
from accountgraph.algorithms.whatif import before_after
from accountgraph.errors import NotFoundError
from tests.algorithms.support import REFERENCE, Spec, person, projection, specs
from tests.algorithms.test_paths import reference_graph


def bridge() -> Spec:
    """Our t0 reaches the account only through `hub`; t1 knows `side` directly."""
    spec = Spec(team=["t0", "t1"])
    spec.people = {
        "hub": person(level=2),
        "ceo": person(level=1, roles=["decision_maker"]),
        "cfo": person(level=2, roles=["economic_buyer"]),
        "side": person(level=3),
    }
    spec.knows = [("t0", "hub", 0.9), ("hub", "ceo", 0.8), ("hub", "cfo", 0.7), ("t1", "side", 0.6), ("t0", "ceo", 0.5)]
    return spec


def test_removing_a_member_loses_what_only_they_held() -> None:
    view = prepare(projection(bridge()), reference=REFERENCE)
    result = what_if(view, "t0")
    assert result.removed.kind == "team" and result.removed.id == "t0"
    assert result.coverage_before == pytest.approx(coverage(view).score)
    assert result.coverage_after < result.coverage_before
    assert result.delta == pytest.approx(result.coverage_after - result.coverage_before)
    assert {p.id for p in result.lost_people} == {"hub", "ceo", "cfo"}
    assert {p.id for p in result.newly_uncovered} >= {"ceo"}
    assert "coverage" in result.explanation


def test_removing_a_person_cuts_the_paths_through_them() -> None:
    spec = bridge()
    spec.knows = [t for t in spec.knows if t != ("t0", "ceo", 0.5)]
    result = what_if(prepare(projection(spec)), "hub")
    assert result.removed.kind == "person"
    assert {p.id for p in result.lost_people} == {"ceo", "cfo"}


def test_articulation_people_and_how_many_they_cut_off() -> None:
    spec = bridge()
    spec.knows = [t for t in spec.knows if t != ("t0", "ceo", 0.5)]
    found = {a.id: a for a in articulation_people(prepare(projection(spec)))}
    assert found["hub"].cut_off == 2 and found["hub"].kind == "person"
    assert set(found["hub"].examples) == {"ceo", "cfo"}
    assert found["t0"].cut_off == 3 and found["t0"].kind == "team"
    assert found["t1"].cut_off == 1
    assert "side" not in found


@settings(max_examples=50, deadline=None)
@given(specs(max_people=7), st.data())
def test_an_articulation_person_loses_exactly_the_people_it_cuts_off(spec: Spec, data: st.DataObject) -> None:
    view = prepare(projection(spec), reference=REFERENCE)
    cuts = {a.id: a.cut_off for a in articulation_people(view)}
    # brute force on the reference hop graph (its ties all go both ways)
    g = reference_graph(spec).to_undirected()
    g.add_nodes_from(view.ids)
    g.add_edges_from(("ROOT", t) for t in view.team)

    def reached(graph: nx.Graph) -> set[str]:
        return nx.node_connected_component(graph, "ROOT") & set(spec.people) if "ROOT" in graph else set()

    before = reached(g)
    for node in view.ids:
        h = g.copy()
        h.remove_node(node)
        lost = before - reached(h) - {node}
        assert cuts.get(node, 0) == len(lost), node
    if view.ids:
        node = data.draw(st.sampled_from(view.ids))
        result = what_if(view, node, articulation_limit=None)
        h = g.copy()
        h.remove_node(node)
        assert {p.id for p in result.lost_people} == before - reached(h) - {node}


def test_unknown_ids_raise() -> None:
    with pytest.raises(NotFoundError):
        what_if(prepare(projection(bridge())), "ghost")
    with pytest.raises(NotFoundError):
        what_if(prepare(projection(bridge())), "acc")  # a company is not a person


def test_no_team_no_articulation() -> None:
    spec = bridge()
    spec.team, spec.knows = [], [("hub", "ceo", 0.5)]
    g = prepare(projection(spec))
    assert articulation_people(g) == []
    assert what_if(g, "hub").lost_people == []


@given(
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_the_printed_change_is_the_difference_of_the_printed_figures(before: float, after: float) -> None:
    """Issue 14 item 12: never "72.4 → 61.2 (-11.3)": the change printed is the printed after minus before."""
    text = before_after(before, after)
    shown_before, rest = text.split(" → ")
    shown_after, change = rest.removesuffix(")").split(" (")
    assert shown_before == f"{before:.1f}" and shown_after == f"{after:.1f}"
    assert Decimal(change) == Decimal(shown_after) - Decimal(shown_before)
    assert change[0] in "+-" and len(change.split(".")[1]) == 1
    # the rounded figures are what the exact change was rounded from, up to the two roundings
    assert abs(float(change) - (after - before)) <= 0.1 + 1e-9


def test_what_if_prints_a_change_that_adds_up() -> None:
    view = prepare(projection(bridge()), reference=REFERENCE)
    w = what_if(view, "t0")
    assert before_after(w.coverage_before, w.coverage_after) in w.explanation
    assert w.delta == w.coverage_after - w.coverage_before  # the field keeps the exact change
