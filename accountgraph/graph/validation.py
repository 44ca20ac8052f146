"""Validation that protects the data: the same checks in front of every backend.

`parse_bundle` checks the structure of a raw document record by record, so one bad record does not hide
the others. `prepare_bundle` checks the bundle against itself and the stored graph (references, id
clashes, cycles in the company hierarchy and the reporting line) through a small read interface that
each backend implements inside its write transaction, and merges the dated history of people.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from accountgraph.errors import BundleRejected
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase, Seq, Term
from accountgraph.i18n.reasons import reason
from accountgraph.schema.models import (
    BUNDLE_FORMAT,
    BUNDLE_LISTS,
    RECORD_MODELS,
    Bundle,
    BundleIssue,
    NodeKind,
    Person,
    PersonState,
    TieType,
)


class GraphReader(Protocol):
    """What validation needs to know of the stored graph (read inside the write transaction)."""

    def kinds_of(self, ids: Collection[str]) -> dict[str, NodeKind]:
        """The kind of each of `ids` that exists as a company, person or team member."""
        ...

    def parents_of(self, kind: NodeKind, ids: Collection[str]) -> dict[str, str | None]:
        """For existing companies their `parent`, for existing people their `reports_to`."""
        ...

    def people(self, ids: Collection[str]) -> dict[str, Person]:
        """The stored people among `ids`."""
        ...


def record_id(raw: Any, record: str) -> str | None:
    """The id of a raw record for error messages (a tie: type:from->to), if it has one."""
    if not isinstance(raw, Mapping):
        return None
    if record == "ties":
        parts = [raw.get("type"), raw.get("from"), raw.get("to")]
        return f"{parts[0]}:{parts[1]}->{parts[2]}" if all(isinstance(p, str) for p in parts) else None
    value = raw.get("id")
    return value if isinstance(value, str) else None


def _issues_from(err: ValidationError, record: str, index: int | None, rid: str | None) -> list[BundleIssue]:
    issues = []
    for e in err.errors(include_url=False):
        field = ".".join(str(p) for p in e["loc"]) or None
        issues.append(BundleIssue(record=record, index=index, id=rid, field=field, reason=reason(e)))
    return issues


def parse_record(model: type[BaseModel], raw: Any, record: str, index: int | None = None) -> Any:
    """Validate one record, raising `BundleRejected` that names the record and field at fault."""
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise BundleRejected(_issues_from(err, record, index, record_id(raw, record))) from err


def parse_bundle(raw: Any, progress: Callable[[int], None] | None = None) -> Bundle:
    """Turn a raw JSON document into a `Bundle`, listing every structural error (raises `BundleRejected`).

    `progress`, if given, is called now and then with the number of records checked since its last call.
    """
    if not isinstance(raw, Mapping):
        raise BundleRejected([BundleIssue(record="bundle", reason=Phrase(N_("a bundle must be a JSON object")))])
    issues: list[BundleIssue] = []
    unknown = sorted(set(raw) - set(BUNDLE_LISTS) - {"format", "version"})
    for key in unknown:
        issues.append(
            BundleIssue(
                record="bundle",
                field=str(key),
                reason=Phrase(N_("unknown list; expected {lists}"), lists=", ".join(BUNDLE_LISTS)),
            )
        )
    fmt = raw.get("format", BUNDLE_FORMAT)
    if fmt != BUNDLE_FORMAT:
        issues.append(
            BundleIssue(
                record="bundle", field="format", reason=Phrase(N_("expected {format}"), format=repr(BUNDLE_FORMAT))
            )
        )
    if raw.get("version", 1) != 1:
        issues.append(BundleIssue(record="bundle", field="version", reason=Phrase(N_("only version 1 is known"))))
    lists: dict[str, list[Any]] = {}
    positions: dict[str, list[int]] = {}
    for name in BUNDLE_LISTS:
        items = raw.get(name, [])
        if not isinstance(items, list):  # null too, as the Bundle schema says
            issues.append(BundleIssue(record=name, reason=Phrase(N_("must be a list"))))
            continue
        model = RECORD_MODELS[name]
        parsed, kept = [], []
        for index, item in enumerate(items):
            try:
                parsed.append(model.model_validate(item))
                kept.append(index)
            except ValidationError as err:
                issues.extend(_issues_from(err, name, index, record_id(item, name)))
            if progress is not None and index % 1000 == 999:
                progress(1000)
        if progress is not None:
            progress(len(items) % 1000)
        lists[name] = parsed
        positions[name] = kept
    if issues:
        # the valid records, so that their references can be checked too (see GraphStore.import_document)
        partial = Bundle(**lists) if set(lists) == set(BUNDLE_LISTS) else None
        raise BundleRejected(issues, partial=partial, positions=positions)
    return Bundle(**lists)


class _Issues:
    def __init__(self) -> None:
        self.items: list[BundleIssue] = []

    def add(self, record: str, index: int | None, rid: str | None, field: str | None, reason: str, code: str) -> None:
        self.items.append(BundleIssue(record=record, index=index, id=rid, field=field, reason=reason, code=code))


def _find_cycles(parent: Mapping[str, str | None], starts: Iterable[str]) -> list[list[str]]:
    """Cycles of a functional graph (each node has at most one parent) reachable from `starts`."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cycles = []
    for start in starts:
        walk = []
        node: str | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycles.append(walk[walk.index(node) :])
        for n in walk:
            state[n] = 2
    return cycles


def _closure(kind: NodeKind, changed: Mapping[str, str | None], reader: GraphReader) -> dict[str, str | None]:
    """The parent map of `changed` plus the stored parents of every ancestor they reach."""
    known: dict[str, str | None] = dict(changed)
    frontier = {p for p in changed.values() if p is not None and p not in known}
    while frontier:
        stored = reader.parents_of(kind, frontier)
        for node in frontier:
            known[node] = stored.get(node)
        frontier = {p for p in stored.values() if p is not None and p not in known}
    return known


def merge_history(new: Person, old: Person | None, on: date) -> Person:
    """Keep a person's earlier roles and stance: append a dated state when they change."""
    if old is None and not new.history:
        return new  # a new person without a history has none to keep (a large import: nearly all of them)
    history = list(new.history) or (list(old.history) if old is not None else [])
    current = PersonState(roles=new.roles, stance=new.stance)
    if not history:
        if old is None or (old.roles, old.stance) == (current.roles, current.stance):
            return new.model_copy(update={"history": []})  # nothing changed yet: no history to keep
        history = [PersonState(roles=old.roles, stance=old.stance)]
    last = history[-1]
    if (last.roles, last.stance) != (current.roles, current.stance):
        since = new.changed_on or on
        if last.since is not None and since <= last.since:
            since = last.since  # same-day correction: replace the last state
            history[-1] = current.model_copy(update={"since": since})
        else:
            history.append(current.model_copy(update={"since": since}))
    if len(history) == 1 and history[0].since is None:
        history = []  # a single undated state says no more than `roles` and `stance`
    return new.model_copy(update={"history": history})


def prepare_bundle(bundle: Bundle, reader: GraphReader, on: date) -> Bundle:
    """Check `bundle` against itself and the stored graph; return it ready to write.

    Raises:
        BundleRejected: with every issue found; the caller writes nothing.
    """
    issues = _Issues()
    # 1. duplicates within a list, and one id space for companies, people and team members
    node_lists: tuple[tuple[str, NodeKind], ...] = (
        ("companies", NodeKind.COMPANY),
        ("people", NodeKind.PERSON),
        ("team", NodeKind.TEAM),
    )
    kind_in_bundle: dict[str, NodeKind] = {}
    for record, kind in node_lists:
        for index, item in enumerate(getattr(bundle, record)):
            other = kind_in_bundle.get(item.id)
            if other is not None:
                why = (
                    Phrase(N_("id appears twice in this list"))
                    if other == kind
                    else Phrase(N_("id is also given as a {kind}"), kind=Term(other.value, other.value))
                )
                issues.add(record, index, item.id, "id", why, "conflict")
            kind_in_bundle[item.id] = kind
    for record in ("interactions", "risks"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(bundle, record)):
            if item.id in seen:
                issues.add(record, index, item.id, "id", Phrase(N_("id appears twice in this list")), "conflict")
            seen.add(item.id)
    keys = [(tie.type, tie.from_, tie.to) for tie in bundle.ties]  # `tie.key`, without reading the enum's value
    if len(set(keys)) != len(keys):  # some tie given twice: which
        tie_keys: set[tuple[TieType, str, str]] = set()
        for index, (tie, key) in enumerate(zip(bundle.ties, keys, strict=True)):
            if key in tie_keys:
                issues.add("ties", index, ":".join(tie.key), None, Phrase(N_("the same tie appears twice")), "conflict")
            tie_keys.add(key)

    referenced: set[str] = set(kind_in_bundle)
    referenced |= {c.parent for c in bundle.companies if c.parent}
    referenced |= {p.company for p in bundle.people} | {p.reports_to for p in bundle.people if p.reports_to}
    referenced |= {t.from_ for t in bundle.ties} | {t.to for t in bundle.ties}
    referenced |= {i.member for i in bundle.interactions} | {i.person for i in bundle.interactions}
    referenced |= {r.company for r in bundle.risks}
    stored = reader.kinds_of(referenced) if referenced else {}
    for record, kind in node_lists:
        for index, item in enumerate(getattr(bundle, record)):
            was = stored.get(item.id)
            if was is not None and was != kind:
                issues.add(
                    record,
                    index,
                    item.id,
                    "id",
                    Phrase(N_("id is already used by a {kind}"), kind=Term(was.value, was.value)),
                    "conflict",
                )

    def kind_of(node_id: str) -> NodeKind | None:
        return kind_in_bundle.get(node_id) or stored.get(node_id)

    def expect(record: str, index: int, rid: str, field: str, value: str, allowed: set[NodeKind]) -> None:
        found = kind_of(value)
        if found in allowed:  # the common case, without building the message
            return
        names = Seq(tuple(Term(k, k) for k in sorted(k.value for k in allowed)), N_(" or "))
        if found is None:
            why = Phrase(N_("no {kinds} with id {id}"), kinds=names, id=repr(value))
            issues.add(record, index, rid, field, why, "reference")
        elif found not in allowed:
            why = Phrase(
                N_("{id} is a {kind}, not a {kinds}"), id=repr(value), kind=Term(found.value, found.value), kinds=names
            )
            issues.add(record, index, rid, field, why, "reference")

    company, person, team = {NodeKind.COMPANY}, {NodeKind.PERSON}, {NodeKind.TEAM}
    for index, c in enumerate(bundle.companies):
        if c.parent is not None:
            expect("companies", index, c.id, "parent", c.parent, company)
    for index, p in enumerate(bundle.people):
        expect("people", index, p.id, "company", p.company, company)
        if p.reports_to is not None:
            expect("people", index, p.id, "reports_to", p.reports_to, person)
    person_or_team = person | team
    known = {**stored, **kind_in_bundle}  # as `kind_of` answers
    person_ids = {id for id, kind in known.items() if kind is NodeKind.PERSON}
    person_or_team_ids = person_ids | {id for id, kind in known.items() if kind is NodeKind.TEAM}
    for index, t in enumerate(bundle.ties):
        valid = person_ids if t.type is TieType.INFLUENCES else person_or_team_ids
        if t.from_ in valid and t.to in valid:  # the common case, in sets
            continue
        ends = person if t.type is TieType.INFLUENCES else person_or_team
        rid = ":".join(t.key)
        expect("ties", index, rid, "from", t.from_, ends)
        expect("ties", index, rid, "to", t.to, ends)
    for index, i in enumerate(bundle.interactions):
        expect("interactions", index, i.id, "member", i.member, team)
        expect("interactions", index, i.id, "person", i.person, person)
    for index, r in enumerate(bundle.risks):
        expect("risks", index, r.id, "company", r.company, company)

    # 2. no cycles in the company hierarchy or the reporting line, bundle and store together
    hierarchies: tuple[tuple[str, NodeKind, str, dict[str, str | None]], ...] = (
        ("companies", NodeKind.COMPANY, "parent", {c.id: c.parent for c in bundle.companies}),
        ("people", NodeKind.PERSON, "reports_to", {p.id: p.reports_to for p in bundle.people}),
    )
    for record, kind, field, changed in hierarchies:
        if not changed:
            continue
        position = {item.id: index for index, item in enumerate(getattr(bundle, record))}
        for cycle in _find_cycles(_closure(kind, changed, reader), changed):
            first = next(n for n in cycle if n in position)
            loop = " -> ".join([*cycle, cycle[0]])
            issues.add(
                record, position[first], first, field, Phrase(N_("would make a cycle: {loop}"), loop=loop), "conflict"
            )

    if issues.items:
        raise BundleRejected(issues.items)

    # 3. history of roles and stance
    if bundle.people:
        # the stored people among them (`stored` says which ids are people already: a first load reads none)
        stored_people = [p.id for p in bundle.people if stored.get(p.id) is NodeKind.PERSON]
        old = reader.people(stored_people) if stored_people else {}
        people = [merge_history(p, old.get(p.id), on) for p in bundle.people]
        bundle = bundle.model_copy(update={"people": people})
    return bundle
