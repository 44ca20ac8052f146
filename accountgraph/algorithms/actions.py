"""Next best actions: a relationship plan drafted from the coverage gaps.

For the largest gaps (decision-chain people nobody of ours reaches at the threshold, and relationships held
by one member only) the plan names the target, why they matter, who of ours should reach them and through
which path, ordered by expected coverage gain: the coverage points the action would win (or protect) times
the strength of the path it relies on (`accountgraph.algorithms.params.ActionParams`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csgraph

from accountgraph.algorithms.coverage import (
    BUYING_ROLES,
    CoverageCore,
    coverage_core,
    person_columns,
    reached_companies,
)
from accountgraph.algorithms.params import ActionParams, CoverageParams
from accountgraph.algorithms.paths import contact_path, paths_from_team
from accountgraph.algorithms.prepared import AccountView, prepare
from accountgraph.algorithms.ranking import RankArrays, rank_arrays
from accountgraph.algorithms.results import Action, ActionPlan, ContactPath

__all__ = ["next_best_actions"]


def _walk(pred: np.ndarray, root: int, node: int) -> list[int]:
    path = [node]
    while node != root:
        node = int(pred[node])
        if node < 0:
            return []
        path.append(node)
    path.reverse()
    return path


def _cold_member(view: AccountView, person: int) -> str | None:
    """Who of ours should try a cold approach: the one with most relationships in the person's company."""
    if not view.team:
        return None
    company = view.attrs[person].get("company")
    best = _members_by_company(view)
    if company in best:
        return best[company]
    managers = [t for t in view.team if view.node(t).get("function") == "account_manager"]
    return (managers or view.team)[0]


def _members_by_company(view: AccountView) -> dict[Any, str]:
    """The member of ours with most relationships in each company (memoised on the view)."""
    cached = view.cache.get(_MEMBERS_KEY)
    if isinstance(cached, dict):
        return cached
    counts: dict[Any, Counter[str]] = {}
    for pid, ties in view.ties_of_person.items():
        company = view.attrs[view.index[pid]].get("company")
        counts.setdefault(company, Counter()).update(t.member for t in ties)
    best = {c: sorted(n.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for c, n in counts.items() if n}
    view.cache[_MEMBERS_KEY] = best
    return best


_MEMBERS_KEY = "actions.members_by_company"


def _team_paths(view: AccountView, avoid_opponents: bool) -> tuple[np.ndarray, np.ndarray]:
    """`paths_from_team`, memoised on the view (read-only arrays)."""
    key = f"actions.paths_from_team:{int(avoid_opponents)}"
    cached = view.cache.get(key)
    if isinstance(cached, tuple):
        return cached
    dist, pred = paths_from_team(view, avoid_opponents=avoid_opponents)
    dist.setflags(write=False)
    pred.setflags(write=False)
    view.cache[key] = (dist, pred)
    return dist, pred


def _context(
    view: AccountView, core: CoverageCore, arrays: RankArrays, i: int, reached: Collection[object]
) -> list[str]:
    a = view.attrs[i]
    why = [f"rank {int(arrays.position[i])} (score {float(arrays.score[i]):.2f})"]
    why += [w for w in core.why[i] if not w.startswith("ranked ")]
    if a.get("title"):
        why.append(str(a["title"]))
    company = a.get("company")
    if company not in reached:
        why.append(f"no contact of ours yet at {view.name(str(company))}")
    stance = a.get("stance") or "unknown"
    why.append(f"stance: {stance}")
    return why


def next_best_actions(
    G: nx.MultiDiGraph | AccountView,
    params: ActionParams | None = None,
    *,
    coverage_params: CoverageParams | None = None,
) -> ActionPlan:
    """Draft the next best actions for an account, ordered by expected coverage gain.

    Parameters
    ----------
    G : nx.MultiDiGraph or AccountView
    params : ActionParams, optional
        How many actions, the departure risk of a single thread, the chance of a cold approach.
    coverage_params : CoverageParams, optional

    Returns
    -------
    ActionPlan
        Up to ``params.limit`` actions: *reach* (a warm introduction along a path), *reengage* (one of ours
        already knows the target, too weakly or too long ago) or *second_thread* (a second member for a
        relationship only one of ours holds). Paths avoid opponents and blockers where they can.
    """
    view = prepare(G)
    params = params or view.options.actions
    arrays = rank_arrays(view)
    core = coverage_core(view, coverage_params, arrays=arrays)
    thr = core.threshold
    reached = reached_companies(view, thr)
    cols = person_columns(view)
    supported: set[str] = set()
    for i in core.chain:
        if cols.stance[i] == "supporter":
            supported.update(cols.roles[i])
    buying_without_supporter = {r for r in BUYING_ROLES if r not in supported}
    actions: list[Action] = []
    members = core.members
    uncovered = [i for i in core.chain if not members[i]]
    if uncovered and view.T:
        dist_safe, pred_safe = _team_paths(view, True)
        dist_any, pred_any = _team_paths(view, False)
    # estimate every candidate's expected gain from the path costs, then draft the best ones in full
    estimates: list[tuple[float, str, int]] = []
    if view.T and uncovered:
        u = np.array(uncovered, dtype=np.int64)
        safe, other = dist_safe[u], dist_any[u]
        use_safe = np.isfinite(safe)
        costs = np.where(use_safe, safe, other).tolist()
        warm = (use_safe | np.isfinite(other)).tolist()
    else:
        costs = [0.0] * len(uncovered)
        warm = [False] * len(uncovered)
    ids = view.ids
    cold = params.cold_strength
    for i, cost, has_path in zip(uncovered, costs, warm, strict=True):
        success = math.exp(-cost) if has_path else cold
        estimates.append((-core.share(i) * success, ids[i], i))
    estimates.sort()
    for _, _, i in estimates[: params.limit + 5]:
        gain = core.share(i)
        why = _context(view, core, arrays, i, reached)
        roles = view.attrs[i].get("roles") or []
        why += [f"no supporter yet among the {r.replace('_', ' ')}s" for r in roles if r in buying_without_supporter]
        path: ContactPath | None = None
        if view.T:
            for dist, pred in ((dist_safe, pred_safe), (dist_any, pred_any)):
                if np.isfinite(dist[i]):
                    nodes = _walk(pred, view.root, i)
                    if nodes:
                        path = contact_path(view, nodes)
                        break
        if path is not None:
            success = path.strength
            member: str | None = path.member
            if len(path.hops) == 1:
                kind = "reengage"
                hop = path.hops[0]
                age = f", last contact {hop.age_days:.0f} days ago" if hop.age_days is not None else ""
                plan = (
                    f"{path.member_name} re-engages {view.name(view.ids[i])} directly (now {hop.strength:.2f}{age}; "
                    f"the threshold is {thr:.2f})"
                )
            else:
                kind = "reach"
                via = ", then ".join(h.target_name for h in path.hops[:-1])
                plan = f"{path.member_name} asks {via} for an introduction to {view.name(view.ids[i])}"
        else:
            success = params.cold_strength
            member = _cold_member(view, i)
            kind = "reach"
            who = view.name(member) if member else "one of ours"
            plan = f"no warm path: {who} approaches {view.name(view.ids[i])} cold"
        actions.append(_action(view, i, kind, why, member, path, gain, success, plan))
    # second threads for single-threaded relationships: the most valuable first
    single = sorted((i for i in core.chain if core.single_threaded(i)), key=lambda i: (-core.share(i), view.ids[i]))
    for i in single[: params.limit]:  # every single thread is counted; the `limit` most valuable are weighed
        holder = core.members[i][0]
        gain = core.share(i) * params.departure_risk
        if _cannot_place(gain, actions, params.limit):
            # a path is never stronger than 1: neither this second thread nor the less valuable ones
            # after it can rank among the `limit` best actions
            break
        why = _context(view, core, arrays, i, reached)
        why.append(f"only {view.name(holder)} reaches them: a single thread")
        banned = view.avoid_mask()
        banned[i] = False
        banned[view.index[holder]] = True
        cost = view.contact.masked_cost(banned)
        dist, pred = csgraph.dijkstra(
            view.contact.matrix(cost), directed=True, indices=view.root, return_predecessors=True
        )
        path = None
        if np.isfinite(dist[i]):
            nodes = _walk(pred, view.root, i)
            path = contact_path(view, nodes) if nodes else None
        if path is None:
            continue
        if len(path.hops) == 1:
            plan = f"{path.member_name} deepens a weak tie with {view.name(view.ids[i])} as a second thread"
        else:
            via = ", then ".join(h.target_name for h in path.hops[:-1])
            plan = f"{path.member_name} builds a second thread to {view.name(view.ids[i])} through {via}"
        actions.append(_action(view, i, "second_thread", why, path.member, path, gain, path.strength, plan))
    actions.sort(key=lambda a: (-round(a.expected_gain, 12), a.target, a.kind))
    actions = actions[: params.limit]
    for n, action in enumerate(actions, start=1):
        action.priority = n
    total = sum(a.expected_gain for a in actions)
    explanation = (
        f"{len(actions)} action{'s' if len(actions) != 1 else ''} from {len(uncovered)} uncovered chain "
        f"member{'s' if len(uncovered) != 1 else ''} and {len(single)} single thread{'s' if len(single) != 1 else ''}; "
        f"expected gain {total:.1f} coverage points (gain × path strength)"
    )
    return ActionPlan(
        account=view.account, as_of=view.as_of, coverage=core.score, actions=actions, explanation=explanation
    )


def _cannot_place(gain: float, actions: list[Action], limit: int) -> bool:
    """Whether an action worth at most `gain` ranks after `limit` of `actions` in every case."""
    if len(actions) < limit:
        return False
    kth = sorted(round(a.expected_gain, 12) for a in actions)[-limit]
    return round(gain, 12) < kth


def _action(
    view: AccountView,
    i: int,
    kind: str,
    why: list[str],
    member: str | None,
    path: ContactPath | None,
    gain: float,
    success: float,
    plan: str,
) -> Action:
    return Action.model_validate(
        {
            "priority": 0,
            "kind": kind,
            "target": view.ids[i],
            "target_name": view.name(view.ids[i]),
            "company": view.attrs[i].get("company"),
            "why": why,
            "member": member,
            "member_name": view.name(member) if member else None,
            "path": path,
            "coverage_gain": gain,
            "success": success,
            "expected_gain": gain * success,
            "plan": plan,
        }
    )
