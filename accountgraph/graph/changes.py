"""The store's change feed: which records each write changed, by data version.

Every write that moves the data version records, in its own transaction, what it changed: a list of
`Change` entries (a record kind and id, a tie as ``type`` + its ends, ``document`` for documents, ``any``
when the write does not say or changed too many records to list). `GraphStore.changes_since(v)` returns the
entries after version ``v`` together with the current rows of the records they name, read in one
transaction (`ChangeSet`), or None when the feed cannot tell (entries pruned, or too many versions): a cache
of derived data at version ``v`` catches up by them instead of reloading
(`accountgraph.services.analysis.account_view`). The feed keeps the entries of the last `FEED_KEEP` versions.

SQLite keeps the feed in the table ``change_feed``; Neo4j as ``AccountGraphMeta`` nodes with the id
``change:<version>`` (its unique id is the index), one per version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accountgraph.projection.rows import Row
from accountgraph.schema.models import Bundle, TieType

__all__ = [
    "ANY",
    "DOCUMENT",
    "FEED_KEEP",
    "FEED_MAX_ENTRIES",
    "FEED_NODE",
    "KEY",
    "RECORDS",
    "SEP",
    "TIE_SEP",
    "Change",
    "ChangeSet",
    "bundle_changes",
    "decode",
    "encode",
    "tie_id",
    "tie_of",
]

FEED_KEEP = 1000
"""Versions whose entries the feed keeps; a cache older than that reloads."""
FEED_NODE = "change:"
"""On Neo4j, the id of the meta node holding a version's entries: this, then the version."""
FEED_MAX_ENTRIES = 200
"""A write of more records than this records one `ANY` entry (an import: caches reload)."""
ANY = "any"
DOCUMENT = "document"
KEY = "key"
"""Entries no account's view depends on: documents, API keys."""
RECORDS = ("company", "person", "team", "interaction", "risk", "tie")
"""The kinds of entry whose current row `GraphStore.changes_since` returns."""
SEP = "\n"
"""Between an entry's kind and its id, as stored (`encode`)."""
TIE_SEP = "\t"
"""Between a tie's type and ends in its id (`tie_id`)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the feed: what kind of record a write changed (or deleted), and which."""

    kind: str
    id: str = ""


def tie_id(type: TieType | str, a: str, b: str) -> str:
    """The id of a tie in the feed: its type and ends (a ``knows`` tie's ends in order)."""
    type = TieType(type)
    if type is TieType.KNOWS and b < a:
        a, b = b, a
    return TIE_SEP.join((type.value, a, b))


def tie_of(id: str) -> tuple[TieType, str, str]:
    """The type and ends of a tie named by `tie_id`."""
    type, a, b = id.split(TIE_SEP)
    return TieType(type), a, b


def bundle_changes(bundle: Bundle) -> list[Change]:
    """The entries of a bundle's write: one per record, or one `ANY` for a large bundle."""
    if sum(bundle.counts().values()) > FEED_MAX_ENTRIES:
        return [Change(ANY)]
    out = [Change("company", c.id) for c in bundle.companies]
    out += [Change("person", p.id) for p in bundle.people]
    out += [Change("team", t.id) for t in bundle.team]
    out += [Change("interaction", i.id) for i in bundle.interactions]
    out += [Change("risk", r.id) for r in bundle.risks]
    out += [Change("tie", tie_id(t.type, t.from_, t.to)) for t in bundle.ties]
    return out or [Change(ANY)]


def encode(change: Change) -> str:
    return f"{change.kind}{SEP}{change.id}"


def decode(text: str) -> Change:
    kind, _, id = text.partition(SEP)
    return Change(kind, id)


@dataclass
class ChangeSet:
    """The entries after a data version, and the rows they name, as of `version` (read in one transaction).

    `records` holds the current row of every entry of a record kind (`RECORDS`; None: deleted), a tie as its
    row (fields `accountgraph.projection.TIE_FIELDS`).
    """

    version: int
    changes: list[Change]
    records: dict[Change, Row | None] = field(default_factory=dict)

    @staticmethod
    def complete(since: int, version: int, versions: set[int]) -> bool:
        """Whether the feed has an entry for every version after `since` up to `version`."""
        return versions == set(range(since + 1, version + 1))
