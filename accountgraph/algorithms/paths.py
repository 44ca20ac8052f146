"""Best contact paths: from our team to a person of the account, through whom, and how strong.

A path walks `KNOWS`, `INFLUENCES` and `REPORTS_TO` ties (how each becomes a hop is in
`accountgraph.algorithms.params.PathParams`) and is as strong as the product of its hops' effective
strengths: the best path is the shortest on −ln(strength). Every hop says who, which tie, how strong and
how old, and whether an opponent or blocker carries it. An unreachable target is an answer, not an error.

The alternatives are **routes**: the people of the account a path passes, in order. Two paths that differ
only in which of our people starts them are one route, listed once with every member of ours who can start
it (a tie to its first person of the account), strongest first (`ContactPath.starters`). A path is our
people first, then theirs: it never hands back to one of ours half-way (that member would start a shorter
route of their own). From the whole team, each person of the account is entered by the best tie of ours
to them, so Yen's loop-free k shortest paths over the account's people are the k best routes; from one
member the member may pass the introduction to colleagues first, and paths with the same route are
merged. With ``disjoint`` the routes share no person of the account (the target excepted), so losing one
intermediary never loses every alternative: the best route, then the best one avoiding its people, and so
on (greedy: the first route is always the best path, at the price of sometimes finding fewer disjoint
routes than exist). Opponents and blockers can be kept off the paths, and the number of hops bounded.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from accountgraph.algorithms import fast
from accountgraph.algorithms.prepared import (
    ARC_INFLUENCED_BY,
    ARC_INFLUENCES,
    ARC_KINDS,
    ARC_KNOWS,
    ARC_REPORTS_TO,
    HOP_EPSILON,
    AccountView,
)
from accountgraph.algorithms.results import ContactPath, Hop, PathResult, Starter, TieKind
from accountgraph.algorithms.strength import parse_instant, strength_core
from accountgraph.errors import InvalidArgument, NotFoundError
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Seq

__all__ = ["best_paths", "contact_path", "paths_from_team"]


def _hop(view: AccountView, a: int, b: int) -> Hop:
    contact = view.contact
    arc = contact.arc(a, b)
    kind = int(view.arc_kind[arc])
    strength = float(view.arc_strength[arc])
    u, v = view.ids[a], view.ids[b]
    un, vn = view.name(u), view.name(v)
    ours = view.is_team(u)
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
            detail = [Phrase(N_("stated {strength}"), strength=Num(tie.stated))]
            if tie.interactions:
                detail.append(Phrase.ngettext("{n} interaction", "{n} interactions", tie.interactions))
        else:
            row = view.tie("knows", a, b)
            stated = float(row[3]) if row else strength
            core = strength_core(stated, (), parse_instant(row[6] if row else None), view.reference, params)
            detail = [Phrase(N_("stated {strength}"), strength=Num(stated))]
        text = Phrase(
            N_("{source} (ours) knows {target}") if ours else N_("{source} knows {target}"), source=un, target=vn
        )
    elif kind in (ARC_INFLUENCES, ARC_INFLUENCED_BY):
        src, dst = (a, b) if kind == ARC_INFLUENCES else (b, a)
        row = view.tie("influences", src, dst)
        stated = float(row[3]) if row else strength
        core = strength_core(stated, (), parse_instant(row[6] if row else None), view.reference, params)
        detail = [Phrase(N_("stated {strength}"), strength=Num(stated))]
        if kind == ARC_INFLUENCES:
            text = Phrase(N_("{source} sways {target}"), source=un, target=vn)
        else:
            factor = view.options.paths.reverse_influence_factor
            text = Phrase(
                N_("{source} is swayed by {target} (walked backwards at ×{factor})"),
                source=un,
                target=vn,
                factor=Num(factor, "g"),
            )
    else:
        core = None
        detail = [Phrase(N_("a reporting line"))]
        text = Phrase(
            N_("{source} reports to {target}") if kind == ARC_REPORTS_TO else N_("{source} manages {target}"),
            source=un,
            target=vn,
        )
    if core is not None and core.last_contact is not None:
        last = core.last_contact.date()
        age = core.age_days
        stale = core.stale
        detail.append(
            Phrase(N_("last contact {day} ({days} days ago)"), day=last.isoformat(), days=Num(age or 0.0, ".0f"))
        )
        if stale:
            detail.append(Phrase(N_("stale")))
    opposed = _opposed(view, a) if a < view.P else None  # a person of the path carries every hop they start
    explanation = Phrase(
        N_("{tie}: strength {strength} ({detail}){through}"),
        tie=text,
        strength=Num(strength),
        detail=Seq(tuple(detail), N_(", ")),
        through=Phrase(N_("; through {who}: {name}"), who=opposed, name=un) if opposed else "",
    )
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
        explanation=explanation,
        through_opponent=opposed is not None,
    )


def _opposed(view: AccountView, i: int) -> Phrase | None:
    """How person `i` works against us, if they do (as `AccountView.avoid_mask` has it), for an explanation."""
    attrs = view.attrs[i]
    if attrs.get("stance") == "opponent":
        return Phrase(N_("an opponent"))
    return Phrase(N_("a blocker")) if "blocker" in (attrs.get("roles") or ()) else None


def _starters(view: AccountView, person: int) -> list[tuple[float, str]]:
    """Our members with a tie to `person` (an index), with that tie's hop strength: strongest first, then by id
    (memoised on the view)."""
    memo: dict[int, list[tuple[float, str]]] = view.cache.setdefault("paths.starters", {})
    found = memo.get(person)
    if found is None:
        contact = view.contact
        found = []
        for tie in view.ties_of_person.get(view.ids[person], ()):
            arc = contact.arc(view.index[tie.member], person)
            found.append((float(view.arc_strength[arc]), tie.member))
        found.sort(key=lambda sm: (-sm[0], sm[1]))
        memo[person] = found
    return found


def contact_path(view: AccountView, nodes: list[int]) -> ContactPath:
    """A path of node indices (possibly starting at the view's team root) as an explained `ContactPath`."""
    if nodes and nodes[0] == view.root:
        nodes = nodes[1:]
    hops = [_hop(view, a, b) for a, b in itertools.pairwise(nodes)]
    strength = math.prod(h.strength for h in hops) if hops else 1.0
    member = view.ids[nodes[0]]
    target = view.ids[nodes[-1]]
    stale = sum(h.stale for h in hops)
    opposed = [h.source_name for h in hops if h.through_opponent]
    explanation = Phrase(
        N_("{names}: strength {strength} over {hops}{stale}{through}"),
        names=Seq(tuple(view.name(view.ids[i]) for i in nodes), " → "),
        strength=Num(strength, ".3f"),
        hops=Phrase.ngettext("{n} hop", "{n} hops", len(hops)),
        stale=Phrase(N_(" ({n} stale)"), n=stale) if stale else "",
        through=Phrase(N_("; through an opponent or blocker: {names}"), names=Seq(tuple(opposed), N_(", ")))
        if opposed
        else "",
    )
    # who of ours can start the route: a tie to its first person of the account (the rest of the path as is)
    first = next((j for j, i in enumerate(nodes) if i < view.P), None)
    starters: list[Starter] = []
    if first is not None and first > 0:
        rest = [h.strength for h in hops[first:]]
        starters = [
            Starter.built(member=m, member_name=view.name(m), strength=math.prod([s, *rest]))
            for s, m in _starters(view, nodes[first])
        ]
    return ContactPath(
        member=member,
        member_name=view.name(member),
        target=target,
        strength=strength,
        hops=hops,
        explanation=explanation,
        starters=starters,
    )


def paths_from_team(view: AccountView, *, avoid_opponents: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Best path costs and predecessors from the whole team to every node (one Dijkstra)."""
    from scipy.sparse import csgraph

    banned = view.avoid_mask() if avoid_opponents else None
    cost = view.contact.masked_cost(banned) if banned is not None else None
    dist, pred = csgraph.dijkstra(view.contact.matrix(cost), directed=True, indices=view.root, return_predecessors=True)
    return dist, pred


def _team_routes(view: AccountView) -> fast.ArcGraph:
    """The routes from the whole team: the ties among the account's people, and from the team's root one arc
    into each person one of ours knows, as dear as the best such tie (memoised on the view)."""
    cached = view.cache.get("routes:team")
    if isinstance(cached, fast.ArcGraph):
        return cached
    c, P, root = view.contact, view.P, view.root
    people = (c.tail < P) & (c.head < P)
    ours = (c.tail >= P) & (c.tail < root) & (c.head < P)
    entry = np.full(P, np.inf)
    np.minimum.at(entry, c.head[ours], c.cost[ours])
    known = np.flatnonzero(np.isfinite(entry))
    graph = fast.ArcGraph(
        c.n,
        np.concatenate([c.tail[people], np.full(known.size, root, dtype=np.int64)]),
        np.concatenate([c.head[people], known]),
        np.concatenate([c.cost[people], entry[known] + HOP_EPSILON]),  # + the root arc's cost
    )
    view.cache["routes:team"] = graph
    return graph


def _member_routes(view: AccountView) -> fast.ArcGraph:
    """The paths from one member: our people first (ties among the team, then to the account's people),
    then the account's people; nothing leads back to one of ours or leaves the root (memoised on the view)."""
    cached = view.cache.get("routes:member")
    if isinstance(cached, fast.ArcGraph):
        return cached
    c, P, root = view.contact, view.P, view.root
    keep = (c.tail < root) & (c.head < root) & ~((c.tail < P) & (c.head >= P))
    graph = fast.ArcGraph(c.n, c.tail[keep], c.head[keep], c.cost[keep])
    view.cache["routes:member"] = graph
    return graph


def _route(nodes: list[int], P: int) -> tuple[int, ...]:
    """The people of the account a path passes, in order."""
    return tuple(i for i in nodes if i < P)


def _distinct_routes(
    g: fast.ArcGraph,
    start: int,
    tgt: int,
    k: int,
    banned: np.ndarray,
    max_arcs: int | None,
    tree: fast.Tree | None,
    P: int,
) -> list[tuple[float, list[int]]]:
    """The k best paths of distinct routes: Yen's paths, the first of each route kept, asking for more
    paths until there are k routes or no more paths."""
    want = k
    while True:
        found = fast.k_shortest_paths(g, start, tgt, want, banned_nodes=banned, max_arcs=max_arcs, source_tree=tree)
        seen: set[tuple[int, ...]] = set()
        out = []
        for cost, nodes in found:
            route = _route(nodes, P)
            if route not in seen:
                seen.add(route)
                out.append((cost, nodes))
        if len(out) >= k or len(found) < want:
            return out[:k]
        want *= 2


def _disjoint_routes(
    g: fast.ArcGraph,
    start: int,
    tgt: int,
    k: int,
    banned: np.ndarray,
    max_arcs: int | None,
    tree: fast.Tree | None,
    P: int,
) -> list[tuple[float, list[int]]]:
    """Up to k routes sharing no person of the account but the target: the best path, then the best one
    avoiding the people of the routes found (a direct tie to the target is a route of its own, once)."""
    ban = banned.copy()
    ban[start] = ban[tgt] = False
    arcs: list[int] = []
    out: list[tuple[float, list[int]]] = []
    while len(out) < k:
        if not out and tree is not None and max_arcs is None:
            found = fast.tree_path(tree, start, tgt)
        else:
            found = fast.shortest_path(g, start, tgt, cost=g.masked_cost(ban, arcs), max_arcs=max_arcs)
        if found is None:
            break
        out.append(found)
        between = [i for i in found[1][1:-1] if i < P]
        if between:
            ban[between] = True
        else:  # a direct tie: no other route enters the target from our side
            arcs.extend(np.flatnonzero((g.head == tgt) & (g.tail >= P)).tolist())
    return out


def best_paths(
    view: AccountView,
    target: str,
    *,
    source: str | None = None,
    k: int = 3,
    avoid_opponents: bool = False,
    max_hops: int | None = None,
    disjoint: bool = False,
) -> PathResult:
    """The strongest contact paths from our team (or one member) to a person, one per distinct route.

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`).
    target : str
        The person to reach.
    source : str, optional
        One of our team members to start from (default: whoever of the team is best placed).
    k : int
        How many distinct routes, best first (default 3).
    avoid_opponents : bool
        Keep opponents and blockers off the paths (the target itself may be one).
    max_hops : int, optional
        The most hops a path may have.
    disjoint : bool
        Routes that share no person of the account but the target (see the module docstring).

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
            disjoint=disjoint,
        )

    if source is not None:
        if view.is_person(source):
            raise InvalidArgument(f"{source!r} is a person of the account, not one of our team members", field="source")
        if not view.is_team(source):
            reason = Phrase(
                N_("{member} holds no active relationship in account {account}"), member=source, account=view.account
            )
            return answer(False, reason, [])
        start = view.index[source]
        graph = _member_routes(view)
    else:
        if view.T == 0:
            reason = Phrase(
                N_("none of our team members holds a relationship in account {account}"), account=view.account
            )
            return answer(False, reason, [])
        start = view.root
        graph = _team_routes(view)  # its arc from the root into a person is the hop from the best of ours
    tree = None
    if max_hops is None and not target_avoided:
        # the same bans whatever the target: the tree from `start` serves every target of the view
        key = f"tree:{start}:{int(avoid_opponents)}"
        tree = view.cache.get(key)
        if tree is None:
            tree = view.cache[key] = fast.shortest_path_tree(graph, start, cost=graph.masked_cost(banned))
    search = _disjoint_routes if disjoint else _distinct_routes
    found = search(graph, start, tgt, k, banned, max_hops, tree, view.P)
    if not found:
        return answer(False, _why_unreachable(view, graph, start, tgt, banned, avoid_opponents, max_hops, tname), [])
    paths = [contact_path(view, _from_member(view, nodes)) for _, nodes in found]
    best = paths[0]
    routes = Phrase.ngettext("{n} route", "{n} routes", len(paths))
    reason = Phrase(
        N_("best: {path}; {routes} found that share no one of the account")
        if disjoint
        else N_("best: {path}; {routes} found"),
        path=best.explanation,
        routes=routes,
    )
    return answer(True, reason, paths)


def _from_member(view: AccountView, nodes: list[int]) -> list[int]:
    """A path of the routes from the team root as the path from the best of ours who can start it."""
    if nodes[0] != view.root:
        return nodes
    return [view.index[_starters(view, nodes[1])[0][1]], *nodes[1:]]


def _why_unreachable(
    view: AccountView,
    g: fast.ArcGraph,
    start: int,
    tgt: int,
    banned: np.ndarray,
    avoid: bool,
    max_hops: int | None,
    tname: str,
) -> Phrase:
    who = Phrase(N_("our team")) if start == view.root else view.name(view.ids[start])
    free = fast.shortest_path(g, start, tgt)
    if free is None:
        return Phrase(N_("no chain of relationships leads from {who} to {target}"), who=who, target=tname)
    hops = len(free[1]) - 1  # (from the root, its arc into a person is the hop from one of ours)
    if avoid:
        open_path = fast.shortest_path(g, start, tgt, cost=g.masked_cost(banned))
        if open_path is None:
            return Phrase(N_("every path from {who} to {target} passes an opponent or blocker"), who=who, target=tname)
        hops = len(open_path[1]) - 1
    if max_hops is not None:
        return Phrase(
            N_("no path of at most {max_hops} hops from {who} to {target} (the strongest one has {hops})"),
            max_hops=max_hops,
            who=who,
            target=tname,
            hops=hops,
        )
    return Phrase(
        N_("no path from {who} to {target}"), who=who, target=tname
    )  # pragma: no cover - all cases are covered above
