"""Compiled (numba) kernels behind `fast`; imported lazily, only when a kernel is first needed.

Importing numba takes about 0.3 s, which most commands never need, so `fast` imports this module inside the
functions that use it. The kernels are compiled with ``cache=True`` (numba keeps the machine code next to this
file, in ``__pycache__``, or in its user cache directory when that is not writable): the first call compiles
for a few seconds, later processes load the cached code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["BATCH", "articulation_block", "brandes_batches", "brandes_block"]

IndexArray: TypeAlias = npt.NDArray[np.int32] | npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray64: TypeAlias = npt.NDArray[np.int64]


def _brandes_block(indptr: IndexArray, indices: IndexArray, sources: IndexArray, acc: FloatArray) -> None:
    """Add to `acc` the Brandes dependencies of every node on every source in `sources` (unnormalised).

    `indptr`/`indices` are the out-arcs in CSR form (node ids below 2**31, no self-loops, no duplicates).
    The forward breadth-first search counts shortest paths (`sigma`) and records the arcs of the
    shortest-path DAG in the order it finds them; the backward pass walks those arcs in reverse, so every
    head's dependency is complete before it is pushed to its tails:
    ``delta[v] += sigma[v] / sigma[w] * (1 + delta[w])``. Each source's own dependency is not counted.
    Work arrays are reset only on the nodes a search reached, so a source that reaches little costs little.
    """
    n = indptr.size - 1
    sigma = np.zeros(n, dtype=np.float64)
    delta = np.zeros(n, dtype=np.float64)
    dist = np.full(n, -1, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    dag_tail = np.empty(indices.size, dtype=np.int32)
    dag_head = np.empty(indices.size, dtype=np.int32)
    for q in range(sources.size):
        s = sources[q]
        sigma[s] = 1.0
        dist[s] = 0
        order[0] = s
        head = 0
        tail = 1
        m = 0
        while head < tail:
            v = order[head]
            head += 1
            dv = dist[v] + 1
            sv = sigma[v]
            for j in range(indptr[v], indptr[v + 1]):
                w = indices[j]
                dw = dist[w]
                if dw < 0:
                    dist[w] = dv
                    order[tail] = w
                    tail += 1
                    sigma[w] = sv
                elif dw == dv:
                    sigma[w] += sv
                else:
                    continue
                dag_tail[m] = v
                dag_head[m] = w
                m += 1
        for k in range(m - 1, -1, -1):
            v = dag_tail[k]
            w = dag_head[k]
            delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
        for k in range(1, tail):
            acc[order[k]] += delta[order[k]]
        for k in range(tail):
            w = order[k]
            sigma[w] = 0.0
            delta[w] = 0.0
            dist[w] = -1


brandes_block: Callable[[IndexArray, IndexArray, IndexArray, FloatArray], None] = njit(cache=True, nogil=True)(
    _brandes_block
)


BATCH = 64
"""Sources searched together by `brandes_batches`: one bit each of a 64-bit word."""

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_DEBRUIJN = np.uint64(0x03F79D71B4CB0A89)
_SHIFT = np.uint64(58)
_BIT_INDEX = np.zeros(64, dtype=np.int64)
_BIT_INDEX[((_ONE << np.arange(64, dtype=np.uint64)) * _DEBRUIJN) >> _SHIFT] = np.arange(64)  # wraps mod 2**64


def _lowest_bit(bits: np.uint64) -> tuple[np.uint64, int]:
    """The lowest set bit of `bits` (not 0) and its index (0–63), by a de Bruijn sequence."""
    low = bits & (~bits + _ONE)
    return low, _BIT_INDEX[(low * _DEBRUIJN) >> _SHIFT]


_lowest = njit(cache=True, inline="always")(_lowest_bit)


def _brandes_batches(indptr: IndexArray, indices: IndexArray, sources: IndexArray, acc: FloatArray) -> None:
    """Add to `acc` what `brandes_block` adds (the same sums, added in another order), searching `BATCH`
    sources at once: a multi-source breadth-first search (Then et al., "The More the Merrier", VLDB 2015).

    Each node holds a 64-bit word per level: bit b set when the node is at that level of source b's search.
    One scan of a node's arcs serves every source whose frontier holds it (``new = frontier & ~seen[w]``),
    so the arcs are read about a tenth as often as by one search per source; the path counts are kept per
    node and source (``sigma[w * BATCH + b]``) and added only along the bits that are set. The backward pass
    keeps ``t = (1 + delta) / sigma`` instead of delta, so a child's share is a sum, with one division per node
    and source: ``delta[v] = sigma[v] * sum(t[w] over v's children)``, ``t[v] = 1 / sigma[v] + that sum``.
    Its arrays grow as ``n * BATCH`` words: past a few tens of thousands of nodes they leave the caches and
    one search per source is as fast (`fast` chooses).
    """
    n = indptr.size - 1
    sigma = np.zeros(n * BATCH, dtype=np.float64)  # path counts, then t = (1 + delta) / sigma on the way back
    seen = np.zeros(n, dtype=np.uint64)
    reached = np.zeros(n, dtype=np.uint64)  # the bits a node gains at the level being searched
    below = np.zeros(n, dtype=np.uint64)  # on the way back: the bits a node has at the level below
    ahead = np.empty(n, dtype=np.int32)
    share = np.zeros(BATCH, dtype=np.float64)
    # the levels, one after the other: (node, bits) entries, level k from start[k] to start[k + 1]
    at_node = np.empty(4 * n + BATCH, dtype=np.int32)
    at_bits = np.empty(4 * n + BATCH, dtype=np.uint64)
    start = np.empty(n + 2, dtype=np.int64)
    for first in range(0, sources.size, BATCH):
        top = 0
        for q in range(first, min(first + BATCH, sources.size)):
            s = sources[q]
            bit = _ONE << np.uint64(q - first)
            if seen[s] == _ZERO:
                at_node[top] = s
                at_bits[top] = bit
                top += 1
            else:  # a source given twice
                for k in range(top):
                    if at_node[k] == s:
                        at_bits[k] |= bit
            seen[s] |= bit
            sigma[s * BATCH + q - first] = 1.0
        start[0] = 0
        start[1] = top
        levels = 1
        while start[levels] > start[levels - 1]:
            lo, hi = start[levels - 1], start[levels]
            found = 0
            for e in range(lo, hi):
                v = at_node[e]
                frontier = at_bits[e]
                vb = v * BATCH
                for j in range(indptr[v], indptr[v + 1]):
                    w = indices[j]
                    new = frontier & ~seen[w]
                    if new != _ZERO:
                        if reached[w] == _ZERO:
                            ahead[found] = w
                            found += 1
                        reached[w] |= new
                        wb = w * BATCH
                        while new != _ZERO:
                            low, b = _lowest(new)
                            sigma[wb + b] += sigma[vb + b]
                            new ^= low
            if hi + found > at_node.size:
                size = max(2 * at_node.size, hi + found)
                grown_node = np.empty(size, dtype=np.int32)
                grown_node[:hi] = at_node[:hi]
                grown_bits = np.empty(size, dtype=np.uint64)
                grown_bits[:hi] = at_bits[:hi]
                at_node, at_bits = grown_node, grown_bits
            for k in range(found):
                w = ahead[k]
                seen[w] |= reached[w]
                at_node[hi + k] = w
                at_bits[hi + k] = reached[w]
                reached[w] = _ZERO
            levels += 1
            start[levels] = hi + found
        # back from the deepest level to level 1 (the sources' own dependencies are not counted)
        for level in range(levels - 2, 0, -1):
            for e in range(start[level + 1], start[level + 2]):
                below[at_node[e]] = at_bits[e]
            for e in range(start[level], start[level + 1]):
                v = at_node[e]
                bits = at_bits[e]
                vb = v * BATCH
                for j in range(indptr[v], indptr[v + 1]):
                    w = indices[j]
                    children = bits & below[w]
                    if children != _ZERO:
                        wb = w * BATCH
                        while children != _ZERO:
                            low, b = _lowest(children)
                            share[b] += sigma[wb + b]
                            children ^= low
                total = 0.0
                while bits != _ZERO:
                    low, b = _lowest(bits)
                    paths = sigma[vb + b]
                    total += paths * share[b]
                    sigma[vb + b] = 1.0 / paths + share[b]
                    share[b] = 0.0
                    bits ^= low
                acc[v] += total
            for e in range(start[level + 1], start[level + 2]):
                below[at_node[e]] = _ZERO
        for e in range(start[levels - 1]):  # reset what this batch touched
            v = at_node[e]
            seen[v] = _ZERO
            bits = at_bits[e]
            vb = v * BATCH
            while bits != _ZERO:
                low, b = _lowest(bits)
                sigma[vb + b] = 0.0
                bits ^= low


brandes_batches: Callable[[IndexArray, IndexArray, IndexArray, FloatArray], None] = njit(cache=True, nogil=True)(
    _brandes_batches
)


def _articulation_block(u: IntArray64, v: IntArray64, root: int, out: npt.NDArray[np.bool_]) -> None:
    """Mark in `out` every node whose removal cuts some node off `root` (never the root itself).

    `u`, `v`: the edges of an undirected graph on ``out.size`` nodes (either orientation; duplicates and
    self-loops do no harm). The adjacency is laid out both ways by counting, then an iterative Tarjan
    depth-first search from the root, the same as `fast.cut_vertices`: a node is marked when the low point
    of one of its children in the search tree does not climb above it.
    """
    n = out.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    for j in range(u.size):
        indptr[u[j] + 1] += 1
        indptr[v[j] + 1] += 1
    for x in range(n):
        indptr[x + 1] += indptr[x]
    fill = indptr[:-1].copy()
    indices = np.empty(2 * u.size, dtype=np.int64)
    for j in range(u.size):
        a = u[j]
        b = v[j]
        indices[fill[a]] = b
        fill[a] += 1
        indices[fill[b]] = a
        fill[b] += 1
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    cursor = indptr[:-1].copy()
    stack = np.empty(n, dtype=np.int64)
    top = 0
    stack[0] = root
    disc[root] = 0
    counter = 1
    while top >= 0:
        node = stack[top]
        i = cursor[node]
        if i < indptr[node + 1]:
            cursor[node] = i + 1
            nb = indices[i]
            if disc[nb] < 0:
                disc[nb] = counter
                low[nb] = counter
                counter += 1
                parent[nb] = node
                top += 1
                stack[top] = nb
            elif nb != parent[node] and disc[nb] < low[node]:
                low[node] = disc[nb]
            continue
        top -= 1
        up = parent[node]
        if up >= 0:
            if low[node] < low[up]:
                low[up] = low[node]
            if up != root and low[node] >= disc[up]:
                out[up] = True


articulation_block: Callable[[IntArray64, IntArray64, int, npt.NDArray[np.bool_]], None] = njit(cache=True, nogil=True)(
    _articulation_block
)
