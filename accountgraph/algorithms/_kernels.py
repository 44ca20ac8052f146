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

__all__ = ["articulation_block", "brandes_block"]

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
