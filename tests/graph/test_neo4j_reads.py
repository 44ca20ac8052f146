"""Neo4j's fast reads: the projection read as columns equals SQLite's, the decoded rows are kept under the data
version (a write of another connection or process makes the next read read again), and within one request
the data version is the one read with the caller's key until the store writes itself."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from accountgraph.graph.neo4j import Neo4jStore
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import GraphStore, request_scope
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.schema.models import Bundle, Company, Person, Stance, TeamMember, Tie, TieType
from accountgraph.services.keys import mint_key
from tests.api.support import REPO, api, bearer
from tests.neo4j_server import Neo4jServer

DATES = (date(2024, 6, 30), DEFAULT_REFERENCE, date(2027, 1, 1))


def two_accounts() -> Bundle:
    """A generated account, and a second one whose people are tied to it (those ties belong to neither
    projection's ties unless both ends are in it) and to team members of both."""
    first = generate_account(400, seed=7, account_id="acme", reference=DEFAULT_REFERENCE)
    second = generate_account(60, seed=8, account_id="other", reference=DEFAULT_REFERENCE)
    ids = {p.id for p in first.people}
    second = Bundle(
        companies=[c.model_copy(update={"name": f"{c.name} (other)"}) for c in second.companies],
        people=[p for p in second.people if p.id not in ids],
        team=[t for t in second.team if t.id not in {m.id for m in first.team}],
        ties=[t for t in second.ties if t.from_ not in ids and t.to not in ids],
        interactions=[],
        risks=[],
    )
    a, b = first.people[0].id, second.people[0].id
    across = Tie(type=TieType.KNOWS, **{"from": min(a, b), "to": max(a, b)}, strength=0.7)
    member = TeamMember(id="tm-both", name="Both Accounts")
    ours = [
        Tie(type=TieType.KNOWS, **{"from": "tm-both", "to": first.people[1].id}, strength=0.4),
        Tie(type=TieType.KNOWS, **{"from": "tm-both", "to": second.people[1].id}, strength=0.5, note="old friend"),
    ]
    return Bundle(
        companies=[*first.companies, *second.companies],
        people=[*first.people, *second.people],
        team=[*first.team, *second.team, member],
        ties=[*first.ties, *second.ties, across, *ours],
        interactions=first.interactions,
        risks=first.risks,
    )


def test_the_projection_read_as_columns_equals_sqlites(neo4j_store: GraphStore, tmp_path: Path) -> None:
    bundle = two_accounts()
    lite = SqliteStore(f"sqlite:///{tmp_path / 'lite.db'}", snapshot_min_ties=10**9)  # its tables, no snapshot
    try:
        for store in (lite, neo4j_store):
            store.load_bundle(bundle, on=DEFAULT_REFERENCE)
        assert isinstance(neo4j_store, Neo4jStore)
        neo4j_store.rows_cache = 0  # every read from the server
        for split in (10**9, 50):  # the ties in one query, and in two parts read at once
            neo4j_store.split_people = split
            for account in ("acme", "other"):
                assert neo4j_store.export_bundle(account) == lite.export_bundle(account)
                for on in DATES:
                    got, want = neo4j_store.account_projection(account, on), lite.account_projection(account, on)
                    for part in ("companies", "people", "team", "interactions", "risks"):
                        assert getattr(got, part) == getattr(want, part), (account, on, part)
                    assert sorted(got.ties) == sorted(want.ties), (account, on)
                    assert len(got.ties) > 0
        acme = neo4j_store.account_projection("acme", DEFAULT_REFERENCE)
        assert "tm-both" in {t["id"] for t in acme.team}  # our member tied to both accounts is in each
        assert any(t[7] == "old friend" for t in neo4j_store.account_projection("other", DEFAULT_REFERENCE).ties)
    finally:
        lite.close()


def _title(store: GraphStore, account: str, person: str) -> str | None:
    rows = {p["id"]: p for p in store.account_projection(account, DEFAULT_REFERENCE).people}
    title: str | None = rows[person].get("title")
    return title


def test_kept_rows_are_read_again_after_a_write_of_another_connection_or_process(
    neo4j_store: GraphStore, neo4j_service: Neo4jServer, tmp_path: Path
) -> None:
    assert isinstance(neo4j_store, Neo4jStore)
    store = neo4j_store
    bundle = generate_account(200, seed=3, account_id="acme", reference=DEFAULT_REFERENCE)
    store.load_bundle(bundle, on=DEFAULT_REFERENCE)
    person = next(p for p in bundle.people if p.since is None or p.since <= DEFAULT_REFERENCE)
    assert _title(store, "acme", person.id) == person.title

    # the rows are kept: a change that does not move the data version (raw Cypher; no AccountGraph write
    # does that) is not seen, the read came from what the store kept
    store.driver.execute_query("MATCH (p:Person {id: $id}) SET p.title = $title", id=person.id, title="raw")
    assert _title(store, "acme", person.id) == person.title

    # another connection writes: the version moves, the next read reads the account again
    other = Neo4jStore(neo4j_service.uri, auth=neo4j_service.auth)
    try:
        other.upsert_person(person.model_copy(update={"title": "Changed by another store"}), on=DEFAULT_REFERENCE)
    finally:
        other.close()
    assert _title(store, "acme", person.id) == "Changed by another store"

    # another process writes (the CLI's import of one person)
    file = tmp_path / "one.json"
    changed = person.model_copy(update={"title": "Changed by another process"})
    file.write_text(Bundle(people=[changed]).model_dump_json(by_alias=True), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "accountgraph", "import", str(file), "--store", neo4j_service.uri],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _title(store, "acme", person.id) == "Changed by another process"


def test_a_request_reads_the_data_version_with_its_key_until_the_store_writes(
    neo4j_store: GraphStore, neo4j_service: Neo4jServer
) -> None:
    store = neo4j_store
    record, _ = mint_key(store, "viewer")
    other = Neo4jStore(neo4j_service.uri, auth=neo4j_service.auth)
    try:
        with request_scope():
            assert store.get_api_key(record.id) == record
            version = store.data_version()
            other.upsert_company(Company(id="elsewhere", name="Elsewhere"))  # another connection writes
            assert store.data_version() == version  # the request's version: the one read with its key
            store.upsert_company(Company(id="here", name="Here"))  # this store writes: its version is past
            assert store.data_version() == version + 2
        assert other.data_version() == version + 2
        with request_scope():
            other.upsert_company(Company(id="later", name="Later"))
            assert store.data_version() == version + 3  # a new request reads afresh
        assert store.get_api_key("no-such-key") is None
    finally:
        other.close()


def test_each_api_request_sees_the_writes_of_another_store(neo4j_store: GraphStore, neo4j_service: Neo4jServer) -> None:
    """The version a request reads with its key is that request's only: the next one sees another store's write."""
    store = neo4j_store
    bundle = generate_account(150, seed=5, account_id="acme", reference=DEFAULT_REFERENCE)
    store.load_bundle(bundle, on=DEFAULT_REFERENCE)
    _, key = mint_key(store, "viewer")
    query = {"top": 1000, "as_of": DEFAULT_REFERENCE.isoformat()}
    with api(store) as client:
        first = client.get("/v1/accounts/acme/key-people", params=query, headers=bearer(key))
        assert first.status_code == 200, first.text
        top = first.json()["people"][0]
        person = store.get_person(top["id"])
        stance = Stance.OPPONENT if top["stance"] != Stance.OPPONENT.value else Stance.SUPPORTER
        other = Neo4jStore(neo4j_service.uri, auth=neo4j_service.auth)
        try:
            other.upsert_person(Person.model_validate({**person.model_dump(), "stance": stance}), on=DEFAULT_REFERENCE)
        finally:
            other.close()
        again = client.get("/v1/accounts/acme/key-people", params=query, headers=bearer(key))
        assert again.status_code == 200, again.text
        assert {p["id"]: p["stance"] for p in again.json()["people"]}[top["id"]] == stance.value


def test_the_servers_query_notifications_are_not_logged(
    neo4j_store: GraphStore, neo4j_service: Neo4jServer, caplog: pytest.LogCaptureFixture
) -> None:
    """On an empty database the store's own queries name properties no record has yet: the server's hints about
    them are not logged (the driver would print each as a warning on a CLI user's stderr)."""
    caplog.set_level(logging.INFO, logger="neo4j")
    store = Neo4jStore(neo4j_service.uri, auth=neo4j_service.auth)  # drops import leftovers: `until` unknown
    try:
        store.list_accounts()
        store.data_version()
        store.driver.execute_query("MATCH (n:Person) WHERE n.never_a_property = 1 RETURN n")
    finally:
        store.close()
    assert not [r for r in caplog.records if "notification" in r.getMessage().lower()]
