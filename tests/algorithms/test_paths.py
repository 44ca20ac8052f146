"""Best contact paths: optimal over all simple paths, k alternatives, avoidance, hop limits, explanations."""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountgraph.algorithms import PathParams, best_paths, prepare
from accountgraph.algorithms.results import ContactPath
from accountgraph.errors import AccountGraphError, InvalidArgument, NotFoundError
from tests.algorithms.support import REFERENCE, Spec, person, product, projection, specs


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


def opposed(spec: Spec) -> set[str]:
    return {p for p, f in spec.people.items() if f.get("stance") == "opponent" or "blocker" in f.get("roles", [])}


def all_path_strengths(
    spec: Spec, target: str, *, members: list[str], avoid: bool = False, max_hops: int | None = None
) -> list[float]:
    """The strength of the best path of every distinct route, strongest first.

    From the whole team, a route is the people of the account after the last of ours on a path (any path
    that hands back to one of ours is no stronger than the one that member starts); from one member, paths
    are ours first, then theirs (never back to one of ours), and a route is the account's people on it.
    """
    g = reference_graph(spec)
    banned = opposed(spec) - {target}
    one = len(members) == 1
    best: dict[tuple[str, ...], float] = {}
    for m in members:
        if m not in g or target not in g:
            continue
        for path in nx.all_simple_paths(g, m, target, cutoff=max_hops):
            if avoid and banned & set(path[1:-1]):
                continue
            ours = [i for i, node in enumerate(path) if node in spec.team]
            if one and ours != list(range(len(ours))):
                continue
            route = tuple(path[ours[-1] + 1 :])
            strength = product([g.edges[a, b]["s"] for a, b in itertools.pairwise(path)])
            best[route] = max(best.get(route, 0.0), strength)
    return sorted(best.values(), reverse=True)


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
    # an alternative through our other member and a supporter
    assert {tuple(h.target for h in p.hops) for p in result.paths} >= {("pal", "boss")}


def test_reporting_lines_are_walked_both_ways() -> None:
    result = best_paths(prepare(projection(chain())), "far", k=1)
    hops = result.paths[0].hops
    assert hops[-1].tie == "MANAGES" and hops[-1].strength == pytest.approx(0.6)
    assert "manages" in hops[-1].explanation and hops[-1].stated is None


def test_avoiding_opponents() -> None:
    g = prepare(projection(chain()))
    result = best_paths(g, "boss", avoid_opponents=True, k=3)
    assert result.avoided == ["foe"]
    assert all("foe" not in [h.target for h in p.hops[:-1]] for p in result.paths)
    assert result.paths[0].hops[-2].target == "pal"
    # the target itself may be an opponent
    assert best_paths(g, "foe", avoid_opponents=True).reachable


def test_unreachable_targets_get_a_clear_answer() -> None:
    g = prepare(projection(chain()))
    lonely = best_paths(g, "lonely")
    assert not lonely.reachable and lonely.paths == [] and "no chain of relationships" in lonely.reason
    too_far = best_paths(g, "far", max_hops=1)
    assert not too_far.reachable and "at most 1 hops" in too_far.reason
    spec = chain()
    spec.knows = [("t0", "foe", 0.9)]
    only_foe = best_paths(prepare(projection(spec)), "boss", avoid_opponents=True)
    assert not only_foe.reachable and "opponent or blocker" in only_foe.reason
    stranger = best_paths(g, "boss", source="t9")
    assert not stranger.reachable and "holds no active relationship" in stranger.reason
    spec.team, spec.knows = [], []
    nobody = best_paths(prepare(projection(spec)), "boss")
    assert not nobody.reachable and "none of our team members" in nobody.reason


def test_bad_arguments_raise() -> None:
    g = prepare(projection(chain()))
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


# ---- routes: distinct, disjoint, who can start them, opponents flagged ------------------------------------------


def route(spec: Spec, path: ContactPath) -> tuple[str, ...]:
    """The people of the account a path passes, in order."""
    return tuple(h.target for h in path.hops if h.target in spec.people)


@settings(max_examples=80, deadline=None)
@given(specs(max_people=7), st.integers(1, 5), st.booleans(), st.booleans(), st.data())
def test_routes_are_distinct_startable_and_flag_opponents(
    spec: Spec, k: int, avoid: bool, disjoint: bool, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(sorted(spec.people)))
    view = prepare(projection(spec), reference=REFERENCE)
    source = data.draw(st.sampled_from([None, *view.team]))
    result = best_paths(view, target, source=source, k=k, avoid_opponents=avoid, disjoint=disjoint)
    g = reference_graph(spec)
    routes = [route(spec, p) for p in result.paths]
    assert len(set(routes)) == len(routes), "one path per route"
    if disjoint:
        for a, b in itertools.combinations(routes, 2):
            assert not set(a[:-1]) & set(b[:-1]), "disjoint routes share no one but the target"
    for path in result.paths:
        first = route(spec, path)[0]
        assert path.starters, "someone of ours can start every route"
        entry = next(j for j, h in enumerate(path.hops) if h.target == first)
        rest = product([h.strength for h in path.hops[entry + 1 :]])
        for starter in path.starters:
            # a tie of theirs to the route's first person, and the route's strength from them
            assert g.has_edge(starter.member, first) and starter.member in view.team
            assert starter.strength == pytest.approx(g.edges[starter.member, first]["s"] * rest)
        assert [s.strength for s in path.starters] == sorted((s.strength for s in path.starters), reverse=True)
        if source is None:
            assert path.member == path.starters[0].member and path.strength == path.starters[0].strength
        else:
            assert path.member == source
        for hop in path.hops:
            assert hop.through_opponent == (hop.source in opposed(spec))
            flagged = "; through an opponent: " in hop.explanation or "; through a blocker: " in hop.explanation
            assert hop.through_opponent == flagged


@settings(max_examples=80, deadline=None)
@given(specs(max_people=7), st.booleans(), st.one_of(st.none(), st.integers(1, 3)), st.data())
def test_the_first_route_is_the_best_path(spec: Spec, avoid: bool, max_hops: int | None, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(sorted(spec.people)))
    view = prepare(projection(spec), reference=REFERENCE)
    source = data.draw(st.sampled_from([None, *view.team]))
    kw: dict[str, Any] = {"source": source, "avoid_opponents": avoid, "max_hops": max_hops}
    best = best_paths(view, target, k=1, **kw)
    for disjoint in (False, True):
        many = best_paths(prepare(projection(spec), reference=REFERENCE), target, k=4, disjoint=disjoint, **kw)
        assert many.reachable == best.reachable
        assert many.paths[:1] == best.paths
    if best.paths and source is None:
        expected = all_path_strengths(spec, target, members=view.team, avoid=avoid, max_hops=max_hops)
        assert best.paths[0].strength == pytest.approx(expected[0], rel=1e-9)


def fan() -> Spec:
    """Three ways to the boss: through `a` (which `b` also reaches), through `b`, through `c`; two of ours."""
    spec = Spec(team=["t0", "t1", "t2"])
    spec.people = {p: person(level=2) for p in ("a", "b", "c")} | {"boss": person(level=1, stance="opponent")}
    spec.people["b"]["stance"] = "opponent"
    spec.knows = [("t0", "a", 0.9), ("t1", "a", 0.8), ("t0", "t1", 0.9), ("t1", "t2", 0.9), ("t0", "b", 0.8)]
    spec.knows += [("b", "a", 0.9), ("t2", "c", 0.4)]
    spec.influences = [("a", "boss", 0.9), ("b", "boss", 0.5), ("c", "boss", 0.5)]
    return spec


def test_alternatives_are_routes_not_colleagues_in_front() -> None:
    view = prepare(projection(fan()), reference=REFERENCE)
    result = best_paths(view, "boss", k=5)
    # before: t0→a→boss, then t1→a→boss and t1→t0→a→boss (the same route with a colleague in front), ...
    routes = [route(fan(), p) for p in result.paths]
    assert routes == [("a", "boss"), ("b", "a", "boss"), ("a", "b", "boss"), ("b", "boss"), ("c", "boss")]
    first = result.paths[0]
    assert [(s.member, s.strength) for s in first.starters] == [
        ("t0", pytest.approx(0.81)),
        ("t1", pytest.approx(0.72)),
    ]
    assert "5 routes found" in result.reason
    # b is an opponent: the hop b carries is flagged (and explained), even though opponents are not avoided
    through_b = result.paths[1]
    assert [h.through_opponent for h in through_b.hops] == [False, True, False]
    assert "through an opponent: b" in through_b.hops[1].explanation and "through an opponent" in through_b.explanation
    # the boss is an opponent too, but as the target nobody passes through them
    assert not any(h.through_opponent for h in first.hops)


def test_disjoint_routes_survive_the_loss_of_any_one_intermediary() -> None:
    view = prepare(projection(fan()), reference=REFERENCE)
    result = best_paths(view, "boss", k=5, disjoint=True)
    routes = [route(fan(), p) for p in result.paths]
    assert routes == [("a", "boss"), ("b", "boss"), ("c", "boss")] and result.disjoint
    assert "share no one" in result.reason
    for gone in ("a", "b", "c"):
        assert any(gone not in r for r in routes)
    # from one member: the introduction may go through colleagues first; still one path per route
    from_t0 = best_paths(view, "boss", source="t0", k=5)
    assert [route(fan(), p) for p in from_t0.paths][:2] == [("a", "boss"), ("b", "a", "boss")]
    assert all(p.member == "t0" for p in from_t0.paths)
    via = next(p for p in from_t0.paths if route(fan(), p) == ("c", "boss"))
    assert [h.target for h in via.hops] == ["t1", "t2", "c", "boss"] and via.starters[0].member == "t2"
    direct = prepare(projection(fan()), reference=REFERENCE)
    spec = fan()
    spec.knows.append(("t1", "boss", 0.15))
    both = best_paths(prepare(projection(spec), reference=REFERENCE), "boss", k=5, disjoint=True)
    assert [route(spec, p) for p in both.paths] == [("a", "boss"), ("b", "boss"), ("c", "boss"), ("boss",)]
    assert best_paths(direct, "boss", k=1, disjoint=True).paths == best_paths(direct, "boss", k=1).paths
