"""What one request may see and touch: the store seen through a key's role and accounts.

A key limited to some accounts sees the records of those accounts and everything that belongs to no
account (our own team members). Anything else answers exactly as if it did not exist: a 404 when it is
asked for, an unknown reference when a write names it, and it is left out of lists. Unrestricted keys
pay nothing for this: every check returns at once.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from accountgraph.api.auth import Principal
from accountgraph.api.errors import BadRequest
from accountgraph.api.models import Page
from accountgraph.errors import BundleRejected, Forbidden, NotFoundError
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.schema.models import (
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

_OUTSIDE = "id is already used by a record outside this key's accounts"


def encode_cursor(key: tuple[str, ...]) -> str:
    raw = json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, size: int) -> tuple[str, ...]:
    """The key a cursor stands for; BadRequest for anything that is not a cursor of this list."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as err:
        raise BadRequest("bad cursor: pass the `next_cursor` of the previous page as it is") from err
    if not isinstance(key, list) or len(key) != size or not all(isinstance(k, str) for k in key):
        raise BadRequest("bad cursor: pass the `next_cursor` of the previous page as it is")
    return tuple(key)


def record_key(kind: str, record: BaseModel) -> tuple[str, ...]:
    if isinstance(record, Tie):
        return record.key
    return (str(getattr(record, "id")),)  # noqa: B009 - every listable record but a tie has an id


class Access:
    """The store as one principal may use it, for the length of one request."""

    def __init__(self, store: GraphStore, principal: Principal) -> None:
        self.store = store
        self.principal = principal
        self._company_account: dict[str, str | None] = {}
        self._person_account: dict[str, str | None] = {}

    # ---- where records belong -----------------------------------------------------------------
    @property
    def scoped(self) -> bool:
        return self.principal.scoped

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
        return self.scoped and account is not None and not self.principal.sees(account)

    def require_account(self, account_id: str) -> None:
        """NotFoundError for an account outside the key's accounts (the caller checks that it exists)."""
        if not self.principal.sees(account_id):
            raise NotFoundError("account", account_id)

    def require_unscoped(self, what: str) -> None:
        if self.scoped:
            raise Forbidden(f"a key limited to accounts cannot {what}")

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
        return [c for c in self.store.list_accounts() if self.principal.sees(c.id)]

    # ---- lists --------------------------------------------------------------------------------
    def page(self, kind: str, filters: ListFilter, limit: int, cursor: str | None) -> Page[Any]:
        """One page of `kind` in key order; a limited key sees the union of its accounts' records."""
        after = decode_cursor(cursor, 3 if kind == "tie" else 1) if cursor else None
        if not self.scoped:
            rows = self._list(kind, filters, limit, after)
        else:
            if filters.account is not None:
                accounts = [filters.account] if self.principal.sees(filters.account) else []
            else:
                accounts = sorted(self.principal.accounts)
            merged: dict[tuple[str, ...], Any] = {}
            for account in accounts:  # each account's first `limit` after the cursor: their union holds the page
                for row in self._list(kind, replace(filters, account=account), limit, after):
                    merged[record_key(kind, row)] = row
            rows = [merged[k] for k in sorted(merged)][:limit]
        next_cursor = encode_cursor(record_key(kind, rows[-1])) if len(rows) == limit else None
        if self.scoped and kind == "tie":  # a tie to another account's person stays hidden
            rows = [r for r in rows if self.tie_visible(r)]
        return Page[Any](data=rows, count=len(rows), next_cursor=next_cursor)

    def _list(self, kind: str, filters: ListFilter, limit: int, after: tuple[str, ...] | None) -> list[Any]:
        try:
            return self.store.list_records(kind, filters, limit=limit, after=after)
        except ValueError as err:
            raise BadRequest(str(err)) from err

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
            if self._hidden(self.company_account(c.id)):
                add("companies", index, c.id, "id", _OUTSIDE, "conflict")
            elif self._hidden(landing(c.id)) or (c.parent is None and not self.principal.sees(c.id)):
                if c.parent is None:
                    add(
                        "companies", index, c.id, "parent", "a key limited to accounts cannot create another", "invalid"
                    )
                elif c.parent not in parents:
                    add("companies", index, c.id, "parent", f"no company with id {c.parent!r}", "reference")
        for index, p in enumerate(bundle.people):
            if self._hidden(self.person_account(p.id)):
                add("people", index, p.id, "id", _OUTSIDE, "conflict")
            if p.company not in parents and self._hidden(self.company_account(p.company)):
                add("people", index, p.id, "company", f"no company with id {p.company!r}", "reference")
            if p.reports_to and p.reports_to not in people and self._hidden(self.person_account(p.reports_to)):
                add("people", index, p.id, "reports_to", f"no person with id {p.reports_to!r}", "reference")
        for index, t in enumerate(bundle.ties):
            names = "person" if t.type is TieType.INFLUENCES else "person or team"
            for field, end in (("from", t.from_), ("to", t.to)):
                if end not in people and end not in team and self._hidden(self.person_account(end)):
                    add("ties", index, ":".join(t.key), field, f"no {names} with id {end!r}", "reference")
        for index, i in enumerate(bundle.interactions):
            try:
                stored = self.store.get_interaction(i.id)
            except NotFoundError:
                pass
            else:
                if self._hidden(self.person_account(stored.person)):
                    add("interactions", index, i.id, "id", _OUTSIDE, "conflict")
            if i.person not in people and self._hidden(self.person_account(i.person)):
                add("interactions", index, i.id, "person", f"no person with id {i.person!r}", "reference")
        for index, r in enumerate(bundle.risks):
            try:
                stored_risk = self.store.get_risk(r.id)
            except NotFoundError:
                pass
            else:
                if self._hidden(self.company_account(stored_risk.company)):
                    add("risks", index, r.id, "id", _OUTSIDE, "conflict")
            if r.company not in parents and self._hidden(self.company_account(r.company)):
                add("risks", index, r.id, "company", f"no company with id {r.company!r}", "reference")
        if issues:
            raise BundleRejected(issues)
