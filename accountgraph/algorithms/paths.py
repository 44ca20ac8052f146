"""Best contact paths: from our team to a person of the account, through whom, and how strong.

A path walks `KNOWS`, `INFLUENCES` and `REPORTS_TO` ties (how each becomes a hop is in
`accountgraph.algorithms.params.PathParams`) and is as strong as the product of its hops' effective
strengths: the best path is the shortest on −ln(strength). The top k alternatives are loop-free (Yen's
algorithm). Opponents and blockers can be kept off the paths, and the number of hops bounded. Every hop
says who, which tie, how strong and how old. An unreachable target is an answer, not an error.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np

from accountgraph.algorithms import fast
from accountgraph.algorithms.prepared import (
    ARC_INFLUENCED_BY,
    ARC_INFLUENCES,
    ARC_KINDS,
    ARC_KNOWS,
    ARC_REPORTS_TO,
    AccountView,
    prepare,
)
from accountgraph.algorithms.results import ContactPath, Hop, PathResult, TieKind
from accountgraph.algorithms.strength import parse_instant, strength_core
from accountgraph.errors import InvalidArgument, NotFoundError

__all__ = ["best_paths", "contact_path", "paths_from_team"]


def _hop(view: AccountView, a: int, b: int) -> Hop:
    contact = view.contact
    arc = contact.arc(a, b)
    kind = int(view.arc_kind[arc])
    strength = float(view.arc_strength[arc])
    u, v = view.ids[a], view.ids[b]
    un, vn = view.name(u), view.name(v)
    ours = " (ours)" if view.is_team(u) else ""
    stated: float | None = None
    last = None
    age: float | None = None
    stale = False
    params = view.options.strength
    if kind == ARC_KNOWS:
        member, person = (u, v) if view.is_team(u) else (v, u)
        tie = view.team_ties.get((member, person))
        if tie is not None:
            stated = tie.stated
            core = tie.core
            detail = f"stated {tie.stated:.2f}"
            if tie.interactions:
                detail += f", {tie.interactions} interaction{'s' if tie.interactions != 1 else ''}"
        else:
            row = view.tie("knows", a, b)
            stated = float(row[3]) if row else strength
            core = strength_core(stated, (), parse_instant(row[6] if row else None), view.reference, params)
            detail = f"stated {stated:.2f}"
        text = f"{un}{ours} knows {vn}"
    elif kind in (ARC_INFLUENCES, ARC_INFLUENCED_BY):
        src, dst = (a, b) if kind == ARC_INFLUENCES else (b, a)
        row = view.tie("influences", src, dst)
        stated = float(row[3]) if row else strength
        core = strength_core(stated, (), parse_instant(row[6] if row else None), view.reference, params)
        detail = f"stated {stated:.2f}"
        if kind == ARC_INFLUENCES:
            text = f"{un} sways {vn}"
        else:
            factor = view.options.paths.reverse_influence_factor
            text = f"{un} is swayed by {vn} (walked backwards at ×{factor:g})"
    else:
        core = None
        detail = "a reporting line"
        text = f"{un} reports to {vn}" if kind == ARC_REPORTS_TO else f"{un} manages {vn}"
    if core is not None and core.last_contact is not None:
        last = core.last_contact.date()
        age = core.age_days
        stale = core.stale
        detail += f", last contact {last.isoformat()} ({age:.0f} days ago)"
        if stale:
            detail += ", stale"
    tie_kind: TieKind = ARC_KINDS[kind]  # type: ignore[assignment]
    return Hop(
        source=u,
        source_name=un,
        target=v,
        target_name=vn,
        tie=tie_kind,
        strength=strength,
        stated=stated,
        last_contact=last,
        age_days=age,
        stale=stale,
        explanation=f"{text}: strength {strength:.2f} ({detail})",
    )


def contact_path(view: AccountView, nodes: list[int]) -> ContactPath:
    """A path of node indices (possibly starting at the view's team root) as an explained `ContactPath`."""
    if nodes and nodes[0] == view.root:
        nodes = nodes[1:]
    hops = [_hop(view, a, b) for a, b in itertools.pairwise(nodes)]
    strength = math.prod(h.strength for h in hops) if hops else 1.0
    member = view.ids[nodes[0]]
    target = view.ids[nodes[-1]]
    names = " → ".join(view.name(view.ids[i]) for i in nodes)
    stale = sum(h.stale for h in hops)
    explanation = f"{names}: strength {strength:.3f} over {len(hops)} hop{'s' if len(hops) != 1 else ''}"
    if stale:
        explanation += f" ({stale} stale)"
    return ContactPath(
        member=member,
        member_name=view.name(member),
        target=target,
        strength=strength,
        hops=hops,
        explanation=explanation,
    )


def paths_from_team(view: AccountView, *, avoid_opponents: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Best path costs and predecessors from the whole team to every node (one Dijkstra)."""
    from scipy.sparse import csgraph

    banned = view.avoid_mask() if avoid_opponents else None
    cost = view.contact.masked_cost(banned) if banned is not None else None
    dist, pred = csgraph.dijkstra(view.contact.matrix(cost), directed=True, indices=view.root, return_predecessors=True)
    return dist, pred


def best_paths(
    G: nx.MultiDiGraph | AccountView,
    target: str,
    *,
    source: str | None = None,
    k: int = 3,
    avoid_opponents: bool = False,
    max_hops: int | None = None,
) -> PathResult:
    """The strongest contact paths from our team (or one member) to a person.

    Parameters
    ----------
    G : nx.MultiDiGraph or AccountView
        The account projection or a prepared view.
    target : str
        The person to reach.
    source : str, optional
        One of our team members to start from (default: whoever of the team is best placed).
    k : int
        How many loop-free alternatives, best first (default 3).
    avoid_opponents : bool
        Keep opponents and blockers off the paths (the target itself may be one).
    max_hops : int, optional
        The most hops a path may have.

    Returns
    -------
    PathResult
        ``reachable`` False with a ``reason`` when there is no path (no relationship of ours in the
        account, the member holds none, only through opponents, or only longer than `max_hops`).

    Raises
    ------
    NotFoundError
        If `target` is not a person of the account.
    InvalidArgument
        If `source` is a person of the account rather than one of our members, or k < 1 or max_hops < 1.
    """
    if k < 1:
        raise InvalidArgument("k must be 1 or more", field="k")
    if max_hops is not None and max_hops < 1:
        raise InvalidArgument("max_hops must be 1 or more", field="max_hops")
    view = prepare(G)
    if not view.is_person(target):
        raise NotFoundError("person", target)
    tname = view.name(target)
    banned = view.avoid_mask() if avoid_opponents else np.zeros(view.root + 1, dtype=bool)
    tgt = view.index[target]
    target_avoided = bool(banned[tgt])  # an opponent target is still reached (its own arcs stay open)
    banned[tgt] = False
    avoided = [view.ids[i] for i in np.flatnonzero(banned[: view.P]).tolist()] if avoid_opponents else []

    def answer(reachable: bool, reason: str, paths: list[ContactPath]) -> PathResult:
        return PathResult(
            account=view.account,
            as_of=view.as_of,
            target=target,
            target_name=tname,
            source=source,
            reachable=reachable,
            reason=reason,
            paths=paths,
            k=k,
            max_hops=max_hops,
            avoid_opponents=avoid_opponents,
            avoided=avoided,
        )

    if source is not None:
        if view.is_person(source):
            raise InvalidArgument(f"{source!r} is a person of the account, not one of our team members", field="source")
        if not view.is_team(source):
            return answer(False, f"{source} holds no active relationship in account {view.account}", [])
        start = view.index[source]
        max_arcs = max_hops
    else:
        if view.T == 0:
            return answer(False, f"none of our team members holds a relationship in account {view.account}", [])
        start = view.root
        max_arcs = None if max_hops is None else max_hops + 1
    tree = None
    if max_arcs is None and not target_avoided:
        # the same bans whatever the target: the tree from `start` serves every target of the view
        key = f"tree:{start}:{int(avoid_opponents)}"
        tree = view.cache.get(key)
        if tree is None:
            tree = view.cache[key] = fast.shortest_path_tree(view.contact, start, cost=view.contact.masked_cost(banned))
    found = fast.k_shortest_paths(view.contact, start, tgt, k, banned_nodes=banned, max_arcs=max_arcs, source_tree=tree)
    if not found:
        return answer(False, _why_unreachable(view, start, tgt, banned, avoid_opponents, max_hops, tname), [])
    paths = [contact_path(view, nodes) for _, nodes in found]
    best = paths[0]
    reason = f"best: {best.explanation}; {len(paths)} path{'s' if len(paths) != 1 else ''} found"
    return answer(True, reason, paths)


def _why_unreachable(
    view: AccountView, start: int, tgt: int, banned: np.ndarray, avoid: bool, max_hops: int | None, tname: str
) -> str:
    who = "our team" if start == view.root else view.name(view.ids[start])
    free = fast.shortest_path(view.contact, start, tgt)
    if free is None:
        return f"no chain of relationships leads from {who} to {tname}"
    hops = len(free[1]) - 1 - (1 if start == view.root else 0)
    if avoid:
        open_path = fast.shortest_path(view.contact, start, tgt, cost=view.contact.masked_cost(banned))
        if open_path is None:
            return f"every path from {who} to {tname} passes an opponent or blocker"
        hops = len(open_path[1]) - 1 - (1 if start == view.root else 0)
    if max_hops is not None:
        return f"no path of at most {max_hops} hops from {who} to {tname} (the strongest one has {hops})"
    return f"no path from {who} to {tname}"  # pragma: no cover - all cases are covered above
