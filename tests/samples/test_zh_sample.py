"""The Chinese sample account (华康医疗集团): its shape (集团 → 子公司 → 工厂, Chinese names and titles, the iron
triangle), its dates counted back from the reference day, and the analyses read back on it (rank, coverage, a warm
path to an uncovered decision maker, next best actions).

On SQLite only: the bundle goes in through `load_bundle`, which the contract suite runs on both backends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from accountgraph.graph.store import GraphStore
from accountgraph.samples.zh_sample import ZH_ACCOUNT_ID, ZH_NAME, zh_sample_bundle
from accountgraph.schema.models import Role, TeamFunction
from accountgraph.services import analysis
from accountgraph.services.scope import Scope
from tests.conftest import sqlite_store

DAY = date(2026, 3, 2)
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")  # family name first, no space


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    with sqlite_store(tmp_path) as s:
        s.load_bundle(zh_sample_bundle(reference=DAY))
        yield s


def test_the_group_has_subsidiaries_and_factories_with_chinese_people_and_our_iron_triangle() -> None:
    bundle = zh_sample_bundle(reference=DAY)
    companies = {c.id: c for c in bundle.companies}
    assert companies[ZH_ACCOUNT_ID].name == ZH_NAME and companies[ZH_ACCOUNT_ID].parent is None

    def depth(company: str) -> int:
        parent = companies[company].parent
        return 0 if parent is None else 1 + depth(parent)

    by_depth = {d: sorted(c.name for c in companies.values() if depth(c.id) == d) for d in (1, 2)}
    assert len(by_depth[1]) == 3 and all(name.endswith("有限公司") for name in by_depth[1])  # 子公司
    assert len(by_depth[2]) == 2 and all(name.endswith("工厂") for name in by_depth[2])  # 工厂
    assert 40 <= len(bundle.people) <= 80
    assert all(CHINESE_NAME.match(p.name) for p in bundle.people + bundle.team)
    assert len({p.name for p in bundle.people}) == len(bundle.people)
    titles = {p.title for p in bundle.people}
    assert {"董事长", "总经理", "采购总监", "设备科主任", "厂长", "首席财务官"} <= titles
    assert all(p.department for p in bundle.people)
    roles = {r for p in bundle.people for r in p.roles}
    assert {Role.DECISION_MAKER, Role.ECONOMIC_BUYER, Role.TECHNICAL_BUYER, Role.USER_BUYER, Role.CHAMPION} <= roles
    assert len({p.stance for p in bundle.people}) == 4
    assert sum(p.reports_to is None for p in bundle.people) == 1  # one chairman heads the group
    functions = {m.function for m in bundle.team}
    assert {TeamFunction.ACCOUNT_MANAGER, TeamFunction.SOLUTION_EXPERT, TeamFunction.DELIVERY_MANAGER} <= functions
    assert bundle.risks and all(r.currency in (None, "CNY") for r in bundle.risks)


def test_its_dates_end_on_the_reference_day_and_the_same_day_gives_the_same_bundle() -> None:
    bundle = zh_sample_bundle(reference=DAY)
    latest = max(i.at.date() for i in bundle.interactions)
    assert 0 <= (DAY - latest).days <= 7
    assert all(t.last_contact is None or t.last_contact <= DAY for t in bundle.ties)
    assert zh_sample_bundle(reference=DAY).sorted() == bundle.sorted()
    later = zh_sample_bundle(reference=date(2027, 3, 2))
    assert max(i.at.date() for i in later.interactions) > DAY


def test_loading_it_twice_duplicates_nothing(store: GraphStore) -> None:
    counts = store.counts()
    assert counts["people"] == len(zh_sample_bundle(reference=DAY).people)
    store.load_bundle(zh_sample_bundle(reference=DAY))
    assert store.counts() == counts
    assert store.export_bundle(ZH_ACCOUNT_ID).sorted() == zh_sample_bundle(reference=DAY).sorted()


def test_the_analyses_read_back_sensibly(store: GraphStore) -> None:
    scope = Scope.operator()
    ranking = analysis.rank(store, scope, ZH_ACCOUNT_ID, top=5, as_of=DAY, reference=DAY)
    top = ranking.people[0]
    decision_makers = {p.id for p in zh_sample_bundle(reference=DAY).people if Role.DECISION_MAKER in p.roles}
    assert top.id in decision_makers and top.title == "总裁"
    assert all(CHINESE_NAME.match(p.name) for p in ranking.people)

    coverage = analysis.coverage(store, scope, ZH_ACCOUNT_ID, as_of=DAY, reference=DAY)
    assert 20 < coverage.score < 90 and 0 < coverage.covered_count < coverage.chain_size
    companies = {b.label for b in coverage.by_company}
    assert "华康影像苏州工厂" in companies and "华康生命深圳光明工厂" in companies
    uncovered = [p for p in coverage.people if not p.covered and "decision_maker" in p.roles]
    assert uncovered, "the sample leaves decision makers to reach"

    # a warm path: through someone of the account who knows both (an introduction), not a cold call
    target = uncovered[0]
    found = analysis.path(store, scope, ZH_ACCOUNT_ID, target.id, as_of=DAY, reference=DAY)
    assert found.reachable and found.target_name == target.name
    best = found.paths[0]
    assert len(best.hops) >= 2 and best.hops[-1].target == target.id and best.strength > 0.2
    assert best.hops[0].source.startswith(f"{ZH_ACCOUNT_ID}-t")

    plan = analysis.actions(store, scope, ZH_ACCOUNT_ID, as_of=DAY, reference=DAY)
    assert plan.actions and plan.actions[0].expected_gain > 0
    reached = {a.target for a in plan.actions if a.kind == "reach"}
    assert {p.id for p in uncovered} & reached  # the actions go after the uncovered decision makers
    assert all(a.member is None or a.member.startswith(f"{ZH_ACCOUNT_ID}-t") for a in plan.actions)
