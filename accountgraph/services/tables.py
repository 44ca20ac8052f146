"""Reading another system's export as a table: a CSV file (any encoding the mapping names, a byte-order mark,
quoted cells over several lines, `,` `;` or tab between cells) or an XLSX workbook (its first visible sheet,
or the one the mapping names).

Rows are numbered as a spreadsheet numbers them (the header is row 1); a CSV row also keeps the line it starts
on, which differs once a quoted cell spans lines. A file that cannot be read at all is refused at once
(`BundleRejected` naming the file, and the line for broken quoting); a row with the wrong number of cells is
one of the table's problems, listed with the rest.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from accountgraph.errors import BundleRejected
from accountgraph.schema.models import BundleIssue

Cell = str | date | datetime
"""A cell: text (numbers as the text they show), or a date the workbook stored as one."""


@dataclass
class Row:
    number: int  # the spreadsheet row (header: 1)
    cells: dict[str, Cell]  # by the header's column name, as written
    line: int | None = None  # the CSV line the row starts on

    def where(self, file: str) -> str:
        at = f"{file} row {self.number}"
        return at + (f" (line {self.line})" if self.line is not None and self.line != self.number else "")


@dataclass
class Table:
    file: str
    header: list[str]
    rows: list[Row]
    problems: list[BundleIssue] = field(default_factory=list)


def is_xlsx(name: str, data: bytes) -> bool:
    """An XLSX workbook by its name, or by its content (a zip archive) when the name says neither."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return True
    if lower.endswith((".csv", ".tsv", ".txt")):
        return False
    return data[:4] == b"PK\x03\x04"


def read_table(
    name: str, data: bytes, *, encodings: tuple[str, ...] = ("utf-8-sig",), sheet: str | None = None
) -> Table:
    """The table of an export file's bytes (`name` tells CSV from XLSX and names the file in problems)."""
    return _read_xlsx(name, data, sheet) if is_xlsx(name, data) else _read_csv(name, data, encodings)


def drop_footer(table: Table, patterns: tuple[str, ...]) -> str | None:
    """Cut a report's footer off the table: after the last data row, a blank line, then rows of one cell each
    (a report's title, its copyright, who generated it), one of them matching one of `patterns` (searched,
    case-insensitively). The footer's rows and their problems (a wrong number of cells) are dropped; the answer
    is a note naming them, or None when there is no such footer (the rows stay as they were)."""
    if not patterns:
        return None
    found = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    tail = len(table.rows)
    while tail > 0 and sum(1 for c in table.rows[tail - 1].cells.values() if str(c).strip()) <= 1:
        tail -= 1
    block = table.rows[tail:]
    hits = [n for n, row in enumerate(block) if any(found.search(str(c)) for c in row.cells.values())]
    if not hits:
        return None
    previous = table.rows[tail - 1].number if tail else 1
    starts = [n for n in range(hits[0] + 1) if block[n].number > (block[n - 1].number if n else previous) + 1]
    if not starts:  # no blank line before it: not a footer
        return None
    cut = block[starts[0] :]
    gone = {row.where(table.file) for row in cut}
    table.rows = table.rows[: tail + starts[0]]
    table.problems = [p for p in table.problems if p.record not in gone]
    first, last = cut[0], cut[-1]
    # the one-cell row keeps its text under the header's first column
    text = next((str(c) for c in cut[hits[0] - starts[0]].cells.values() if str(c).strip()), "")
    return f"{table.file} rows {first.number}–{last.number}: the report's footer ({text[:80]!r}), skipped"


def _refuse(file: str, reason: str, where: str | None = None) -> BundleRejected:
    return BundleRejected([BundleIssue(record=file, field=where, reason=reason)])


def _decode(file: str, data: bytes, encodings: tuple[str, ...]) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    tried = ", ".join(encodings)
    raise _refuse(file, f"cannot read the text as {tried}; name the file's encoding in the mapping ('encoding')")


def _delimiter(header_line: str) -> str:
    """The cell separator: the most frequent of `,` `;` tab `|` in the header line (`,` when none is)."""
    counts = {d: header_line.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(file: str, data: bytes, encodings: tuple[str, ...]) -> Table:
    text = _decode(file, data, encodings).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]), strict=True)
    try:
        header_row = next(reader, None)
        if header_row is None or not any(h.strip() for h in header_row):
            raise _refuse(file, "the file is empty: no header row")
        header = [h.strip() for h in header_row]
        table = Table(file, header, [])
        number = 1
        start = reader.line_num + 1
        for cells in reader:
            number += 1
            row = Row(number, {}, start)
            start = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(cells) != len(header):
                reason = f"wrong number of cells: {len(cells)}, the header has {len(header)}"
                table.problems.append(BundleIssue(record=row.where(file), reason=reason))
            row.cells = {h: c for h, c in zip(header, cells, strict=False) if h}
            table.rows.append(row)
    except csv.Error as err:
        raise _refuse(file, f"broken CSV: {err}", f"line {reader.line_num}") from None
    return table


def _cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(file: str, data: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except zipfile.BadZipFile as err:
        raise _refuse(file, f"not a readable XLSX workbook: {err}") from None
    except Exception as err:  # the parser's own errors on a damaged workbook are many (KeyError, XML errors, ...)
        raise _refuse(file, f"not a readable XLSX workbook: {type(err).__name__}: {err}") from None
    try:
        return _sheet_table(file, workbook, sheet)
    except BundleRejected:
        raise
    except Exception as err:  # a damaged worksheet inside a readable archive
        raise _refuse(file, f"a damaged worksheet: {type(err).__name__}: {err}") from None
    finally:
        workbook.close()


def _sheet_table(file: str, workbook: Any, sheet: str | None) -> Table:
    """The table of the named (or first visible) worksheet."""
    if sheet is not None:
        if sheet not in workbook.sheetnames:
            raise _refuse(file, f"no worksheet {sheet!r}; it has {', '.join(workbook.sheetnames)}", "sheet")
        worksheet = workbook[sheet]
    else:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise _refuse(file, "the workbook has no visible worksheet")
        worksheet = visible[0]
    rows = iter(worksheet.iter_rows(values_only=True))
    header: list[str] | None = None
    table = Table(file, [], [])
    for number, values in enumerate(rows, start=1):
        cells = [_cell(v) for v in values]
        if not any(str(c).strip() for c in cells):
            continue
        if header is None:
            header = [str(c).strip() for c in cells]
            table.header = header
            continue
        extra = [c for c in cells[len(header) :] if str(c).strip()]
        if extra:
            reason = f"cells beyond the header's {len(header)} columns"
            table.problems.append(BundleIssue(record=f"{file} row {number}", reason=reason))
        table.rows.append(Row(number, {h: c for h, c in zip(header, cells, strict=False) if h}))
    if header is None:
        raise _refuse(file, "the worksheet is empty: no header row")
    return table
