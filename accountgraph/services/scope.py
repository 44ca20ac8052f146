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

import functools
import getpass
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from accountgraph.errors import Forbidden, NotFoundError
from accountgraph.graph.changelog import Author, writing_as
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase, Term
from accountgraph.schema.models import ApiRole

if TYPE_CHECKING:
    from accountgraph.graph.store import GraphStore

__all__ = ["Scope", "writes"]

P = ParamSpec("P")
T = TypeVar("T")

_RANK = {ApiRole.VIEWER: 0, ApiRole.PLANNER: 1, ApiRole.ADMIN: 2}


def _a(word: str) -> str:
    """`a viewer`, `an admin`."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


@dataclass(frozen=True)
class Scope:
    """The caller: a key's id (or `operator`), its role and the accounts it is limited to (empty: all); and for
    the change log, the key's label, the interface it came through, and for the CLI the `user@host` running it."""

    key_id: str
    role: ApiRole
    accounts: frozenset[str] = frozenset()
    label: str = ""  # the key's name
    interface: str = "api"  # api | cli | workspace
    user: str | None = None  # the CLI's user@host (the change log's author instead of the key id)

    @classmethod
    def operator(cls) -> Scope:
        """The local operator (the CLI): every account, every role, written as the user on this host."""
        return cls("operator", ApiRole.ADMIN, interface="cli", user=_local_user())

    @property
    def author(self) -> Author:
        """Who the change log names for this scope's writes."""
        return Author(self.user or self.key_id, self.label, self.interface)

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
            raise Forbidden(
                Phrase(
                    N_("this needs {needed} key (or higher); the key given is {given} key"),
                    needed=Term(role.value, _a(role.value)),  # in Chinese the role's name, as `--role` takes it
                    given=Term(self.role.value, _a(self.role.value)),
                )
            )

    def require_account(self, account_id: str) -> None:
        """NotFoundError for an account outside the scope (the caller checks that it exists)."""
        if not self.sees(account_id):
            raise NotFoundError("account", account_id)

    def require_unscoped(self, what: str) -> None:
        """Forbidden for a scope limited to accounts (`what` it cannot do, for the message)."""
        if self.scoped:
            raise Forbidden(Phrase(N_("a key limited to accounts cannot {what}"), what=what))


@functools.cache
def _local_user() -> str:
    """`user@host` of the process (the CLI's author in the change log)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def writes(
    use_case: Callable[Concatenate[GraphStore, Scope, P], T],
) -> Callable[Concatenate[GraphStore, Scope, P], T]:
    """Mark a write use case (`fn(store, scope, ...)`): the store's writes it makes are recorded in the change log
    as the scope's (`Scope.author`), in the transaction of each write."""

    @functools.wraps(use_case)
    def write(store: GraphStore, scope: Scope, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with writing_as(scope.author):
            return use_case(store, scope, *args, **kwargs)

    return write
