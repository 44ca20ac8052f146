"""Generated deal history: closed opportunities on a generated account whose outcome is driven by
relationship quality, with noise, so that a win model has something real to learn and an evaluation means
something.

For each deal: a buying committee of 3–6 people drawn from the account's best-ranked people, with per-deal
roles (a decision maker, often a champion, buyers) and, for about half of them, a per-deal stance; the open
stage it closed from and how long it sat there. The committee's relationship facts are read from the
account's prepared view (our ties, their effective strengths and last contacts), then varied per deal (the
deal closed at another time, when the ties were warmer or colder). The outcome is
``won ~ Bernoulli(σ(TRUE_INTERCEPT + Σ TRUE_WEIGHTS_k · (x_k − c_k) / s_k + ε))``, ``ε ~ N(0, NOISE)``, with
``c``, ``s`` the scorecard's centres and scales and a penalty for deals stuck more than 90 days. The true
weights are not the scorecard's (the scorecard is a prior, not the truth), but they have the signs of the
features' common-sense directions (`features.DIRECTIONS`), like every model: the truth is monotone too.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal

from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.ranking import rank_arrays
from accountgraph.graph.store import DocumentWrite, GraphStore
from accountgraph.opportunities.features import (
    DAYS_CAP,
    FEATURE_NAMES,
    FEATURES,
    DealState,
    deal_state,
    encode_features,
    features_of,
)
from accountgraph.opportunities.models import CommitteeMember, Opportunity, Pipeline, StageChange
from accountgraph.schema.models import Role, Stance
from accountgraph.services.scope import Scope

__all__ = [
    "DEMO_OPPORTUNITY",
    "NOISE",
    "TRUE_INTERCEPT",
    "TRUE_WEIGHTS",
    "generate_history",
    "seed_demo_opportunities",
    "store_history",
    "true_probability",
]

TRUE_WEIGHTS: dict[str, float] = {
    "coverage": 1.0,
    "champion": 0.5,
    "champion_tie": 0.9,
    "opponents": -1.1,
    "dm_days_min": -0.2,
    "dm_days_mean": -0.4,
    "threads": 0.5,
    "stage": 0.7,
    "stage_age": -0.2,
    "grade": 0.3,
}
TRUE_INTERCEPT = 0.0
NOISE = 0.8
"""Standard deviation of the log-odds noise: what no feature explains."""

_SPEC = {f.name: f for f in FEATURES}


def true_probability(x: dict[str, float]) -> float:
    """The generator's win probability of features `x` before the noise (the best any model could do)."""
    z = TRUE_INTERCEPT + sum(TRUE_WEIGHTS[k] * (x[k] - _SPEC[k].centre) / _SPEC[k].scale for k in FEATURE_NAMES)
    z -= 0.8 * max(0.0, x["stage_age"] - 90.0) / 90.0
    return 1.0 / (1.0 + math.exp(-z))


def _vary(state: DealState, rng: random.Random) -> DealState:
    """The committee facts as they stood when this deal closed: ties warmer or colder, contacts older or newer."""
    heat = rng.uniform(0.55, 1.35)
    age = rng.uniform(0.3, 2.5)
    members = []
    for m in state.members:
        best = min(1.0, m.best * heat * rng.uniform(0.85, 1.15))
        days = None if m.days is None else min(DAYS_CAP, m.days * age * rng.uniform(0.7, 1.3))
        threads = frozenset(t for t in sorted(m.threads) if rng.random() < 0.85)
        members.append(replace(m, best=best, days=days, threads=threads))
    return replace(state, members=tuple(members))


def generate_history(
    view: AccountView,
    count: int,
    seed: int,
    *,
    pipeline: Pipeline | None = None,
    grade: float | None = None,
    id_prefix: str | None = None,
) -> list[tuple[Opportunity, dict[str, float], float]]:
    """`count` closed opportunities of the view's account, each with its closing features and the true
    probability it was drawn with: ``(opportunity, features, p_true)``. Deterministic for a seed.

    The opportunities carry `features_at_close`, so storing them (`documents.commit`) gives a store a history
    the win model fits on.
    """
    rng = random.Random(seed)
    pipeline = pipeline or Pipeline()
    arrays = rank_arrays(view)
    ranked = [view.ids[i] for i in arrays.order.tolist()][:40]
    if len(ranked) < 3:
        raise ValueError("the account needs at least 3 people to generate deal history")
    grade = float(rng.randint(0, 3)) if grade is None else grade
    prefix = id_prefix or f"{view.account}-opp"
    stances = [Stance.SUPPORTER, Stance.NEUTRAL, Stance.OPPONENT, Stance.UNKNOWN]
    out = []
    end = datetime.combine(view.reference.date(), time(), tzinfo=view.reference.tzinfo)
    for n in range(count):
        size = rng.randint(3, min(6, len(ranked)))
        people = rng.sample(ranked, size)
        committee = []
        for j, person in enumerate(people):
            roles: list[Role] | None = None
            if j == 0:
                roles = [Role.DECISION_MAKER]
            elif j == 1 and rng.random() < 0.6:
                roles = [Role.CHAMPION]
            elif rng.random() < 0.5:
                roles = [rng.choice([Role.ECONOMIC_BUYER, Role.TECHNICAL_BUYER, Role.USER_BUYER, Role.INFLUENCER])]
            stance = rng.choices(stances, weights=[0.35, 0.35, 0.18, 0.12])[0] if rng.random() < 0.6 else None
            committee.append(CommitteeMember(person=person, roles=roles, stance=stance))
        reached = rng.randrange(len(pipeline.stages))
        closed = end - timedelta(days=rng.uniform(1, 540))
        stage_age = rng.expovariate(1 / 40.0)
        entered = closed - timedelta(days=stage_age)
        history = [
            StageChange(stage=s, at=entered - timedelta(days=14.0 * (reached - k)))
            for k, s in enumerate(pipeline.stages[: reached + 1])
        ]
        created = history[0].at
        opp = Opportunity(
            id=f"{prefix}-{n:05d}",
            account=view.account,
            name=f"Deal {n + 1}",
            stage=pipeline.stages[reached],
            amount=Decimal(rng.randrange(20, 2000) * 1000),
            currency="EUR",
            expected_close=closed.date(),
            committee=committee,
            stage_history=history,
            created_at=created,
        )
        state = _vary(deal_state(view, opp, pipeline, grade, at=closed), rng)
        x = features_of(state)
        p = true_probability(x)
        z = math.log(p / (1 - p)) + rng.gauss(0.0, NOISE)
        won = rng.random() < 1.0 / (1.0 + math.exp(-z))
        final = pipeline.won if won else pipeline.lost
        opp = opp.model_copy(
            update={
                "stage": final,
                "stage_history": [*history, StageChange(stage=final, at=closed)],
                "closed_at": closed,
                "features_at_close": encode_features(x),
            }
        )
        out.append((opp, x, p))
    return out


def store_history(store: GraphStore, account: str, count: int, seed: int) -> list[Opportunity]:
    """Generate `count` closed opportunities on a stored account and write them in one commit (ids
    ``{account}-hist-{seed}-NNNNN``; refused as a whole if one exists already)."""
    from accountgraph.opportunities.service import get_pipeline
    from accountgraph.services import analysis

    root = store.account_of(account)
    view = analysis.account_view(store, root)
    deals = generate_history(view, count, seed, pipeline=get_pipeline(store), id_prefix=f"{root}-hist-{seed}")
    opps = [o for o, _, _ in deals]
    store.documents.commit([DocumentWrite.of(o) for o in opps])
    return opps


DEMO_OPPORTUNITY = "opp-imaging-platform"


def seed_demo_opportunities(store: GraphStore, account: str, *, deals: int = 150, seed: int = 1) -> Opportunity:
    """The demo's deals on `account`: `deals` generated closed ones to fit on, and one open opportunity
    (`DEMO_OPPORTUNITY`) with a committee of the account's best-ranked people, one of them its champion.
    Idempotent: a second call finds them and writes nothing."""
    from accountgraph.opportunities.service import create_opportunity
    from accountgraph.services import analysis

    existing = store.documents.get(Opportunity.kind, DEMO_OPPORTUNITY)
    if existing is not None:
        return Opportunity.model_validate(existing.data)
    if store.documents.get(Opportunity.kind, f"{account}-hist-{seed}-00000") is None:
        store_history(store, account, deals, seed)
    view = analysis.account_view(store, account)
    ranked = [p.id for p in analysis.rank(store, Scope.operator(), account, top=4).people]
    roles = [[Role.DECISION_MAKER, Role.ECONOMIC_BUYER], [Role.TECHNICAL_BUYER], None, [Role.CHAMPION]]
    committee = [
        CommitteeMember(person=p, roles=r, stance=Stance.OPPONENT if n == 2 else None)
        for n, (p, r) in enumerate(zip(ranked, roles, strict=False))
    ]
    owner = next((t for t in view.team if view.node(t).get("function") == "account_manager"), None)
    return create_opportunity(
        store,
        account,
        "Imaging platform roll-out",
        id=DEMO_OPPORTUNITY,
        stage="propose",
        amount=Decimal("480000.00"),
        owner=owner,
        committee=committee,
    )
