"""The facts of a deal and its features: what the win-probability model (`health`) learns from and scores,
and what a deal stores when it closes (`closing_features`, called by `service.move_stage`).

`committee_view` applies the committee's per-deal roles and stances to a shallow copy of the account's
`AccountView`: the copy shares the graph, the ties and the strengths, and has its own `attrs` (the
overridden people only are new dicts) and an empty result cache, so every algorithm run on it (ranking,
coverage, paths) sees the deal's roles and stances while the account's view and every other caller are
untouched.

**Features** (`FEATURES`), computed on the account's prepared view with the committee's per-deal roles and
stances applied (`committee_view`):

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
* ``grade`` — the account's value grade (`ledger.value`; `account_grade_value`), D=0 … A=3; ``DEFAULT_GRADE``
  when the ledger has no orders at all for the account.

`FEATURES` also holds each feature's scorecard entry (the model's fixed weights, `health.scorecard`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from accountgraph.algorithms.coverage import BUYING_ROLES
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.ranking import RankArrays, rank_arrays
from accountgraph.errors import NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.opportunities.models import CommitteeMember, Opportunity, Pipeline
from accountgraph.services import analysis
from accountgraph.services.analysis import ViewCache

__all__ = [
    "DAYS_CAP",
    "DEFAULT_GRADE",
    "DIRECTIONS",
    "FEATURES",
    "FEATURE_NAMES",
    "GRADE_VALUE",
    "THREAD_MIN",
    "DealState",
    "FeatureSpec",
    "MemberFacts",
    "account_grade_value",
    "closing_features",
    "committee_coverage",
    "committee_score",
    "committee_view",
    "deal_state",
    "encode_features",
    "features_of",
]

DAYS_CAP = 365.0
THREAD_MIN = 0.1
DEFAULT_GRADE = "C"
GRADE_VALUE = {"D": 0.0, "C": 1.0, "B": 2.0, "A": 3.0}
DECISION_ROLES = ("decision_maker", "economic_buyer")


@dataclass(frozen=True)
class FeatureSpec:
    """A feature and its scorecard entry: contribution ``weight · (value − centre) / scale`` log-odds.

    `direction` is the common-sense direction of the feature: +1, more of it never lowers the win probability
    (coverage, a champion, a stronger tie to them, more threads, a later stage, a better grade); −1, more of it
    never raises it (opponents, days since contact, days stuck in the stage). Every model obeys it: the
    scorecard's weights have its sign and a fitted model's coefficients are constrained to it (`health`)."""

    name: str
    label: str
    centre: float
    scale: float
    weight: float
    direction: int


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("coverage", Phrase(N_("committee coverage")), 0.3, 0.25, 0.8, +1),
    FeatureSpec("champion", Phrase(N_("champion present")), 0.5, 0.5, 0.4, +1),
    FeatureSpec("champion_tie", Phrase(N_("tie to the champion")), 0.2, 0.25, 0.6, +1),
    FeatureSpec("opponents", Phrase(N_("opponents or blockers among decision makers")), 0.5, 1.0, -0.9, -1),
    FeatureSpec(
        "dm_days_min", Phrase(N_("days since the warmest decision maker was contacted")), 180.0, 120.0, -0.3, -1
    ),
    FeatureSpec("dm_days_mean", Phrase(N_("mean days since decision makers were contacted")), 240.0, 100.0, -0.2, -1),
    FeatureSpec("threads", Phrase(N_("our people with committee relationships")), 2.0, 1.5, 0.4, +1),
    FeatureSpec("stage", Phrase(N_("stage reached")), 0.5, 0.35, 0.5, +1),
    FeatureSpec("stage_age", Phrase(N_("days in the stage")), 40.0, 40.0, -0.3, -1),
    FeatureSpec("grade", Phrase(N_("account grade (D=0 … A=3)")), 1.5, 1.0, 0.3, +1),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
DIRECTIONS: dict[str, int] = {f.name: f.direction for f in FEATURES}
"""Each feature's common-sense direction (`FeatureSpec.direction`)."""


def committee_view(view: AccountView, committee: list[CommitteeMember]) -> AccountView:
    """`view` with the committee's role and stance overrides applied (the view itself is not changed)."""
    overrides = [m for m in committee if m.roles is not None or m.stance is not None]
    if not overrides:
        return view
    out = copy.copy(view)
    attrs = list(view.attrs)
    for m in overrides:
        i = view.index.get(m.person)
        if i is None or i >= view.P:
            continue
        person = dict(attrs[i])
        if m.roles is not None:
            person["roles"] = [r.value for r in m.roles]
        if m.stance is not None:
            person["stance"] = m.stance.value
        attrs[i] = person
    out.attrs = attrs
    out._avoid = None
    # the ranking reads roles (authority), so it is only shared when no role changed
    roles_changed = any(m.roles is not None for m in overrides)
    out.cache = {} if roles_changed else {k: v for k, v in view.cache.items() if k.startswith("rank:")}
    return out


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
    names: tuple[tuple[str, str], ...] = field(default=())  # our members' names by id, for what is said of them

    def name_of(self, member: str) -> str:
        """The name of one of ours (the id when it is not known)."""
        return next((name for id_, name in self.names if id_ == member), member)


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


def account_grade_value(store: GraphStore, account: str, on: date) -> float:
    """The ``grade`` feature: the account's value grade on `on` as a number (`GRADE_VALUE`)."""
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
        names=tuple((t, view.name(t)) for t in dict.fromkeys([*view.team, opp.owner]) if t and t in view.index),
    )


def committee_coverage(view: AccountView, opp: Opportunity) -> tuple[float, set[str]]:
    """The committee coverage score (0..100) of `opp` on `view` and the committee members it covers."""
    state = deal_state(view, opp, Pipeline(stages=[opp.stage]), GRADE_VALUE[DEFAULT_GRADE])
    covered = {m.person for m in state.members if m.in_account and m.best >= state.threshold}
    return 100.0 * features_of(state)["coverage"], covered


def closing_features(
    store: GraphStore,
    opp: Opportunity,
    pipeline: Pipeline,
    stage: str,
    at: datetime | None = None,
    *,
    cache: ViewCache | None,
) -> dict[str, str]:
    """The features of a deal that closes at `at` (default now) from open stage `stage` of `pipeline`, as
    decimal strings (for the ledger). A close dated in the past reads the account as it stood that day; a
    close now reads the account's view from the caller's `cache` (None: prepared afresh)."""
    now = datetime.now(UTC)
    at = at or now
    if at.date() < now.date():
        view = analysis.account_view(store, opp.account, as_of=at.date(), reference=at, cache=None)
    else:
        view = analysis.account_view(store, opp.account, cache=cache)
    state = deal_state(view, opp, pipeline, account_grade_value(store, opp.account, at.date()), stage=stage, at=at)
    return encode_features(features_of(state))


def encode_features(x: dict[str, float]) -> dict[str, str]:
    """Feature values as decimal strings with 6 decimals (the ledger stores no floats)."""
    return {k: format(round(x[k], 6), ".6f") for k in FEATURE_NAMES}
