"""Coverage: how much of the ranked decision chain our team reaches, and where the gaps are.

The score (0–100) is the rank-weighted share of the decision chain that one of our members knows with an
effective strength at or above a threshold. It is broken down by decision role, relationship layer (key /
organisational / broad), subsidiary and department, and the gaps are listed: important people with no
relationship, subsidiaries with no contact, roles with no supporter, relationships held by one member only,
opponents in decision roles. The formula is in `accountgraph.algorithms.params.CoverageParams`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from accountgraph.algorithms.params import CoverageParams, RankParams
from accountgraph.algorithms.prepared import AccountView, prepare
from accountgraph.algorithms.ranking import RankArrays, rank_arrays
from accountgraph.algorithms.results import Breakdown, Coverage, CoveredPerson, Gap, Layer

__all__ = ["BUYING_ROLES", "CoverageCore", "coverage", "coverage_core", "unit_heads"]

BUYING_ROLES = ("decision_maker", "economic_buyer", "technical_buyer", "user_buyer")
KEY_ROLES = ("decision_maker", "economic_buyer")
ROLE_ORDER = (
    "decision_maker",
    "economic_buyer",
    "technical_buyer",
    "user_buyer",
    "influencer",
    "champion",
    "coach",
    "gatekeeper",
    "blocker",
)


@dataclass(frozen=True)
class CoverageCore:
    """The numbers behind a coverage score (person indices of the view)."""

    chain: list[int]
    """Decision-chain people, best ranked first."""
    weight: dict[int, float]
    best: dict[int, float]
    members: dict[int, list[str]]
    """Our members at or above the threshold, strongest first."""
    layer: dict[int, Layer]
    why: dict[int, list[str]]
    total: float
    covered_weight: float
    threshold: float

    @property
    def score(self) -> float:
        return _percent(self.covered_weight, self.total)

    def covered(self, i: int) -> bool:
        return bool(self.members.get(i))

    def share(self, i: int) -> float:
        """Coverage points person `i` is worth (0..100)."""
        return 100.0 * self.weight[i] / self.total if self.total > 0 else 0.0


def _percent(part: float, whole: float) -> float:
    """100 * part / whole, kept inside [0, 100] (float sums of the same weights can differ in the last bit)."""
    return min(100.0, max(0.0, 100.0 * part / whole)) if whole > 0 else 0.0


def unit_heads(view: AccountView) -> tuple[set[int], set[int]]:
    """Heads of companies and of departments (person indices).

    The tops of a unit are its people whose manager is outside it (or who have none). A unit with one top
    has it as its head; with several, those with people under them (so a partnership with no reporting
    lines has no heads).
    """
    P = view.P
    manager = view.manager
    company_of = [view.attrs[i].get("company") for i in range(P)]
    dept_of = [view.attrs[i].get("department") for i in range(P)]
    has_reports = [False] * P
    for i in range(P):
        if manager[i] >= 0:
            has_reports[int(manager[i])] = True

    def heads(unit_of: list[object]) -> set[int]:
        tops: dict[object, list[int]] = defaultdict(list)
        for i in range(P):
            unit = unit_of[i]
            if unit is None:
                continue
            m = int(manager[i])
            if m < 0 or unit_of[m] != unit:
                tops[unit].append(i)
        out: set[int] = set()
        for members in tops.values():
            if len(members) == 1:
                out.add(members[0])
            else:
                out.update(i for i in members if has_reports[i])
        return out

    company_heads = heads(list(company_of))
    dept_heads = heads([(c, d) if d is not None else None for c, d in zip(company_of, dept_of, strict=True)])
    return company_heads, dept_heads - company_heads


def coverage_core(
    view: AccountView,
    params: CoverageParams | None = None,
    rank: RankParams | None = None,
    *,
    arrays: RankArrays | None = None,
    without_members: Iterable[str] = (),
) -> CoverageCore:
    """The decision chain, its weights and who of ours reaches whom (see `coverage`)."""
    params = params or view.options.coverage
    arrays = arrays or rank_arrays(view, rank)
    gone = set(without_members)
    company_heads, dept_heads = unit_heads(view)
    position = arrays.position
    chain: list[int] = []
    why: dict[int, list[str]] = {}
    layer: dict[int, Layer] = {}
    for i in arrays.order.tolist():
        reasons = []
        roles = view.attrs[i].get("roles") or []
        rank_pos = int(position[i])
        if rank_pos <= params.top_n:
            reasons.append(f"ranked {rank_pos}")
        if roles:
            reasons.append(", ".join(r.replace("_", " ") for r in roles))
        if i in company_heads:
            reasons.append("heads the company")
        elif i in dept_heads:
            reasons.append("heads the department")
        if not reasons:
            continue
        chain.append(i)
        why[i] = reasons
        if rank_pos <= params.key_n or any(r in KEY_ROLES for r in roles):
            layer[i] = "key"
        elif i in company_heads or i in dept_heads:
            layer[i] = "organisational"
        else:
            layer[i] = "broad"
    weight = {i: max(float(arrays.score[i]), params.min_weight) for i in chain}
    best: dict[int, float] = {}
    members: dict[int, list[str]] = {}
    for i in chain:
        ties = [t for t in view.ties_of_person.get(view.ids[i], []) if t.member not in gone]
        best[i] = ties[0].core.effective if ties else 0.0
        members[i] = [t.member for t in ties if t.core.effective >= params.threshold]
    total = sum(weight.values())
    covered_weight = sum(weight[i] for i in chain if members[i])
    return CoverageCore(chain, weight, best, members, layer, why, total, covered_weight, params.threshold)


def _breakdown(key: str, label: str, people: list[int], core: CoverageCore) -> Breakdown:
    w = sum(core.weight[i] for i in people)
    cw = sum(core.weight[i] for i in people if core.covered(i))
    return Breakdown(
        key=key,
        label=label,
        people=len(people),
        covered=sum(1 for i in people if core.covered(i)),
        weight=w,
        covered_weight=cw,
        score=_percent(cw, w),
    )


def _label(text: str) -> str:
    return text.replace("_", " ")


def coverage(
    G: nx.MultiDiGraph | AccountView,
    params: CoverageParams | None = None,
    *,
    rank: RankParams | None = None,
) -> Coverage:
    """The coverage score of an account, its breakdowns and its gaps.

    Parameters
    ----------
    G : nx.MultiDiGraph or AccountView
        The account projection or a prepared view.
    params : CoverageParams, optional
        Threshold, chain size, layers (default: the view's options).
    rank : RankParams, optional
        How people are ranked (default: the view's options).

    Returns
    -------
    Coverage
        ``score`` 0..100 with its breakdowns, every chain member and the gaps, most important first.
    """
    view = prepare(G)
    params = params or view.options.coverage
    arrays = rank_arrays(view, rank)
    core = coverage_core(view, params, arrays=arrays)
    attrs = view.attrs
    people = [
        CoveredPerson(
            id=view.ids[i],
            name=view.name(view.ids[i]),
            company=attrs[i].get("company"),
            department=attrs[i].get("department"),
            roles=list(attrs[i].get("roles") or []),
            stance=str(attrs[i].get("stance") or "unknown"),
            layer=core.layer[i],
            rank=int(arrays.position[i]),
            weight=core.weight[i],
            best_strength=core.best[i],
            covered=core.covered(i),
            members=core.members[i],
            why=core.why[i],
        )
        for i in core.chain[: params.max_listed]
    ]
    by_layer = [
        _breakdown(name, name, [i for i in core.chain if core.layer[i] == name], core)
        for name in ("key", "organisational", "broad")
    ]
    role_people: dict[str, list[int]] = defaultdict(list)
    company_people: dict[str, list[int]] = defaultdict(list)
    dept_people: dict[str, list[int]] = defaultdict(list)
    for i in core.chain:
        for r in attrs[i].get("roles") or []:
            role_people[r].append(i)
        company_people[str(attrs[i].get("company") or "")].append(i)
        dept_people[str(attrs[i].get("department") or "(none)")].append(i)
    by_role = [_breakdown(r, _label(r), role_people[r], core) for r in ROLE_ORDER if r in role_people]
    by_role += [_breakdown(r, _label(r), role_people[r], core) for r in sorted(role_people) if r not in ROLE_ORDER]
    by_company = sorted(
        (_breakdown(c, view.name(c), ps, core) for c, ps in company_people.items()), key=lambda b: (-b.weight, b.key)
    )
    by_department = sorted(
        (_breakdown(d, d, ps, core) for d, ps in dept_people.items()), key=lambda b: (-b.weight, b.key)
    )
    gaps, gap_count = _gaps(view, core, arrays, params.max_listed)
    covered = sum(1 for i in core.chain if core.covered(i))
    explanation = (
        f"{core.score:.1f} of 100: {covered} of {len(core.chain)} decision-chain people are known by one of ours "
        f"at an effective strength of at least {params.threshold:.2f}, weighted by their rank score"
    )
    return Coverage(
        account=view.account,
        as_of=view.as_of,
        reference=view.reference,
        score=core.score,
        threshold=params.threshold,
        chain_size=len(core.chain),
        covered_count=covered,
        by_layer=by_layer,
        by_role=by_role,
        by_company=by_company,
        by_department=by_department,
        people=people,
        gaps=gaps,
        gap_count=gap_count,
        explanation=explanation,
    )


def _gaps(view: AccountView, core: CoverageCore, arrays: RankArrays, limit: int) -> tuple[list[Gap], int]:
    """The gaps, most important first (at most `limit`), and how many there are."""
    attrs = view.attrs
    gaps: list[Gap] = []
    thr = core.threshold
    for i in core.chain:
        pid = view.ids[i]
        name = view.name(pid)
        roles = attrs[i].get("roles") or []
        what = f"rank {int(arrays.position[i])}" + (f", {', '.join(_label(r) for r in roles)}" if roles else "")
        if not core.covered(i):
            ties = view.ties_of_person.get(pid, [])
            if ties:
                t = ties[0]
                state = "stale, " if t.core.stale else ""
                detail = (
                    f"{what}: our strongest tie is {view.name(t.member)} at {t.core.effective:.2f} "
                    f"({state}below {thr:.2f})"
                )
            else:
                detail = f"{what}: nobody of ours knows them"
            gaps.append(
                Gap.built(kind="uncovered_person", subject=pid, name=name, importance=core.share(i), detail=detail)
            )
        elif len(core.members[i]) == 1:
            m = core.members[i][0]
            detail = f"{what}: only {view.name(m)} reaches them (at {core.best[i]:.2f})"
            gaps.append(
                Gap.built(kind="single_threaded", subject=pid, name=name, importance=core.share(i), detail=detail)
            )
        if attrs[i].get("stance") == "opponent" and any(r in BUYING_ROLES or r == "blocker" for r in roles):
            detail = f"{what}: an opponent in a decision role"
            gaps.append(
                Gap.built(
                    kind="opponent_in_decision_role", subject=pid, name=name, importance=core.share(i), detail=detail
                )
            )
    # companies where nobody of ours reaches anyone at the threshold
    reached_companies = {
        attrs[view.index[t.person]].get("company")
        for ties in view.ties_of_person.values()
        for t in ties
        if t.core.effective >= thr
    }
    headcount: dict[str, int] = defaultdict(int)
    for i in range(view.P):
        headcount[str(attrs[i].get("company"))] += 1
    chain_weight: dict[str, float] = defaultdict(float)
    for i in core.chain:
        chain_weight[str(attrs[i].get("company"))] += core.weight[i]
    for company in sorted(headcount):
        if company in reached_companies:
            continue
        share = 100.0 * chain_weight[company] / core.total if core.total > 0 else 0.0
        gaps.append(
            Gap.built(
                kind="company_without_contact",
                subject=company,
                name=view.name(company),
                importance=share,
                detail=f"{headcount[company]} people, none reached by one of ours at {thr:.2f} or more",
            )
        )
    # buying roles that no supporter holds
    holders: dict[str, list[int]] = defaultdict(list)
    for i in core.chain:
        for r in attrs[i].get("roles") or []:
            if r in BUYING_ROLES:
                holders[r].append(i)
    for role in BUYING_ROLES:
        people = holders.get(role)
        if not people or any(attrs[i].get("stance") == "supporter" for i in people):
            continue
        stances: dict[str, int] = defaultdict(int)
        for i in people:
            stances[str(attrs[i].get("stance") or "unknown")] += 1
        mix = ", ".join(f"{n} {s}" for s, n in sorted(stances.items()))
        share = sum(core.share(i) for i in people)
        gaps.append(
            Gap.built(
                kind="role_without_supporter",
                subject=role,
                name=_label(role),
                importance=share,
                detail=f"{len(people)} {_label(role)}{'s' if len(people) != 1 else ''}, none a supporter ({mix})",
            )
        )
    order = {
        "uncovered_person": 0,
        "role_without_supporter": 1,
        "opponent_in_decision_role": 2,
        "company_without_contact": 3,
        "single_threaded": 4,
    }
    gaps.sort(key=lambda g: (-round(g.importance, 9), order[g.kind], g.subject))
    return gaps[:limit], len(gaps)
