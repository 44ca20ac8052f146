"""Issue 14, item 16, on both backends: what a scope limited to one account may do to shared records (team
members), and that another account's ids answer exactly as ids that do not exist."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from accountgraph.errors import BundleRejected, Forbidden, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import (
    ApiRole,
    Bundle,
    Company,
    Interaction,
    InteractionKind,
    Person,
    RiskEvent,
    RiskKind,
    TeamMember,
    Tie,
)
from accountgraph.services import keys, records
from accountgraph.services.scope import Scope
from tests.graph.test_store_contract import group_bundle, other_account

OPERATOR = Scope.operator()
LIMITED = Scope("k1", ApiRole.PLANNER, frozenset({"grp"}))


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())  # `am` knows x1 of `oth`; `se` works `grp` only
    return store


def refused(fn: Any, *args: Any) -> list[tuple[str | None, str, str | None]]:
    """The (field, reason, code) of each issue of the BundleRejected that `fn(*args)` raises."""
    with pytest.raises(BundleRejected) as err:
        fn(*args)
    return [(i.field, i.reason, i.code) for i in err.value.issues]


def dump(bundle: Bundle) -> dict[str, object]:
    """A bundle as the raw document an interface reads."""
    return bundle.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_a_limited_scope_may_not_change_a_team_member_another_account_relies_on(loaded: GraphStore) -> None:
    before = loaded.get_team_member("am")
    renamed = TeamMember(id="am", name="Mallory")
    reason = "a key limited to accounts may not change a team member whose ties or interactions reach other accounts"
    assert refused(lambda: records.put_record(loaded, LIMITED, renamed, id="am")) == [("id", reason, "invalid")]
    assert refused(lambda: records.import_document(loaded, LIMITED, dump(Bundle(team=[renamed])))) == [
        ("id", reason, "invalid")
    ]
    assert loaded.get_team_member("am") == before
    # re-sending it unchanged (an export of the account, imported again) is no change
    records.import_document(loaded, LIMITED, dump(Bundle(team=[before])))
    # the operator may; a member who works this account only may be changed; a new one may be created
    records.put_record(loaded, OPERATOR, renamed, id="am")
    assert loaded.get_team_member("am").name == "Mallory"
    records.put_record(loaded, LIMITED, TeamMember(id="se", name="Sam Renamed"), id="se")  # ties: eng, am (team)
    assert loaded.get_team_member("se").name == "Sam Renamed"
    records.put_record(loaded, LIMITED, TeamMember(id="new", name="New Colleague"), id="new")
    assert loaded.get_team_member("new").name == "New Colleague"
    with pytest.raises(Forbidden):  # deleting one stays refused: their ties and interactions span accounts
        records.delete_record(loaded, LIMITED, "team", "new")


def test_an_interaction_with_another_account_also_shares_a_team_member(loaded: GraphStore) -> None:
    records.put_record(loaded, OPERATOR, TeamMember(id="iv", name="Ivo"))
    at = datetime(2026, 1, 5, tzinfo=UTC)
    records.put_record(
        loaded, OPERATOR, Interaction(id="i-x", member="iv", person="x1", kind=InteractionKind.CALL, at=at)
    )
    assert refused(lambda: records.put_record(loaded, LIMITED, TeamMember(id="iv", name="Ivo2")))[0][0] == "id"
    assert loaded.get_team_member("iv").name == "Ivo"


def test_another_accounts_ids_answer_as_ids_that_do_not_exist(loaded: GraphStore) -> None:
    """References to a hidden record of any kind read "no ... with id", as for an id nobody uses."""
    cases = [
        (Person(id="p9", name="P", company="x1"), Person(id="p9", name="P", company="zz")),  # x1: a person
        (
            Person(id="p9", name="P", company="grp", reports_to="oth"),  # oth: a company
            Person(id="p9", name="P", company="grp", reports_to="zz"),
        ),
        (Company(id="c9", name="C", parent="x1"), Company(id="c9", name="C", parent="zz")),
        (
            RiskEvent(id="r9", company="x1", kind=RiskKind.NEWS, at=date(2026, 1, 1)),
            RiskEvent(id="r9", company="zz", kind=RiskKind.NEWS, at=date(2026, 1, 1)),
        ),
    ]
    for hidden, absent in cases:
        a = refused(records.put_record, loaded, LIMITED, hidden)
        b = refused(records.put_record, loaded, LIMITED, absent)
        assert [(f, r.replace("'x1'", "?").replace("'oth'", "?"), c) for f, r, c in a] == [
            (f, r.replace("'zz'", "?"), c) for f, r, c in b
        ], (a, b)
    tie_hidden = refused(
        lambda: records.put_tie(loaded, LIMITED, Tie.model_validate({"from": "ceo", "to": "oth", "type": "knows"}))
    )
    tie_absent = refused(
        lambda: records.put_tie(loaded, LIMITED, Tie.model_validate({"from": "ceo", "to": "zz", "type": "knows"}))
    )
    assert tie_hidden == [(f, r.replace("'zz'", "'oth'"), c) for f, r, c in tie_absent]


def test_an_id_taken_outside_the_scope_is_refused_without_naming_kind_or_account(loaded: GraphStore) -> None:
    before = loaded.counts()
    for record in (
        TeamMember(id="x1", name="T"),  # x1 is a person of `oth`
        Company(id="x1", name="C", parent="grp"),
        Person(id="oth", name="P", company="grp"),  # oth is a company of `oth`
        Company(id="oth", name="Mine now", parent="grp"),
    ):
        assert refused(records.put_record, loaded, LIMITED, record) == [("id", "id is already taken", "conflict")]
    assert loaded.counts() == before


def test_a_key_is_only_limited_to_accounts_that_exist(loaded: GraphStore) -> None:
    admin = Scope("a1", ApiRole.ADMIN)
    issues = refused(lambda: keys.create_key(loaded, admin, "viewer", accounts=["grp", "nope", "sub"]))
    assert issues == [
        ("accounts", "no account with id 'nope'", "invalid"),
        ("accounts", "no account with id 'sub'", "invalid"),  # a subsidiary is not an account
    ]
    assert loaded.list_api_keys() == []
    record, key = keys.create_key(loaded, admin, "viewer", name="v", accounts=["grp"])
    assert record.accounts == ["grp"]
    assert keys.authenticate(loaded, key) == Scope(
        record.id, ApiRole.VIEWER, frozenset({"grp"}), label="v", interface="api"
    )
    limited_admin = Scope("a2", ApiRole.ADMIN, frozenset({"grp"}))
    with pytest.raises(Forbidden):  # before any lookup: says nothing of whether `oth` exists
        keys.create_key(loaded, limited_admin, "viewer", accounts=["oth"])
    with pytest.raises(Forbidden):
        keys.create_key(loaded, LIMITED, "viewer", accounts=["grp"])  # a planner
    with pytest.raises(NotFoundError):
        records.get_record(loaded, LIMITED, "person", "x1")
