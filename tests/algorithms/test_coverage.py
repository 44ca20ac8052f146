"""Coverage: the score, its breakdowns and gaps, and its monotonicity in our relationships."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountgraph.algorithms import CoverageParams, coverage, prepare
from accountgraph.algorithms.coverage import coverage_core
from tests.algorithms.support import REFERENCE, Spec, person, projection, specs


def score(spec: Spec) -> float:
    return coverage(prepare(projection(spec), reference=REFERENCE)).score


@settings(max_examples=60, deadline=None)
@given(specs(), st.data())
def test_removing_a_relationship_never_raises_coverage(spec: Spec, data: st.DataObject) -> None:
    ours = [t for t in spec.knows if (t[0] in spec.team) != (t[1] in spec.team)]
    before = score(spec)
    assert 0.0 <= before <= 100.0
    if not ours:
        return
    gone = data.draw(st.sampled_from(ours))
    spec.knows = [t for t in spec.knows if t != gone]
    assert score(spec) <= before + 1e-9


@settings(max_examples=60, deadline=None)
@given(specs(), st.data())
def test_a_strong_tie_to_an_uncovered_top_person_never_lowers_coverage(spec: Spec, data: st.DataObject) -> None:
    view = prepare(projection(spec), reference=REFERENCE)
    result = coverage(view)
    uncovered = [p for p in result.people if not p.covered]
    if not uncovered:
        return
    top = min(uncovered, key=lambda p: p.rank)
    member = data.draw(st.sampled_from(spec.team))
    spec.knows = [t for t in spec.knows if {t[0], t[1]} != {member, top.id}] + [(member, top.id, 1.0)]
    after = score(spec)
    assert after >= result.score - 1e-9
    assert after > result.score  # the person now counts as covered


def account() -> Spec:
    """A group with a subsidiary; our two members know some of its people."""
    spec = Spec(team=["t0", "t1"], companies={"acc": None, "sub": "acc", "far": "acc"})
    spec.people = {
        "ceo": person(level=1, roles=["decision_maker"], department="Executive", stance="neutral"),
        "cfo": person(level=2, roles=["economic_buyer"], department="Finance", stance="opponent"),
        "cio": person(level=2, roles=["technical_buyer"], department="IT", stance="supporter"),
        "dev": person(level=3, department="IT"),
        "gm": person(level=2, roles=["user_buyer"], department="Executive", company="sub", stance="neutral"),
        "ops": person(level=3, department="Operations", company="sub"),
        "remote": person(level=3, department="Operations", company="far"),
    }
    spec.reports = {"cfo": "ceo", "cio": "ceo", "dev": "cio", "gm": "ceo", "ops": "gm", "remote": "gm"}
    spec.knows = [("t0", "ceo", 0.9), ("t1", "ceo", 0.8), ("t0", "cio", 0.7), ("t1", "gm", 0.2), ("t0", "dev", 0.5)]
    spec.last_contact = {("t1", "gm"): "2025-12-01"}
    return spec


def test_score_breakdowns_and_chain() -> None:
    result = coverage(prepare(projection(account()), reference=REFERENCE), CoverageParams(top_n=3, key_n=2))
    people = {p.id: p for p in result.people}
    # the chain: roles, the top 3, and unit heads (the CEO heads the group, the GM the subsidiary)
    assert {"ceo", "cfo", "cio", "gm"} <= set(people)
    assert people["ceo"].why[-1] == "heads the company" and people["gm"].why[-1] == "heads the company"
    assert people["ceo"].layer == "key" and people["cfo"].layer == "key"  # decision maker, economic buyer
    assert people["ceo"].covered and people["ceo"].members == ["t0", "t1"]
    assert not people["gm"].covered and people["gm"].best_strength == pytest.approx(0.2 * 2 ** (-31 / 180))
    total = sum(p.weight for p in result.people)
    covered = sum(p.weight for p in result.people if p.covered)
    assert result.score == pytest.approx(100 * covered / total)
    assert result.chain_size == len(result.people) and result.covered_count == sum(p.covered for p in result.people)
    roles = {b.key: b for b in result.by_role}
    assert roles["economic_buyer"].score == 0.0 and roles["decision_maker"].score == 100.0
    assert sum(b.people for b in result.by_layer) == result.chain_size
    assert {b.key for b in result.by_company} <= {"acc", "sub", "far"}
    assert sum(b.weight for b in result.by_layer) == pytest.approx(total)
    assert "decision-chain people" in result.explanation


def test_gaps_are_listed_most_important_first() -> None:
    result = coverage(prepare(projection(account()), reference=REFERENCE))
    kinds = {(g.kind, g.subject) for g in result.gaps}
    assert ("uncovered_person", "cfo") in kinds  # nobody of ours knows the CFO
    assert ("uncovered_person", "gm") in kinds  # too weak
    assert ("single_threaded", "cio") in kinds  # only t0
    assert ("single_threaded", "ceo") not in kinds  # two of ours
    assert ("opponent_in_decision_role", "cfo") in kinds
    assert ("company_without_contact", "sub") in kinds and ("company_without_contact", "far") in kinds
    assert ("company_without_contact", "acc") not in kinds
    assert ("role_without_supporter", "economic_buyer") in kinds
    assert ("role_without_supporter", "technical_buyer") not in kinds  # the CIO supports us
    importance = [g.importance for g in result.gaps]
    assert importance == sorted(importance, reverse=True)
    assert result.gap_count == len(result.gaps)
    few = coverage(prepare(projection(account()), reference=REFERENCE), CoverageParams(max_listed=2))
    assert few.gaps == result.gaps[:2] and few.gap_count == result.gap_count
    assert len(few.people) == 2 and few.chain_size == result.chain_size and few.score == result.score
    gm = next(g for g in result.gaps if g.subject == "gm" and g.kind == "uncovered_person")
    assert "our strongest tie is T1 at 0.18" in gm.detail


def test_threshold_decides_who_is_covered() -> None:
    view = prepare(projection(account()), reference=REFERENCE)
    low = coverage(view, CoverageParams(threshold=0.1)).score
    high = coverage(view, CoverageParams(threshold=0.85)).score
    assert low > coverage(view).score > high


def test_a_partnership_without_reporting_lines_has_no_unit_heads() -> None:
    spec = Spec(team=["t0"])
    spec.people = {f"p{i}": person(level=1) for i in range(5)}
    spec.knows = [("t0", "p0", 0.9)]
    view = prepare(projection(spec), reference=REFERENCE)
    core = coverage_core(view, CoverageParams(top_n=2))
    assert len(core.chain) == 2  # only the top two: nobody heads anything


def test_no_team_means_zero_coverage_and_every_person_a_gap() -> None:
    spec = account()
    spec.team, spec.knows = [], []
    result = coverage(prepare(projection(spec)))
    assert result.score == 0.0 and result.covered_count == 0
    assert {g.subject for g in result.gaps if g.kind == "uncovered_person"} == {p.id for p in result.people}
