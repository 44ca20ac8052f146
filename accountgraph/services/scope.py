"""Who is asking: the caller's role and the accounts they may see, handed to every use case.

An API key is turned into a `Scope` by `accountgraph.services.keys.authenticate`; the CLI, run by the operator
on the store's own machine, acts with `Scope.operator()`: every account, every role. Roles are ordered: a viewer
reads, a planner also writes, an admin also manages keys. The services enforce it: every write use case calls
`require_role(ApiRole.PLANNER)` before anything else (the keys' use cases `require_role(ApiRole.ADMIN)`), whoever
calls it; the viewer is the lowest role, so any scope reads. A scope limited to some accounts sees the records
of those accounts and what belongs to no account (our own team); anything else answers exactly as if it did
not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from accountgraph.errors import Forbidden, NotFoundError
from accountgraph.schema.models import ApiRole

__all__ = ["Scope"]

_RANK = {ApiRole.VIEWER: 0, ApiRole.PLANNER: 1, ApiRole.ADMIN: 2}


def _a(word: str) -> str:
    """`a viewer`, `an admin`."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


@dataclass(frozen=True)
class Scope:
    """The caller: a key's id (or `operator`), its role and the accounts it is limited to (empty: all)."""

    key_id: str
    role: ApiRole
    accounts: frozenset[str] = frozenset()

    @classmethod
    def operator(cls) -> Scope:
        """The local operator (the CLI): every account, every role."""
        return cls("operator", ApiRole.ADMIN)

    @property
    def scoped(self) -> bool:
        """True when limited to some accounts."""
        return bool(self.accounts)

    def may(self, role: ApiRole) -> bool:
        """True when this scope's role includes `role`."""
        return _RANK[self.role] >= _RANK[role]

    def sees(self, account: str) -> bool:
        return not self.accounts or account in self.accounts

    def require_role(self, role: ApiRole) -> None:
        """Forbidden unless the role includes `role`."""
        if not self.may(role):
            raise Forbidden(f"this needs {_a(role.value)} key (or higher); the key given is {_a(self.role.value)} key")

    def require_account(self, account_id: str) -> None:
        """NotFoundError for an account outside the scope (the caller checks that it exists)."""
        if not self.sees(account_id):
            raise NotFoundError("account", account_id)

    def require_unscoped(self, what: str) -> None:
        """Forbidden for a scope limited to accounts (`what` it cannot do, for the message)."""
        if self.scoped:
            raise Forbidden(f"a key limited to accounts cannot {what}")
