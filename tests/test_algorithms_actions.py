"""Next best actions and account risk."""

from __future__ import annotations

import math

import pytest

from accountgraph.algorithms import ActionParams, RiskParams, account_risk, coverage, next_best_actions, prepare
from tests.test_algorithms_support import REFERENCE, Spec, person, projection


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
    plan = next_best_actions(projection(spec), ActionParams(limit=50, cold_strength=0.05))
    island = next(a for a in plan.actions if a.target == "island")
    assert island.path is None and island.success == 0.05 and "cold" in island.plan and island.member in ("t0", "t1")
    assert len(next_best_actions(projection(spec), ActionParams(limit=2)).actions) == 2


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
    assert account_risk(projection(spec), reference=REFERENCE).score > report.score


def test_no_risk_events() -> None:
    report = account_risk(projection(account()), reference=REFERENCE)
    assert report.score == 0.0 and report.alerts == [] and report.events == []
