"""Large imports: a concurrent reader sees the whole import or none of it (both backends); on Neo4j a bundle
larger than `import_batch` is staged in many transactions and switched visible in one (a reader sees the old or
the whole new account; a killed or failed import leaves nothing visible, and its staged records are deleted);
an import too large for the server's memory in one transaction is refused with a clear error by the store, the
API (507) and the CLI, nothing written, and succeeds in batches (a private launcher server with a small heap)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from accountgraph.errors import BundleRejected, NotFoundError, StoreResourceError
from accountgraph.graph.neo4j import BATCH, Neo4jStore
from accountgraph.graph.store import GraphStore
from accountgraph.samples.generator import generate_account
from accountgraph.schema.models import Tie, TieType
from tests.api.support import REPO, api, error_of, new_key
from tests.graph.test_store_contract import group_bundle
from tests.neo4j_server import Neo4jServer, PrivateNeo4j

PEOPLE = 1500


def test_a_concurrent_reader_sees_an_import_whole_or_not_at_all(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    big = generate_account(PEOPLE, 3, account_id="big")
    if isinstance(store, Neo4jStore):
        store.import_batch = 50  # staged in many transactions
    before = store.counts()
    seen: list[tuple[str, tuple[int, ...]]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        try:
            while not done.is_set():
                counts = store.counts()
                seen.append(("counts", (counts["people"], counts["ties"], counts["interactions"])))
                try:
                    bundle = store.export_bundle("big")
                except NotFoundError:
                    seen.append(("export", ()))
                else:
                    seen.append(("export", (len(bundle.people), len(bundle.ties), len(bundle.interactions))))
        except BaseException as err:  # the test looks at what came out
            errors.append(err)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        store.load_bundle(big)
    finally:
        done.set()
        thread.join()
    assert not errors, errors
    after = store.counts()
    exported = store.export_bundle("big")
    whole = {
        ("counts", (before["people"], before["ties"], before["interactions"])),
        ("counts", (after["people"], after["ties"], after["interactions"])),
        ("export", ()),
        ("export", (len(exported.people), len(exported.ties), len(exported.interactions))),
    }
    assert after["people"] == before["people"] + PEOPLE and len(exported.people) == PEOPLE
    torn = [s for s in seen if s not in whole]
    assert not torn, f"{len(torn)} of {len(seen)} reads saw part of the import, e.g. {torn[:3]}"
    assert len(seen) > 2


def staged(store: Neo4jStore) -> tuple[int, int]:
    """The staged nodes and import leases in the store (invisible to every read of the store's interface)."""
    records, _, _ = store.driver.execute_query(
        "RETURN COUNT { (:Staged) } AS nodes, COUNT { (:ImportStage) } AS leases", database_=store.database
    )
    return int(records[0]["nodes"]), int(records[0]["leases"])


def test_a_reader_sees_the_old_or_the_whole_new_account_while_a_batched_import_changes_it(
    neo4j_store: GraphStore,
) -> None:
    """An import that updates an account and adds to it, staged in many transactions: every read of the
    account (and of the counts) sees it as it was or as it is after the import, never between."""
    store = neo4j_store
    assert isinstance(store, Neo4jStore)
    store.load_bundle(generate_account(300, 3, account_id="big"))
    old = store.export_bundle("big").model_dump_json()
    old_counts = store.counts()
    store.import_batch = 100
    new_bundle = generate_account(900, 4, account_id="big")  # the same 300 people (changed) and 600 more
    reads: list[tuple[str, str]] = []
    most_staged = [0]
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        try:
            while not done.is_set():
                most_staged[0] = max(most_staged[0], staged(store)[0])
                reads.append(("export", store.export_bundle("big").model_dump_json()))
                reads.append(("counts", repr(store.counts())))
        except BaseException as err:  # the test looks at what came out
            errors.append(err)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        store.load_bundle(new_bundle)
    finally:
        done.set()
        thread.join()
    assert not errors, errors
    new = store.export_bundle("big").model_dump_json()
    assert new != old and len(store.export_bundle("big").people) == 900
    whole = {("export", old), ("export", new), ("counts", repr(old_counts)), ("counts", repr(store.counts()))}
    torn = [kind for kind, seen in reads if (kind, seen) not in whole]
    assert not torn, f"{len(torn)} of {len(reads)} reads saw part of the import ({torn[:5]})"
    assert len(reads) >= 4 and most_staged[0] > 100  # the reads ran while the import was staged in batches
    assert staged(store) == (0, 0)


def test_an_import_that_fails_midway_leaves_nothing_visible_and_nothing_staged(neo4j_store: GraphStore) -> None:
    """A person the import ties to is deleted while the import is being staged: the switch finds the bundle
    no longer valid, nothing of it becomes visible and its staged records are deleted."""
    store = neo4j_store
    assert isinstance(store, Neo4jStore)
    store.load_bundle(group_bundle())
    big = generate_account(600, 5, account_id="big")
    big = big.model_copy(update={"ties": [*big.ties, Tie(type=TieType.KNOWS, from_="big-p00001", to="ceo")]})
    store.import_batch = 100
    deleted = threading.Event()

    def delete_midway() -> None:
        while not deleted.is_set():
            if staged(store)[0] > 200:
                store.delete("person", "ceo")
                deleted.set()
            time.sleep(0.01)

    thread = threading.Thread(target=delete_midway, daemon=True)
    thread.start()
    try:
        with pytest.raises(BundleRejected, match="ceo"):
            store.load_bundle(big)
    finally:
        deleted.set()
        thread.join()
    assert store.counts()["people"] == len(group_bundle().people) - 1
    with pytest.raises(NotFoundError):
        store.export_bundle("big")
    assert staged(store) == (0, 0)


def test_a_killed_import_leaves_nothing_visible_and_its_staged_records_go_at_the_next_open(
    neo4j_service: Neo4jServer, neo4j_store: GraphStore, tmp_path: Path
) -> None:
    store = neo4j_store
    assert isinstance(store, Neo4jStore)
    store.load_bundle(group_bundle())
    before, version = store.counts(), store.data_version()
    file = tmp_path / "big.json"
    file.write_text(generate_account(1500, 6, account_id="big").model_dump_json(by_alias=True), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NEO4J_IMPORT_BATCH": "50", "NEO4J_IMPORT_LEASE": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "accountgraph", "import", str(file), "--store", neo4j_service.uri],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while staged(store)[0] < 1000 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the import ended before it could be killed"
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert staged(store)[0] >= 1000  # left behind, invisible:
    assert store.counts() == before and store.data_version() == version
    with pytest.raises(NotFoundError):
        store.export_bundle("big")
    time.sleep(2.5)  # the killed import's lease lapses
    Neo4jStore(neo4j_service.uri, auth=neo4j_service.auth).close()  # opening a store deletes the leftovers
    assert staged(store) == (0, 0)
    assert store.counts() == before and store.data_version() == version


def test_an_import_the_server_has_no_memory_for_is_a_clear_error_and_writes_nothing(
    private_neo4j: PrivateNeo4j, tmp_path: Path
) -> None:
    """In one transaction (a batch larger than the bundle) 3,000 people do not fit in the server's memory (the
    private server lets all transactions hold 48 MiB at once): a clear error, nothing written. In batches of the
    default size the same import succeeds."""
    one_transaction = 1_000_000
    store = Neo4jStore(private_neo4j.uri, import_batch=one_transaction)
    try:
        store.load_bundle(group_bundle())
        before = store.counts()
        version = store.data_version()
        huge = generate_account(3_000, 1, account_id="huge")
        with pytest.raises(StoreResourceError) as info:
            store.load_bundle(huge)
        assert "ran out of memory" in str(info.value) and "nothing was written" in str(info.value)
        assert store.counts() == before and store.data_version() == version
        with pytest.raises(NotFoundError):
            store.export_bundle("huge")
        store.upsert_person(store.get_person("ceo").model_copy(update={"title": "Chief"}))  # still works
        assert store.get_person("ceo").title == "Chief"

        with api(store) as c:
            r = c.post(
                "/v1/import", json=huge.model_dump(mode="json", by_alias=True), headers=new_key(store, "planner")
            )
            assert r.status_code == 507, r.text[:500]
            error = error_of(r)
            assert error["code"] == "insufficient_storage" and "ran out of memory" in error["message"]
            assert private_neo4j.uri not in r.text
        assert store.counts()["people"] == before["people"]

        file = tmp_path / "huge.json"
        file.write_text(huge.model_dump_json(by_alias=True), encoding="utf-8")
        env = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(REPO),
            "COLUMNS": "200",
            "NEO4J_IMPORT_BATCH": str(one_transaction),
        }
        done = subprocess.run(
            [sys.executable, "-m", "accountgraph", "import", str(file), "--store", private_neo4j.uri],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
        assert "ran out of memory" in done.stderr and "nothing was written" in done.stderr
        assert "NEO4J_IMPORT_BATCH" in done.stderr  # what to do
        assert store.counts()["people"] == before["people"]

        store.import_batch = BATCH  # the default: staged in transactions of 5,000 records
        store.load_bundle(huge)
        assert store.counts()["people"] == before["people"] + 3_000
        assert len(store.export_bundle("huge").people) == 3_000 and staged(store) == (0, 0)
    finally:
        store.close()
