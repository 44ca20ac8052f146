"""API keys: minted at random, shown once, stored as a SHA-256 hash, checked in constant time.

A key reads `ag_<id>_<secret>`: the id finds the stored record, the secret is checked against its hash.
Roles are ordered: a viewer reads, a planner also writes, an admin also manages keys. A key may be
limited to some accounts; everything outside them answers as if it did not exist.

`create_key`, `list_keys`, `get_key` and `revoke_key` are the use cases every interface calls (the API's
`/v1/keys`, the CLI's `keys`), for admins only: a key is only limited to accounts that exist, and an admin scope
limited to accounts creates, sees and revokes only keys limited to some of its own accounts (any other key
answers as one that does not exist). `authenticate` turns a key into the caller's `Scope`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from accountgraph.errors import BundleRejected, Forbidden, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.schema.models import ApiKey, ApiRole, BundleIssue
from accountgraph.services.scope import Scope, writes

__all__ = ["KEY_PREFIX", "authenticate", "create_key", "get_key", "key_id_of", "list_keys", "mint_key", "revoke_key"]

KEY_PREFIX = "ag_"
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key_id() -> str:
    return secrets.token_hex(8)


def mint_key(
    store: GraphStore, role: ApiRole | str, *, name: str | None = None, accounts: Iterable[str] = ()
) -> tuple[ApiKey, str]:
    """Create and save a key, checking nothing; returns the stored record and the key itself (shown once,
    never stored). Interfaces call `create_key`, which checks the accounts."""
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


@writes
def create_key(
    store: GraphStore, scope: Scope, role: ApiRole | str, *, name: str | None = None, accounts: Iterable[str] = ()
) -> tuple[ApiKey, str]:
    """A new key of `role`, limited to `accounts` (none: every account), created by an admin `scope`.

    Raises:
        Forbidden: the scope is not an admin's, or it is limited to accounts and the new key would not be
            limited to some of them.
        BundleRejected: an account that does not exist (field `accounts`, one issue each); nothing is saved.
    """
    scope.require_role(ApiRole.ADMIN)
    wanted = sorted(set(accounts))
    if scope.scoped and (not wanted or not set(wanted) <= scope.accounts):
        raise Forbidden(Phrase(N_("a key limited to accounts can only create keys limited to some of those accounts")))
    issues = [
        BundleIssue(record="key", field="accounts", id=account, reason=f"no account with id {account!r}")
        for account in wanted
        if not _is_account(store, account)
    ]
    if issues:
        raise BundleRejected(issues)
    return mint_key(store, role, name=name, accounts=wanted)


def _manages(scope: Scope, key: ApiKey) -> bool:
    """True when an admin `scope` manages `key`: every key, or, limited to accounts, keys limited to some of them."""
    return not scope.scoped or (bool(key.accounts) and set(key.accounts) <= scope.accounts)


def list_keys(store: GraphStore, scope: Scope) -> list[ApiKey]:
    """The keys an admin `scope` manages (revoked ones included). Forbidden for a scope that is not an admin's."""
    scope.require_role(ApiRole.ADMIN)
    return [k for k in store.list_api_keys() if _manages(scope, k)]


def get_key(store: GraphStore, scope: Scope, id: str) -> ApiKey:
    """A key an admin `scope` manages (NotFoundError for any other, as for one that does not exist)."""
    scope.require_role(ApiRole.ADMIN)
    key = store.get_api_key(id)
    if key is None or not _manages(scope, key):
        raise NotFoundError("api key", id)
    return key


@writes
def revoke_key(store: GraphStore, scope: Scope, id: str) -> ApiKey:
    """Revoke a key an admin `scope` manages: it stops working at once and stays listed."""
    get_key(store, scope, id)
    return store.revoke_api_key(id)


def _is_account(store: GraphStore, id: str) -> bool:
    try:
        return store.account_of(id) == id
    except NotFoundError:
        return False


def key_id_of(token: str) -> str | None:
    """The id part of a well-formed key, else None."""
    parts = _split_key(token)
    return parts[0] if parts is not None else None


def _split_key(token: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None."""
    if not token.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = token[len(KEY_PREFIX) :].partition("_")
    if not sep or not key_id or not secret or len(key_id) > 64 or len(secret) > 256:
        return None
    return key_id, secret


def authenticate(store: GraphStore, token: str) -> Scope | None:
    """The scope of a valid, unrevoked key, else None. The secret is compared in constant time."""
    parts = _split_key(token)
    key_id, secret = parts if parts is not None else ("", token)
    record = store.get_api_key(key_id) if parts is not None else None
    expected = record.secret_hash if record is not None else _DUMMY_HASH
    matches = hmac.compare_digest(hash_secret(secret), expected)
    if record is None or not matches or record.revoked_at is not None:
        return None
    return Scope(record.id, record.role, frozenset(record.accounts), label=record.name or "", interface="api")
