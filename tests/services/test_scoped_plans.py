"""The plans', the analyses' and the comparison's use cases called directly, on both backends: a scope limited
to another account is refused exactly as if the plan, the opportunity or the account did not exist, and lists
leave what it may not see out. No HTTP is involved: the services decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from accountgraph.errors import NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.plans.models import Goal, GoalSpec
from accountgraph.schema.models import ApiRole
from accountgraph.services import analysis, opportunities, plans
from accountgraph.services.compare import compare
from accountgraph.services.scope import Scope
from tests.plans.test_plans import LOADED, other_account, plan_account

OPERATOR = Scope.operator()
ELSEWHERE = Scope("k1", ApiRole.PLANNER, frozenset({"oth"}))
MINE = Scope("k2", ApiRole.VIEWER, frozenset({"acc"}))
D = date(2026, 3, 1)


@pytest.fixture
def planned(store: GraphStore) -> GraphStore:
    """The plan account `acc` with one plan `p1` (a goal and an action), and another account `oth`."""
    store.load_bundle(plan_account(), on=LOADED)
    store.load_bundle(other_account(), on=LOADED)
    plans.create_plan(store, OPERATOR, "acc", "Acc plan", id="p1", goals=[Goal(id="g1", kind="stance", person="cfo")])
    plans.add_action(store, OPERATOR, "p1", owner="am", target="cfo", id="a1", on=D)
    opportunities.create_opportunity(store, OPERATOR, "acc", "Renewal", id="o1", owner="am")
    return store


def _same_as_missing(use: Callable[[str], object], hidden: str, missing: str) -> None:
    """`use` refuses the hidden id with NotFoundError, in the words it uses for an id that does not exist."""
    with pytest.raises(NotFoundError) as refused:
        use(hidden)
    with pytest.raises(NotFoundError) as absent:
        use(missing)
    assert str(refused.value) == str(absent.value).replace(missing, hidden)


def test_a_hidden_plan_answers_as_one_that_does_not_exist(planned: GraphStore) -> None:
    before = plans.get_plan(planned, OPERATOR, "p1")
    uses: list[Callable[[str], object]] = [
        lambda id: plans.get_plan(planned, ELSEWHERE, id),
        lambda id: plans.update_plan(planned, ELSEWHERE, id, name="Mine now"),
        lambda id: plans.plan_progress(planned, ELSEWHERE, id, on=D),
        lambda id: plans.progress_html(planned, ELSEWHERE, id, on=D),
        lambda id: plans.add_goal(planned, ELSEWHERE, id, GoalSpec(kind="stance", person="ceo")),
        lambda id: plans.upsert_goal(planned, ELSEWHERE, id, Goal(id="g1", kind="stance", person="ceo")),
        lambda id: plans.remove_goal(planned, ELSEWHERE, id, "g1"),
        lambda id: plans.add_action(planned, ELSEWHERE, id, owner="am", target="ceo"),
        lambda id: plans.update_action(planned, ELSEWHERE, id, "a1", status="done"),
    ]
    for use in uses:
        _same_as_missing(use, "p1", "p2")
    assert plans.get_plan(planned, MINE, "p1") == before
    assert [p.id for p in plans.list_plans(planned, MINE).data] == ["p1"]
    assert plans.list_plans(planned, ELSEWHERE).data == []
    assert plans.list_plans(planned, ELSEWHERE, "acc").data == []


def test_no_plan_for_an_account_or_a_deal_outside_the_scope(planned: GraphStore) -> None:
    _same_as_missing(lambda account: plans.create_plan(planned, ELSEWHERE, account, id="x"), "acc", "nowhere")
    _same_as_missing(
        lambda account: plans.create_plan_from_actions(planned, ELSEWHERE, account, id="x", on=D), "acc", "nowhere"
    )
    _same_as_missing(
        lambda opp: plans.create_plan_from_opportunity(planned, ELSEWHERE, opp, id="x", on=D, cache=None), "o1", "o2"
    )
    assert [p.id for p in plans.list_plans(planned, OPERATOR).data] == ["p1"]
    assert plans.create_plan(planned, ELSEWHERE, "oth", id="theirs").account == "oth"


def test_analyses_and_the_comparison_of_a_hidden_account_answer_as_if_it_did_not_exist(planned: GraphStore) -> None:
    uses: list[Callable[[str], object]] = [
        lambda account: analysis.rank(planned, ELSEWHERE, account, cache=None),
        lambda account: analysis.coverage(planned, ELSEWHERE, account, cache=None),
        lambda account: analysis.path(planned, ELSEWHERE, account, "cfo", cache=None),
        lambda account: analysis.whatif(planned, ELSEWHERE, account, "am", cache=None),
        lambda account: analysis.actions(planned, ELSEWHERE, account, cache=None),
        lambda account: analysis.risk(planned, ELSEWHERE, account, cache=None),
        lambda account: analysis.analyse(planned, ELSEWHERE, account, cache=None),
        lambda account: analysis.power_map_html(planned, ELSEWHERE, account, cache=None),
        lambda account: analysis.tree_html(planned, ELSEWHERE, account, cache=None),
        lambda account: compare(planned, ELSEWHERE, account, LOADED, D, cache=None),
    ]
    for use in uses:
        with pytest.raises(NotFoundError) as refused:
            use("acc")
        assert (refused.value.kind, refused.value.id) == ("account", "acc")
    assert analysis.coverage(planned, MINE, "acc", cache=None) == analysis.coverage(
        planned, OPERATOR, "acc", cache=None
    )
    assert analysis.rank(planned, ELSEWHERE, "oth", cache=None).people[0].id == "x1"
