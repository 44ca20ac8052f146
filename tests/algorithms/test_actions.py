"""Next best actions and account risk."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from accountgraph.algorithms import ActionParams, RiskParams, account_risk, coverage, fast, next_best_actions, prepare
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.results import ActionPlan
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.samples.sample import sample_bundle
from accountgraph.services import analysis
from tests.algorithms.support import REFERENCE, Spec, person, projection


def account() -> Spec:
    spec = Spec(team=["t0", "t1"], companies={"acc": None, "sub": "acc", "plant": "sub"})
    spec.people = {
        "ceo": person(level=1, roles=["decision_maker"], stance="neutral", title="CEO"),
        "cfo": person(level=2, roles=["economic_buyer"], stance="neutral"),
        "pal": person(level=3, stance="supporter"),
        "foe": person(level=2, stance="opponent"),
        "gm": person(level=2, roles=["user_buyer"], company="sub"),
        "old": person(level=3, roles=["technical_buyer"]),
    }
    spec.reports = {"cfo": "ceo", "pal": "cfo", "foe": "ceo", "gm": "ceo"}
    spec.knows = [("t0", "pal", 0.9), ("t1", "foe", 0.9), ("t0", "old", 0.9), ("t1", "cfo", 0.9)]
    spec.influences = [("pal", "ceo", 0.6), ("foe", "ceo", 0.95)]
    spec.last_contact = {("t0", "old"): "2024-01-01"}
    return spec


def test_actions_are_ordered_by_expected_gain_and_explained() -> None:
    view = prepare(projection(account()), reference=REFERENCE)
    plan = next_best_actions(view)
    cov = coverage(view)
    assert plan.coverage == pytest.approx(cov.score)
    assert [a.priority for a in plan.actions] == list(range(1, len(plan.actions) + 1))
    gains = [a.expected_gain for a in plan.actions]
    assert gains == sorted(gains, reverse=True)
    by_target = {a.target: a for a in plan.actions}
    ceo = by_target["ceo"]
    assert ceo.kind == "reach" and ceo.path is not None
    # the path avoids the opponent: through our supporter, not `foe`
    assert [h.target for h in ceo.path.hops] == ["pal", "ceo"] and ceo.member == "t0"
    assert ceo.success == pytest.approx(ceo.path.strength)
    assert ceo.expected_gain == pytest.approx(ceo.coverage_gain * ceo.success)
    share = next(p for p in cov.people if p.id == "ceo").weight / sum(p.weight for p in cov.people) * 100
    assert ceo.coverage_gain == pytest.approx(share)
    assert any("decision maker" in w for w in ceo.why) and "introduction" in ceo.plan
    # a stale direct tie: re-engage
    assert by_target["old"].kind == "reengage" and "re-engages" in by_target["old"].plan
    # nobody of ours in the subsidiary
    assert any("no contact of ours yet" in w for w in by_target["gm"].why)
    # the CFO is single-threaded (only t1): a second thread protects coverage
    second = [a for a in plan.actions if a.kind == "second_thread"]
    assert second and second[0].target == "cfo" and second[0].member != "t1"
    assert second[0].coverage_gain == pytest.approx(
        next(p for p in cov.people if p.id == "cfo").weight / sum(p.weight for p in cov.people) * 100 * 0.2
    )


def test_limit_and_cold_approach() -> None:
    spec = account()
    spec.people["island"] = person(level=1, roles=["decision_maker"], company="sub")
    plan = next_best_actions(prepare(projection(spec)), ActionParams(limit=50, cold_strength=0.05))
    island = next(a for a in plan.actions if a.target == "island")
    assert island.path is None and island.success == 0.05 and "cold" in island.plan and island.member in ("t0", "t1")
    assert len(next_best_actions(prepare(projection(spec)), ActionParams(limit=2)).actions) == 2


def test_risk_rolls_up_the_company_tree() -> None:
    spec = account()
    spec.risks = [
        {
            "id": "r1",
            "company": "plant",
            "kind": "litigation",
            "severity": 5,
            "amount": "25000000.00",
            "currency": "EUR",
            "at": "2025-12-31",
            "summary": "Product liability suit",
        },
        {
            "id": "r2",
            "company": "acc",
            "kind": "news",
            "severity": 2,
            "amount": None,
            "currency": None,
            "at": "2025-01-01",
            "summary": None,
        },
    ]
    params = RiskParams()
    report = account_risk(prepare(projection(spec), reference=REFERENCE))
    r1 = next(e for e in report.events if e.id == "r1")
    assert r1.depth == 2
    assert r1.parts["severity"] == 1.0 and r1.parts["kind"] == 1.0
    assert r1.parts["amount"] == pytest.approx(1 + math.log10(26))
    assert r1.parts["recency"] == pytest.approx(2 ** (-1 / 365))
    assert r1.contribution == pytest.approx(r1.score * params.attenuation**2)
    r2 = next(e for e in report.events if e.id == "r2")
    assert r2.parts["recency"] == pytest.approx(0.5)
    assert report.rolled_up == pytest.approx(r1.contribution + r2.contribution)
    assert report.score == pytest.approx(100 * (1 - math.exp(-report.rolled_up)))
    companies = {c.id: c for c in report.companies}
    assert companies["plant"].own == pytest.approx(r1.score)
    assert companies["sub"].rolled_up == pytest.approx(params.attenuation * r1.score)
    assert companies["acc"].rolled_up == pytest.approx(report.rolled_up)
    assert [a.risk for a in report.alerts] == ["r1"]
    assert "2 levels below the group" in report.alerts[0].message and report.alerts[0].level == "high"
    # the same event at the top weighs more
    spec.risks[0]["company"] = "acc"
    assert account_risk(prepare(projection(spec)), reference=REFERENCE).score > report.score


def test_no_risk_events() -> None:
    report = account_risk(prepare(projection(account())), reference=REFERENCE)
    assert report.score == 0.0 and report.alerts == [] and report.events == []


# ---- a plan a team can carry (issue 14, item 11) -----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_view(tmp_path_factory: pytest.TempPathFactory) -> AccountView:
    folder = tmp_path_factory.mktemp("sample")
    with SqliteStore(f"sqlite:///{folder / 's.db'}") as store:
        store.load_bundle(sample_bundle())
        return analysis.account_view(store, "medtech", as_of=REFERENCE, reference=REFERENCE)


def carried_by_room(view: AccountView, plan: ActionPlan, capacity: int) -> None:
    """No owner has more than `capacity` actions while a colleague with room has a warm path to the target."""
    load = Counter(a.member for a in plan.actions if a.member)
    full = [view.index[m] for m, n in load.items() if n >= capacity]
    room = [m for m in view.team if load[m] < capacity]
    for member, n in load.items():
        if n <= capacity:
            continue
        over = [a for a in plan.actions if a.member == member and any("over capacity" in w for w in a.why)]
        assert len(over) >= n - capacity
        for action in over:
            target = view.index[action.target]
            for other in room:  # nobody with room reaches them, even through the full members' colleagues
                reach = fast.reachable(view.contact, view.index[other], removed=[*full, view.root])
                assert not reach[target], (action.target, other)


def test_the_sample_plan_is_spread_over_the_team(sample_view: AccountView) -> None:
    plan = next_best_actions(sample_view)
    assert plan.capacity == 3 and len(plan.actions) == 10
    owners = Counter(a.member for a in plan.actions)
    # before: 7 of the 10 went to one member (the best-connected one)
    assert max(owners.values()) <= 3 and len(owners) >= 4
    carried_by_room(sample_view, plan, 3)
    gains = [a.expected_gain for a in plan.actions]
    assert gains == sorted(gains, reverse=True)
    for capacity in (1, 2, 5):
        tight = next_best_actions(sample_view, ActionParams(capacity=capacity))
        assert tight.capacity == capacity and len(tight.actions) == 10
        carried_by_room(sample_view, tight, capacity)
    # the best-connected member and the intermediary most paths depend on are reported
    lead = next(c for c in plan.overloaded if c.kind == "team")
    assert lead.paths >= plan.overloaded[-1].paths and 0 < lead.share <= 1
    assert any(c.kind == "person" and c.single_point for c in plan.overloaded)


def two_ways() -> Spec:
    """The boss is reached through `solo` (only t0 knows them) or, slightly weaker, through `hub` (both do)."""
    spec = Spec(team=["t0", "t1"])
    spec.people = {
        "boss": person(level=1, roles=["decision_maker"], stance="neutral"),
        "solo": person(level=3),
        "hub": person(level=3),
    }
    spec.knows = [("t0", "solo", 0.9), ("t0", "hub", 0.85), ("t1", "hub", 0.85)]
    spec.influences = [("solo", "boss", 0.9), ("hub", "boss", 0.9)]
    return spec


def test_an_intermediary_who_is_no_single_point_of_failure_is_preferred() -> None:
    # trade-off: a single point of failure counts at single_point_factor (0.8) of its hop, so the path through
    # `solo` (0.81) is taken only when it is more than 1 / 0.8 = 1.25 times as strong as the one through `hub`
    view = prepare(projection(two_ways()), reference=REFERENCE)
    boss = next(a for a in next_best_actions(view).actions if a.target == "boss")
    assert boss.path is not None and [h.target for h in boss.path.hops] == ["hub", "boss"]
    assert boss.success == pytest.approx(0.85 * 0.9) and boss.expected_gain == pytest.approx(0.765 * boss.coverage_gain)
    # without the factor the stronger path through `solo` wins
    plain = next_best_actions(view, ActionParams(single_point_factor=1.0))
    assert [h.target for h in next(a for a in plain.actions if a.target == "boss").path.hops] == ["solo", "boss"]  # type: ignore[union-attr]
    # much stronger (0.81 against 0.85 × 0.5 = 0.425): worth the risk
    spec = two_ways()
    spec.influences = [("solo", "boss", 0.9), ("hub", "boss", 0.5)]
    strong = next(a for a in next_best_actions(prepare(projection(spec))).actions if a.target == "boss")
    assert strong.path is not None and [h.target for h in strong.path.hops] == ["solo", "boss"]


def funnel() -> Spec:
    """Five people reached only through `gate`, whom only t0 knows; `side` known by t1."""
    spec = Spec(team=["t0", "t1"])
    spec.people = {"gate": person(level=2), "side": person(level=2)}
    spec.people |= {f"p{i}": person(level=3, roles=["influencer"]) for i in range(5)}
    spec.knows = [("t0", "gate", 0.9), ("t1", "side", 0.9)] + [("gate", f"p{i}", 0.8) for i in range(5)]
    return spec


def test_overloaded_connectors() -> None:
    view = prepare(projection(funnel()), reference=REFERENCE)
    plan = next_best_actions(view)
    # the best paths to the seven people of the chain: six through t0, five through gate, one through t1
    assert [(c.id, c.kind, c.paths, c.single_point) for c in plan.overloaded] == [
        ("t0", "team", 6, True),  # (t0 cuts us off from gate and the five: an articulation member)
        ("gate", "person", 5, True),
    ]
    gate = plan.overloaded[1]
    assert gate.share == pytest.approx(5 / 7) and "a single point of failure" in gate.explanation
    assert gate.actions == sum(
        1 for a in plan.actions if a.path is not None and "gate" in [h.target for h in a.path.hops[:-1]]
    )
    assert next_best_actions(view, ActionParams(overload_share=0.9)).overloaded == []
    assert [c.id for c in next_best_actions(view, ActionParams(overload_min=6)).overloaded] == ["t0"]


def test_a_full_member_keeps_an_action_only_nobody_else_can_take() -> None:
    view = prepare(projection(funnel()), reference=REFERENCE)
    plan = next_best_actions(view, ActionParams(capacity=2))
    mine = [a for a in plan.actions if a.member == "t0"]
    # only t0 reaches gate and the five behind it: over capacity, and said so, rather than dropped or cold
    assert len(mine) > 2 and all(a.path is not None for a in mine)
    over = [a for a in mine if any(w.startswith("over capacity: T0 already has 2 actions") for w in a.why)]
    assert len(over) == len(mine) - 2
    carried_by_room(view, plan, 2)
