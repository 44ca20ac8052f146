"""Key people: who decides, who sways, who bridges.

The score of a person combines formal authority (level, the span of the reporting line under them,
decision roles), informal influence (PageRank on `INFLUENCES`, flowing toward those who sway others) and
brokerage (betweenness on the informal network of the customer's people). Each part is reported; the
formulas and defaults are in `accountgraph.algorithms.params.RankParams`. Our own team is left out: who we
know does not change who matters.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from accountgraph.algorithms.fast import FloatArray, IntArray, run_starts
from accountgraph.algorithms.params import RankParams
from accountgraph.algorithms.prepared import AUTHORITY, AccountView
from accountgraph.algorithms.results import (
    AuthorityPart,
    BrokeragePart,
    InfluencePart,
    PersonRank,
    Ranking,
    RankMethod,
)
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase, Seq, Term
from accountgraph.perf import paused_gc

__all__ = ["RankArrays", "authority_with_roles", "key_people", "rank_arrays", "reporting_span"]


@dataclass(frozen=True)
class RankArrays:
    """Every part of the ranking for every person of a view (index order of `AccountView.people`)."""

    weights: dict[str, float]
    level: list[int | None]
    level_score: FloatArray
    span: IntArray
    span_score: FloatArray
    role_score: FloatArray
    authority: FloatArray
    pagerank: FloatArray
    sways: IntArray
    influence: FloatArray
    betweenness: FloatArray
    brokerage: FloatArray
    score: FloatArray
    order: IntArray
    """People indices, best first (score, then id)."""
    position: IntArray
    """Rank (1-based) of each person index."""
    method: RankMethod


def reporting_span(manager: IntArray) -> IntArray:
    """How many people report to each one, directly or not, given each one's manager (-1: none).

    A cycle in the reporting lines (the store refuses them) would be cut where it closes.
    """
    n = manager.size
    depth = np.full(n, -1, dtype=np.int64)
    # depths level by level from the people without a manager (vectorised), for the usual shallow charts
    level = np.flatnonzero(manager < 0)
    depth[level] = 0
    boss = np.where(manager >= 0, manager, 0)
    for d in range(1, 64):
        if level.size == 0:
            break
        below = np.zeros(n, dtype=bool)
        below[level] = True
        level = np.flatnonzero((manager >= 0) & (depth < 0) & below[boss])
        depth[level] = d
    # the rest (deeper chains, cycles) one chain at a time
    for start in np.flatnonzero(depth < 0).tolist():
        if depth[start] >= 0:
            continue
        chain = []
        seen = set()
        node = start
        while node >= 0 and depth[node] < 0 and node not in seen:
            seen.add(node)
            chain.append(node)
            node = int(manager[node])
        base = int(depth[node]) + 1 if node >= 0 and depth[node] >= 0 else 0
        for k, member in enumerate(reversed(chain)):
            depth[member] = base + k
    # each level adds its spans to the level above (a person's span is complete before it is passed up)
    span = np.zeros(n, dtype=np.int64)
    order = np.argsort(-depth, kind="stable")
    bounds = [*run_starts(depth[order]).tolist(), n]
    for lo, hi in itertools.pairwise(bounds):
        nodes = order[lo:hi]
        nodes = nodes[(manager[nodes] >= 0) & (depth[manager[nodes]] < depth[nodes])]
        np.add.at(span, manager[nodes], span[nodes] + 1)
    return span


def _scaled(values: FloatArray) -> FloatArray:
    lo, hi = float(values.min(initial=0.0)), float(values.max(initial=0.0))
    if hi - lo <= 1e-9 * max(abs(hi), 1e-300):
        return np.zeros_like(values)
    return (values - lo) / (hi - lo)


def rank_arrays(view: AccountView, params: RankParams | None = None) -> RankArrays:
    """The ranking of every person as arrays (memoised on the view per parameters)."""
    params = params or view.options.rank
    exact = view.P > params.betweenness_exact_max and view.exact_betweenness is not None
    key = "rank:" + params.model_dump_json() + (":exact:" + view.structure_key() if exact else "")
    cached = view.cache.get(key)
    if isinstance(cached, RankArrays):
        return cached
    result = _rank(view, params)
    view.cache[key] = result
    return result


Authority = tuple[list[int | None], FloatArray, IntArray, FloatArray, FloatArray, FloatArray]


def _authority(view: AccountView, params: RankParams) -> Authority:
    """The formal authority of every person (levels, level scores, reporting spans, span scores, role scores,
    authority): it reads the people alone, so a view keeps it across tie and interaction edits (memoised
    under `AUTHORITY`)."""
    key = AUTHORITY + params.model_dump_json(include={"role_weights", "authority_weights"})
    cached = view.cache.get(key)
    if isinstance(cached, tuple):
        memoised: Authority = cached
        return memoised
    P = view.P
    attrs = view.attrs[:P]
    # formal authority
    levels: list[int | None] = [a.get("level") for a in attrs]
    known = [lv for lv in levels if lv is not None]
    level_score = np.zeros(P)
    if known:
        lo, hi = min(known), max(known)
        for i, lv in enumerate(levels):
            if lv is not None:
                level_score[i] = 1.0 if hi == lo else (hi - lv) / (hi - lo)
    span = reporting_span(view.manager)
    top_span = int(span.max(initial=0))
    span_score = np.log1p(span) / math.log1p(top_span) if top_span > 0 else np.zeros(P)
    by_roles: dict[tuple[str, ...], float] = {}  # a few hundred role sets among thousands of people
    role_score = np.zeros(P)
    for i, a in enumerate(attrs):
        roles = tuple(a.get("roles") or ())
        if roles:
            value = by_roles.get(roles)
            if value is None:
                value = by_roles[roles] = _role_score(roles, params)
            role_score[i] = value
    result = (levels, level_score, span, span_score, role_score, _combined(level_score, span_score, role_score, params))
    view.cache[key] = result
    return result


def _role_score(roles: tuple[str, ...], params: RankParams) -> float:
    return max((params.role_weights.get(r, 0.0) for r in roles), default=0.0)


def _combined(
    level_score: FloatArray, span_score: FloatArray, role_score: FloatArray, params: RankParams
) -> FloatArray:
    """The authority: the level, span and role scores weighted by `params.authority_weights`."""
    aw = params.authority_weights
    a_total = aw.level + aw.span + aw.role
    if a_total > 0:
        combined: FloatArray = (aw.level * level_score + aw.span * span_score + aw.role * role_score) / a_total
        return combined
    return np.zeros(level_score.size)


def authority_with_roles(key: str, authority: Authority, roles: dict[int, tuple[str, ...]]) -> Authority:
    """The memoised `authority` (under `key`) with the roles of the people at `roles` (person index: roles)
    changed: their role scores and the authority worked out again, the rest shared."""
    params = RankParams.model_validate_json(key.removeprefix(AUTHORITY))
    levels, level_score, span, span_score, role_score, _ = authority
    role_score = role_score.copy()
    for i, held in roles.items():
        role_score[i] = _role_score(held, params)
    return (levels, level_score, span, span_score, role_score, _combined(level_score, span_score, role_score, params))


def _rank(view: AccountView, params: RankParams) -> RankArrays:
    P = view.P
    levels, level_score, span, span_score, role_score, authority = _authority(view, params)
    # informal influence: PageRank from the swayed to who sways them
    ia, _, _ = view.people_influences()
    pr = view.pagerank(params.alpha, params.pagerank_tol, params.pagerank_max_iter)
    sways = np.bincount(ia, minlength=P).astype(np.int64) if P else np.zeros(0, dtype=np.int64)
    influence = _scaled(pr.scores)
    # brokerage: betweenness on the informal network (KNOWS and INFLUENCES among people, undirected)
    given = view.exact_betweenness if P > params.betweenness_exact_max else None
    exact = P <= params.betweenness_exact_max or given is not None
    if given is not None:  # computed once for the account's structure (`services.exact`)
        btw, sampled = given, 0
    else:
        run = view.betweenness(params)
        btw, sampled = run.result(), int(run.sources.size)
    top_btw = float(btw.max(initial=0.0))
    brokerage = btw / top_btw if top_btw > 0 else np.zeros(P)
    total = params.authority + params.influence + params.brokerage
    weights = {
        "authority": params.authority / total,
        "influence": params.influence / total,
        "brokerage": params.brokerage / total,
    }
    score = weights["authority"] * authority + weights["influence"] * influence + weights["brokerage"] * brokerage
    # best first; equal scores (to 12 decimals, so float noise never reorders) by id
    rounded = np.round(score, 12)
    order = np.lexsort((np.arange(P), -rounded)).astype(np.int64)
    position = np.empty(P, dtype=np.int64)
    position[order] = np.arange(1, P + 1)
    method = RankMethod(
        weights=weights,
        pagerank_iterations=pr.iterations,
        pagerank_converged=pr.converged,
        pagerank_residual=pr.residual,
        betweenness="exact" if exact else "sampled",
        betweenness_sources=P if exact else sampled,
        seed=params.seed,
        informal_edges=int(view.informal[0].size),
        influence_edges=int(ia.size),
    )
    return RankArrays(
        weights,
        levels,
        level_score,
        span,
        span_score,
        role_score,
        authority,
        pr.scores,
        sways,
        influence,
        btw,
        brokerage,
        score,
        order,
        position,
        method,
    )


def person_rank(view: AccountView, arrays: RankArrays, i: int) -> PersonRank:
    """The ranking entry of person index `i`, with its explanation."""
    return _person_ranks(view, arrays, [i])[0]


def _person_ranks(view: AccountView, arrays: RankArrays, chosen: list[int]) -> list[PersonRank]:
    """The ranking entries of person indices `chosen`, in that order (the arrays read once)."""
    idx = np.asarray(chosen, dtype=np.int64)
    w = arrays.weights
    wa, wi, wb = w["authority"], w["influence"], w["brokerage"]
    said: dict[object, Phrase] = {}  # the parts people share (a level, a span, a set of roles), made once
    columns = zip(
        chosen,
        arrays.authority[idx].tolist(),
        arrays.influence[idx].tolist(),
        arrays.brokerage[idx].tolist(),
        arrays.span[idx].tolist(),
        arrays.sways[idx].tolist(),
        arrays.score[idx].tolist(),
        arrays.position[idx].tolist(),
        arrays.level_score[idx].tolist(),
        arrays.span_score[idx].tolist(),
        arrays.role_score[idx].tolist(),
        arrays.pagerank[idx].tolist(),
        arrays.betweenness[idx].tolist(),
        strict=True,
    )
    out = []
    for i, auth, infl, brok, span, sways, score, position, level_score, span_score, role_score, pr, btw in columns:
        a = view.attrs[i]
        roles = list(a.get("roles") or [])
        level = arrays.level[i]
        bits: list[Phrase] = []
        if level is not None:
            part = said.get(("level", level))
            if part is None:
                part = said[("level", level)] = Phrase(N_("level {level}"), level=level)
            bits.append(part)
        if span:
            part = said.get(("span", span))
            if part is None:
                part = said[("span", span)] = Phrase(N_("{n} below in the reporting line"), n=span)
            bits.append(part)
        if roles:
            key = tuple(roles)
            part = said.get(key)
            if part is None:
                terms = tuple(Term(r, r.replace("_", " ")) for r in roles)
                part = said[key] = Phrase(N_("{roles}"), roles=Seq(terms, N_(", ")))
            bits.append(part)
        # the English as the f-string it always was (one per person of the account: the cheapest), the message and
        # fields beside it for another language
        if bits:
            why = Seq(tuple(bits), N_("; "))
            explanation = Phrase.known(
                f"authority {auth:.2f} ({'; '.join(bits)}) × {wa:.2f} + influence {infl:.2f} (sways {sways}) × "
                f"{wi:.2f} + brokerage {brok:.2f} × {wb:.2f} = {score:.3f}",
                N_(
                    "authority {authority:.2f} ({why}) × {wa:.2f} + influence {influence:.2f} (sways {sways}) × "
                    "{wi:.2f} + brokerage {brokerage:.2f} × {wb:.2f} = {score:.3f}"
                ),
                authority=auth,
                why=why,
                wa=wa,
                influence=infl,
                sways=sways,
                wi=wi,
                brokerage=brok,
                wb=wb,
                score=score,
            )
        else:
            explanation = Phrase.known(
                f"authority {auth:.2f} × {wa:.2f} + influence {infl:.2f} (sways {sways}) × {wi:.2f} + "
                f"brokerage {brok:.2f} × {wb:.2f} = {score:.3f}",
                N_(
                    "authority {authority:.2f} × {wa:.2f} + influence {influence:.2f} (sways {sways}) × {wi:.2f} + "
                    "brokerage {brokerage:.2f} × {wb:.2f} = {score:.3f}"
                ),
                authority=auth,
                wa=wa,
                influence=infl,
                sways=sways,
                wi=wi,
                brokerage=brok,
                wb=wb,
                score=score,
            )
        out.append(
            PersonRank.built(
                rank=position,
                id=view.ids[i],
                name=str(a.get("name") or view.ids[i]),
                company=a.get("company"),
                department=a.get("department"),
                title=a.get("title"),
                stance=str(a.get("stance") or "unknown"),
                score=score,
                authority=AuthorityPart.built(
                    level=level,
                    level_score=level_score,
                    span=span,
                    span_score=span_score,
                    roles=roles,
                    role_score=role_score,
                    value=auth,
                ),
                influence=InfluencePart.built(pagerank=pr, sways=sways, value=infl),
                brokerage=BrokeragePart.built(betweenness=btw, value=brok),
                explanation=explanation,
            )
        )
    return out


def key_people(
    view: AccountView,
    params: RankParams | None = None,
    *,
    top: int | None = None,
) -> Ranking:
    """Rank the people of an account by authority, influence and brokerage.

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`).
    params : RankParams, optional
        Weights and method settings (default: the view's options, else `RankParams()`).
    top : int, optional
        Keep only the best `top` people (default: everyone).

    Returns
    -------
    Ranking
        Everyone (or the top) best first, each with the three parts and an explanation, and the method
        used (iterations, exact or sampled betweenness); memoised on the view per ranking and `top` (the
        same object again: not to be changed).

    Examples
    --------
    >>> import networkx as nx
    >>> from accountgraph.algorithms import prepare
    >>> G = nx.MultiDiGraph(account="acme")
    >>> G.add_node("boss", kind="person", name="Boss", level=1, roles=["decision_maker"], stance="neutral")
    >>> G.add_node("aide", kind="person", name="Aide", level=2, roles=[], stance="neutral")
    >>> G.add_edge("aide", "boss", key="REPORTS_TO")
    'REPORTS_TO'
    >>> [p.id for p in key_people(prepare(G)).people]
    ['boss', 'aide']
    """
    arrays = rank_arrays(view, params)
    key = f"ranking.result:{id(arrays)}:{top}"  # not "rank:": it lists stances, which edits may change
    cached = view.cache.get(key)
    if isinstance(cached, tuple) and cached[0] is arrays:
        result: Ranking = cached[1]
        return result
    chosen = arrays.order if top is None else arrays.order[:top]
    with paused_gc():  # four acyclic models per person
        people = _person_ranks(view, arrays, chosen.tolist())
    result = Ranking(
        account=view.account,
        as_of=view.as_of,
        reference=view.reference,
        people=people,
        method=arrays.method,
    )
    view.cache[key] = (arrays, result)  # the arrays are kept, so their id is not reused while cached
    return result
