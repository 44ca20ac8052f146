"""Key-people ranking: authority, influence and brokerage parts, weights, determinism, order invariance."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from accountgraph.algorithms import RankParams, key_people, prepare
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.ranking import rank_arrays, reporting_span
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from tests.algorithms.support import REFERENCE, Spec, person, projection, specs


def org() -> Spec:
    """A CEO with two VPs, each with reports; an informal bridge; our team knows a junior."""
    spec = Spec(team=["t0"])
    spec.people = {
        "ceo": person(level=1, roles=["decision_maker"]),
        "vp1": person(level=2, roles=["economic_buyer"]),
        "vp2": person(level=2),
        "a": person(level=3),
        "b": person(level=3),
        "c": person(level=3),
        "d": person(level=3),
    }
    spec.reports = {"vp1": "ceo", "vp2": "ceo", "a": "vp1", "b": "vp1", "c": "vp2", "d": "vp2"}
    spec.knows = [("a", "b", 0.5), ("c", "d", 0.5), ("b", "c", 0.5), ("t0", "d", 0.9)]
    spec.influences = [("vp2", "a", 0.8), ("vp2", "ceo", 0.8), ("vp2", "c", 0.8), ("a", "b", 0.5)]
    return spec


def test_parts_of_the_ranking() -> None:
    spec = org()
    ranking = key_people(prepare(projection(spec), reference=REFERENCE))
    by_id = {p.id: p for p in ranking.people}
    ceo = by_id["ceo"]
    assert ceo.authority.span == 6 and ceo.authority.level_score == 1.0 and ceo.authority.role_score == 1.0
    assert ceo.authority.value == pytest.approx(1.0)
    assert by_id["vp1"].authority.span == 2 and by_id["a"].authority.span == 0
    assert by_id["a"].authority.level_score == 0.0
    # vp2 sways three people: the most influence (credit flows toward who sways)
    assert by_id["vp2"].influence.sways == 3
    assert by_id["vp2"].influence.value == pytest.approx(1.0)
    assert by_id["vp2"].influence.value > by_id["ceo"].influence.value
    # brokerage: betweenness on KNOWS and INFLUENCES among the people, undirected (our team left out)
    informal = nx.Graph()
    informal.add_nodes_from(spec.people)
    informal.add_edges_from((a, b) for a, b, _ in spec.knows + spec.influences if a in spec.people and b in spec.people)
    expected = nx.betweenness_centrality(informal)
    assert {p.id: p.brokerage.betweenness for p in ranking.people} == pytest.approx(expected)
    top_broker = max(expected.values())
    assert {p.id: p.brokerage.value for p in ranking.people} == pytest.approx(
        {k: v / top_broker for k, v in expected.items()}
    )
    assert [p.rank for p in ranking.people] == list(range(1, 8))
    assert [p.score for p in ranking.people] == sorted((p.score for p in ranking.people), reverse=True)
    for p in ranking.people:
        w = ranking.method.weights
        assert p.score == pytest.approx(
            w["authority"] * p.authority.value + w["influence"] * p.influence.value + w["brokerage"] * p.brokerage.value
        )
        assert "authority" in p.explanation and "brokerage" in p.explanation
    assert ranking.method.betweenness == "exact" and ranking.method.pagerank_converged


def test_results_built_without_validation_are_the_validated_ones() -> None:
    """`key_people` builds its entries with `_Result.built` (no validation, for speed): each entry must equal
    the same entry validated field by field, and `built` must refuse an incomplete set of fields."""
    from accountgraph.algorithms.results import BrokeragePart, PersonRank

    ranking = key_people(prepare(projection(org()), reference=REFERENCE))
    assert ranking.people
    for entry in ranking.people:
        validated = PersonRank.model_validate(entry.model_dump())
        assert entry == validated and entry.model_dump_json() == validated.model_dump_json()
    with pytest.raises(TypeError, match="exactly its fields"):
        BrokeragePart.built(value=1.0)


def test_weights_are_configurable() -> None:
    g = prepare(projection(org()))
    only_influence = key_people(g, RankParams(authority=0, influence=1, brokerage=0))
    assert only_influence.people[0].id == "vp2"
    only_brokerage = key_people(g, RankParams(authority=0, influence=0, brokerage=2))
    assert only_brokerage.method.weights == {"authority": 0.0, "influence": 0.0, "brokerage": 1.0}
    top = only_brokerage.people[0]
    assert top.score == pytest.approx(1.0) and top.brokerage.value == pytest.approx(1.0)
    with pytest.raises(ValueError):
        RankParams(authority=0, influence=0, brokerage=0)


def test_our_team_does_not_change_who_matters() -> None:
    spec = org()
    before = key_people(prepare(projection(spec))).people
    spec.knows += [("t0", "a", 1.0), ("t0", "ceo", 0.3)]
    after = key_people(prepare(projection(spec))).people
    assert [(p.id, p.score) for p in before] == [(p.id, p.score) for p in after]


def test_top_limits_the_people() -> None:
    everyone = key_people(prepare(projection(org())))
    assert [p.id for p in key_people(prepare(projection(org())), top=2).people] == [p.id for p in everyone.people[:2]]


@settings(max_examples=40, deadline=None)
@given(specs(), __import__("hypothesis").strategies.integers(0, 10_000))
def test_rankings_do_not_depend_on_load_order(spec: Spec, seed: int) -> None:
    straight = key_people(prepare(projection(spec)))
    shuffled = key_people(prepare(projection(spec, shuffle=seed)))
    assert straight.model_dump(exclude={"reference"}) == shuffled.model_dump(exclude={"reference"})


def test_rankings_do_not_depend_on_load_order_through_the_store(tmp_path: Path) -> None:
    bundle = generate_account(120, seed=5, account_id="acme", reference=DEFAULT_REFERENCE)
    shuffled = bundle.model_copy(
        update={name: list(reversed(getattr(bundle, name))) for name in ("people", "ties", "interactions", "team")}
    )
    results = []
    for i, b in enumerate((bundle, shuffled)):
        with SqliteStore(f"sqlite:///{tmp_path / f'{i}.db'}") as store:
            store.load_bundle(b)
            results.append(key_people(prepare(store.account_subgraph("acme"), reference=REFERENCE)))
    assert results[0].model_dump() == results[1].model_dump()


def test_reporting_span_counts_everyone_below() -> None:
    manager = np.array([-1, 0, 0, 1, 3, 2])
    assert reporting_span(manager).tolist() == [5, 2, 1, 1, 0, 0]
    # a cycle (refused by the store) does not hang
    assert reporting_span(np.array([1, 0])).tolist() in ([1, 0], [0, 1])
    # a chain deeper than the vectorised levels reach
    assert reporting_span(np.arange(-1, 199)).tolist() == list(range(199, -1, -1))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=1000), max_size=150))
def test_reporting_span_is_the_number_of_descendants_in_a_forest(picks: list[int]) -> None:
    # each person's manager is someone listed before them (or nobody): a forest, as the store keeps it
    manager = np.array([p % i if p >= 0 and i > 0 else -1 for i, p in enumerate(picks)], dtype=np.int64)
    tree = nx.DiGraph()
    tree.add_nodes_from(range(len(picks)))
    tree.add_edges_from((int(m), i) for i, m in enumerate(manager.tolist()) if m >= 0)
    assert reporting_span(manager).tolist() == [len(nx.descendants(tree, i)) for i in range(len(picks))]


@pytest.fixture(scope="module")
def account_1k(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    path = tmp_path_factory.mktemp("k1") / "s.db"
    with SqliteStore(f"sqlite:///{path}") as store:
        store.load_bundle(generate_account(1000, seed=1, account_id="bench", reference=DEFAULT_REFERENCE))
        return store.account_subgraph("bench")


def test_influence_is_a_strictly_converged_pagerank(account_1k: nx.MultiDiGraph) -> None:
    """Checked against networkx run with tol = 1e-14 / N (its tol is multiplied by N)."""
    view = prepare(account_1k, reference=REFERENCE)
    arrays = rank_arrays(view)
    people = view.people
    ref_graph = nx.DiGraph()
    ref_graph.add_nodes_from(people)
    ia, ib, w = view.influences
    for a, b, s in zip(ia.tolist(), ib.tolist(), w.tolist(), strict=True):
        ref_graph.add_edge(people[b], people[a], weight=s)  # from the swayed to who sways them
    ref = nx.pagerank(ref_graph, alpha=0.85, tol=1e-14 / len(people), max_iter=100_000)
    expected = np.array([ref[p] for p in people])
    assert np.abs(arrays.pagerank - expected).max() < 1e-10
    top10 = [people[i] for i in np.argsort(-expected, kind="stable")[:10]]
    assert [people[i] for i in np.argsort(-arrays.pagerank, kind="stable")[:10]] == top10


def test_sampled_brokerage_is_deterministic_and_exact_with_every_source(account_1k: nx.MultiDiGraph) -> None:
    view = prepare(account_1k, reference=REFERENCE)
    exact = rank_arrays(view, RankParams())
    sampled = rank_arrays(view, RankParams(betweenness_exact_max=100, betweenness_samples=64, seed=3))
    again = rank_arrays(
        prepare(account_1k, reference=REFERENCE), RankParams(betweenness_exact_max=100, betweenness_samples=64, seed=3)
    )
    assert exact.method.betweenness == "exact" and sampled.method.betweenness == "sampled"
    assert sampled.method.betweenness_sources == 64
    assert (sampled.betweenness == again.betweenness).all()
    budget = rank_arrays(view, RankParams(betweenness_exact_max=100, betweenness_budget=1, betweenness_min_samples=20))
    assert budget.method.betweenness_sources == 20  # a large network gets fewer sources, never below the minimum
    everyone = rank_arrays(view, RankParams(betweenness_exact_max=100, betweenness_samples=view.P))
    assert everyone.betweenness == pytest.approx(exact.betweenness, abs=1e-12)
    # the default sample (256 sources) estimates the same quantity: ranks agree closely
    estimate = rank_arrays(view, RankParams(betweenness_exact_max=100))
    assert estimate.method.betweenness_sources == 256
    assert spearmanr(estimate.betweenness, exact.betweenness).statistic > 0.95
    top = int(np.argmax(exact.betweenness))
    assert top in np.argsort(-estimate.betweenness)[:10].tolist()


def test_a_view_starts_its_sampled_brokerage_early_with_the_same_result(account_1k: nx.MultiDiGraph) -> None:
    """With the kernel loaded, a view of a sampled account starts its betweenness on the worker threads while
    it is prepared; the ranking is the same, to the bit, as one that computes it when asked."""
    import sys

    from accountgraph.algorithms import Options, fast

    fast.betweenness(3, np.array([0, 1]), np.array([1, 2]))  # the compiled kernel loaded
    assert "accountgraph.algorithms._kernels" in sys.modules
    options = Options(rank=RankParams(betweenness_exact_max=100, betweenness_samples=128))
    early = prepare(account_1k, options, reference=REFERENCE)
    assert len(early._betweenness) == 1  # started before anything asked for the ranking
    late = AccountView(account_1k, options, REFERENCE, warm=False)
    assert not late._betweenness
    a, b = rank_arrays(early), rank_arrays(late)
    assert a.method == b.method and a.method.betweenness_sources == 128
    for name in ("betweenness", "score", "order"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    # a member's departure leaves the customer's network alone: the run is shared, not started again
    member = early.without(early.team[0])
    assert list(member._betweenness.values()) == list(early._betweenness.values())
    # a person's departure changes it: a new run, started early too
    person_gone = early.without(early.people[int(a.order[0])])
    assert len(person_gone._betweenness) == 1
    assert list(person_gone._betweenness.values()) != list(early._betweenness.values())
    # exact accounts (and a view asked not to) start nothing until ranked
    assert not prepare(account_1k, reference=REFERENCE)._betweenness
