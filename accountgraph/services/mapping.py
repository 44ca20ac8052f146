"""Mappings from another system's export (its columns) to AccountGraph's records, and the built-in profiles.

A mapping is a YAML or JSON file::

    record: person                 # what one row is: person (a contact) or company (an account)
    key: Contact ID                # the column that identifies a row in the source system (optional)
    ids: {person: sf-, company: sf-}   # new records' ids: this prefix + the key (or + the name)
    parent: grp                    # the parent of companies the export names that do not exist yet
                                   # (default: each becomes the root of a new account)
    date_format: ["%m/%d/%Y"]      # the default formats of date cells (ISO dates are always understood)
    detect: [Contact ID]           # columns that tell this mapping's files apart (for a profile's choice)
    footer: ['^Copyright \\(c\\)']   # a report's footer after a blank line: skipped (`tables.drop_footer`)
    fields:                        # AccountGraph field: where its value comes from
      name: {join: [First Name, Last Name]}         # derived: the cells joined by `sep` (default " ")
      title: [Title, Job Title]                     # the first of these columns the file has
      company: Account Name                         # a company by name (created when it is new)
      reports_to: Reports To                        # a manager by key, e-mail or name
      stance: {column: Attitude, values: {Supportive: supporter, 反对: opponent}}
      roles: {column: Role, split: ";", values: {决策者: decision_maker, Other: null}}
      since: {column: Start Date, date_format: "%d.%m.%Y"}
      department: {value: Purchasing}               # a constant

Column names are matched without regard to case or repeated spaces. A value that already names an
AccountGraph value (`Decision Maker` for `decision_maker`) needs no synonym; a synonym mapped to null drops
the value. Every problem of a mapping is reported with its file and key (`BundleRejected`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from accountgraph.errors import BundleRejected
from accountgraph.schema.models import BundleIssue, Role, Stance


class RecordKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


FIELDS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.PERSON: (
        "name",
        "company",
        "company_key",
        "title",
        "department",
        "level",
        "reports_to",
        "roles",
        "stance",
        "email",
        "phone",
        "since",
        "until",
    ),
    RecordKind.COMPANY: ("name", "parent", "parent_key", "industry", "region", "country"),
}
"""The fields a row of each kind may fill. `company_key` / `parent_key`: the source system's id of the company
(or parent company), matched with the ids the same mapping gives companies."""
DATE_FIELDS = frozenset({"since", "until"})
ENUMS: dict[str, tuple[str, ...]] = {
    "stance": tuple(s.value for s in Stance),
    "roles": tuple(r.value for r in Role),
}
_SPEC_KEYS = frozenset({"column", "join", "sep", "values", "date_format", "split", "value"})
_TOP_KEYS = frozenset(
    {"name", "description", "record", "key", "ids", "parent", "date_format", "detect", "fields", "encoding", "sheet",
     "footer"}
)  # fmt: skip
DEFAULT_SPLIT = r"[;,，、/]"
"""How a multi-value cell (roles) is split when the mapping says nothing."""


def norm(column: str) -> str:
    """A column name as it is matched: case-folded, spaces collapsed."""
    return " ".join(str(column).split()).casefold()


@dataclass(frozen=True)
class FieldSpec:
    """Where one field's value comes from: the first present of `columns`, or all of `join` joined by `sep`, or
    the constant `value`; then synonyms (`values`, keys compared case-folded), date formats, a split pattern."""

    columns: tuple[str, ...] = ()
    join: tuple[tuple[str, ...], ...] = ()  # each part: the first present of its alternatives
    sep: str = " "
    value: str | None = None
    values: dict[str, str | None] = field(default_factory=dict)
    date_format: tuple[str, ...] = ()
    split: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(c for part in self.join for c in part) or self.columns


@dataclass(frozen=True)
class Mapping:
    """A checked mapping (see the module's docstring)."""

    name: str
    source: str  # the file (or profile) it came from, for messages
    record: RecordKind
    fields: dict[str, FieldSpec]
    key: tuple[str, ...] = ()
    ids: dict[RecordKind, str] = field(default_factory=dict)
    parent: str | None = None
    date_format: tuple[str, ...] = ()
    detect: tuple[tuple[str, ...], ...] = ()  # each: one of these columns
    encoding: tuple[str, ...] = ("utf-8-sig",)
    sheet: str | None = None
    description: str | None = None
    footer: tuple[str, ...] = ()  # patterns of a footer line (`tables.drop_footer`)

    def prefix(self, kind: RecordKind) -> str:
        return self.ids.get(kind, "")

    def columns(self) -> set[str]:
        """Every column the mapping reads (normalised)."""
        used = {norm(c) for c in self.key}
        for spec in self.fields.values():
            used.update(norm(c) for c in spec.sources)
        return used


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[BundleIssue] = []

    def add(self, where: str, reason: str) -> None:
        self.issues.append(BundleIssue(record=self.source, field=where or None, reason=reason))


def _strings(value: Any, where: str, problems: _Problems, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A string or a list of strings."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        problems.add(where, "must be a column name or a list of them (non-empty text)")
        return ()
    if not items and not allow_empty:
        problems.add(where, "must name at least one column")
    return tuple(items)


def _alternatives(value: Any, where: str, problems: _Problems) -> tuple[tuple[str, ...], ...]:
    """A list whose items are a column or a list of alternative columns."""
    if not isinstance(value, list) or not value:
        problems.add(where, "must be a list of columns (each a name, or a list of alternative names)")
        return ()
    return tuple(_strings(item, f"{where}[{i}]", problems) for i, item in enumerate(value))


def enum_value(field_name: str, raw: str) -> str | None:
    """The AccountGraph value a cell names by itself (`Decision Maker` -> decision_maker), if any."""
    candidate = re.sub(r"[\s\-]+", "_", raw.strip()).casefold()
    return candidate if candidate in ENUMS[field_name] else None


def _check_date_formats(value: Any, where: str, problems: _Problems) -> tuple[str, ...]:
    formats = [value] if isinstance(value, str) else value
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
        problems.add(where, "must be a strptime format such as '%d.%m.%Y', or a list of them")
        return ()
    return tuple(formats)


def _spec(name: str, raw: Any, kind: RecordKind, problems: _Problems) -> FieldSpec | None:
    where = f"fields.{name}"
    if name not in FIELDS[kind]:
        problems.add(where, f"unknown field for a {kind.value} row; one of {', '.join(FIELDS[kind])}")
        return None
    if isinstance(raw, (str, list)):
        columns = _strings(raw, where, problems)
        return FieldSpec(columns=columns) if columns else None
    if not isinstance(raw, MappingType):
        problems.add(where, "must be a column name, a list of columns, or a mapping with 'column', 'join' or 'value'")
        return None
    unknown = sorted(set(map(str, raw)) - _SPEC_KEYS)
    if unknown:
        problems.add(where, f"unknown key(s) {', '.join(unknown)}; one of {', '.join(sorted(_SPEC_KEYS))}")
    given = [k for k in ("column", "join", "value") if k in raw]
    if len(given) != 1:
        problems.add(where, "needs exactly one of 'column', 'join' or 'value'")
        return None
    columns = _strings(raw["column"], f"{where}.column", problems) if "column" in raw else ()
    join = _alternatives(raw["join"], f"{where}.join", problems) if "join" in raw else ()
    value = raw.get("value")
    if "value" in raw and (not isinstance(value, str) or not value.strip()):
        problems.add(f"{where}.value", "must be non-empty text")
        value = None
    sep = raw.get("sep", " ")
    if not isinstance(sep, str):
        problems.add(f"{where}.sep", "must be text")
        sep = " "
    values: dict[str, str | None] = {}
    synonyms = raw.get("values", {})
    if not isinstance(synonyms, MappingType):
        problems.add(f"{where}.values", "must map source values to AccountGraph values")
    else:
        for source_value, target in synonyms.items():
            key_where = f"{where}.values.{source_value}"
            if target is not None and not isinstance(target, str):
                problems.add(key_where, "must be text or null (null drops the value)")
                continue
            if name in ENUMS and target is not None and target not in ENUMS[name]:
                problems.add(key_where, f"{target!r} is not a {name} value; one of {', '.join(ENUMS[name])}")
                continue
            values[str(source_value).strip().casefold()] = target
    formats: tuple[str, ...] = ()
    if "date_format" in raw:
        if name not in DATE_FIELDS:
            problems.add(f"{where}.date_format", f"only date fields ({', '.join(sorted(DATE_FIELDS))}) take one")
        else:
            formats = _check_date_formats(raw["date_format"], f"{where}.date_format", problems)
    split = raw.get("split")
    if split is not None:
        if name != "roles":
            problems.add(f"{where}.split", "only roles (a list) are split")
        elif not isinstance(split, str) or not split:
            problems.add(f"{where}.split", "must be the separator text, such as ';'")
            split = None
        else:
            split = re.escape(split)
    return FieldSpec(
        columns=columns,
        join=join,
        sep=sep,
        value=value,
        values=values,
        date_format=formats,
        split=split,
    )


def parse_mapping(raw: Any, source: str) -> Mapping:
    """A mapping from its parsed document; `source` names it in every problem.

    Raises:
        BundleRejected: every problem, each naming the mapping's file and key.
    """
    problems = _Problems(source)
    if not isinstance(raw, MappingType):
        problems.add("", "a mapping must be a YAML or JSON object with 'record' and 'fields'")
        raise BundleRejected(problems.issues)
    for unknown in sorted(set(map(str, raw)) - _TOP_KEYS):
        problems.add(unknown, f"unknown key; one of {', '.join(sorted(_TOP_KEYS))}")
    record_raw = raw.get("record", "person")
    try:
        record = RecordKind(record_raw)
    except ValueError:
        problems.add("record", f"{record_raw!r} is not a row kind; one of person, company")
        record = RecordKind.PERSON
    fields: dict[str, FieldSpec] = {}
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, MappingType) or not fields_raw:
        problems.add("fields", "must map AccountGraph fields to columns")
    else:
        for name, spec_raw in fields_raw.items():
            spec = _spec(str(name), spec_raw, record, problems)
            if spec is not None:
                fields[str(name)] = spec
        if "name" not in fields_raw:
            problems.add("fields", "needs 'name' (a column, or 'join' of first and last name columns)")
        if record is RecordKind.PERSON and not ({"company", "company_key"} & set(map(str, fields_raw))):
            problems.add("fields", "needs 'company' (the company's name) or 'company_key' (its id in the source)")
    key = _strings(raw["key"], "key", problems) if raw.get("key") is not None else ()
    ids: dict[RecordKind, str] = {}
    ids_raw = raw.get("ids", {})
    if not isinstance(ids_raw, MappingType):
        problems.add("ids", "must map person and company to an id prefix")
    else:
        for kind_name, prefix in ids_raw.items():
            try:
                kind = RecordKind(kind_name)
            except ValueError:
                problems.add(f"ids.{kind_name}", "unknown record kind; one of person, company")
                continue
            if not isinstance(prefix, str) or prefix != prefix.lstrip() or len(prefix) > 50:
                problems.add(f"ids.{kind_name}", "must be text of at most 50 characters, not starting with a space")
                continue
            ids[kind] = prefix
    parent = raw.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        problems.add("parent", "must be the id of an existing company")
        parent = None
    date_format = _check_date_formats(raw["date_format"], "date_format", problems) if "date_format" in raw else ()
    detect = _alternatives(raw["detect"], "detect", problems) if "detect" in raw else ()
    encoding: tuple[str, ...] = ("utf-8-sig",)
    if "encoding" in raw:
        encoding = _strings(raw["encoding"], "encoding", problems)
        for name in encoding:
            try:
                "".encode(name)
            except LookupError:
                problems.add("encoding", f"unknown text encoding {name!r}")
    sheet = raw.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        problems.add("sheet", "must be the name of a worksheet")
        sheet = None
    footer = _strings(raw["footer"], "footer", problems) if "footer" in raw else ()
    for pattern in footer:
        try:
            re.compile(pattern)
        except re.error as err:
            problems.add("footer", f"not a regular expression: {pattern!r}: {err}")
    name = raw.get("name", Path(source).stem)
    description = raw.get("description")
    if problems.issues:
        raise BundleRejected(problems.issues)
    return Mapping(
        name=str(name),
        source=source,
        record=record,
        fields=fields,
        key=key,
        ids=ids,
        parent=parent,
        date_format=date_format,
        detect=detect,
        encoding=encoding,
        sheet=sheet,
        description=str(description) if description is not None else None,
        footer=footer,
    )


def read_mapping_text(text: str, source: str) -> Mapping:
    """A mapping from YAML or JSON text (JSON is YAML too; a `.json` file is read as JSON for exact errors)."""
    try:
        raw = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except json.JSONDecodeError as err:
        issue = BundleIssue(record=source, field=f"line {err.lineno}, column {err.colno}", reason=err.msg)
        raise BundleRejected([issue]) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None
        reason = str(getattr(err, "problem", None) or err)
        raise BundleRejected([BundleIssue(record=source, field=where, reason=f"not YAML: {reason}")]) from None
    return parse_mapping(raw, source)


def read_mapping(path: Path) -> Mapping:
    """A mapping file (YAML or JSON). Raises BundleRejected naming the file; OSError when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise BundleRejected([BundleIssue(record=path.name, reason=f"not UTF-8 text: {err}")]) from None
    return read_mapping_text(text, path.name)


# ---- the built-in profiles ------------------------------------------------------------------------
PROFILES: dict[str, tuple[str, ...]] = {
    "salesforce": ("salesforce-contacts", "salesforce-accounts"),
    "hubspot": ("hubspot-contacts", "hubspot-companies"),
    "dynamics": ("dynamics-contacts", "dynamics-accounts"),
    "zh-crm": ("zh-crm",),
}
"""Each profile and its mappings (`accountgraph/services/profiles/NAME.yaml`); a file is read with the first of
them whose `detect` columns it has. A mapping's own name (`salesforce-accounts`) is a profile too."""


def profile_names() -> list[str]:
    return sorted({*PROFILES, *(m for ms in PROFILES.values() for m in ms)})


def profile(name: str) -> list[Mapping]:
    """The mappings of a built-in profile (BundleRejected naming the known ones for an unknown name)."""
    members = PROFILES.get(name) or ((name,) if name in profile_names() else None)
    if members is None:
        issue = BundleIssue(record="profile", field=name, reason=f"unknown profile; one of {', '.join(PROFILES)}")
        raise BundleRejected([issue])
    folder = resources.files("accountgraph.services") / "profiles"
    return [read_mapping_text((folder / f"{m}.yaml").read_text(encoding="utf-8"), f"{m}.yaml") for m in members]


def choose(mappings: Iterable[Mapping], header: Iterable[str], file: str) -> Mapping:
    """The first mapping whose `detect` columns the file's header has (one without `detect` fits any file).

    Raises:
        BundleRejected: naming the file and what each mapping looks for, when none fits.
    """
    have = {norm(h) for h in header}
    candidates = list(mappings)
    for mapping in candidates:
        if all(any(norm(c) in have for c in part) for part in mapping.detect):
            return mapping
    looked = "; ".join(f"{m.name} needs {' and '.join(' or '.join(part) for part in m.detect)}" for m in candidates)
    raise BundleRejected([BundleIssue(record=file, field="header", reason=f"no mapping of the profile fits: {looked}")])
