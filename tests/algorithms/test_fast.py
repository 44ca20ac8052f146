"""The array kernels against networkx on the same inputs (small random graphs and famous ones)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountgraph.algorithms import _kernels, fast

SETTINGS = settings(max_examples=60, deadline=None)

# Each betweenness test runs both kernels: 64 sources at a time, and one at a time (what graphs above
# `fast.BATCH_MAX_NODES` nodes get).
KERNELS = pytest.mark.parametrize("kernel", ["batches", "single"])


@contextmanager
def using(kernel: str) -> Iterator[None]:
    """Run `fast.betweenness` with `kernel` whatever the graph's size (not a fixture: hypothesis runs many
    examples in one test call)."""
    saved = fast.BATCH_MAX_NODES
    fast.BATCH_MAX_NODES = 10**9 if kernel == "batches" else -1
    try:
        yield
    finally:
        fast.BATCH_MAX_NODES = saved


@st.composite
def edge_lists(draw: st.DrawFn, max_n: int = 12, directed: bool = False) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(1, max_n))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b and (directed or a < b)]
    if not pairs:
        return n, []
    edges = draw(st.lists(st.sampled_from(pairs), max_size=min(len(pairs), 3 * n), unique=True))
    return n, edges


def arrays(edges: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    if not edges:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    a, b = zip(*edges, strict=True)
    return np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)


@KERNELS
@SETTINGS
@given(edge_lists(), st.booleans())
def test_exact_betweenness_equals_networkx(
    kernel: str, graph: tuple[int, list[tuple[int, int]]], normalized: bool
) -> None:
    with using(kernel):
        n, edges = graph
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(edges)
        ref = nx.betweenness_centrality(g, normalized=normalized)
        u, v = arrays(edges)
        mine = fast.betweenness(n, u, v, normalized=normalized)
        assert mine == pytest.approx([ref[i] for i in range(n)], abs=1e-12)


@KERNELS
@SETTINGS
@given(edge_lists(directed=True))
def test_directed_betweenness_equals_networkx(kernel: str, graph: tuple[int, list[tuple[int, int]]]) -> None:
    with using(kernel):
        n, edges = graph
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from(edges)
        ref = nx.betweenness_centrality(g)
        u, v = arrays(edges)
        assert fast.betweenness(n, u, v, directed=True) == pytest.approx([ref[i] for i in range(n)], abs=1e-12)


@KERNELS
@SETTINGS
@given(edge_lists(), st.integers(1, 6), st.integers(0, 5))
def test_sampled_betweenness_is_networkx_subset_from_the_same_sources(
    kernel: str, graph: tuple[int, list[tuple[int, int]]], k: int, seed: int
) -> None:
    with using(kernel):
        n, edges = graph
        sources = fast.sample_sources(n, k, seed)
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(edges)
        ref = nx.betweenness_centrality_subset(g, sources.tolist(), list(range(n)), normalized=False)
        u, v = arrays(edges)
        mine = fast.betweenness(n, u, v, sources=sources, normalized=False)
        scale = n / sources.size
        # networkx halves undirected subset sums; ours scales the sample up to all n sources
        assert mine == pytest.approx([ref[i] * scale for i in range(n)], abs=1e-9)


def random_graph(n: int, p: float, seed: int, directed: bool) -> tuple[nx.Graph, np.ndarray, np.ndarray]:
    """A networkx graph on ``0..n-1`` with a few isolated nodes, and its edges as arrays."""
    g = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    g.remove_edges_from([(a, b) for a, b in list(g.edges) if a % 50 == 7 or b % 50 == 7])
    u, v = arrays(list(g.edges))
    return g, u, v


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the two-thread split of the sources, whatever the machine's CPU count."""
    monkeypatch.setattr(fast, "_betweenness_threads", lambda: 2)


@KERNELS
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("normalized", [False, True])
def test_threaded_exact_betweenness_equals_networkx(
    kernel: str, threaded: None, directed: bool, normalized: bool
) -> None:
    with using(kernel):
        n = 300
        g, u, v = random_graph(n, 0.015, seed=11, directed=directed)
        assert nx.number_of_isolates(g) >= 6
        ref = nx.betweenness_centrality(g, k=None, normalized=normalized)
        mine = fast.betweenness(n, u, v, directed=directed, normalized=normalized)
        assert mine == pytest.approx([ref[i] for i in range(n)], abs=1e-12, rel=1e-9)
        assert max(ref.values()) > 0.01


@KERNELS
@pytest.mark.parametrize("directed", [False, True])
def test_threaded_sampled_betweenness_equals_networkx_subset_and_the_single_thread_run(
    kernel: str, monkeypatch: pytest.MonkeyPatch, directed: bool
) -> None:
    with using(kernel):
        n = 300
        g, u, v = random_graph(n, 0.02, seed=5, directed=directed)
        sources = fast.sample_sources(n, 120, 3)
        assert 7 in sources.tolist()  # an isolated source: it reaches nothing
        ref = nx.betweenness_centrality_subset(g, sources.tolist(), list(range(n)), normalized=False)
        monkeypatch.setattr(fast, "_betweenness_threads", lambda: 2)
        two = fast.betweenness(n, u, v, directed=directed, sources=sources, normalized=False)
        assert two == pytest.approx([ref[i] * n / sources.size for i in range(n)], abs=1e-9)
        assert (two == fast.betweenness(n, u, v, directed=directed, sources=sources, normalized=False)).all()
        monkeypatch.setattr(fast, "_betweenness_threads", lambda: 1)
        one = fast.betweenness(n, u, v, directed=directed, sources=sources, normalized=False)
        assert np.abs(one - two).max() < 1e-9


@KERNELS
@pytest.mark.parametrize("directed", [False, True])
def test_betweenness_with_isolated_nodes_and_sources_that_reach_nothing(kernel: str, directed: bool) -> None:
    with using(kernel):
        # 0 - 1 - 2 - 3 (a path; directed: arcs point right, so 3 reaches nothing), 4 and 5 isolated, 6 -> 7
        n = 8
        edges = [(0, 1), (1, 2), (2, 3), (6, 7)]
        g = nx.DiGraph() if directed else nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(edges)
        u, v = arrays(edges)
        exact = nx.betweenness_centrality(g)
        assert fast.betweenness(n, u, v, directed=directed) == pytest.approx([exact[i] for i in range(n)], abs=1e-12)
        for sources in ([3, 4, 5, 7], [4], [0, 4, 7], [7, 7, 3]):
            ref = nx.betweenness_centrality_subset(g, sorted(set(sources)), list(range(n)), normalized=False)
            mine = fast.betweenness(n, u, v, directed=directed, sources=np.array(sources), normalized=False)
            if len(set(sources)) == len(sources):
                assert mine == pytest.approx([ref[i] * n / len(sources) for i in range(n)], abs=1e-12)
            assert mine[[4, 5, 6, 7]].tolist() == [0.0] * 4
        sinks = fast.betweenness(n, u, v, directed=directed, sources=np.array([4, 5]))
        assert sinks.tolist() == [0.0] * n
        assert fast.betweenness(n, u, v, directed=directed, sources=np.array([0]))[1] > 0
        assert fast.betweenness(n, u, v, directed=directed, sources=np.zeros(0, dtype=np.int64)).tolist() == [0.0] * n


def test_betweenness_refuses_nodes_out_of_range() -> None:
    u, v = arrays([(0, 1), (1, 2)])
    with pytest.raises(ValueError, match="sources"):
        fast.betweenness(3, u, v, sources=np.array([0, 3]))
    with pytest.raises(ValueError, match="edges"):
        fast.betweenness(2, u, v)


def test_sample_sources_is_deterministic_and_distinct() -> None:
    a = fast.sample_sources(1000, 50, 7)
    assert (a == fast.sample_sources(1000, 50, 7)).all()
    assert len(set(a.tolist())) == 50
    assert not (a == fast.sample_sources(1000, 50, 8)).all()
    assert fast.sample_sources(5, 10, 1).tolist() == [0, 1, 2, 3, 4]


def test_betweenness_of_the_florentine_marriages_matches_networkx_pinned_values() -> None:
    g = nx.florentine_families_graph()
    nodes = sorted(g)
    index = {v: i for i, v in enumerate(nodes)}
    u, v = arrays([(index[a], index[b]) for a, b in g.edges])
    mine = fast.betweenness(len(nodes), u, v)
    assert mine[index["Medici"]] == pytest.approx(0.522, abs=1e-3)
    assert mine[index["Guadagni"]] == pytest.approx(0.255, abs=1e-3)


@SETTINGS
@given(edge_lists(directed=True), st.floats(0.5, 0.95))
def test_pagerank_equals_strictly_converged_networkx(graph: tuple[int, list[tuple[int, int]]], alpha: float) -> None:
    n, edges = graph
    rng = np.random.default_rng(len(edges))
    weights = rng.uniform(0.1, 1.0, size=len(edges))
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for (a, b), w in zip(edges, weights, strict=True):
        g.add_edge(a, b, weight=float(w))
    ref = nx.pagerank(g, alpha=alpha, tol=1e-14 / n, max_iter=100_000)
    u, v = arrays(edges)
    result = fast.pagerank(n, u, v, weights, alpha=alpha)
    assert result.converged
    assert result.scores == pytest.approx([ref[i] for i in range(n)], abs=1e-9)
    assert result.scores.sum() == pytest.approx(1.0)


def test_pagerank_tolerance_is_absolute_unlike_networkx() -> None:
    """networkx multiplies tol by N: on a large graph its default stops early; ours keeps iterating."""
    g = nx.gnp_random_graph(3000, 0.003, seed=3, directed=True)
    ref = nx.pagerank(g, tol=1e-13 / 3000, max_iter=100_000)
    loose = nx.pagerank(g, tol=1e-6)
    u, v = arrays(list(g.edges))
    mine = fast.pagerank(3000, u, v, np.ones(u.size))
    exact = np.array([ref[i] for i in range(3000)])
    assert np.abs(mine.scores - exact).max() < 1e-10
    assert np.abs(np.array([loose[i] for i in range(3000)]) - exact).max() > 100 * np.abs(mine.scores - exact).max()


def weighted_graph(n: int, edges: list[tuple[int, int]], seed: int) -> tuple[fast.ArcGraph, nx.DiGraph]:
    rng = np.random.default_rng(seed)
    cost = rng.choice([0.1, 0.25, 0.5, 1.0, 2.0], size=len(edges))
    u, v = arrays(edges)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for (a, b), c in zip(edges, cost, strict=True):
        g.add_edge(a, b, weight=float(c))
    return fast.ArcGraph(n, u, v, cost.astype(float)), g


def brute_force(g: nx.DiGraph, s: int, t: int, cutoff: int | None = None) -> list[tuple[float, list[int]]]:
    if s == t:
        return [(0.0, [s])]
    out = []
    for p in nx.all_simple_paths(g, s, t, cutoff=cutoff):
        out.append((sum(g.edges[a, b]["weight"] for a, b in itertools.pairwise(p)), p))
    return sorted(out)


@SETTINGS
@given(
    edge_lists(max_n=7, directed=True), st.integers(0, 9), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 4))
)
def test_k_shortest_paths_are_the_k_cheapest_simple_paths(
    graph: tuple[int, list[tuple[int, int]]], seed: int, k: int, max_arcs: int | None
) -> None:
    n, edges = graph
    arcs, g = weighted_graph(n, edges, seed)
    s, t = 0, n - 1
    found = fast.k_shortest_paths(arcs, s, t, k, max_arcs=max_arcs)
    every = brute_force(g, s, t, cutoff=max_arcs)
    assert [c for c, _ in found] == pytest.approx([c for c, _ in every[:k]])
    for cost, path in found:
        assert len(set(path)) == len(path), "loop-free"
        assert path[0] == s and path[-1] == t
        assert max_arcs is None or len(path) - 1 <= max_arcs
        assert cost == pytest.approx(sum(g.edges[a, b]["weight"] for a, b in itertools.pairwise(path)))
    assert len({tuple(p) for _, p in found}) == len(found)


@SETTINGS
@given(edge_lists(max_n=8, directed=True), st.integers(0, 9))
def test_shortest_path_matches_networkx_dijkstra(graph: tuple[int, list[tuple[int, int]]], seed: int) -> None:
    n, edges = graph
    arcs, g = weighted_graph(n, edges, seed)
    for t in range(n):
        got = fast.shortest_path(arcs, 0, t)
        try:
            ref = nx.dijkstra_path_length(g, 0, t)
        except nx.NetworkXNoPath:
            assert got is None
            continue
        assert got is not None and got[0] == pytest.approx(ref)


def test_banned_nodes_are_never_entered() -> None:
    arcs = fast.ArcGraph(4, np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3]), np.array([0.1, 0.1, 1.0, 1.0]))
    banned = np.array([False, True, False, False])
    [(cost, path)] = fast.k_shortest_paths(arcs, 0, 3, 3, banned_nodes=banned)
    assert path == [0, 2, 3] and cost == pytest.approx(2.0)


def test_arc_graph_refuses_parallel_arcs() -> None:
    with pytest.raises(ValueError):
        fast.ArcGraph(2, np.array([0, 0]), np.array([1, 1]), np.array([1.0, 2.0]))


@SETTINGS
@given(edge_lists(max_n=10))
def test_cut_vertices_are_networkx_articulation_points_seen_from_the_root(
    graph: tuple[int, list[tuple[int, int]]],
) -> None:
    n, edges = graph
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    root = 0
    component = nx.node_connected_component(g, root)
    cuts = {c.node: c.cut_off for c in fast.cut_vertices(n, *arrays(edges), root)}
    expected = set(nx.articulation_points(g.subgraph(component))) - {root}
    assert set(cuts) == expected
    assert set(np.flatnonzero(fast.articulation_mask(n, *arrays(edges), root)).tolist()) == expected
    for node, cut_off in cuts.items():
        h = g.subgraph(component - {node})
        assert sorted(component - {node} - nx.node_connected_component(h, root)) == cut_off


def test_reachable_without_a_node() -> None:
    arcs = fast.ArcGraph(4, np.array([0, 1, 2]), np.array([1, 2, 3]), np.ones(3))
    assert fast.reachable(arcs, 0).tolist() == [True] * 4
    assert fast.reachable(arcs, 0, removed=[2]).tolist() == [True, True, False, False]
    assert not fast.reachable(arcs, 0, removed=[0]).any()


def test_pagerank_started_from_a_previous_solution_converges_to_the_same() -> None:
    """After an edit of the graph, PageRank started from the solution before it reaches the same scores (within
    the tolerance the cold run is checked to) in fewer steps; a start that is not a distribution is refused."""
    g = nx.gnp_random_graph(3000, 0.003, seed=5, directed=True)
    rng = np.random.default_rng(5)
    u, v = arrays(list(g.edges))
    w = rng.uniform(0.1, 1.0, size=u.size)
    before = fast.pagerank(3000, u, v, w)
    w2 = w.copy()
    w2[:5] = rng.uniform(0.1, 1.0, size=5)  # a few ties' strengths change
    u2, v2, w2 = np.append(u, 7), np.append(v, 11), np.append(w2, 0.9)  # and one tie is added
    cold = fast.pagerank(3000, u2, v2, w2)
    warm = fast.pagerank(3000, u2, v2, w2, start=before.scores)
    assert cold.converged and warm.converged and warm.residual < 1e-12
    assert warm.scores == pytest.approx(cold.scores, abs=1e-9)
    assert np.abs(warm.scores - cold.scores).max() < 1e-10
    assert warm.iterations < cold.iterations
    assert fast.pagerank(3000, u2, v2, w2, start=cold.scores * 7).scores == pytest.approx(cold.scores, abs=1e-9)
    for bad in (np.ones(5), -before.scores, np.zeros(3000), np.full(3000, np.nan)):
        with pytest.raises(ValueError, match="start"):
            fast.pagerank(3000, u2, v2, w2, start=bad)


def test_empty_inputs() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert fast.betweenness(0, empty, empty).size == 0
    assert fast.pagerank(0, empty, empty, np.zeros(0)).converged
    assert fast.cut_vertices(1, empty, empty, 0) == []
    assert fast.articulation_mask(1, empty, empty, 0).tolist() == [False]
    assert fast.articulation_mask(1, empty, empty, 0).tolist() == [False]
    assert math.isclose(fast.pagerank(3, empty, empty, np.zeros(0)).scores.sum(), 1.0)


@SETTINGS
@given(st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=300))
def test_unique_ints_equals_numpy_unique(values: list[int]) -> None:
    array = np.asarray(values, dtype=np.int64)
    assert fast.unique_ints(array).tolist() == np.unique(array).tolist()
    ordered = np.sort(array)
    starts = fast.run_starts(ordered)
    assert starts.tolist() == np.unique(ordered, return_index=True)[1].tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.sampled_from([0.1, 0.5, 0.5, 1.0]), st.integers(0, 5)), max_size=60))
def test_one_arc_per_pair_is_the_strongest_then_the_lowest_kind(arcs: list[tuple[int, float, int]]) -> None:
    from accountgraph.algorithms.prepared import _strongest_per_pair

    pair = np.array([a[0] for a in arcs], dtype=np.int64)
    strength = np.array([a[1] for a in arcs], dtype=np.float64)
    kind = np.array([a[2] for a in arcs], dtype=np.int8)
    chosen = _strongest_per_pair(pair, strength, kind)
    expected = sorted({p: min((-s, k) for q, s, k in arcs if q == p) for p, _, _ in arcs}.items())
    assert [(int(pair[j]), -float(strength[j]), int(kind[j])) for j in chosen] == [(p, s, k) for p, (s, k) in expected]


def test_a_started_betweenness_reads_the_same_from_many_threads() -> None:
    """`Betweenness` runs on worker threads from the moment it is made; every reader, on any thread, gets
    the same values as `betweenness` (a server's requests share an account's view)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    g = nx.gnm_random_graph(400, 1600, seed=5)
    u, v = (np.array(x) for x in zip(*g.edges(), strict=True))
    sources = fast.sample_sources(400, 128, 1)
    expected = fast.betweenness(400, u, v, sources=sources)
    run = fast.Betweenness(400, u, v, sources=sources)
    start = threading.Barrier(8)

    def read() -> np.ndarray:
        start.wait()
        return run.result()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: read(), range(8)))
    assert all(r is results[0] for r in results)
    assert np.array_equal(results[0], expected)


def test_graphs_up_to_the_batch_size_limit_search_64_sources_at_once() -> None:
    assert fast._kernel(fast.BATCH_MAX_NODES) is _kernels.brandes_batches
    assert fast._kernel(fast.BATCH_MAX_NODES + 1) is _kernels.brandes_block


def test_both_kernels_add_the_same_sums_over_many_batches_and_repeated_sources() -> None:
    # 700 nodes: 11 batches of 64 sources, dealt to two threads; sources given twice count twice, in both
    n = 700
    _, u, v = random_graph(n, 0.01, seed=3, directed=False)
    sources = np.concatenate([np.arange(n), [5, 5, 9, 300]])
    runs = {}
    for kernel in ("batches", "single"):
        with using(kernel):
            runs[kernel] = fast.betweenness(n, u, v, sources=sources, normalized=False)
    assert runs["batches"] == pytest.approx(runs["single"], rel=1e-12, abs=1e-9)
    with using("batches"):
        once = fast.betweenness(n, u, v, sources=np.arange(n), normalized=False)
    assert (runs["batches"] > once).any()  # the repeated sources' dependencies are there twice
