"""The API keys' use cases called directly, on both backends: an admin limited to accounts sees and revokes only
keys limited to some of its accounts (any other answers as one that does not exist); only admins manage keys."""

from __future__ import annotations

import pytest

from accountgraph.errors import Forbidden, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole
from accountgraph.services import keys
from accountgraph.services.scope import Scope
from tests.ledger.support import accounts

OPERATOR = Scope.operator()
ADMIN_OF_A = Scope("k1", ApiRole.ADMIN, frozenset({"a"}))


def test_an_admin_limited_to_accounts_manages_only_keys_within_them(store: GraphStore) -> None:
    accounts(store, "a", "b")
    mine, _ = keys.create_key(store, OPERATOR, ApiRole.VIEWER, accounts=["a"])
    theirs, _ = keys.create_key(store, OPERATOR, ApiRole.VIEWER, accounts=["b"])
    everyone, _ = keys.create_key(store, OPERATOR, ApiRole.VIEWER)
    assert {k.id for k in keys.list_keys(store, OPERATOR)} == {mine.id, theirs.id, everyone.id}
    assert [k.id for k in keys.list_keys(store, ADMIN_OF_A)] == [mine.id]
    for hidden in (theirs.id, everyone.id):
        for use in (keys.get_key, keys.revoke_key):
            with pytest.raises(NotFoundError) as refused:
                use(store, ADMIN_OF_A, hidden)
            with pytest.raises(NotFoundError) as missing:
                use(store, ADMIN_OF_A, "nope")
            assert str(refused.value) == str(missing.value).replace("nope", hidden)
    assert all(k.revoked_at is None for k in keys.list_keys(store, OPERATOR))
    assert keys.revoke_key(store, ADMIN_OF_A, mine.id).revoked_at is not None


def test_only_admins_manage_keys(store: GraphStore) -> None:
    planner = Scope("k2", ApiRole.PLANNER)
    for use in (lambda: keys.list_keys(store, planner), lambda: keys.get_key(store, planner, "k2")):
        with pytest.raises(Forbidden):
            use()
