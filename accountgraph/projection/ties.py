"""An account's ties as columns: what the stores hand over and the algorithms read, without a tuple per tie.

`TieColumns` keeps the ties of an account as numpy columns: the kind (0 ``knows``, 1 ``influences``), the two
ends as indices into a table of node ids (`nodes`), the stated strength, and the ``since``, ``until``,
``last_contact`` and ``note`` texts (object columns, None when missing). ``since`` and ``until`` are also
kept as day numbers (`since_day`, `until_day`; a missing date is open), so a date selects the active ties
with two comparisons.

Read one by one, the columns are a sequence of `TieRow` tuples in `TIE_FIELDS` order (``type``, ``from``,
``to``, ``strength``, ``since``, ``until``, ``last_contact``, ``note``), so the code that wants rows keeps
reading rows. `TieColumns.of` builds the columns from such tuples (a backend's read) and `take` keeps some of
them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

import numpy as np

__all__ = ["KINDS", "TieColumns", "TieRow", "given"]

TieRow = tuple[str, str, str, float, str | None, str | None, str | None, str | None]
"""A tie as (type, from, to, strength, since, until, last_contact, note), dates as ISO strings."""

KINDS = ("knows", "influences")
"""The tie kinds, by their code in `TieColumns.kind`."""
_CODE = {kind: code for code, kind in enumerate(KINDS)}
OPEN_START = np.iinfo(np.int32).min
OPEN_END = np.iinfo(np.int32).max
TEXT_COLUMNS = ("since", "until", "last_contact", "note")

IntArray = np.ndarray[Any, np.dtype[np.int64]]


def _day(text: str) -> int:
    """The day number of an ISO date (or of the date of an ISO time)."""
    return date.fromisoformat(text[:10]).toordinal()


def given(column: np.ndarray) -> np.ndarray:
    """Which entries of an object column are not None: a bool mask."""
    return np.not_equal(column, None)  # type: ignore[call-overload,no-any-return]


def _days(column: np.ndarray, missing: int) -> np.ndarray:
    """The day numbers of an object column of ISO dates (`missing` for None), worked out once per value."""
    values = column.tolist()
    day = dict.fromkeys(values, missing)
    for text in day:
        if text is not None:
            day[text] = _day(text)
    return np.fromiter(map(day.__getitem__, values), np.int32, len(values))


class TieColumns:
    """Ties as columns; read one by one, `TieRow` tuples (see the module docstring)."""

    __slots__ = ("_index", "a", "b", "kind", "last_contact", "nodes", "note", "since", "since_day", "strength",
                 "until", "until_day")  # fmt: skip

    def __init__(
        self,
        nodes: list[str],
        kind: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        strength: np.ndarray,
        texts: Sequence[np.ndarray],
        days: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.nodes = nodes
        self.kind = kind
        self.a = a
        self.b = b
        self.strength = strength
        self.since, self.until, self.last_contact, self.note = texts
        if days is None:
            days = (_days(self.since, OPEN_START), _days(self.until, OPEN_END))
        self.since_day, self.until_day = days
        self._index: tuple[list[str], dict[str, int]] | None = None

    @classmethod
    def of(cls, ties: Sequence[TieRow] | TieColumns) -> TieColumns:
        """The columns of `ties` (returned as they are when they are columns already)."""
        if isinstance(ties, TieColumns):
            return ties
        n = len(ties)
        nodes = sorted(set(map(itemgetter(1), ties)).union(map(itemgetter(2), ties)))
        index = {v: i for i, v in enumerate(nodes)}.__getitem__
        try:
            kind = np.fromiter(map(_CODE.__getitem__, map(itemgetter(0), ties)), np.int8, n)
        except KeyError as err:
            raise ValueError(f"unknown tie kind {err.args[0]!r}: expected one of {', '.join(KINDS)}") from None
        return cls(
            nodes,
            kind,
            np.fromiter(map(index, map(itemgetter(1), ties)), np.int32, n),
            np.fromiter(map(index, map(itemgetter(2), ties)), np.int32, n),
            np.fromiter(map(itemgetter(3), ties), np.float64, n),
            [np.fromiter(map(itemgetter(i), ties), object, n) for i in range(4, 8)],
        )

    def node_index(self) -> dict[str, int]:
        """The position of every id in the node table (made once per table; shared: not to be changed)."""
        known = self._index
        if known is None or known[0] is not self.nodes:
            known = self._index = (self.nodes, {v: i for i, v in enumerate(self.nodes)})
        return known[1]

    def take(self, rows: IntArray) -> TieColumns:
        """The ties at positions `rows` (in that order), on the same node table."""
        out = TieColumns(
            self.nodes,
            self.kind[rows],
            self.a[rows],
            self.b[rows],
            self.strength[rows],
            [self.since[rows], self.until[rows], self.last_contact[rows], self.note[rows]],
            (self.since_day[rows], self.until_day[rows]),
        )
        out._index = self._index
        return out

    def active_on(self, on: date) -> np.ndarray:
        """Which ties are active on `on` (``since <= on < until``, a missing date open): a bool mask."""
        day = on.toordinal()
        return (self.since_day <= day) & (self.until_day > day)

    def ends(self) -> set[str]:
        """The ids at either end of some tie."""
        used = np.zeros(len(self.nodes), dtype=bool)
        used[self.a] = True
        used[self.b] = True
        return {self.nodes[i] for i in np.flatnonzero(used).tolist()}

    def node_mask(self, ids: set[str] | dict[str, Any]) -> np.ndarray:
        """Which entries of the node table are in `ids`."""
        return np.fromiter(map(ids.__contains__, self.nodes), bool, len(self.nodes))

    def __len__(self) -> int:
        return int(self.a.size)

    def __getitem__(self, j: int) -> TieRow:
        return (KINDS[self.kind[j]], self.nodes[self.a[j]], self.nodes[self.b[j]], float(self.strength[j]),
                self.since[j], self.until[j], self.last_contact[j], self.note[j])  # fmt: skip

    def __iter__(self) -> Iterator[TieRow]:
        nodes = self.nodes.__getitem__
        return zip(
            map(KINDS.__getitem__, self.kind.tolist()),
            map(nodes, self.a.tolist()),
            map(nodes, self.b.tolist()),
            self.strength.tolist(),
            self.since.tolist(),
            self.until.tolist(),
            self.last_contact.tolist(),
            self.note.tolist(),
            strict=True,
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TieColumns | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TieColumns({len(self)} ties, {len(self.nodes)} nodes)"
