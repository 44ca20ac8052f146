"""The change log: who wrote what, when, and through which interface, kept by the store with each write.

Every write of the store (`GraphStore.load_bundle` and the upserts built on it, the deletes, `Documents.commit`
and `Documents.delete`, `GraphStore.save_api_key`) writes its change entries in the SAME transaction as the
write: a write that fails (refused, a version conflict) leaves no entry. The author is the one of the calling
context (`writing_as`, set by the services from the caller's `Scope`); a write made with none (a script
calling the store directly) is recorded as `system` through `store`.

What an entry holds (`Change`): a one-record write (an API or workspace edit, a CLI `set`) the record's fields
that changed, each as `[before, after]`; a larger bundle (an import) one summary entry per account it touches
(`kind` "import": the counts of each list and the file's name), not one per record. Secrets never enter it: an
API key's entry lists its id, name, role, accounts and dates (never `secret_hash`), and browser sessions and
idempotency records (`UNLOGGED_KINDS`) are not logged at all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "SYSTEM",
    "UNLOGGED_KINDS",
    "Author",
    "Change",
    "ChangeFilter",
    "at_text",
    "current_author",
    "diff",
    "new_change",
    "writing_as",
]


@dataclass(frozen=True)
class Author:
    """Who writes: an API key's id and label (`api`, `workspace`) or the CLI's `user@host` (`cli`)."""

    id: str
    label: str = ""
    interface: str = "store"  # api | cli | workspace | store (a direct call with no author)


SYSTEM = Author("system", "", "store")
"""The author of a write made with no author set (a script or a test calling the store directly)."""

UNLOGGED_KINDS: frozenset[str] = frozenset(
    {"web_session", "idempotency", "alert_outbox", "alert_dead_letter", "alert_watch"}
)
"""Document kinds never logged: browser sessions hold tokens, idempotency records replay responses, and the alerts'
own bookkeeping (the outbox, its dead letters, what the last evaluation saw) is written by the delivery and the
evaluation, not by a person (alerts, their acknowledgements, subscriptions and rule settings are logged)."""

SECRET_FIELDS: frozenset[str] = frozenset({"secret_hash", "secret", "token", "csrf", "token_hash", "csrf_hash"})
"""Fields never copied into an entry, whatever record holds them."""

_AUTHOR: ContextVar[Author | None] = ContextVar("accountgraph_author", default=None)


def current_author() -> Author:
    """The author of the writes made now (`SYSTEM` when none was set)."""
    return _AUTHOR.get() or SYSTEM


@contextmanager
def writing_as(author: Author) -> Iterator[None]:
    """Make the store's writes in this block (in this thread or task) be recorded as `author`'s."""
    token = _AUTHOR.set(author)
    try:
        yield
    finally:
        _AUTHOR.reset(token)


@dataclass(frozen=True)
class Change:
    """One entry of the change log."""

    id: str  # unique, random
    at: datetime  # UTC, when the write was made
    author: str  # the key's id, or the CLI's user@host
    label: str  # the key's label (empty for the CLI)
    interface: str  # api | cli | workspace | store
    account: str | None  # the account (root company) it belongs to; None: our own team, products...
    kind: str  # company, person, team, tie, interaction, risk, import, a document kind, api_key
    record: str  # the record's id (a tie: type:from->to; an import: the file's name or "")
    action: str  # create | update | delete | import
    fields: dict[str, list[Any]] = field(default_factory=dict)  # name -> [before, after]

    def row(self) -> dict[str, Any]:
        """The stored row (`fields` as JSON text, `at` ISO 8601)."""
        return {
            "id": self.id,
            "at": at_text(self.at),
            "author": self.author,
            "label": self.label,
            "interface": self.interface,
            "account": self.account,
            "kind": self.kind,
            "record": self.record,
            "action": self.action,
            "fields": json.dumps(self.fields, sort_keys=True, ensure_ascii=False, default=str),
        }

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Change:
        return cls(
            id=str(row["id"]),
            at=datetime.fromisoformat(str(row["at"])),
            author=str(row["author"]),
            label=str(row.get("label") or ""),
            interface=str(row["interface"]),
            account=None if row.get("account") is None else str(row["account"]),
            kind=str(row["kind"]),
            record=str(row["record"]),
            action=str(row["action"]),
            fields=json.loads(str(row["fields"])),
        )


@dataclass(frozen=True)
class ChangeFilter:
    """Which entries of the change log to read (every field given narrows it)."""

    account: str | None = None  # of this account
    accounts: frozenset[str] | None = None  # of one of these accounts (a scope's)
    owned: bool = False  # only entries that belong to an account (not our team, products, keys)
    records: tuple[str, ...] | None = None  # of one of these records
    author: str | None = None
    kind: str | None = None


def at_text(at: datetime) -> str:
    """A moment as the change log stores it: fixed-width UTC text, so that text order is time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_change(
    kind: str, record: str, action: str, account: str | None, fields: dict[str, list[Any]], at: datetime | None = None
) -> Change:
    """An entry by the current author, now."""
    author = current_author()
    return Change(
        id=uuid.uuid4().hex,
        at=at or datetime.now(UTC),
        author=author.id,
        label=author.label,
        interface=author.interface,
        account=account,
        kind=kind,
        record=record,
        action=action,
        fields=fields,
    )


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """The fields that differ, each as `[before, after]` (JSON values; secret fields left out)."""
    old, new = dict(before or {}), dict(after or {})
    out: dict[str, list[Any]] = {}
    for name in sorted(set(old) | set(new)):
        if name in SECRET_FIELDS:
            continue
        a, b = _plain(old.get(name)), _plain(new.get(name))
        if a != b:
            out[name] = [a, b]
    return out


def _plain(value: Any) -> Any:
    """A JSON value (dates as ISO text), for comparing and storing."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))
