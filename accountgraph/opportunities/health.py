"""Opportunity health: features from the graph and the deal's history, an explainable win probability, and
the actions that would raise it most.

**Features**: see `accountgraph.opportunities.features` (the facts of a deal's committee on the account's
prepared view, and the feature values computed from them).

**Model.** ``P(win) = σ(b + Σ_k w_k (x_k − c_k) / s_k)``: each feature's contribution is its coefficient
times its standardised value, in log-odds, and ``b`` the log-odds of a deal at the centre values. With at
least ``MIN_CLOSED`` closed deals of both outcomes (each with the features stored when it closed), ``w``,
``c``, ``s`` come from a logistic regression (scikit-learn, L2, C = 1, fixed ``random_state``) fitted on
the store's closed opportunities, standardised by their means and standard deviations; otherwise the
**scorecard**, fixed weights and centres written in `features.FEATURES`.

**Actions.** Candidate moves (recruit a champion, strengthen the tie to the champion, contact a cold or
uncovered decision maker, win over an opponent, add a second thread) are simulated on the committee's facts;
the features are recomputed and the moves ranked by the gain in probability; the best ``ACTIONS_SHOWN``.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from accountgraph.algorithms.prepared import AccountView
from accountgraph.graph.store import GraphStore
from accountgraph.opportunities.features import (
    FEATURE_NAMES,
    FEATURES,
    DealState,
    MemberFacts,
    account_grade_value,
    deal_state,
    features_of,
)
from accountgraph.opportunities.models import Opportunity
from accountgraph.opportunities.service import get_opportunity, get_pipeline, list_opportunities
from accountgraph.services import analysis
from accountgraph.services.analysis import ViewCache

__all__ = [
    "ACTIONS_SHOWN",
    "MIN_CLOSED",
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
        return {k: self.weights[k] * (x[k] - self.centres[k]) / self.scales[k] for k in FEATURE_NAMES}

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
    """A logistic regression on closed deals ``(features, won)``; the scorecard when there are fewer than
    `min_closed` of them or only one outcome."""
    wins = sum(1 for _, won in rows if won)
    if len(rows) < min_closed or wins == 0 or wins == len(rows):
        return replace(scorecard(), trained_on=len(rows), wins=wins)
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.array([[r[k] for k in FEATURE_NAMES] for r, _ in rows], dtype=np.float64)
    y = np.array([1 if won else 0 for _, won in rows], dtype=np.int64)
    centre = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000, random_state=0)
    model.fit((X - centre) / scale, y)
    coef = model.coef_[0]
    return WinModel(
        kind="logistic_regression",
        intercept=float(model.intercept_[0]),
        weights={k: float(coef[j]) for j, k in enumerate(FEATURE_NAMES)},
        centres={k: float(centre[j]) for j, k in enumerate(FEATURE_NAMES)},
        scales={k: float(scale[j]) for j, k in enumerate(FEATURE_NAMES)},
        trained_on=len(rows),
        wins=wins,
    )


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


_models: OrderedDict[Hashable, WinModel] = OrderedDict()
_models_lock = threading.Lock()


def win_model(store: GraphStore) -> WinModel:
    """The model fitted on the store's closed deals (cached per store data version)."""
    key = (getattr(store, "url", id(store)), store.data_version())
    with _models_lock:
        model = _models.get(key)
    if model is not None:
        return model
    model = fit_model(training_rows(store))
    with _models_lock:
        _models[key] = model
        while len(_models) > 8:
            _models.popitem(last=False)
    return model


# ---- results ----------------------------------------------------------------------------------
class FeatureContribution(BaseModel):
    name: str
    label: str
    value: float
    contribution: float = Field(description="log-odds: coefficient × standardised value")


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
    description: str
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
    committee: list[CommitteeMemberHealth]
    actions: list[HealthAction]
    explanation: str


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
            text = f"recruit {m.name} as the deal's champion" + (f" (through {who})" if who else "")
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
            text = f"strengthen the tie to champion {m.name} (now {m.best:.2f})" + (
                f": {who} meets them" if who else ""
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
            since = "never contacted" if m.days is None else f"last contact {m.days:.0f} days ago"
            text = f"contact decision maker {m.name} ({since})" + (f": {who}" if who else "")
            out.append(("contact_decision_maker", m.person, who, text, after))
        if m.opposing:
            roles = tuple(r for r in m.roles if r != "blocker")
            after = _with(state, m.person, stance="neutral", roles=roles)
            who = m.best_member or owner
            out.append(("win_over", m.person, who, f"win over {m.name} (now {m.stance})", after))
    threads: set[str] = set()
    for m in ms:
        threads |= m.threads
    spare = [t for t in state.team if t not in threads]
    if ms and spare:
        target = max(ms, key=lambda m: (m.weight, m.person))
        who = spare[0]
        after = _with(state, target.person, threads=target.threads | {who}, best=max(target.best, state.threshold))
        text = f"add a thread: {who} builds a relationship with {target.name}"
        out.append(("add_thread", target.person, who, text, after))
    return out


def health_of(
    opp: Opportunity, state: DealState, model: WinModel, reference: datetime, *, shown: int = ACTIONS_SHOWN
) -> OpportunityHealth:
    """The health of a deal from its state and a model (pure: no store)."""
    x = features_of(state)
    p = model.probability(x)
    contrib = model.contributions(x)
    labels = {f.name: f.label for f in FEATURES}
    contributions = sorted(
        (FeatureContribution(name=k, label=labels[k], value=x[k], contribution=contrib[k]) for k in FEATURE_NAMES),
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
    top = contributions[:3]
    reasons = ", ".join(f"{c.label} {'+' if c.contribution >= 0 else '−'}{abs(c.contribution):.2f}" for c in top)
    source = (
        f"a logistic regression fitted on {model.trained_on} closed deals ({model.wins} won)"
        if model.kind == "logistic_regression"
        else f"the scorecard ({model.trained_on} closed deals with features: too few to fit on)"
    )
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
        committee=[_member_health(m, state.threshold) for m in state.members],
        actions=actions[:shown],
        explanation=f"win probability {100 * p:.0f}% by {source}; largest effects (log-odds): {reasons}",
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
    cache: ViewCache | None = analysis.default_cache,
) -> OpportunityHealth:
    """The health of an opportunity now: win probability, each feature's contribution, the best actions.

    Raises:
        NotFoundError: no such opportunity (or its account is gone).
    """
    opp = get_opportunity(store, id)
    pipeline = get_pipeline(store)
    view = _account_view(store, opp.account, reference, cache)
    state = deal_state(view, opp, pipeline, account_grade_value(store, opp.account, view.reference.date()))
    chosen = win_model(store) if model == "auto" else scorecard() if model == "scorecard" else model
    assert isinstance(chosen, WinModel)
    return health_of(opp, state, chosen, view.reference)
