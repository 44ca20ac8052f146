"""Signing in and out of the workspace: the session's cookie, its storage, fixation, CSRF and the failure limit,
against a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import GraphStore
from accountgraph.services import sessions
from accountgraph.services.sessions import SessionRecord
from accountgraph.web.app import SESSION_COOKIE
from tests.web.support import ACCOUNT, csrf_of, form_token, held, make_store, new_key, plant, sign_in, workspace


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    s = make_store(tmp_path / "web.db")
    try:
        yield s
    finally:
        s.close()


def _set_cookie(headers: list[str], name: str) -> str:
    return next(h for h in headers if h.startswith(f"{name}="))


def test_sign_in_sets_an_httponly_strict_cookie_and_secure_over_tls(store: GraphStore) -> None:
    key = new_key(store, "planner")
    for https in (False, True):
        with workspace(store, https=https) as client:
            answer = client.post("/signin", data={"csrf": form_token(client), "key": key})
            assert answer.status_code == 303
            cookie = _set_cookie(answer.headers.get_list("set-cookie"), SESSION_COOKIE)
            flags = {part.strip().lower() for part in cookie.split(";")[1:]}
            assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
            assert ("secure" in flags) is https
            assert client.get("/").status_code == 200


def test_a_session_is_stored_hashed_and_every_app_on_the_store_knows_it(store: GraphStore, tmp_path: Path) -> None:
    key = new_key(store, "viewer")
    with workspace(store) as first:
        sign_in(first, key)
        secret = held(first)
    stored = store.documents.list(SessionRecord.kind)
    assert len(stored) == 1 and stored[0].id != secret and secret not in str(stored[0].data)
    again = make_store_reopened(store)
    try:
        with workspace(again) as second:  # another process, or the same after a restart
            plant(second, secret)
            assert second.get("/").status_code == 200
    finally:
        again.close()


def make_store_reopened(store: GraphStore) -> GraphStore:
    from accountgraph.graph import open_store

    return open_store(store.url)


def test_signing_in_always_opens_a_new_session_and_revokes_the_old_one(store: GraphStore) -> None:
    key = new_key(store, "planner")
    with workspace(store) as client:
        plant(client, "chosen-by-an-attacker")
        sign_in(client, key)
        first = held(client)
        assert first != "chosen-by-an-attacker"
        sign_in(client, key)  # signing in again over a live session
        second = held(client)
        assert second != first
        assert sessions.find_session(store, first) is None  # the replaced session is revoked
        assert sessions.find_session(store, second) is not None


def test_the_sign_in_form_needs_its_own_token(store: GraphStore) -> None:
    key = new_key(store, "planner")
    with workspace(store) as client:
        client.get("/signin")
        answer = client.post("/signin", data={"csrf": "forged", "key": key})
        assert answer.status_code == 403 and held(client) is None
        assert store.documents.list(SessionRecord.kind) == []


def test_failed_sign_ins_count_against_the_failure_limit(store: GraphStore) -> None:
    key = new_key(store, "planner")
    with workspace(store, auth_failure_limit=2, auth_failure_refill_seconds=3600) as client:
        for _ in range(2):
            answer = client.post("/signin", data={"csrf": form_token(client), "key": "ag_nope_wrong"})
            assert answer.status_code == 401 and "Unknown or revoked" in answer.text
        answer = client.post("/signin", data={"csrf": form_token(client), "key": key})
        assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0
        assert held(client) is None
        # the API's keys are limited by the same buckets
        assert client.get("/v1/accounts", headers={"Authorization": "Bearer ag_x_y"}).status_code == 429


def test_sign_out_needs_the_token_and_revokes_the_session(store: GraphStore) -> None:
    key = new_key(store, "viewer")
    with workspace(store) as client:
        token = sign_in(client, key)
        secret = held(client)
        assert client.post("/signout", data={"csrf": "wrong"}).status_code == 403
        assert client.get("/").status_code == 200  # still signed in
        answer = client.post("/signout", data={"csrf": token})
        assert answer.status_code == 303 and answer.headers["location"] == "/signin"
        assert sessions.find_session(store, secret) is None
        plant(client, secret)  # the old cookie replayed
        assert client.get("/").headers["location"] == "/signin"
        assert client.get("/web/map", params={"account": ACCOUNT}).status_code == 401


def test_revoking_the_key_ends_its_sessions(store: GraphStore) -> None:
    key = new_key(store, "planner")
    with workspace(store) as client:
        sign_in(client, key)
        store.revoke_api_key(key.split("_")[1])
        assert client.get("/").status_code == 303
        assert client.get("/web/map", params={"account": ACCOUNT}).status_code == 401


def test_a_session_expires(store: GraphStore) -> None:
    key = new_key(store, "viewer")
    started = sessions.start_session(store, key, now=datetime.now(UTC) - timedelta(hours=13))
    assert started is not None
    assert sessions.find_session(store, started.secret) is None
    assert sessions.start_session(store, "ag_bad_key") is None


def test_the_api_still_needs_a_key_and_pages_need_a_session(store: GraphStore) -> None:
    key = new_key(store, "viewer")
    with workspace(store) as client:
        assert client.get("/").headers["location"] == "/signin"
        assert client.get(f"/accounts/{ACCOUNT}").headers["location"] == "/signin"
        assert client.get("/web/map", params={"account": ACCOUNT}).status_code == 401
        sign_in(client, key)
        assert client.get("/v1/accounts").status_code == 401  # a session is not an API key
        assert client.get("/v1/accounts", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert csrf_of(client)


def test_signing_in_and_out_leaves_the_data_version_and_the_account_snapshot(store: GraphStore) -> None:
    assert isinstance(store, SqliteStore)
    key = new_key(store, "planner")
    store.snapshot_min_ties = 0  # keep a snapshot of any account
    store.account_subgraph(ACCOUNT)
    kept = "SELECT count(*) FROM account_snapshot WHERE account = ?"

    def snapshots() -> int:
        return int(store._conn().execute(kept, (ACCOUNT,)).fetchone()[0])

    assert snapshots() == 1
    before = store.data_version()
    with workspace(store) as client:
        token = sign_in(client, key)
        assert client.get(f"/web/map?account={ACCOUNT}").status_code == 200
        assert client.post("/signout", data={"csrf": token}).status_code == 303
    assert store.data_version() == before and snapshots() == 1


def test_signing_in_deletes_the_ended_sessions(store: GraphStore) -> None:
    key = new_key(store, "viewer")
    now = datetime.now(UTC)
    expired = sessions.start_session(store, key, now=now - timedelta(hours=13))
    revoked = sessions.start_session(store, key, now=now - timedelta(hours=1))
    live = sessions.start_session(store, key, now=now - timedelta(hours=1))
    assert expired is not None and revoked is not None and live is not None
    ids = {d.id for d in store.documents.list(SessionRecord.kind)}
    assert len(ids) == 2  # the later sign-ins deleted the expired session
    assert sessions.end_session(store, revoked.secret)
    newest = sessions.start_session(store, key)
    assert newest is not None
    left = {d.id for d in store.documents.list(SessionRecord.kind)}
    assert len(left) == 2 and len(left & ids) == 1  # the revoked one is gone too; the live one stays
    assert sessions.find_session(store, live.secret) is not None
    assert sessions.find_session(store, newest.secret) is not None
    assert sessions.purge_sessions(store) == 0
    assert sessions.purge_sessions(store, now=now + timedelta(days=1)) == 2
    assert store.documents.list(SessionRecord.kind) == []
