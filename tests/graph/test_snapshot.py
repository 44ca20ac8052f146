"""Ties as columns, and the SQLite store's account snapshots: same rows as the tables, dropped on every write."""

from __future__ import annotations

import io
import logging
import sqlite3
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from accountgraph.errors import StoreError
from accountgraph.graph import snapshot
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.projection import TieColumns
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.schema.models import Bundle, TeamMember, Tie

NEVER = 10**9


def _bundle() -> Bundle:
    bundle = generate_account(300, seed=3, account_id="acc", reference=DEFAULT_REFERENCE)
    for k, p in enumerate(bundle.people[1:40]):  # some joined late, some left
        if k % 2:
            p.since = date(2025, 1, 1)
        else:
            p.until = date(2024, 1, 1)
    return bundle


def _stores(tmp_path: Path) -> tuple[SqliteStore, SqliteStore]:
    """Two stores on one file: one never keeps snapshots, one keeps them for every account."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    plain, kept = SqliteStore(url, snapshot_min_ties=NEVER), SqliteStore(url, snapshot_min_ties=0)
    plain.load_bundle(_bundle())
    return plain, kept


def _snapshots(store: SqliteStore) -> list[tuple[str, int]]:
    return store._conn().execute("SELECT account, version FROM account_snapshot").fetchall()


# ---- TieColumns --------------------------------------------------------------------------------------------


def test_tie_columns_read_back_as_the_rows_they_were_built_from() -> None:
    rows = [
        ("knows", "p2", "p1", 0.5, "2020-01-01", None, "2025-03-01", None),
        ("influences", "p1", "p3", 0.25, None, "2024-06-30", None, "sways the budget"),
        ("knows", "t1", "p3", 1.0, "2023-05-05", "2026-01-01", "2025-12-24", ""),
    ]
    ties = TieColumns.of(rows)
    assert len(ties) == 3 and list(ties) == rows and [ties[j] for j in range(3)] == rows
    assert ties == rows and TieColumns.of(ties) is ties
    assert ties.nodes == ["p1", "p2", "p3", "t1"] and ties.ends() == {"p1", "p2", "p3", "t1"}
    assert list(ties.take(np.array([2, 0]))) == [rows[2], rows[0]]
    for on in (date(2019, 12, 31), date(2020, 1, 1), date(2024, 6, 29), date(2024, 6, 30), date(2026, 1, 1)):
        day = on.isoformat()  # the rule the store writes: since <= on < until, as ISO texts
        expected = [(t[4] is None or t[4] <= day) and (t[5] is None or day < t[5]) for t in rows]
        assert ties.active_on(on).tolist() == expected
    with pytest.raises(ValueError, match="unknown tie kind 'likes'"):
        TieColumns.of([("likes", "a", "b", 0.5, None, None, None, None)])
    empty = TieColumns.of([])
    assert len(empty) == 0 and list(empty) == [] and empty.ends() == set()


def test_a_snapshot_decodes_to_the_rows_it_was_made_from(tmp_path: Path) -> None:
    plain, _ = _stores(tmp_path)
    rows = plain._account_rows("acc")
    assert any(p["history"] for p in rows.people) and rows.interactions and rows.risks
    back = snapshot.decode(*snapshot.encode(rows))
    for name in ("companies", "people", "team", "interactions", "risks"):
        assert getattr(back, name) == getattr(rows, name), name
    assert list(back.ties) == list(rows.ties)
    columns = TieColumns.of(rows.ties)
    assert np.array_equal(back.ties.since_day, columns.since_day)  # type: ignore[union-attr]
    assert np.array_equal(back.ties.until_day, columns.until_day)  # type: ignore[union-attr]
    # rows that do not share their fields are kept as rows
    rows.risks = [{"id": "r1", "amount": "12.50"}, {"id": "r2", "at": "2025-01-01"}, {"id": "r3"}]
    assert snapshot.decode(*snapshot.encode(rows)).risks == rows.risks
    text, blob = snapshot.encode(rows)
    for bad in [("[]", blob), (text.replace('"format":1', '"format":0'), blob), (text, blob[:100]), ("{", blob)]:
        with pytest.raises(ValueError):
            snapshot.decode(*bad)
    # damaged columns: a negative node index, an unknown kind, a text code past its table
    for name, value in (("a", -1), ("kind", 7), ("note", 10**6)):
        with np.load(io.BytesIO(blob)) as npz:
            arrays = {k: npz[k].copy() for k in npz.files}
        arrays[name][0] = value
        out = io.BytesIO()
        np.savez(out, **arrays)
        with pytest.raises(ValueError):
            snapshot.decode(text, out.getvalue())


# ---- the SQLite store's snapshots --------------------------------------------------------------------------


def test_a_large_account_is_read_from_its_snapshot_until_the_next_write(tmp_path: Path) -> None:
    plain, kept = _stores(tmp_path)
    on = date(2026, 1, 1)
    expected = plain.account_projection("acc", as_of=on)
    version = plain.data_version()
    assert _snapshots(kept) == []
    assert kept.account_projection("acc", as_of=on) == expected  # read from the tables, then kept
    assert _snapshots(kept) == [("acc", version)]
    assert plain.data_version() == version  # keeping a snapshot is not a write
    assert kept.account_projection("acc", as_of=on) == expected  # read from the snapshot
    assert kept.account_projection("acc", as_of=date(2023, 6, 1)) == plain.account_projection("acc", date(2023, 6, 1))
    assert kept.export_bundle("acc") == plain.export_bundle("acc")
    # the snapshot is what is read: a change made to it alone shows
    person = expected.people[0]["id"]
    conn = kept._conn()
    text = conn.execute("SELECT rows FROM account_snapshot").fetchone()[0]
    changed = text.replace(expected.people[0]["name"], "Only In Snapshot")
    conn.execute("UPDATE account_snapshot SET rows = ?", (changed,))
    assert kept.account_projection("acc", as_of=on).people[0]["name"] == "Only In Snapshot"
    # any write drops it: the next read sees the tables again, and keeps a new snapshot
    plain.upsert_person(plain.get_person(person).model_copy(update={"title": "Chief Snapshot Officer"}))
    assert _snapshots(kept) == []
    fresh = kept.account_projection("acc", as_of=on).people[0]
    assert (fresh["name"], fresh["title"]) == (expected.people[0]["name"], "Chief Snapshot Officer")
    assert _snapshots(kept) == [("acc", version + 1)]
    plain.close()
    kept.close()


def test_a_snapshot_of_another_version_or_a_damaged_one_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plain, kept = _stores(tmp_path)
    on = date(2026, 1, 1)
    expected = plain.account_projection("acc", as_of=on)
    kept.account_projection("acc", as_of=on)
    conn = kept._conn()
    text = conn.execute("SELECT rows FROM account_snapshot").fetchone()[0]
    tampered = text.replace(expected.people[0]["name"], "Stale")
    conn.execute("UPDATE account_snapshot SET rows = ?, version = version - 1", (tampered,))
    assert kept.account_projection("acc", as_of=on) == expected
    conn.execute("UPDATE account_snapshot SET rows = ?", ('{"format": 1, "nodes": 7}',))
    with caplog.at_level(logging.WARNING, logger="accountgraph.graph.sqlite"):
        assert kept.account_projection("acc", as_of=on) == expected
    assert "ignoring the snapshot of account 'acc'" in caplog.text
    plain.close()
    kept.close()


def test_a_snapshot_is_skipped_while_another_writer_holds_the_lock(tmp_path: Path) -> None:
    plain, kept = _stores(tmp_path)
    on = date(2026, 1, 1)
    expected = plain.account_projection("acc", as_of=on)
    writer = sqlite3.connect(str(tmp_path / "store.db"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert kept.account_projection("acc", as_of=on) == expected
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert _snapshots(kept) == []
    kept.account_projection("acc", as_of=on)
    assert len(_snapshots(kept)) == 1
    plain.close()
    kept.close()


def test_small_accounts_are_not_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = SqliteStore(url)
    store.load_bundle(generate_account(60, seed=1, account_id="acc", reference=DEFAULT_REFERENCE))
    assert len(store._account_rows("acc").ties) < store.snapshot_min_ties
    store.account_projection("acc")
    assert _snapshots(store) == []
    store.close()


def test_an_account_that_cannot_be_encoded_is_read_from_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, kept = _stores(tmp_path)

    def refuse(rows: object) -> tuple[str, bytes]:
        raise TypeError("Object of type bytes is not JSON serializable")

    monkeypatch.setattr(snapshot, "encode", refuse)
    assert kept.account_projection("acc") == plain.account_projection("acc")
    assert _snapshots(kept) == []
    plain.close()
    kept.close()


def test_tie_dates_that_are_not_plain_iso_dates_are_kept_as_written() -> None:
    from accountgraph.projection import AccountRows

    ties = [
        ("knows", "p1", "p2", 0.5, "2020-01-01", None, "2025-03-01", None),
        ("knows", "p1", "p3", 0.5, "2020-01-02", "2031-12-31", None, "n"),
        ("knows", "p2", "p3", 0.5, "2020-01-01T08:00:00", None, None, None),  # not a plain date: kept as is
    ]
    for rows in (ties[:2], ties, [(*t[:4], None, None, None, None) for t in ties]):
        back = snapshot.decode(*snapshot.encode(AccountRows(ties=rows)))
        assert list(back.ties) == rows


def test_our_ties_read_the_same_whether_the_team_is_small_or_large_beside_the_account(tmp_path: Path) -> None:
    """Ties from our team members to the account's people are read from the team's side while the team is small
    beside the account, from the people's side when the store holds many members (many accounts): both give the
    same rows."""
    bundle = _bundle()
    member, person = "aaa-member", bundle.people[5].id  # a `knows` tie is kept from the lesser id: the member's
    bundle.team.append(TeamMember(id=member, name="Aaa Member"))
    bundle.ties.append(Tie.model_validate({"from": member, "to": person, "type": "knows", "strength": 0.7}))
    store = SqliteStore(f"sqlite:///{tmp_path / 'team.db'}", snapshot_min_ties=NEVER)
    store.load_bundle(bundle)
    assert len(bundle.team) * 4 <= 300  # the team's side
    small = store.account_projection("acc", as_of=DEFAULT_REFERENCE)
    assert any(t[1] == member and t[2] == person for t in store._account_rows("acc").ties)
    for k in range(80):  # 80 + the team's members: more than a quarter of the account's 300 people
        store.upsert_team_member(TeamMember(id=f"other-t{k:03d}", name=f"Other {k}"))
    large_rows = store._account_rows("acc")
    assert any(t[1] == member and t[2] == person for t in large_rows.ties)
    assert store.account_projection("acc", as_of=DEFAULT_REFERENCE) == small


def test_a_store_closed_while_another_thread_reads_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The background snapshot keeper (`services.incremental.keep_snapshot_later`) may be reading when the app
    closes the store: the read's connection is closed under it. That is the store's state (a StoreError, which the
    keeper logs and drops), not a defect (sqlite3's ProgrammingError, which escaped as a thread's traceback)."""
    _, kept = _stores(tmp_path)
    read = SqliteStore._read_account

    def closed_meanwhile(self: SqliteStore, conn: sqlite3.Connection, account_id: str) -> object:
        self.close()  # as another thread would, between taking the connection and using it
        return read(self, conn, account_id)

    monkeypatch.setattr(SqliteStore, "_read_account", closed_meanwhile)
    with pytest.raises(StoreError, match="closed"):
        kept.keep_snapshot("acc")
