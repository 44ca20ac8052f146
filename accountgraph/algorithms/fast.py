"""Array kernels behind the algorithms: numpy, scipy.sparse and numba, no graph library at run time.

Nodes are integers ``0..n-1``; edges are parallel integer arrays. Each kernel is checked against networkx on
the same inputs in the tests (``tests/algorithms/test_fast.py``):

* `pagerank`: power iteration on a sparse matrix, stopped on an absolute L1 tolerance (networkx multiplies its
  ``tol`` by the number of nodes, so on large graphs it stops early; this one does not).
* `betweenness`: Brandes' algorithm, one breadth-first search and one backward accumulation per source in a
  compiled numba kernel (`_kernels`, imported on first use), the sources split over two threads. Exact with
  every node as a source, or estimated from a sample of sources (then equal to networkx's
  ``betweenness_centrality_subset`` from those sources, scaled). `Betweenness` starts the threads and
  returns at once, for callers with other work to do meanwhile.
* `shortest_path` and `k_shortest_paths`: Dijkstra (scipy) on non-negative costs, optionally limited to a
  number of hops (a layered Bellman–Ford, vectorised), and Yen's loop-free k shortest paths on top.
* `cut_vertices`: articulation points of an undirected graph seen from one root, with how many nodes each
  one cuts off (an iterative Tarjan DFS); `articulation_mask` marks the same nodes from a compiled kernel.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csgraph

if TYPE_CHECKING:  # numba: `_kernels` is imported on first use only
    from accountgraph.algorithms._kernels import IndexArray

__all__ = [
    "ArcGraph",
    "Betweenness",
    "CutVertex",
    "PageRankResult",
    "articulation_mask",
    "betweenness",
    "cut_vertices",
    "k_shortest_paths",
    "pagerank",
    "reachable",
    "sample_sources",
    "shortest_path",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def run_starts(ordered: IntArray) -> IntArray:
    """Where each run of equal values of a sorted array starts."""
    if ordered.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))


def unique_ints(values: IntArray) -> IntArray:
    """`np.unique` of an integer array by sorting (numpy 2's hashing `unique` is tens of times slower)."""
    ordered = np.sort(np.asarray(values, dtype=np.int64))
    return ordered[run_starts(ordered)]


# ---- PageRank -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRankResult:
    scores: FloatArray
    iterations: int
    residual: float
    converged: bool


def pagerank(
    n: int,
    src: IntArray,
    dst: IntArray,
    weight: FloatArray,
    *,
    alpha: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    start: FloatArray | None = None,
) -> PageRankResult:
    """PageRank of a weighted directed graph (rank flows from `src` to `dst`).

    Same model as `networkx.pagerank` with a uniform personalisation: a node's rank is split among its
    out-arcs in proportion to their weights; dangling nodes (no out-weight) spread theirs uniformly.
    Parallel arcs add up. Iterates until the L1 change is below `tol` (absolute) or `max_iter`, from the
    uniform vector or from `start` (e.g. the solution before an edit of the graph: non-negative, one value per
    node, scaled to sum 1; the fixed point and the stopping rule are the same, so it only takes fewer steps).
    """
    if n == 0:
        return PageRankResult(np.zeros(0), 0, 0.0, True)
    m = sp.csr_matrix((weight.astype(np.float64), (src, dst)), shape=(n, n))
    out = np.asarray(m.sum(axis=1)).ravel()
    dangling = out <= 0
    inv = np.zeros(n)
    inv[~dangling] = 1.0 / out[~dangling]
    transition_t = (sp.diags(inv) @ m).T.tocsr()
    x = np.full(n, 1.0 / n)
    if start is not None:
        given = np.asarray(start, dtype=np.float64)
        if given.shape != (n,) or not np.isfinite(given).all() or (given < 0).any() or given.sum() <= 0:
            raise ValueError(f"start: expected {n} non-negative finite values with a positive sum")
        x = given / given.sum()
    base = (1.0 - alpha) / n
    residual = float("inf")
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (the count is reported)
        nxt = alpha * (transition_t @ x + x[dangling].sum() / n) + base
        nxt /= nxt.sum()
        residual = float(np.abs(nxt - x).sum())
        x = nxt
        if residual < tol:
            break
    return PageRankResult(x, iterations, residual, residual < tol)


# ---- betweenness --------------------------------------------------------------------------------


def sample_sources(n: int, k: int, seed: int) -> IntArray:
    """`k` distinct nodes of ``0..n-1`` drawn with `seed` (all of them, in order, when k >= n)."""
    if k >= n:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=k, replace=False)).astype(np.int64)


# Sources per call below which the kernel runs on the calling thread: splitting a few searches is not worth it.
_THREADED_MIN_SOURCES = 64

# Nodes up to which the sources are searched 64 at a time (`_kernels.brandes_batches`), above which one at a time
# (`brandes_block`). Measured on the 2-core test machine (generated accounts' informal networks, ms per source, one
# thread): 1,000 people 0.079 → 0.031, 3,000 0.23 → 0.10, 10,000 0.90 → 0.48, 30,000 2.96 → 2.16, 50,000 4.4 → 4.0,
# 100,000 12.7 → 15.1 (the batch's 51 MB of path counts no longer fit the caches).
BATCH_MAX_NODES = 40_000


def _kernel(n: int) -> Callable[[IndexArray, IndexArray, IndexArray, FloatArray], None]:
    """The betweenness kernel for a graph of `n` nodes (numba: imported on first use only)."""
    from accountgraph.algorithms import _kernels

    return _kernels.brandes_batches if n <= BATCH_MAX_NODES else _kernels.brandes_block


def _betweenness_threads() -> int:
    """Worker threads for the betweenness kernel: two at most (each needs its own work arrays)."""
    return min(2, os.cpu_count() or 1)


class Betweenness:
    """Shortest-path betweenness of an unweighted graph, exact or from a sample of sources, computed on worker
    threads from the moment it is made; `result()` waits for it.

    `betweenness(...)` is ``Betweenness(...).result()``. Making one early lets the caller go on with other work
    while the compiled kernel runs (it releases the GIL): an account's view starts its brokerage this way.
    The result does not depend on when it is read.

    Parameters
    ----------
    n : int
        Number of nodes.
    u, v : int arrays
        The edges (undirected: each pair once, either orientation) or arcs u → v (directed). Duplicates and
        self-loops are dropped.
    directed : bool
    sources : int array, optional
        The sources of the shortest paths (default: every node, which is exact).
    normalized : bool
        Scale as networkx does: by ``1 / ((n - 1)(n - 2))``, times ``n / len(sources)`` for a sample;
        unnormalised undirected values are halved (each pair counted once).

    The kernel searches 64 sources at once up to `BATCH_MAX_NODES` nodes (`_kernels.brandes_batches`), one at a
    time above (`brandes_block`); both add the same dependencies, in another order (the results agree to the
    last bits). With enough sources, runs of 64 are dealt round-robin to `_betweenness_threads` threads, each
    running the kernel into its own accumulator; the accumulators are added in thread order, so the result does
    not depend on which thread finishes first.
    """

    def __init__(
        self,
        n: int,
        u: IntArray,
        v: IntArray,
        *,
        directed: bool = False,
        sources: IntArray | None = None,
        normalized: bool = True,
    ) -> None:
        if n >= 2**31:
            raise ValueError(f"too many nodes for the betweenness kernel: {n}")
        a = np.asarray(u, dtype=np.int64).ravel()
        b = np.asarray(v, dtype=np.int64).ravel()
        src_list = np.arange(n, dtype=np.int64) if sources is None else np.asarray(sources, dtype=np.int64).ravel()
        for name, nodes in (("edges", a), ("edges", b), ("sources", src_list)):
            if nodes.size and (int(nodes.min()) < 0 or int(nodes.max()) >= n):
                raise ValueError(f"{name} must be nodes 0..{n - 1}")
        self.n, self.sources, self._directed, self._normalized = n, src_list, directed, normalized
        keep = a != b
        a, b = a[keep], b[keep]
        if not directed:
            a, b = np.concatenate([a, b]), np.concatenate([b, a])
        if a.size:
            pairs = unique_ints(a * n + b)
            a, b = pairs // n, pairs % n
        # CSR of the out-arcs: the pairs are sorted by (tail, head), so the heads are the column indices
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(a, minlength=n), out=indptr[1:])
        self._indptr = indptr.astype(np.int32) if indptr[-1] < 2**31 else indptr
        self._indices = b.astype(np.int32)
        self._accs: list[FloatArray] = []
        self._futures: list[Future[None]] = []
        self._out: FloatArray | None = None
        self._lock = threading.Lock()
        threads = _betweenness_threads()
        if n and src_list.size >= _THREADED_MIN_SOURCES and threads >= 2 and self._indices.size:
            from accountgraph.algorithms._kernels import BATCH

            kernel = _kernel(n)
            # runs of BATCH sources dealt round-robin: a run is one batch of `brandes_batches`, of sources near
            # each other when they are numbered so (an account's people are, by company)
            runs = np.arange(src_list.size) // BATCH % threads
            parts = [np.ascontiguousarray(src_list[runs == t]) for t in range(threads)]
            self._accs = [np.zeros(n) for _ in range(threads)]
            pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="betweenness")
            self._futures = [
                pool.submit(kernel, self._indptr, self._indices, part, acc)
                for part, acc in zip(parts, self._accs, strict=True)
            ]
            pool.shutdown(wait=False)  # the threads end with their work

    def result(self) -> FloatArray:
        """The betweenness of every node (waits for the threads; the same array on every call, from any thread)."""
        with self._lock:
            if self._out is None:
                self._out = self._finish()
            return self._out

    def _finish(self) -> FloatArray:
        n, src_list = self.n, self.sources
        out = np.zeros(n)
        if self._futures:
            for future in self._futures:
                future.result()
            for acc in self._accs:
                out += acc
        elif n and src_list.size and self._indices.size:
            _kernel(n)(self._indptr, self._indices, src_list, out)
        if self._normalized:
            if n > 2:
                out *= 1.0 / ((n - 1) * (n - 2))
                if src_list.size and src_list.size < n:
                    out *= n / src_list.size
            else:
                out[:] = 0.0
        else:
            if not self._directed:
                out *= 0.5
            if src_list.size and src_list.size < n:
                out *= n / src_list.size
        self._accs, self._futures = [], []  # the work arrays are not needed any more
        self._indptr = self._indices = np.zeros(0, dtype=np.int32)
        return out


def betweenness(
    n: int,
    u: IntArray,
    v: IntArray,
    *,
    directed: bool = False,
    sources: IntArray | None = None,
    normalized: bool = True,
) -> FloatArray:
    """Shortest-path betweenness of an unweighted graph, exact or from a sample of sources (see `Betweenness`
    for the parameters).

    Returns
    -------
    float array of length n
    """
    return Betweenness(n, u, v, directed=directed, sources=sources, normalized=normalized).result()


# ---- shortest paths -----------------------------------------------------------------------------


@dataclass
class ArcGraph:
    """A directed graph with non-negative arc costs, arcs sorted by (tail, head), one arc per pair."""

    n: int
    tail: IntArray
    head: IntArray
    cost: FloatArray
    indptr: IntArray = field(init=False)
    _by_head: tuple[IntArray, IntArray, IntArray] | None = field(init=False, default=None)
    _base: sp.csr_matrix | None = field(init=False, default=None)
    _reverse: sp.csr_matrix | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.tail = np.asarray(self.tail, dtype=np.int64)
        self.head = np.asarray(self.head, dtype=np.int64)
        self.cost = np.asarray(self.cost, dtype=np.float64)
        pair = self.tail * self.n + self.head
        if pair.size > 1 and not bool(np.all(pair[1:] >= pair[:-1])):  # not in (tail, head) order yet
            order = np.argsort(pair, kind="stable")
            self.tail, self.head, self.cost = self.tail[order], self.head[order], self.cost[order]
        if self.tail.size > 1:
            same = (self.tail[1:] == self.tail[:-1]) & (self.head[1:] == self.head[:-1])
            if same.any():
                raise ValueError("ArcGraph needs one arc per (tail, head) pair")
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(self.tail, minlength=self.n))]).astype(np.int64)

    def by_head(self) -> tuple[IntArray, IntArray, IntArray]:
        """The arcs in head order, where each head's run starts, and those heads (made once, when needed)."""
        if self._by_head is None:
            order = np.argsort(self.head, kind="stable").astype(np.int64)
            sorted_heads = self.head[order]
            starts = run_starts(sorted_heads)
            self._by_head = (order, starts, sorted_heads[starts])
        return self._by_head

    def arc(self, a: int, b: int) -> int:
        """The index of arc a → b (KeyError if absent)."""
        lo, hi = int(self.indptr[a]), int(self.indptr[a + 1])
        i = lo + int(np.searchsorted(self.head[lo:hi], b))
        if i >= hi or int(self.head[i]) != b:
            raise KeyError((a, b))
        return i

    def path_cost(self, nodes: Sequence[int]) -> float:
        return float(sum(self.cost[self.arc(x, y)] for x, y in itertools.pairwise(nodes)))

    def masked_cost(self, banned_nodes: BoolArray | None, banned_arcs: Iterable[int] = ()) -> FloatArray | None:
        """The costs with the arcs into or out of `banned_nodes` and the `banned_arcs` set to inf (None: no ban)."""
        arcs = list(banned_arcs)
        if not arcs and (banned_nodes is None or not banned_nodes.any()):
            return None
        cost = self.cost.copy()
        if banned_nodes is not None and banned_nodes.any():
            cost[banned_nodes[self.head] | banned_nodes[self.tail]] = np.inf
        if arcs:
            cost[np.asarray(arcs, dtype=np.int64)] = np.inf
        return cost

    def reverse_matrix(self) -> sp.csr_matrix:
        """The graph with every arc turned round, as a CSR matrix of costs (made once)."""
        if self._reverse is None:
            self._reverse = self.matrix().T.tocsr()
        return self._reverse

    def matrix(self, cost: FloatArray | None = None) -> sp.csr_matrix:
        """The graph as a scipy CSR matrix of costs for Dijkstra (`cost` overrides them; an inf arc is never
        taken, but it stays in the matrix, so searches that ignore costs must drop it themselves)."""
        if cost is None:
            if self._base is None:
                self._base = sp.csr_matrix((self.cost, self.head, self.indptr), shape=(self.n, self.n))
            return self._base
        return sp.csr_matrix((cost, self.head, self.indptr), shape=(self.n, self.n))


def _walk_back(pred: npt.NDArray[np.int32], source: int, target: int) -> list[int]:
    path = [target]
    node = target
    while node != source:
        node = int(pred[node])
        if node < 0:
            return []
        path.append(node)
    path.reverse()
    return path


def shortest_path(
    g: ArcGraph,
    source: int,
    target: int,
    *,
    cost: FloatArray | None = None,
    max_arcs: int | None = None,
    limit: float = np.inf,
) -> tuple[float, list[int]] | None:
    """The cheapest path source → target (cost, nodes), or None when there is none.

    `cost` overrides the arc costs (``inf`` bans an arc). With `max_arcs` the path has at most that many
    arcs (a layered Bellman–Ford; costs must be positive so the best walk is a simple path). Without, the
    search stops at `limit`: a path costing more is not looked for (None).
    """
    if source == target:
        return 0.0, [source]
    if max_arcs is None:
        return tree_path(shortest_path_tree(g, source, cost=cost, limit=limit), source, target)
    return _bounded_path(g, g.cost if cost is None else cost, source, target, max_arcs)


Tree = tuple[FloatArray, npt.NDArray[np.int32]]
"""A shortest-path tree: each node's distance and its predecessor (-9999: none)."""


def shortest_path_tree(g: ArcGraph, source: int, *, cost: FloatArray | None = None, limit: float = np.inf) -> Tree:
    """Dijkstra from `source` to every node within `limit` (`cost` overrides the arc costs; inf bans an arc)."""
    dist, pred = csgraph.dijkstra(g.matrix(cost), directed=True, indices=source, return_predecessors=True, limit=limit)
    return dist, pred


def tree_path(tree: Tree, source: int, target: int) -> tuple[float, list[int]] | None:
    """The cheapest path source → target read off `source`'s tree, or None when there is none."""
    dist, pred = tree
    if source == target:
        return 0.0, [source]
    if not np.isfinite(dist[target]):
        return None
    path = _walk_back(pred, source, target)
    return (float(dist[target]), path) if path else None


def _bounded_path(
    g: ArcGraph, cost: FloatArray, source: int, target: int, max_arcs: int
) -> tuple[float, list[int]] | None:
    n = g.n
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    layers: list[tuple[FloatArray, IntArray]] = []
    by_head, head_starts, head_nodes = g.by_head()
    heads_sorted = g.head[by_head]
    usable = np.isfinite(cost[by_head])
    for _ in range(max_arcs):
        cand = dist[g.tail[by_head]] + cost[by_head]
        cand[~usable] = np.inf
        best = np.full(n, np.inf)
        if cand.size:
            best[head_nodes] = np.minimum.reduceat(cand, head_starts)
        improved = best < dist
        pred_arc = np.full(n, -1, dtype=np.int64)
        if improved.any():
            hit = np.flatnonzero(improved[heads_sorted] & (cand == best[heads_sorted]))
            first = run_starts(heads_sorted[hit])
            pred_arc[heads_sorted[hit[first]]] = by_head[hit[first]]
        new = np.where(improved, best, dist)
        layers.append((new, pred_arc))
        if not improved.any():
            break
        dist = new
    final = layers[-1][0] if layers else dist
    if not np.isfinite(final[target]):
        return None
    path = [target]
    node = target
    level = len(layers) - 1
    while node != source:
        while level >= 0 and layers[level][1][node] < 0:
            level -= 1
        if level < 0:
            return None
        arc = int(layers[level][1][node])
        node = int(g.tail[arc])
        path.append(node)
        level -= 1
    path.reverse()
    return float(final[target]), path


def _tree_way(
    g: ArcGraph,
    cost: FloatArray | None,
    to_target: Tree,
    spur: int,
    target: int,
    blocked: BoolArray,
    banned_arcs: list[int],
) -> tuple[float, list[int]] | None:
    """The cheapest spur → target path avoiding `blocked` nodes and `banned_arcs`, read off the tree of
    cheapest ways to the target (`to_target`, from a Dijkstra on the reversed graph), or None when the tree
    cannot tell.

    Every way out of the spur costs at least its first arc plus the tree distance of the arc's head; when
    the way of the lowest such bound follows the tree without meeting a blocked node (or the spur), that
    bound is met, so it is the cheapest.
    """
    dist, next_hop = to_target
    lo, hi = int(g.indptr[spur]), int(g.indptr[spur + 1])
    arcs = np.arange(lo, hi)
    heads = g.head[lo:hi]
    first = (g.cost if cost is None else cost)[lo:hi] + dist[heads]
    usable = np.isfinite(first) & ~blocked[heads] & (heads != spur)
    if banned_arcs:
        usable &= ~np.isin(arcs, banned_arcs)
    if not usable.any():
        return None
    best = int(np.flatnonzero(usable)[np.argmin(first[usable])])
    path = [spur, int(heads[best])]
    node = path[-1]
    while node != target:
        node = int(next_hop[node])
        if node < 0 or node == spur or blocked[node]:
            return None
        path.append(node)
    return float(first[best]), path


def k_shortest_paths(
    g: ArcGraph,
    source: int,
    target: int,
    k: int,
    *,
    banned_nodes: BoolArray | None = None,
    max_arcs: int | None = None,
    source_tree: Tree | None = None,
) -> list[tuple[float, list[int]]]:
    """Yen's algorithm: up to `k` loop-free paths source → target, cheapest first (ties by node order).

    `banned_nodes` are never entered (source and target excepted). `source_tree`, the tree of `source` under
    the same bans (`shortest_path_tree`), gives the first path without a search. Without `max_arcs`, one Dijkstra toward
    the target (on the reversed graph) gives every node's cheapest way there, from which most spur paths
    can be read (`_tree_way`); a spur runs its own Dijkstra only when they cannot.
    """
    banned = np.zeros(g.n, dtype=bool) if banned_nodes is None else banned_nodes.copy()
    banned[source] = False
    banned[target] = False
    base_cost = g.masked_cost(banned)
    if source_tree is not None and max_arcs is None:
        first = tree_path(source_tree, source, target)
    else:
        first = shortest_path(g, source, target, cost=base_cost, max_arcs=max_arcs)
    if first is None or k <= 0:
        return []
    found: list[tuple[float, list[int]]] = [first]
    if k == 1:
        return found
    to_target: Tree | None = None
    if max_arcs is None:
        reverse = g.reverse_matrix() if base_cost is None else g.matrix(base_cost).T.tocsr()
        to_target = csgraph.dijkstra(reverse, directed=True, indices=target, return_predecessors=True)
    seen = {tuple(first[1])}
    candidates: list[tuple[float, tuple[int, ...]]] = []
    while len(found) < k:
        _, last = found[-1]
        for j in range(len(last) - 1):
            spur = last[j]
            root = last[: j + 1]
            arcs = [g.arc(p[j], p[j + 1]) for _, p in found if len(p) > j + 1 and p[: j + 1] == root]
            blocked = banned.copy()
            blocked[root[:-1]] = True
            budget = None if max_arcs is None else max_arcs - j
            if budget is not None and budget <= 0:
                continue
            rest = None if to_target is None else _tree_way(g, base_cost, to_target, spur, target, blocked, arcs)
            if rest is None:
                # a spur path is of use only if it could still be among the k: no dearer than the
                # candidate that would be taken last if nothing cheaper turned up
                need = k - len(found)
                limit = np.inf
                if max_arcs is None and len(candidates) >= need:
                    bound = heapq.nsmallest(need, candidates)[-1][0] - g.path_cost(root)
                    limit = bound + 1e-9 * max(1.0, abs(bound))
                rest = shortest_path(g, spur, target, cost=g.masked_cost(blocked, arcs), max_arcs=budget, limit=limit)
            if rest is None:
                continue
            path = tuple(root[:-1] + rest[1])
            if path in seen:
                continue
            seen.add(path)
            heapq.heappush(candidates, (g.path_cost(path), path))
        if not candidates:
            break
        total, best = heapq.heappop(candidates)
        found.append((total, list(best)))
    return found


def reachable(g: ArcGraph, source: int, *, removed: Iterable[int] = ()) -> BoolArray:
    """Which nodes a path from `source` reaches when the `removed` nodes are taken out."""
    gone = np.zeros(g.n, dtype=bool)
    gone[list(removed)] = True
    out = np.zeros(g.n, dtype=bool)
    if gone[source]:
        return out
    keep = ~(gone[g.tail] | gone[g.head])  # (a breadth-first search ignores costs: drop the arcs)
    matrix = sp.csr_matrix((np.ones(int(keep.sum())), (g.tail[keep], g.head[keep])), shape=(g.n, g.n))
    order = csgraph.breadth_first_order(matrix, source, directed=True, return_predecessors=False)
    out[order] = True
    return out


# ---- cut vertices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CutVertex:
    node: int
    cut_off: list[int]
    """The nodes that lose every path to the root without this one."""


def articulation_mask(n: int, u: IntArray, v: IntArray, root: int) -> BoolArray:
    """Which nodes `cut_vertices` reports, as a mask, from a compiled kernel (without the cut-off sets, and
    much faster: no sorting, no Python loop)."""
    from accountgraph.algorithms._kernels import articulation_block  # numba: imported on first use only

    out = np.zeros(n, dtype=bool)
    if n:
        articulation_block(np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64), root, out)
    return out


def cut_vertices(n: int, u: IntArray, v: IntArray, root: int) -> list[CutVertex]:
    """Articulation points of the undirected graph (u, v) that separate some nodes from `root`.

    Only the root's connected component is searched; the root itself is never reported. For each cut
    vertex, the nodes cut off from the root by its removal (the DFS subtrees of its children whose low
    point does not climb above it).
    """
    a = np.asarray(u, dtype=np.int64)
    b = np.asarray(v, dtype=np.int64)
    keep = a != b
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    pairs = unique_ints(lo * n + hi)
    a, b = pairs // n, pairs % n
    both_a, both_b = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.lexsort((both_b, both_a))
    heads = both_b[order].tolist()
    indptr = np.concatenate([[0], np.cumsum(np.bincount(both_a, minlength=n))]).tolist()
    disc = [-1] * n
    low = [0] * n
    size = [1] * n
    preorder: list[int] = []
    cut_children: dict[int, list[int]] = {}
    disc[root] = 0
    preorder.append(root)
    stack: list[tuple[int, int, int]] = [(root, -1, indptr[root])]
    counter = 1
    while stack:
        node, parent, i = stack[-1]
        end = indptr[node + 1]
        advanced = False
        while i < end:
            nb = heads[i]
            i += 1
            if disc[nb] < 0:
                stack[-1] = (node, parent, i)
                disc[nb] = low[nb] = counter
                counter += 1
                preorder.append(nb)
                stack.append((nb, node, indptr[nb]))
                advanced = True
                break
            if nb != parent and disc[nb] < low[node]:
                low[node] = disc[nb]
        if advanced:
            continue
        stack.pop()
        if parent >= 0:
            size[parent] += size[node]
            if low[node] < low[parent]:
                low[parent] = low[node]
            if parent != root and low[node] >= disc[parent]:
                cut_children.setdefault(parent, []).append(node)
    out = []
    for vertex in sorted(cut_children):
        nodes: list[int] = []
        for child in cut_children[vertex]:
            start = disc[child]
            nodes.extend(preorder[start : start + size[child]])
        out.append(CutVertex(vertex, sorted(nodes)))
    return out
