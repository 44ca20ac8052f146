"""Opportunity health: features from the graph and the deal's history, an explainable win probability, and
the actions that would raise it most.

**Features** (`FEATURES`), computed on the account's prepared view with the committee's per-deal roles and
stances applied (`committee.committee_view`):

* ``coverage`` — the coverage score restricted to the committee, 0..1: ``Σ w_p [best_p ≥ threshold] / Σ w_p``
  over the committee, ``w_p`` the person's key-people score (at least the coverage ``min_weight``),
  ``best_p`` the effective strength (`algorithms.strength`) of our strongest tie to them, the threshold the
  coverage one (0.3).
* ``champion`` — 1 when a committee member holds the champion role and is not an opponent, else 0.
* ``champion_tie`` — the effective strength of our strongest tie to such a champion (0 without one).
* ``opponents`` — committee members who are opponents in a buying role (decision maker, economic,
  technical or user buyer) or hold the blocker role.
* ``dm_days_min`` / ``dm_days_mean`` — days since our last contact (interaction or recorded contact)
  with each decision maker of the committee (decision maker or economic buyer; every member when none is),
  capped at ``DAYS_CAP`` (also the value of someone we never contacted).
* ``threads`` — how many of our team members hold a tie of effective strength ≥ ``THREAD_MIN`` to a
  committee member (multi-threading).
* ``stage`` — how far the deal is along the open stages, 0 (first) to 1 (last); ``stage_age`` — days in
  it (capped at ``DAYS_CAP``).
* ``grade`` — the account's value grade (`ledger.value`), D=0 … A=3; ``DEFAULT_GRADE`` when the ledger
  has no orders at all for the account.

**Model.** ``P(win) = σ(b + Σ_k w_k (x_k − c_k) / s_k)``: each feature's contribution is its coefficient
times its standardised value, in log-odds, and ``b`` the log-odds of a deal at the centre values. With at
least ``MIN_CLOSED`` closed deals of both outcomes (each with the features stored when it closed), ``w``,
``c``, ``s`` come from a logistic regression (scikit-learn, L2, C = 1, fixed ``random_state``) fitted on
the store's closed opportunities, standardised by their means and standard deviations; otherwise the
**scorecard**, fixed weights and centres written in `FEATURES`.

**Actions.** Candidate moves (recruit a champion, strengthen the tie to the champion, contact a cold or
uncovered decision maker, win over an opponent, add a second thread) are simulated on the committee's facts;
the features are recomputed and the moves ranked by the gain in probability; the best ``ACTIONS_SHOWN``.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from accountgraph import analysis
from accountgraph.algorithms.coverage import BUYING_ROLES
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.ranking import RankArrays, rank_arrays
from accountgraph.analysis import ViewCache
from accountgraph.errors import NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.opportunities.committee import committee_view
from accountgraph.opportunities.models import Opportunity, Pipeline

__all__ = [
    "ACTIONS_SHOWN",
    "DAYS_CAP",
    "DEFAULT_GRADE",
    "FEATURES",
    "MIN_CLOSED",
    "DealState",
    "FeatureSpec",
    "MemberFacts",
    "OpportunityHealth",
    "WinModel",
    "closing_features",
    "committee_coverage",
    "deal_state",
    "features_of",
    "fit_model",
    "opportunity_health",
    "scorecard",
    "training_rows",
    "win_model",
]

DAYS_CAP = 365.0
THREAD_MIN = 0.1
DEFAULT_GRADE = "C"
GRADE_VALUE = {"D": 0.0, "C": 1.0, "B": 2.0, "A": 3.0}
MIN_CLOSED = 30
ACTIONS_SHOWN = 3
DECISION_ROLES = ("decision_maker", "economic_buyer")


@dataclass(frozen=True)
class FeatureSpec:
    """A feature and its scorecard entry: contribution ``weight · (value − centre) / scale`` log-odds."""

    name: str
    label: str
    centre: float
    scale: float
    weight: float


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("coverage", "committee coverage", 0.3, 0.25, 0.8),
    FeatureSpec("champion", "champion present", 0.5, 0.5, 0.4),
    FeatureSpec("champion_tie", "tie to the champion", 0.2, 0.25, 0.6),
    FeatureSpec("opponents", "opponents or blockers among decision makers", 0.5, 1.0, -0.9),
    FeatureSpec("dm_days_min", "days since the warmest decision maker was contacted", 180.0, 120.0, -0.3),
    FeatureSpec("dm_days_mean", "mean days since decision makers were contacted", 240.0, 100.0, -0.2),
    FeatureSpec("threads", "our people with committee relationships", 2.0, 1.5, 0.4),
    FeatureSpec("stage", "stage reached", 0.5, 0.35, 0.5),
    FeatureSpec("stage_age", "days in the stage", 40.0, 40.0, -0.3),
    FeatureSpec("grade", "account grade (D=0 … A=3)", 1.5, 1.0, 0.3),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
SCORECARD_INTERCEPT = -0.4
"""The scorecard's log-odds of a deal at the centre values (a 40 % win rate)."""


# ---- the facts of a deal ----------------------------------------------------------------------
@dataclass(frozen=True)
class MemberFacts:
    """What the features need to know about one committee member (with the deal's overrides applied)."""

    person: str
    name: str
    roles: tuple[str, ...]
    stance: str
    overridden: bool
    in_account: bool
    weight: float
    best: float  # effective strength of our strongest tie
    best_member: str | None
    threads: frozenset[str]  # our members with a tie of at least THREAD_MIN
    days: float | None  # since our last contact (None: never)

    @property
    def decision_maker(self) -> bool:
        return any(r in DECISION_ROLES for r in self.roles)

    @property
    def champion(self) -> bool:
        return "champion" in self.roles and self.stance != "opponent"

    @property
    def opposing(self) -> bool:
        return (self.stance == "opponent" and any(r in BUYING_ROLES for r in self.roles)) or "blocker" in self.roles


@dataclass(frozen=True)
class DealState:
    members: tuple[MemberFacts, ...]
    threshold: float
    stage: float
    stage_age: float
    grade: float
    team: tuple[str, ...] = field(default=())  # our members in the account (for the thread action)


def features_of(state: DealState) -> dict[str, float]:
    """The feature values of a deal's state (see the module docstring)."""
    ms = [m for m in state.members if m.in_account]
    total = sum(m.weight for m in ms)
    covered = sum(m.weight for m in ms if m.best >= state.threshold)
    champions = [m for m in ms if m.champion]
    dms = [m for m in ms if m.decision_maker] or ms
    days = [min(DAYS_CAP, m.days) if m.days is not None else DAYS_CAP for m in dms]
    threads: set[str] = set()
    for m in ms:
        threads |= m.threads
    return {
        "coverage": covered / total if total > 0 else 0.0,
        "champion": 1.0 if champions else 0.0,
        "champion_tie": max((m.best for m in champions), default=0.0),
        "opponents": float(sum(1 for m in ms if m.opposing)),
        "dm_days_min": min(days) if days else DAYS_CAP,
        "dm_days_mean": sum(days) / len(days) if days else DAYS_CAP,
        "threads": float(len(threads)),
        "stage": state.stage,
        "stage_age": min(DAYS_CAP, max(0.0, state.stage_age)),
        "grade": state.grade,
    }


def _grade(store: GraphStore, account: str, on: date) -> float:
    from accountgraph.ledger import value

    try:
        v = value.account_value(store, account, on)
    except NotFoundError:
        return GRADE_VALUE[DEFAULT_GRADE]
    return GRADE_VALUE[v.grade if v.frequency > 0 else DEFAULT_GRADE]


def committee_score(view: AccountView, arrays: RankArrays, i: int, roles: Sequence[str]) -> float:
    """Person `i`'s key-people score with `roles` in place of their account-level ones.

    Only the role part of the authority depends on roles (`ranking._rank`), so this equals the score a
    full ranking of the committee's view gives, without ranking the account again for every deal.
    """
    rp = view.options.rank
    role_score = max((rp.role_weights.get(r, 0.0) for r in roles), default=0.0)
    aw = rp.authority_weights
    a_total = aw.level + aw.span + aw.role
    if a_total <= 0:
        return float(arrays.score[i])
    delta = arrays.weights["authority"] * aw.role * (role_score - float(arrays.role_score[i])) / a_total
    return float(arrays.score[i]) + delta


def deal_state(
    view: AccountView,
    opp: Opportunity,
    pipeline: Pipeline,
    grade: float,
    *,
    stage: str | None = None,
    at: datetime | None = None,
) -> DealState:
    """The committee facts of `opp` on the account's view (`stage` in place of the current one if given)."""
    cview = committee_view(view, opp.committee)
    arrays = rank_arrays(view)  # the account's ranking; only the role part of a score changes per deal
    params = view.options.coverage
    members = []
    for m in opp.committee:
        i = cview.index.get(m.person)
        if i is None or i >= cview.P:
            members.append(
                MemberFacts(m.person, m.person, (), "unknown", False, False, 0.0, 0.0, None, frozenset(), None)
            )
            continue
        attrs = cview.attrs[i]
        ties = cview.ties_of_person.get(m.person, [])
        ages = [t.core.age_days for t in ties if t.core.age_days is not None]
        members.append(
            MemberFacts(
                person=m.person,
                name=cview.name(m.person),
                roles=tuple(attrs.get("roles") or ()),
                stance=str(attrs.get("stance") or "unknown"),
                overridden=m.roles is not None or m.stance is not None,
                in_account=True,
                weight=max(committee_score(view, arrays, i, attrs.get("roles") or ()), params.min_weight),
                best=ties[0].core.effective if ties else 0.0,
                best_member=ties[0].member if ties else None,
                threads=frozenset(t.member for t in ties if t.core.effective >= THREAD_MIN),
                days=min(ages) if ages else None,
            )
        )
    now = at or view.reference
    entered = opp.stage_entered()
    return DealState(
        members=tuple(members),
        threshold=params.threshold,
        stage=pipeline.position(stage or opp.stage),
        stage_age=(now - entered).total_seconds() / 86400.0,
        grade=grade,
        team=tuple(view.team),
    )


def committee_coverage(view: AccountView, opp: Opportunity) -> tuple[float, set[str]]:
    """The committee coverage score (0..100) of `opp` on `view` and the committee members it covers."""
    state = deal_state(view, opp, Pipeline(stages=[opp.stage]), GRADE_VALUE[DEFAULT_GRADE])
    covered = {m.person for m in state.members if m.in_account and m.best >= state.threshold}
    return 100.0 * features_of(state)["coverage"], covered


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
    from accountgraph.opportunities.service import get_pipeline, list_opportunities

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
    from accountgraph.opportunities.service import get_opportunity, get_pipeline

    opp = get_opportunity(store, id)
    pipeline = get_pipeline(store)
    view = _account_view(store, opp.account, reference, cache)
    state = deal_state(view, opp, pipeline, _grade(store, opp.account, view.reference.date()))
    chosen = win_model(store) if model == "auto" else scorecard() if model == "scorecard" else model
    assert isinstance(chosen, WinModel)
    return health_of(opp, state, chosen, view.reference)


def closing_features(store: GraphStore, opp: Opportunity, stage: str, at: datetime | None = None) -> dict[str, str]:
    """The features of a deal that closes at `at` (default now) from open stage `stage`, as decimal strings
    (for the ledger). A close dated in the past reads the account as it stood that day."""
    pipeline = _pipeline(store)
    now = datetime.now(UTC)
    at = at or now
    if at.date() < now.date():
        view = analysis.account_view(store, opp.account, as_of=at.date(), reference=at, cache=None)
    else:
        view = analysis.account_view(store, opp.account, cache=analysis.default_cache)
    state = deal_state(view, opp, pipeline, _grade(store, opp.account, at.date()), stage=stage, at=at)
    return encode_features(features_of(state))


def encode_features(x: dict[str, float]) -> dict[str, str]:
    """Feature values as decimal strings with 6 decimals (the ledger stores no floats)."""
    return {k: format(round(x[k], 6), ".6f") for k in FEATURE_NAMES}


def _pipeline(store: GraphStore) -> Pipeline:
    from accountgraph.opportunities.service import get_pipeline

    return get_pipeline(store)
