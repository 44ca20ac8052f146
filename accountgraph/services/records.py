"""Reading and writing the graph's records (companies, people, team members, ties, interactions, risks) as a
scope may: the record use cases every interface calls.

A scope limited to some accounts sees the records of those accounts and everything that belongs to no
account (our own team members). Anything else answers exactly as if it did not exist: NotFoundError when it is
asked for, an unknown reference ("no company with id ...") when a write names it, whatever its kind, and it is
left out of lists. A write whose id is taken by a record the scope does not see is refused with one neutral
reason, "id is already taken", that names neither the record's kind nor its account (ids are one namespace
across accounts, so that an id is taken cannot be hidden; use ids that are not guessable if that matters).

Team members are shared by every account whose people they know. A scope limited to accounts may create team
members, and change (or re-send unchanged) one only while none of that member's ties and interactions reaches
a person outside its accounts; it may not delete one (their ties and interactions span accounts). So a key of
one account can never rename or repurpose a colleague another account's ties rely on.

Unlimited scopes pay nothing for this: every check returns at once. `Access` (the store seen through one scope,
for the length of one request or command) keeps the lookups it made, so a request asks the store once per
record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from pydantic import BaseModel

from accountgraph.errors import BundleRejected, InvalidArgument, NotFoundError
from accountgraph.graph.store import RECORD_KINDS, CompanyNode, GraphStore, ListFilter
from accountgraph.graph.validation import parse_record
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.schema.models import (
    ApiRole,
    Bundle,
    BundleIssue,
    Company,
    Interaction,
    Person,
    RiskEvent,
    TeamMember,
    Tie,
    TieType,
)
from accountgraph.services.paging import Page, decode_cursor, encode_cursor
from accountgraph.services.scope import Scope, writes

_TAKEN = Phrase(N_("id is already taken"))
"""The reason given for an id held by a record the scope does not see (no kind, no account)."""
_SHARED_MEMBER = (
    "a key limited to accounts may not change a team member whose ties or interactions reach other accounts"
)
_PAGE = 1000


def record_key(kind: str, record: BaseModel) -> tuple[str, ...]:
    if isinstance(record, Tie):
        return record.key
    return (str(getattr(record, "id")),)  # noqa: B009 - every listable record but a tie has an id


class Access:
    """The store as one scope may use it, for the length of one request or command."""

    def __init__(self, store: GraphStore, scope: Scope) -> None:
        self.store = store
        self.scope = scope
        self._company_account: dict[str, str | None] = {}
        self._person_account: dict[str, str | None] = {}

    # ---- where records belong -----------------------------------------------------------------
    @property
    def scoped(self) -> bool:
        return self.scope.scoped

    def company_account(self, company_id: str) -> str | None:
        """The account holding a stored company, None when there is no such company."""
        if company_id not in self._company_account:
            try:
                self._company_account[company_id] = self.store.account_of(company_id)
            except NotFoundError:
                self._company_account[company_id] = None
        return self._company_account[company_id]

    def person_account(self, person_id: str) -> str | None:
        """The account of a stored person, None when there is no such person."""
        if person_id not in self._person_account:
            try:
                company = self.store.get_person(person_id).company
            except NotFoundError:
                self._person_account[person_id] = None
            else:
                self._person_account[person_id] = self.company_account(company)
        return self._person_account[person_id]

    def _hidden(self, account: str | None) -> bool:
        """True for a stored record of an account this key may not see."""
        return self.scoped and account is not None and not self.scope.sees(account)

    def _hidden_node(self, node_id: str) -> bool:
        """True for a stored company or person (ids shared by every kind of node) the scope may not see."""
        return self.scoped and (
            self._hidden(self.company_account(node_id)) or self._hidden(self.person_account(node_id))
        )

    def _member_reaches_outside(self, member_id: str) -> bool:
        """True when a team member's ties or interactions reach a person the scope may not see."""
        for kind, filters in (("tie", ListFilter(person=member_id)), ("interaction", ListFilter(member=member_id))):
            after: tuple[str, ...] | None = None
            while True:
                rows = self.store.list_records(kind, filters, limit=_PAGE, after=after)
                for row in rows:
                    ends = (row.from_, row.to) if isinstance(row, Tie) else (row.person,)
                    if any(self._hidden(self.person_account(end)) for end in ends if end != member_id):
                        return True
                if len(rows) < _PAGE:
                    break
                after = record_key(kind, rows[-1])
        return False

    # ---- single records (NotFoundError when absent or hidden) ---------------------------------
    def company(self, id: str) -> Company:
        company = self.store.get_company(id)
        if self._hidden(self.company_account(id)):
            raise NotFoundError("company", id)
        return company

    def person(self, id: str) -> Person:
        person = self.store.get_person(id)
        if self._hidden(self.company_account(person.company)):
            raise NotFoundError("person", id)
        return person

    def team_member(self, id: str) -> TeamMember:
        return self.store.get_team_member(id)  # our own people belong to no account

    def interaction(self, id: str) -> Interaction:
        interaction = self.store.get_interaction(id)
        if self._hidden(self.person_account(interaction.person)):
            raise NotFoundError("interaction", id)
        return interaction

    def risk(self, id: str) -> RiskEvent:
        risk = self.store.get_risk(id)
        if self._hidden(self.company_account(risk.company)):
            raise NotFoundError("risk", id)
        return risk

    def tie_visible(self, tie: Tie) -> bool:
        return not any(self._hidden(self.person_account(end)) for end in (tie.from_, tie.to))

    def tie(self, type: TieType, a: str, b: str) -> Tie:
        tie = self.store.get_tie(type, a, b)
        if self.scoped and not self.tie_visible(tie):
            raise NotFoundError("tie", f"{tie.type.value}:{tie.from_}->{tie.to}")
        return tie

    def accounts(self) -> list[Company]:
        return [c for c in self.store.list_accounts() if self.scope.sees(c.id)]

    # ---- lists --------------------------------------------------------------------------------
    def page(self, kind: str, filters: ListFilter, limit: int, cursor: str | None) -> Page[Any]:
        """One page of `kind` in key order; a limited key sees the union of its accounts' records."""
        if kind not in LISTABLE:
            raise InvalidArgument(
                Phrase(N_("cannot list {kind}; one of {kinds}"), kind=repr(kind), kinds=", ".join(LISTABLE)),
                field="kind",
            )
        after = decode_cursor(cursor, 3 if kind == "tie" else 1) if cursor else None
        if not self.scoped:
            rows = self.store.list_records(kind, filters, limit=limit, after=after)
        else:
            if filters.account is not None:
                accounts = [filters.account] if self.scope.sees(filters.account) else []
            else:
                accounts = sorted(self.scope.accounts)
            merged: dict[tuple[str, ...], Any] = {}
            for account in accounts:  # each account's first `limit` after the cursor: their union holds the page
                for row in self.store.list_records(kind, replace(filters, account=account), limit=limit, after=after):
                    merged[record_key(kind, row)] = row
            rows = [merged[k] for k in sorted(merged)][:limit]
        # the store read `limit` rows: more may follow, after the last one read (hidden or not)
        next_cursor = encode_cursor(record_key(kind, rows[-1])) if len(rows) == limit else None
        if self.scoped and kind == "tie":  # a tie to another account's person stays hidden
            rows = [r for r in rows if self.tie_visible(r)]
        return Page[Any](data=rows, count=len(rows), next_cursor=next_cursor)

    # ---- writes -------------------------------------------------------------------------------
    def check_write(self, bundle: Bundle) -> None:
        """Refuse, as the store would refuse an unknown reference, a write that reaches outside the key's
        accounts: naming a hidden record, moving one, or creating an account the key is not given.

        Raises:
            BundleRejected: listing every such issue (nothing is written).
        """
        if not self.scoped:
            return
        issues: list[BundleIssue] = []

        def add(record: str, index: int, rid: str, field: str, reason: str, code: str) -> None:
            issues.append(BundleIssue(record=record, index=index, id=rid, field=field, reason=reason, code=code))

        parents = {c.id: c.parent for c in bundle.companies}
        people = {p.id for p in bundle.people}
        team = {t.id for t in bundle.team}

        def landing(company_id: str) -> str | None:
            """The account a company ends up in after this write (None: unknown or a cycle)."""
            seen: set[str] = set()
            node = company_id
            while node in parents:
                if node in seen:
                    return None
                seen.add(node)
                parent = parents[node]
                if parent is None:
                    return node
                node = parent
            return self.company_account(node)

        for index, c in enumerate(bundle.companies):
            if self._hidden_node(c.id):
                add("companies", index, c.id, "id", _TAKEN, "conflict")
            elif self._hidden(landing(c.id)) or (c.parent is None and not self.scope.sees(c.id)):
                if c.parent is None:
                    add(
                        "companies", index, c.id, "parent", "a key limited to accounts cannot create another", "invalid"
                    )
                elif c.parent not in parents:
                    add("companies", index, c.id, "parent", f"no company with id {c.parent!r}", "reference")
            elif c.parent is not None and c.parent not in parents and self._hidden_node(c.parent):
                add("companies", index, c.id, "parent", f"no company with id {c.parent!r}", "reference")
        for index, p in enumerate(bundle.people):
            if self._hidden_node(p.id):
                add("people", index, p.id, "id", _TAKEN, "conflict")
            if p.company not in parents and self._hidden_node(p.company):
                add("people", index, p.id, "company", f"no company with id {p.company!r}", "reference")
            if p.reports_to and p.reports_to not in people and self._hidden_node(p.reports_to):
                add("people", index, p.id, "reports_to", f"no person with id {p.reports_to!r}", "reference")
        for index, m in enumerate(bundle.team):
            if self._hidden_node(m.id):
                add("team", index, m.id, "id", _TAKEN, "conflict")
                continue
            try:
                stored_member = self.store.get_team_member(m.id)
            except NotFoundError:
                continue  # a new team member
            if stored_member != m and self._member_reaches_outside(m.id):
                add("team", index, m.id, "id", _SHARED_MEMBER, "invalid")
        for index, t in enumerate(bundle.ties):
            names = "person" if t.type is TieType.INFLUENCES else "person or team"
            for field, end in (("from", t.from_), ("to", t.to)):
                if end not in people and end not in team and self._hidden_node(end):
                    add("ties", index, ":".join(t.key), field, f"no {names} with id {end!r}", "reference")
        for index, i in enumerate(bundle.interactions):
            try:
                stored = self.store.get_interaction(i.id)
            except NotFoundError:
                pass
            else:
                if self._hidden(self.person_account(stored.person)):
                    add("interactions", index, i.id, "id", _TAKEN, "conflict")
            if i.person not in people and self._hidden_node(i.person):
                add("interactions", index, i.id, "person", f"no person with id {i.person!r}", "reference")
        for index, r in enumerate(bundle.risks):
            try:
                stored_risk = self.store.get_risk(r.id)
            except NotFoundError:
                pass
            else:
                if self._hidden(self.company_account(stored_risk.company)):
                    add("risks", index, r.id, "id", _TAKEN, "conflict")
            if r.company not in parents and self._hidden_node(r.company):
                add("risks", index, r.id, "company", f"no company with id {r.company!r}", "reference")
        if issues:
            raise BundleRejected(issues)


# ---- the record use cases ------------------------------------------------------------------------
RECORD_LISTS: dict[str, str] = {kind: name for kind, (_, name) in RECORD_KINDS.items()}
"""Each record kind with an id and its list in a bundle (`person` -> `people`)."""
LISTABLE: tuple[str, ...] = (*RECORD_KINDS, "tie")
"""The kinds a list reads."""

_READ = {
    "company": Access.company,
    "person": Access.person,
    "team": Access.team_member,
    "interaction": Access.interaction,
    "risk": Access.risk,
}


def _kind(kind: str) -> str:
    if kind not in RECORD_KINDS:
        raise InvalidArgument(
            Phrase(N_("unknown record kind {kind}; one of {kinds}"), kind=repr(kind), kinds=", ".join(RECORD_KINDS)),
            field="kind",
        )
    return kind


def check_path_id(record: str, path_id: str, body_id: str) -> None:
    """A record named by an id (a path) must carry that id (BundleRejected naming the field otherwise)."""
    if path_id != body_id:
        reason = Phrase(N_("must equal the id in the path ({id})"), id=repr(path_id))
        raise BundleRejected([BundleIssue(record=record, id=body_id, field="id", reason=reason)])


def kind_of(record: BaseModel) -> str:
    """The record kind of a model (`Person` -> `person`)."""
    for kind, (model, _) in RECORD_KINDS.items():
        if isinstance(record, model):
            return kind
    raise InvalidArgument(f"not a record with an id: {type(record).__name__}")


def record_of(kind: str, raw: Any) -> Any:
    """A raw record (parsed JSON) of `kind` (or a tie) as its model, checked as an API write checks its body.

    Raises:
        BundleRejected: naming the record and each field at fault.
    """
    model, name = (Tie, "ties") if kind == "tie" else RECORD_KINDS[_kind(kind)]
    return parse_record(model, raw, name)


def get_record(store: GraphStore, scope: Scope, kind: str, id: str) -> Any:
    """One record (NotFoundError when it does not exist or lies outside the scope)."""
    return _READ[_kind(kind)](Access(store, scope), id)


def list_records(
    store: GraphStore,
    scope: Scope,
    kind: str,
    filters: ListFilter | None = None,
    *,
    limit: int = 100,
    cursor: str | None = None,
) -> Page[Any]:
    """One page of records of `kind` (or ties) in key order; a limited scope sees its accounts' records."""
    return Access(store, scope).page(kind, filters or ListFilter(), limit, cursor)


@writes
def put_record(store: GraphStore, scope: Scope, record: BaseModel, *, id: str | None = None) -> Any:
    """Create or replace one record (its write validated as a one-record bundle, in one transaction).

    `id` is the id the caller named the record by (a path), which the record must carry.

    Raises:
        BundleRejected: every problem, naming the field; nothing was written.
    """
    scope.require_role(ApiRole.PLANNER)
    kind = kind_of(record)
    name = RECORD_LISTS[kind]
    record_id = str(getattr(record, "id"))  # noqa: B009 - every record kind here has an id
    if id is not None:
        check_path_id(name, id, record_id)
    bundle = Bundle.model_validate({name: [record]})
    access = Access(store, scope)
    access.check_write(bundle)
    store.load_bundle(bundle)
    return _READ[kind](access, record_id)


@writes
def delete_record(store: GraphStore, scope: Scope, kind: str, id: str) -> None:
    """Delete one record and what hangs on it (see `GraphStore.delete`); a limited scope may not delete a
    team member, whose ties and interactions span accounts."""
    scope.require_role(ApiRole.PLANNER)
    _READ[_kind(kind)](Access(store, scope), id)
    if kind == "team":
        scope.require_unscoped("delete a team member: their ties and interactions span accounts")
    store.delete(kind, id)


def get_tie(store: GraphStore, scope: Scope, type: TieType, a: str, b: str) -> Tie:
    return Access(store, scope).tie(type, a, b)


@writes
def put_tie(store: GraphStore, scope: Scope, tie: Tie) -> Tie:
    """Create or replace a tie (named by its type and ends)."""
    scope.require_role(ApiRole.PLANNER)
    Access(store, scope).check_write(Bundle(ties=[tie]))
    return store.upsert_tie(tie)


@writes
def delete_tie(store: GraphStore, scope: Scope, type: TieType, a: str, b: str) -> None:
    """Delete a tie (a mistake; to end one, set its `until`)."""
    scope.require_role(ApiRole.PLANNER)
    tie = Access(store, scope).tie(type, a, b)
    store.delete_tie(tie.type, tie.from_, tie.to)


@writes
def import_document(
    store: GraphStore,
    scope: Scope,
    raw: Any,
    *,
    on: date | None = None,
    progress: Callable[[int], None] | None = None,
    found: Sequence[BundleIssue] = (),
    dry_run: bool = False,
    source: str | None = None,
) -> dict[str, int]:
    """Write a raw bundle document (parsed JSON, or a CSV directory's rows) in one transaction: all of it lands,
    or none of it (counts per list). The one import every interface calls: the store's full check of the
    document (`GraphStore.parse_document`), then the scope's, then the load. `found`: problems the document's
    reader already found (a CSV row's cell count); they refuse it too, listed first, with what the load's own
    check (`GraphStore.check_bundle`: references to the store, cycles) finds. With `dry_run`, that check instead
    of the load: the counts it would write, nothing written. `source`: the file's name, for the change log's
    summary entry of the import.

    Raises:
        BundleRejected: every problem (malformed fields, an unknown format or version, unknown references,
            cycles, references outside the scope), with indices into the document; nothing was written.
    """
    scope.require_role(ApiRole.PLANNER)
    try:
        bundle = store.parse_document(raw, progress)
        Access(store, scope).check_write(bundle)
    except BundleRejected as rejected:
        raise BundleRejected([*found, *rejected.issues]) from None
    if found or dry_run:  # the load's own check too, so that no problem of the document goes unlisted
        issues = [*found, *store.check_bundle(bundle, on=on)]
        if issues:
            raise BundleRejected(issues)
        return bundle.counts()
    return store.load_bundle(bundle, on=on, source=source)


def require_account(store: GraphStore, scope: Scope, account: str) -> None:
    """NotFoundError, worded alike, for an account that does not exist (a company that is not an account's root
    is none), or that lies outside the scope; Forbidden below the viewer role."""
    scope.require_role(ApiRole.VIEWER)
    scope.require_account(account)
    try:
        if store.account_of(account) != account:
            raise NotFoundError("account", account)
    except NotFoundError:
        raise NotFoundError("account", account) from None


def list_accounts(store: GraphStore, scope: Scope) -> list[Company]:
    """The accounts (root companies) the scope sees, by id."""
    return Access(store, scope).accounts()


def company_tree(store: GraphStore, scope: Scope, account: str, as_of: date | None = None) -> CompanyNode:
    """An account's company tree with the people of each company on `as_of` (default today)."""
    scope.require_account(account)
    return store.company_tree(account, as_of)


def export_account(store: GraphStore, scope: Scope, account: str) -> Bundle:
    """Everything of an account as a bundle (history included)."""
    scope.require_account(account)
    return store.export_bundle(account)
