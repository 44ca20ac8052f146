"""Browser sessions of the planner's workspace: signed in with an API key, kept by the store.

A session is a document (`web_session`) of the store's documents, so every worker process and a restart agree
on it. The browser holds only the session's secret id (in a cookie); the store keeps its SHA-256 hash as the
document id, so whoever reads the store cannot take a session over. A session names the key it was opened
with, a CSRF token every write must carry, when it was created and when it expires; sign-out revokes it.
Each request re-reads the key, so revoking the key ends its sessions at once.

Signing in always opens a new session (a new id): an id planted in the browser before sign-in is never
promoted to a signed-in one (no session fixation). The caller revokes the session it replaces. Signing in
also deletes the sessions that have expired or were revoked, so they do not pile up.

No derived data depends on a session: writing one leaves the store's data version (and so the analysis
cache and the account snapshots) alone (`moves_data_version`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from accountgraph.graph.store import GraphStore, UnitOfWork
from accountgraph.schema.documents import DocumentModel
from accountgraph.services.keys import authenticate
from accountgraph.services.scope import Scope

__all__ = [
    "SESSION_LIFETIME",
    "Session",
    "SessionRecord",
    "check_csrf",
    "end_session",
    "find_session",
    "purge_sessions",
    "start_session",
]

SESSION_LIFETIME = timedelta(hours=12)
"""How long a session lasts from sign-in (the cookie's Max-Age too)."""
_MAX_ID = 128


class SessionRecord(DocumentModel):
    """The stored session: its id is the SHA-256 of the browser's secret."""

    kind: ClassVar[str] = "web_session"
    moves_data_version: ClassVar[bool] = False
    id: str
    key_id: str
    csrf: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Session:
    """A live session: the secret the browser holds, its CSRF token, the caller and when it expires."""

    secret: str
    csrf: str
    scope: Scope
    expires_at: datetime


def _hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(
    store: GraphStore, token: str, *, now: datetime | None = None, lifetime: timedelta = SESSION_LIFETIME
) -> Session | None:
    """A new session for a valid, unrevoked API key (None for any other token; nothing is stored then)."""
    scope = authenticate(store, token)
    if scope is None:
        return None
    now = now or datetime.now(UTC)
    secret = secrets.token_urlsafe(32)
    record = SessionRecord(
        id=_hashed(secret),
        key_id=scope.key_id,
        csrf=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
    )
    with store.documents.unit_of_work() as uow:
        uow.save(record)
    purge_sessions(store, now=now)
    return Session(secret, record.csrf, replace(scope, interface="workspace"), record.expires_at)


def purge_sessions(store: GraphStore, *, now: datetime | None = None) -> int:
    """Delete the sessions that have expired or were revoked; how many were deleted."""
    now = now or datetime.now(UTC)
    ended = []
    for document in store.documents.list(SessionRecord.kind):
        record = SessionRecord.model_validate(document.data)
        if record.revoked_at is not None or now >= record.expires_at:
            ended.append(record.id)
    return store.documents.delete(SessionRecord, ended)


def find_session(store: GraphStore, secret: str, *, now: datetime | None = None) -> Session | None:
    """The live session of a secret: known, neither expired nor revoked, its key still valid (else None)."""
    if not secret or len(secret) > _MAX_ID:
        return None
    document = store.documents.get(SessionRecord.kind, _hashed(secret))
    if document is None:
        return None
    record = SessionRecord.model_validate(document.data)
    if record.revoked_at is not None or (now or datetime.now(UTC)) >= record.expires_at:
        return None
    key = store.get_api_key(record.key_id)
    if key is None or key.revoked_at is not None:
        return None
    scope = Scope(key.id, key.role, frozenset(key.accounts), label=key.name or "", interface="workspace")
    return Session(secret, record.csrf, scope, record.expires_at)


def end_session(store: GraphStore, secret: str, *, now: datetime | None = None) -> bool:
    """Revoke a session (sign-out); False when there was no live session of that secret."""
    if not secret or len(secret) > _MAX_ID:
        return False

    def revoke(uow: UnitOfWork) -> bool:
        record = uow.load(SessionRecord, _hashed(secret))
        if record is None or record.revoked_at is not None:
            return False
        uow.save(record.model_copy(update={"revoked_at": now or datetime.now(UTC)}))
        return True

    return store.documents.retrying(revoke)


def check_csrf(session: Session, given: str | None) -> bool:
    """True when `given` is the session's CSRF token (compared in constant time)."""
    return bool(given) and hmac.compare_digest(session.csrf.encode(), (given or "").encode())
