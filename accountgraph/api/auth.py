"""API keys: minted at random, shown once, stored as a SHA-256 hash, checked in constant time.

A key reads `ag_<id>_<secret>`: the id finds the stored record, the secret is checked against its hash.
Roles are ordered: a viewer reads, a planner also writes, an admin also manages keys. A key may be
limited to some accounts; everything outside them answers as if it did not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiKey, ApiRole
from accountgraph.services.scope import Scope

KEY_PREFIX = "ag_"
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key_id() -> str:
    return secrets.token_hex(8)


def mint_key(
    store: GraphStore, role: ApiRole | str, *, name: str | None = None, accounts: Iterable[str] = ()
) -> tuple[ApiKey, str]:
    """Create and save a key; returns the stored record and the key itself (shown once, never stored)."""
    key_id = new_key_id()
    secret = secrets.token_urlsafe(32)
    record = ApiKey(
        id=key_id,
        name=name,
        role=ApiRole(role),
        accounts=sorted(set(accounts)),
        secret_hash=hash_secret(secret),
        created_at=datetime.now(UTC),
    )
    store.save_api_key(record)
    return record, f"{KEY_PREFIX}{key_id}_{secret}"


def split_key(token: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None."""
    if not token.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = token[len(KEY_PREFIX) :].partition("_")
    if not sep or not key_id or not secret or len(key_id) > 64 or len(secret) > 256:
        return None
    return key_id, secret


def authenticate(store: GraphStore, token: str) -> Scope | None:
    """The scope of a valid, unrevoked key, else None. The secret is compared in constant time."""
    parts = split_key(token)
    key_id, secret = parts if parts is not None else ("", token)
    record = store.get_api_key(key_id) if parts is not None else None
    expected = record.secret_hash if record is not None else _DUMMY_HASH
    matches = hmac.compare_digest(hash_secret(secret), expected)
    if record is None or not matches or record.revoked_at is not None:
        return None
    return Scope(record.id, record.role, frozenset(record.accounts))
