"""Coverage: how much of the ranked decision chain our team reaches, and where the gaps are.

The score (0–100) is the rank-weighted share of the decision chain that one of our members knows with an
effective strength at or above a threshold. It is broken down by decision role, relationship layer (key /
organisational / broad), subsidiary and department, and the gaps are listed: important people with no
relationship, subsidiaries with no contact, roles with no supporter, relationships held by one member only,
opponents in decision roles. The formula is in `accountgraph.algorithms.params.CoverageParams`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accountgraph.algorithms.params import CoverageParams, RankParams
from accountgraph.algorithms.prepared import COVERAGE_COLUMNS, AccountView
from accountgraph.algorithms.ranking import RankArrays, rank_arrays
from accountgraph.algorithms.results import Breakdown, Coverage, CoveredPerson, Gap, Layer
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Seq, Term
from accountgraph.perf import paused_gc

__all__ = [
    "BUYING_ROLES",
    "COLUMNS_KEY",
    "Columns",
    "CoverageCore",
    "columns_with",
    "coverage",
    "coverage_core",
    "reached_companies",
    "unit_heads",
]

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

    def single_threaded(self, i: int) -> bool:
        """Reached by exactly one of ours at the threshold: a single thread (the one definition of it)."""
        return len(self.members.get(i) or ()) == 1

    def share(self, i: int) -> float:
        """Coverage points person `i` is worth (0..100)."""
        return 100.0 * self.weight[i] / self.total if self.total > 0 else 0.0


def _percent(part: float, whole: float) -> float:
    """100 * part / whole, kept inside [0, 100] (float sums of the same weights can differ in the last bit)."""
    return min(100.0, max(0.0, 100.0 * part / whole)) if whole > 0 else 0.0


@dataclass(frozen=True)
class Columns:
    """Per-person fields the coverage reads, gathered once per view (person index order)."""

    company: list[Any]
    department: list[Any]
    roles: list[tuple[str, ...]]
    role_text: list[str]
    """The roles as text ("decision maker, champion"); "" when none."""
    key_role_arr: NDArray[np.bool_]
    buying_or_blocker: list[bool]
    stance: list[Any]
    has_roles: NDArray[np.bool_]
    head: list[int]
    """0, or 1 for the head of a company, 2 for the head of a department (not also a company's)."""
    head_arr: NDArray[np.int8]
    headcount: dict[str, int]
    """People per company (keyed by the company as text)."""
    company_group: NDArray[np.int64]
    company_keys: list[str]
    """The company breakdown's key of each person (a code into `company_keys`)."""
    dept_group: NDArray[np.int64]
    dept_keys: list[str]
    role_mask: dict[str, NDArray[np.bool_]] | None
    """Who holds each role (None when someone lists a role twice)."""


def person_columns(view: AccountView) -> Columns:
    """The per-person fields the coverage reads (memoised on the view; shared: not to be changed)."""
    cached = view.cache.get(COLUMNS_KEY)
    if isinstance(cached, Columns):
        return cached
    P = view.P
    attrs = view.attrs[:P]
    company: list[Any] = [a.get("company") for a in attrs]
    department: list[Any] = [a.get("department") for a in attrs]
    roles: list[tuple[str, ...]] = [tuple(a.get("roles") or ()) for a in attrs]
    stance: list[Any] = [a.get("stance") for a in attrs]
    # every distinct set of roles once
    role_sets = list(dict.fromkeys(roles))
    role_set_code = {rs: k for k, rs in enumerate(role_sets)}
    role_set = np.array(list(map(role_set_code.__getitem__, roles)), dtype=np.int64)
    texts: list[str] = [_roles(rs) for rs in role_sets]
    role_text = list(map(texts.__getitem__, role_set.tolist()))
    key_role = np.array([_key_role(rs) for rs in role_sets], dtype=bool)[role_set]
    buying_or_blocker = np.array([_buying_or_blocker(rs) for rs in role_sets], dtype=bool)[role_set].tolist()
    has_roles = np.array([bool(rs) for rs in role_sets], dtype=bool)[role_set]
    masks: dict[str, NDArray[np.bool_]] = {}
    for r in sorted({r for rs in role_sets for r in rs}):
        masks[r] = np.isin(role_set, [k for k, rs in enumerate(role_sets) if r in rs])
    role_mask = None if any(len(set(rs)) != len(rs) for rs in role_sets) else masks
    # units as integer codes: companies (None: in none), and departments within their company
    company_code, company_group, company_keys, company_count = _codes(company, "")
    dept_code, dept_group, dept_keys, _ = _codes(department, "(none)")
    n_dept = int(dept_code.max(initial=-1)) + 1
    # (company, department) with a department: a unit, even without a company (its code then is -1)
    dept_unit = np.where(dept_code >= 0, (company_code + 1) * n_dept + dept_code, -1)
    company_heads = _heads(view.manager, company_code)
    dept_heads = _heads(view.manager, dept_unit)
    head_arr = np.zeros(P, dtype=np.int8)
    head_arr[dept_heads] = 2
    head_arr[company_heads] = 1
    headcount: dict[str, int] = defaultdict(int)
    for c, n in company_count.items():
        headcount[str(c)] += n
    cols = Columns(
        company,
        department,
        roles,
        role_text,
        key_role,
        buying_or_blocker,
        stance,
        has_roles,
        head_arr.tolist(),
        head_arr,
        dict(headcount),
        company_group,
        company_keys,
        dept_group,
        dept_keys,
        role_mask,
    )
    view.cache[COLUMNS_KEY] = cols
    return cols


COLUMNS_KEY = COVERAGE_COLUMNS


def _key_role(roles: tuple[str, ...]) -> bool:
    return any(r in KEY_ROLES for r in roles)


def _buying_or_blocker(roles: tuple[str, ...]) -> bool:
    return any(r in BUYING_ROLES or r == "blocker" for r in roles)


def columns_with(cols: Columns, rows: dict[int, dict[str, Any]]) -> Columns | None:
    """`cols` with the stances and roles of the people at `rows` (person index: their projected row) as those
    rows say, the rest shared; None when a role is listed twice (`person_columns` builds them afresh)."""
    if cols.role_mask is None:
        return None
    roles, role_text, stance = list(cols.roles), list(cols.role_text), list(cols.stance)
    buying_or_blocker = list(cols.buying_or_blocker)
    key_role, has_roles = cols.key_role_arr.copy(), cols.has_roles.copy()
    masks = dict(cols.role_mask)
    copied: set[str] = set()
    for i, row in rows.items():
        held = tuple(row.get("roles") or ())
        if len(set(held)) != len(held):
            return None
        stance[i] = row.get("stance")
        if held == roles[i]:
            continue
        for r in {*roles[i], *held} - copied:
            masks[r] = masks[r].copy() if r in masks else np.zeros(len(roles), dtype=bool)
            copied.add(r)
        for r in roles[i]:
            masks[r][i] = False
        for r in held:
            masks[r][i] = True
        roles[i], role_text[i], has_roles[i] = held, _roles(held), bool(held)
        key_role[i], buying_or_blocker[i] = _key_role(held), _buying_or_blocker(held)
    role_mask = {r: masks[r] for r in sorted(masks) if r not in copied or masks[r].any()}
    return dataclasses.replace(
        cols,
        roles=roles,
        role_text=role_text,
        key_role_arr=key_role,
        buying_or_blocker=buying_or_blocker,
        stance=stance,
        has_roles=has_roles,
        role_mask=role_mask,
    )


def _codes(values: list[Any], empty: str) -> tuple[NDArray[np.int64], NDArray[np.int64], list[str], Counter[Any]]:
    """Each value as an integer code (equal values, equal codes; None: -1), as a code of its breakdown key
    (``str(value or empty)``) into the list of keys, and how often each value occurs."""
    count = Counter(values)
    distinct = list(count)
    position = {v: k for k, v in enumerate(distinct)}
    index = np.array(list(map(position.__getitem__, values)), dtype=np.int64)
    own = np.array([-1 if v is None else k for k, v in enumerate(distinct)] or [0], dtype=np.int64)
    keys = [str(v or empty) for v in distinct]
    key_code = {k: n for n, k in enumerate(dict.fromkeys(keys))}
    grouped = np.array([key_code[k] for k in keys] or [0], dtype=np.int64)
    return own[index], grouped[index], list(key_code), count


def _heads(manager: NDArray[np.int64], unit: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether each person heads their unit (see `unit_heads`); `unit[i]` -1: in no unit."""
    P = unit.size
    manager = np.asarray(manager, dtype=np.int64)[:P]
    has_reports = np.zeros(P, dtype=bool)
    has_reports[manager[manager >= 0]] = True
    # the manager's unit; -2 (no unit) for those without a manager (index -1 reads the sentinel)
    unit_ext = np.append(unit, np.int64(-2))
    manager_unit = unit_ext[manager]
    top = (unit >= 0) & ((manager < 0) | (manager_unit != unit))
    tops_per_unit = np.bincount(unit[top], minlength=int(unit.max(initial=-1)) + 1)
    single = np.zeros(P, dtype=bool)
    single[top] = tops_per_unit[unit[top]] == 1
    result: NDArray[np.bool_] = top & (single | has_reports)
    return result


def unit_heads(view: AccountView) -> tuple[set[int], set[int]]:
    """Heads of companies and of departments (person indices).

    The tops of a unit are its people whose manager is outside it (or who have none). A unit with one top
    has it as its head; with several, those with people under them (so a partnership with no reporting
    lines has no heads).
    """
    head = person_columns(view).head_arr
    return set(np.flatnonzero(head == 1).tolist()), set(np.flatnonzero(head == 2).tolist())


def reached_companies(view: AccountView, threshold: float) -> frozenset[Any]:
    """The companies (as stored on the people) where one of ours knows someone at `threshold` or more."""
    key = f"coverage.reached:{threshold!r}"
    cached = view.cache.get(key)
    if isinstance(cached, frozenset):
        return cached
    attrs = view.attrs
    index = view.index
    reached = frozenset(
        attrs[index[t.person]].get("company")
        for ties in view.ties_of_person.values()
        for t in ties
        if t.core.effective >= threshold
    )
    view.cache[key] = reached
    return reached


def coverage_core(
    view: AccountView,
    params: CoverageParams | None = None,
    rank: RankParams | None = None,
    *,
    arrays: RankArrays | None = None,
    without_members: Iterable[str] = (),
) -> CoverageCore:
    """The decision chain, its weights and who of ours reaches whom (see `coverage`).

    Memoised on the view per parameters and ranking when no member is left out: the result is shared,
    and must not be changed.
    """
    params = params or view.options.coverage
    arrays = arrays or rank_arrays(view, rank)
    gone = set(without_members)
    if gone:
        return _coverage_core(view, params, arrays, gone)
    key = f"coverage.core:{id(arrays)}:{params.model_dump_json()}"
    cached = view.cache.get(key)
    if isinstance(cached, tuple) and cached[0] is arrays:
        core: CoverageCore = cached[1]
        return core
    core = _coverage_core(view, params, arrays, gone)
    view.cache[key] = (arrays, core)  # the arrays are kept, so their id is not reused while cached
    return core


_LAYERS: tuple[Layer, Layer, Layer] = ("key", "organisational", "broad")
_LAYER_CODE = {name: code for code, name in enumerate(_LAYERS)}
_HEAD_TEXT = ("", Phrase(N_("heads the company")), Phrase(N_("heads the department")))


def _roles(roles: Iterable[str]) -> Phrase:
    """Decision roles as text ("decision maker, champion"; "" for none), each said through the glossary."""
    return Phrase(N_("{roles}"), roles=Seq(tuple(Term(r, r.replace("_", " ")) for r in roles), N_(", ")))


def _name(view: AccountView, node: str) -> str:
    """`view.name(node)`, read from the view's own fields for its people and members."""
    i = view.index.get(node)
    if i is None:
        return view.name(node)
    return str(view.attrs[i].get("name") or node)


def _coverage_core(view: AccountView, params: CoverageParams, arrays: RankArrays, gone: set[str]) -> CoverageCore:
    cols = person_columns(view)
    position = arrays.position
    order = arrays.order
    in_chain = (position <= params.top_n) | cols.has_roles | (cols.head_arr > 0)
    chain_arr = order[in_chain[order]]
    chain: list[int] = chain_arr.tolist()
    pos = position[chain_arr]
    top_n = params.top_n
    head = cols.head
    role_text = cols.role_text
    # layers: key (the key_n best or a key role), organisational (a head), broad
    key = (pos <= params.key_n) | cols.key_role_arr[chain_arr]
    layer_code = np.where(key, 0, np.where(cols.head_arr[chain_arr] > 0, 1, 2)).tolist()
    layer: dict[int, Layer] = dict(zip(chain, [_LAYERS[c] for c in layer_code], strict=True))
    weight: dict[int, float] = dict(
        zip(chain, [max(s, params.min_weight) for s in arrays.score[chain_arr].tolist()], strict=True)
    )
    why: dict[int, list[str]] = {}
    for i, rank_pos in zip(chain, pos.tolist(), strict=True):
        reasons: list[str] = [Phrase(N_("ranked {rank}"), rank=rank_pos)] if rank_pos <= top_n else []
        text = role_text[i]
        if text:
            reasons.append(text)
        h = head[i]
        if h:
            reasons.append(_HEAD_TEXT[h])
        why[i] = reasons
    best: dict[int, float] = {}
    members: dict[int, list[str]] = {}
    ids = view.ids
    ties_of = view.ties_of_person
    threshold = params.threshold
    for i in chain:
        ties = ties_of.get(ids[i])
        if ties and gone:
            ties = [t for t in ties if t.member not in gone]
        if ties:
            best[i] = ties[0].core.effective
            members[i] = [t.member for t in ties if t.core.effective >= threshold]
        else:
            best[i] = 0.0
            members[i] = []
    total = sum(weight.values())
    covered_weight = sum(weight[i] for i in chain if members[i])
    return CoverageCore(chain, weight, best, members, layer, why, total, covered_weight, params.threshold)


def _breakdown(key: str, label: str, weights: list[float], covered_weights: list[float]) -> Breakdown:
    """A breakdown of chain people given their weights and those of the covered ones (chain order)."""
    w = sum(weights)
    cw = sum(covered_weights)
    return Breakdown(
        key=key,
        label=label,
        people=len(weights),
        covered=len(covered_weights),
        weight=w,
        covered_weight=cw,
        score=_percent(cw, w),
    )


def _label(text: str) -> str:
    return text.replace("_", " ")


def coverage(
    view: AccountView,
    params: CoverageParams | None = None,
    *,
    rank: RankParams | None = None,
) -> Coverage:
    """The coverage score of an account, its breakdowns and its gaps.

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`).
    params : CoverageParams, optional
        Threshold, chain size, layers (default: the view's options).
    rank : RankParams, optional
        How people are ranked (default: the view's options).

    Returns
    -------
    Coverage
        ``score`` 0..100 with its breakdowns, every chain member and the gaps, most important first; memoised
        on the view per ranking and parameters (the same object again: not to be changed).
    """
    params = params or view.options.coverage
    arrays = rank_arrays(view, rank)
    key = f"coverage.result:{id(arrays)}:{params.model_dump_json()}"
    cached = view.cache.get(key)
    if isinstance(cached, tuple) and cached[0] is arrays:
        result: Coverage = cached[1]
        return result  # memoised per ranking and parameters (shared: not to be changed)
    with paused_gc():  # thousands of small acyclic objects
        result = _coverage(view, params, arrays)
    view.cache[key] = (arrays, result)  # the arrays are kept, so their id is not reused while cached
    return result


def _coverage(view: AccountView, params: CoverageParams, arrays: RankArrays) -> Coverage:
    core = coverage_core(view, params, arrays=arrays)
    cols = person_columns(view)
    company, department, roles, stance = cols.company, cols.department, cols.roles, cols.stance
    pos = arrays.position
    people = [
        CoveredPerson.built(
            id=view.ids[i],
            name=_name(view, view.ids[i]),
            company=company[i],
            department=department[i],
            roles=list(roles[i]),
            stance=str(stance[i] or "unknown"),
            layer=core.layer[i],
            rank=int(pos[i]),
            weight=core.weight[i],
            best_strength=core.best[i],
            covered=core.covered(i),
            members=list(core.members[i]),
            why=list(core.why[i]),
        )
        for i in core.chain[: params.max_listed]
    ]
    chain_arr = np.array(core.chain, dtype=np.int64)
    weights = np.array([core.weight[i] for i in core.chain], dtype=np.float64)
    is_covered = np.array([bool(core.members[i]) for i in core.chain], dtype=bool)
    covered = int(is_covered.sum())

    def breakdowns(group: NDArray[np.int64], keys: list[str]) -> list[tuple[str, list[float], list[float]]]:
        """(key, weights, covered weights) of every group of chain people, in chain order within a group."""
        order = np.argsort(group, kind="stable")
        sorted_group = group[order]
        cuts = np.flatnonzero(sorted_group[1:] != sorted_group[:-1]) + 1
        out = []
        for idx in np.split(order, cuts) if order.size else []:
            out.append((keys[int(group[idx[0]])], weights[idx].tolist(), weights[idx[is_covered[idx]]].tolist()))
        return out

    layer_code = np.array([_LAYER_CODE[core.layer[i]] for i in core.chain], dtype=np.int64)
    in_layer = {key: (ws, cws) for key, ws, cws in breakdowns(layer_code, list(_LAYERS))}
    by_layer = [_breakdown(name, name, *in_layer.get(name, ([], []))) for name in _LAYERS]
    role_groups: dict[str, tuple[list[float], list[float]]] = {}
    if cols.role_mask is not None:
        for r, mask in cols.role_mask.items():
            held = mask[chain_arr]
            if held.any():
                role_groups[r] = (weights[held].tolist(), weights[held & is_covered].tolist())
    else:  # someone lists a role twice: counted twice
        for i in core.chain:
            for r in cols.roles[i]:
                ws, cws = role_groups.setdefault(r, ([], []))
                ws.append(core.weight[i])
                if core.members[i]:
                    cws.append(core.weight[i])
    by_role = [_breakdown(r, _label(r), *role_groups[r]) for r in ROLE_ORDER if r in role_groups]
    by_role += [_breakdown(r, _label(r), *role_groups[r]) for r in sorted(role_groups) if r not in ROLE_ORDER]
    by_company = sorted(
        (
            _breakdown(c, _name(view, c), ws, cws)
            for c, ws, cws in breakdowns(cols.company_group[chain_arr], cols.company_keys)
        ),
        key=lambda b: (-b.weight, b.key),
    )
    by_department = sorted(
        (_breakdown(d, d, ws, cws) for d, ws, cws in breakdowns(cols.dept_group[chain_arr], cols.dept_keys)),
        key=lambda b: (-b.weight, b.key),
    )
    gaps, gap_count = _gaps(view, core, arrays, params.max_listed)
    explanation = Phrase(
        N_(
            "{score} of 100: {covered} of {chain} decision-chain people are known by one of ours "
            "at an effective strength of at least {threshold}, weighted by their rank score"
        ),
        score=Num(core.score, ".1f"),
        covered=covered,
        chain=len(core.chain),
        threshold=Num(params.threshold),
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


_GAP_ORDER = {
    "uncovered_person": 0,
    "role_without_supporter": 1,
    "opponent_in_decision_role": 2,
    "company_without_contact": 3,
    "single_threaded": 4,
}


def _gaps(view: AccountView, core: CoverageCore, arrays: RankArrays, limit: int) -> tuple[list[Gap], int]:
    """The gaps, most important first (at most `limit`), and how many there are.

    Every gap's sort key is found first; only the gaps returned are written out.
    """
    cols = person_columns(view)
    roles_of, role_text, stance_of, company_of = cols.roles, cols.role_text, cols.stance, cols.company
    buying_or_blocker = cols.buying_or_blocker
    thr = core.threshold
    total = core.total
    weight, members = core.weight, core.members
    ids = view.ids
    # (importance, kind order, subject, kind, person index / company / role gap), in the order they are found
    found: list[tuple[float, int, str, str, Any]] = []
    uncovered_order = _GAP_ORDER["uncovered_person"]
    single_order = _GAP_ORDER["single_threaded"]
    opponent_order = _GAP_ORDER["opponent_in_decision_role"]
    for i in core.chain:
        ms = members[i]
        opposed = stance_of[i] == "opponent" and buying_or_blocker[i]
        if ms and len(ms) != 1 and not opposed:
            continue
        share = 100.0 * weight[i] / total if total > 0 else 0.0
        pid = ids[i]
        if not ms:
            found.append((share, uncovered_order, pid, "uncovered_person", i))
        elif core.single_threaded(i):
            found.append((share, single_order, pid, "single_threaded", i))
        if opposed:
            found.append((share, opponent_order, pid, "opponent_in_decision_role", i))
    # companies where nobody of ours reaches anyone at the threshold
    reached = reached_companies(view, thr)
    headcount = cols.headcount
    unreached = [c for c in sorted(headcount) if c not in reached]
    if unreached:
        chain_weight = dict.fromkeys(unreached, 0.0)
        for i in core.chain:
            c = str(company_of[i])
            if c in chain_weight:
                chain_weight[c] += weight[i]
        company_order = _GAP_ORDER["company_without_contact"]
        for company in unreached:
            share = 100.0 * chain_weight[company] / total if total > 0 else 0.0
            found.append((share, company_order, company, "company_without_contact", company))
    # buying roles that no supporter holds
    holders: dict[str, list[int]] = defaultdict(list)
    for i in core.chain:
        for r in roles_of[i]:
            if r in BUYING_ROLES:
                holders[r].append(i)
    role_order = _GAP_ORDER["role_without_supporter"]
    for role in BUYING_ROLES:
        people = holders.get(role)
        if not people or any(stance_of[i] == "supporter" for i in people):
            continue
        stances: dict[str, int] = defaultdict(int)
        for i in people:
            stances[str(stance_of[i] or "unknown")] += 1
        mix = Seq(
            tuple(Phrase(N_("{n} {stance}"), n=n, stance=Term(s, s)) for s, n in sorted(stances.items())), N_(", ")
        )
        share = sum(core.share(i) for i in people)
        gap = Gap.built(
            kind="role_without_supporter",
            subject=role,
            name=_label(role),
            importance=share,
            detail=Phrase.ngettext(
                "{n} {role}, none a supporter ({mix})",
                "{n} {role}s, none a supporter ({mix})",
                len(people),
                role=Term(role, _label(role)),
                mix=mix,
            ),
        )
        found.append((share, role_order, role, "role_without_supporter", gap))
    # most important first: (importance to 9 decimals, kind, subject). Rounding keeps the order of the
    # importances, so only the `limit` most important and those tied with the last of them (to 9
    # decimals) can be returned: only these are rounded and sorted in full.
    count = len(found)
    if limit < count:
        found.sort(key=itemgetter(0), reverse=True)
        if limit <= 0:
            return [], count
        end = limit
        last = round(found[limit - 1][0], 9)
        while end < count and round(found[end][0], 9) == last:
            end += 1
        found = found[:end]
    found.sort(key=lambda e: (-round(e[0], 9), e[1], e[2]))

    def what(i: int) -> Phrase:
        text = role_text[i]
        rank = int(arrays.position[i])
        return (
            Phrase(N_("rank {rank}, {roles}"), rank=rank, roles=text) if text else Phrase(N_("rank {rank}"), rank=rank)
        )

    gaps: list[Gap] = []
    for importance, _, _, kind, x in found[:limit]:
        if kind == "role_without_supporter":
            gaps.append(x)
            continue
        if kind == "company_without_contact":
            gaps.append(
                Gap.built(
                    kind=kind,
                    subject=x,
                    name=_name(view, x),
                    importance=importance,
                    detail=Phrase(
                        N_("{n} people, none reached by one of ours at {threshold} or more"),
                        n=headcount[x],
                        threshold=Num(thr),
                    ),
                )
            )
            continue
        pid = ids[x]
        if kind == "uncovered_person":
            ties = view.ties_of_person.get(pid, [])
            if ties:
                t = ties[0]
                detail = Phrase(
                    N_("{who}: our strongest tie is {member} at {strength} (stale, below {threshold})")
                    if t.core.stale
                    else N_("{who}: our strongest tie is {member} at {strength} (below {threshold})"),
                    who=what(x),
                    member=_name(view, t.member),
                    strength=Num(t.core.effective),
                    threshold=Num(thr),
                )
            else:
                detail = Phrase(N_("{who}: nobody of ours knows them"), who=what(x))
        elif kind == "single_threaded":
            detail = Phrase(
                N_("{who}: only {member} reaches them (at {strength})"),
                who=what(x),
                member=_name(view, members[x][0]),
                strength=Num(core.best[x]),
            )
        else:
            detail = Phrase(N_("{who}: an opponent in a decision role"), who=what(x))
        gaps.append(Gap.built(kind=kind, subject=pid, name=_name(view, pid), importance=importance, detail=detail))
    return gaps, count
