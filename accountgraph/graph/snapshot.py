"""An account's rows in a compact form a store can keep next to its tables, and read back in one go.

Reading a large account row by row costs far more than the database's own work: about 0.3 s of the 10k-person
account's 95k ties and 10k people go into making one Python object per row and field. A snapshot keeps the
same `AccountRows` as two values: a JSON text with the companies, people, team members, interactions and risks
(column by column where the rows share their fields) and the ties' node-id table and text values, and a
binary of the ties' numeric columns (numpy's ``.npz``, read without pickle). `decode(encode(rows))` equals
`rows`, the ties as `TieColumns`.

The SQLite store keeps one snapshot per large account, stamped with the data version it was read at, and
drops them all on every write (`SqliteStore`); a snapshot that does not decode is ignored.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

from accountgraph.projection.rows import AccountRows, Row
from accountgraph.projection.ties import KINDS, OPEN_END, OPEN_START, TEXT_COLUMNS, TieColumns

__all__ = ["FORMAT", "decode", "encode"]

FORMAT = 1
"""Bumped whenever the layout changes: a snapshot of another format is ignored."""

_TABLES = ("companies", "people", "team", "interactions", "risks")
_ARRAYS = ("kind", "a", "b", "strength", "since_day", "until_day")


def _table(rows: list[Row]) -> dict[str, Any]:
    """Rows as columns when they share their fields (several times faster to read back), else as rows."""
    keys = list(rows[0]) if rows else []
    if set(map(len, rows)) <= {len(keys)}:  # as many fields as the first: the same fields if each has its keys
        try:
            return {"keys": keys, "columns": [list(map(itemgetter(k), rows)) for k in keys]}
        except KeyError:
            pass
    return {"rows": rows}


def _rows(table: dict[str, Any]) -> list[Row]:
    if "rows" in table:
        return list(table["rows"])
    keys, columns = table["keys"], table["columns"]
    if len(columns) != len(keys) or len({len(c) for c in columns}) > 1:
        raise ValueError("a table's columns do not match")
    return list(map(dict, map(zip, repeat(keys), zip(*columns, strict=True))))


def _codes(column: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """An object column as its distinct values and each entry's code."""
    values = column.tolist()
    table = list(dict.fromkeys(values))
    code = {v: i for i, v in enumerate(table)}
    return table, np.fromiter(map(code.__getitem__, values), np.int32, len(values))


def _date_codes(column: np.ndarray, days: np.ndarray, missing: int) -> tuple[list[Any], np.ndarray]:
    """`_codes` of a column of ISO dates, from its day numbers: the table is every day from the first to
    the last (then None), so no text is hashed; any other text falls back to `_codes`."""
    given = days != missing
    if not given.any():
        return _codes(column)
    first, last = int(days[given].min()), int(days[given].max())
    if last - first > 100_000:
        return _codes(column)
    table: list[Any] = [date.fromordinal(d).isoformat() for d in range(first, last + 1)]
    table.append(None)
    codes = np.where(given, days - first, last - first + 1).astype(np.int32)
    values = np.empty(len(table), dtype=object)
    values[:] = table
    if not np.array_equal(values[codes], column):  # a text that is not its day's ISO date
        return _codes(column)
    return table, codes


def encode(rows: AccountRows) -> tuple[str, bytes]:
    """The snapshot of `rows`: a JSON text and a binary (see the module docstring)."""
    ties = TieColumns.of(rows.ties)
    texts: dict[str, list[Any]] = {}
    arrays: dict[str, np.ndarray] = {name: getattr(ties, name) for name in _ARRAYS}
    texts["since"], arrays["since"] = _date_codes(ties.since, ties.since_day, OPEN_START)
    texts["until"], arrays["until"] = _date_codes(ties.until, ties.until_day, OPEN_END)
    for name in ("last_contact", "note"):
        texts[name], arrays[name] = _codes(getattr(ties, name))
    doc = {"format": FORMAT, "nodes": ties.nodes, "texts": texts}
    doc.update({name: _table(getattr(rows, name)) for name in _TABLES})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return json.dumps(doc, separators=(",", ":")), buffer.getvalue()


def _within(codes: np.ndarray, size: int) -> bool:
    """Whether every code indexes a table of `size` entries (no negative index wrapping round)."""
    return int(codes.min()) >= 0 and int(codes.max()) < size


def decode(text: str, blob: bytes) -> AccountRows:
    """The rows of a snapshot; ValueError when it is not one of this format (or is damaged)."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("not a snapshot of this format")
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in (*_ARRAYS, *TEXT_COLUMNS)}
        nodes: list[str] = doc["nodes"]
        n = arrays["a"].size
        if any(a.ndim != 1 or a.size != n for a in arrays.values()):
            raise ValueError("columns of different lengths")
        if n and not (_within(arrays["a"], len(nodes)) and _within(arrays["b"], len(nodes))):
            raise ValueError("a tie names a node outside the node table")
        if n and not _within(arrays["kind"], len(KINDS)):
            raise ValueError("a tie of an unknown kind")
        texts = []
        for name in TEXT_COLUMNS:
            values = np.empty(len(doc["texts"][name]), dtype=object)
            values[:] = doc["texts"][name]
            if n and not _within(arrays[name], values.size):
                raise ValueError(f"a {name} outside its table")
            texts.append(values[arrays[name]])
        ties = TieColumns(
            nodes,
            arrays["kind"],
            arrays["a"],
            arrays["b"],
            arrays["strength"],
            texts,
            (arrays["since_day"], arrays["until_day"]),
        )
        return AccountRows(ties=ties, **{name: _rows(doc[name]) for name in _TABLES})
    except (KeyError, TypeError, IndexError, EOFError, OSError, zipfile.BadZipFile) as err:
        raise ValueError(f"not a readable snapshot: {err}") from err
