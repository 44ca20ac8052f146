"""Best contact paths: optimal over all simple paths, k alternatives, avoidance, hop limits, explanations."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountgraph.algorithms import PathParams, best_paths, prepare
from accountgraph.errors import AccountGraphError, InvalidArgument, NotFoundError
from tests.test_algorithms_support import REFERENCE, Spec, person, product, projection, specs


def reference_graph(spec: Spec, params: PathParams | None = None) -> nx.DiGraph:
    """The hop graph as `PathParams` documents it, built independently of the implementation."""
    params = params or PathParams()
    g = nx.DiGraph()

    def add(a: str, b: str, s: float) -> None:
        if s > 0 and (not g.has_edge(a, b) or g.edges[a, b]["s"] < s):
            g.add_edge(a, b, s=s)

    for a, b, s in spec.knows:
        add(a, b, s)
        add(b, a, s)
    for a, b, s in spec.influences:
        add(a, b, s)
        add(b, a, s * params.reverse_influence_factor)
    for p, m in spec.reports.items():
        add(p, m, params.reports_to_strength)
        add(m, p, params.reports_to_strength)
    return g


def all_path_strengths(
    spec: Spec, target: str, *, members: list[str], avoid: bool = False, max_hops: int | None = None
) -> list[float]:
    g = reference_graph(spec)
    banned = {p for p, f in spec.people.items() if f.get("stance") == "opponent" or "blocker" in f.get("roles", [])} - {
        target
    }
    out = []
    for m in members:
        if m not in g or target not in g:
            continue
        for path in nx.all_simple_paths(g, m, target, cutoff=max_hops):
            if avoid and banned & set(path[1:-1]):
                continue
            out.append(product([g.edges[a, b]["s"] for a, b in itertools.pairwise(path)]))
    return sorted(out, reverse=True)


@settings(max_examples=80, deadline=None)
@given(specs(max_people=7), st.integers(1, 4), st.booleans(), st.one_of(st.none(), st.integers(1, 3)), st.data())
def test_best_path_is_the_strongest_simple_path(
    spec: Spec, k: int, avoid: bool, max_hops: int | None, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(sorted(spec.people)))
    view = prepare(projection(spec), reference=REFERENCE)
    result = best_paths(view, target, k=k, avoid_opponents=avoid, max_hops=max_hops)
    expected = all_path_strengths(spec, target, members=view.team, avoid=avoid, max_hops=max_hops)
    assert result.reachable == bool(expected)
    got = [p.strength for p in result.paths]
    assert got == pytest.approx(expected[:k], rel=1e-9)
    for path in result.paths:
        nodes = [path.member] + [h.target for h in path.hops]
        assert len(set(nodes)) == len(nodes), "loop-free"
        assert nodes[-1] == target and path.member in view.team
        assert max_hops is None or len(path.hops) <= max_hops
        assert path.strength == pytest.approx(product([h.strength for h in path.hops]))
    if not result.reachable:
        assert result.reason and result.paths == []


@settings(max_examples=40, deadline=None)
@given(specs(max_people=7), st.integers(1, 3), st.booleans())
def test_a_view_answers_every_target_as_a_fresh_view_does(spec: Spec, k: int, avoid: bool) -> None:
    """The shortest-path tree of a start is kept in the view and serves later targets: every answer from the
    one view must equal the answer of a view prepared for that target alone (opponent targets included)."""
    shared = prepare(projection(spec), reference=REFERENCE)
    starts = [None, *shared.team[:2]]
    for source, target in itertools.product(starts, sorted(spec.people)):
        fresh = prepare(projection(spec), reference=REFERENCE)
        got = best_paths(shared, target, source=source, k=k, avoid_opponents=avoid)
        assert got == best_paths(fresh, target, source=source, k=k, avoid_opponents=avoid)
    if spec.people and shared.T and not avoid:
        assert any(key.startswith("tree:") for key in shared.cache)


@settings(max_examples=40, deadline=None)
@given(specs(max_people=6), st.data())
def test_paths_from_one_member_start_there(spec: Spec, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(sorted(spec.people)))
    view = prepare(projection(spec), reference=REFERENCE)
    if not view.team:
        return
    member = data.draw(st.sampled_from(view.team))
    result = best_paths(view, target, source=member, k=2)
    expected = all_path_strengths(spec, target, members=[member])
    assert [p.strength for p in result.paths] == pytest.approx(expected[:2], rel=1e-9)
    assert all(p.member == member for p in result.paths)


def chain() -> Spec:
    spec = Spec(team=["t0", "t1"])
    spec.people = {
        "boss": person(level=1, roles=["decision_maker"], name="The Boss"),
        "foe": person(level=2, stance="opponent"),
        "pal": person(level=2, stance="supporter"),
        "far": person(level=3),
        "lonely": person(level=3),
    }
    spec.knows = [("t0", "foe", 0.9), ("t1", "pal", 0.4), ("t0", "t1", 0.8)]
    spec.influences = [("foe", "boss", 0.9), ("pal", "boss", 0.5)]
    spec.reports = {"far": "boss"}
    spec.last_contact = {("t0", "foe"): "2025-12-01"}
    return spec


def test_hops_are_explained() -> None:
    result = best_paths(prepare(projection(chain()), reference=REFERENCE), "boss", k=3)
    best = result.paths[0]
    assert [h.tie for h in best.hops] == ["KNOWS", "INFLUENCES"]
    first = best.hops[0]
    assert first.source == "t0" and first.target == "foe" and first.stated == 0.9
    assert first.last_contact is not None and first.age_days == pytest.approx(31)
    assert "T0 (ours) knows foe" in first.explanation and "last contact 2025-12-01" in first.explanation
    assert "sways The Boss" in best.hops[1].explanation
    assert best.strength == pytest.approx(first.strength * 0.9)
    assert result.reachable and "best:" in result.reason
    # an alternative through our other member and a supporter, and one where t0 hands over to t1
    assert {tuple(h.target for h in p.hops) for p in result.paths} >= {("pal", "boss")}


def test_reporting_lines_are_walked_both_ways() -> None:
    result = best_paths(projection(chain()), "far", k=1)
    hops = result.paths[0].hops
    assert hops[-1].tie == "MANAGES" and hops[-1].strength == pytest.approx(0.6)
    assert "manages" in hops[-1].explanation and hops[-1].stated is None


def test_avoiding_opponents() -> None:
    g = projection(chain())
    result = best_paths(g, "boss", avoid_opponents=True, k=3)
    assert result.avoided == ["foe"]
    assert all("foe" not in [h.target for h in p.hops[:-1]] for p in result.paths)
    assert result.paths[0].hops[-2].target == "pal"
    # the target itself may be an opponent
    assert best_paths(g, "foe", avoid_opponents=True).reachable


def test_unreachable_targets_get_a_clear_answer() -> None:
    g = projection(chain())
    lonely = best_paths(g, "lonely")
    assert not lonely.reachable and lonely.paths == [] and "no chain of relationships" in lonely.reason
    too_far = best_paths(g, "far", max_hops=1)
    assert not too_far.reachable and "at most 1 hops" in too_far.reason
    spec = chain()
    spec.knows = [("t0", "foe", 0.9)]
    only_foe = best_paths(projection(spec), "boss", avoid_opponents=True)
    assert not only_foe.reachable and "opponent or blocker" in only_foe.reason
    stranger = best_paths(g, "boss", source="t9")
    assert not stranger.reachable and "holds no active relationship" in stranger.reason
    spec.team, spec.knows = [], []
    nobody = best_paths(projection(spec), "boss")
    assert not nobody.reachable and "none of our team members" in nobody.reason


def test_bad_arguments_raise() -> None:
    g = projection(chain())
    with pytest.raises(NotFoundError):
        best_paths(g, "ghost")
    with pytest.raises(NotFoundError):
        best_paths(g, "t0")
    # bad arguments are the package's InvalidArgument (under AccountGraphError), naming the parameter
    for kwargs, field in (({"source": "pal"}, "source"), ({"k": 0}, "k"), ({"max_hops": 0}, "max_hops")):
        with pytest.raises(InvalidArgument) as raised:
            best_paths(g, "boss", **kwargs)  # type: ignore[arg-type]
        assert raised.value.field == field and isinstance(raised.value, AccountGraphError)


def test_stale_ties_weaken_paths() -> None:
    spec = chain()
    fresh = best_paths(prepare(projection(spec), reference=REFERENCE), "boss").paths[0].strength
    spec.last_contact = {("t0", "foe"): "2024-06-01"}
    old = best_paths(prepare(projection(spec), reference=REFERENCE), "boss")
    assert old.paths[0].strength < fresh
    assert any(h.stale for p in old.paths for h in p.hops)
