"""The workspace's sessions as a use case, on both backends: kept as store documents, found by their secret only,
ended by sign-out, expiry or the key's revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole
from accountgraph.services import sessions
from accountgraph.services.keys import mint_key
from accountgraph.services.sessions import SessionRecord


def test_a_session_lives_until_sign_out(store: GraphStore) -> None:
    record, key = mint_key(store, "planner", accounts=())
    opened = sessions.start_session(store, key)
    assert opened is not None and opened.scope.key_id == record.id and opened.scope.role is ApiRole.PLANNER
    (stored,) = store.documents.list(SessionRecord.kind)
    assert stored.id != opened.secret and opened.secret not in str(stored.data)  # only its hash is kept
    found = sessions.find_session(store, opened.secret)
    assert found is not None and found.csrf == opened.csrf and found.scope == opened.scope
    assert sessions.check_csrf(found, opened.csrf) and not sessions.check_csrf(found, None)
    assert not sessions.check_csrf(found, opened.csrf + "x")
    assert sessions.find_session(store, "not-a-session") is None
    assert sessions.end_session(store, opened.secret)
    assert sessions.find_session(store, opened.secret) is None
    assert not sessions.end_session(store, opened.secret)  # already ended


def test_a_session_ends_when_it_expires_or_its_key_is_revoked(store: GraphStore) -> None:
    record, key = mint_key(store, "viewer")
    old = sessions.start_session(store, key, now=datetime.now(UTC) - sessions.SESSION_LIFETIME - timedelta(seconds=1))
    assert old is not None and sessions.find_session(store, old.secret) is None
    live = sessions.start_session(store, key)
    assert live is not None and sessions.find_session(store, live.secret) is not None
    store.revoke_api_key(record.id)
    assert sessions.find_session(store, live.secret) is None
    assert sessions.start_session(store, key) is None  # a revoked key opens none
    assert sessions.start_session(store, "ag_unknown_key") is None
