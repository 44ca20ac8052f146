"""The ledger record layer of the storage interface, on both backends."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from accountgraph.errors import ConflictError, VersionConflict
from accountgraph.graph.store import GraphStore, LedgerWrite


def test_round_trip_is_exact(store: GraphStore) -> None:
    data = {
        "amount": "0.30",
        "big": "123456789012345678901234567890.123456789",
        "tiny": "-0.000000001",
        "name": "Grüne 上海",
        "lines": [{"qty": "3", "n": 7, "ok": True, "none": None}],
    }
    [written] = store.ledger_commit([LedgerWrite("invoice", "i1", "acme", data)])
    assert written.version == 1
    got = store.ledger_get("invoice", "i1")
    assert got is not None and got.data == data and got.account == "acme" and got.version == 1
    assert Decimal(got.data["amount"]) + Decimal("0.1") == Decimal("0.40")
    assert store.ledger_get("invoice", "nope") is None
    assert store.ledger_get("payment", "i1") is None  # the key is (kind, id)


def test_floats_and_unknown_kinds_are_refused(store: GraphStore) -> None:
    with pytest.raises(ValueError, match="float"):
        store.ledger_commit([LedgerWrite("invoice", "i1", None, {"amount": 0.1})])
    with pytest.raises(ValueError, match="unknown ledger kind"):
        store.ledger_commit([LedgerWrite("company", "c", None, {})])
    with pytest.raises(ValueError, match="twice"):
        store.ledger_commit([LedgerWrite("quote", "q", None, {}), LedgerWrite("quote", "q", None, {})])
    assert store.ledger_list("invoice") == [] and store.ledger_list("quote") == []


def test_list_by_kind_and_account(store: GraphStore) -> None:
    store.ledger_commit(
        [
            LedgerWrite("order", "o2", "b", {"n": 2}),
            LedgerWrite("order", "o1", "a", {"n": 1}),
            LedgerWrite("order", "o3", None, {"n": 3}),
            LedgerWrite("invoice", "o1", "a", {"n": 4}),
        ]
    )
    assert [r.id for r in store.ledger_list("order")] == ["o1", "o2", "o3"]
    assert [r.id for r in store.ledger_list("order", "a")] == ["o1"]
    assert [r.data["n"] for r in store.ledger_list("invoice", "a")] == [4]


def test_versions_are_checked(store: GraphStore) -> None:
    store.ledger_commit([LedgerWrite("quote", "q", "a", {"v": 1})])
    with pytest.raises(VersionConflict):
        store.ledger_commit([LedgerWrite("quote", "q", "a", {"v": 2})])  # must not exist yet
    with pytest.raises(ConflictError):
        store.ledger_commit([LedgerWrite("quote", "q", "a", {"v": 2}, expected_version=2)])
    with pytest.raises(VersionConflict):
        store.ledger_commit([LedgerWrite("quote", "absent", "a", {"v": 2}, expected_version=1)])
    [r] = store.ledger_commit([LedgerWrite("quote", "q", None, {"v": 2}, expected_version=1)])
    assert r.version == 2
    got = store.ledger_get("quote", "q")
    assert got is not None and got.version == 2 and got.data == {"v": 2} and got.account is None


def test_a_batch_with_one_stale_write_writes_nothing(store: GraphStore) -> None:
    store.ledger_commit([LedgerWrite("invoice", "i", "a", {"paid": "0"})])
    before = store.data_version()
    with pytest.raises(VersionConflict):
        store.ledger_commit(
            [
                LedgerWrite("payment", "p1", "a", {"amount": "5"}),
                LedgerWrite("idempotency", "k1", "a", {"payment": "p1"}),
                LedgerWrite("invoice", "i", "a", {"paid": "5"}, expected_version=7),  # stale: last
            ]
        )
    assert store.ledger_get("payment", "p1") is None and store.ledger_get("idempotency", "k1") is None
    got = store.ledger_get("invoice", "i")
    assert got is not None and got.data == {"paid": "0"} and got.version == 1
    assert store.data_version() == before


def _race(store: GraphStore, n: int, write: LedgerWrite) -> tuple[int, int]:
    barrier = threading.Barrier(n)
    wins: list[int] = []
    losses: list[int] = []

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            store.ledger_commit([LedgerWrite(write.kind, write.id, write.account, {"by": i}, write.expected_version)])
            wins.append(i)
        except VersionConflict:
            losses.append(i)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(wins), len(losses)


def test_concurrent_creates_of_one_record_exactly_one_wins(store: GraphStore) -> None:
    assert _race(store, 12, LedgerWrite("idempotency", "key", "a", {})) == (1, 11)
    got = store.ledger_get("idempotency", "key")
    assert got is not None and got.version == 1


def test_concurrent_updates_of_one_version_exactly_one_wins(store: GraphStore) -> None:
    store.ledger_commit([LedgerWrite("invoice", "i", "a", {"by": -1})])
    assert _race(store, 12, LedgerWrite("invoice", "i", "a", {}, expected_version=1)) == (1, 11)
    got = store.ledger_get("invoice", "i")
    assert got is not None and got.version == 2
