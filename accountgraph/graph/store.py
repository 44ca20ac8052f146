"""The storage interface: one abstract class, one implementation per backend.

Everything that is the same on every backend lives here: single-record writes are one-record bundles
(so they pass the same validation and land in one transaction), exports and the networkx projection
are built from the plain rows a backend reads. A backend implements the `_`-prefixed primitives.

Beside the graph, a store keeps documents: versioned JSON records by kind and id (quotes, invoices,
payments, opportunities, plans...), reached through `GraphStore.documents` and written in units of work
with optimistic concurrency (`Documents`, `UnitOfWork`).
"""

from __future__ import annotations

import builtins
import json
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import networkx as nx
from pydantic import BaseModel

from accountgraph.errors import BundleRejected, InvalidArgument, NotFoundError, VersionConflict
from accountgraph.graph.changelog import UNLOGGED_KINDS, Change, ChangeFilter, diff, new_change
from accountgraph.graph.changes import Change as FeedChange
from accountgraph.graph.changes import ChangeSet, tie_of
from accountgraph.graph.validation import parse_bundle
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.perf import paused_gc
from accountgraph.projection import TIE_FIELDS, AccountRows, Projection, Row, select
from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import (
    ApiKey,
    Bundle,
    BundleIssue,
    Company,
    Interaction,
    Person,
    RiskEvent,
    Role,
    Stance,
    TeamMember,
    Tie,
    TieType,
    today,
)

M = TypeVar("M", bound=BaseModel)

RECORD_KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "company": (Company, "companies"),
    "person": (Person, "people"),
    "team": (TeamMember, "team"),
    "interaction": (Interaction, "interactions"),
    "risk": (RiskEvent, "risks"),
}
"""Record kinds with an `id`, the model of each and its list in a bundle."""

ROW_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(name for name, info in model.model_fields.items() if not info.exclude)
    for kind, (model, _) in RECORD_KINDS.items()
}
"""The stored fields of each record kind, in order: the columns of a row."""


@dataclass(frozen=True)
class ListFilter:
    """Filters of `GraphStore.list_records`; each kind accepts those in LIST_FILTERS."""

    account: str | None = None  # within this account (root company)
    company: str | None = None  # of this company (not its subsidiaries)
    role: Role | None = None  # people holding this role now
    stance: Stance | None = None  # people with this stance now
    person: str | None = None  # ties and interactions of this person (either end)
    member: str | None = None  # interactions of this team member
    type: TieType | None = None  # ties of this type

    def given(self) -> set[str]:
        return {name for name, value in vars(self).items() if value is not None}


LIST_FILTERS: dict[str, frozenset[str]] = {
    "company": frozenset({"account"}),
    "person": frozenset({"account", "company", "role", "stance"}),
    "team": frozenset({"account"}),
    "interaction": frozenset({"account", "company", "person", "member"}),
    "risk": frozenset({"account", "company"}),
    "tie": frozenset({"account", "person", "type"}),
}
"""The filters each listable kind accepts (`team` by account: members tied to its people)."""


DOCUMENT_KINDS: frozenset[str] = frozenset(
    {
        "product",
        "price_list",
        "discount_policy",
        "quote",
        "contract",
        "order",
        "invoice",
        "payment",
        "idempotency",
        "account_profile",
        "opportunity",
        "pipeline",
        "plan",
        "web_session",
        "alert",  # services.alerts: alerts, subscriptions, the outbox, dead letters, rule settings
        "alert_subscription",
        "alert_outbox",
        "alert_dead_letter",
        "alert_rules",
        "alert_watch",
    }
)
"""The kinds of document (the fixed set; never taken from user text unchecked)."""

RETRIES = 200
"""Attempts of `Documents.retrying` that keep losing races to concurrent writers before VersionConflict."""

D = TypeVar("D", bound=DocumentModel)
T = TypeVar("T")
DocumentKey = tuple[str, str]
"""A document's key: (kind, id)."""


@dataclass(frozen=True)
class Document:
    """One stored document: `data` is a JSON object (money as decimal strings, never float)."""

    kind: str
    id: str
    account: str | None
    version: int  # 1 when created, +1 on every write
    data: dict[str, Any]


@dataclass(frozen=True)
class DocumentWrite:
    """One write of `Documents.commit`: create (`expected_version` None) or replace a document."""

    kind: str
    id: str
    account: str | None
    data: dict[str, Any]
    expected_version: int | None = None  # None: the document must not exist yet
    moves_data_version: bool = True  # False: no derived data depends on it (`DocumentModel.moves_data_version`)

    @classmethod
    def of(cls, document: DocumentModel, expected_version: int | None = None) -> DocumentWrite:
        """The write of a document model (its kind, id, account and data)."""
        return cls(
            document.kind,
            document.id,
            document.document_account(),
            document.data(),
            expected_version,
            document.moves_data_version,
        )


def document_json(data: dict[str, Any]) -> str:
    """The stored text of a document's data: canonical JSON; floats are refused (money is decimal text)."""

    def check(value: Any) -> None:
        if isinstance(value, float | Decimal):
            raise InvalidArgument(
                Phrase(N_("document data holds no float or Decimal: store amounts as decimal strings"))
            )
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    raise InvalidArgument(Phrase(N_("document data keys are strings")))
                check(v)
        elif isinstance(value, list):
            for v in value:
                check(v)
        elif not (value is None or isinstance(value, str | int | bool)):
            raise InvalidArgument(Phrase(N_("document data cannot hold {type}"), type=type(value).__name__))

    check(data)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Documents:
    """The store's documents (`GraphStore.documents`): versioned JSON records by kind and id.

    Quotes, contracts, orders, invoices, payments, products, opportunities, plans... (`DOCUMENT_KINDS`) are
    documents. Every write names the version it expects, and a commit writes all its documents in one
    transaction or none (`VersionConflict` when one changed meanwhile): optimistic concurrency. A commit
    moves the store's data version unless none of its writes does (`DocumentWrite.moves_data_version`). A use case
    reads and writes through a `UnitOfWork` (`unit_of_work()`), which remembers the versions it read, and runs
    it with `retrying(work)` when it should start again from fresh reads after losing a race.
    """

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def get(self, kind: str, id: str) -> Document | None:
        """One document, or None."""
        _check_kind(kind)
        return self._store._document_get(kind, id)

    def list(self, kind: str, account: str | None = None) -> builtins.list[Document]:
        """Every document of `kind` (of `account` when given), by id."""
        _check_kind(kind)
        return self._store._document_list(kind, account)

    def commit(
        self,
        writes: builtins.list[DocumentWrite],
        reads: Mapping[DocumentKey, int | None] | None = None,
        *,
        read_data: Mapping[DocumentKey, str] | None = None,
    ) -> builtins.list[Document]:
        """Write several documents in one transaction, all or nothing, with optimistic concurrency.

        Each write names the version it expects (None: the document must not exist); `reads` names
        documents that are not written but must still be at the version given (None: still absent). When
        any stored version differs, nothing is written. `read_data` gives the data read of some of these
        documents (as `document_json` text): one whose stored data differs from it is a conflict too (a read
        on Neo4j may see a concurrent commit half applied: the new version beside the old data).
        Returns the documents as written (versions bumped).

        Raises:
            VersionConflict: a document changed (or appeared) since it was read; nothing was written.
            InvalidArgument: an unknown kind, one document written twice, or data that is not plain JSON.
        """
        seen: set[DocumentKey] = set()
        for w in writes:
            _check_kind(w.kind)
            if (w.kind, w.id) in seen:
                raise InvalidArgument(
                    Phrase(N_("{kind} {id} is written twice in one commit"), kind=w.kind, id=repr(w.id))
                )
            seen.add((w.kind, w.id))
            if w.expected_version is not None and w.expected_version < 1:
                raise InvalidArgument(Phrase(N_("expected_version starts at 1")))
        checks = {key: version for key, version in (reads or {}).items() if key not in seen}
        for kind, _ in checks:
            _check_kind(kind)
        texts = [document_json(w.data) for w in writes]
        if not writes:
            return []
        changes = [self._change(w, read_data or {}) for w in writes if w.kind not in UNLOGGED_KINDS]
        return self._store._document_commit(writes, texts, checks, dict(read_data or {}), changes)

    def _change(self, w: DocumentWrite, read_data: Mapping[DocumentKey, str]) -> Change:
        """The change-log entry of one write: its top-level fields before (the data this commit replaces, as read
        by the unit of work or, when the version read is the one expected, read now) and after."""
        before: dict[str, Any] | None = None
        if w.expected_version is not None:
            if (w.kind, w.id) in read_data:
                before = json.loads(read_data[(w.kind, w.id)])
            else:
                stored = self._store._document_get(w.kind, w.id)
                if stored is not None and stored.version == w.expected_version:
                    before = stored.data
        action = "create" if w.expected_version is None else "update"
        return new_change(w.kind, w.id, action, w.account, diff(before, w.data))

    def delete(self, model: type[DocumentModel], ids: Iterable[str]) -> int:
        """Delete documents of a kind by id, whatever their version (those already gone are skipped), in one
        transaction; how many were deleted. Moves the data version as a write of the kind would."""
        _check_kind(model.kind)
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        changes: builtins.list[Change] = []
        if model.kind not in UNLOGGED_KINDS:
            for id in wanted:
                stored = self._store._document_get(model.kind, id)
                if stored is not None:
                    changes.append(new_change(model.kind, id, "delete", stored.account, diff(stored.data, None)))
        return self._store._document_delete(model.kind, wanted, model.moves_data_version, changes)

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """A unit of work, committed when the block ends normally; nothing is written when it raises.

        ::

            with store.documents.unit_of_work() as uow:
                invoice = uow.load(Invoice, "i1")
                uow.save(invoice.model_copy(update={"paid": ...}))  # expects the version read

        Raises (when the block ends):
            VersionConflict: a document read or written changed meanwhile; nothing was written.
        """
        uow = UnitOfWork(self)
        try:
            yield uow
            uow._commit()
        finally:
            uow._ended = True

    def retrying(self, work: Callable[[UnitOfWork], T], *, attempts: int = RETRIES) -> T:
        """`work(uow)` in a fresh unit of work, committed; again, from fresh reads, while it loses a race.

        While a concurrent writer gets there first (`VersionConflict`, from the commit or raised by `work`),
        the work starts again in a new unit of work after a short random pause; after `attempts` losses the
        last VersionConflict propagates. Any other error ends it with nothing written. `work` may run several
        times, so it should change nothing but its unit's writes. Returns what the committed run returned.
        """
        if attempts < 1:
            raise InvalidArgument("attempts must be at least 1")
        jitter = random.Random()
        for attempt in range(attempts):
            try:
                with self.unit_of_work() as uow:
                    result = work(uow)
                return result
            except VersionConflict:
                if attempt == attempts - 1:
                    raise
                time.sleep(jitter.uniform(0, 0.001 * min(attempt + 1, 20)))
        raise AssertionError("unreachable")


class UnitOfWork:
    """Reads and writes of documents that commit together (`Documents.unit_of_work`, `Documents.retrying`).

    Every document read through it (`get`, `load`) is remembered with the version read (or as absent).
    Writes (`write`, `save`) are collected, not written: at the end they are committed in one transaction,
    each expecting the version this unit read of it (a document it did not read must not exist yet: a
    create), together with a check that every document it read but does not write is still as read.
    Reads see the store, not this unit's pending writes; writing a document twice keeps the last write; a
    unit that writes nothing commits nothing. Lists (`Documents.list`) are not part of a unit: read through
    `get` or `load` what the writes depend on.
    """

    def __init__(self, documents: Documents) -> None:
        self._documents = documents
        self._reads: dict[DocumentKey, int | None] = {}
        self._seen: dict[DocumentKey, str] = {}  # the data read, as `document_json` text
        self._writes: dict[DocumentKey, tuple[str | None, dict[str, Any], bool]] = {}
        self._ended = False
        self.committed: list[Document] = []
        """The documents as written (versions bumped), once the unit has committed."""

    def get(self, kind: str, id: str) -> Document | None:
        """One document, or None; its version (or its absence) is remembered.

        Raises:
            VersionConflict: the document was read before in this unit and has changed since.
        """
        self._check_open()
        document = self._documents.get(kind, id)
        version = None if document is None else document.version
        key = (kind, id)
        if key not in self._reads:
            self._reads[key] = version
            if document is not None:
                self._seen[key] = document_json(document.data)
        elif self._reads[key] != version:
            raise version_conflict(kind, id, self._reads[key], version)
        return document

    def load(self, model: type[D], id: str) -> D | None:
        """One document as its model (`model.kind`), or None; remembered like `get`."""
        document = self.get(model.kind, id)
        return None if document is None else model.model_validate(document.data)

    def version(self, kind: str, id: str) -> int | None:
        """The version this unit read of a document (None: read as absent, or not read)."""
        return self._reads.get((kind, id))

    def write(
        self, kind: str, id: str, account: str | None, data: dict[str, Any], *, moves_data_version: bool = True
    ) -> None:
        """Write a document when the unit commits (expecting the version read; unread: a create)."""
        self._check_open()
        _check_kind(kind)
        self._writes[(kind, id)] = (account, data, moves_data_version)

    def save(self, document: DocumentModel) -> None:
        """Write a document model when the unit commits (like `write`)."""
        self.write(
            document.kind,
            document.id,
            document.document_account(),
            document.data(),
            moves_data_version=document.moves_data_version,
        )

    def _commit(self) -> None:
        writes = [
            DocumentWrite(kind, id, account, data, self._reads.get((kind, id)), moves)
            for (kind, id), (account, data, moves) in self._writes.items()
        ]
        self.committed = self._documents.commit(writes, self._reads, read_data=self._seen)

    def _check_open(self) -> None:
        if self._ended:
            raise RuntimeError("this unit of work has ended")


@dataclass(frozen=True)
class CheckReport:
    """What `GraphStore.check` found."""

    store: str  # what was checked: the file, the server
    problems: list[str]  # empty when nothing is wrong
    how: str  # the check that ran (e.g. "SQLite quick_check")

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CompanyNode:
    """One company of an account's tree, with its subsidiaries."""

    company: Company
    people: int = 0
    children: list[CompanyNode] = field(default_factory=list)

    def walk(self) -> Iterator[CompanyNode]:
        yield self
        for child in self.children:
            yield from child.walk()

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.company.model_dump(mode="json"),
            "people": self.people,
            "children": [c.as_dict() for c in self.children],
        }


class GraphStore(ABC):
    """The one storage interface. Use as a context manager or call `close()`."""

    url: str
    notices: tuple[str, ...] = ()
    """What the operator should be told about how the store was opened (e.g. an empty file made a new store)."""

    # ---- backend primitives -------------------------------------------------------------------
    logs_record_in_write: bool = False
    """True: the change-log entry of a one-record write is made by the backend in the write's transaction
    (`record_change` with a `RecordReader` of its own), not read beforehand; `_load` then gets None."""

    @abstractmethod
    def _load(self, bundle: Bundle, on: date, changes: list[Change] | None) -> None:
        """In one write transaction: `prepare_bundle(bundle, reader, on)`, then write it all and the `changes`
        (the change log's entries of this write, see `accountgraph.graph.changelog`); None (only for a backend
        that `logs_record_in_write`): the entry of the bundle's one record, `record_change(bundle, records)`
        with the stored data read in the transaction, before the write."""

    @abstractmethod
    def _check(self, bundle: Bundle, on: date) -> list[BundleIssue]:
        """In a read transaction: the issues `prepare_bundle` finds (nothing is written)."""

    @abstractmethod
    def _get(self, kind: str, id: str) -> Row | None:
        """One record of `kind` (a key of RECORD_KINDS) as a row, or None."""

    @abstractmethod
    def _get_tie(self, type: TieType, a: str, b: str) -> Row | None: ...

    @abstractmethod
    def _delete(self, kind: str, id: str, changes: list[Change]) -> bool:
        """Delete one record and what hangs on it, and write `changes` in the same transaction; False (and
        nothing written) when it did not exist.

        Deleting a person or team member removes their ties and interactions and clears the
        `reports_to` of their reports; deleting a company with subsidiaries or people raises
        ConflictError.
        """

    @abstractmethod
    def _delete_tie(self, type: TieType, a: str, b: str, changes: list[Change]) -> bool:
        """Delete a tie and write `changes` in the same transaction; False (nothing written) when absent."""

    @abstractmethod
    def _changes(self, filter: ChangeFilter, limit: int, after: tuple[str, str] | None) -> list[Row]:
        """Change-log rows (`Change.row`), newest first (by `at`, then `id`, descending), strictly before the key
        `after` (at, id), that `filter` keeps."""

    @abstractmethod
    def _account_companies(self, account_id: str, on: str) -> list[Row]:
        """The account's companies (root first), each row with an extra `people` count: the people there on
        the ISO date `on` (``since <= on < until``, a missing date open)."""

    @abstractmethod
    def _account_rows(self, account_id: str) -> AccountRows:
        """Everything of an account (ties of every date included): its companies, their people,
        the team members tied to or in touch with them, the ties among all of these, interactions
        and risk events. Raises NotFoundError when `account_id` is not a root company."""

    @abstractmethod
    def _list(self, kind: str, filters: ListFilter, limit: int, after: tuple[str, ...] | None) -> list[Row]:
        """Rows of `kind` (a key of LIST_FILTERS) in key order (id; ties: type, from, to) after `after`."""

    @abstractmethod
    def _document_get(self, kind: str, id: str) -> Document | None: ...

    @abstractmethod
    def _document_list(self, kind: str, account: str | None) -> list[Document]:
        """Documents of `kind` (of `account` when given), by id."""

    @abstractmethod
    def _document_commit(
        self,
        writes: list[DocumentWrite],
        texts: list[str],
        checks: Mapping[DocumentKey, int | None],
        seen: Mapping[DocumentKey, str],
        changes: list[Change],
    ) -> list[Document]:
        """In ONE write transaction: check every `expected_version`, and the version of every document of
        `checks` (None: absent; none of them is written), against the stored one (holding what is needed so
        that no concurrent commit can slip in between), and the stored JSON of every document of `seen`
        against the text given, then write every document (`texts[i]` is the JSON of `writes[i].data`) and
        the change-log entries `changes`.
        Raises VersionConflict, writing nothing. Moves the data version (and voids what is kept by it) unless
        no write `moves_data_version`."""

    @abstractmethod
    def _document_delete(self, kind: str, ids: list[str], moves_data_version: bool, changes: list[Change]) -> int:
        """In one write transaction, delete the documents of `kind` with these ids (and write `changes`); how
        many there were. `moves_data_version`: as in `_document_commit`."""

    @abstractmethod
    def _save_api_key(self, key: ApiKey, changes: list[Change]) -> None:
        """Insert or replace an API key record, with `changes`, in one transaction."""

    def save_api_key(self, key: ApiKey) -> None:
        """Insert or replace an API key record (logged without its secret's hash)."""
        before = self.get_api_key(key.id)
        fields = diff(_key_fields(before), _key_fields(key))
        self._save_api_key(key, [new_change("api_key", key.id, "create" if before is None else "update", None, fields)])

    @abstractmethod
    def get_api_key(self, id: str) -> ApiKey | None: ...

    @abstractmethod
    def list_api_keys(self) -> list[ApiKey]:
        """Every key, revoked ones included, by id."""

    @abstractmethod
    def list_accounts(self) -> list[Company]:
        """Root companies (those without a parent), by id."""

    @abstractmethod
    def account_of(self, company_id: str) -> str:
        """The root company of the tree holding `company_id` (NotFoundError if unknown)."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many records of each kind the store holds."""

    @abstractmethod
    def data_version(self) -> int:
        """A number that grows with every committed write of data that derived data may depend on (records,
        ties, keys, documents other than those of a kind that does not `moves_data_version`): a key for
        caches of derived data."""

    def changes_since(self, version: int) -> ChangeSet | None:
        """What the writes after data `version` changed, with the current rows of those records, read in one
        transaction (`accountgraph.graph.changes`); None when the store cannot tell (then reload)."""
        return None

    def keep_snapshot(self, account_id: str) -> None:
        """Keep the account's rows as a snapshot of the current data if the backend keeps snapshots and has
        none (SQLite: `accountgraph.graph.snapshot`), so that the next cold read does not pay for it; in the
        caller's thread (services call it in the background). Nothing by default."""
        return None

    def _changed_row(self, change: FeedChange) -> Row | None:
        """The current row of the record a feed entry names (None: deleted); a tie as its row."""
        if change.kind == "tie":
            return self._get_tie(*tie_of(change.id))
        return self._get(change.kind, change.id)

    @abstractmethod
    def ping(self) -> None:
        """Raise StoreError when the store cannot be reached."""

    @abstractmethod
    def check(self, *, full: bool = False) -> CheckReport:
        """Check the store itself (not the records): a damaged file, an unreachable server. `full`: the
        slower, complete check where the backend has one. Works on a store found damaged."""

    @abstractmethod
    def backup(self, dest: Path) -> None:
        """Copy the whole store, consistently and while it is in use, to the new file `dest`.

        Raises:
            InvalidArgument: `dest` exists or its folder does not.
            StoreError: the backend has no such copy (Neo4j: use its own tools), or the copy failed.
        """

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- writes -------------------------------------------------------------------------------
    def load_bundle(self, bundle: Bundle, *, on: date | None = None, source: str | None = None) -> dict[str, int]:
        """Write a whole bundle in one transaction: it lands whole or not at all.

        Upserts by id (ties by type and endpoints). `on` dates role and stance changes (default today).
        The change log gets, in the same transaction, the fields a one-record bundle changes, or for a larger
        one (or one read from a file: `source`, its name) a summary per account (`changes_of_bundle`).

        Raises:
            BundleRejected: listing every issue; nothing was written.
        """
        if self.logs_record_in_write and source is None and sum(bundle.counts().values()) == 1:
            self._load(bundle, on or today(), None)  # the backend reads what the entry needs in its transaction
        else:
            # the rows made of a large bundle are acyclic: the collector's full passes over them and the bundle
            # (two at 10k people on Neo4j, 0.45 s with every thread held) would reclaim nothing
            with paused_gc():
                self._load(bundle, on or today(), self.changes_of_bundle(bundle, source))
        return bundle.counts()

    # ---- the change log -----------------------------------------------------------------------
    def changes_of_bundle(self, bundle: Bundle, source: str | None = None) -> list[Change]:
        """The change-log entries of loading `bundle`: the field diff of its record when it holds one (and no
        `source` is named), else one `import` entry per account it touches with the counts of each list."""
        counts = bundle.counts()
        total = sum(counts.values())
        if total == 0:
            return []
        if total == 1 and source is None:
            return [self._record_change(bundle)]
        per_account: dict[str | None, dict[str, int]] = {}
        for name, account in self._bundle_accounts(bundle):
            tally = per_account.setdefault(account, {})
            tally[name] = tally.get(name, 0) + 1
        return [
            new_change(
                "import",
                source or "",
                "import",
                account,
                {k: [None, n] for k, n in sorted(tally.items())},
            )
            for account, tally in sorted(per_account.items(), key=lambda item: item[0] or "")
        ]

    def _record_change(self, bundle: Bundle) -> Change:
        return record_change(bundle, self)

    def _company_account(self, company: str | None) -> str | None:
        return company_account(company, self)

    def _person_account(self, person: str) -> str | None:
        return person_account(person, self)

    def _record_account(self, kind: str, record: Any) -> str | None:
        return record_account(kind, record, self)

    def _people_companies(self, ids: builtins.list[str]) -> dict[str, str]:
        """The company of each stored person among `ids` (a backend may read them in one go)."""
        rows = {id: self._get("person", id) for id in ids}
        return {id: str(row["company"]) for id, row in rows.items() if row is not None}

    def _bundle_accounts(self, bundle: Bundle) -> Iterator[tuple[str, str | None]]:
        """(list name, account) of every record of a bundle: from the bundle's own companies and people where
        it holds them, else from the store (the people it names read in one go, each company's account once)."""
        parents = {c.id: c.parent for c in bundle.companies}
        company_of = {p.id: p.company for p in bundle.people}
        named = {t.from_ for t in bundle.ties} | {t.to for t in bundle.ties} | {i.person for i in bundle.interactions}
        company_of.update(self._people_companies(sorted(named - set(company_of))))
        roots: dict[str, str | None] = {}
        people: dict[str, str | None] = {}

        def root(company: str) -> str | None:
            if company not in roots:
                current, seen = company, set()
                while parents.get(current) is not None and current not in seen:
                    seen.add(current)
                    current = str(parents[current])
                roots[company] = current if current in parents else self._company_account(current)
            return roots[company]

        def person(id: str) -> str | None:
            if id not in people:
                people[id] = root(company_of[id]) if id in company_of else None  # None: one of our team
            return people[id]

        for c in bundle.companies:
            yield "companies", root(c.id)
        for p in bundle.people:
            yield "people", root(p.company)
        for _ in bundle.team:
            yield "team", None
        for t in bundle.ties:
            yield "ties", person(t.from_) or person(t.to)
        for i in bundle.interactions:
            yield "interactions", person(i.person)
        for r in bundle.risks:
            yield "risks", root(r.company)

    def changes(
        self,
        *,
        account: str | None = None,
        record: str | None = None,
        author: str | None = None,
        kind: str | None = None,
        records: Iterable[str] | None = None,
        accounts: Iterable[str] | None = None,
        owned: bool = False,
        limit: int = 100,
        after: tuple[str, str] | None = None,
    ) -> list[Change]:
        """One page of the change log, newest first, after the key `after` (`(at, id)` of the last entry of the
        previous page): of an account, a record (its id; a tie: `type:from->to`), an author and a kind when given;
        of one of `records`, of one of `accounts`, and only of entries belonging to an account (`owned`) when
        asked."""
        if not 1 <= limit <= 1000:
            raise InvalidArgument(Phrase(N_("limit must be between 1 and 1000")), field="limit")
        wanted = tuple(sorted({*(records or ()), *((record,) if record is not None else ())}))
        filter = ChangeFilter(
            account=account,
            accounts=None if accounts is None else frozenset(accounts),
            owned=owned,
            records=wanted if record is not None or records is not None else None,
            author=author,
            kind=kind,
        )
        if (filter.records is not None and not filter.records) or (filter.accounts is not None and not filter.accounts):
            return []
        return [Change.of_row(r) for r in self._changes(filter, limit, after)]

    def check_bundle(self, bundle: Bundle, *, on: date | None = None) -> list[BundleIssue]:
        """The issues `load_bundle` would refuse `bundle` for (references, id clashes, cycles); writes nothing."""
        return self._check(bundle, on or today())

    def parse_document(self, raw: Any, progress: Callable[[int], None] | None = None) -> Bundle:
        """A raw bundle document (parsed JSON or CSV) as a `Bundle`, checked as fully as a refusal can be.

        When records are malformed, the well-formed ones are still checked against the store, so
        the refusal lists every problem: malformed fields, unknown references, cycles.

        Raises:
            BundleRejected: every issue, with indices into the document.
        """
        try:
            return parse_bundle(raw, progress=progress)
        except BundleRejected as rejected:
            if rejected.partial is None:
                raise
            more = []
            for issue in self._check(rejected.partial, today()):
                if issue.index is not None and issue.record in rejected.positions:
                    issue = issue.model_copy(update={"index": rejected.positions[issue.record][issue.index]})
                more.append(issue)
            raise BundleRejected(rejected.issues + more) from None

    def import_document(self, raw: Any, progress: Callable[[int], None] | None = None) -> dict[str, int]:
        """Validate (`parse_document`) and load a raw bundle document in one transaction.

        Raises:
            BundleRejected: every issue, with indices into the document; nothing was written.
        """
        return self.load_bundle(self.parse_document(raw, progress))

    def upsert_company(self, company: Company) -> Company:
        self.load_bundle(Bundle(companies=[company]))
        return self.get_company(company.id)

    def upsert_person(self, person: Person, *, on: date | None = None) -> Person:
        self.load_bundle(Bundle(people=[person]), on=on)
        return self.get_person(person.id)

    def upsert_team_member(self, member: TeamMember) -> TeamMember:
        self.load_bundle(Bundle(team=[member]))
        return self.get_team_member(member.id)

    def upsert_tie(self, tie: Tie) -> Tie:
        self.load_bundle(Bundle(ties=[tie]))
        return self.get_tie(tie.type, tie.from_, tie.to)

    def upsert_interaction(self, interaction: Interaction) -> Interaction:
        self.load_bundle(Bundle(interactions=[interaction]))
        return self.get_interaction(interaction.id)

    def upsert_risk(self, risk: RiskEvent) -> RiskEvent:
        self.load_bundle(Bundle(risks=[risk]))
        return self.get_risk(risk.id)

    def set_parent(self, company_id: str, parent_id: str | None) -> Company:
        company = self.get_company(company_id)
        return self.upsert_company(company.model_copy(update={"parent": parent_id}))

    def set_reports_to(self, person_id: str, manager_id: str | None) -> Person:
        person = self.get_person(person_id)
        return self.upsert_person(person.model_copy(update={"reports_to": manager_id}))

    def end_tie(self, type: TieType, a: str, b: str, until: date | None = None) -> Tie:
        """End a relationship: it stays as history with `until` set (default today)."""
        tie = self.get_tie(type, a, b)
        return self.upsert_tie(tie.model_copy(update={"until": until or today()}))

    # ---- reads --------------------------------------------------------------------------------
    def _get_model(self, kind: str, id: str, model: type[M]) -> M:
        row = self._get(kind, id)
        if row is None:
            raise NotFoundError(kind, id)
        return model.model_validate(row)

    def get_company(self, id: str) -> Company:
        return self._get_model("company", id, Company)

    def get_person(self, id: str) -> Person:
        return self._get_model("person", id, Person)

    def get_team_member(self, id: str) -> TeamMember:
        return self._get_model("team", id, TeamMember)

    def get_interaction(self, id: str) -> Interaction:
        return self._get_model("interaction", id, Interaction)

    def get_risk(self, id: str) -> RiskEvent:
        return self._get_model("risk", id, RiskEvent)

    def get_tie(self, type: TieType | str, a: str, b: str) -> Tie:
        type = TieType(type)
        if type is TieType.KNOWS and b < a:
            a, b = b, a
        row = self._get_tie(type, a, b)
        if row is None:
            raise NotFoundError("tie", f"{type.value}:{a}->{b}")
        return Tie.model_validate(row)

    def list_records(
        self,
        kind: str,
        filters: ListFilter | None = None,
        *,
        limit: int = 100,
        after: tuple[str, ...] | None = None,
    ) -> list[Any]:
        """One page of records of `kind` in key order, after the key `after` (keyset pagination).

        The key is `(id,)`, for ties `(type, from, to)`. Raises InvalidArgument for an unknown kind, a
        filter the kind does not take, or a bad limit.
        """
        filters = filters or ListFilter()
        if kind not in LIST_FILTERS:
            raise InvalidArgument(
                Phrase(N_("cannot list {kind}; one of {kinds}"), kind=repr(kind), kinds=", ".join(LIST_FILTERS))
            )
        unknown = filters.given() - LIST_FILTERS[kind]
        if unknown:
            raise InvalidArgument(
                Phrase(N_("{kind} cannot be filtered by {fields}"), kind=kind, fields=", ".join(sorted(unknown)))
            )
        if not 1 <= limit <= 1000:
            raise InvalidArgument(Phrase(N_("limit must be between 1 and 1000")), field="limit")
        if after is not None and len(after) != (3 if kind == "tie" else 1):
            raise InvalidArgument(Phrase(N_("bad cursor")), field="cursor")
        model: type[BaseModel] = Tie if kind == "tie" else RECORD_KINDS[kind][0]
        return [model.model_validate(r) for r in self._list(kind, filters, limit, after)]

    def revoke_api_key(self, id: str, at: datetime | None = None) -> ApiKey:
        key = self.get_api_key(id)
        if key is None:
            raise NotFoundError("api key", id)
        if key.revoked_at is None:
            key = key.model_copy(update={"revoked_at": at or datetime.now(UTC)})
            self.save_api_key(key)
        return key

    # ---- documents (versioned JSON records: the ledger's, opportunities, plans) -----------------
    @property
    def documents(self) -> Documents:
        """The store's documents: quotes, invoices, payments, opportunities, plans... (see `Documents`)."""
        return Documents(self)

    # ---- deletes (for mistakes; ending a tie keeps history) -----------------------------------
    def delete(self, kind: str, id: str) -> None:
        """Delete a company, person, team member, interaction or risk (NotFoundError if absent)."""
        if kind not in RECORD_KINDS:
            raise InvalidArgument(Phrase(N_("unknown record kind {kind}"), kind=repr(kind)))
        row = self._get(kind, id)
        if row is None:
            raise NotFoundError(kind, id)
        model = RECORD_KINDS[kind][0]
        record = model.model_validate(row)
        before = _only(record.model_dump(mode="json"), set(ROW_FIELDS[kind]) - {"id", "history"})
        change = new_change(kind, id, "delete", self._record_account(kind, record), diff(before, None))
        if not self._delete(kind, id, [change]):
            raise NotFoundError(kind, id)

    def delete_tie(self, type: TieType | str, a: str, b: str) -> None:
        type = TieType(type)
        if type is TieType.KNOWS and b < a:
            a, b = b, a
        row = self._get_tie(type, a, b)
        if row is None:
            raise NotFoundError("tie", f"{type.value}:{a}->{b}")
        before = Tie.model_validate(row).model_dump(mode="json", by_alias=True)
        account = next((x for x in (self._person_account(a), self._person_account(b)) if x), None)
        change = new_change("tie", f"{type.value}:{a}->{b}", "delete", account, diff(before, None))
        if not self._delete_tie(type, a, b, [change]):
            raise NotFoundError("tie", f"{type.value}:{a}->{b}")

    # ---- accounts -----------------------------------------------------------------------------
    def company_tree(self, account_id: str, as_of: date | None = None) -> CompanyNode:
        """The company tree of an account, root first, children by id, with the people of each company on
        `as_of` (default today: who has joined and not left)."""
        rows = self._account_companies(account_id, (as_of or today()).isoformat())
        if not rows:
            raise NotFoundError("account", account_id)
        nodes = {r["id"]: CompanyNode(Company.model_validate(_without(r, "people")), r["people"]) for r in rows}
        root = nodes[account_id]
        for node in sorted(nodes.values(), key=lambda n: n.company.id):
            parent = node.company.parent
            if node is not root and parent in nodes:
                nodes[parent].children.append(node)
        return root

    def export_bundle(self, account_id: str) -> Bundle:
        """Everything of an account as a bundle (history included), sorted by id."""
        with paused_gc():
            rows = self._account_rows(account_id)
        bundle = Bundle(
            companies=[Company.model_validate(r) for r in rows.companies],
            people=[Person.model_validate(r) for r in rows.people],
            team=[TeamMember.model_validate(r) for r in rows.team],
            ties=[Tie.model_validate(dict(zip(TIE_FIELDS, t, strict=True))) for t in rows.ties],
            interactions=[Interaction.model_validate(r) for r in rows.interactions],
            risks=[RiskEvent.model_validate(r) for r in rows.risks],
        )
        return bundle.sorted()

    def account_projection(self, account_id: str, as_of: date | None = None) -> Projection:
        """The account as it stood on `as_of` (default today): what the algorithms read.

        See `accountgraph.projection.selection` for what is kept.
        """
        with paused_gc():
            return select(account_id, self._account_rows(account_id), as_of or today())

    def account_subgraph(self, account_id: str, as_of: date | None = None) -> nx.MultiDiGraph:
        """The account projected into networkx, as it stood on `as_of` (default today).

        See `accountgraph.projection.selection` for the node and edge attributes.
        """
        projection = self.account_projection(account_id, as_of)
        with paused_gc():
            return projection.to_networkx()


class RecordReader(Protocol):
    """What the change-log entry of a one-record write reads of the stored data (before the write): a store
    itself, or a backend's reader inside its write transaction (`GraphStore.logs_record_in_write`)."""

    def _get(self, kind: str, id: str) -> Row | None: ...

    def _get_tie(self, type: TieType, a: str, b: str) -> Row | None: ...

    def account_of(self, company_id: str) -> str:
        """The root company of `company_id` (NotFoundError if unknown)."""
        ...


def record_change(bundle: Bundle, records: RecordReader) -> Change:
    """The change-log entry of writing a bundle of one record: its fields before (as `records` holds them) and
    after, under the account the record belongs to."""
    if bundle.ties:
        tie = bundle.ties[0]
        stored = records._get_tie(tie.type, tie.from_, tie.to)
        before = None if stored is None else Tie.model_validate(stored).model_dump(mode="json", by_alias=True)
        after = tie.model_dump(mode="json", by_alias=True)
        account = next((a for a in (person_account(tie.from_, records), person_account(tie.to, records)) if a), None)
        record = f"{tie.type.value}:{tie.from_}->{tie.to}"
        return new_change("tie", record, "create" if stored is None else "update", account, diff(before, after))
    kind, one = next((k, getattr(bundle, name)[0]) for k, (_, name) in RECORD_KINDS.items() if getattr(bundle, name))
    model = RECORD_KINDS[kind][0]
    row = records._get(kind, one.id)
    kept = set(ROW_FIELDS[kind]) - {"id", "history"}
    before = None if row is None else _only(model.model_validate(row).model_dump(mode="json"), kept)
    after = _only(one.model_dump(mode="json"), kept)
    action = "create" if row is None else "update"
    return new_change(kind, one.id, action, record_account(kind, one, records), diff(before, after))


def company_account(company: str | None, records: RecordReader) -> str | None:
    """The account of a company (None: no company, or not found)."""
    if company is None:
        return None
    try:
        return records.account_of(company)
    except NotFoundError:
        return None


def person_account(person: str, records: RecordReader) -> str | None:
    """The account of a stored person (None: not a person, or not found)."""
    row = records._get("person", person)
    return None if row is None else company_account(str(row["company"]), records)


def record_account(kind: str, record: Any, records: RecordReader) -> str | None:
    """The account a record belongs to, as `records` holds it now (None: our team, or not found)."""
    if kind == "company":
        return record.id if record.parent is None else company_account(record.parent, records)
    if kind in ("person", "risk"):
        return company_account(record.company, records)
    if kind == "interaction":
        return person_account(record.person, records)
    return None


_REQUEST: ContextVar[dict[int, int] | None] = ContextVar("accountgraph_request", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """One request (the API's `AuthMiddleware` opens one around each): within it, a store whose data version
    costs a round trip (Neo4j) reads it once, with the caller's key, and answers `data_version()` from that
    read until it writes itself. The version of a request is then the one at its start, which is what a
    cache of derived data needs (read before the data it keys). Threads the request runs in (the endpoint's)
    share it: they run in copies of the request's context, which hold the same memo."""
    token = _REQUEST.set({})
    try:
        yield
    finally:
        _REQUEST.reset(token)


def request_memo() -> dict[int, int] | None:
    """The data versions read so far in the current `request_scope`, by store (its `id`); None outside one."""
    return _REQUEST.get()


def _check_kind(kind: str) -> None:
    if kind not in DOCUMENT_KINDS:
        raise InvalidArgument(
            Phrase(
                N_("unknown document kind {kind}; one of {kinds}"),
                kind=repr(kind),
                kinds=", ".join(sorted(DOCUMENT_KINDS)),
            )
        )


def version_conflict(kind: str, id: str, expected: int | None, found: int | None) -> VersionConflict:
    want = "no record" if expected is None else f"version {expected}"
    have = "none" if found is None else f"version {found}"
    return VersionConflict(f"{kind} {id!r} changed meanwhile: expected {want}, found {have}; nothing was written")


def stale_read(kind: str, id: str) -> VersionConflict:
    """A document read in a state that never stood whole (its version beside older data)."""
    return VersionConflict(
        f"{kind} {id!r} changed meanwhile: it was read while a write was landing; nothing was written"
    )


def _only(row: Mapping[str, Any], names: set[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k in names}


def _key_fields(key: ApiKey | None) -> dict[str, Any] | None:
    """What the change log keeps of an API key: never its secret's hash."""
    return None if key is None else key.model_dump(mode="json", exclude={"secret_hash"})


def _without(row: Row, *keys: str) -> Row:
    return {k: v for k, v in row.items() if k not in keys}
