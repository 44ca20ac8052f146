"""Opportunity health: features from the graph and the deal's history, an explainable win probability, and
the actions that would raise it most.

**Features**: see `accountgraph.opportunities.features` (the facts of a deal's committee on the account's
prepared view, and the feature values computed from them).

**Model.** ``P(win) = σ(b + Σ_k w_k (x_k − c_k) / s_k)``: each feature's contribution is its coefficient
times its standardised value, in log-odds, and ``b`` the log-odds of a deal at the centre values. With at
least ``MIN_CLOSED`` closed deals of both outcomes (each with the features stored when it closed), ``w``,
``c``, ``s`` come from a logistic regression fitted on the store's closed opportunities, standardised by
their means and standard deviations; otherwise the **scorecard**, fixed weights and centres written in
`features.FEATURES`.

**Monotone by construction.** Each feature has a common-sense direction (`features.DIRECTIONS`: more days
since contact never raises the probability, more coverage or a stronger champion tie never lowers it). The
regression is fitted with each coefficient's sign bounded to that direction (L2 with C = 1, as
scikit-learn's default, minimised by L-BFGS-B with bounds: the maximum-likelihood fit among the models that
obey the directions). A feature whose data would push it the wrong way (e.g. two collinear contact-recency
features, one absorbing the other) gets 0 rather than a sign a salesperson could not trust. A sign
constraint keeps the model a sum of one term per feature, so the explanation stays exact (unlike monotonic
gradient boosting, whose per-feature effects interact); since ``P`` increases with the log-odds and each
term is monotone in its own feature, the probability is monotone in every feature.

**Explanations.** Each contribution is stated against a named baseline: the typical deal (the centre
values: the mean of the closed deals fitted on, or the scorecard's), e.g. "last contact with the warmest
decision maker 176 days ago, more recent than the typical 240: +0.79". A contribution is positive only when
the deal is better than the typical deal in the feature's direction, so more silence never reads as a gain.
**Risks** list what threatens the deal, the decision makers and champions nobody of ours reaches first.

**Cache.** The fitted model is kept in the caller's `services.analysis.AnalysisCache` (the API's app or one
CLI run), keyed by the store's data version; without one it is fitted on every call.

**Actions.** Candidate moves (recruit a champion, strengthen the tie to the champion, contact a cold or
uncovered decision maker, win over an opponent, add a second thread) are simulated on the committee's facts;
the features are recomputed and the moves ranked by the gain in probability; the best ``ACTIONS_SHOWN``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.results import Text
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Pct, Phrase, Seq, Term
from accountgraph.opportunities.features import (
    DIRECTIONS,
    FEATURE_NAMES,
    FEATURES,
    GRADE_VALUE,
    DealState,
    MemberFacts,
    account_grade_value,
    deal_state,
    features_of,
)
from accountgraph.opportunities.models import Opportunity
from accountgraph.opportunities.service import get_opportunity, get_pipeline, list_opportunities
from accountgraph.services import analysis
from accountgraph.services.analysis import AnalysisCache, ViewCache

__all__ = [
    "ACTIONS_SHOWN",
    "COLD_DAYS",
    "MIN_CLOSED",
    "HealthRisk",
    "OpportunityHealth",
    "WinModel",
    "fit_model",
    "opportunity_health",
    "scorecard",
    "training_rows",
    "win_model",
]

MIN_CLOSED = 30
ACTIONS_SHOWN = 3
SCORECARD_INTERCEPT = -0.4
"""The scorecard's log-odds of a deal at the centre values (a 40 % win rate)."""


# ---- the model --------------------------------------------------------------------------------
@dataclass(frozen=True)
class WinModel:
    """``P(win) = σ(intercept + Σ weight_k (x_k − centre_k) / scale_k)``."""

    kind: Literal["logistic_regression", "scorecard"]
    intercept: float
    weights: dict[str, float]
    centres: dict[str, float]
    scales: dict[str, float]
    trained_on: int = 0
    wins: int = 0

    def contributions(self, x: dict[str, float]) -> dict[str, float]:
        # + 0.0: a zero weight's -0.0 reads as 0
        return {k: self.weights[k] * (x[k] - self.centres[k]) / self.scales[k] + 0.0 for k in FEATURE_NAMES}

    def log_odds(self, x: dict[str, float]) -> float:
        return self.intercept + sum(self.contributions(x).values())

    def probability(self, x: dict[str, float]) -> float:
        z = self.log_odds(x)
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def scorecard() -> WinModel:
    """The transparent scorecard (fixed weights of `FEATURES`)."""
    return WinModel(
        kind="scorecard",
        intercept=SCORECARD_INTERCEPT,
        weights={f.name: f.weight for f in FEATURES},
        centres={f.name: f.centre for f in FEATURES},
        scales={f.name: f.scale for f in FEATURES},
    )


def fit_model(rows: list[tuple[dict[str, float], bool]], *, min_closed: int = MIN_CLOSED) -> WinModel:
    """A logistic regression on closed deals ``(features, won)`` with each coefficient's sign bounded to its
    feature's direction (`features.DIRECTIONS`); the scorecard when there are fewer than `min_closed` of them
    or only one outcome."""
    wins = sum(1 for _, won in rows if won)
    if len(rows) < min_closed or wins == 0 or wins == len(rows):
        return replace(scorecard(), trained_on=len(rows), wins=wins)
    import numpy as np

    X = np.array([[r[k] for k in FEATURE_NAMES] for r, _ in rows], dtype=np.float64)
    y = np.array([1.0 if won else 0.0 for _, won in rows], dtype=np.float64)
    centre = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    coef, intercept = _fit_signed((X - centre) / scale, y, [DIRECTIONS[k] for k in FEATURE_NAMES])
    return WinModel(
        kind="logistic_regression",
        intercept=intercept,
        weights={k: float(coef[j]) for j, k in enumerate(FEATURE_NAMES)},
        centres={k: float(centre[j]) for j, k in enumerate(FEATURE_NAMES)},
        scales={k: float(scale[j]) for j, k in enumerate(FEATURE_NAMES)},
        trained_on=len(rows),
        wins=wins,
    )


def _fit_signed(Z: Any, y: Any, signs: list[int], C: float = 1.0) -> tuple[list[float], float]:
    """L2-regularised logistic regression (``Σ log-loss + ‖w‖² / 2C``, intercept unpenalised, as
    scikit-learn's `LogisticRegression`) with ``w_k ≥ 0`` where ``signs[k] > 0`` and ``w_k ≤ 0`` where
    ``signs[k] < 0``, by L-BFGS-B. Returns the coefficients and the intercept."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import expit

    n = Z.shape[1]

    def loss(theta: Any) -> tuple[float, Any]:
        w, b = theta[:n], theta[n]
        z = Z @ w + b
        value = float(np.sum(np.logaddexp(0.0, z) - y * z) + w @ w / (2 * C))
        r = expit(z) - y
        return value, np.concatenate([Z.T @ r + w / C, [r.sum()]])

    bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
    found = minimize(loss, np.zeros(n + 1), jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000})
    theta = found.x
    return [float(v) for v in theta[:n]], float(theta[n])


def training_rows(store: GraphStore) -> list[tuple[dict[str, float], bool]]:
    """The store's closed opportunities that carry their closing features, as ``(features, won)``."""
    pipeline = get_pipeline(store)
    rows = []
    for opp in list_opportunities(store):
        if not pipeline.is_closed(opp.stage) or not opp.features_at_close:
            continue
        try:
            x = {k: float(opp.features_at_close[k]) for k in FEATURE_NAMES}
        except (KeyError, ValueError):
            continue
        rows.append((x, opp.stage == pipeline.won))
    return rows


def win_model(store: GraphStore, *, cache: AnalysisCache | None) -> WinModel:
    """The model fitted on the store's closed deals, kept in the caller's `cache` per store data version
    (None: fitted afresh)."""
    if cache is None:
        return fit_model(training_rows(store))
    scope = (getattr(store, "url", id(store)), "win_model")
    return cache.fitted(scope, store.data_version(), lambda: fit_model(training_rows(store)))


# ---- results ----------------------------------------------------------------------------------
class FeatureContribution(BaseModel):
    name: str
    label: Text
    value: float
    baseline: float = Field(description="the typical deal's value (the model's centre), which scores 0")
    contribution: float = Field(description="log-odds against the typical deal: coefficient × standardised value")
    statement: Text = Field(description="the value against the named baseline and its effect, in words")


class HealthRisk(BaseModel):
    kind: Literal[
        "unreached_decision_maker",
        "unreached_champion",
        "no_champion",
        "opponent",
        "cold_decision_maker",
        "single_threaded",
        "stalled",
    ]
    person: str | None
    description: Text


class CommitteeMemberHealth(BaseModel):
    person: str
    name: str
    roles: list[str] = Field(description="the roles in this deal (overrides applied)")
    stance: str = Field(description="the stance in this deal (override applied)")
    overridden: bool
    in_account: bool
    covered: bool
    best_strength: float
    best_member: str | None
    threads: list[str]
    days_since_contact: float | None


class HealthAction(BaseModel):
    kind: Literal["recruit_champion", "strengthen_champion", "contact_decision_maker", "win_over", "add_thread"]
    person: str | None
    member: str | None = Field(description="who of ours should act")
    description: Text
    probability: float = Field(description="the win probability after the action")
    gain: float = Field(description="probability points gained (0..1)")


class OpportunityHealth(BaseModel):
    opportunity: str
    account: str
    name: str
    stage: str
    reference: datetime
    probability: float
    model: Literal["logistic_regression", "scorecard"]
    trained_on: int = Field(description="closed deals the model was fitted on (0 for the scorecard)")
    base_log_odds: float = Field(description="the log-odds of a deal at the centre values")
    contributions: list[FeatureContribution] = Field(description="largest effect first")
    risks: list[HealthRisk] = Field(
        description="what threatens the deal, a champion or decision maker nobody of ours reaches first"
    )
    committee: list[CommitteeMemberHealth]
    actions: list[HealthAction]
    explanation: Text


def _member_health(m: MemberFacts, threshold: float) -> CommitteeMemberHealth:
    return CommitteeMemberHealth(
        person=m.person,
        name=m.name,
        roles=list(m.roles),
        stance=m.stance,
        overridden=m.overridden,
        in_account=m.in_account,
        covered=m.best >= threshold,
        best_strength=m.best,
        best_member=m.best_member,
        threads=sorted(m.threads),
        days_since_contact=m.days,
    )


COLD_DAYS = 90.0
"""A decision maker not contacted for longer than this is a risk; so is a deal stuck longer in its stage."""


def _than(value: float, baseline: float, lower: str, higher: str) -> Phrase:
    """`lower` or `higher` (messages marked `N_`, "lower than"), or "the same as", comparing `value` to `baseline`."""
    if abs(value - baseline) < 1e-9:
        return Phrase(N_("the same as"))
    return Phrase(lower if value < baseline else higher)


_GRADES = {v: k for k, v in GRADE_VALUE.items()}


def _statement(name: str, x: float, c: float) -> Phrase:
    """Feature `name`'s value `x` against the typical deal's `c`, in words."""
    if name == "coverage":
        return Phrase(
            N_("committee coverage {x}, {than} the typical {c}"),
            x=Pct(x),
            than=_than(x, c, N_("lower than"), N_("higher than")),
            c=Pct(c),
        )
    if name == "champion":
        if x >= 0.5:
            return Phrase(N_("a champion in the committee (the typical deal: {c} have one)"), c=Pct(c))
        return Phrase(N_("no champion in the committee (the typical deal: {c} have one)"), c=Pct(c))
    if name == "champion_tie":
        return Phrase(
            N_("our tie to the champion {x:.2f}, {than} the typical {c:.2f}"),
            x=x,
            than=_than(x, c, N_("weaker than"), N_("stronger than")),
            c=c,
        )
    if name == "opponents":
        return Phrase(
            N_("{x} opponents or blockers among the buyers, {than} the typical {c}"),
            x=Num(x, ".0f"),
            than=_than(x, c, N_("fewer than"), N_("more than")),
            c=Num(c, ".1f"),
        )
    if name == "dm_days_min":
        return Phrase(
            N_("last contact with the warmest decision maker {x} days ago, {than} the typical {c}"),
            x=Num(x, ".0f"),
            than=_than(x, c, N_("more recent than"), N_("longer ago than")),
            c=Num(c, ".0f"),
        )
    if name == "dm_days_mean":
        return Phrase(
            N_("decision makers last contacted {x} days ago on average, {than} the typical {c}"),
            x=Num(x, ".0f"),
            than=_than(x, c, N_("more recent than"), N_("longer ago than")),
            c=Num(c, ".0f"),
        )
    if name == "threads":
        return Phrase(
            N_("{x} of our people with committee relationships, {than} the typical {c}"),
            x=Num(x, ".0f"),
            than=_than(x, c, N_("fewer than"), N_("more than")),
            c=Num(c, ".1f"),
        )
    if name == "stage":
        return Phrase(
            N_("stage reached {x} of the way, {than} the typical {c}"),
            x=Pct(x),
            than=_than(x, c, N_("earlier than"), N_("further than")),
            c=Pct(c),
        )
    if name == "stage_age":
        return Phrase(
            N_("{x} days in the stage, {than} the typical {c}"),
            x=Num(x, ".0f"),
            than=_than(x, c, N_("fewer than"), N_("more than")),
            c=Num(c, ".0f"),
        )
    if name == "grade":
        return Phrase(
            N_("account grade {grade}, {than} the typical {c} (D=0 … A=3)"),
            grade=_GRADES.get(x, f"{x:g}"),
            than=_than(x, c, N_("lower than"), N_("higher than")),
            c=Num(c, ".1f"),
        )
    return Phrase(
        N_("{name} {x}, {than} the typical {c}"),
        name=name,
        x=Num(x, "g"),
        than=_than(x, c, N_("lower than"), N_("higher than")),
        c=Num(c, "g"),
    )


def _roles_text(m: MemberFacts) -> Seq:
    return Seq(
        tuple(Term(r, r.replace("_", " ")) for r in m.roles if r in ("decision_maker", "economic_buyer", "champion")),
        N_(" and "),
    )


def _since(days: float | None) -> Phrase:
    if days is None:
        return Phrase(N_("never contacted"))
    return Phrase(N_("last contact {days} days ago"), days=Num(days, ".0f"))


def risks_of(state: DealState) -> list[HealthRisk]:
    """What threatens a deal, in this order: a champion or decision maker nobody of ours reaches (no tie of
    ours at the coverage threshold), no champion, opponents, decision makers gone cold, a single thread, a
    deal stuck in its stage."""
    ms = [m for m in state.members if m.in_account]
    unreached, rest = [], []
    for m in sorted(ms, key=lambda m: (not m.champion, -m.weight, m.person)):
        if (m.champion or m.decision_maker) and m.best < state.threshold:
            how = (
                Phrase(N_("no tie of ours"))
                if m.best <= 0
                else Phrase(
                    N_("our best tie {best:.2f}, below the threshold {threshold}"),
                    best=m.best,
                    threshold=Num(state.threshold, "g"),
                )
            )
            unreached.append(
                HealthRisk(
                    kind="unreached_champion" if m.champion else "unreached_decision_maker",
                    person=m.person,
                    description=Phrase(
                        N_("nobody of ours reaches {roles} {name} ({how})"), roles=_roles_text(m), name=m.name, how=how
                    ),
                )
            )
    if ms and not any(m.champion for m in ms):
        rest.append(HealthRisk(kind="no_champion", person=None, description=Phrase(N_("no champion in the committee"))))
    for m in ms:
        if m.opposing:
            roles = (
                Seq(tuple(Term(r, r.replace("_", " ")) for r in m.roles), N_(", "))
                if m.roles
                else Phrase(N_("no role"))
            )
            rest.append(
                HealthRisk(
                    kind="opponent",
                    person=m.person,
                    description=Phrase(
                        N_("{name} opposes ({stance}; {roles})"),
                        name=m.name,
                        stance=Term(m.stance, m.stance),
                        roles=roles,
                    ),
                )
            )
    for m in ms:
        if m.decision_maker and m.best >= state.threshold and (m.days is None or m.days > COLD_DAYS):
            rest.append(
                HealthRisk(
                    kind="cold_decision_maker",
                    person=m.person,
                    description=Phrase(
                        N_("{roles} {name} gone cold ({since})"),
                        roles=_roles_text(m),
                        name=m.name,
                        since=_since(m.days),
                    ),
                )
            )
    threads: set[str] = set()
    for m in ms:
        threads |= m.threads
    if ms and len(threads) <= 1:
        who = (
            Phrase(N_("only {name} of ours"), name=state.name_of(next(iter(threads))))
            if threads
            else Phrase(N_("none of ours"))
        )
        rest.append(
            HealthRisk(
                kind="single_threaded",
                person=None,
                description=Phrase(N_("single-threaded: {who} knows the committee"), who=who),
            )
        )
    if state.stage_age > COLD_DAYS:
        rest.append(
            HealthRisk(
                kind="stalled",
                person=None,
                description=Phrase(N_("{days} days in the current stage"), days=Num(state.stage_age, ".0f")),
            )
        )
    return unreached + rest


STRONG_TIE = 0.9
"""The effective strength of a strong champion tie (what *strengthen the champion* aims at)."""


def _with(state: DealState, person: str, **changes: object) -> DealState:
    members = tuple(replace(m, **changes) if m.person == person else m for m in state.members)  # type: ignore[arg-type]
    return replace(state, members=members)


def candidate_actions(state: DealState, owner: str | None) -> list[tuple[str, str | None, str | None, str, DealState]]:
    """Every candidate move as ``(kind, person, member, description, state after)``."""
    out: list[tuple[str, str | None, str | None, str, DealState]] = []
    ms = [m for m in state.members if m.in_account]
    strong = max(STRONG_TIE, state.threshold)
    champions = [m for m in ms if m.champion]
    if not champions:
        for m in sorted(ms, key=lambda m: (-m.best, m.person)):
            if m.stance == "opponent" or "blocker" in m.roles:
                continue
            who = m.best_member or owner
            after = _with(state, m.person, roles=(*m.roles, "champion"))
            text = (
                Phrase(
                    N_("recruit {name} as the deal's champion (through {member})"),
                    name=m.name,
                    member=state.name_of(who),
                )
                if who
                else Phrase(N_("recruit {name} as the deal's champion"), name=m.name)
            )
            out.append(("recruit_champion", m.person, who, text, after))
            break
    for m in champions:
        if m.best < strong:
            who = m.best_member or owner
            after = _with(
                state,
                m.person,
                best=strong,
                days=0.0,
                threads=m.threads | ({who} if who else frozenset()),
                best_member=who,
            )
            text = (
                Phrase(
                    N_("strengthen the tie to champion {name} (now {best:.2f}): {member} meets them"),
                    name=m.name,
                    best=m.best,
                    member=state.name_of(who),
                )
                if who
                else Phrase(N_("strengthen the tie to champion {name} (now {best:.2f})"), name=m.name, best=m.best)
            )
            out.append(("strengthen_champion", m.person, who, text, after))
    for m in ms:
        cold = m.days is None or m.days > 30
        if m.decision_maker and (cold or m.best < state.threshold):
            who = m.best_member or owner
            after = _with(
                state,
                m.person,
                best=max(m.best, state.threshold),
                days=0.0,
                threads=m.threads | ({who} if who else frozenset()),
                best_member=who,
            )
            text = (
                Phrase(
                    N_("contact decision maker {name} ({since}): {member}"),
                    name=m.name,
                    since=_since(m.days),
                    member=state.name_of(who),
                )
                if who
                else Phrase(N_("contact decision maker {name} ({since})"), name=m.name, since=_since(m.days))
            )
            out.append(("contact_decision_maker", m.person, who, text, after))
        if m.opposing:
            roles = tuple(r for r in m.roles if r != "blocker")
            after = _with(state, m.person, stance="neutral", roles=roles)
            who = m.best_member or owner
            text = Phrase(N_("win over {name} (now {stance})"), name=m.name, stance=Term(m.stance, m.stance))
            out.append(("win_over", m.person, who, text, after))
    threads: set[str] = set()
    for m in ms:
        threads |= m.threads
    spare = [t for t in state.team if t not in threads]
    if ms and spare:
        target = max(ms, key=lambda m: (m.weight, m.person))
        who = spare[0]
        after = _with(state, target.person, threads=target.threads | {who}, best=max(target.best, state.threshold))
        text = Phrase(
            N_("add a thread: {member} builds a relationship with {name}"), member=state.name_of(who), name=target.name
        )
        out.append(("add_thread", target.person, who, text, after))
    return out


def health_of(
    opp: Opportunity,
    state: DealState,
    model: WinModel,
    reference: datetime,
    *,
    shown: int = ACTIONS_SHOWN,
    closed: int | None = None,
) -> OpportunityHealth:
    """The health of a deal from its state and a model (pure: no store). `closed`: the closed deals with
    features the store holds, when `model` is the scorecard by choice rather than for want of them."""
    x = features_of(state)
    p = model.probability(x)
    contrib = model.contributions(x)
    labels = {f.name: f.label for f in FEATURES}
    contributions = sorted(
        (
            FeatureContribution(
                name=k,
                label=labels[k],
                value=x[k],
                baseline=model.centres[k],
                contribution=contrib[k],
                statement=Phrase(
                    N_("{statement}: {effect:+.2f}"), statement=_statement(k, x[k], model.centres[k]), effect=contrib[k]
                ),
            )
            for k in FEATURE_NAMES
        ),
        key=lambda c: (-abs(c.contribution), c.name),
    )
    actions = []
    for kind, person, member, text, after in candidate_actions(state, opp.owner):
        q = model.probability(features_of(after))
        if q - p > 1e-9:
            actions.append(
                HealthAction(
                    kind=kind,
                    person=person,
                    member=member,
                    description=text,
                    probability=q,
                    gain=q - p,
                )
            )
    actions.sort(key=lambda a: (-a.gain, a.kind, a.person or ""))
    risks = risks_of(state)
    reasons = Seq(tuple(c.statement for c in contributions[:3]), N_("; "))
    typical = Phrase(N_("the typical deal is the scorecard's"))
    if model.kind == "logistic_regression":
        source = Phrase(
            N_("a logistic regression fitted on {n} closed deals ({wins} won)"), n=model.trained_on, wins=model.wins
        )
        typical = Phrase(N_("the typical deal is the mean of those {n}"), n=model.trained_on)
    elif closed is not None:
        source = Phrase(N_("the fixed scorecard, as asked ({n} closed deals with features in the store)"), n=closed)
    else:
        source = Phrase(
            N_(
                "the scorecard ({n} closed deals with features, {wins} won: too few to fit on; "
                "a fit needs {needed} with both outcomes)"
            ),
            n=model.trained_on,
            wins=model.wins,
            needed=MIN_CLOSED,
        )
    first = Phrase(N_("; first risk: {risk}"), risk=risks[0].description) if risks else ""
    return OpportunityHealth(
        opportunity=opp.id,
        account=opp.account,
        name=opp.name,
        stage=opp.stage,
        reference=reference,
        probability=p,
        model=model.kind,
        trained_on=model.trained_on if model.kind == "logistic_regression" else 0,
        base_log_odds=model.intercept,
        contributions=contributions,
        risks=risks,
        committee=[_member_health(m, state.threshold) for m in state.members],
        actions=actions[:shown],
        explanation=Phrase(
            N_(
                "win probability {p}% by {source}; largest effects (log-odds against the typical deal; "
                "{typical}): {reasons}{first}"
            ),
            p=Num(100 * p, ".0f"),
            source=source,
            typical=typical,
            reasons=reasons,
            first=first,
        ),
    )


def _account_view(
    store: GraphStore, account: str, reference: date | datetime | None, cache: ViewCache | None
) -> AccountView:
    return analysis.account_view(store, account, reference=reference, cache=cache)


def opportunity_health(
    store: GraphStore,
    id: str,
    *,
    model: WinModel | Literal["auto", "scorecard"] = "auto",
    reference: date | datetime | None = None,
    cache: AnalysisCache | None,
) -> OpportunityHealth:
    """The health of an opportunity now: win probability, each feature's contribution against the typical
    deal, the risks, the best actions. `cache`: the caller's (views and the fitted model; None: none kept).

    Raises:
        NotFoundError: no such opportunity (or its account is gone).
    """
    opp = get_opportunity(store, id)
    pipeline = get_pipeline(store)
    view = _account_view(store, opp.account, reference, cache)
    state = deal_state(view, opp, pipeline, account_grade_value(store, opp.account, view.reference.date()))
    closed = None
    if model == "auto":
        chosen = win_model(store, cache=cache)
    elif model == "scorecard":
        chosen, closed = scorecard(), win_model(store, cache=cache).trained_on
    else:
        chosen = model
    return health_of(opp, state, chosen, view.reference, closed=closed)
