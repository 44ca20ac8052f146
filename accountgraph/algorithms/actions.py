"""Next best actions: a relationship plan drafted from the coverage gaps.

For the largest gaps (decision-chain people nobody of ours reaches at the threshold, and relationships held
by one member only) the plan names the target, why they matter, who of ours should reach them and through
which path, ordered by expected coverage gain: the coverage points the action would win (or protect) times
the strength of the path it relies on (`accountgraph.algorithms.params.ActionParams`).

A plan is one the team can carry: no member of ours gets more than ``capacity`` actions while a colleague
with room has a warm path to the target, and paths prefer intermediaries who are not single points of
failure themselves. The plan also names the **overloaded connectors**: our people and the account's people
that too many of the best paths to the decision chain run through.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from collections.abc import Callable, Collection
from typing import Any

import numpy as np
from scipy.sparse import csgraph

from accountgraph.algorithms import fast
from accountgraph.algorithms.coverage import (
    BUYING_ROLES,
    CoverageCore,
    coverage_core,
    person_columns,
    reached_companies,
)
from accountgraph.algorithms.params import ActionParams, CoverageParams
from accountgraph.algorithms.paths import contact_path, paths_from_team
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.ranking import RankArrays, rank_arrays
from accountgraph.algorithms.results import Action, ActionPlan, Connector, ContactPath
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Pct, Phrase, Seq, Term

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


def _cold_member(view: AccountView, person: int, full: Collection[str] = ()) -> str | None:
    """Who of ours should try a cold approach: the one with most relationships in the person's company, else
    an account manager; members in `full` only when every one of ours is."""
    if not view.team:
        return None
    company = view.attrs[person].get("company")
    managers = [t for t in view.team if view.node(t).get("function") == "account_manager"]
    ranked = [*_members_by_company(view).get(company, []), *(managers or view.team)]
    return next((m for m in ranked if m not in full), ranked[0])


def _members_by_company(view: AccountView) -> dict[Any, list[str]]:
    """Our members with relationships in each company, most first (memoised on the view)."""
    cached = view.cache.get(_MEMBERS_KEY)
    if isinstance(cached, dict):
        return cached
    counts: dict[Any, Counter[str]] = {}
    for pid, ties in view.ties_of_person.items():
        company = view.attrs[view.index[pid]].get("company")
        counts.setdefault(company, Counter()).update(t.member for t in ties)
    best = {c: [m for m, _ in sorted(n.items(), key=lambda kv: (-kv[1], kv[0]))] for c, n in counts.items() if n}
    view.cache[_MEMBERS_KEY] = best
    return best


_MEMBERS_KEY = "actions.members_by_company"


def _team_paths(view: AccountView, avoid_opponents: bool) -> tuple[np.ndarray, np.ndarray]:
    """`paths_from_team`, memoised on the view (read-only arrays): the account's plain best paths."""
    key = f"actions.paths_from_team:{int(avoid_opponents)}"
    cached = view.cache.get(key)
    if isinstance(cached, tuple):
        return cached
    dist, pred = paths_from_team(view, avoid_opponents=avoid_opponents)
    dist.setflags(write=False)
    pred.setflags(write=False)
    view.cache[key] = (dist, pred)
    return dist, pred


def single_points(view: AccountView) -> np.ndarray:
    """Who is a single point of failure (a mask over the view's nodes): an articulation person or member of
    our network, or a person of the account only one of ours has a tie with (memoised, read-only)."""
    cached = view.cache.get(_SINGLE_KEY)
    if isinstance(cached, np.ndarray):
        return cached
    contact = view.contact
    mask = fast.articulation_mask(contact.n, contact.tail, contact.head, view.root)
    for pid, ties in view.ties_of_person.items():
        if len(ties) == 1:
            mask[view.index[pid]] = True
    mask.setflags(write=False)
    view.cache[_SINGLE_KEY] = mask
    return mask


_SINGLE_KEY = "actions.single_points"


class _Planner:
    """The paths the plan's actions use: strongest first, an intermediary who is a single point of failure
    counted at ``single_point_factor`` of its hop, opponents and blockers avoided where possible, some of our
    members (the full ones, a relationship's holder) left out. One Dijkstra per set of bans, kept."""

    def __init__(self, view: AccountView, params: ActionParams) -> None:
        self.view = view
        contact = view.contact
        single = single_points(view)
        fragile = single[contact.tail] & (contact.tail < view.P)  # the hops an intermediary of theirs carries
        self.cost = contact.cost + np.where(fragile, -math.log(params.single_point_factor), 0.0)
        self.trees: dict[tuple[bool, frozenset[int], int], tuple[np.ndarray, np.ndarray]] = {}
        self.avoided = view.avoid_mask()

    def tree(self, avoid: bool, without: frozenset[int], allow: int = -1) -> tuple[np.ndarray, np.ndarray]:
        key = (avoid, without, allow)
        found = self.trees.get(key)
        if found is None:
            view = self.view
            banned = view.avoid_mask() if avoid else np.zeros(view.root + 1, dtype=bool)
            if allow >= 0:
                banned[allow] = False
            banned[list(without)] = True
            cost = self.cost
            if banned.any():
                cost = cost.copy()
                cost[banned[view.contact.head] | banned[view.contact.tail]] = np.inf
            found = self.trees[key] = csgraph.dijkstra(
                view.contact.matrix(cost), directed=True, indices=view.root, return_predecessors=True
            )
        return found

    def path(self, i: int, without: frozenset[int], *, second: bool = False) -> ContactPath | None:
        """The best path to person `i` without the `without` members. A first contact avoids opponents and
        blockers if it can, and goes through them if it must; a second thread only avoids them (the target
        itself may be one)."""
        view = self.view
        if second:
            options = [(True, i if self.avoided[i] else -1)]
        else:
            options = [(True, -1), (False, -1)]
        for avoid, allow in options:
            dist, pred = self.tree(avoid, without, allow)
            if np.isfinite(dist[i]):
                nodes = _walk(pred, view.root, i)
                if nodes:
                    return contact_path(view, nodes)
        return None


def _context(
    view: AccountView, core: CoverageCore, arrays: RankArrays, i: int, reached: Collection[object]
) -> list[str]:
    a = view.attrs[i]
    why: list[str] = [
        Phrase(N_("rank {rank} (score {score})"), rank=int(arrays.position[i]), score=Num(float(arrays.score[i])))
    ]
    why += [w for w in core.why[i] if not w.startswith("ranked ")]
    if a.get("title"):
        why.append(str(a["title"]))
    company = a.get("company")
    if company not in reached:
        why.append(Phrase(N_("no contact of ours yet at {company}"), company=view.name(str(company))))
    stance = a.get("stance") or "unknown"
    why.append(Phrase(N_("stance: {stance}"), stance=Term(stance, stance)))
    return why


def next_best_actions(
    view: AccountView,
    params: ActionParams | None = None,
    *,
    coverage_params: CoverageParams | None = None,
) -> ActionPlan:
    """Draft the next best actions for an account, ordered by expected coverage gain.

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`).
    params : ActionParams, optional
        How many actions, the departure risk of a single thread, the chance of a cold approach, how many
        actions one member carries, how much a single point of failure on a path weighs, when a connector
        is overloaded.
    coverage_params : CoverageParams, optional

    Returns
    -------
    ActionPlan
        Up to ``params.limit`` actions: *reach* (a warm introduction along a path), *reengage* (one of ours
        already knows the target, too weakly or too long ago) or *second_thread* (a second member for a
        relationship only one of ours holds). Paths avoid opponents and blockers where they can, and
        intermediaries who are single points of failure themselves unless the path through them is clearly
        stronger; no member gets more than ``params.capacity`` actions while a colleague with room has a
        warm path to the target. With the people too many of the account's best paths depend on
        (``overloaded``).
    """
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
    members = core.members
    uncovered = [i for i in core.chain if not members[i]]
    planner = _Planner(view, params) if view.T else None
    # estimate every candidate's expected gain from the path costs, then draft the best ones in full
    estimates: list[tuple[float, str, int]] = []
    if planner is not None and uncovered:
        u = np.array(uncovered, dtype=np.int64)
        safe, other = planner.tree(True, frozenset())[0][u], planner.tree(False, frozenset())[0][u]
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
    reasons: dict[tuple[str, int], list[str]] = {}

    def reach(i: int, without: frozenset[int]) -> Action:
        gain = core.share(i)
        why = list(reasons[("gap", i)])
        path = planner.path(i, without) if planner is not None else None
        if path is None and without and planner is not None:
            path = planner.path(i, frozenset())  # only a full member has a warm path: theirs, over capacity
        if path is not None:
            success = path.strength
            member: str | None = path.member
            if len(path.hops) == 1:
                kind = "reengage"
                hop = path.hops[0]
                plan = Phrase(
                    N_(
                        "{member} re-engages {person} directly (now {strength}, last contact {days} days ago; "
                        "the threshold is {threshold})"
                    )
                    if hop.age_days is not None
                    else N_("{member} re-engages {person} directly (now {strength}; the threshold is {threshold})"),
                    member=path.member_name,
                    person=view.name(view.ids[i]),
                    strength=Num(hop.strength),
                    **({"days": Num(hop.age_days, ".0f")} if hop.age_days is not None else {}),
                    threshold=Num(thr),
                )
            else:
                kind = "reach"
                plan = Phrase(
                    N_("{member} asks {via} for an introduction to {person}"),
                    member=path.member_name,
                    via=Seq(tuple(h.target_name for h in path.hops[:-1]), N_(", then ")),
                    person=view.name(view.ids[i]),
                )
        else:
            success = params.cold_strength
            member = _cold_member(view, i, {view.ids[m] for m in without})
            kind = "reach"
            person = view.name(view.ids[i])
            plan = (
                Phrase(N_("no warm path: {member} approaches {person} cold"), member=view.name(member), person=person)
                if member
                else Phrase(N_("no warm path: one of ours approaches {person} cold"), person=person)
            )
        return _action(view, i, kind, why, member, path, gain, success, plan)

    def second_thread(i: int, without: frozenset[int]) -> Action | None:
        holder = view.index[core.members[i][0]]
        assert planner is not None
        path = planner.path(i, without | {holder}, second=True)
        if path is None and without:
            path = planner.path(i, frozenset({holder}), second=True)
        if path is None:
            return None
        if len(path.hops) == 1:
            plan = Phrase(
                N_("{member} deepens a weak tie with {person} as a second thread"),
                member=path.member_name,
                person=view.name(view.ids[i]),
            )
        else:
            plan = Phrase(
                N_("{member} builds a second thread to {person} through {via}"),
                member=path.member_name,
                person=view.name(view.ids[i]),
                via=Seq(tuple(h.target_name for h in path.hops[:-1]), N_(", then ")),
            )
        gain = core.share(i) * params.departure_risk
        why = list(reasons[("second", i)])
        return _action(view, i, "second_thread", why, path.member, path, gain, path.strength, plan)

    def draft(kind: str, i: int, without: frozenset[int]) -> Action | None:
        return reach(i, without) if kind == "gap" else second_thread(i, without)

    drafts: list[tuple[str, int, Action]] = []
    for _, _, i in estimates[: params.limit + 5]:
        why = _context(view, core, arrays, i, reached)
        roles = view.attrs[i].get("roles") or []
        why += [
            Phrase(N_("no supporter yet among the {role}s"), role=Term(r, r.replace("_", " ")))
            for r in roles
            if r in buying_without_supporter
        ]
        reasons[("gap", i)] = why
        drafts.append(("gap", i, reach(i, frozenset())))
    # second threads for single-threaded relationships: the most valuable first
    single = sorted((i for i in core.chain if core.single_threaded(i)), key=lambda i: (-core.share(i), view.ids[i]))
    for i in single[: params.limit]:  # every single thread is counted; the `limit` most valuable are weighed
        gain = core.share(i) * params.departure_risk
        if _cannot_place(gain, [a for _, _, a in drafts], params.limit):
            # a path is never stronger than 1: neither this second thread nor the less valuable ones
            # after it can rank among the `limit` best actions
            break
        if planner is None:
            continue
        why = _context(view, core, arrays, i, reached)
        why.append(Phrase(N_("only {member} reaches them: a single thread"), member=view.name(core.members[i][0])))
        reasons[("second", i)] = why
        action = second_thread(i, frozenset())
        if action is not None:
            drafts.append(("second", i, action))
    actions = _assign(view, params, drafts, draft)
    for n, action in enumerate(actions, start=1):
        action.priority = n
    total = sum(a.expected_gain for a in actions)
    owners = len({a.member for a in actions if a.member})
    explanation = Phrase(
        N_(
            "{actions} from {uncovered} and {single}; expected gain {gain} coverage points (gain × path strength); "
            "{owners}, at most {capacity} each while a colleague can act"
        ),
        actions=Phrase.ngettext("{n} action", "{n} actions", len(actions)),
        uncovered=Phrase.ngettext("{n} uncovered chain member", "{n} uncovered chain members", len(uncovered)),
        single=Phrase.ngettext("{n} single thread", "{n} single threads", len(single)),
        gain=Num(total, ".1f"),
        owners=Phrase.ngettext("{n} owner", "{n} owners", owners),
        capacity=params.capacity,
    )
    return ActionPlan(
        account=view.account,
        as_of=view.as_of,
        coverage=core.score,
        actions=actions,
        explanation=explanation,
        capacity=params.capacity,
        overloaded=_overloaded(view, core.chain, actions, params),
    )


def _assign(
    view: AccountView,
    params: ActionParams,
    drafts: list[tuple[str, int, Action]],
    draft: Callable[[str, int, frozenset[int]], Action | None],
) -> list[Action]:
    """The `limit` best actions with at most `capacity` per owner while a colleague with room can act.

    The drafts are taken by expected gain. When the next one's owner is full, it is drafted again without
    the full members (its gain can only fall) and takes its place among the rest; it stays with a full
    owner only when drafted without them already gave it back to one (nobody else has a warm path).
    """
    cap = params.capacity
    heap: list[tuple[float, str, str, int, str, int, frozenset[int], Action]] = []
    order = itertools.count()

    def push(kind: str, i: int, without: frozenset[int], action: Action) -> None:
        heapq.heappush(
            heap, (-round(action.expected_gain, 12), action.target, action.kind, next(order), kind, i, without, action)
        )

    out: list[Action] = []
    for kind, i, action in drafts:
        push(kind, i, frozenset(), action)
    load: Counter[str] = Counter()
    while heap and len(out) < params.limit:
        *_, kind, i, without, action = heapq.heappop(heap)
        full = frozenset(view.index[m] for m, n in load.items() if n >= cap)
        owner = action.member
        if owner is not None and view.index[owner] in full:
            if without != full:
                again = draft(kind, i, full)
                if again is not None:
                    if again.member != owner:
                        again.why.append(
                            Phrase(
                                N_("{member} already has {n} actions: a colleague with room takes it"),
                                member=view.name(owner),
                                n=cap,
                            )
                        )
                    push(kind, i, full, again)
                continue
            action.why.append(
                Phrase(
                    N_("over capacity: {member} already has {n} actions, and no colleague with room has a warm path"),
                    member=view.name(owner),
                    n=cap,
                )
            )
        out.append(action)
        if owner is not None:
            load[owner] += 1
    # a path drafted without the full members may be stronger than the one first chosen (which had avoided
    # a single point of failure): the plan lists its actions by expected gain all the same
    out.sort(key=lambda a: (-round(a.expected_gain, 12), a.target, a.kind))
    return out


def _overloaded(view: AccountView, chain: list[int], actions: list[Action], params: ActionParams) -> list[Connector]:
    """Our people and the account's people that at least ``overload_share`` of the best paths from our team to
    the decision chain run through (and ``overload_min``), with how many of the plan's actions do too."""
    if not view.T:
        return []
    dist, pred = _team_paths(view, False)
    root = view.root
    ends = np.array(chain, dtype=np.int64)
    ends = ends[np.isfinite(dist[ends])]
    paths = int(ends.size)
    through = np.zeros(root + 1, dtype=np.int64)
    nodes = pred[ends].astype(np.int64)  # walk every best path up to the root at once
    while True:
        nodes = nodes[(nodes >= 0) & (nodes != root)]
        if not nodes.size:
            break
        through += np.bincount(nodes, minlength=root + 1)
        nodes = pred[nodes].astype(np.int64)
    need = max(params.overload_min, math.ceil(params.overload_share * paths))
    in_actions: Counter[str] = Counter()
    for a in actions:
        if a.path is not None:
            in_actions.update({a.path.member, *(h.target for h in a.path.hops[:-1])})
    single = single_points(view)
    out = []
    heavy = np.flatnonzero(through >= need).tolist()
    for node in sorted(heavy, key=lambda x: (-int(through[x]), view.ids[x])):
        n = int(through[node])
        nid = view.ids[node]
        ours = node >= view.P
        spof = bool(single[node])
        explanation = Phrase(
            N_(
                "{n} of the {paths} best paths to the decision chain run through {name} (ours) ({share}); "
                "{actions} of the plan's actions{single}"
            )
            if ours
            else N_(
                "{n} of the {paths} best paths to the decision chain run through {name} ({share}); "
                "{actions} of the plan's actions{single}"
            ),
            n=n,
            paths=paths,
            name=view.name(nid),
            share=Pct(n / paths),
            actions=in_actions[nid],
            single=Phrase(N_("; a single point of failure themselves")) if spof else "",
        )
        out.append(
            Connector(
                id=nid,
                name=view.name(nid),
                kind="team" if ours else "person",
                paths=n,
                share=n / paths,
                actions=in_actions[nid],
                single_point=spof,
                explanation=explanation,
            )
        )
    return out


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
