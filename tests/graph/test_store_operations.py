"""The operator's side of a store: a damaged or empty SQLite file, `backup` and `check` (store methods and
commands), on real files (and a real Neo4j server where the backend has something to say)."""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient

from accountgraph.api.app import create_app
from accountgraph.api.settings import ApiSettings
from accountgraph.errors import InvalidArgument, StoreDamaged, StoreError
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import GraphStore
from accountgraph.samples.generator import generate_account
from tests.api.support import error_of, new_key
from tests.cli.support import invoke

PAGE = 4096


def filled_file(path: Path) -> Path:
    """A closed SQLite store holding a generated account `acme` (a few hundred pages)."""
    with SqliteStore(f"sqlite:///{path}") as store:
        store.load_bundle(generate_account(300, 1, account_id="acme"))
    return path


def damage(path: Path) -> None:
    """Overwrite 200 bytes in the middle of a page of ties in the middle of the file (a torn write, a bad sector):
    a page every export reads, wherever the file's layout put it."""
    pages = path.stat().st_size // PAGE
    assert pages > 20
    with closing(sqlite3.connect(path)) as conn:
        ties = [n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'tie' AND pagetype = 'leaf'")]
    assert len(ties) > 5
    page = sorted(ties, key=lambda n: abs(n - pages // 2))[0]  # dbstat numbers pages from 1
    with path.open("r+b") as f:
        f.seek((page - 1) * PAGE + 1000)
        f.write(b"\xff" * 200)


def cli(*args: str, store: Path) -> Result:
    """`accountgraph ARGS --store sqlite:///STORE`, in-process (an exception that escapes fails the test)."""
    url = f"sqlite:///{store}"
    return invoke(url, *args, "--store", url)


# ---- a damaged SQLite file ----------------------------------------------------------------------------
def test_a_damaged_file_is_found_at_open_and_every_call_names_the_file_and_what_to_do(tmp_path: Path) -> None:
    path = filled_file(tmp_path / "store.db")
    damage(path)
    store = SqliteStore(f"sqlite:///{path}")  # opens, to be checked and backed up from, but serves nothing
    try:
        assert store.damage is not None
        calls = [
            store.counts,
            store.ping,
            store.list_accounts,
            lambda: store.export_bundle("acme"),
            lambda: store.account_projection("acme"),
            lambda: store.get_person("acme-p0001"),
            lambda: store.documents.list("quote"),
            lambda: store.backup(tmp_path / "copy.db"),
        ]
        for call in calls:
            with pytest.raises(StoreDamaged) as info:
                call()
            message = str(info.value)
            assert str(path) in message and "restore it from a backup" in message and "accountgraph check" in message
        report = store.check()
        assert not report.ok and report.store == str(path) and report.how == "SQLite quick_check"
        assert report.problems and all(isinstance(p, str) and p for p in report.problems)
        assert not store.check(full=True).ok
        assert not (tmp_path / "copy.db").exists()
    finally:
        store.close()


def test_damage_met_by_a_query_after_open_becomes_store_damaged_and_sticks(tmp_path: Path) -> None:
    path = filled_file(tmp_path / "store.db")
    store = SqliteStore(f"sqlite:///{path}")
    try:
        assert store.damage is None and store.counts()["people"] == 300
        damage(path)  # under a running store
        found: list[BaseException] = []

        def read() -> None:  # a new thread: a new connection, nothing cached
            try:
                store.export_bundle("acme")
            except BaseException as err:  # the test looks at what came out
                found.append(err)

        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        assert len(found) == 1 and isinstance(found[0], StoreDamaged), found
        with pytest.raises(StoreDamaged):
            store.ping()  # readiness now says so
    finally:
        store.close()


def test_the_cli_says_the_file_is_damaged_without_a_traceback(tmp_path: Path) -> None:
    path = filled_file(tmp_path / "store.db")
    damage(path)
    for args in (("info",), ("export", "acme"), ("rank", "acme"), ("backup", str(tmp_path / "copy.db"))):
        done = cli(*args, store=path)
        assert done.exit_code == 1, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert "is damaged" in done.stderr and str(path) in done.stderr and "accountgraph check" in done.stderr, args
    checked = cli("check", store=path)
    assert checked.exit_code == 1 and "Traceback" not in checked.stderr
    assert "DAMAGED" in checked.stderr and "restore the store from a backup" in checked.stderr
    assert re.search(r"DAMAGED \(SQLite quick_check\), \d+ problems?:", checked.stderr), checked.stderr  # no "(s)"


def test_the_api_over_a_damaged_file_is_not_ready_and_answers_503_never_500(tmp_path: Path) -> None:
    path = filled_file(tmp_path / "store.db")
    with SqliteStore(f"sqlite:///{path}") as store:
        headers = new_key(store, "viewer")
    damage(path)
    app = create_app(ApiSettings(store=f"sqlite:///{path}", log_level="WARNING"))
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get("/healthz").status_code == 200
        for url in ("/readyz", "/v1/accounts", "/v1/people/acme-p0001", "/v1/accounts/acme/key-people"):
            r = c.get(url, headers=headers)
            assert r.status_code == 503, (url, r.text)
            error = error_of(r)
            assert error["code"] == "store_unavailable" and "damaged" in error["message"], url
            assert str(tmp_path) not in r.text  # the file is named in the log, not to callers


# ---- an empty file --------------------------------------------------------------------------------------
def test_an_empty_file_becomes_a_new_store_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with SqliteStore(f"sqlite:///{path}") as store:
        assert len(store.notices) == 1 and str(path) in store.notices[0] and "0 bytes" in store.notices[0]
        assert store.counts()["people"] == 0
    with SqliteStore(f"sqlite:///{path}") as store:  # now a store: nothing to say
        assert store.notices == ()
    path.unlink()
    path.touch()
    done = cli("info", store=path)
    assert done.exit_code == 0 and "note:" in done.stderr and "empty file (0 bytes)" in done.stderr
    with SqliteStore(f"sqlite:///{tmp_path / 'new.db'}") as fresh:  # a file that does not exist: no notice
        assert fresh.notices == ()


# ---- backup and check ----------------------------------------------------------------------------------
def test_backup_copies_the_store_while_in_use_and_the_copy_opens_with_the_same_counts(tmp_path: Path) -> None:
    path = filled_file(tmp_path / "store.db")
    with SqliteStore(f"sqlite:///{path}") as store:
        counts = store.counts()
        bundle = store.export_bundle("acme")
        store.backup(tmp_path / "copy.db")
        with pytest.raises(InvalidArgument, match="exists"):
            store.backup(tmp_path / "copy.db")
        with pytest.raises(InvalidArgument, match="does not exist"):
            store.backup(tmp_path / "nowhere" / "copy.db")
        assert store.check().ok and store.check(full=True).ok
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]
    with SqliteStore(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        assert copy.counts() == counts and copy.export_bundle("acme") == bundle and copy.check().ok


def test_backup_and_check_commands(tmp_path: Path) -> None:
    path = filled_file(tmp_path / "store.db")
    done = cli("backup", str(tmp_path / "copy.db"), store=path)
    assert done.exit_code == 0, done.stderr
    assert f"to {tmp_path / 'copy.db'}" in done.stderr.replace("\n", "")
    again = cli("backup", str(tmp_path / "copy.db"), store=path)
    assert again.exit_code == 1 and "exists" in again.stderr and "Traceback" not in again.stderr
    checked = cli("check", "--full", store=tmp_path / "copy.db")
    assert checked.exit_code == 0 and "ok (SQLite integrity_check)" in checked.stdout
    with SqliteStore(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        assert copy.counts()["people"] == 300


def test_check_on_both_backends_and_neo4j_points_to_its_own_backup_tool(store: GraphStore, tmp_path: Path) -> None:
    report = store.check()
    assert report.ok, report.problems
    if isinstance(store, SqliteStore):
        return
    with pytest.raises(StoreError, match="neo4j-admin database dump"):
        store.backup(tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()
