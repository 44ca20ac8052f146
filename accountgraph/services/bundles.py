"""Reading and writing bundles: JSON documents, directories of CSV files, GraphML.

A CSV directory holds one file per bundle list (``companies.csv``, ``people.csv``, ``team.csv``,
``ties.csv``, ``interactions.csv``, ``risks.csv``) with the fields as columns. An empty cell is an absent
value; ``roles`` and a team member's ``emails`` are ``;``-separated lists; ``history`` is a JSON list. Errors
name the file and line.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from accountgraph.errors import BundleRejected
from accountgraph.graph.store import ROW_FIELDS
from accountgraph.projection import TIE_FIELDS
from accountgraph.schema.models import BUNDLE_LISTS, Bundle, BundleIssue

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ROW_FIELDS["company"],
    "people": ROW_FIELDS["person"],
    "team": ROW_FIELDS["team"],
    "ties": TIE_FIELDS,
    "interactions": ROW_FIELDS["interaction"],
    "risks": ROW_FIELDS["risk"],
}


_LIST_COLUMNS = frozenset({"roles", "emails"})
"""Columns holding a `;`-separated list."""


def read_json(path: Path) -> Any:
    """The raw JSON document of a bundle file (BundleRejected for unreadable or malformed JSON)."""
    try:
        with path.open("rb") as fh:
            return json.load(fh)
    except json.JSONDecodeError as err:
        raise BundleRejected(
            [BundleIssue(record="bundle", field=f"line {err.lineno}, column {err.colno}", reason=err.msg)]
        ) from err
    except UnicodeDecodeError as err:
        raise BundleRejected([BundleIssue(record="bundle", reason=f"not UTF-8 text: {err}")]) from err


def _cell(column: str, value: str) -> Any:
    if value == "":
        return None
    if column in _LIST_COLUMNS:
        return [r.strip() for r in value.split(";") if r.strip()]
    if column == "history":
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise ValueError(f"history is not a JSON list: {err.msg}") from err
    return value


@dataclass
class Document:
    """A raw bundle document as read from a file: what its reader already found wrong (a CSV row's cell count, a
    cell that is not JSON), and for CSV the line each list's rows start on, so a problem names its line."""

    raw: Any
    found: list[BundleIssue] = field(default_factory=list)
    lines: dict[str, list[int]] | None = None

    def locate(self, issue: BundleIssue) -> str:
        """A person-readable place for an issue: the CSV file and line, or the JSON list and index."""
        rows = (self.lines or {}).get(issue.record)
        if rows is None or issue.index is None or issue.index >= len(rows):
            return str(issue)
        where = f"{issue.record}.csv line {rows[issue.index]}"
        if issue.id is not None:
            where += f" (id {issue.id!r})"
        if issue.field:
            where += f", column {issue.field!r}"
        return f"{where}: {issue.reason}"


def _breaks(row: dict[Any, Any]) -> int:
    """The line breaks inside a CSV row's quoted cells."""
    cells = [c for v in row.values() for c in (v if isinstance(v, list) else [v]) if c]
    return sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells)


def read_csv_dir(folder: Path) -> Document:
    """A raw bundle document from a directory of CSV files. A file that cannot be read as a list (unknown columns,
    not UTF-8) refuses it at once (BundleRejected names the file); a row's problems (its cell count, a cell that is
    not JSON) are the document's `found` issues, listed with what the import's check finds."""
    raw: dict[str, Any] = {}
    lines: dict[str, list[int]] = {}
    issues: list[BundleIssue] = []
    found: list[BundleIssue] = []
    present = False
    for name in BUNDLE_LISTS:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        present = True
        rows: list[dict[str, Any]] = []
        starts: list[int] = []
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                header = reader.fieldnames or []
                unknown = sorted(set(header) - set(CSV_COLUMNS[name]))
                if unknown:
                    issues.append(
                        BundleIssue(record=name, field=", ".join(unknown), reason=f"unknown column(s) in {path.name}")
                    )
                    continue
                for index, row in enumerate(reader):
                    starts.append(reader.line_num - _breaks(row))
                    item: dict[str, Any] = {}
                    cells = len(header) + len(row.get(None) or []) - sum(v is None for v in row.values())
                    if cells != len(header):
                        reason = f"wrong number of cells: {cells}, the header has {len(header)}"
                        found.append(BundleIssue(record=name, index=index, reason=reason))
                    for column, value in row.items():
                        if column is None or value is None:
                            continue
                        try:
                            cell = _cell(column, value)
                        except ValueError as err:
                            found.append(BundleIssue(record=name, index=index, field=column, reason=str(err)))
                            continue
                        if cell is not None:
                            item[column] = cell
                    rows.append(item)
        except (UnicodeDecodeError, csv.Error) as err:
            issues.append(BundleIssue(record=name, reason=f"cannot read {path.name}: {err}"))
        raw[name] = rows
        lines[name] = starts
    if not present:
        issues.append(
            BundleIssue(
                record="bundle",
                reason=f"{folder} holds none of {', '.join(n + '.csv' for n in BUNDLE_LISTS)}",
            )
        )
    if issues:
        raise BundleRejected(issues)
    return Document(raw, found, lines)


def read_path(path: Path) -> Document:
    """The raw bundle document of a JSON file or a CSV directory (BundleRejected if unreadable)."""
    if path.is_dir():
        return read_csv_dir(path)
    if path.exists():
        return Document(read_json(path))
    raise BundleRejected([BundleIssue(record="bundle", reason=f"{path} does not exist")])


def write_json(bundle: Bundle, path: Path | None) -> str:
    text = bundle.model_dump_json(by_alias=True, indent=1)
    if path is not None:
        path.write_text(text + "\n", encoding="utf-8")
    return text


def write_csv_dir(bundle: Bundle, folder: Path) -> list[Path]:
    """Write one CSV file per list (header included even when empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in BUNDLE_LISTS:
        path = folder / f"{name}.csv"
        columns = CSV_COLUMNS[name]
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for record in getattr(bundle, name):
                row = record.model_dump(mode="json", by_alias=True)
                writer.writerow([_csv_value(c, row.get(c)) for c in columns])
        written.append(path)
    return written


def _csv_value(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in _LIST_COLUMNS:
        return ";".join(value)
    if column == "history":
        return json.dumps(value, ensure_ascii=False) if value else ""
    return str(value)


def to_graphml(g: nx.MultiDiGraph, path: Path) -> None:
    """Write an account projection as GraphML (lists joined with ';', absent values left out)."""
    out = nx.MultiDiGraph()
    for node, data in g.nodes(data=True):
        out.add_node(node, **_graphml_attrs(data))
    for a, b, key, data in g.edges(keys=True, data=True):
        out.add_edge(a, b, key=key, **_graphml_attrs(data))
    out.graph["account"] = str(g.graph.get("account", ""))
    out.graph["as_of"] = str(g.graph.get("as_of", ""))
    nx.write_graphml(out, str(path))


def _graphml_attrs(data: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            value = ";".join(str(v) for v in value)
        elif not isinstance(value, (str, int, float, bool)):
            value = str(value)
        attrs[key] = value
    return attrs
