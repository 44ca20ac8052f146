"""An account projection prepared once for every algorithm: ids as integers, ties as arrays, strengths.

`prepare(G)` reads the networkx projection (`GraphStore.account_subgraph`) in one pass and keeps what the
algorithms need: the people and our team members in id order (so results never depend on the order the
data was loaded in), the effective strength of every tie (`strength.py`), the informal network of the
customer's people, their `INFLUENCES` ties, the reporting lines, and the contact graph the paths walk. Every
public algorithm accepts either the projection or an `AccountView`; the service layer caches views.

A view is read-only. Results that depend only on the view and the parameters (the ranking) are memoised on
it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import networkx as nx
import numpy as np

from accountgraph.algorithms.fast import ArcGraph, FloatArray, IntArray
from accountgraph.algorithms.params import Options
from accountgraph.algorithms.strength import (
    StrengthCore,
    interactions_by_pair,
    parse_instant,
    resolve_reference,
    strength_core,
)
from accountgraph.perf import paused_gc

__all__ = ["ARC_KINDS", "AccountView", "TeamTie", "as_view", "prepare"]

ARC_KNOWS, ARC_INFLUENCES, ARC_INFLUENCED_BY, ARC_REPORTS_TO, ARC_MANAGES, ARC_ROOT = range(6)
ARC_KINDS = ("KNOWS", "INFLUENCES", "INFLUENCED_BY", "REPORTS_TO", "MANAGES", "ROOT")
HOP_EPSILON = 1e-9
"""Added to every hop's cost −ln(strength): among equally strong paths the shortest wins."""


@dataclass(frozen=True, slots=True)
class TeamTie:
    """A `KNOWS` tie between one of our members and a person, with its effective strength."""

    member: str
    person: str
    stated: float
    interactions: int
    core: StrengthCore


class AccountView:
    """An account projection prepared for the algorithms (see the module docstring)."""

    def __init__(
        self,
        G: nx.MultiDiGraph,
        options: Options | None = None,
        reference: date | datetime | None = None,
        *,
        exclude: frozenset[str] = frozenset(),
    ):
        self.graph = G
        self.excluded = exclude
        self.options = options or Options()
        self.account: str = str(G.graph.get("account") or "")
        as_of = G.graph.get("as_of")
        self.as_of: date = as_of if isinstance(as_of, date) else datetime.now(UTC).date()
        self.reference: datetime = resolve_reference(self.as_of, reference)
        self.cache: dict[str, Any] = {}
        nodes = G.nodes
        self.people: list[str] = sorted(v for v, k in G.nodes(data="kind") if k == "person" and v not in exclude)
        self.team: list[str] = sorted(v for v, k in G.nodes(data="kind") if k == "team" and v not in exclude)
        self.ids: list[str] = self.people + self.team
        self.index: dict[str, int] = {v: i for i, v in enumerate(self.ids)}
        self.P = len(self.people)
        self.T = len(self.team)
        self.root = self.P + self.T
        self.attrs: list[dict[str, Any]] = [nodes[v] for v in self.ids]
        self._avoid: np.ndarray | None = None
        with paused_gc():  # hundreds of thousands of small acyclic objects for a large account
            self._read_ties(G)
            self._build_contact_graph()

    # ---- reading the projection -----------------------------------------------------------------
    def _read_ties(self, G: nx.MultiDiGraph) -> None:
        params = self.options.strength
        ref = self.reference
        index = self.index
        P = self.P
        touches = interactions_by_pair(G.graph.get("interactions") or [])
        team_ties: dict[tuple[str, str], TeamTie] = {}
        # (a, b, strength) columns; KNOWS once per pair (it is projected both ways)
        ka: list[int] = []
        kb: list[int] = []
        ks: list[float] = []
        ia: list[int] = []
        ib: list[int] = []
        is_: list[float] = []
        manager = np.full(P, -1, dtype=np.int64)
        stale_ties = 0
        adjacency = getattr(G, "_adj", None) or G.adj  # the plain dicts: several times faster than edge views
        for u, nbrs in adjacency.items():
            a = index.get(u)
            if a is None:
                continue
            for v, keyed in nbrs.items():
                b = index.get(v)
                if b is None:
                    continue
                for key, data in keyed.items():
                    if key == "KNOWS":
                        if u > v:
                            continue
                        if (a >= P) != (b >= P):
                            member, person = (u, v) if a >= P else (v, u)
                            mine = touches.get((member, person), [])
                            last = parse_instant(data.get("last_contact"))
                            core = strength_core(data["strength"], mine, last, ref, params)
                            count = sum(1 for t in mine if t[0] <= ref)
                            team_ties[(member, person)] = TeamTie(member, person, float(data["strength"]), count, core)
                            strength = core.effective
                            stale_ties += core.stale
                        elif data.get("last_contact") is None:
                            strength = float(data["strength"])
                        else:
                            strength = self._plain_strength(data)
                        ka.append(a)
                        kb.append(b)
                        ks.append(strength)
                    elif key == "INFLUENCES":
                        ia.append(a)
                        ib.append(b)
                        is_.append(
                            float(data["strength"]) if data.get("last_contact") is None else self._plain_strength(data)
                        )
                    elif key == "REPORTS_TO" and a < P and b < P:
                        manager[a] = b
        self.team_ties = dict(sorted(team_ties.items()))
        self.stale_team_ties = stale_ties
        self.manager = manager
        self.knows = _edge_arrays(ka, kb, ks)
        self.influences = _edge_arrays(ia, ib, is_)
        by_person: dict[str, list[TeamTie]] = defaultdict(list)
        for tie in self.team_ties.values():
            by_person[tie.person].append(tie)
        self.ties_of_person: dict[str, list[TeamTie]] = {
            p: sorted(ts, key=lambda t: (-t.core.effective, t.member)) for p, ts in by_person.items()
        }

    def _plain_strength(self, data: dict[str, Any]) -> float:
        last = data.get("last_contact")
        if last is None:
            return float(data["strength"])
        core = strength_core(data["strength"], (), parse_instant(last), self.reference, self.options.strength)
        return core.effective

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
        # one arc per (tail, head): the strongest (then the lowest kind code)
        order = np.lexsort((kind, -strength, head, tail))
        tail, head, strength, kind = tail[order], head[order], strength[order], kind[order]
        if tail.size:
            first = np.concatenate([[True], (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])])
            tail, head, strength, kind = tail[first], head[first], strength[first], kind[first]
        strength = np.clip(strength, self.options.strength.floor, 1.0)
        cost = -np.log(strength) + HOP_EPSILON
        cost[kind == ARC_ROOT] = HOP_EPSILON
        self.contact = ArcGraph(n, tail, head, cost)
        self.arc_strength: FloatArray = strength
        self.arc_kind = kind

    # ---- helpers --------------------------------------------------------------------------------
    def name(self, node: str) -> str:
        attrs = self.graph.nodes[node] if node in self.graph else {}
        return str(attrs.get("name") or node)

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
            for i in range(self.P):
                attrs = self.attrs[i]
                if attrs.get("stance") == "opponent" or "blocker" in (attrs.get("roles") or []):
                    mask[i] = True
            self._avoid = mask
        return self._avoid.copy()

    def without(self, node: str) -> AccountView:
        """The same account with one person or team member taken out (a departure)."""
        view = AccountView(self.graph, self.options, self.reference, exclude=self.excluded | {node})
        if self.is_team(node):  # the customer's network is unchanged: so is its ranking
            view.cache.update({k: v for k, v in self.cache.items() if k.startswith("rank:")})
        return view

    def companies(self) -> dict[str, dict[str, Any]]:
        return {v: d for v, d in self.graph.nodes(data=True) if d.get("kind") == "company"}


def _edge_arrays(a: list[int], b: list[int], s: list[float]) -> tuple[IntArray, IntArray, FloatArray]:
    """Edge columns as arrays sorted by (a, b)."""
    aa = np.asarray(a, dtype=np.int64)
    bb = np.asarray(b, dtype=np.int64)
    ss = np.asarray(s, dtype=np.float64)
    order = np.lexsort((bb, aa))
    return aa[order], bb[order], ss[order]


def prepare(
    G: nx.MultiDiGraph | AccountView,
    options: Options | None = None,
    *,
    reference: date | datetime | None = None,
) -> AccountView:
    """Prepare an account projection for the algorithms.

    Parameters
    ----------
    G : nx.MultiDiGraph or AccountView
        The projection of one account (`GraphStore.account_subgraph`), or a view (returned as is when the
        options and reference agree).
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
        return AccountView(G.graph, options or G.options, reference or G.reference, exclude=G.excluded)
    return AccountView(G, options, reference)


as_view = prepare
