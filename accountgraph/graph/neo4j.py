"""The production backend: Neo4j 5.26+ through the official `neo4j` driver over Bolt.

Every query is a named, parametrised query from `accountgraph/cypher/*.cypher`. Writes run in managed
transactions (`execute_write`), so transient errors (deadlocks, leader switches) are retried; the
functions they run are idempotent (MERGE by id). Reads run in `execute_read`. Constraints and indexes
are created at start with `IF NOT EXISTS`.

Failing fast when the server is down: connections and pool acquisition time out (`connection_timeout`,
`acquisition_timeout`), the driver does not retry on its own, and a circuit breaker (`Breaker`) refuses every
call at once with StoreError for `breaker_seconds` after the server could not be reached, then lets one call
through as a probe; the first call that reaches the server closes it again. Transient errors of a server that
answers (deadlocks) are retried for up to `retry_time` seconds; a transaction that runs out of the server's
memory is not retried (StoreResourceError).

Imports: a bundle of up to `import_batch` records is written in one transaction; a larger one is staged in
transactions of `import_batch` rows each and switched visible in one (see `_load_staged`), so readers see it
whole or not at all and no transaction holds the whole bundle.

Storage model: `(:Entity:Company)`, `(:Entity:Person)`, `(:Entity:TeamMember)` (one id space),
`(:Interaction)`, `(:RiskEvent)`; relationships PARENT_OF, WORKS_AT, REPORTS_TO, INFLUENCES, KNOWS
(stored once, from the smaller id to the larger), WITH_MEMBER, WITH_PERSON, CONCERNS. Dates are ISO
strings, money amounts decimal strings, a person's history a JSON string, so values round-trip exactly.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, LiteralString, TypeVar

import neo4j
import numpy as np
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from accountgraph.cypher import query, statements
from accountgraph.errors import (
    BundleRejected,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreResourceError,
    VersionConflict,
)
from accountgraph.graph.changelog import Change, ChangeFilter
from accountgraph.graph.changes import (
    ANY,
    DOCUMENT,
    FEED_KEEP,
    FEED_NODE,
    KEY,
    RECORDS,
    SEP,
    TIE_SEP,
    ChangeSet,
    bundle_changes,
    tie_id,
)
from accountgraph.graph.changes import Change as FeedChange
from accountgraph.graph.changes import decode as decode_change
from accountgraph.graph.changes import encode as encode_change
from accountgraph.graph.store import (
    LIST_FILTERS,
    ROW_FIELDS,
    CheckReport,
    Document,
    DocumentKey,
    DocumentWrite,
    GraphStore,
    ListFilter,
    record_change,
    request_memo,
    stale_read,
    version_conflict,
)
from accountgraph.graph.validation import prepare_bundle
from accountgraph.projection import TIE_FIELDS, AccountRows, Row, TieRow
from accountgraph.projection.ties import TieColumns
from accountgraph.schema.models import ApiKey, Bundle, BundleIssue, Company, NodeKind, Person, Tie, TieType

T = TypeVar("T")
BATCH = 5_000
"""Rows per transaction of a staged import (the default of `Neo4jStore.import_batch`)."""
THREADS = 2
"""Transactions a staged import writes at once (the default of `Neo4jStore.import_threads`)."""
STAGE_LEASE = 300.0
"""Seconds a staged import's lease lasts without a batch renewing it (the default of `Neo4jStore.import_lease`)."""
GATES = "commit-gates"
"""The id of the meta node counting the commit gates opened and closed (their generation)."""
GATE_LEASE = 300
"""Seconds after which a commit gate its writer never closed (it died while committing) no longer holds readers."""

ROWS_CACHE = 4
"""Accounts whose rows a store keeps decoded, each with the data version it was read at (`Neo4jStore.rows_cache`)."""
SPLIT_PEOPLE = 2_000
"""Accounts of at least this many people have their ties read in two parts at once."""

_TIE_PROPS = TIE_FIELDS[3:]  # a tie's own properties (not type and endpoints)
_TIE_COLUMNS = ("influences", "a", "b", "strength", "since", "until", "last_contact", "note")


def _chunks(rows: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _row_in(kind: str, row: Row) -> Row:
    """A stored row as the models expect it: every field present, JSON fields decoded."""
    out = {f: row.get(f) for f in ROW_FIELDS[kind]}
    if kind == "person":
        out["roles"] = list(out["roles"] or [])
        history = out["history"]
        out["history"] = json.loads(history) if history and history != "[]" else []
    elif kind == "team":
        out["emails"] = list(out["emails"] or [])
    return out


def _tie_in(row: Row) -> Row:
    return {f: row.get(f) for f in TIE_FIELDS}


def _tie_tuple(row: Row) -> TieRow:
    get = row.get
    return (row["type"], row["from"], row["to"], row["strength"], get("since"), get("until"), get("last_contact"),
            get("note"))  # fmt: skip


def _objects(values: list[Any]) -> np.ndarray:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def _tie_columns(columns: dict[str, list[Any]], inside: set[str]) -> TieColumns:
    """The ties of the columns a projection read returned (see `account_tie_columns`), those with both ends
    `inside` only, on a node table of the ids they join."""
    a, b = columns["a"], columns["b"]
    if not all(x in inside and y in inside for x, y in zip(a, b, strict=True)):
        keep = [x in inside and y in inside for x, y in zip(a, b, strict=True)]
        columns = {name: [v for v, k in zip(values, keep, strict=True) if k] for name, values in columns.items()}
        a, b = columns["a"], columns["b"]
    n = len(a)
    nodes = sorted(set(a).union(b))
    index = {v: i for i, v in enumerate(nodes)}.__getitem__
    return TieColumns(
        nodes,
        np.array(columns["influences"], dtype=np.int8).reshape(n),  # KINDS: 0 knows, 1 influences
        np.fromiter(map(index, a), np.int32, n),
        np.fromiter(map(index, b), np.int32, n),
        np.array(columns["strength"], dtype=np.float64).reshape(n),
        [_objects(columns[name]) for name in ("since", "until", "last_contact", "note")],
    )


def _halves(companies: list[tuple[Row, int]]) -> tuple[list[str], list[str]]:
    """The ids of an account's companies (each with its number of people) in two parts of about as many people."""
    parts: tuple[list[str], list[str]] = ([], [])
    sizes = [0, 0]
    for row, people in sorted(companies, key=lambda c: -c[1]):
        smaller = 0 if sizes[0] <= sizes[1] else 1
        parts[smaller].append(row["id"])
        sizes[smaller] += people
    return parts


def _fresh(rows: AccountRows) -> AccountRows:
    """A copy of kept rows that the caller may change as `select` does (the people's rows are changed in
    place); the ties' columns are shared: nothing changes them."""
    return AccountRows(
        companies=[dict(r) for r in rows.companies],
        people=[dict(r) for r in rows.people],
        team=[dict(r) for r in rows.team],
        ties=rows.ties,
        interactions=list(rows.interactions),
        risks=list(rows.risks),
    )


def _document_in(row: Row) -> Document:
    return Document(row["kind"], row["id"], row.get("account"), int(row["version"]), json.loads(row["data"]))


def _people_rows(people: list[Person]) -> list[Row]:
    rows = _rows_of(people)
    for row in rows:
        row["history"] = json.dumps(row.get("history", []), ensure_ascii=False)
    return rows


def _tie_row(tie: Tie) -> Row:
    """The row of a tie: its endpoints and its own properties as JSON types (as `_rows_of` makes them, read from
    the attributes: a bundle's ties are most of its records)."""
    return {"from": tie.from_, "to": tie.to, "props": _tie_props(tie, {})}


def _steps(ready: Bundle, staged: Collection[tuple[str, str]] = ()) -> list[tuple[str, list[Row]]]:
    """The statements writing a validated bundle to visible records, with their rows, in order; without its
    records in `staged`, ("entity"|"interaction"|"risk", id), and the ties to them (the switch of a staged
    import writes the rest: the records that existed)."""

    gone = {kind: {id for k, id in staged if k == kind} for kind in ("entity", "interaction", "risk")}
    entities = gone["entity"]
    companies = [c for c in ready.companies if c.id not in entities]
    people = [p for p in ready.people if p.id not in entities]
    steps: list[tuple[str, list[Row]]] = [
        ("upsert_companies", _rows_of(companies)),
        ("upsert_people", _people_rows(people)),
        ("upsert_team", _rows_of([t for t in ready.team if t.id not in entities])),
        ("link_companies", [{"id": c.id, "parent": c.parent} for c in companies]),
        ("link_people", [{"id": p.id, "company": p.company, "reports_to": p.reports_to} for p in people]),
    ]
    ties: dict[TieType, list[Row]] = {tie_type: [] for tie_type in TieType}
    for t in ready.ties:
        if t.from_ not in entities and t.to not in entities:
            ties[t.type].append(_tie_row(t))
    steps.extend((f"upsert_{tie_type.value}", rows) for tie_type, rows in ties.items())
    steps.append(("upsert_interactions", _rows_of([i for i in ready.interactions if i.id not in gone["interaction"]])))
    steps.append(("upsert_risks", _rows_of([r for r in ready.risks if r.id not in gone["risk"]])))
    return [(name, rows) for name, rows in steps if rows]


def _new_records(tx: ManagedTransaction, ready: Bundle) -> set[tuple[str, str]]:
    """The records of `ready` that do not exist yet, as ("entity"|"interaction"|"risk", id)."""
    entities = {c.id for c in ready.companies} | {p.id for p in ready.people} | {t.id for t in ready.team}
    interactions = {i.id for i in ready.interactions}
    risks = {r.id for r in ready.risks}
    entities -= {r["id"] for r in tx.run(query("kinds_of"), ids=sorted(entities))}
    interactions -= {r["id"] for r in tx.run(query("existing_interactions"), ids=sorted(interactions))}
    risks -= {r["id"] for r in tx.run(query("existing_risks"), ids=sorted(risks))}
    return {("entity", i) for i in entities} | {("interaction", i) for i in interactions} | {("risk", i) for i in risks}


_Step = tuple[str, dict[str, Any], list[Row]]
"""A step of a staged import (staging.cypher): its query, its parameters and its rows."""

_BY_ELEMENT_ID = {
    "stage_link_people_new": ("n", "c", "m"),
    "stage_knows_new": ("a", "b"),
    "stage_influences_new": ("a", "b"),
    "stage_interactions_new": ("m", "p"),
}
"""The steps whose rows name staged nodes (new companies, people and team members) by element id, and the fields
that do: `_staged_links` puts the records' ids there, `_load_staged` their nodes' element ids."""


def _staged_nodes(ready: Bundle, new: set[tuple[str, str]], size: int) -> tuple[dict[str, str], Iterator[_Step]]:
    """The kind of each new company, person and team member of a validated bundle, by id, and the steps staging
    them (`stage_nodes`, which returns each node's element id), of at most `size` rows each: the rows of each made
    when it is taken, so that the first ones are written while the next ones are made."""
    kinds: dict[str, str] = {}
    for kind, nodes in (("company", ready.companies), ("person", ready.people), ("team", ready.team)):
        kinds.update((n.id, kind) for n in nodes if ("entity", n.id) in new)

    def steps() -> Iterator[_Step]:
        made: tuple[tuple[str, list[Any], Callable[[list[Any]], list[Row]]], ...] = (
            ("company", ready.companies, _rows_of),
            ("person", ready.people, _people_rows),
            ("team", ready.team, _rows_of),
        )
        for kind, nodes, rows_of in made:
            for chunk in _chunks([n for n in nodes if n.id in kinds], size):
                yield "stage_nodes", {"kind": kind}, rows_of(chunk)

    return kinds, steps()


def _tie_props(tie: Tie, row: Row) -> Row:
    """`row` with the tie's own properties that are set (as `_rows_of` makes them: dates as ISO text)."""
    row["strength"] = tie.strength
    if tie.since is not None:
        row["since"] = tie.since.isoformat()
    if tie.until is not None:
        row["until"] = tie.until.isoformat()
    if tie.last_contact is not None:
        row["last_contact"] = tie.last_contact.isoformat()
    if tie.note is not None:
        row["note"] = tie.note
    return row


def _staged_links(ready: Bundle, new: set[tuple[str, str]], kinds: Mapping[str, str]) -> list[_Step]:
    """The steps staging the rest of the `new` records of a validated bundle, and the relationships of the new
    ones, after `_staged_nodes` (`kinds`: its new companies, people and team members): ties with at least one new
    endpoint are staged, the others are written by the switch. The relationships between new records (a first
    load: nearly all) are written by the `_new` steps, whose rows name their ends by the records' ids here, to be
    replaced by the staged nodes' element ids (`_BY_ELEMENT_ID`, by `_load_staged`)."""
    linked: list[Row] = []  # the company and any manager new
    link: list[Row] = []
    for p in ready.people:
        if p.id not in kinds:
            continue
        if p.company in kinds and (p.reports_to is None or p.reports_to in kinds):
            linked.append({"n": p.id, "c": p.company, "m": p.reports_to})
        else:
            link.append({"id": p.id, "company": p.company, "reports_to": p.reports_to})
    parents = [{"id": c.id, "parent": c.parent} for c in ready.companies if c.id in kinds and c.parent]
    both: dict[TieType, list[Row]] = {tie_type: [] for tie_type in TieType}  # both ends new
    other: dict[TieType, list[Row]] = {tie_type: [] for tie_type in TieType}  # one end new
    get = kinds.get
    for t in ready.ties:
        fk, tk = get(t.from_), get(t.to)
        if fk is not None and tk is not None:
            both[t.type].append(_tie_props(t, {"a": t.from_, "b": t.to}))
        elif fk is not None or tk is not None:
            props = _tie_props(t, {})
            other[t.type].append({"from": t.from_, "to": t.to, "props": props, "fk": fk or "", "tk": tk or ""})
    steps: list[_Step] = [
        ("stage_link_companies", {}, parents),
        ("stage_link_people_new", {}, linked),
        ("stage_link_people", {}, link),
    ]
    for tie_type in TieType:
        steps.append((f"stage_{tie_type.value}_new", {}, both[tie_type]))
        steps.append((f"stage_{tie_type.value}", {}, other[tie_type]))
    among: list[Row] = []  # the member and the person new
    rest: list[Row] = []
    for r in _rows_of([i for i in ready.interactions if ("interaction", i.id) in new]):
        if r["member"] in kinds and r["person"] in kinds:
            among.append({"props": r, "m": r["member"], "p": r["person"]})
        else:
            rest.append(r)
    steps.append(("stage_interactions_new", {"kind": "interaction"}, among))
    steps.append(("stage_interactions", {"kind": "interaction"}, rest))
    steps.append(("stage_risks", {"kind": "risk"}, _rows_of([r for r in ready.risks if ("risk", r.id) in new])))
    return [step for step in steps if step[2]]


class _Known:
    """What a write read ahead in one query (`person_context`): the answers `_Reader` gives without asking again.
    Each map holds the ids asked for, so an id outside it is asked of the server."""

    def __init__(self, record: neo4j.Record, ids: Collection[str], person: str, company: str) -> None:
        found = {id: NodeKind(kind) for id, kind in record["kinds"]}
        self.kinds: dict[str, NodeKind | None] = {id: found.get(id) for id in ids}
        self.managers: dict[str, str | None] = {id: parent for id, parent in record["line"] if id is not None}
        row = record["row"]
        self.rows: dict[str, Row | None] = {person: None if row is None else _row_in("person", row)}
        self.accounts: dict[str, str | None] = {company: record["account"]}


class _Reader:
    """`GraphReader` (and `RecordReader`, for the change log's entry) inside a managed transaction, answering
    from `known` what a write read ahead."""

    def __init__(self, tx: ManagedTransaction, known: _Known | None = None) -> None:
        self.tx = tx
        self.known = known

    def kinds_of(self, ids: Collection[str]) -> dict[str, NodeKind]:
        if self.known is not None and all(id in self.known.kinds for id in ids):
            return {id: kind for id in ids if (kind := self.known.kinds[id]) is not None}
        result = self.tx.run(query("kinds_of"), ids=list(ids))
        return {r["id"]: NodeKind(r["kind"]) for r in result}

    def parents_of(self, kind: NodeKind, ids: Collection[str]) -> dict[str, str | None]:
        if kind is NodeKind.PERSON and self.known is not None and all(id in self.known.managers for id in ids):
            return {id: self.known.managers[id] for id in ids}
        name = {NodeKind.COMPANY: "company_parents", NodeKind.PERSON: "person_managers"}[kind]
        return {r["id"]: r["parent"] for r in self.tx.run(query(name), ids=list(ids))}

    def people(self, ids: Collection[str]) -> dict[str, Person]:
        found = {}
        if self.known is not None and all(id in self.known.rows for id in ids):
            rows = [row for id in ids if (row := self.known.rows[id]) is not None]
        else:
            rows = [_row_in("person", r["row"]) for r in self.tx.run(query("people_by_id"), ids=list(ids))]
        for row in rows:
            person = Person.model_validate(row)
            found[person.id] = person
        return found

    def _get(self, kind: str, id: str) -> Row | None:
        if kind == "person" and self.known is not None and id in self.known.rows:
            return self.known.rows[id]
        record = self.tx.run(query(f"get_{kind}"), id=id).single()
        return None if record is None else _row_in(kind, record["row"])

    def _get_tie(self, type: TieType, a: str, b: str) -> Row | None:
        record = self.tx.run(query(f"get_{type.value}"), {"from": a, "to": b}).single()
        return None if record is None else _tie_in(record["row"])

    def account_of(self, company_id: str) -> str:
        if self.known is not None and company_id in self.known.accounts:
            account = self.known.accounts[company_id]
        else:
            record = self.tx.run(query("account_of"), id=company_id).single()
            account = None if record is None else record["id"]
        if account is None:
            raise NotFoundError("company", company_id)
        return str(account)

    @classmethod
    def ahead(cls, tx: ManagedTransaction, bundle: Bundle) -> _Reader:
        """A reader for writing `bundle`, which holds one record, made by the write's first statement: it bumps
        the data version (the lock every write takes first, see `Neo4jStore._write`) and, for a person, reads
        what validating and logging it reads, in the same round trip (`person_context`)."""
        if not bundle.people:
            tx.run(query("bump_data_version")).consume()
            return cls(tx)
        person = bundle.people[0]
        ids = sorted({person.id, person.company, *([person.reports_to] if person.reports_to else [])})
        params = {"ids": ids, "id": person.id, "manager": person.reports_to, "company": person.company}
        statement = query("bump_data_version") + "\nWITH count(*) AS bumped\n" + query("person_context")
        record = tx.run(statement, params).single(strict=True)
        return cls(tx, _Known(record, ids, person.id, person.company))


def _recorded(
    before: LiteralString, changes: list[FeedChange] | None, log: list[Change] | None
) -> tuple[LiteralString, dict[str, Any]]:
    """The statement `before` followed by `record_changes` (the change feed's entry of a write's `changes`,
    None: one `changes.ANY` entry, and the change log's entries `log`), with the latter's parameters."""
    feed = [encode_change(c) for c in (changes or [FeedChange(ANY)])]
    rows = [c.row() for c in log or []]
    return before + query("record_changes"), {"changes": feed, "keep": FEED_KEEP, "prefix": FEED_NODE, "log": rows}


def _log(tx: ManagedTransaction, changes: list[Change]) -> None:
    """Write change-log entries (in the caller's transaction)."""
    if changes:
        tx.run(query("change_log_write"), rows=[c.row() for c in changes]).consume()


def _rows_of(records: list[Any]) -> list[Row]:
    """Models (or dicts) as property maps: JSON types, absent values left out (Neo4j stores no null)."""
    rows = []
    for record in records:
        row = record if isinstance(record, dict) else record.model_dump(mode="json")
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows


class Breaker:
    """A circuit breaker: after the server could not be reached, refuse every call at once for `seconds`,
    then let ONE call through as a probe (the others are still refused while it runs); a call that reaches
    the server closes the breaker, a probe that fails opens it again for `seconds`."""

    def __init__(self, url: str, seconds: float) -> None:
        self.url = url
        self.seconds = seconds
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed
        self._probing = False
        self._reason = ""

    @property
    def is_open(self) -> bool:
        """True while calls are refused or only a probe may pass (the server was found down)."""
        return self._open_until is not None

    def enter(self) -> None:
        """Before a call: return when it may go to the server (closed, or as the probe), else raise."""
        with self._lock:
            if self._open_until is None:
                return
            wait = self._open_until - time.monotonic()
            if wait > 0 or self._probing:
                again = f"tried again in {wait:.1f} s" if wait > 0 else "being probed now"
                raise StoreError(f"Neo4j at {self.url} is unreachable ({self._reason}); {again}")
            self._probing = True

    def reached(self) -> None:
        """The call reached the server (whatever it answered): close the breaker."""
        if self._open_until is not None:
            with self._lock:
                self._open_until, self._probing = None, False

    def failed(self, reason: str) -> None:
        """The server could not be reached: open (again) for `seconds`."""
        with self._lock:
            self._open_until, self._probing, self._reason = time.monotonic() + self.seconds, False, reason


class _GateBusy(Exception):
    """A read overlapped the commit of a gated write: it is run again."""


def _gate_moved(gen: int, open: int, gen_after: int, open_after: int) -> bool:
    """Whether a read between two reads of the commit gates' state (`gate_state`) may have seen a gated write in
    part: a gate was open at either, or one opened or closed between them."""
    return bool(open or open_after or gen != gen_after)


def _out_of_memory(err: Neo4jError) -> bool:
    return "OutOfMemory" in (err.code or "") or "MemoryPool" in (err.code or "")


class Neo4jStore(GraphStore):
    """`GraphStore` on a Neo4j server.

    The change-log entry of a one-record write is made in the write's transaction (`logs_record_in_write`),
    from what validating it reads (a person: all of it in one query, `_Reader.ahead`).

    `connection_timeout`: seconds to open a connection; `acquisition_timeout`: seconds to get one from the
    pool (opening included); `retry_time`: seconds transient errors (deadlocks) are retried;
    `breaker_seconds`: how long calls are refused at once after the server could not be reached;
    `import_batch`: the records a transaction of an import writes at most (see `_load`); `import_lease`:
    seconds after which the staged records of an import that stopped renewing its lease are deleted;
    `import_threads`: the batches of one step of a staged import written at once (each its own transaction);
    `rows_cache`: accounts whose decoded rows are kept between reads, each under the data version it was
    read at (0: none), so a projection read at an unchanged version costs one round trip (the version's).
    """

    logs_record_in_write = True

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        database: str | None = None,
        connection_timeout: float = 5.0,
        acquisition_timeout: float = 10.0,
        retry_time: float = 10.0,
        breaker_seconds: float = 5.0,
        import_batch: int = BATCH,
        import_lease: float = STAGE_LEASE,
        import_threads: int = THREADS,
        rows_cache: int = ROWS_CACHE,
    ) -> None:
        self.url = url
        self.import_threads = import_threads
        self.rows_cache = rows_cache
        self.split_people = SPLIT_PEOPLE  # accounts of this many people have their ties read in two parts at once
        self._rows: OrderedDict[str, tuple[int, AccountRows]] = OrderedDict()
        self._rows_lock = threading.Lock()
        self._memo_key = id(self)  # this store's entry in a request's memo (`request_memo`)
        self.database = database
        self.retry_time = retry_time
        self.import_batch = import_batch
        self.import_lease = import_lease
        self.breaker = Breaker(url, breaker_seconds)
        try:
            self.driver = GraphDatabase.driver(
                url,
                auth=auth,
                connection_timeout=connection_timeout,
                connection_acquisition_timeout=max(acquisition_timeout, connection_timeout),
                max_transaction_retry_time=0,  # one attempt per driver call: `_call` decides what is retried
                # no query notifications: the server's hints (a property no record has yet, ...) are not the
                # user's business, and the driver would log each one as a warning on stderr
                notifications_min_severity="OFF",
            )
            self.driver.verify_connectivity()
        except (AuthError, ServiceUnavailable, DriverError, Neo4jError, ValueError, OSError) as err:
            raise StoreError(f"cannot reach Neo4j at {url}: {err}") from err
        self._apply_schema()
        self._drop_leftovers()

    def _session(self) -> neo4j.Session:
        return self.driver.session(database=self.database)

    def _call(self, call: Callable[[], T]) -> T:
        """Run `call` (one driver call: a transaction or a query) through the breaker, with the retries.

        A call that cannot reach the server is tried once more (pooled connections die with a server
        restart), then opens the breaker: StoreError. Transient errors of a server that answers are retried
        with a growing pause for up to `retry_time` seconds; running out of the server's memory is not
        retried (StoreResourceError). Any other error, the package's included, propagates as it is.
        """
        self.breaker.enter()
        deadline = time.monotonic() + self.retry_time
        pause = 0.05
        reconnected = False
        while True:
            try:
                result = call()
            except (ServiceUnavailable, SessionExpired) as err:
                if not reconnected and err.is_retryable():
                    reconnected = True
                    continue
                self.breaker.failed(str(err) or type(err).__name__)
                raise StoreError(f"Neo4j at {self.url} is unreachable: {err}") from err
            except Neo4jError as err:
                self.breaker.reached()
                if _out_of_memory(err):
                    raise StoreResourceError(
                        f"Neo4j at {self.url} ran out of memory for this transaction ({err.code}): give the "
                        "server more memory (its heap, dbms.memory.transaction.total.max), or import in smaller "
                        "transactions (NEO4J_IMPORT_BATCH, records per transaction; now "
                        f"{self.import_batch}); nothing was written"
                    ) from err
                if not err.is_retryable():
                    raise
                if time.monotonic() + pause > deadline:
                    raise StoreError(f"Neo4j at {self.url} kept failing for {self.retry_time} s: {err}") from err
                time.sleep(pause * random.uniform(0.5, 1.5))
                pause = min(pause * 2, 1.0)
            except DriverError as err:  # the driver is closed, ...
                self.breaker.reached()
                raise StoreError(f"Neo4j at {self.url} is not usable: {err}") from err
            except BaseException:
                self.breaker.reached()  # the server answered (the package's errors raised inside a transaction)
                raise
            else:
                self.breaker.reached()
                return result

    def _write(
        self,
        fn: Callable[[ManagedTransaction], T],
        *,
        gated: bool = False,
        moves_data_version: bool = True,
        changes: list[FeedChange] | None = None,
        log: list[Change] | None = None,
        fn_versions: bool = False,
    ) -> T:
        """Run `fn` in a managed write transaction that also bumps the data version (`moves_data_version`
        False: only locks it, for a write no derived data depends on) and records `changes` in the change
        feed under the new version (None: one `changes.ANY` entry), and the change log's entries `log` (which
        `fn` may add to) in the same statement; `gated`: behind a commit gate (see `_read`), for writes of many
        records that readers must see whole or not at all. `fn_versions`: `fn` bumps the data version in its first
        statement (with a read of its own) and records the changes (`_recorded`) in its last: two round trips
        fewer for a one-record write."""
        gates: list[str] = []

        def work(tx: ManagedTransaction) -> T:
            # The version node is locked FIRST: every write transaction queues on it before it
            # takes any other lock, so concurrent writers never deadlock (Neo4j would abort one and
            # `_call` would retry it with a growing back-off) and the version moves with the data.
            if fn_versions:  # `fn` bumps the version first and records the changes last
                result = fn(tx)
            else:
                tx.run(query("bump_data_version" if moves_data_version else "lock_data_version")).consume()
                result = fn(tx)
                if moves_data_version:
                    tx.run(*_recorded("", changes, log)).consume()
                else:
                    _log(tx, log or [])
            if gated:  # last, just before the commit: readers wait for the commit only, not the whole write
                gates.append(self._gate("gate_open", str(uuid.uuid4())))
            return result

        def call() -> T:
            try:
                with self._session() as session:
                    return session.execute_write(work)
            finally:
                while gates:
                    self._gate("gate_close", gates.pop())

        try:
            return self._call(call)
        finally:
            self._version_moved()

    def _version_moved(self) -> None:
        """After a write of this store (or one that may have committed): the version its request read is past."""
        memo = request_memo()
        if memo is not None:
            memo.pop(self._memo_key, None)

    def _gate(self, name: str, id: str) -> str:
        """Open or close a commit gate, in a transaction of its own (see write.cypher); a gate that cannot be
        closed (the server went away) lapses after `GATE_LEASE` seconds."""
        try:
            self.driver.execute_query(query(name), id=id, gates=GATES, lease=GATE_LEASE, database_=self.database)
        except (DriverError, Neo4jError):
            if name == "gate_open":
                raise
        return id

    def data_version(self) -> int:
        """The data version; within a `request_scope`, the one read with the caller's key (`get_api_key`) or by
        the request's first call, until this store writes (no round trip)."""
        memo = request_memo()
        if memo is not None and (seen := memo.get(self._memo_key)) is not None:
            return seen
        records = self._read_one("data_version")
        version = int(records[0]["version"]) if records and records[0]["version"] is not None else 0
        if memo is not None:
            memo[self._memo_key] = version
        return version

    def changes_since(self, version: int) -> ChangeSet | None:
        """The entries after `version` and the rows they name, in one query (`changes_since_rows`) that reads
        the commit gates' state before and after them: a bundle's rows whole, or not at all (see `_read`)."""
        params = {"version": version, "keep": FEED_KEEP, "prefix": FEED_NODE, "gates": GATES, "sep": SEP,
                  "tie_sep": TIE_SEP}  # fmt: skip

        def once() -> ChangeSet | None:
            found = self.driver.execute_query(
                query("changes_since_rows"),
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
                bookmark_manager_=None,
            ).records[0]
            if _gate_moved(found["gen"], found["open"], found["gen_after"], found["open_after"]):
                raise _GateBusy
            now = int(found["version"] or 0)
            if now == version:
                return ChangeSet(now, [])
            if now < version or now - version > FEED_KEEP:
                return None
            entries = [(int(v), texts) for v, texts in found["changes"] if v is not None]
            if not ChangeSet.complete(version, now, {v for v, _ in entries}):
                return None
            entries.sort(key=lambda e: e[0])
            changes = list(dict.fromkeys(decode_change(t) for _, texts in entries for t in texts))
            rows: dict[FeedChange, Row] = {}
            for kind, name in (("company", "companies"), ("person", "people"), ("team", "team"),
                               ("interaction", "interactions"), ("risk", "risks")):  # fmt: skip
                rows.update((FeedChange(kind, r["id"]), _row_in(kind, r)) for r in found[name])
            for name in ("knows", "influences"):
                rows.update((FeedChange("tie", tie_id(r["type"], r["from"], r["to"])), _tie_in(r)) for r in found[name])
            return ChangeSet(now, changes, {c: rows.get(c) for c in changes if c.kind in RECORDS})

        return self._call(lambda: self._while_gated(once))

    def _read(self, fn: Callable[[ManagedTransaction], T], *, gated: bool = True) -> T:
        """Run `fn` in a managed read transaction. `gated`: its result is only used when no commit gate was
        open and none opened or closed while it ran (else it runs again, for up to `retry_time` seconds): it
        saw every gated write whole or not at all. Reads of one record need no gate (two more statements)."""

        def checked(tx: ManagedTransaction) -> T:
            before = tx.run(query("gate_state"), gates=GATES).single(strict=True)
            if before["open"]:
                raise _GateBusy
            result = fn(tx)
            after = tx.run(query("gate_state"), gates=GATES).single(strict=True)
            if _gate_moved(before["gen"], before["open"], after["gen"], after["open"]):
                raise _GateBusy
            return result

        def once() -> T:
            with self._session() as session:
                return session.execute_read(checked if gated else fn)

        return self._call(lambda: self._while_gated(once))

    def _while_gated(self, read: Callable[[], T]) -> T:
        """`read()`, again while it finds a commit gate in its way (`_GateBusy`), for up to `retry_time` seconds."""
        deadline = time.monotonic() + self.retry_time
        while True:
            try:
                return read()
            except _GateBusy:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"Neo4j at {self.url} was applying a large write for over {self.retry_time} s; try again"
                    ) from None
                time.sleep(0.02)

    def _read_one(self, name: str, **params: Any) -> list[neo4j.Record]:
        """The records of one named read query, in an auto-commit transaction: one round trip (RUN and PULL sent
        together), where a managed one (`execute_query`, `execute_read`) costs two (BEGIN, RUN and PULL, then
        COMMIT). One statement is atomic on its own, so it reads as a transaction would. For the small reads every
        API request makes (its key with the data version); `_call` retries it as it does any call."""

        def call() -> list[neo4j.Record]:
            # no bookmarks, as the session reads: no causal chain between requests
            with self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS, bookmark_manager=None
            ) as session:
                return list(session.run(query(name), params))

        return self._call(call)

    def _run(self, statement: LiteralString, **params: Any) -> None:
        """One statement in an auto-commit transaction (schema changes, `clear`, `CALL ... IN TRANSACTIONS`)."""

        def call() -> None:
            with self._session() as session:
                session.run(statement, params).consume()

        self._call(call)

    def _apply_schema(self) -> None:
        for statement in statements("schema_"):
            self._run(statement)

    def ping(self) -> None:
        """Raise StoreError when the server cannot be reached (at once while the breaker is open)."""
        try:
            self._read(lambda tx: tx.run(query("ping")).single(), gated=False)
        except Neo4jError as err:  # the server answers but its database does not (starting, stopping)
            raise StoreError(f"Neo4j at {self.url} is not usable: {err}") from err

    def close(self) -> None:
        self.driver.close()

    def check(self, *, full: bool = False) -> CheckReport:
        """Whether the server answers and holds the schema; the consistency of its files is checked by
        Neo4j's own tool on a stopped database (`neo4j-admin database check neo4j`)."""
        self.ping()
        names = {r["name"] for r in self._read(lambda tx: list(tx.run("SHOW CONSTRAINTS YIELD name")))}
        wanted = {line.split()[2] for line in statements("schema_") if line.startswith("CREATE CONSTRAINT")}
        problems = [f"constraint {name} is missing" for name in sorted(wanted - names)]
        return CheckReport(self.url, problems, "Neo4j: reachable, schema present (files: neo4j-admin database check)")

    def backup(self, dest: Path) -> None:
        raise StoreError(
            "a Neo4j store is backed up with Neo4j's own tools, not by AccountGraph: stop the database and run "
            "`neo4j-admin database dump neo4j --to-path=DIR` (Community), or run `neo4j-admin database backup` "
            "(Enterprise, online); restore with `neo4j-admin database load`"
        )

    def clear(self) -> None:
        """Delete every node and relationship (for tests and `--replace` imports); keeps the schema."""
        self._run(query("delete_everything"))
        self._write(lambda tx: None)  # a new data version: caches of the old data are void

    # ---- writes -------------------------------------------------------------------------------
    def _load(self, bundle: Bundle, on: date, changes: list[Change] | None) -> None:
        records = sum(bundle.counts().values())
        if records > self.import_batch and changes is not None:
            self._load_staged(bundle, on, changes)
            return

        log = list(changes or [])
        fed = bundle_changes(bundle)

        def work(tx: ManagedTransaction) -> None:
            reader = _Reader(tx) if changes is not None else _Reader.ahead(tx, bundle)
            ready = prepare_bundle(bundle, reader, on)
            steps = _steps(ready)
            if changes is None:  # the entry of its one record: from the data as it stands here, before the write
                log[:] = [record_change(bundle, reader)]
                # its statements (and the change feed's) in one: each reads the fields it needs of the one row
                (_, rows), *_ = steps
                writes = "\nWITH count(*) AS done\n".join(query(name) for name, _ in steps)
                statement, params = _recorded(writes + "\nWITH count(*) AS done\n", fed, log)
                tx.run(statement, params, rows=rows).consume()
                return
            for name, rows in steps:
                for chunk in _chunks(rows, self.import_batch):
                    tx.run(query(name), rows=chunk).consume()

        # a single record is never seen in part: no gate
        self._write(work, gated=records > 1, changes=fed, log=log, fn_versions=changes is None)

    def _load_staged(self, bundle: Bundle, on: date, changes: list[Change]) -> None:
        """Import a bundle larger than `import_batch` in bounded transactions, visible at once.

        1. Validate it (a read transaction) and note which of its records exist already.
        2. Write its new records as `Staged` nodes, with their relationships, in transactions of at most
           `import_batch` rows each (see staging.cypher): no read matches them. Each renews the import's lease.
        3. The switch, one write transaction behind a commit gate: validate again if another write committed
           meanwhile, give the staged nodes their labels, and write the changes to the records that existed.
        On any failure (or interruption) the staged nodes are deleted; if that cannot happen (the process was
        killed, the server went away), the next open or staged import deletes them once the lease lapsed.
        """
        self._drop_leftovers()

        def validate(tx: ManagedTransaction) -> tuple[Bundle, set[tuple[str, str]], int]:
            ready = prepare_bundle(bundle, _Reader(tx), on)
            version = tx.run(query("data_version")).single()
            return ready, _new_records(tx, ready), int(version["version"] or 0) if version else 0

        ready, new, version = self._read(validate)
        stage = str(uuid.uuid4())
        self._call(lambda: self.driver.execute_query(
            query("stage_open"), stage=stage, lease=self.import_lease, database_=self.database
        ))  # fmt: skip
        try:
            self._stage(stage, ready, new)

            def switch(tx: ManagedTransaction) -> None:
                self._renew(tx, stage)
                now = tx.run(query("data_version")).single()
                final = ready
                if now is None or int(now["version"]) != version + 1:  # another write committed meanwhile
                    final = prepare_bundle(bundle, _Reader(tx), on)
                    if _new_records(tx, final) != new:
                        raise ConflictError(
                            "records of this import were created or deleted by another write while it was "
                            "being staged; nothing was imported: import it again"
                        )
                tx.run(query("switch_nodes"), stage=stage).consume()
                for name, rows in _steps(final, new):
                    for chunk in _chunks(rows, self.import_batch):
                        tx.run(query(name), rows=chunk).consume()
                tx.run(query("stage_close"), stage=stage).consume()

            # the log's entries in the switch: they land with the records, or not at all
            self._write(switch, gated=True, changes=bundle_changes(bundle), log=changes)
        except BaseException:
            self._drop_stage(stage)
            raise

    def _stage(self, stage: str, ready: Bundle, new: set[tuple[str, str]]) -> None:
        """Write the `new` records of a validated bundle as staged records (step 2 of `_load_staged`), in batches
        of at most `import_batch` rows, `import_threads` at once, each in a transaction of its own: first every
        batch of the companies, people and team members (the rows of the rest are made meanwhile), then every
        batch of the rest and of the relationships, with no wait between steps (they write distinct records: a
        lock two of them wait for is a deadlock Neo4j breaks, and `_call` retries)."""
        with ThreadPoolExecutor(max(1, self.import_threads), thread_name_prefix="accountgraph-import") as pool:
            try:
                kinds, nodes_steps = _staged_nodes(ready, new, self.import_batch)
                made = self._submit(pool, stage, nodes_steps)
                steps = _staged_links(ready, new, kinds)  # while the server writes the nodes
                nodes: dict[str, str] = {}  # the element id of each new company, person and team member, by id
                for future in made:
                    nodes.update(future.result())
                for name, _, rows in steps:
                    for field in _BY_ELEMENT_ID.get(name, ()):  # relationships between new records
                        for row in rows:
                            if row[field] is not None:
                                row[field] = nodes[row[field]]
                for future in self._submit(pool, stage, steps):
                    future.result()
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # none left running: the stage is dropped next
                raise

    def _submit(
        self, pool: ThreadPoolExecutor, stage: str, steps: Iterable[_Step]
    ) -> list[Future[list[tuple[str, str]]]]:
        """Every batch of `steps`, in order, to `pool` (see `_stage_write`), each as soon as it is taken."""
        return [
            pool.submit(self._stage_write, stage, name, {**params, "rows": chunk})
            for name, params, rows in steps
            for chunk in _chunks(rows, self.import_batch)
        ]

    def _renew(self, tx: ManagedTransaction, stage: str) -> None:
        if tx.run(query("stage_renew"), stage=stage, lease=self.import_lease).single() is None:
            raise StoreError(
                f"the import's staged records were deleted (no batch renewed its lease for {self.import_lease:g} s, "
                "NEO4J_IMPORT_LEASE); nothing was imported: import it again"
            )

    def _stage_write(self, stage: str, name: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        """One batch of a staged import, in a write transaction of its own that renews the import's lease (it
        does not bump the data version: nothing visible changes); what the statement returns, as pairs (the
        staged nodes' ids and element ids)."""

        def work(tx: ManagedTransaction) -> list[tuple[str, str]]:
            self._renew(tx, stage)
            return [(r[0], r[1]) for r in tx.run(query(name), stage=stage, **params)]

        def call() -> list[tuple[str, str]]:
            with self._session() as session:
                return session.execute_write(work)

        return self._call(call)

    def _drop_stage(self, stage: str) -> None:
        """Delete a staged import's lease and staged nodes (best effort: the lease lapses anyway)."""
        try:
            self._call(lambda: self.driver.execute_query(query("stage_close"), stage=stage, database_=self.database))
            self._run(query("stage_drop"), stage=stage, rows=self.import_batch)
        except (StoreError, Neo4jError, DriverError):
            pass

    def _drop_leftovers(self) -> None:
        """Delete the staged records of imports that died (their lease lapsed) or that lost their lease."""
        records = self._read_one("stage_leftovers")
        for record in records:
            self._drop_stage(str(record["id"]))

    def _check(self, bundle: Bundle, on: date) -> list[BundleIssue]:
        def work(tx: ManagedTransaction) -> list[BundleIssue]:
            try:
                prepare_bundle(bundle, _Reader(tx), on)
            except BundleRejected as rejected:
                return rejected.issues
            return []

        return self._read(work)

    def _delete(self, kind: str, id: str, changes: list[Change]) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            if kind == "company":
                found = tx.run(query("company_dependants"), id=id).single()
                if found is not None and (found["children"] or found["people"]):
                    raise ConflictError(
                        f"company {id!r} still has {found['children']} subsidiaries and "
                        f"{found['people']} people: move or delete them first"
                    )
            record = tx.run(query(f"delete_{kind}"), id=id).single()
            deleted = bool(record and record["deleted"])
            if deleted:
                _log(tx, changes)
            return deleted

        # a person's or member's ties and interactions go too: caches reload (`ANY`)
        return self._write(work, changes=[FeedChange(kind, id)] if kind in ("interaction", "risk") else None)

    def _delete_tie(self, type: TieType, a: str, b: str, changes: list[Change]) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            record = tx.run(query(f"delete_{type.value}"), {"from": a, "to": b}).single()
            found = bool(record and record["deleted"])
            if found:
                _log(tx, changes)
            return found

        return self._write(work, changes=[FeedChange("tie", tie_id(type, a, b))])

    def _people_companies(self, ids: list[str]) -> dict[str, str]:
        people = self._read(lambda tx: _Reader(tx).people(ids), gated=False)
        return {id: p.company for id, p in people.items()}

    def _changes(self, filter: ChangeFilter, limit: int, after: tuple[str, str] | None) -> list[Row]:
        params = {
            "account": filter.account,
            "accounts": None if filter.accounts is None else sorted(filter.accounts),
            "owned": filter.owned,
            "records": None if filter.records is None else list(filter.records),
            "author": filter.author,
            "kind": filter.kind,
            "after_at": None if after is None else after[0],
            "after_id": None if after is None else after[1],
            "limit": limit,
        }
        records = self._read(lambda tx: list(tx.run(query("change_log_read"), params)), gated=False)
        return [dict(r["row"]) for r in records]

    # ---- reads --------------------------------------------------------------------------------
    def _get(self, kind: str, id: str) -> Row | None:
        records = self._read_one(f"get_{kind}", id=id)
        return _row_in(kind, records[0]["row"]) if records else None

    def _get_tie(self, type: TieType, a: str, b: str) -> Row | None:
        records = self._read_one(f"get_{type.value}", **{"from": a, "to": b})
        return _tie_in(records[0]["row"]) if records else None

    def _list(self, kind: str, filters: ListFilter, limit: int, after: tuple[str, ...] | None) -> list[Row]:
        params: dict[str, Any] = {name: None for name in LIST_FILTERS[kind]}
        params.update({name: str(getattr(filters, name)) for name in filters.given()})
        params["limit"] = limit
        params["after"] = (list(after) if kind == "tie" else after[0]) if after is not None else None
        records = self._read(lambda tx: list(tx.run(query(f"list_{kind}"), params)))
        return [_tie_in(r["row"]) if kind == "tie" else _row_in(kind, r["row"]) for r in records]

    # ---- documents (label LedgerRecord) --------------------------------------------------------
    def _document_get(self, kind: str, id: str) -> Document | None:
        records = self._read_one("document_get", kind=kind, id=id)
        return _document_in(records[0]["row"]) if records else None

    def _document_list(self, kind: str, account: str | None) -> list[Document]:
        records = self._read(lambda tx: list(tx.run(query("document_list"), kind=kind, account=account)))
        return [_document_in(r["row"]) for r in records]

    def _document_commit(
        self,
        writes: list[DocumentWrite],
        texts: list[str],
        checks: Mapping[DocumentKey, int | None],
        seen: Mapping[DocumentKey, str],
        changes: list[Change],
    ) -> list[Document]:
        every = sorted({*((w.kind, w.id) for w in writes), *checks})
        keys = [{"kind": kind, "id": id} for kind, id in every]

        def work(tx: ManagedTransaction) -> list[Document]:
            # lock the existing documents first (in a fixed order), so the versions read next stay true (every
            # write transaction also queues on the data-version node first, see `_write`: a document checked
            # as absent cannot be created by another commit before this one ends)
            tx.run(query("document_lock"), keys=keys).consume()
            found: dict[DocumentKey, int] = {}
            for r in tx.run(query("document_versions"), keys=keys):
                key = (r["kind"], r["id"])
                # under the lock the data is whole; the unit's read of it may not have been (a commit is applied
                # record by record): the version it read can stand beside older data
                if key in seen and seen[key] != r["data"]:
                    raise stale_read(*key)
                found[key] = int(r["version"])
            for (kind, id), expected in checks.items():
                if found.get((kind, id)) != expected:
                    raise version_conflict(kind, id, expected, found.get((kind, id)))
            creates: list[Row] = []
            updates: list[Row] = []
            done = []
            for w, text in zip(writes, texts, strict=True):
                have = found.get((w.kind, w.id))
                if have != w.expected_version:
                    raise version_conflict(w.kind, w.id, w.expected_version, have)
                version = 1 if have is None else have + 1
                row: Row = {"kind": w.kind, "id": w.id, "version": version, "data": text}
                if w.account is not None:
                    row["account"] = w.account
                (creates if have is None else updates).append(row)
                done.append(Document(w.kind, w.id, w.account, version, json.loads(text)))
            if creates:
                tx.run(query("document_create"), rows=creates).consume()
            if updates:
                tx.run(query("document_update"), rows=updates).consume()
            return done

        try:
            moves = any(w.moves_data_version for w in writes)
            return self._write(work, moves_data_version=moves, changes=[FeedChange(DOCUMENT)], log=changes)
        except ConstraintError as err:  # a concurrent commit created one of these documents first
            raise VersionConflict(
                f"a document of this commit was created meanwhile; nothing was written: {err}"
            ) from err

    def _document_delete(self, kind: str, ids: list[str], moves_data_version: bool, changes: list[Change]) -> int:
        def work(tx: ManagedTransaction) -> int:
            return int(tx.run(query("document_delete"), kind=kind, ids=ids).single(strict=True)["deleted"])

        return self._write(work, moves_data_version=moves_data_version, changes=[FeedChange(DOCUMENT)], log=changes)

    def _save_api_key(self, key: ApiKey, changes: list[Change]) -> None:
        row = _rows_of([key])[0]

        def work(tx: ManagedTransaction) -> None:
            tx.run(query("save_api_key"), row=row).consume()

        self._write(work, changes=[FeedChange(KEY, key.id)], log=changes)

    def get_api_key(self, id: str) -> ApiKey | None:
        """The key, read in one round trip with the data version, which a `request_scope` keeps (see
        `data_version`)."""
        records = self._read_one("get_api_key", id=id)
        if not records:
            return None
        memo = request_memo()
        if memo is not None:
            version = records[0]["version"]
            memo.setdefault(self._memo_key, int(version) if version is not None else 0)
        row = records[0]["row"]
        return ApiKey.model_validate(row) if row is not None else None

    def list_api_keys(self) -> list[ApiKey]:
        records = self._read(lambda tx: list(tx.run(query("list_api_keys"))))
        return [ApiKey.model_validate(r["row"]) for r in records]

    def list_accounts(self) -> list[Company]:
        records = self._read(lambda tx: list(tx.run(query("list_accounts"))))
        return [Company.model_validate(_row_in("company", r["row"])) for r in records]

    def account_of(self, company_id: str) -> str:
        record = self._read(lambda tx: tx.run(query("account_of"), id=company_id).single())
        if record is None:
            raise NotFoundError("company", company_id)
        return str(record["id"])

    def counts(self) -> dict[str, int]:
        record = self._read(lambda tx: tx.run(query("counts")).single())
        assert record is not None
        return {k: int(record[k]) for k in record.keys()}

    def _account_companies(self, account_id: str, on: str) -> list[Row]:
        records = self._read(lambda tx: list(tx.run(query("account_companies"), id=account_id, on=on)))
        return [{**_row_in("company", r["row"]), "people": r["people"]} for r in records]

    def _account_rows(self, account_id: str) -> AccountRows:
        """The account's rows: kept decoded under the data version they were read at (read BEFORE them, so a
        write committing meanwhile only makes them newer than their version); a read at a kept version costs
        the version's round trip only (none within a `request_scope` that read it with the key)."""
        version = self.data_version() if self.rows_cache > 0 else None
        with self._rows_lock:
            kept = self._rows.get(account_id)
            if kept is not None and kept[0] == version:
                self._rows.move_to_end(account_id)
                return _fresh(kept[1])
        rows = self._read(lambda tx: self._read_account(tx, account_id))
        if version is not None:
            with self._rows_lock:
                self._rows[account_id] = (version, rows)
                self._rows.move_to_end(account_id)
                for old in [a for a, (v, _) in self._rows.items() if v < version]:
                    del self._rows[old]  # older than this version: never used again
                while len(self._rows) > self.rows_cache:
                    self._rows.popitem(last=False)
            return _fresh(rows)
        return rows

    def _read_account(self, tx: ManagedTransaction, account_id: str) -> AccountRows:
        """The account's rows, in `tx`; the ties of a large account in two parts at once, the second in a read
        transaction of its own (the server reads them on two threads). `_read`'s gate checks, first and last in
        `tx`, enclose both, so either part sees a gated write whole or not at all, as one transaction would."""

        def rows(name: str, **params: Any) -> list[Row]:
            return [r["row"] for r in tx.run(query(name), **params)]

        def collected(name: str) -> list[Any]:
            return [row for record in tx.run(query(name), id=account_id) for row in record["rows"]]

        def tie_columns(records: Iterator[neo4j.Record] | list[neo4j.Record]) -> None:
            for record in records:
                for name in _TIE_COLUMNS:
                    columns[name] += record[name]

        out = AccountRows()
        companies = [(r["row"], int(r["people"])) for r in tx.run(query("account_companies"), id=account_id, on=None)]
        out.companies = sorted((_row_in("company", r) for r, _ in companies), key=lambda r: r["id"])
        if not out.companies:
            raise NotFoundError("account", account_id)
        parts = _halves(companies) if sum(n for _, n in companies) >= self.split_people else None
        columns: dict[str, list[Any]] = {name: [] for name in _TIE_COLUMNS}
        with ThreadPoolExecutor(1, thread_name_prefix="accountgraph-read") as pool:
            other = None
            if parts is not None:
                other = pool.submit(
                    lambda: (
                        self.driver.execute_query(
                            query("account_tie_columns"),
                            companies=parts[1],
                            database_=self.database,
                            routing_=neo4j.RoutingControl.READ,
                            bookmark_manager_=None,
                        ).records
                    )
                )
            mine = parts[0] if parts is not None else [r["id"] for r, _ in companies]
            tie_columns(tx.run(query("account_tie_columns"), companies=mine))
            out.people = sorted((_row_in("person", r) for r in collected("account_people")), key=lambda r: r["id"])
            out.interactions = sorted(
                (_row_in("interaction", r) for r in collected("account_interactions")), key=lambda r: r["id"]
            )
            out.risks = sorted((_row_in("risk", r) for r in collected("account_risks")), key=lambda r: r["id"])
            if other is not None:
                tie_columns(other.result())
        people = {p["id"] for p in out.people}
        others = set(columns["a"]).union(columns["b"]).difference(people)
        others |= {i["member"] for i in out.interactions}
        out.team = sorted((_row_in("team", r) for r in rows("team_by_id", ids=sorted(others))), key=lambda r: r["id"])
        team_ids = [t["id"] for t in out.team]
        for tie in rows("team_ties", ids=team_ids):
            for name, value in zip(_TIE_COLUMNS, _tie_tuple(tie), strict=True):
                columns[name].append(value == "influences" if name == "influences" else value)
        out.ties = _tie_columns(columns, people.union(team_ids))
        return out
