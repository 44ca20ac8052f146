"""The embedded default backend: one SQLite file (standard library `sqlite3`), WAL, foreign keys on.

Every value is bound as a `?` parameter; table and column names are fixed in this module. Each thread
gets its own connection; writes take the write lock up front (`BEGIN IMMEDIATE`), so concurrent
writers queue instead of failing. The schema version lives in `PRAGMA user_version` and each migration
commits together with its version number.

Large accounts are also kept as snapshots (`accountgraph.graph.snapshot`, table ``account_snapshot``): an
account with at least `SqliteStore.snapshot_min_ties` ties is read row by row once, then from its snapshot
(several times faster), until the next write. Every write drops every snapshot in its own transaction, and a
snapshot is only used when it carries the store's current data version. Writing one is best effort: it
waits at most a moment for the write lock and is skipped when it cannot be written (a read-only file, a busy
writer), and it does not change the data version.

A damaged file is found, not served: the store runs `PRAGMA quick_check` when it opens the file, and a
query that meets a damaged page (SQLite's SQLITE_CORRUPT / SQLITE_NOTADB) marks it damaged too. From then on
every call (`ping` included) raises StoreDamaged naming the file and what to do (restore a backup; see
`accountgraph check`), until the file is opened again. Any other SQLite error of a call becomes a StoreError
(StoreResourceError when the disk is full). A file of 0 bytes is initialised as a new store, and said so in
`notices` (which the CLI prints and the API logs). `backup` copies the store with SQLite's online backup API,
`check` runs `quick_check` (or the full `integrity_check`).
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from accountgraph.errors import (
    BundleRejected,
    ConflictError,
    InvalidArgument,
    NotFoundError,
    StoreDamaged,
    StoreError,
    StoreResourceError,
)
from accountgraph.graph import snapshot
from accountgraph.graph.changelog import Change, ChangeFilter
from accountgraph.graph.changes import (
    ANY,
    DOCUMENT,
    FEED_KEEP,
    RECORDS,
    ChangeSet,
    bundle_changes,
    tie_id,
)
from accountgraph.graph.changes import Change as FeedChange
from accountgraph.graph.store import (
    ROW_FIELDS,
    CheckReport,
    Document,
    DocumentKey,
    DocumentWrite,
    GraphStore,
    ListFilter,
    record_change,
    stale_read,
    version_conflict,
)
from accountgraph.graph.validation import prepare_bundle
from accountgraph.projection import TIE_FIELDS, AccountRows, Row, TieColumns, TieRow
from accountgraph.schema.models import ApiKey, Bundle, BundleIssue, Company, NodeKind, Person, TieType

_MIGRATION_1 = """
CREATE TABLE node (
    id   TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('company', 'person', 'team'))
);
CREATE TABLE company (
    id       TEXT PRIMARY KEY REFERENCES node(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    parent   TEXT REFERENCES company(id),
    industry TEXT,
    region   TEXT,
    country  TEXT
);
CREATE INDEX company_parent ON company(parent);
CREATE TABLE person (
    id         TEXT PRIMARY KEY REFERENCES node(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    company    TEXT NOT NULL REFERENCES company(id),
    title      TEXT,
    department TEXT,
    level      INTEGER,
    reports_to TEXT REFERENCES person(id) ON DELETE SET NULL,
    roles      TEXT NOT NULL DEFAULT '[]',
    stance     TEXT NOT NULL DEFAULT 'unknown',
    email      TEXT,
    phone      TEXT,
    history    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX person_company ON person(company);
CREATE INDEX person_reports_to ON person(reports_to);
CREATE TABLE team_member (
    id       TEXT PRIMARY KEY REFERENCES node(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    function TEXT NOT NULL,
    title    TEXT,
    email    TEXT
);
CREATE TABLE tie (
    type         TEXT NOT NULL CHECK (type IN ('knows', 'influences')),
    src          TEXT NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    dst          TEXT NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    strength     REAL NOT NULL,
    since        TEXT,
    until        TEXT,
    last_contact TEXT,
    note         TEXT,
    PRIMARY KEY (type, src, dst)
);
CREATE INDEX tie_src ON tie(src);
CREATE INDEX tie_dst ON tie(dst);
CREATE TABLE interaction (
    id        TEXT PRIMARY KEY,
    member    TEXT NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    person    TEXT NOT NULL REFERENCES node(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    at        TEXT NOT NULL,
    sentiment INTEGER NOT NULL,
    note      TEXT
);
CREATE INDEX interaction_person ON interaction(person);
CREATE INDEX interaction_member ON interaction(member);
CREATE TABLE risk (
    id       TEXT PRIMARY KEY,
    company  TEXT NOT NULL REFERENCES company(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    severity INTEGER NOT NULL,
    amount   TEXT,
    currency TEXT,
    at       TEXT NOT NULL,
    summary  TEXT
);
CREATE INDEX risk_company ON risk(company);
"""

_MIGRATION_2 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('data_version', 0);
"""

_MIGRATION_3 = """
CREATE TABLE api_key (
    id          TEXT PRIMARY KEY,
    name        TEXT,
    role        TEXT NOT NULL,
    accounts    TEXT NOT NULL DEFAULT '[]',
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
"""

# the documents (`GraphStore.documents`; the table keeps the name it had when only the ledger used it)
_MIGRATION_4 = """
CREATE TABLE ledger (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    account TEXT,
    version INTEGER NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX ledger_account ON ledger(kind, account);
"""

# when a person joined and left the customer company (ISO dates; NULL: always known, still there)
_MIGRATION_5 = """
ALTER TABLE person ADD COLUMN since TEXT;
ALTER TABLE person ADD COLUMN until TEXT;
"""

# a large account's rows, as read at a data version (`accountgraph.graph.snapshot`); dropped on every write
_MIGRATION_6 = """
CREATE TABLE account_snapshot (
    account TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    rows TEXT NOT NULL,
    columns BLOB NOT NULL
);
"""

# the change feed (`accountgraph.graph.changes`): what each write changed, by the data version it made
_MIGRATION_7 = """
CREATE TABLE change_feed (
    version INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL
);
CREATE INDEX change_feed_version ON change_feed(version);
"""

# mail and calendar capture: a team member's other addresses (a JSON list), an e-mail's direction (out, in)
_MIGRATION_8 = """
ALTER TABLE team_member ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE interaction ADD COLUMN direction TEXT;
"""

# the change log (`accountgraph.graph.changelog`): who wrote what, when, through which interface
_MIGRATION_9 = """
CREATE TABLE change_log (
    id        TEXT PRIMARY KEY,
    at        TEXT NOT NULL,
    author    TEXT NOT NULL,
    label     TEXT NOT NULL,
    interface TEXT NOT NULL,
    account   TEXT,
    kind      TEXT NOT NULL,
    record    TEXT NOT NULL,
    action    TEXT NOT NULL,
    fields    TEXT NOT NULL
);
CREATE INDEX change_log_at ON change_log(at, id);
CREATE INDEX change_log_account ON change_log(account, at, id);
CREATE INDEX change_log_record ON change_log(record, at, id);
CREATE INDEX change_log_author ON change_log(author, at, id);
"""

MIGRATIONS: tuple[str, ...] = (
    _MIGRATION_1,
    _MIGRATION_2,
    _MIGRATION_3,
    _MIGRATION_4,
    _MIGRATION_5,
    _MIGRATION_6,
    _MIGRATION_7,
    _MIGRATION_8,
    _MIGRATION_9,
)
"""Migration i (1-based) brings the schema from version i-1 to i. Append, never edit."""

SCHEMA_VERSION = len(MIGRATIONS)

# table of each record kind, and its columns (the row fields, in order)
_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    kind: (table, ROW_FIELDS[kind])
    for kind, table in (
        ("company", "company"),
        ("person", "person"),
        ("team", "team_member"),
        ("interaction", "interaction"),
        ("risk", "risk"),
    )
}
log = logging.getLogger(__name__)

_TIE_COLUMNS = ("type", "src", "dst", "strength", "since", "until", "last_contact", "note")
_TIE_SELECT = ", ".join(_TIE_COLUMNS)  # in the order of TIE_FIELDS (src is "from", dst is "to")
_JSON_COLUMNS = frozenset({"roles", "history", "accounts", "emails"})
_KEY_COLUMNS = ("id", "name", "role", "accounts", "secret_hash", "created_at", "revoked_at")
_ACCOUNT_PEOPLE = "SELECT p.id FROM tree JOIN person p ON p.company = tree.id"

# listing: the table (alias x) and, per filter, a condition with one `?` (account: uses the CTE `tree`)
_LIST_FROM = {
    "company": "company x",
    "person": "person x",
    "team": "team_member x",
    "interaction": "interaction x",
    "risk": "risk x",
    "tie": "tie x",
}
_LIST_WHERE: dict[str, dict[str, str]] = {
    "company": {"account": "x.id IN (SELECT id FROM tree)"},
    "person": {
        "account": "x.company IN (SELECT id FROM tree)",
        "company": "x.company = ?",
        "role": "EXISTS (SELECT 1 FROM json_each(x.roles) WHERE json_each.value = ?)",
        "stance": "x.stance = ?",
    },
    "team": {
        "account": f"x.id IN (SELECT src FROM tie WHERE dst IN ({_ACCOUNT_PEOPLE}) "
        f"UNION SELECT dst FROM tie WHERE src IN ({_ACCOUNT_PEOPLE}))",
    },
    "interaction": {
        "account": f"x.person IN ({_ACCOUNT_PEOPLE})",
        "company": "x.person IN (SELECT id FROM person WHERE company = ?)",
        "person": "x.person = ?",
        "member": "x.member = ?",
    },
    "risk": {"account": "x.company IN (SELECT id FROM tree)", "company": "x.company = ?"},
    "tie": {
        "account": f"(x.src IN ({_ACCOUNT_PEOPLE}) OR x.dst IN ({_ACCOUNT_PEOPLE}))",
        "person": "(x.src = ? OR x.dst = ?)",
        "type": "x.type = ?",
    },
}
_BATCH = 500  # ids per IN (...) query, well under SQLite's variable limit

_TREE = """
WITH RECURSIVE tree(id, depth) AS (
    SELECT id, 0 FROM company WHERE id = ? AND parent IS NULL
    UNION ALL
    SELECT c.id, t.depth + 1 FROM company c JOIN tree t ON c.parent = t.id
)
"""


_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_CHECKED_ERRORS = 100
"""At most this many problems are reported by a check."""
C = TypeVar("C", bound=type)


def _damage_advice(path: str, problems: list[str]) -> str:
    more = f"; and {len(problems) - 1} more" if len(problems) > 1 else ""
    return (
        f"the SQLite store {path} is damaged ({problems[0]}{more}): restore it from a backup (`accountgraph "
        "backup` makes them); `accountgraph check` lists what is wrong"
    )


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` (a method of SqliteStore) refused while the store is damaged, its SQLite errors as StoreErrors."""

    @functools.wraps(fn)
    def call(self: SqliteStore, *args: Any, **kwargs: Any) -> Any:
        if self.damage is not None:
            raise StoreDamaged(self.damage)
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.DatabaseError as err:
            translated = self._store_error(err)
            if translated is None:  # an integrity or programming error: a defect, not the store's state
                raise
            raise translated from err

    return call


def _guard_methods(cls: C) -> C:
    """Guard every method of the class but those that must work on a damaged file (see `_guarded`)."""
    for name, member in list(vars(cls).items()):
        if inspect.isfunction(member) and name not in _UNGUARDED:
            setattr(cls, name, _guarded(member))
    return cls


_UNGUARDED = frozenset({"__init__", "close", "check", "_conn", "_tx", "_write_tx", "_store_error"})


def _path_from_url(url: str) -> str:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise StoreError(f"not a SQLite URL: {url!r} (expected sqlite:///path/to/file.db)")
    path = url[len(prefix) :]
    if not path:
        raise StoreError("the SQLite URL names no file")
    return path


def _row_out(columns: Sequence[str], values: Sequence[Any]) -> Row:
    row: Row = dict(zip(columns, values, strict=True))
    for col in _json_columns(tuple(columns)):
        row[col] = _json_value(row[col])
    return row


@lru_cache(maxsize=64)
def _json_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in columns if c in _JSON_COLUMNS)


@lru_cache(maxsize=4096)
def _json_text(text: str) -> Any:
    return json.loads(text)


def _json_value(text: str | None) -> Any:
    """A JSON column's value: lists of names repeat on thousands of rows, so their parse is cached (a fresh
    copy is returned, callers may change it)."""
    if text is None:
        return None
    if text == "[]":
        return []
    if len(text) > 200:
        return json.loads(text)
    value = _json_text(text)
    if isinstance(value, list) and "{" not in text and "[" not in text[1:]:
        return list(value)  # a flat list
    return copy.deepcopy(value)


def _tie_out(values: Sequence[Any]) -> Row:
    return dict(zip(TIE_FIELDS, values, strict=True))


def _chunks(items: Collection[str]) -> Iterator[list[str]]:
    ordered = list(items)
    for start in range(0, len(ordered), _BATCH):
        yield ordered[start : start + _BATCH]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class _Reader:
    """`GraphReader` over one connection, inside the current transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def kinds_of(self, ids: Collection[str]) -> dict[str, NodeKind]:
        found: dict[str, NodeKind] = {}
        for chunk in _chunks(ids):
            sql = f"SELECT id, kind FROM node WHERE id IN ({_marks(len(chunk))})"
            found.update((i, NodeKind(k)) for i, k in self.conn.execute(sql, chunk))
        return found

    def parents_of(self, kind: NodeKind, ids: Collection[str]) -> dict[str, str | None]:
        sql = {
            NodeKind.COMPANY: "SELECT id, parent FROM company WHERE id IN ({})",
            NodeKind.PERSON: "SELECT id, reports_to FROM person WHERE id IN ({})",
        }[kind]
        found: dict[str, str | None] = {}
        for chunk in _chunks(ids):
            found.update(self.conn.execute(sql.format(_marks(len(chunk))), chunk))
        return found

    def people(self, ids: Collection[str]) -> dict[str, Person]:
        table, cols = _TABLES["person"]
        found: dict[str, Person] = {}
        for chunk in _chunks(ids):
            sql = f"SELECT {', '.join(cols)} FROM {table} WHERE id IN ({_marks(len(chunk))})"
            for values in self.conn.execute(sql, chunk):
                row = _row_out(cols, values)
                found[row["id"]] = Person.model_validate(row)
        return found


@_guard_methods
class SqliteStore(GraphStore):
    """`GraphStore` on one SQLite file."""

    snapshot_min_ties = 5000
    """Accounts with at least this many ties are kept as snapshots (see the module docstring)."""
    snapshot_wait = 0.05
    """Seconds a snapshot write waits for the write lock before it is skipped."""

    def __init__(self, url: str, *, timeout: float = 30.0, snapshot_min_ties: int | None = None) -> None:
        self.url = url
        self.path = _path_from_url(url)
        self.timeout = timeout
        if snapshot_min_ties is not None:
            self.snapshot_min_ties = snapshot_min_ties
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self.damage: str | None = None
        """Why the file is damaged, once found (every call but `check` and `close` then raises StoreDamaged)."""
        if self.path != ":memory:":
            file = Path(self.path).expanduser()
            parent = file.resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot open {url!r}: folder {str(parent)!r} does not exist")
            if file.is_file() and file.stat().st_size == 0:
                self.notices = (
                    f"{self.path} was an empty file (0 bytes): it is now a new, empty store; if it should hold "
                    "data, stop and restore it from a backup",
                )
            problems = _problems(self.path, self.timeout, full=False)
            if problems:
                self.damage = _damage_advice(self.path, problems)
                return
        self._migrate()

    # ---- connections and transactions ---------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            except sqlite3.Error as err:
                raise StoreError(f"cannot open {self.url!r}: {err}") from err
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def _store_error(self, err: sqlite3.DatabaseError) -> StoreError | None:
        """The StoreError an SQLite error of a call stands for (None: a defect of the call itself); a damaged
        page marks the store damaged."""
        code = getattr(err, "sqlite_errorcode", None)
        if (code is not None and (code & 0xFF) in _DAMAGE_CODES) or type(err) is sqlite3.DatabaseError:
            self.damage = _damage_advice(self.path, [str(err)])
            return StoreDamaged(self.damage)
        if code is not None and (code & 0xFF) == sqlite3.SQLITE_FULL:
            return StoreResourceError(f"the SQLite store {self.path} cannot grow ({err}): free disk space")
        if isinstance(err, sqlite3.OperationalError):  # locked past the timeout, I/O error, read-only file, ...
            return StoreError(f"the SQLite store {self.path} is not usable: {err}")
        if isinstance(err, sqlite3.ProgrammingError) and self._closed:  # closed by another thread meanwhile
            return StoreError("the store is closed")
        return None

    # ---- operations: check and backup -------------------------------------------------------------
    def check(self, *, full: bool = False) -> CheckReport:
        what = "integrity_check" if full else "quick_check"
        if self.path == ":memory:":
            return CheckReport(self.url, [], f"SQLite {what} (in memory)")
        problems = _problems(self.path, self.timeout, full)
        if problems:
            self.damage = _damage_advice(self.path, problems)
        elif self.damage is not None and not full:
            problems = [self.damage]  # seen by a query though the quick check passes: only the full one tells
        return CheckReport(self.path, problems, f"SQLite {what}")

    def backup(self, dest: Path) -> None:
        if self.path == ":memory:":
            raise InvalidArgument("an in-memory store has nothing to back up")
        dest = Path(dest).expanduser()
        if dest.exists():
            raise InvalidArgument(f"{dest} exists: back up to a new file")
        if not dest.resolve().parent.is_dir():
            raise InvalidArgument(f"cannot write {dest}: folder {str(dest.resolve().parent)!r} does not exist")
        partial = dest.with_name(dest.name + ".partial")
        try:
            with closing(sqlite3.connect(partial)) as target:
                self._conn().backup(target)  # a consistent copy, page by page, while others keep writing
            problems = _problems(str(partial), self.timeout, full=False)
            if problems:
                raise StoreDamaged(_damage_advice(str(partial), problems))
            os.replace(partial, dest)
        finally:
            partial.unlink(missing_ok=True)

    @contextmanager
    def _tx(self, write: bool) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    @contextmanager
    def _write_tx(
        self, moves_data_version: bool = True, changes: Sequence[FeedChange] | None = None
    ) -> Iterator[sqlite3.Connection]:
        """A write transaction that also bumps the data version (for caches keyed by it), unless
        `moves_data_version` is False (a write no derived data depends on), and records `changes` in the
        change feed under the new version (None: one `changes.ANY` entry), pruning the feed's oldest version."""
        with self._tx(write=True) as conn:
            yield conn
            if moves_data_version:
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
                conn.execute("DELETE FROM account_snapshot")
                version = _data_version(conn)
                conn.executemany(
                    "INSERT INTO change_feed (version, kind, id) VALUES (?, ?, ?)",
                    [(version, c.kind, c.id) for c in (changes or [FeedChange(ANY)])],
                )
                conn.execute("DELETE FROM change_feed WHERE version <= ?", (version - FEED_KEEP,))

    def data_version(self) -> int:
        return _data_version(self._conn())

    def changes_since(self, version: int) -> ChangeSet | None:
        with self._tx(write=False) as conn:  # one snapshot: the entries and the rows they name agree
            now = _data_version(conn)
            if now == version:
                return ChangeSet(now, [])
            if now < version or now - version > FEED_KEEP:
                return None
            sql = "SELECT version, kind, id FROM change_feed WHERE version > ? ORDER BY version, rowid"
            rows = conn.execute(sql, (version,)).fetchall()
            if not ChangeSet.complete(version, now, {r[0] for r in rows}):
                return None
            found = list(dict.fromkeys(FeedChange(kind, id) for _, kind, id in rows))
            return ChangeSet(now, found, {c: self._changed_row(c) for c in found if c.kind in RECORDS})

    def _migrate(self) -> None:
        with self._tx(write=True) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this AccountGraph "
                    f"understands ({SCHEMA_VERSION}): upgrade AccountGraph"
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")

    def schema_version(self) -> int:
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])

    def ping(self) -> None:
        """Raise StoreError when the file cannot be read (StoreDamaged once it was found damaged)."""
        try:
            self._conn().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        except sqlite3.Error as err:
            found = self._store_error(err) if isinstance(err, sqlite3.DatabaseError) else None
            raise found or StoreError(f"SQLite store {self.path} is not usable: {err}") from err

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
            self._closed = True

    # ---- writes -------------------------------------------------------------------------------
    def _load(self, bundle: Bundle, on: date, changes: list[Change] | None) -> None:
        if changes is None:  # the entry of its one record, read before the write (GraphStore.logs_record_in_write)
            changes = [record_change(bundle, self)]
        with self._write_tx(changes=bundle_changes(bundle)) as conn:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            _log(conn, changes)
            bundle = prepare_bundle(bundle, _Reader(conn), on)
            nodes = [(c.id, "company") for c in bundle.companies]
            nodes += [(p.id, "person") for p in bundle.people]
            nodes += [(t.id, "team") for t in bundle.team]
            conn.executemany("INSERT INTO node(id, kind) VALUES (?, ?) ON CONFLICT(id) DO NOTHING", nodes)
            for kind, records in (
                ("company", bundle.companies),
                ("person", bundle.people),
                ("team", bundle.team),
                ("interaction", bundle.interactions),
                ("risk", bundle.risks),
            ):
                if records:
                    self._upsert_rows(conn, kind, [r.model_dump(mode="json") for r in records])
            if bundle.ties:
                updates = ", ".join(f"{c} = excluded.{c}" for c in _TIE_COLUMNS[3:])
                conn.executemany(
                    f"INSERT INTO tie ({', '.join(_TIE_COLUMNS)}) VALUES ({_marks(len(_TIE_COLUMNS))}) "
                    f"ON CONFLICT(type, src, dst) DO UPDATE SET {updates}",
                    [
                        (t.type.value, t.from_, t.to, t.strength, _iso(t.since), _iso(t.until),
                         _iso(t.last_contact), t.note)
                        for t in bundle.ties
                    ],
                )  # fmt: skip

    @staticmethod
    def _upsert_rows(conn: sqlite3.Connection, kind: str, rows: list[Row]) -> None:
        table, cols = _TABLES[kind]
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        sql = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({_marks(len(cols))}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}"
        )
        conn.executemany(
            sql,
            [
                tuple(json.dumps(r[c], ensure_ascii=False) if c in _JSON_COLUMNS else r.get(c) for c in cols)
                for r in rows
            ],
        )

    def _check(self, bundle: Bundle, on: date) -> list[BundleIssue]:
        with self._tx(write=False) as conn:
            try:
                prepare_bundle(bundle, _Reader(conn), on)
            except BundleRejected as rejected:
                return rejected.issues
        return []

    def _delete(self, kind: str, id: str, changes: list[Change]) -> bool:
        # a person's or member's ties and interactions go too: caches reload (`ANY`)
        with self._write_tx(changes=[FeedChange(kind, id)] if kind in ("interaction", "risk") else None) as conn:
            if kind in ("company", "person", "team"):
                if kind == "company":
                    self._check_company_empty(conn, id)
                found = conn.execute("DELETE FROM node WHERE id = ? AND kind = ?", (id, kind)).rowcount
            else:
                table = _TABLES[kind][0]
                found = conn.execute(f"DELETE FROM {table} WHERE id = ?", (id,)).rowcount
            if found:
                _log(conn, changes)
        return bool(found)

    @staticmethod
    def _check_company_empty(conn: sqlite3.Connection, id: str) -> None:
        children = conn.execute("SELECT count(*) FROM company WHERE parent = ?", (id,)).fetchone()[0]
        people = conn.execute("SELECT count(*) FROM person WHERE company = ?", (id,)).fetchone()[0]
        if children or people:
            raise ConflictError(
                f"company {id!r} still has {children} subsidiaries and {people} people: move or delete them first"
            )

    def _delete_tie(self, type: TieType, a: str, b: str, changes: list[Change]) -> bool:
        with self._write_tx(changes=[FeedChange("tie", tie_id(type, a, b))]) as conn:
            sql = "DELETE FROM tie WHERE type = ? AND src = ? AND dst = ?"
            found = bool(conn.execute(sql, (type.value, a, b)).rowcount)
            if found:
                _log(conn, changes)
            return found

    def _people_companies(self, ids: list[str]) -> dict[str, str]:
        return {id: p.company for id, p in _Reader(self._conn()).people(ids).items()}

    def _changes(self, filter: ChangeFilter, limit: int, after: tuple[str, str] | None) -> list[Row]:
        conditions: list[str] = []
        params: list[Any] = []
        for column, value in (("account", filter.account), ("author", filter.author), ("kind", filter.kind)):
            if value is not None:
                conditions.append(f"{column} = ?")
                params.append(value)
        for column, values in (("record", filter.records), ("account", filter.accounts)):
            if values is not None:
                conditions.append(f"{column} IN ({_marks(len(values))})")
                params.extend(sorted(values))
        if filter.owned:
            conditions.append("account IS NOT NULL")
        if after is not None:
            conditions.append("(at, id) < (?, ?)")
            params.extend(after)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = f"SELECT {', '.join(_CHANGE_COLUMNS)} FROM change_log{where} ORDER BY at DESC, id DESC LIMIT ?"
        return [_row_out(_CHANGE_COLUMNS, v) for v in self._conn().execute(sql, [*params, limit])]

    # ---- reads --------------------------------------------------------------------------------
    def _get(self, kind: str, id: str) -> Row | None:
        table, cols = _TABLES[kind]
        values = self._conn().execute(f"SELECT {', '.join(cols)} FROM {table} WHERE id = ?", (id,)).fetchone()
        return None if values is None else _row_out(cols, values)

    def _get_tie(self, type: TieType, a: str, b: str) -> Row | None:
        sql = f"SELECT {', '.join(_TIE_COLUMNS)} FROM tie WHERE type = ? AND src = ? AND dst = ?"
        values = self._conn().execute(sql, (type.value, a, b)).fetchone()
        return None if values is None else _tie_out(values)

    def _list(self, kind: str, filters: ListFilter, limit: int, after: tuple[str, ...] | None) -> list[Row]:
        cols = _TIE_COLUMNS if kind == "tie" else _TABLES[kind][1]
        conditions, params = [], []
        prefix, prefix_params = "", []
        for name in sorted(filters.given()):
            value = getattr(filters, name)
            condition = _LIST_WHERE[kind][name]
            if name == "account":
                prefix, prefix_params = _TREE, [value]
            conditions.append(condition)
            params.extend([str(value)] * condition.count("?"))
        if after is not None:
            conditions.append("(x.type, x.src, x.dst) > (?, ?, ?)" if kind == "tie" else "x.id > ?")
            params.extend(after)
        order = "x.type, x.src, x.dst" if kind == "tie" else "x.id"
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        select = ", ".join("x." + c for c in cols)
        sql = f"{prefix}SELECT {select} FROM {_LIST_FROM[kind]}{where} ORDER BY {order} LIMIT ?"
        values = self._conn().execute(sql, [*prefix_params, *params, limit]).fetchall()
        return [_tie_out(v) if kind == "tie" else _row_out(cols, v) for v in values]

    # ---- documents (the table keeps its first name, `ledger`) ----------------------------------
    def _document_get(self, kind: str, id: str) -> Document | None:
        row = (
            self._conn()
            .execute("SELECT kind, id, account, version, data FROM ledger WHERE kind = ? AND id = ?", (kind, id))
            .fetchone()
        )
        return None if row is None else _document_out(row)

    def _document_list(self, kind: str, account: str | None) -> list[Document]:
        sql = "SELECT kind, id, account, version, data FROM ledger WHERE kind = ?"
        params: tuple[str, ...] = (kind,)
        if account is not None:
            sql += " AND account = ?"
            params += (account,)
        return [_document_out(r) for r in self._conn().execute(sql + " ORDER BY id", params)]

    def _document_commit(
        self,
        writes: list[DocumentWrite],
        texts: list[str],
        checks: Mapping[DocumentKey, int | None],
        seen: Mapping[DocumentKey, str],
        changes: list[Change],
    ) -> list[Document]:
        # BEGIN IMMEDIATE holds the write lock from the first read: no commit can come in between
        with self._write_tx(any(w.moves_data_version for w in writes), [FeedChange(DOCUMENT)]) as conn:
            _log(conn, changes)  # in the transaction: a conflict below rolls it back with the rest

            def stored(kind: str, id: str) -> int | None:
                sql = "SELECT version, data FROM ledger WHERE kind = ? AND id = ?"
                row = conn.execute(sql, (kind, id)).fetchone()
                if row is None:
                    return None
                if (kind, id) in seen and seen[(kind, id)] != row[1]:
                    raise stale_read(kind, id)
                return int(row[0])

            for (kind, id), expected in checks.items():
                found = stored(kind, id)
                if found != expected:
                    raise version_conflict(kind, id, expected, found)
            done = []
            for w, text in zip(writes, texts, strict=True):
                found = stored(w.kind, w.id)
                if found != w.expected_version:
                    raise version_conflict(w.kind, w.id, w.expected_version, found)
                version = 1 if found is None else found + 1
                conn.execute(
                    "INSERT INTO ledger (kind, id, account, version, data) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (kind, id) DO UPDATE SET account = excluded.account, "
                    "version = excluded.version, data = excluded.data",
                    (w.kind, w.id, w.account, version, text),
                )
                done.append(Document(w.kind, w.id, w.account, version, json.loads(text)))
            return done

    def _document_delete(self, kind: str, ids: list[str], moves_data_version: bool, changes: list[Change]) -> int:
        with self._write_tx(moves_data_version, [FeedChange(DOCUMENT)]) as conn:
            sql = "DELETE FROM ledger WHERE kind = ? AND id = ?"
            deleted = {id for id in ids if conn.execute(sql, (kind, id)).rowcount}
            _log(conn, [c for c in changes if c.record in deleted])
            return len(deleted)

    def _save_api_key(self, key: ApiKey, changes: list[Change]) -> None:
        row = key.model_dump(mode="json")
        with self._tx(write=True) as conn:
            _log(conn, changes)
            conn.execute(
                f"INSERT INTO api_key ({', '.join(_KEY_COLUMNS)}) VALUES ({_marks(len(_KEY_COLUMNS))}) "
                f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _KEY_COLUMNS[1:])}",
                [json.dumps(row[c]) if c in _JSON_COLUMNS else row[c] for c in _KEY_COLUMNS],
            )

    def get_api_key(self, id: str) -> ApiKey | None:
        sql = f"SELECT {', '.join(_KEY_COLUMNS)} FROM api_key WHERE id = ?"
        values = self._conn().execute(sql, (id,)).fetchone()
        return None if values is None else ApiKey.model_validate(_row_out(_KEY_COLUMNS, values))

    def list_api_keys(self) -> list[ApiKey]:
        sql = f"SELECT {', '.join(_KEY_COLUMNS)} FROM api_key ORDER BY id"
        return [ApiKey.model_validate(_row_out(_KEY_COLUMNS, v)) for v in self._conn().execute(sql)]

    def list_accounts(self) -> list[Company]:
        cols = _TABLES["company"][1]
        sql = f"SELECT {', '.join(cols)} FROM company WHERE parent IS NULL ORDER BY id"
        return [Company.model_validate(_row_out(cols, v)) for v in self._conn().execute(sql)]

    def account_of(self, company_id: str) -> str:
        sql = """
        WITH RECURSIVE up(id, parent) AS (
            SELECT id, parent FROM company WHERE id = ?
            UNION ALL
            SELECT c.id, c.parent FROM company c JOIN up ON c.id = up.parent
        )
        SELECT id FROM up WHERE parent IS NULL
        """
        found = self._conn().execute(sql, (company_id,)).fetchone()
        if found is None:
            raise NotFoundError("company", company_id)
        return str(found[0])

    def counts(self) -> dict[str, int]:
        with self._tx(write=False) as conn:  # one snapshot: never half of a concurrent write
            return self._counts(conn)

    @staticmethod
    def _counts(conn: sqlite3.Connection) -> dict[str, int]:
        counts = {
            "accounts": conn.execute("SELECT count(*) FROM company WHERE parent IS NULL").fetchone()[0],
            "companies": conn.execute("SELECT count(*) FROM company").fetchone()[0],
            "people": conn.execute("SELECT count(*) FROM person").fetchone()[0],
            "team": conn.execute("SELECT count(*) FROM team_member").fetchone()[0],
            "ties": conn.execute("SELECT count(*) FROM tie").fetchone()[0],
            "interactions": conn.execute("SELECT count(*) FROM interaction").fetchone()[0],
            "risks": conn.execute("SELECT count(*) FROM risk").fetchone()[0],
        }
        return {k: int(v) for k, v in counts.items()}

    def _account_companies(self, account_id: str, on: str) -> list[Row]:
        _, cols = _TABLES["company"]
        sql = (
            _TREE + f"SELECT {', '.join('c.' + c for c in cols)}, "
            "(SELECT count(*) FROM person p WHERE p.company = c.id AND (p.since IS NULL OR p.since <= ?) "
            "AND (p.until IS NULL OR p.until > ?)) "
            "FROM tree JOIN company c ON c.id = tree.id ORDER BY tree.depth, c.id"
        )
        rows = []
        for values in self._conn().execute(sql, (account_id, on, on)):
            row = _row_out(cols, values[:-1])
            row["people"] = values[-1]
            rows.append(row)
        return rows

    def _account_rows(self, account_id: str) -> AccountRows:
        with self._tx(write=False) as conn:
            version = _data_version(conn)
            sql = "SELECT rows, columns FROM account_snapshot WHERE account = ? AND version = ?"
            kept = conn.execute(sql, (account_id, version)).fetchone()
            if kept is not None:
                try:
                    return snapshot.decode(kept[0], kept[1])
                except ValueError as err:  # not of this format, or damaged: read the tables
                    log.warning("ignoring the snapshot of account %r: %s", account_id, err)
            rows = self._read_account(conn, account_id)
        if len(rows.ties) >= self.snapshot_min_ties:
            rows.ties = TieColumns.of(rows.ties)
            self._save_snapshot(account_id, version, rows)
        return rows

    def keep_snapshot(self, account_id: str) -> None:
        with self._tx(write=False) as conn:
            sql = "SELECT 1 FROM account_snapshot WHERE account = ? AND version = ?"
            kept = conn.execute(sql, (account_id, _data_version(conn))).fetchone()
        if kept is None:
            self._account_rows(account_id)  # read from the tables, kept when large

    def _save_snapshot(self, account_id: str, version: int, rows: AccountRows) -> None:
        """Keep `rows` (read at data `version`) as the account's snapshot, if nothing was written since."""
        try:
            text, blob = snapshot.encode(rows)
        except (TypeError, ValueError) as err:  # a value JSON cannot hold: read from the tables every time
            log.warning("account %r cannot be kept as a snapshot: %s", account_id, err)
            return
        conn = self._conn()
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.snapshot_wait * 1000)}")
            with self._tx(write=True) as tx:
                tx.execute(
                    "INSERT OR REPLACE INTO account_snapshot (account, version, rows, columns) "
                    "SELECT ?, ?, ?, ? WHERE (SELECT value FROM meta WHERE key = 'data_version') = ?",
                    (account_id, version, text, blob, version),
                )
        except sqlite3.Error as err:  # read-only, busy or full: the next read tries again
            log.info("account %r not kept as a snapshot: %s", account_id, err)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    def _read_account(self, conn: sqlite3.Connection, account_id: str) -> AccountRows:
        select: Callable[[str, str], str] = lambda kind, alias: ", ".join(  # noqa: E731
            f"{alias}.{c}" for c in _TABLES[kind][1]
        )
        rows = AccountRows()
        comp_cols, person_cols = _TABLES["company"][1], _TABLES["person"][1]
        sql = _TREE + f"SELECT {select('company', 'c')} FROM tree JOIN company c ON c.id = tree.id"
        rows.companies = [_row_out(comp_cols, v) for v in conn.execute(sql + " ORDER BY c.id", (account_id,))]
        if not rows.companies:
            raise NotFoundError("account", account_id)
        sql = _TREE + f"SELECT {select('person', 'p')} FROM tree JOIN person p ON p.company = tree.id ORDER BY p.id"
        rows.people = [_row_out(person_cols, v) for v in conn.execute(sql, (account_id,))]
        people = {p["id"] for p in rows.people}
        # the ties from the account's people, and those from our team members to them (a tie with one of
        # another account is not part of this one)
        tie_select = f"SELECT {_TIE_SELECT} FROM tie"
        acct = _TREE + ", acct(id) AS MATERIALIZED (SELECT p.id FROM tree JOIN person p ON p.company = tree.id) "
        sql = acct + f"{tie_select} WHERE src IN (SELECT id FROM acct)"
        from_people: list[TieRow] = conn.execute(sql, (account_id,)).fetchall()
        columns = ", ".join(f"t.{c}" for c in _TIE_COLUMNS)
        # our team's ties to the account's people: from the team's side while the team is small beside the
        # account (a large account), from the people's side when the store holds many teams' members (many
        # accounts: walking every member's ties for each account made a portfolio of 1,000 quadratic)
        members = conn.execute("SELECT count(*) FROM team_member").fetchone()[0]
        if members * 4 <= len(people):
            team = f"SELECT {columns} FROM team_member m CROSS JOIN tie t ON t.src = m.id "
            team += "WHERE t.dst IN (SELECT id FROM acct)"
        else:
            team = f"SELECT {columns} FROM acct a CROSS JOIN tie t ON t.dst = a.id "
            team += "WHERE t.src IN (SELECT id FROM team_member)"
        from_team: list[TieRow] = conn.execute(acct + team, (account_id,)).fetchall()
        int_cols = _TABLES["interaction"][1]
        sql = (
            _TREE + f"SELECT {', '.join('i.' + c for c in int_cols)} FROM tree "
            "JOIN person p ON p.company = tree.id JOIN interaction i ON i.person = p.id ORDER BY i.id"
        )
        rows.interactions = [_row_out(int_cols, v) for v in conn.execute(sql, (account_id,))]
        others = (
            {t[2] for t in from_people} | {t[1] for t in from_team} | {i["member"] for i in rows.interactions}
        ) - people
        kinds = _Reader(conn).kinds_of(others)
        team_ids = sorted(i for i, k in kinds.items() if k is NodeKind.TEAM)
        inside = people | set(team_ids)
        ties = [t for t in from_people if t[2] in inside] + from_team
        team_cols = _TABLES["team"][1]
        for chunk in _chunks(team_ids):
            sql = f"SELECT {', '.join(team_cols)} FROM team_member WHERE id IN ({_marks(len(chunk))})"
            rows.team.extend(_row_out(team_cols, v) for v in conn.execute(sql, chunk))
            # ties among our own people who work this account
            sql = f"{tie_select} WHERE src IN ({_marks(len(chunk))}) AND dst IN (SELECT id FROM team_member)"
            ties.extend(t for t in conn.execute(sql, chunk) if t[2] in inside)
        rows.ties = ties
        risk_cols = _TABLES["risk"][1]
        sql = _TREE + f"SELECT {select('risk', 'r')} FROM tree JOIN risk r ON r.company = tree.id ORDER BY r.id"
        rows.risks = [_row_out(risk_cols, v) for v in conn.execute(sql, (account_id,))]
        return rows


def _problems(path: str, timeout: float, full: bool) -> list[str]:
    """The problems `PRAGMA quick_check` (`integrity_check` when `full`) finds in a file; [] when it is sound."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        with closing(sqlite3.connect(path, timeout=timeout)) as conn:
            rows = conn.execute(f"PRAGMA {pragma}({_CHECKED_ERRORS})").fetchall()
    except sqlite3.DatabaseError as err:  # not a database at all, or a header it cannot read
        return [str(err)]
    lines = [line for row in rows for line in str(row[0]).splitlines()]
    return [] if lines == ["ok"] else [line for line in lines if not line.startswith("*** ")]


_CHANGE_COLUMNS = ("id", "at", "author", "label", "interface", "account", "kind", "record", "action", "fields")


def _log(conn: sqlite3.Connection, changes: list[Change]) -> None:
    """Write change-log entries (in the caller's transaction)."""
    if changes:
        rows = [c.row() for c in changes]
        sql = f"INSERT INTO change_log ({', '.join(_CHANGE_COLUMNS)}) VALUES ({_marks(len(_CHANGE_COLUMNS))})"
        conn.executemany(sql, [tuple(r[c] for c in _CHANGE_COLUMNS) for r in rows])


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])


def _document_out(row: Sequence[Any]) -> Document:
    return Document(row[0], row[1], row[2], int(row[3]), json.loads(row[4]))


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
