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

import hashlib
import threading
from collections import defaultdict
from datetime import UTC, date, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import networkx as nx
import numpy as np

from accountgraph.algorithms.fast import (
    ArcGraph,
    Betweenness,
    FloatArray,
    IntArray,
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
from accountgraph.projection import Projection, TieRow
from accountgraph.projection.ties import given

__all__ = ["ARC_KINDS", "AccountView", "TeamTie", "prepare", "tie_strengths"]

ARC_KNOWS, ARC_INFLUENCES, ARC_INFLUENCED_BY, ARC_REPORTS_TO, ARC_MANAGES, ARC_ROOT = range(6)
ARC_KINDS = ("KNOWS", "INFLUENCES", "INFLUENCED_BY", "REPORTS_TO", "MANAGES", "ROOT")
"""The compiled kernels' module: loading it costs a process about a second, so a view only starts its
betweenness early once something else has loaded it."""
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
        params = self.options.strength
        ref = self.reference
        index = self.index
        P = self.P
        ties = source.ties
        n = len(ties)
        get = index.get
        # the columns on the view's indices (-1: not in the view)
        remap = np.fromiter(map(get, ties.nodes, repeat(-1)), np.int64, len(ties.nodes))
        a = remap[ties.a]
        b = remap[ties.b]
        knows = ties.kind == 0
        strength = ties.strength.astype(np.float64)  # a copy
        inside = (a >= 0) & (b >= 0)
        # the strengths that are not the stated one: our team's ties, and ties with a last contact
        dated = given(ties.last_contact)
        team_ties: dict[tuple[str, str], TeamTie] = {}
        stale_ties = 0
        # our team's ties with a person: their interactions count
        team_tie = inside & knows & ((a >= P) != (b >= P))
        at = np.flatnonzero(team_tie)
        ours = a[at] >= P  # the member is the tie's first end
        ids = self.ids
        pairs = [
            (ids[m], ids[p])
            for m, p in zip(np.where(ours, a[at], b[at]).tolist(), np.where(ours, b[at], a[at]).tolist(), strict=True)
        ]
        stated = ties.strength[at].tolist()
        cores = strength_cores(stated, ties.last_contact[at].tolist(), pairs, source.interactions, ref, params)
        for (member, person), s, (core, count) in zip(pairs, stated, cores, strict=True):
            team_ties[(member, person)] = TeamTie(member, person, s, count, core)
            stale_ties += core.stale
        strength[at] = [core.effective for core, _ in cores]
        # the others decay from their last contact
        plain = np.flatnonzero(inside & dated & ~team_tie)
        if plain.size:
            strength[plain] = decayed(strength[plain], ties.last_contact[plain].tolist(), ref, params)
        self.team_ties = dict(sorted(team_ties.items()))
        self.stale_team_ties = stale_ties
        k = inside & knows
        i = inside & ~knows
        rows = np.arange(n, dtype=np.int64)
        ka, kb, ks, self._knows_rows = _edge_arrays(
            np.minimum(a[k], b[k]), np.maximum(a[k], b[k]), strength[k], rows[k]
        )
        ia, ib, is_, self._influences_rows = _edge_arrays(a[i], b[i], strength[i], rows[i])
        self.knows = (ka, kb, ks)
        self.influences = (ia, ib, is_)
        managers = [row.get("reports_to") for row in self.attrs[:P]]
        manager = np.fromiter(map(get, managers, repeat(-1)), np.int64, P)  # type: ignore[arg-type]
        manager[manager >= P] = -1  # a team member is no one's manager
        self.manager = manager
        by_person: dict[str, list[TeamTie]] = defaultdict(list)
        for tie in self.team_ties.values():
            by_person[tie.person].append(tie)
        self.ties_of_person: dict[str, list[TeamTie]] = {
            p: sorted(ts, key=lambda t: (-t.core.effective, t.member)) for p, ts in by_person.items()
        }

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
