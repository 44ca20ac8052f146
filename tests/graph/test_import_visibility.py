"""Large imports: a concurrent reader sees the whole import or none of it (both backends), and an import the
Neo4j server has no memory for is refused with a clear error by the store, the API (507) and the CLI, nothing
written (the private launcher server with a small heap, `private_neo4j`)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from accountgraph.errors import NotFoundError, StoreResourceError
from accountgraph.graph.neo4j import Neo4jStore
from accountgraph.graph.store import GraphStore
from accountgraph.samples.generator import generate_account
from tests.api.support import REPO, api, error_of, new_key
from tests.graph.test_store_contract import group_bundle
from tests.neo4j_server import PrivateNeo4j

PEOPLE = 1500


def test_a_concurrent_reader_sees_an_import_whole_or_not_at_all(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    big = generate_account(PEOPLE, 3, account_id="big")
    if isinstance(store, Neo4jStore):
        store.import_batch = 50  # many statements in the one transaction
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


def test_an_import_the_server_has_no_memory_for_is_a_clear_error_and_writes_nothing(
    private_neo4j: PrivateNeo4j, tmp_path: Path
) -> None:
    store = Neo4jStore(private_neo4j.uri)
    try:
        store.load_bundle(group_bundle())
        before = store.counts()
        version = store.data_version()
        huge = generate_account(12_000, 1, account_id="huge")
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
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "COLUMNS": "200"}
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
        assert store.counts()["people"] == before["people"]
    finally:
        store.close()
