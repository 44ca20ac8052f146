"""An account projection prepared once for every algorithm: ids as integers, ties as arrays, strengths.

`prepare(G)` reads the projection of an account (`GraphStore.account_projection`: plain rows, no graph
library in between; a networkx projection is read back into one) and keeps what the algorithms need: the
people and our team members in id order (so results never depend on the order the data was loaded in), the
effective strength of every tie (`strength.py`), the informal network of the customer's people, their
`INFLUENCES` ties, the reporting lines, and the contact graph the paths walk. The networkx view
(`view.graph`) is only built when asked for. Every public algorithm takes an `AccountView` (networkx
stays for GraphML export, the test oracles and users' own analyses: `prepare` reads it); the service layer
caches views. `tie_strengths` works out our team's ties one by one, the reference of the view's
`team_ties`.

A view is read-only. Results that depend only on the view and the parameters (the ranking) are memoised on
it.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import defaultdict
from datetime import UTC, date, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import networkx as nx
import numpy as np

from accountgraph.algorithms import fast
from accountgraph.algorithms.fast import (
    ArcGraph,
    Betweenness,
    FloatArray,
    IntArray,
    PageRankResult,
    run_starts,
    sample_sources,
    unique_ints,
)
from accountgraph.algorithms.params import Options, RankParams, StrengthParams
from accountgraph.algorithms.results import TieStrength
from accountgraph.algorithms.strength import (
    StrengthCore,
    decayed,
    interactions_by_pair,
    parse_instant,
    resolve_reference,
    strength_core,
    strength_cores,
    strength_result,
)
from accountgraph.perf import paused_gc
from accountgraph.projection import Projection, Row, TieColumns, TieRow
from accountgraph.projection.ties import given

__all__ = ["ARC_KINDS", "AccountView", "TeamTie", "prepare", "tie_strengths"]

ARC_KNOWS, ARC_INFLUENCES, ARC_INFLUENCED_BY, ARC_REPORTS_TO, ARC_MANAGES, ARC_ROOT = range(6)
ARC_KINDS = ("KNOWS", "INFLUENCES", "INFLUENCED_BY", "REPORTS_TO", "MANAGES", "ROOT")
"""The compiled kernels' module: loading it costs a process about a second, so a view only starts its
betweenness early once something else has loaded it."""
DEPARTURE = "whatif.view:"
"""The prefix of a view of the account without one person in a view's cache (`whatif.departure`)."""
AUTHORITY = "rank:authority:"
"""The prefix of the ranking's formal authority in a view's cache (it reads the people alone)."""
COVERAGE_COLUMNS = "coverage.columns"
"""The key of the coverage's per-person columns in a view's cache (they read the people alone)."""
HOP_EPSILON = 1e-9
"""Added to every hop's cost −ln(strength): among equally strong paths the shortest wins."""


class TeamTie(NamedTuple):
    """A `KNOWS` tie between one of our members and a person, with its effective strength."""

    member: str
    person: str
    stated: float
    interactions: int
    core: StrengthCore


class AccountView:
    """An account projection prepared for the algorithms (see the module docstring).

    With `warm` (the default), an account above `RankParams.betweenness_exact_max` people starts its sampled
    betweenness on the worker threads as soon as its informal network is read, so it runs while the rest is
    prepared; the results are the same either way.
    """

    def __init__(
        self,
        source: Projection | nx.MultiDiGraph,
        options: Options | None = None,
        reference: date | datetime | None = None,
        *,
        exclude: frozenset[str] = frozenset(),
        warm: bool = True,
    ):
        if isinstance(source, nx.Graph):
            self._graph: nx.MultiDiGraph | None = source
            source = Projection.from_networkx(source)
        else:
            self._graph = None
        self.projection = source
        self.excluded = exclude
        self.options = options or Options()
        self.account: str = source.account
        self.as_of: date = source.as_of if isinstance(source.as_of, date) else datetime.now(UTC).date()
        self.reference: datetime = resolve_reference(self.as_of, reference)
        self.cache: dict[str, Any] = {}
        people = sorted((p for p in source.people if p["id"] not in exclude), key=itemgetter("id"))
        team = sorted((t for t in source.team if t["id"] not in exclude), key=itemgetter("id"))
        self.people: list[str] = [p["id"] for p in people]
        self.team: list[str] = [t["id"] for t in team]
        self.ids: list[str] = self.people + self.team
        self.index: dict[str, int] = {v: i for i, v in enumerate(self.ids)}
        self.P = len(self.people)
        self.T = len(self.team)
        self.root = self.P + self.T
        self.attrs: list[dict[str, Any]] = people + team
        self._avoid: np.ndarray | None = None
        self._nodes: dict[str, dict[str, Any]] | None = None
        self._betweenness: dict[tuple[int, ...], Betweenness] = {}
        self._betweenness_lock = threading.Lock()
        self._structure: tuple[object, str] | None = None
        self._exact: tuple[str, FloatArray] | None = None
        self._pagerank: dict[tuple[float, float, int], PageRankResult] = {}
        self.pagerank_start: FloatArray | None = None
        """A PageRank solution of the view's before a tie edit, that its PageRank starts from (`with_ties`)."""
        with paused_gc():  # hundreds of thousands of small acyclic objects for a large account
            self._read_ties(source)
            self.informal = self._informal_network()
            if warm and self.P > self.options.rank.betweenness_exact_max:
                self.betweenness(self.options.rank)  # sampled: runs on the worker threads meanwhile
            self._build_contact_graph()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx view of the projection (built on first use; the algorithms do not need it)."""
        if self._graph is None:
            with paused_gc():
                self._graph = self.projection.to_networkx()
        return self._graph

    # ---- reading the projection -----------------------------------------------------------------
    def _read_ties(self, source: Projection) -> None:
        """The ties as index columns with their effective strengths, the team ties and the managers."""
        index = self.index
        get = index.get
        P = self.P
        ties = source.ties
        # the columns on the view's indices (-1: not in the view)
        remap = np.fromiter(map(get, ties.nodes, repeat(-1)), np.int64, len(ties.nodes))
        a = remap[ties.a]
        b = remap[ties.b]
        strength = ties.strength.astype(np.float64)  # a copy
        team_ties = self._effective(ties, a, b, strength, np.arange(len(ties), dtype=np.int64), source.interactions)
        managers = [row.get("reports_to") for row in self.attrs[:P]]
        manager = np.fromiter(map(get, managers, repeat(-1)), np.int64, P)  # type: ignore[arg-type]
        manager[manager >= P] = -1  # a team member is no one's manager
        self.manager = manager
        self.ties_of_person: dict[str, list[TeamTie]] = {}
        self._tie_columns(ties, a, b, strength, team_ties, None)

    def _effective(
        self, ties: TieColumns, a: IntArray, b: IntArray, strength: FloatArray, rows: IntArray, interactions: list[Row]
    ) -> dict[tuple[str, str], TeamTie]:
        """Set ``strength[rows]`` to the effective strengths of the ties at `rows` (ends `a`, `b` on the view's
        indices), in place: our team's ties with a person from their interactions, the others decayed from
        their last contact; the team ties among them by (member, person), in no particular order."""
        params = self.options.strength
        ref = self.reference
        P = self.P
        ra, rb = a[rows], b[rows]
        knows = ties.kind[rows] == 0
        inside = (ra >= 0) & (rb >= 0)
        # the strengths that are not the stated one: our team's ties, and ties with a last contact
        dated = given(ties.last_contact[rows])
        team_tie = inside & knows & ((ra >= P) != (rb >= P))
        at = rows[team_tie]
        ours = a[at] >= P  # the member is the tie's first end
        ids = self.ids
        pairs = [
            (ids[m], ids[p])
            for m, p in zip(np.where(ours, a[at], b[at]).tolist(), np.where(ours, b[at], a[at]).tolist(), strict=True)
        ]
        stated = ties.strength[at].tolist()
        cores = strength_cores(stated, ties.last_contact[at].tolist(), pairs, interactions, ref, params)
        team_ties: dict[tuple[str, str], TeamTie] = {}
        for (member, person), s, (core, count) in zip(pairs, stated, cores, strict=True):
            team_ties[(member, person)] = TeamTie(member, person, s, count, core)
        strength[at] = [core.effective for core, _ in cores]
        # the others decay from their last contact
        plain = rows[inside & dated & ~team_tie]
        if plain.size:
            strength[plain] = decayed(strength[plain], ties.last_contact[plain].tolist(), ref, params)
        return team_ties

    def _tie_columns(
        self,
        ties: TieColumns,
        a: IntArray,
        b: IntArray,
        strength: FloatArray,
        team_ties: dict[tuple[str, str], TeamTie],
        persons: set[str] | None,
        order: tuple[IntArray, IntArray] | None = None,
    ) -> None:
        """The view's tie arrays from every tie's ends (`a`, `b`: view indices, -1 outside) and effective
        strength, and its team ties; `ties_of_person` worked out again for `persons` (None: everyone).
        `order`: the rows of the `KNOWS` and the `INFLUENCES` edges in edge order, when known (else sorted)."""
        self._tie_ends = (a, b, strength)
        self.team_ties = dict(sorted(team_ties.items()))
        self.stale_team_ties = sum(t.core.stale for t in self.team_ties.values())
        if order is None:
            n = len(ties)
            knows = ties.kind == 0
            inside = (a >= 0) & (b >= 0)
            k = inside & knows
            i = inside & ~knows
            rows = np.arange(n, dtype=np.int64)
            ka, kb, ks, self._knows_rows = _edge_arrays(
                np.minimum(a[k], b[k]), np.maximum(a[k], b[k]), strength[k], rows[k]
            )
            ia, ib, is_, self._influences_rows = _edge_arrays(a[i], b[i], strength[i], rows[i])
        else:
            self._knows_rows, self._influences_rows = order
            kr, ir = order
            ka, kb, ks = np.minimum(a[kr], b[kr]), np.maximum(a[kr], b[kr]), strength[kr]
            ia, ib, is_ = a[ir], b[ir], strength[ir]
        self.knows = (ka, kb, ks)
        self.influences = (ia, ib, is_)
        by_person: dict[str, list[TeamTie]] = defaultdict(list)
        if persons is None:
            for tie in self.team_ties.values():
                by_person[tie.person].append(tie)
            self.ties_of_person = {}
        else:
            self.ties_of_person = dict(self.ties_of_person)
            for p in persons:
                self.ties_of_person.pop(p, None)
                found = [t for m in self.team if (t := self.team_ties.get((m, p))) is not None]
                if found:
                    by_person[p] = found
        for p, ts in by_person.items():
            self.ties_of_person[p] = sorted(ts, key=lambda t: (-t.core.effective, t.member))

    def with_ties(self, projection: Projection, drop: list[int], pairs: set[tuple[str, str]]) -> AccountView:
        """A copy of the view on `projection`, equal to preparing it afresh: its ties are this view's
        projection's without the rows at `drop` and with new rows appended, its interactions changed only
        for the (member, person) `pairs`; its people and members are this view's. Only the changed ties'
        strengths are worked out again, and the team ties of `pairs` and of the changed ties.

        Shares the betweenness (and what the ranking and the coverage memoised) while what they read did
        not move; a new PageRank starts from this view's solution.
        """
        old = self.projection.ties
        ties = projection.ties
        P, N = self.P, self.root + 1
        keep = np.ones(len(old), dtype=bool)
        keep[drop] = False
        kept = np.flatnonzero(keep)
        added = np.arange(kept.size, len(ties), dtype=np.int64)
        get = self.index.get
        old_a, old_b, old_strength = self._tie_ends
        nodes = ties.nodes
        a = np.concatenate([old_a[kept], np.fromiter((get(nodes[x], -1) for x in ties.a[added].tolist()), np.int64)])
        b = np.concatenate([old_b[kept], np.fromiter((get(nodes[x], -1) for x in ties.b[added].tolist()), np.int64)])
        strength = np.concatenate([old_strength[kept], ties.strength[added].astype(np.float64)])
        # the team ties to work out again: the new rows, and the ties of the pairs whose interactions changed
        team = (ties.kind == 0) & (a >= 0) & (b >= 0) & ((a >= P) != (b >= P))
        member, person = np.where(a >= P, a, b), np.where(a >= P, b, a)
        index = self.index
        codes = [index[m] * N + index[p] for m, p in pairs if m in index and p in index]
        touched = team & np.isin(member * N + person, np.asarray(codes, dtype=np.int64))
        touched[added] = True
        rows = np.flatnonzero(touched)
        team_ties = dict(self.team_ties)
        ids = self.ids
        dropped = np.asarray(drop, dtype=np.int64)
        gone = (old.kind[dropped] == 0) & (old_a[dropped] >= 0) & (old_b[dropped] >= 0)
        gone &= (old_a[dropped] >= P) != (old_b[dropped] >= P)
        ends = zip(old_a[dropped[gone]].tolist(), old_b[dropped[gone]].tolist(), strict=True)
        lost = [(ids[max(x, y)], ids[min(x, y)]) for x, y in ends]  # (member, person): members come after people
        for pair in (*pairs, *lost):
            team_ties.pop(pair, None)
        team_ties.update(self._effective(ties, a, b, strength, rows, projection.interactions))
        persons = {p for _, p in pairs} | {p for _, p in lost}
        persons |= {ids[int(x)] for x in person[rows[team[rows]]].tolist()}
        out = copy.copy(self)
        out.projection = projection
        out._graph = None
        out._nodes = self._nodes
        inside = (a[added] >= 0) & (b[added] >= 0)
        new_knows = added[inside & (ties.kind[added] == 0)]
        new_influences = added[inside & (ties.kind[added] != 0)]
        order = (
            _edge_order(self._knows_rows, self.knows, dropped, new_knows, np.minimum(a, b), np.maximum(a, b), N),
            _edge_order(self._influences_rows, self.influences, dropped, new_influences, a, b, N),
        )
        with paused_gc():
            out._tie_columns(ties, a, b, strength, team_ties, persons, order)
            informal = out._informal_network()
            same_network = all(np.array_equal(x, y) for x, y in zip(informal, self.informal, strict=True))
            if same_network:
                out.informal = self.informal  # the betweenness, its structure key and the exact values stay
            else:
                out.informal = informal
                out._betweenness = {}
                out._betweenness_lock = threading.Lock()
                out._structure = None
                out._exact = None
                if out.P > out.options.rank.betweenness_exact_max:
                    out.betweenness(out.options.rank)  # sampled, on the worker threads meanwhile
            moved = _pairs(old_a[dropped], old_b[dropped]) | _pairs(a[rows], b[rows]) | _pairs(a[added], b[added])
            if len(moved) <= PATCH_MAX_PAIRS:
                out._patch_contact_graph(moved)
            else:
                out._build_contact_graph()
        now, before = out.people_influences(), self.people_influences()
        same_influence = all(np.array_equal(x, y) for x, y in zip(now, before, strict=True))
        if not same_influence:
            out._pagerank = {}
            out.pagerank_start = self.pagerank_solution()
        # what reads the people alone stays; the ranking while its networks stay; the coverage also while our
        # team's ties stay
        same_team = not lost and not team[rows].any()
        out.cache = {}
        for key, value in self.cache.items():
            if key == COVERAGE_COLUMNS or key.startswith(AUTHORITY):
                out.cache[key] = value
            elif same_network and same_influence and key.startswith("rank:"):
                out.cache[key] = value
            elif same_network and same_influence and same_team and key.startswith("coverage."):
                out.cache[key] = value
            elif key.startswith(DEPARTURE) and isinstance(value, AccountView):
                out.cache[key] = value.with_ties(projection, drop, pairs)  # the same edit, without the person
        return out

    def people_influences(self) -> tuple[IntArray, IntArray, FloatArray]:
        """The `INFLUENCES` ties among the people (no loops), the network PageRank reads: (from, to, strength)."""
        ia, ib, iw = self.influences
        people_only = (ia < self.P) & (ib < self.P) & (ia != ib)
        return ia[people_only], ib[people_only], iw[people_only]

    def pagerank(self, alpha: float, tol: float, max_iter: int) -> PageRankResult:
        """PageRank of the people's influence network, walked toward who sways (`fast.pagerank`), memoised per
        parameters; started from `pagerank_start` (a solution before a tie edit) when there is one."""
        key = (alpha, tol, max_iter)
        known = self._pagerank.get(key)
        if known is not None:
            return known
        ia, ib, iw = self.people_influences()
        start = self.pagerank_start
        if start is not None and start.shape != (self.P,):
            start = None
        result = fast.pagerank(self.P, ib, ia, iw, alpha=alpha, tol=tol, max_iter=max_iter, start=start)
        self._pagerank = {**self._pagerank, key: result}
        return result

    def pagerank_solution(self) -> FloatArray | None:
        """A PageRank solution of this view (any parameters), to start another from; None if none."""
        for result in self._pagerank.values():
            return result.scores
        return self.pagerank_start

    def _informal_network(self) -> tuple[IntArray, IntArray]:
        """The informal network: `KNOWS` and `INFLUENCES` among the people, undirected, each pair once."""
        P = self.P
        ka, kb, _ = self.knows
        ia, ib, _ = self.influences
        among = (ka < P) & (kb < P)
        people_only = (ia < P) & (ib < P) & (ia != ib)
        eu = np.concatenate([ka[among], ia[people_only]])
        ev = np.concatenate([kb[among], ib[people_only]])
        pairs = unique_ints(np.minimum(eu, ev) * max(P, 1) + np.maximum(eu, ev))
        return pairs // max(P, 1), pairs % max(P, 1)

    def betweenness(self, params: RankParams) -> Betweenness:
        """The betweenness of the informal network for `params`: exact up to ``betweenness_exact_max`` people,
        else from sources sampled with ``seed`` (``betweenness_samples``, fewer when that would visit more than
        ``betweenness_budget`` arcs, never fewer than ``betweenness_min_samples``).

        Started on the worker threads at the first call for the same sampling, and kept. A view starts the
        sampled one for its own options as soon as it has the network, when the compiled kernel is already
        loaded (a server after its first ranking), so it runs while the rest of the view is prepared.
        """
        key = (
            params.betweenness_exact_max,
            params.betweenness_samples,
            params.betweenness_min_samples,
            params.betweenness_budget,
            params.seed,
        )
        with self._betweenness_lock:  # views are shared between a server's threads: one run each
            return self._betweenness.get(key) or self._start_betweenness(key, params)

    def structure_key(self) -> str:
        """A fingerprint of exactly what the betweenness depends on: the people (ids, in index order) and the
        informal network among them (unweighted pairs). A stance, role, title or interaction edit leaves it
        as it is; a person or an informal tie added or removed changes it. Memoised on the network."""
        known = self._structure
        if known is not None and known[0] is self.informal:
            return known[1]
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{self.P}\n".encode())
        digest.update("\n".join(self.people).encode())
        pu, pv = self.informal
        digest.update(b"\0" + np.ascontiguousarray(pu, dtype=np.int64).tobytes())
        digest.update(b"\0" + np.ascontiguousarray(pv, dtype=np.int64).tobytes())
        key = digest.hexdigest()
        self._structure = (self.informal, key)
        return key

    @property
    def exact_betweenness(self) -> FloatArray | None:
        """The exact (normalised) betweenness of the people given by `use_exact_betweenness`, while the
        structure it was computed for is the view's; None otherwise (the ranking then samples above
        ``betweenness_exact_max`` people)."""
        known = self._exact
        return known[1] if known is not None and known[0] == self.structure_key() else None

    def use_exact_betweenness(self, key: str, values: FloatArray) -> bool:
        """Give the view the exact betweenness computed elsewhere for structure `key` (`structure_key`);
        ignored (False) when the view's structure is another or the values do not fit its people."""
        if key != self.structure_key() or values.shape != (self.P,):
            return False
        self._exact = (key, values)
        return True

    def _start_betweenness(self, key: tuple[int, ...], params: RankParams) -> Betweenness:
        P = self.P
        pu, pv = self.informal
        sources = None
        if P > params.betweenness_exact_max:
            affordable = params.betweenness_budget // max(1, 2 * int(pu.size))  # sources × arcs within budget
            k = min(params.betweenness_samples, max(params.betweenness_min_samples, affordable))
            sources = sample_sources(P, k, params.seed)
        run = self._betweenness[key] = Betweenness(P, pu, pv, sources=sources)
        return run

    def _build_contact_graph(self) -> None:
        pp = self.options.paths
        ka, kb, ks = self.knows
        ia, ib, is_ = self.influences
        people = np.arange(self.P, dtype=np.int64)
        has_mgr = self.manager >= 0
        ra, rb = people[has_mgr], self.manager[has_mgr]
        rs = np.full(ra.size, pp.reports_to_strength)
        team = np.arange(self.P, self.root, dtype=np.int64)
        parts = [
            (ka, kb, ks, ARC_KNOWS),
            (kb, ka, ks, ARC_KNOWS),
            (ia, ib, is_, ARC_INFLUENCES),
            (ra, rb, rs, ARC_REPORTS_TO),
            (rb, ra, rs, ARC_MANAGES),
            (np.full(team.size, self.root, dtype=np.int64), team, np.ones(team.size), ARC_ROOT),
        ]
        if pp.reverse_influence_factor > 0:
            parts.append((ib, ia, is_ * pp.reverse_influence_factor, ARC_INFLUENCED_BY))
        tail = np.concatenate([p[0] for p in parts]).astype(np.int64)
        head = np.concatenate([p[1] for p in parts]).astype(np.int64)
        strength = np.concatenate([p[2] for p in parts]).astype(np.float64)
        kind = np.concatenate([np.full(p[0].size, p[3], dtype=np.int8) for p in parts])
        n = self.root + 1
        first = _strongest_per_pair(tail * n + head, strength, kind)
        tail, head, strength, kind = tail[first], head[first], strength[first], kind[first]
        strength = np.clip(strength, self.options.strength.floor, 1.0)
        cost = -np.log(strength) + HOP_EPSILON
        cost[kind == ARC_ROOT] = HOP_EPSILON
        self.contact = ArcGraph(n, tail, head, cost)
        self.arc_strength: FloatArray = strength
        self.arc_kind = kind

    def _patch_contact_graph(self, pairs: set[tuple[int, int]]) -> None:
        """The contact graph (`_build_contact_graph`) of the view's tie arrays, from the one it has (built for
        other tie arrays), with the arcs between each of `pairs` (node indices, either way round) worked out
        again: the ones whose ties changed."""
        pp = self.options.paths
        n = self.root + 1
        g = self.contact
        code = g.tail * n + g.head
        strength, kind = self.arc_strength, self.arc_kind
        ka, kb, ks = self.knows
        ia, ib, is_ = self.influences
        manager = self.manager
        at_put: list[int] = []
        put: list[tuple[int, int, float, int]] = []
        gone: list[int] = []
        for t, h in sorted({*pairs, *((y, x) for x, y in pairs)}):
            best: tuple[float, int] | None = None
            candidates = [
                (_edge(ka, kb, ks, min(t, h), max(t, h)), ARC_KNOWS),
                (_edge(ia, ib, is_, t, h), ARC_INFLUENCES),
            ]
            if pp.reverse_influence_factor > 0:
                back = _edge(ia, ib, is_, h, t)
                candidates.append((None if back is None else back * pp.reverse_influence_factor, ARC_INFLUENCED_BY))
            if t < self.P and manager[t] == h:
                candidates.append((pp.reports_to_strength, ARC_REPORTS_TO))
            if h < self.P and manager[h] == t:
                candidates.append((pp.reports_to_strength, ARC_MANAGES))
            for value, k in candidates:
                if value is not None and (best is None or value > best[0]):
                    best = (value, k)  # the strongest; among equals the first, the lowest kind
            c = t * n + h
            i = int(np.searchsorted(code, c))
            there = i < code.size and int(code[i]) == c
            if best is None:
                if there:
                    gone.append(i)
            elif there:
                strength = strength.copy() if strength is self.arc_strength else strength
                kind = kind.copy() if kind is self.arc_kind else kind
                strength[i], kind[i] = best
            else:
                at_put.append(i)
                put.append((t, h, *best))
        tail, head = g.tail, g.head
        if gone:
            tail, head = np.delete(tail, gone), np.delete(head, gone)
            strength, kind = np.delete(strength, gone), np.delete(kind, gone)
            removed = np.asarray(sorted(gone), dtype=np.int64)
            at_put = (np.asarray(at_put, dtype=np.int64) - np.searchsorted(removed, at_put)).tolist()
        if put:
            order = np.argsort(np.asarray([t * n + h for t, h, _, _ in put], dtype=np.int64), kind="stable")
            where = np.asarray(at_put, dtype=np.int64)[order]
            rows = [put[j] for j in order.tolist()]
            tail = np.insert(tail, where, [r[0] for r in rows])
            head = np.insert(head, where, [r[1] for r in rows])
            strength = np.insert(strength, where, [r[2] for r in rows])
            kind = np.insert(kind, where, np.asarray([r[3] for r in rows], dtype=kind.dtype))
        strength = np.clip(strength, self.options.strength.floor, 1.0)
        cost = -np.log(strength) + HOP_EPSILON
        cost[kind == ARC_ROOT] = HOP_EPSILON
        self.contact = ArcGraph(n, tail, head, cost)
        self.arc_strength = strength
        self.arc_kind = kind

    # ---- helpers --------------------------------------------------------------------------------
    def node(self, node: str) -> dict[str, Any]:
        """The fields (``kind`` among them) of a company, person or team member of the projection, else {}."""
        if self._nodes is None:
            p = self.projection
            self._nodes = {row["id"]: row for row in (*p.companies, *p.people, *p.team)}
        return self._nodes.get(node, {})

    def name(self, node: str) -> str:
        return str(self.node(node).get("name") or node)

    def tie(self, kind: str, a: int, b: int) -> TieRow | None:
        """The projected tie of `kind` (``knows``, ``influences``) between nodes `a` and `b` (indices)."""
        if kind == "knows":
            (ea, eb, _), rows = self.knows, self._knows_rows
            a, b = min(a, b), max(a, b)
        else:
            (ea, eb, _), rows = self.influences, self._influences_rows
        lo, hi = np.searchsorted(ea, a, side="left"), np.searchsorted(ea, a, side="right")
        j = lo + int(np.searchsorted(eb[lo:hi], b))
        return self.projection.ties[int(rows[j])] if j < hi and eb[j] == b else None

    def is_person(self, node: str) -> bool:
        i = self.index.get(node)
        return i is not None and i < self.P

    def is_team(self, node: str) -> bool:
        i = self.index.get(node)
        return i is not None and i >= self.P

    def avoid_mask(self) -> np.ndarray:
        """People who are opponents or blockers (kept off paths when asked); a fresh copy each call."""
        if self._avoid is None:
            mask = np.zeros(self.root + 1, dtype=bool)
            mask[: self.P] = [
                a.get("stance") == "opponent" or "blocker" in (a.get("roles") or ()) for a in self.attrs[: self.P]
            ]
            self._avoid = mask
        return self._avoid.copy()

    def without(self, node: str) -> AccountView:
        """The same account with one person or team member taken out (a departure)."""
        team = self.is_team(node)
        view = self._again(self.options, self.reference, self.excluded | {node}, warm=not team)
        if team:  # the customer's network is unchanged: so is its ranking
            view.cache.update({k: v for k, v in self.cache.items() if k.startswith("rank:")})
            view._betweenness.update(self._betweenness)
            view._exact = self._exact
        return view

    def _again(
        self, options: Options, reference: date | datetime, exclude: frozenset[str], *, warm: bool = True
    ) -> AccountView:
        """A view of the same projection (sharing its networkx view once built)."""
        view = AccountView(self.projection, options, reference, exclude=exclude, warm=warm)
        view._graph = self._graph
        return view

    def companies(self) -> dict[str, dict[str, Any]]:
        """The companies of the account by id (their rows, with ``kind``)."""
        return {c["id"]: c for c in self.projection.companies}


PATCH_MAX_PAIRS = 200
"""`AccountView.with_ties` patches the contact graph for up to this many changed pairs, else builds it again."""


def _pairs(a: IntArray, b: IntArray) -> set[tuple[int, int]]:
    """The pairs of nodes of a view (`a`, `b`: indices, -1 outside) with both ends in it."""
    both = (a >= 0) & (b >= 0)
    return set(zip(a[both].tolist(), b[both].tolist(), strict=True))


def _edge(ea: IntArray, eb: IntArray, es: FloatArray, a: int, b: int) -> float | None:
    """The strength of edge a → b of edge columns sorted by (a, b) (`_edge_arrays`; the strongest of several),
    None if there is none."""
    lo, hi = int(np.searchsorted(ea, a, side="left")), int(np.searchsorted(ea, a, side="right"))
    ends = eb[lo:hi]
    first, last = lo + int(np.searchsorted(ends, b, side="left")), lo + int(np.searchsorted(ends, b, side="right"))
    return float(es[first:last].max()) if last > first else None


def _edge_order(
    rows: IntArray, edges: tuple[IntArray, IntArray, FloatArray], drop: IntArray, add: IntArray,
    ea: IntArray, eb: IntArray, n: int,
) -> IntArray:  # fmt: skip
    """The rows of edges in (a, b) order (`_edge_arrays`) after the rows at `drop` were removed from the ties
    and the rows `add` (ends ``ea[add]``, ``eb[add]``) appended: `rows`, the order before, patched."""
    ka, kb, _ = edges
    keep = ~np.isin(rows, drop) if drop.size else np.ones(rows.size, dtype=bool)
    kept = rows[keep]
    if drop.size:
        kept = kept - np.searchsorted(np.sort(drop), kept)
    if not add.size:
        return kept
    code = ka[keep] * n + kb[keep]
    new_code = ea[add] * n + eb[add]
    by_code = np.argsort(new_code, kind="stable")
    where = np.searchsorted(code, new_code[by_code], side="right")  # after equal ends: the new rows come last
    return np.insert(kept, where, add[by_code])


def _strongest_per_pair(pair: IntArray, strength: FloatArray, kind: np.ndarray) -> IntArray:
    """One arc per pair, in pair order: the strongest, then the lowest kind code (positions in the input).

    One sort by pair, then per run of a pair its highest strength and, among the arcs that have it, the
    lowest kind (arcs alike in all three are interchangeable).
    """
    order = np.argsort(pair)
    starts = run_starts(pair[order])
    if starts.size == pair.size:
        return order
    lengths = np.diff(np.append(starts, pair.size))
    s, k = strength[order], kind[order].astype(np.int64)
    strongest = s == np.repeat(np.maximum.reduceat(s, starts), lengths)
    k = np.where(strongest, k, np.iinfo(np.int64).max)
    best = np.flatnonzero(k == np.repeat(np.minimum.reduceat(k, starts), lengths))
    run = np.repeat(np.arange(starts.size), lengths)[best]
    return order[best[run_starts(run)]]


def _edge_arrays(
    a: IntArray, b: IntArray, s: FloatArray, rows: IntArray
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """Edge columns (ends, strength, row of the projection's ties) sorted by (a, b)."""
    order = np.lexsort((b, a))
    return a[order], b[order], s[order], rows[order]


def prepare(
    G: Projection | nx.MultiDiGraph | AccountView,
    options: Options | None = None,
    *,
    reference: date | datetime | None = None,
) -> AccountView:
    """Prepare an account projection for the algorithms.

    Parameters
    ----------
    G : Projection, nx.MultiDiGraph or AccountView
        The projection of one account (`GraphStore.account_projection`), its networkx view
        (`GraphStore.account_subgraph`), or a view (returned as is when the options and reference agree).
    options : Options, optional
        Every parameter (defaults: `Options()`).
    reference : date or datetime, optional
        The time strengths are computed for (default now, never after the end of the projection's `as_of`).

    Returns
    -------
    AccountView
    """
    if isinstance(G, AccountView):
        same_options = options is None or options == G.options
        same_ref = reference is None or parse_instant(reference) == G.reference
        if same_options and same_ref:
            return G
        return G._again(options or G.options, reference or G.reference, G.excluded)
    return AccountView(G, options, reference)


def tie_strengths(
    view: AccountView,
    *,
    reference: date | datetime | None = None,
    params: StrengthParams | None = None,
) -> dict[tuple[str, str], TieStrength]:
    """The effective strength of every `KNOWS` tie between one of our team members and a person.

    Each tie is worked out on its own with `strength_core`, the reference of what the view computes for all
    of them at once (`AccountView.team_ties`; a test checks that the two agree).

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`).
    reference : date or datetime, optional
        The time strengths are computed for (default: the view's).
    params : StrengthParams, optional
        Default: the view's options.

    Returns
    -------
    dict
        ``(member, person) → TieStrength``, in (member, person) order.
    """
    params = params or view.options.strength
    ref = resolve_reference(view.as_of, reference) if reference is not None else view.reference
    touches = interactions_by_pair(view.projection.interactions)
    out: dict[tuple[str, str], TieStrength] = {}
    for kind, a, b, stated, _, _, last_contact, _ in view.projection.ties:
        if kind != "knows":
            continue
        if view.is_team(b) and view.is_person(a):
            a, b = b, a
        elif not (view.is_team(a) and view.is_person(b)):
            continue
        mine = touches.get((a, b), [])
        core = strength_core(stated, mine, parse_instant(last_contact), ref, params)
        out[(a, b)] = strength_result(a, b, stated, len([t for t in mine if t[0] <= ref]), core, params)
    return dict(sorted(out.items()))
