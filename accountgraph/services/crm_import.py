"""Importing another system's export (CSV or XLSX) through a mapping: the rows become records of a bundle that
goes through the one import use case (`records.import_document`: the store's full check, the scope's, one
transaction), so a mapped file is checked and written exactly as a bundle is.

How a row finds its record, in this order (each match is reported with the rule that made it, never merged
silently):

1. its key: the mapping's id prefix + the key column's value is the id of a stored record (`id`);
2. a person's e-mail (case-insensitive) is that of one stored person (`email`);
3. a person's name and company are those of one stored person (`name and company`); a company's name is that
   of one stored company (`name`).

A matched record keeps every field the row leaves empty; a row that changes nothing is left out of the write,
so re-importing the same export changes nothing. A new record's id is the prefix + the key, or, without one,
the prefix + its e-mail or name. A company a row names that does not exist yet is created: the root of a new
account, or under the mapping's `parent`. A manager (`reports_to`) is found by key, e-mail or name (in the
same company first); one that cannot be found is a note, and the stored manager stays.

Every problem names the file, the row and the column (`BundleRejected`); nothing is written when there is one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from accountgraph.errors import BundleRejected
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import MAX_ID_LENGTH, ApiRole, BundleIssue, Company, Person
from accountgraph.services import records
from accountgraph.services.mapping import (
    DATE_FIELDS,
    DEFAULT_SPLIT,
    ENUMS,
    FieldSpec,
    Mapping,
    RecordKind,
    choose,
    enum_value,
    norm,
)
from accountgraph.services.scope import Scope, writes
from accountgraph.services.tables import Cell, Row, Table, drop_footer, read_table

Action = Literal["create", "update", "unchanged"]
_LIST = {RecordKind.PERSON: "people", RecordKind.COMPANY: "companies"}
_DONE = {"create": "created", "update": "updated", "unchanged": "unchanged"}
_COMPARED: dict[RecordKind, type[BaseModel]] = {RecordKind.PERSON: Person, RecordKind.COMPANY: Company}


class FieldSource(BaseModel):
    field: str
    source: str = Field(description="the column(s) or constant the mapping reads")
    column: str | None = Field(default=None, description="the file's column it reads (None: not in the file)")


class Landing(BaseModel):
    """One record as it would land."""

    kind: str
    id: str
    action: Action
    matched_by: str | None = Field(default=None, description="id, email, name and company, name; None: new")
    where: str = Field(description="the row it comes from (file and row), or the row that first names a company")
    record: dict[str, Any]


class ImportPlan(BaseModel):
    """What a mapped import does: the mapping as read against the file, every record as it lands, notes and
    problems (each naming file, row and column)."""

    file: str
    mapping: str
    record: str
    fields: list[FieldSource]
    unused_columns: list[str] = Field(description="the file's columns the mapping does not read")
    rows: list[Landing] = Field(description="one per row of the file, in order")
    companies: list[Landing] = Field(description="companies the rows name that are created")
    notes: list[str]
    problems: list[BundleIssue]
    counts: dict[str, int] = Field(description="records created, updated and unchanged")
    imported: dict[str, int] | None = Field(default=None, description="records written per list; None: dry run")


def where_of(issue: BundleIssue) -> str:
    """A person-readable place and reason: `contacts.csv row 4, column 'Email': ...`."""
    if not issue.field:
        return f"{issue.record}: {issue.reason}"
    kind = "column" if " row " in issue.record else "at"
    return f"{issue.record}, {kind} {issue.field!r}: {issue.reason}"


# ---- helpers ---------------------------------------------------------------------------------------
def _clean(text: str) -> str:
    return " ".join(text.split())


def _name_key(text: str) -> str:
    return _clean(text).casefold()


def make_id(prefix: str, text: str) -> str:
    """An id from a prefix and a value: spaces become `-`, at most 200 characters (a long one ends in a hash)."""
    body = re.sub(r"[\x00-\x1f\x7f]", "", "-".join(text.split()))
    ident = prefix + body
    if len(ident) > MAX_ID_LENGTH:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:16]
        ident = ident[: MAX_ID_LENGTH - 17] + "-" + digest
    return ident


def _stored(store: GraphStore, scope: Scope, kind: str) -> Iterator[Any]:
    cursor: str | None = None
    while True:
        page = records.list_records(store, scope, kind, limit=1000, cursor=cursor)
        yield from page.data
        if not page.next_cursor:
            return
        cursor = page.next_cursor


@dataclass
class _Source:
    where: str
    columns: dict[str, str] = field(default_factory=dict)  # record field -> the column (or mapping key) behind it


@dataclass
class _Values:
    """A row's mapped values, and for each field the column it came from."""

    row: Row
    values: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)


class _Index:
    """The stored records the scope sees, for matching: read once, on first use, and indexed by id, e-mail
    (case-folded) and name (case-folded, spaces collapsed)."""

    def __init__(self, store: GraphStore, scope: Scope) -> None:
        self.store, self.scope = store, scope
        self._people: dict[str, Person] | None = None
        self._companies: dict[str, Company] | None = None
        self._by_email: dict[str, list[Person]] = {}
        self._by_name: dict[str, list[Person]] = {}
        self._companies_by_name: dict[str, list[Company]] = {}

    @property
    def people(self) -> dict[str, Person]:
        if self._people is None:
            self._people = {p.id: p for p in _stored(self.store, self.scope, "person")}
            for p in self._people.values():
                if p.email:
                    self._by_email.setdefault(p.email.strip().casefold(), []).append(p)
                self._by_name.setdefault(_name_key(p.name), []).append(p)
        return self._people

    @property
    def companies(self) -> dict[str, Company]:
        if self._companies is None:
            self._companies = {c.id: c for c in _stored(self.store, self.scope, "company")}
            for c in self._companies.values():
                self._companies_by_name.setdefault(_name_key(c.name), []).append(c)
        return self._companies

    def companies_named(self, name: str) -> list[Company]:
        self.companies  # noqa: B018 - read and indexed on first use
        return list(self._companies_by_name.get(_name_key(name), []))

    def people_with_email(self, email: str) -> list[Person]:
        self.people  # noqa: B018 - read and indexed on first use
        return list(self._by_email.get(email.strip().casefold(), []))

    def people_named(self, name: str, company: str | None) -> list[Person]:
        self.people  # noqa: B018 - read and indexed on first use
        return [p for p in self._by_name.get(_name_key(name), []) if company is None or p.company == company]


class _Planner:
    def __init__(self, store: GraphStore, scope: Scope, table: Table, mapping: Mapping) -> None:
        self.table, self.mapping = table, mapping
        self.index = _Index(store, scope)
        self.problems: list[BundleIssue] = list(table.problems)
        self.notes: list[str] = []
        self.by_norm = {norm(h): h for h in table.header if h}
        # landed records by id, in the order they were first made, with their source
        self.companies: dict[str, Landing] = {}
        self.company_sources: dict[str, _Source] = {}
        self.company_by_name: dict[str, str] = {}
        self.people: dict[str, Landing] = {}
        self.person_sources: dict[str, _Source] = {}
        self.rows: list[Landing] = []
        self.first_row_of: dict[str, int] = {}
        self.file_emails: dict[str, list[str]] = {}  # the file's people by e-mail, for managers
        self.file_names: dict[str, list[tuple[str, str]]] = {}  # by name: (id, company)

    # ---- the mapping against the header -------------------------------------------------------
    def resolve(self) -> tuple[list[FieldSource], list[str], str | None]:
        """Each field's column in this file, the unused columns, and the key column (None: none)."""
        sources: list[FieldSource] = []
        absent: list[str] = []
        for name, spec in self.mapping.fields.items():
            if spec.value is not None:
                sources.append(FieldSource(field=name, source=f"= {spec.value!r}", column=None))
                continue
            found = [self.by_norm[norm(c)] for c in spec.sources if norm(c) in self.by_norm]
            column: str | None
            if spec.join:
                shown = " + ".join(" | ".join(part) for part in spec.join)
                found = [c for c in (self.first(part) for part in spec.join) if c is not None]
                column = " + ".join(found)
            else:
                shown = " | ".join(spec.columns)
                column = found[0] if found else None
            sources.append(FieldSource(field=name, source=shown, column=column or None))
            if not found:
                needed = name == "name" or (
                    self.mapping.record is RecordKind.PERSON
                    and name in ("company", "company_key")
                    and not any(
                        self._present(self.mapping.fields.get(other))
                        for other in ("company", "company_key")
                        if other != name
                    )
                )
                if needed:
                    self.problems.append(
                        BundleIssue(
                            record=self.table.file,
                            field="header",
                            reason=f"no column for {name!r}; the mapping {self.mapping.name} looks for {shown}",
                        )
                    )
                else:
                    absent.append(f"{name} ({shown})")
        if absent:
            self.notes.append(f"{self.table.file} has no column for {', '.join(absent)}: left as stored")
        key = self.first(self.mapping.key)
        if self.mapping.key and key is None:
            self.notes.append(
                f"{self.table.file} has no key column ({' | '.join(self.mapping.key)}): "
                "records are matched by e-mail and name only"
            )
        used = self.mapping.columns()
        unused = [h for h in self.table.header if h and norm(h) not in used]
        return sources, unused, key

    def first(self, alternatives: tuple[str, ...]) -> str | None:
        """The file's column for the first of `alternatives` it has."""
        return next((self.by_norm[norm(c)] for c in alternatives if norm(c) in self.by_norm), None)

    def _present(self, spec: FieldSpec | None) -> bool:
        if spec is None:
            return False
        return spec.value is not None or any(norm(c) in self.by_norm for c in spec.sources)

    # ---- one row's values ---------------------------------------------------------------------
    def problem(self, row: Row, column: str | None, reason: str) -> None:
        self.problems.append(BundleIssue(record=row.where(self.table.file), field=column, reason=reason))

    def cell(self, row: Row, column: str) -> Cell:
        value = row.cells.get(column, "")
        return value.strip() if isinstance(value, str) else value

    def raw_value(self, row: Row, spec: FieldSpec) -> tuple[Cell, str | None]:
        """The field's raw value in a row and its column ("" when empty)."""
        if spec.value is not None:
            return spec.value, None
        if spec.join:
            columns = [c for c in (self.first(part) for part in spec.join) if c is not None]
            parts = [str(self.cell(row, c)) for c in columns]
            return spec.sep.join(p for p in parts if p), " + ".join(columns)
        for c in spec.columns:
            if norm(c) in self.by_norm:
                column = self.by_norm[norm(c)]
                return self.cell(row, column), column
        return "", None

    def values(self, row: Row) -> _Values:
        out = _Values(row)
        for name, spec in self.mapping.fields.items():
            raw, column = self.raw_value(row, spec)
            if raw == "":
                continue
            try:
                value = self.convert(name, spec, raw)
            except ValueError as err:
                self.problem(row, column, str(err))
                continue
            if value is None or value == []:
                continue
            out.values[name] = value
            out.columns[name] = column or f"{self.mapping.source}: fields.{name}"
        return out

    def convert(self, name: str, spec: FieldSpec, raw: Cell) -> Any:
        if name in DATE_FIELDS:
            return self.to_date(spec, raw)
        text = raw.isoformat() if isinstance(raw, (date, datetime)) else _clean(raw)
        if name == "roles":
            roles: list[str] = []
            for part in re.split(spec.split or DEFAULT_SPLIT, text):
                role = self.enum(name, spec, part.strip())
                if role is not None and role not in roles:
                    roles.append(role)
            return roles
        if name in ENUMS:
            return self.enum(name, spec, text)
        if spec.values:
            text = spec.values.get(text.casefold(), text) or ""
        if name == "level":
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"{raw!r} is not a whole number (a level, 1 at the top)") from None
        return text or None

    def enum(self, name: str, spec: FieldSpec, text: str) -> str | None:
        if not text:
            return None
        key = text.casefold()
        if key in spec.values:
            return spec.values[key]
        value = enum_value(name, text)
        if value is None:
            raise ValueError(
                f"{text!r} is not a {name.removesuffix('s')} ({', '.join(ENUMS[name])}); "
                f"add it to the mapping's fields.{name}.values"
            )
        return value

    def to_date(self, spec: FieldSpec, raw: Cell) -> date:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        formats = (*spec.date_format, *self.mapping.date_format)
        for fmt in formats:
            try:
                return datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            pass
        shown = ", ".join(formats) if formats else "YYYY-MM-DD"
        raise ValueError(f"{raw!r} is not a date ({shown})")

    # ---- landing records ----------------------------------------------------------------------
    def land(
        self, kind: RecordKind, id: str, stored: Any, matched_by: str | None, values: dict[str, Any], where: str
    ) -> Landing:
        if stored is not None:
            record = stored.model_dump(mode="json", by_alias=True, exclude={"history", "changed_on"})
            record.update({k: v for k, v in values.items() if v is not None})
            action: Action = "update"
            try:
                new = _COMPARED[kind].model_validate({**record, "history": []} if kind is RecordKind.PERSON else record)
            except ValidationError:
                pass  # a bad value: the import's check names it, by row and column
            else:
                old = stored.model_copy(update={"history": []}) if kind is RecordKind.PERSON else stored
                action = "unchanged" if new == old else "update"
        else:
            record = {"id": id, **{k: v for k, v in values.items() if v is not None}}
            action = "create"
        record = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in record.items() if v is not None}
        return Landing(kind=kind.value, id=id, action=action, matched_by=matched_by, where=where, record=record)

    def company_for(self, name: str | None, key: str | None, where: str, column: str | None) -> str | None:
        """The id of the company a row names (by the source's id, or by name), created when it is new."""
        prefix = self.mapping.prefix(RecordKind.COMPANY)
        if key:
            cid = make_id(prefix, key)
            if cid in self.companies or cid in self.index.companies:
                return cid
            if not name:
                self.problems.append(
                    BundleIssue(
                        record=where,
                        field=column,
                        reason=f"no company with key {key!r} in the file or the store, and no name to create it",
                    )
                )
                return None
            return self.new_company(cid, name, where, column)
        if not name:
            return None
        known = self.company_by_name.get(_name_key(name))
        if known is not None:
            return known
        if name in self.index.companies:
            return name  # the company's own id
        named = self.index.companies_named(name)
        if len(named) > 1:
            ids = ", ".join(sorted(c.id for c in named))
            self.problems.append(
                BundleIssue(record=where, field=column, reason=f"{len(named)} companies are named {name!r}: {ids}")
            )
            return None
        if named:
            self.company_by_name[_name_key(name)] = named[0].id
            return named[0].id
        return self.new_company(make_id(prefix, name), name, where, column)

    def new_company(self, cid: str, name: str, where: str, column: str | None) -> str:
        stored = self.index.companies.get(cid)
        if stored is not None:  # a company made from this name before (and perhaps renamed since)
            self.company_by_name[_name_key(name)] = cid
            return cid
        values: dict[str, Any] = {"name": name, "parent": self.mapping.parent}
        landing = self.land(RecordKind.COMPANY, cid, None, None, values, where)
        self.companies[cid] = landing
        columns = {"name": column or "", "id": column or "", "parent": column or ""}
        if self.mapping.parent is not None:
            columns["parent"] = f"{self.mapping.source}: parent"
        self.company_sources[cid] = _Source(where, columns)
        self.company_by_name[_name_key(name)] = cid
        return cid

    def duplicate(self, row: Row, id: str, kind: str, column: str | None) -> bool:
        if id in self.first_row_of:
            self.problem(row, column, f"the same {kind} ({id!r}) as row {self.first_row_of[id]}")
            return True
        self.first_row_of[id] = row.number
        return False

    def person_row(self, got: _Values, key_column: str | None) -> tuple[str, dict[str, Any]] | None:
        row, values = got.row, dict(got.values)
        where = row.where(self.table.file)
        if "name" not in values:
            self.problem(row, got.columns.get("name") or self.column_of("name"), "no name: every contact needs one")
            return None
        company_name, company_key = values.pop("company", None), values.pop("company_key", None)
        company_column = got.columns.get("company_key") or got.columns.get("company") or self.column_of("company")
        company = self.company_for(company_name, company_key, where, company_column)
        if company is None:
            if company_name is None and company_key is None:
                self.problem(row, company_column, "no company: every contact belongs to one")
            return None
        values["company"] = company
        manager = values.pop("reports_to", None)
        prefix = self.mapping.prefix(RecordKind.PERSON)
        key = str(self.cell(row, key_column)) if key_column else ""
        id, stored, matched_by = self.match_person(prefix, key, values)
        if self.duplicate(row, id, "person", key_column or got.columns.get("email") or got.columns.get("name")):
            return None
        landing = self.land(RecordKind.PERSON, id, stored, matched_by, values, where)
        self.people[id] = landing
        self.person_sources[id] = _Source(where, dict(got.columns))
        self.rows.append(landing)
        return (id, {"manager": manager, "row": row}) if manager is not None else None

    def match_person(self, prefix: str, key: str, values: dict[str, Any]) -> tuple[str, Person | None, str | None]:
        if key:
            id = make_id(prefix, key)
            if id in self.index.people:
                return id, self.index.people[id], "id"
        email = values.get("email")
        if email:
            found = self.index.people_with_email(email)
            if len(found) == 1:
                return found[0].id, found[0], "email"
        named = self.index.people_named(values["name"], values["company"])
        if len(named) == 1:
            return named[0].id, named[0], "name and company"
        if key:
            return make_id(prefix, key), None, None
        return make_id(prefix, email or f"{values['name']}@{values['company']}"), None, None

    def company_row(self, got: _Values, key_column: str | None) -> tuple[str, dict[str, Any]] | None:
        row, values = got.row, dict(got.values)
        where = row.where(self.table.file)
        if "name" not in values:
            self.problem(row, got.columns.get("name") or self.column_of("name"), "no name: every company needs one")
            return None
        parent_name, parent_key = values.pop("parent", None), values.pop("parent_key", None)
        prefix = self.mapping.prefix(RecordKind.COMPANY)
        key = str(self.cell(row, key_column)) if key_column else ""
        stored: Company | None = None
        matched_by: str | None = None
        id = make_id(prefix, key) if key else ""
        if id and id in self.index.companies:
            stored, matched_by = self.index.companies[id], "id"
        elif id and id in self.companies:  # created earlier as a parent this file names
            pass
        else:
            named = self.index.companies_named(values["name"])
            if len(named) == 1:
                stored, matched_by, id = named[0], "name", named[0].id
            elif len(named) > 1:
                ids = ", ".join(sorted(c.id for c in named))
                reason = f"{len(named)} companies are named {values['name']!r}: {ids}"
                self.problem(row, got.columns.get("name"), reason)
                return None
            elif not id:
                id = self.company_by_name.get(_name_key(values["name"])) or make_id(prefix, values["name"])
        if self.duplicate(row, id, "company", key_column or got.columns.get("name")):
            return None
        if stored is None and id not in self.companies:
            values.setdefault("parent", self.mapping.parent)
        elif stored is None:  # named as a parent by an earlier row: this row fills it in
            values = {**self.companies[id].record, **values}
        landing = self.land(RecordKind.COMPANY, id, stored, matched_by, values, where)
        self.companies[id] = landing
        self.company_sources[id] = _Source(where, dict(got.columns))
        self.company_by_name.setdefault(_name_key(values["name"]), id)
        self.rows.append(landing)
        if parent_name is None and parent_key is None:
            return None
        return id, {"name": parent_name, "key": parent_key, "row": row, "columns": got.columns}

    def column_of(self, name: str) -> str | None:
        spec = self.mapping.fields.get(name)
        if spec is None:
            return None
        _, column = self.raw_value(Row(0, {}), spec)
        return column

    # ---- second pass: managers and parents ----------------------------------------------------
    def set_manager(self, id: str, manager: str, row: Row, column: str | None) -> None:
        landing = self.people[id]
        target = self.find_person(manager, landing.record["company"])
        if target is None:
            self.notes.append(
                f"{row.where(self.table.file)}, column {column!r}: no person {manager!r} in the file or the store; "
                "the manager is left as it was"
            )
            return
        if target == id:
            self.notes.append(f"{row.where(self.table.file)}, column {column!r}: {manager!r} is the person; ignored")
            return
        self.update(RecordKind.PERSON, id, {"reports_to": target})

    def find_person(self, text: str, company: str) -> str | None:
        by_key = make_id(self.mapping.prefix(RecordKind.PERSON), text)
        if by_key in self.people or by_key in self.index.people:
            return by_key
        if text in self.people or text in self.index.people:
            return text
        if "@" in text:
            found = self.file_emails.get(text.strip().casefold(), [])
            found = found or [p.id for p in self.index.people_with_email(text)]
            return found[0] if len(set(found)) == 1 else None
        in_file = self.file_names.get(_name_key(text), [])
        for candidates in ([i for i, c in in_file if c == company], [i for i, _ in in_file]):
            if len(candidates) == 1:
                return candidates[0]
        for stored in (self.index.people_named(text, company), self.index.people_named(text, None)):
            if len(stored) == 1:
                return stored[0].id
        return None

    def set_parent(self, id: str, ask: dict[str, Any]) -> None:
        row, columns = ask["row"], ask["columns"]
        where = row.where(self.table.file)
        parent: str | None
        if ask["key"] is not None:
            parent = make_id(self.mapping.prefix(RecordKind.COMPANY), ask["key"])
            if parent not in self.companies and parent not in self.index.companies:
                parent = self.company_for(ask["name"], ask["key"], where, columns.get("parent_key"))
                if parent is None:
                    return
        else:
            parent = self.company_for(ask["name"], None, where, columns.get("parent"))
        if parent is None or parent == id:
            return
        self.update(RecordKind.COMPANY, id, {"parent": parent})
        source = self.company_sources[id]
        source.columns["parent"] = columns.get("parent_key") or columns.get("parent") or "parent"

    def update(self, kind: RecordKind, id: str, change: dict[str, Any]) -> None:
        landings = self.people if kind is RecordKind.PERSON else self.companies
        old = landings[id]
        stored = (self.index.people if kind is RecordKind.PERSON else self.index.companies).get(id)
        values = {**old.record, **change}
        values.pop("id", None)
        new = self.land(kind, id, stored, old.matched_by, values, old.where)
        landings[id] = new
        self.rows = [new if r.kind == kind.value and r.id == id else r for r in self.rows]

    # ---- the whole file -----------------------------------------------------------------------
    def plan(self) -> tuple[ImportPlan, dict[str, Any], dict[tuple[str, int], _Source]]:
        sources, unused, key_column = self.resolve()
        asks: list[tuple[str, dict[str, Any]]] = []
        if not any(p.record == self.table.file and p.field == "header" for p in self.problems):
            step = self.person_row if self.mapping.record is RecordKind.PERSON else self.company_row
            for row in self.table.rows:
                asked = step(self.values(row), key_column)
                if asked is not None:
                    asks.append(asked)
        for id, landing in self.people.items():
            email = landing.record.get("email")
            if email:
                self.file_emails.setdefault(str(email).strip().casefold(), []).append(id)
            self.file_names.setdefault(_name_key(landing.record["name"]), []).append((id, landing.record["company"]))
        for id, ask in asks:
            if self.mapping.record is RecordKind.PERSON:
                spec = self.mapping.fields["reports_to"]
                self.set_manager(id, ask["manager"], ask["row"], self.raw_value(ask["row"], spec)[1])
            else:
                self.set_parent(id, ask)
        for landing in self.rows:
            if landing.matched_by not in (None, "id"):
                self.notes.append(
                    f"{landing.where}: matched the stored {landing.kind} {landing.id!r} "
                    f"({landing.record.get('name')}) by {landing.matched_by}"
                )
        row_ids = {(r.kind, r.id) for r in self.rows}
        created = [c for c in self.companies.values() if ("company", c.id) not in row_ids]
        counts: dict[str, int] = {}
        for landing in [*self.rows, *created]:
            name = f"{_LIST[RecordKind(landing.kind)]} {_DONE[landing.action]}"
            counts[name] = counts.get(name, 0) + 1
        raw: dict[str, Any] = {"companies": [], "people": []}
        where: dict[tuple[str, int], _Source] = {}
        for kind, landings, origin in (
            (RecordKind.COMPANY, self.companies, self.company_sources),
            (RecordKind.PERSON, self.people, self.person_sources),
        ):
            for landing in landings.values():
                if landing.action == "unchanged":
                    continue
                where[(_LIST[kind], len(raw[_LIST[kind]]))] = origin[landing.id]
                raw[_LIST[kind]].append(landing.record)
        plan = ImportPlan(
            file=self.table.file,
            mapping=self.mapping.name,
            record=self.mapping.record.value,
            fields=sources,
            unused_columns=unused,
            rows=self.rows,
            companies=created,
            notes=self.notes,
            problems=self.problems,
            counts=dict(sorted(counts.items())),
        )
        return plan, raw, where


def _translate(issue: BundleIssue, sources: dict[tuple[str, int], _Source], file: str) -> BundleIssue:
    """A problem the import's check found in the bundle, named by the file's row and column."""
    source = sources.get((issue.record, issue.index)) if issue.index is not None else None
    if source is None:
        return issue.model_copy(update={"record": f"{file} ({issue.record})"})
    column = source.columns.get(issue.field or "", issue.field)
    return BundleIssue(record=source.where, field=column, reason=issue.reason, code=issue.code)


@writes
def import_file(
    store: GraphStore,
    scope: Scope,
    name: str,
    data: bytes,
    mappings: list[Mapping],
    *,
    dry_run: bool = False,
    on: date | None = None,
) -> ImportPlan:
    """Read an export (`name` and its bytes: CSV or XLSX), map it with the first of `mappings` that fits its
    header, and import it in one transaction through `records.import_document` (with `dry_run`, only check it).

    Returns the plan; with `dry_run`, its problems are listed in it.

    Raises:
        BundleRejected: a file that cannot be read, no mapping that fits it, or (not a dry run) every problem of
            the plan, each naming file, row and column; nothing was written.
    """
    scope.require_role(ApiRole.PLANNER)
    first = mappings[0]
    table = read_table(name, data, encodings=first.encoding, sheet=first.sheet)
    mapping = choose(mappings, table.header, name) if len(mappings) > 1 else first
    if mapping is not first and (mapping.encoding, mapping.sheet) != (first.encoding, first.sheet):
        table = read_table(name, data, encodings=mapping.encoding, sheet=mapping.sheet)
    footer = drop_footer(table, mapping.footer)
    plan, raw, sources = _Planner(store, scope, table, mapping).plan()
    if footer is not None:
        plan.notes.insert(0, footer)
    if plan.problems:
        if dry_run:
            return plan
        raise BundleRejected(plan.problems)
    if not any(raw.values()):  # every row is stored as it is: nothing to check, nothing to write
        return plan if dry_run else plan.model_copy(update={"imported": {}})
    try:
        written = records.import_document(store, scope, raw, on=on, dry_run=dry_run, source=name)
    except BundleRejected as rejected:
        problems = [_translate(i, sources, table.file) for i in rejected.issues]
        if dry_run:
            return plan.model_copy(update={"problems": problems})
        raise BundleRejected(problems) from None
    return plan if dry_run else plan.model_copy(update={"imported": written})
