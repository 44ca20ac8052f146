"""The documents of the storage interface (versioned JSON records, units of work), on both backends."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import ClassVar

import pytest

from accountgraph.errors import ConflictError, VersionConflict
from accountgraph.graph.neo4j import Neo4jStore
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import DOCUMENT_KINDS, DocumentWrite, GraphStore, UnitOfWork
from accountgraph.schema import Company
from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import ApiRole
from accountgraph.services.keys import mint_key
from accountgraph.services.sessions import end_session, start_session


def test_round_trip_is_exact(store: GraphStore) -> None:
    data = {
        "amount": "0.30",
        "big": "123456789012345678901234567890.123456789",
        "tiny": "-0.000000001",
        "name": "Grüne 上海",
        "lines": [{"qty": "3", "n": 7, "ok": True, "none": None}],
    }
    [written] = store.documents.commit([DocumentWrite("invoice", "i1", "acme", data)])
    assert written.version == 1
    got = store.documents.get("invoice", "i1")
    assert got is not None and got.data == data and got.account == "acme" and got.version == 1
    assert Decimal(got.data["amount"]) + Decimal("0.1") == Decimal("0.40")
    assert store.documents.get("invoice", "nope") is None
    assert store.documents.get("payment", "i1") is None  # the key is (kind, id)


def test_floats_and_unknown_kinds_are_refused(store: GraphStore) -> None:
    with pytest.raises(ValueError, match="float"):
        store.documents.commit([DocumentWrite("invoice", "i1", None, {"amount": 0.1})])
    with pytest.raises(ValueError, match="unknown document kind"):
        store.documents.commit([DocumentWrite("company", "c", None, {})])
    with pytest.raises(ValueError, match="twice"):
        store.documents.commit([DocumentWrite("quote", "q", None, {}), DocumentWrite("quote", "q", None, {})])
    assert store.documents.list("invoice") == [] and store.documents.list("quote") == []


def test_list_by_kind_and_account(store: GraphStore) -> None:
    store.documents.commit(
        [
            DocumentWrite("order", "o2", "b", {"n": 2}),
            DocumentWrite("order", "o1", "a", {"n": 1}),
            DocumentWrite("order", "o3", None, {"n": 3}),
            DocumentWrite("invoice", "o1", "a", {"n": 4}),
        ]
    )
    assert [r.id for r in store.documents.list("order")] == ["o1", "o2", "o3"]
    assert [r.id for r in store.documents.list("order", "a")] == ["o1"]
    assert [r.data["n"] for r in store.documents.list("invoice", "a")] == [4]


def test_versions_are_checked(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("quote", "q", "a", {"v": 1})])
    with pytest.raises(VersionConflict):
        store.documents.commit([DocumentWrite("quote", "q", "a", {"v": 2})])  # must not exist yet
    with pytest.raises(ConflictError):
        store.documents.commit([DocumentWrite("quote", "q", "a", {"v": 2}, expected_version=2)])
    with pytest.raises(VersionConflict):
        store.documents.commit([DocumentWrite("quote", "absent", "a", {"v": 2}, expected_version=1)])
    [r] = store.documents.commit([DocumentWrite("quote", "q", None, {"v": 2}, expected_version=1)])
    assert r.version == 2
    got = store.documents.get("quote", "q")
    assert got is not None and got.version == 2 and got.data == {"v": 2} and got.account is None


def test_a_batch_with_one_stale_write_writes_nothing(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": "0"})])
    before = store.data_version()
    with pytest.raises(VersionConflict):
        store.documents.commit(
            [
                DocumentWrite("payment", "p1", "a", {"amount": "5"}),
                DocumentWrite("idempotency", "k1", "a", {"payment": "p1"}),
                DocumentWrite("invoice", "i", "a", {"paid": "5"}, expected_version=7),  # stale: last
            ]
        )
    assert store.documents.get("payment", "p1") is None and store.documents.get("idempotency", "k1") is None
    got = store.documents.get("invoice", "i")
    assert got is not None and got.data == {"paid": "0"} and got.version == 1
    assert store.data_version() == before


def _overwrite_data_keeping_version(store: GraphStore, kind: str, id: str, data: str) -> None:
    """What a read on Neo4j can see while a commit is being applied: the version of one state beside the
    data of another. Made here by writing the data under the backend without moving the version."""
    if isinstance(store, SqliteStore):
        with store._tx(write=True) as conn:
            conn.execute("UPDATE ledger SET data = ? WHERE kind = ? AND id = ?", (data, kind, id))
    else:
        assert isinstance(store, Neo4jStore)
        store.driver.execute_query(
            "MATCH (n:LedgerRecord {kind: $kind, id: $id}) SET n.data = $data", kind=kind, id=id, data=data
        )


def test_a_unit_that_read_data_other_than_the_stored_data_at_that_version_commits_nothing(store: GraphStore) -> None:
    # the regression: 20 concurrent payments of 10 on an invoice of 150 recorded 16 on Neo4j, because a
    # payment read the invoice's new version beside its old `paid` and its version check passed
    store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": "0"})])
    with pytest.raises(VersionConflict, match="while a write was landing"):
        with store.documents.unit_of_work() as uow:
            invoice = uow.get("invoice", "i")
            assert invoice is not None and invoice.data == {"paid": "0"}
            _overwrite_data_keeping_version(store, "invoice", "i", '{"paid":"10"}')  # another payment landed
            uow.write("invoice", "i", "a", {"paid": "10"})
    got = store.documents.get("invoice", "i")
    assert got is not None and got.data == {"paid": "10"} and got.version == 1  # not 2 with {"paid": "10"} lost
    with pytest.raises(VersionConflict, match="while a write was landing"):  # a document only read: checked too
        with store.documents.unit_of_work() as uow:
            uow.get("invoice", "i")
            _overwrite_data_keeping_version(store, "invoice", "i", '{"paid":"20"}')
            uow.write("payment", "p", "a", {"amount": "10"})
    assert store.documents.get("payment", "p") is None


def _race(store: GraphStore, n: int, write: DocumentWrite) -> tuple[int, int]:
    barrier = threading.Barrier(n)
    wins: list[int] = []
    losses: list[int] = []

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            store.documents.commit(
                [DocumentWrite(write.kind, write.id, write.account, {"by": i}, write.expected_version)]
            )
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
    assert _race(store, 12, DocumentWrite("idempotency", "key", "a", {})) == (1, 11)
    got = store.documents.get("idempotency", "key")
    assert got is not None and got.version == 1


def test_concurrent_updates_of_one_version_exactly_one_wins(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("invoice", "i", "a", {"by": -1})])
    assert _race(store, 12, DocumentWrite("invoice", "i", "a", {}, expected_version=1)) == (1, 11)
    got = store.documents.get("invoice", "i")
    assert got is not None and got.version == 2


# ---- units of work ---------------------------------------------------------------------------------
class Note(DocumentModel):
    """A document model of these tests (stored under a kind of the fixed set)."""

    kind: ClassVar[str] = "plan"
    id: str
    account: str | None = None
    text: str


def test_a_unit_of_work_commits_its_writes_together_when_it_ends(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": "0"})])
    before = store.data_version()
    with store.documents.unit_of_work() as uow:
        invoice = uow.get("invoice", "i")
        assert invoice is not None and invoice.version == 1 and uow.version("invoice", "i") == 1
        assert uow.load(Note, "n") is None  # read as absent
        uow.write("invoice", "i", "a", {"paid": "5"})  # replaces the version read
        uow.write("payment", "p", "a", {"amount": "5"})  # not read: a create
        uow.save(Note(id="n", account="a", text="paid"))
        assert store.documents.get("payment", "p") is None  # nothing is written before the end
    assert store.data_version() == before + 1  # one transaction
    assert sorted((d.kind, d.id, d.version) for d in uow.committed) == [
        ("invoice", "i", 2),
        ("payment", "p", 1),
        ("plan", "n", 1),
    ]
    got = store.documents.get("invoice", "i")
    assert got is not None and got.version == 2 and got.data == {"paid": "5"}
    note = store.documents.get("plan", "n")
    assert note is not None and note.account == "a" and Note.model_validate(note.data).text == "paid"
    with pytest.raises(RuntimeError, match="ended"):
        uow.write("payment", "p2", "a", {})


def test_a_unit_of_work_writes_nothing_when_its_block_raises(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": "0"})])
    before = store.data_version()
    with pytest.raises(KeyError), store.documents.unit_of_work() as uow:
        uow.get("invoice", "i")
        uow.write("invoice", "i", "a", {"paid": "5"})
        uow.write("payment", "p", "a", {"amount": "5"})
        raise KeyError("a rule refused it")
    assert uow.committed == [] and store.data_version() == before
    assert store.documents.get("payment", "p") is None
    got = store.documents.get("invoice", "i")
    assert got is not None and got.version == 1 and got.data == {"paid": "0"}
    with store.documents.unit_of_work() as empty:  # a unit that writes nothing commits nothing
        empty.get("invoice", "i")
    assert empty.committed == [] and store.data_version() == before


def test_a_unit_of_work_refuses_what_changed_after_it_read_it(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": "0"}), DocumentWrite("order", "o", "a", {})])
    before = store.data_version()

    # a document it read and writes was changed by another writer
    with pytest.raises(VersionConflict), store.documents.unit_of_work() as uow:
        uow.get("invoice", "i")
        store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": "9"}, expected_version=1)])
        uow.write("invoice", "i", "a", {"paid": "5"})
        uow.write("payment", "p", "a", {})
    # a document it only read was changed (its writes depend on it)
    with pytest.raises(VersionConflict, match="order 'o'"), store.documents.unit_of_work() as uow:
        uow.get("order", "o")
        store.documents.commit([DocumentWrite("order", "o", "a", {"n": 1}, expected_version=1)])
        uow.write("payment", "p", "a", {})
    # a document it read as absent was created meanwhile
    with pytest.raises(VersionConflict, match="contract 'c'"), store.documents.unit_of_work() as uow:
        assert uow.get("contract", "c") is None
        store.documents.commit([DocumentWrite("contract", "c", "a", {})])
        uow.write("payment", "p", "a", {})
    # a document it did not read is created: it must not exist
    with pytest.raises(VersionConflict), store.documents.unit_of_work() as uow:
        uow.write("order", "o", "a", {"n": 2})
        uow.write("payment", "p", "a", {})
    # reading a document again after it changed fails at once
    with pytest.raises(VersionConflict), store.documents.unit_of_work() as uow:
        uow.get("invoice", "i")
        store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": "10"}, expected_version=2)])
        uow.get("invoice", "i")
    assert store.documents.get("payment", "p") is None
    assert store.data_version() == before + 4  # only the other writers' commits


def test_retrying_starts_again_from_fresh_reads_until_it_wins(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": 0})])
    runs: list[int] = []

    def pay(uow: UnitOfWork) -> int:
        invoice = uow.get("invoice", "i")
        assert invoice is not None
        runs.append(invoice.version)
        if len(runs) < 3:  # another writer gets there first, twice
            paid = invoice.data["paid"] + 100
            store.documents.commit([DocumentWrite("invoice", "i", "a", {"paid": paid}, invoice.version)])
        uow.write("invoice", "i", "a", {"paid": invoice.data["paid"] + 1})
        return invoice.version

    assert store.documents.retrying(pay) == 3
    assert runs == [1, 2, 3]
    got = store.documents.get("invoice", "i")
    assert got is not None and got.version == 4 and got.data == {"paid": 201}


def test_retrying_gives_up_and_does_not_retry_other_errors(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("invoice", "i", "a", {})])
    calls: list[int] = []

    def always_loses(uow: UnitOfWork) -> None:
        calls.append(1)
        uow.write("invoice", "i", "a", {"x": len(calls)})  # never read: a create of an existing document

    with pytest.raises(VersionConflict):
        store.documents.retrying(always_loses, attempts=3)
    assert len(calls) == 3

    def refused(uow: UnitOfWork) -> None:
        calls.append(1)
        uow.write("payment", "p", "a", {})
        raise KeyError("a rule")

    calls.clear()
    with pytest.raises(KeyError):
        store.documents.retrying(refused)
    assert len(calls) == 1 and store.documents.get("payment", "p") is None


def test_concurrent_retried_increments_are_never_lost(store: GraphStore) -> None:
    store.documents.commit([DocumentWrite("account_profile", "counter", None, {"n": 0})])
    threads_n, each = 6, 4
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def increment(uow: UnitOfWork) -> None:
        counter = uow.get("account_profile", "counter")
        assert counter is not None
        uow.write("account_profile", "counter", None, {"n": counter.data["n"] + 1})

    def worker() -> None:
        barrier.wait()
        try:
            for _ in range(each):
                store.documents.retrying(increment)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = store.documents.get("account_profile", "counter")
    assert got is not None and got.data == {"n": threads_n * each} and got.version == threads_n * each + 1


# ---- writes no derived data depends on -------------------------------------------------------------
class Quiet(DocumentModel):
    """A document no derived data depends on (like a browser session): its writes keep the data version."""

    kind: ClassVar[str] = "web_session"
    moves_data_version: ClassVar[bool] = False
    id: str
    n: int = 0


def test_a_write_no_derived_data_depends_on_leaves_the_data_version(store: GraphStore) -> None:
    store.upsert_company(Company(id="acme", name="Acme"))
    store.account_subgraph("acme")  # SQLite keeps a snapshot of it by the data version
    before = store.data_version()
    [created] = store.documents.commit([DocumentWrite.of(Quiet(id="s"))])
    with store.documents.unit_of_work() as uow:
        quiet = uow.load(Quiet, "s")
        assert quiet is not None
        uow.save(quiet.model_copy(update={"n": 1}))
    store.documents.retrying(lambda uow: uow.save(Quiet(id="t")))
    assert created.version == 1 and uow.committed[0].version == 2
    assert store.data_version() == before
    assert store.documents.delete(Quiet, ["s", "t", "absent"]) == 2
    assert store.documents.get("web_session", "s") is None and store.documents.list("web_session") == []
    assert store.documents.delete(Quiet, []) == 0
    assert store.data_version() == before
    # a commit with one write that moves it moves it; so do record and ledger document writes and deletes
    store.documents.commit([DocumentWrite.of(Quiet(id="u")), DocumentWrite("invoice", "i", "acme", {})])
    assert store.data_version() > before
    moved = store.data_version()
    store.documents.commit([DocumentWrite.of(Note(id="n", text="x"))])
    assert store.data_version() > moved
    moved = store.data_version()
    store.upsert_company(Company(id="acme", name="Acme Corp"))
    assert store.data_version() > moved
    moved = store.data_version()
    assert store.documents.delete(Note, ["n"]) == 1
    assert store.data_version() > moved


def test_a_session_write_leaves_the_data_version(store: GraphStore) -> None:
    _, token = mint_key(store, ApiRole.PLANNER)
    before = store.data_version()
    session = start_session(store, token)
    assert session is not None and end_session(store, session.secret)
    assert store.data_version() == before


def test_every_document_model_has_a_document_kind() -> None:
    import accountgraph.ledger.models
    import accountgraph.opportunities.models
    import accountgraph.plans.models
    import accountgraph.services.alerts
    import accountgraph.services.sessions  # noqa: F401  (they define the document models)

    def models(cls: type[DocumentModel]) -> list[type[DocumentModel]]:
        return [m for sub in cls.__subclasses__() for m in (sub, *models(sub))]

    # a private base (`services.alerts._Doc`) shares fields and names no kind; every model of its own does
    ours = [m for m in models(DocumentModel) if m.__module__.startswith("accountgraph.") and m.__name__[0] != "_"]
    kinds = {m.kind for m in ours}
    assert kinds <= DOCUMENT_KINDS
    assert kinds >= {"product", "quote", "contract", "order", "invoice", "payment", "opportunity", "plan", "alert"}
