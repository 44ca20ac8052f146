"""Reading the change log: who wrote what in an account, when, through which interface (newest first, paged).

The entries are written by the store in the transaction of each write (`accountgraph.graph.changelog`); the
author is the writing scope's (`Scope.author`, set by the `writes` use cases). Reading (`list_changes`, the one
use case of `GET /v1/changes`, `GET /v1/accounts/{id}/changes` and `accountgraph changes`) is by account or across
the accounts the scope may see (entries of no account, such as our team, products and keys, for unscoped admins
only), optionally narrowed to records, an author and a kind; `person_changes` gathers what a person card shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from accountgraph.errors import NotFoundError
from accountgraph.graph.changelog import Change, at_text
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.i18n import N_, _
from accountgraph.schema.models import ApiRole, TieType
from accountgraph.services import records as records_module
from accountgraph.services.paging import Page, decode_cursor, page_of
from accountgraph.services.scope import Scope

__all__ = [
    "ACTIONS",
    "INTERFACES",
    "ChangeEntry",
    "ChangeLines",
    "describe",
    "list_changes",
    "naming",
    "person_changes",
]

ACTIONS = {"create": N_("created"), "update": N_("changed"), "delete": N_("deleted"), "import": N_("imported")}
"""The words of an entry's action."""
INTERFACES = {"api": N_("API"), "cli": N_("command line"), "workspace": N_("workspace"), "store": N_("store")}
"""The words of the interface an entry came through."""


class ChangeEntry(BaseModel):
    """One entry of the change log."""

    id: str
    at: datetime = Field(description="when the write was made (UTC)")
    author: str = Field(description="the API key's id, or the CLI's user@host")
    label: str = Field(description="the API key's label (empty for the CLI)")
    interface: str = Field(description="api, cli, workspace, or store (a write made with no author)")
    account: str | None = Field(description="the account (root company) the record belongs to")
    kind: str = Field(description="company, person, team, tie, interaction, risk, import, a document kind")
    record: str = Field(description="the record's id (a tie: type:from->to; an import: the file's name)")
    action: str = Field(description="create, update, delete or import")
    fields: dict[str, list[Any]] = Field(
        description="each changed field as [before, after]; an import: the records of each list as [null, count]"
    )

    @classmethod
    def of(cls, change: Change) -> ChangeEntry:
        return cls(
            id=change.id,
            at=change.at,
            author=change.author,
            label=change.label,
            interface=change.interface,
            account=change.account,
            kind=change.kind,
            record=change.record,
            action=change.action,
            fields=change.fields,
        )


def _key(entry: ChangeEntry) -> tuple[str, str]:
    return (at_text(entry.at), entry.id)


def list_changes(
    store: GraphStore,
    scope: Scope,
    account: str | None = None,
    *,
    record: str | None = None,
    author: str | None = None,
    kind: str | None = None,
    records: Iterable[str] | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[ChangeEntry]:
    """One page of the change log, newest first: of one account (`account`), else of all the scope may see; only
    one record's (`record`: its id, a tie's `type:from->to`; `records`: one of these), one author's (`author`: a
    key id or user@host) and one kind's (`kind`: person, tie, team, api_key...) when given.

    What a scope sees: an admin key not limited to accounts (and the CLI's operator) sees every entry, those that
    belong to no account too (our team members, products, API keys); any other key only the entries of the
    accounts it may see. An entry never holds a secret (`graph.changelog.SECRET_FIELDS`).

    Raises:
        NotFoundError: `account` does not exist or lies outside the scope.
        BadCursor: a cursor that is not one this list handed out.
    """
    if account is not None:
        records_module.require_account(store, scope, account)
    key = decode_cursor(cursor, 2) if cursor else None
    after = None if key is None else (key[0], key[1])
    everything = scope.may(ApiRole.ADMIN) and not scope.scoped
    rows = store.changes(
        account=account,
        record=record,
        author=author,
        kind=kind,
        records=records,
        accounts=sorted(scope.accounts) if scope.scoped else None,
        owned=not everything,
        limit=limit,
        after=after,
    )
    return page_of([ChangeEntry.of(c) for c in rows], limit, _key, more=len(rows) == limit)


def _value(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items())
    return str(value)


def who(entry: ChangeEntry) -> str:
    """The author as a person reads it: `label (id)`, or the id alone."""
    return f"{entry.label} ({entry.author})" if entry.label else entry.author


def what(entry: ChangeEntry) -> str:
    """The fields of an entry in words: `stance: unknown → supporter; name: Ann → Ann B` (an import: counts)."""
    if entry.action == "import":
        return "; ".join(f"{name} {_value(after)}" for name, (_before, after) in entry.fields.items())
    if entry.action == "delete":
        return ""
    return "; ".join(f"{name}: {_value(b)} → {_value(a)}" for name, (b, a) in entry.fields.items())


def describe(entry: ChangeEntry) -> str:
    """One entry in one line of the language of the moment: when, who, through what, what changed."""
    return _("{when} · {who} via {interface} · {action} {kind} {record}{fields}").format(
        when=entry.at.strftime("%Y-%m-%d %H:%M UTC"),
        who=who(entry),
        interface=_(INTERFACES.get(entry.interface, entry.interface)),
        action=_(ACTIONS.get(entry.action, entry.action)),
        kind=entry.kind,
        record=entry.record,
        fields=f": {what(entry)}" if what(entry) else "",
    )


class ChangeLines(BaseModel):
    """The changes of one record as the workspace shows them (in the request's language)."""

    heading: str
    empty: str = Field(description="what is shown when there is no change")
    lines: list[str] = Field(description="one line per change, newest first (`describe`)")
    entries: list[ChangeEntry]
    more: str = Field(default="", description="the label of the link to the next changes")
    next_cursor: str | None = Field(default=None, description="the cursor of the next changes (null: no more)")


def _lines(page: Page[ChangeEntry]) -> ChangeLines:
    return ChangeLines(
        heading=_("Changes"),
        empty=_("no change recorded"),
        lines=[describe(e) for e in page.data],
        entries=page.data,
        more=_("more changes"),
        next_cursor=page.next_cursor,
    )


def _all(store: GraphStore, kind: str, filters: ListFilter) -> Iterator[Any]:
    after: tuple[str, ...] | None = None
    while True:
        page = store.list_records(kind, filters, limit=1000, after=after)
        yield from page
        if len(page) < 1000:
            return
        last = page[-1]
        after = (last.type.value, last.from_, last.to) if kind == "tie" else (last.id,)


def naming(store: GraphStore, person: str) -> list[str]:
    """The records that name a person: their own, their ties (ended ones too, as `type:from->to`) and their
    interactions, as the change log names them. (A tie or interaction deleted since is no longer known here.)"""
    found = [person]
    for t in _all(store, "tie", ListFilter(person=person)):
        found.append(f"{t.type.value}:{t.from_}->{t.to}")
        if t.type is TieType.KNOWS:  # a knows tie is logged with its ends as the writer named them
            found.append(f"{t.type.value}:{t.to}->{t.from_}")
    found += [i.id for i in _all(store, "interaction", ListFilter(person=person))]
    return found


def person_changes(
    store: GraphStore, scope: Scope, account: str, person: str, *, limit: int = 20, cursor: str | None = None
) -> ChangeLines:
    """The changes of a person's record and of the records that name them (their ties, interactions; their roles
    and stance are fields of their record), newest first, `limit` at a time, for the person card.

    Raises:
        NotFoundError: the account is not there for this scope, or the person is not one of its people.
        BadCursor: a cursor that is not one this list handed out.
    """
    records_module.require_account(store, scope, account)
    if store.account_of(store.get_person(person).company) != account:
        raise NotFoundError("person", person)
    return _lines(list_changes(store, scope, account, records=naming(store, person), limit=limit, cursor=cursor))
