"""The win-probability model a salesperson can trust (issue 14, item 9): monotone where common sense says so,
for the scorecard, a fitted model and the generator's truth (property tests); contributions stated against
the typical deal; the first risk. Pure: no store."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountgraph.opportunities.features import (
    DAYS_CAP,
    DIRECTIONS,
    FEATURE_NAMES,
    FEATURES,
    DealState,
    MemberFacts,
    features_of,
)
from accountgraph.opportunities.health import WinModel, fit_model, health_of, risks_of, scorecard
from accountgraph.opportunities.models import CommitteeMember, Opportunity
from accountgraph.samples.deals import TRUE_WEIGHTS, true_probability

RANGES = {
    "coverage": (0.0, 1.0),
    "champion": (0.0, 1.0),
    "champion_tie": (0.0, 1.0),
    "opponents": (0.0, 5.0),
    "dm_days_min": (0.0, DAYS_CAP),
    "dm_days_mean": (0.0, DAYS_CAP),
    "threads": (0.0, 8.0),
    "stage": (0.0, 1.0),
    "stage_age": (0.0, DAYS_CAP),
    "grade": (0.0, 3.0),
}


def _misleading_rows(n: int = 1500, seed: int = 3) -> list[tuple[dict[str, float], bool]]:
    """Closed deals whose data would push an unconstrained fit the wrong way: the two contact-recency
    features are collinear and wins come with a *longer* silence to the warmest decision maker."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        x = {k: rng.uniform(*RANGES[k]) for k in FEATURE_NAMES}
        x["champion"] = float(rng.random() < 0.5)
        x["dm_days_min"] = min(DAYS_CAP, x["dm_days_mean"] * rng.uniform(0.6, 1.0))
        z = 2.0 * (x["coverage"] - 0.5) - 0.6 * (x["opponents"] - 2.0) - 3.0 * (x["dm_days_mean"] - 180) / 100.0
        z += 2.5 * (x["dm_days_min"] - 150) / 100.0  # silence "helps": must not survive the fit
        z -= 0.8 * (x["grade"] - 1.5)  # a better grade "hurts": must not survive either
        rows.append((x, rng.random() < 1.0 / (1.0 + math.exp(-z))))
    return rows


FITTED = fit_model(_misleading_rows())
MODELS = {"scorecard": scorecard(), "fitted": FITTED}


def test_the_fitted_coefficients_have_the_features_directions() -> None:
    assert FITTED.kind == "logistic_regression" and FITTED.trained_on == 1500
    for k in FEATURE_NAMES:
        assert FITTED.weights[k] * DIRECTIONS[k] >= 0, (k, FITTED.weights[k])
    # the misleading features are held at zero, the honest ones keep their effect
    assert FITTED.weights["dm_days_min"] == 0 and FITTED.weights["grade"] == 0
    assert FITTED.weights["dm_days_mean"] < -0.5 and FITTED.weights["coverage"] > 0.2


def test_the_scorecard_and_the_generator_agree_with_the_directions() -> None:
    for f in FEATURES:
        assert f.direction in (1, -1)
        assert f.weight * f.direction > 0, f.name
        assert TRUE_WEIGHTS[f.name] * f.direction > 0, f.name


def test_an_unconstrained_fit_agrees_when_no_constraint_binds() -> None:
    """Where the data obeys the directions, the constrained fit is scikit-learn's logistic regression."""
    from sklearn.linear_model import LogisticRegression

    rng = random.Random(7)
    rows = []
    for _ in range(800):
        x = {k: rng.uniform(*RANGES[k]) for k in FEATURE_NAMES}
        z = sum(DIRECTIONS[k] * (x[k] - sum(RANGES[k]) / 2) / (RANGES[k][1] - RANGES[k][0]) for k in FEATURE_NAMES)
        rows.append((x, rng.random() < 1.0 / (1.0 + math.exp(-2 * z))))
    ours = fit_model(rows)
    X = [[(r[k] - ours.centres[k]) / ours.scales[k] for k in FEATURE_NAMES] for r, _ in rows]
    theirs = LogisticRegression(C=1.0, max_iter=2000).fit(X, [int(w) for _, w in rows])
    for j, k in enumerate(FEATURE_NAMES):
        assert ours.weights[k] == pytest.approx(float(theirs.coef_[0][j]), abs=1e-3)
    assert ours.intercept == pytest.approx(float(theirs.intercept_[0]), abs=1e-3)


features = st.fixed_dictionaries({k: st.floats(*RANGES[k]) for k in FEATURE_NAMES})


@pytest.mark.parametrize("which", ["scorecard", "fitted", "generator"])
@settings(max_examples=300, deadline=None)
@given(x=features, name=st.sampled_from(FEATURE_NAMES), step=st.floats(0.0, 1.0))
def test_a_feature_moved_its_way_never_lowers_the_probability(
    which: str, x: dict[str, float], name: str, step: float
) -> None:
    """More of a +1 feature (or less of a −1 one) never lowers the probability, all else equal."""
    lo, hi = RANGES[name]
    better = dict(x)
    better[name] = x[name] + (hi - x[name]) * step if DIRECTIONS[name] > 0 else x[name] - (x[name] - lo) * step
    p = true_probability if which == "generator" else MODELS[which].probability
    assert p(better) >= p(x) - 1e-12


# ---- the facts of a deal ------------------------------------------------------------------------------
ROLES = ("decision_maker", "economic_buyer", "champion", "technical_buyer", "user_buyer", "blocker", "influencer")
TEAM = ("t1", "t2", "t3", "t4")


@st.composite
def members(draw: st.DrawFn, n: int) -> MemberFacts:
    return MemberFacts(
        person=f"p{n}",
        name=f"Person {n}",
        roles=tuple(draw(st.lists(st.sampled_from(ROLES), max_size=2, unique=True))),
        stance=draw(st.sampled_from(("supporter", "neutral", "opponent", "unknown"))),
        overridden=False,
        in_account=True,
        weight=draw(st.floats(0.05, 1.0)),
        best=draw(st.floats(0.0, 1.0)),
        best_member=draw(st.sampled_from(TEAM)),
        threads=frozenset(draw(st.lists(st.sampled_from(TEAM), max_size=3))),
        days=draw(st.none() | st.floats(0.0, 600.0)),
    )


@st.composite
def deals(draw: st.DrawFn) -> DealState:
    size = draw(st.integers(1, 6))
    return DealState(
        members=tuple(draw(members(n)) for n in range(size)),
        threshold=0.3,
        stage=draw(st.sampled_from((0.0, 1 / 3, 2 / 3, 1.0))),
        stage_age=draw(st.floats(0.0, 500.0)),
        grade=draw(st.sampled_from((0.0, 1.0, 2.0, 3.0))),
        team=TEAM,
    )


def _improve(state: DealState, move: str, i: int, amount: float, member: str) -> DealState:
    """One common-sense improvement of the deal's facts on member `i` of the committee."""
    m = state.members[i % len(state.members)]
    if move == "recent_contact":  # a more recent contact (or a first one)
        days = amount * 600 if m.days is None else m.days * (1 - amount)
        new = replace(m, days=days)
    elif move == "stronger_tie":  # a stronger tie: covering a committee role, reaching a champion or decision maker
        new = replace(m, best=m.best + (1 - m.best) * amount)
    elif move == "reach_decision_maker":  # one of ours reaches a decision maker at the threshold
        if not m.decision_maker:
            return state
        new = replace(m, best=max(m.best, 0.3), threads=m.threads | {member})
    elif move == "reach_champion":
        if not m.champion:
            return state
        new = replace(m, best=max(m.best, 0.3 + 0.7 * amount), threads=m.threads | {member})
    elif move == "another_thread":
        new = replace(m, threads=m.threads | {member})
    elif move == "won_over":
        new = replace(m, stance="neutral" if m.stance == "opponent" else m.stance, roles=tuple(
            r for r in m.roles if r != "blocker"
        ))  # fmt: skip
    else:  # "less_time_in_stage"
        return replace(state, stage_age=state.stage_age * (1 - amount))
    members_ = list(state.members)
    members_[i % len(members_)] = new
    return replace(state, members=tuple(members_))


MOVES = (
    "recent_contact",
    "stronger_tie",
    "reach_decision_maker",
    "reach_champion",
    "another_thread",
    "won_over",
    "less_time_in_stage",
)


@pytest.mark.parametrize("which", ["scorecard", "fitted"])
@settings(max_examples=300, deadline=None)
@given(
    state=deals(),
    move=st.sampled_from(MOVES),
    i=st.integers(0, 5),
    amount=st.floats(0.0, 1.0),
    member=st.sampled_from(TEAM),
)
def test_a_better_deal_never_scores_lower(
    which: str, state: DealState, move: str, i: int, amount: float, member: str
) -> None:
    """More recent contact, a stronger tie (a committee role covered, a champion or decision maker reached),
    another thread, an opponent won over, less time stuck: the probability never falls."""
    model = MODELS[which]
    after = _improve(state, move, i, amount, member)
    assert model.probability(features_of(after)) >= model.probability(features_of(state)) - 1e-12


# ---- explanations --------------------------------------------------------------------------------------
def _opp() -> Opportunity:
    return Opportunity(
        id="o",
        account="acc",
        name="Deal",
        stage="propose",
        committee=[CommitteeMember(person="p0")],
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _state(*ms: MemberFacts, stage_age: float = 10.0) -> DealState:
    return DealState(members=ms, threshold=0.3, stage=0.5, stage_age=stage_age, grade=1.0, team=TEAM)


def _member(person: str, roles: tuple[str, ...], best: float, days: float | None, **kw: object) -> MemberFacts:
    facts = MemberFacts(person, person.title(), roles, "neutral", False, True, 0.5, best, "t1", frozenset(), days)
    return replace(facts, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("which", ["scorecard", "fitted"])
@settings(max_examples=100, deadline=None)
@given(state=deals())
def test_a_contribution_is_a_gain_only_when_the_deal_beats_the_typical_one(which: str, state: DealState) -> None:
    model: WinModel = MODELS[which]
    h = health_of(_opp(), state, model, datetime(2026, 6, 1, tzinfo=UTC))
    for c in h.contributions:
        assert c.baseline == model.centres[c.name]
        assert "typical" in c.statement and c.statement.endswith(f"{c.contribution:+.2f}")
        if c.contribution > 1e-12:  # a gain: better than the typical deal in the feature's direction
            assert DIRECTIONS[c.name] * (c.value - c.baseline) > 0, c.statement
        if DIRECTIONS[c.name] * (c.value - c.baseline) < 0:  # worse than typical: never a gain
            assert c.contribution <= 1e-12, c.statement


def test_silence_is_stated_against_the_typical_deal() -> None:
    state = _state(_member("ceo", ("decision_maker",), 0.6, 176.0, threads=frozenset({"t1"})))
    h = health_of(_opp(), state, scorecard(), datetime(2026, 6, 1, tzinfo=UTC))
    by = {c.name: c for c in h.contributions}
    assert by["dm_days_mean"].statement == (
        "decision makers last contacted 176 days ago on average, more recent than the typical 240: +0.13"
    )
    colder = health_of(_opp(), _state(replace(state.members[0], days=300.0)), scorecard(), h.reference)
    cold = {c.name: c for c in colder.contributions}["dm_days_mean"]
    assert cold.contribution < 0 and "longer ago than the typical 240" in cold.statement
    assert "against the typical deal" in h.explanation


def test_an_unreached_champion_or_decision_maker_is_the_first_risk() -> None:
    dm = _member("ceo", ("decision_maker",), 0.6, 10.0, threads=frozenset({"t1"}))
    champion = _member("bea", ("champion",), 0.0, None, weight=0.2)
    opponent = _member("cfo", ("economic_buyer", "blocker"), 0.5, 200.0, stance="opponent", weight=0.9)
    cold_dm = _member("ops", ("decision_maker",), 0.1, 400.0, threads=frozenset({"t2"}))
    risks = risks_of(_state(opponent, dm, champion, cold_dm, stage_age=120.0))
    kinds = [r.kind for r in risks]
    assert kinds[:2] == ["unreached_champion", "unreached_decision_maker"]
    assert [r.person for r in risks[:2]] == ["bea", "ops"]
    assert risks[0].description == "nobody of ours reaches champion Bea (no tie of ours)"
    assert "our best tie 0.10, below the threshold 0.3" in risks[1].description
    assert {"opponent", "cold_decision_maker", "stalled"} <= set(kinds)
    h = health_of(_opp(), _state(opponent, dm, champion), scorecard(), datetime(2026, 6, 1, tzinfo=UTC))
    assert h.risks[0].kind == "unreached_champion"
    assert h.explanation.endswith("first risk: nobody of ours reaches champion Bea (no tie of ours)")
    # reached by one of ours: no longer a risk; no champion at all is one
    reached = risks_of(_state(dm, replace(champion, best=0.5)))
    assert all(r.kind != "unreached_champion" for r in reached)
    assert [r.kind for r in risks_of(_state(dm))][:1] == ["no_champion"]
