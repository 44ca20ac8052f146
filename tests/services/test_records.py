"""The record use cases called directly, on both backends: a scope limited to one account sees and writes only
that account, whatever interface calls it; one paging implementation serves every list."""

from __future__ import annotations

import pytest

from accountgraph.errors import BadCursor, BundleRejected, Forbidden, InvalidArgument, NotFoundError
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.schema.models import ApiRole, Person, TieType
from accountgraph.services import records
from accountgraph.services.paging import decode_cursor, encode_cursor, page_of
from accountgraph.services.scope import Scope
from tests.graph.test_store_contract import group_bundle, other_account

OPERATOR = Scope.operator()
LIMITED = Scope("k1", ApiRole.PLANNER, frozenset({"grp"}))


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())
    return store


def test_a_limited_scope_sees_only_its_account(loaded: GraphStore) -> None:
    assert records.get_record(loaded, OPERATOR, "person", "x1").name == "Xavier"
    with pytest.raises(NotFoundError):
        records.get_record(loaded, LIMITED, "person", "x1")  # exactly as if it did not exist
    assert records.get_record(loaded, LIMITED, "person", "ceo").id == "ceo"
    assert [c.id for c in records.list_accounts(loaded, LIMITED)] == ["grp"]
    assert {c.id for c in records.list_accounts(loaded, OPERATOR)} == {"grp", "oth"}
    people = records.list_records(loaded, LIMITED, "person", limit=1000).data
    assert "x1" not in {p.id for p in people} and "ceo" in {p.id for p in people}
    # the influence from x1 to ceo joins a hidden person: it stays hidden from the limited scope
    with pytest.raises(NotFoundError):
        records.get_tie(loaded, LIMITED, TieType.INFLUENCES, "x1", "ceo")
    with pytest.raises(NotFoundError):
        records.export_account(loaded, LIMITED, "oth")


def test_writes_are_checked_against_the_scope_and_change_nothing_when_refused(loaded: GraphStore) -> None:
    before = loaded.counts()
    stranger = Person(id="new", name="New Person", company="oth")
    with pytest.raises(BundleRejected) as refused:
        records.put_record(loaded, LIMITED, stranger)
    assert [i.field for i in refused.value.issues] == ["company"]
    with pytest.raises(BundleRejected):  # the record must carry the id it is named by
        records.put_record(loaded, OPERATOR, Person(id="a", name="A", company="grp"), id="b")
    with pytest.raises(Forbidden):
        records.delete_record(loaded, LIMITED, "team", "am")
    assert loaded.counts() == before
    made = records.put_record(loaded, LIMITED, Person(id="new", name="New Person", company="grp"), id="new")
    assert made.id == "new" and loaded.get_person("new").company == "grp"


def test_bad_arguments_are_invalid_arguments(loaded: GraphStore) -> None:
    with pytest.raises(InvalidArgument):
        records.get_record(loaded, OPERATOR, "planet", "x")
    with pytest.raises(InvalidArgument):
        records.list_records(loaded, OPERATOR, "company", ListFilter(role=None, stance=None, person="ceo"))
    with pytest.raises(BadCursor):
        records.list_records(loaded, OPERATOR, "person", cursor="not a cursor")


def test_pages_walk_every_record_once(loaded: GraphStore) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = records.list_records(loaded, OPERATOR, "person", limit=2, cursor=cursor)
        seen += [p.id for p in page.data]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(p.id for p in records.list_records(loaded, OPERATOR, "person", limit=1000).data)
    assert len(seen) == len(set(seen)) == loaded.counts()["people"]


def test_page_of_a_whole_list_knows_when_it_ends() -> None:
    rows = ["a", "b", "c"]
    first = page_of(rows, 2, lambda r: (r,))
    assert first.data == ["a", "b"] and first.next_cursor is not None
    assert decode_cursor(first.next_cursor, 1) == ("b",)
    assert page_of(rows[2:], 2, lambda r: (r,)).next_cursor is None
    assert page_of([], 2, lambda r: (r,)).next_cursor is None
    assert decode_cursor(encode_cursor(("ü", "✓")), 2) == ("ü", "✓")
