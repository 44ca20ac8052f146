"""The opportunities' use cases called directly, on both backends: for a scope limited to another account an
opportunity answers exactly as one that does not exist, lists leave it out, and a new deal cannot name a hidden
account. No HTTP is involved: the service decides."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accountgraph.errors import BundleRejected, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole
from accountgraph.services import opportunities
from accountgraph.services.scope import Scope
from tests.opportunities.test_opportunities import account_bundle

OPERATOR = Scope.operator()
ELSEWHERE = Scope("k1", ApiRole.PLANNER, frozenset({"oth"}))
MINE = Scope("k2", ApiRole.PLANNER, frozenset({"acc"}))


@pytest.fixture
def deal(store: GraphStore) -> GraphStore:
    store.load_bundle(account_bundle())
    opportunities.create_opportunity(store, OPERATOR, "acc-sub", "Renewal", id="o1", committee=[{"person": "cfo"}])
    return store


def test_a_hidden_opportunity_answers_as_one_that_does_not_exist(deal: GraphStore) -> None:
    uses: list[Callable[[str], object]] = [
        lambda id: opportunities.get_opportunity(deal, ELSEWHERE, id),
        lambda id: opportunities.update_opportunity(deal, ELSEWHERE, id, name="Mine now"),
        lambda id: opportunities.set_committee(deal, ELSEWHERE, id, []),
        lambda id: opportunities.move_stage(deal, ELSEWHERE, id, "proposal"),
        lambda id: opportunities.health(deal, ELSEWHERE, id, cache=None),
        lambda id: opportunities.power_map(deal, ELSEWHERE, id),
    ]
    for use in uses:
        with pytest.raises(NotFoundError) as hidden:
            use("o1")
        with pytest.raises(NotFoundError) as missing:
            use("o2")
        assert str(hidden.value) == str(missing.value).replace("o2", "o1")
    unchanged = opportunities.get_opportunity(deal, MINE, "o1")
    assert unchanged.name == "Renewal" and unchanged.account == "acc" and len(unchanged.committee) == 1


def test_lists_leave_hidden_opportunities_out(deal: GraphStore) -> None:
    assert [o.id for o in opportunities.list_opportunities(deal, MINE).data] == ["o1"]
    assert opportunities.list_opportunities(deal, ELSEWHERE).data == []
    assert opportunities.list_opportunities(deal, ELSEWHERE, "acc").data == []
    assert [o.id for o in opportunities.list_opportunities(deal, OPERATOR, "acc").data] == ["o1"]


def test_a_new_deal_cannot_name_a_hidden_account(deal: GraphStore) -> None:
    for account in ("acc", "acc-sub", "nowhere"):
        with pytest.raises(BundleRejected) as refused:
            opportunities.create_opportunity(deal, ELSEWHERE, account, "Mine")
        [issue] = refused.value.issues
        assert (issue.field, issue.reason) == ("account", f"unknown account {account!r}")
    assert [o.id for o in opportunities.list_opportunities(deal, OPERATOR).data] == ["o1"]
    assert opportunities.create_opportunity(deal, ELSEWHERE, "oth", "Theirs", id="o3").account == "oth"
