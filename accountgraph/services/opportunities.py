"""The opportunities' use cases as a scope may use them: deals with their buying committees, stage moves,
health and the committee's power map.

The rules live in `accountgraph.opportunities`; what is added here is who may see and do what. An opportunity
belongs to an account: for a scope limited to other accounts it answers exactly as one that does not exist
(NotFoundError), lists leave it out, and naming a hidden account in a new deal is an unknown reference, as in
every write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from accountgraph.errors import BundleRejected, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.opportunities import service
from accountgraph.opportunities.committee import opportunity_power_map
from accountgraph.opportunities.health import OpportunityHealth, opportunity_health
from accountgraph.opportunities.models import CommitteeMember, Opportunity
from accountgraph.schema.models import ApiRole, BundleIssue
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.paging import Page, decode_cursor, page_of
from accountgraph.services.records import Access
from accountgraph.services.scope import Scope, writes

Committee = Sequence[CommitteeMember | dict[str, Any]]


def get_opportunity(store: GraphStore, scope: Scope, id: str) -> Opportunity:
    """The opportunity (NotFoundError when it does not exist or its account lies outside the scope)."""
    opp = service.get_opportunity(store, id)
    if not scope.sees(opp.account):
        raise NotFoundError("opportunity", id)
    return opp


def list_opportunities(
    store: GraphStore,
    scope: Scope,
    account: str | None = None,
    *,
    stage: str | None = None,
    open_only: bool = False,
    limit: int | None = 100,
    cursor: str | None = None,
) -> Page[Opportunity]:
    """One page of opportunities by id (every one after the cursor when `limit` is None): of one account, in
    one stage, or only the open ones when asked; a limited scope sees its accounts' only."""
    after = decode_cursor(cursor, 1)[0] if cursor else None
    if account is not None and not scope.sees(account):
        return Page(data=[], count=0)
    opps = [
        o
        for o in service.list_opportunities(store, account, stage=stage, open_only=open_only)
        if (after is None or o.id > after) and scope.sees(o.account)
    ]
    return page_of(opps, len(opps) if limit is None else limit, lambda o: (o.id,))


@writes
def create_opportunity(
    store: GraphStore,
    scope: Scope,
    account: str,
    name: str,
    *,
    id: str | None = None,
    stage: str | None = None,
    amount: Decimal | str | int = 0,
    currency: str = "EUR",
    expected_close: date | None = None,
    owner: str | None = None,
    quotes: Sequence[str] = (),
    committee: Committee = (),
) -> Opportunity:
    """A new opportunity of an account (or one of its companies) the scope sees, with its buying committee.

    Raises:
        BundleRejected: an unknown account (also one outside the scope), a malformed field or a reference that
            does not resolve.
    """
    scope.require_role(ApiRole.PLANNER)
    root = Access(store, scope).company_account(account)
    if root is None or not scope.sees(root):
        reason = f"unknown account {account!r}"
        raise BundleRejected([BundleIssue(record="opportunity", field="account", reason=reason, code="reference")])
    return service.create_opportunity(
        store,
        root,
        name,
        id=id,
        stage=stage,
        amount=amount,
        currency=currency,
        expected_close=expected_close,
        owner=owner,
        quotes=quotes,
        committee=committee,
    )


@writes
def update_opportunity(store: GraphStore, scope: Scope, /, id: str, **changes: Any) -> Opportunity:
    """Change some of an open opportunity's name, amount, currency, expected close, owner or quotes."""
    scope.require_role(ApiRole.PLANNER)
    get_opportunity(store, scope, id)
    return service.update_opportunity(store, id, **changes)


@writes
def set_committee(store: GraphStore, scope: Scope, id: str, committee: Committee) -> Opportunity:
    """Replace the buying committee of an open opportunity."""
    scope.require_role(ApiRole.PLANNER)
    get_opportunity(store, scope, id)
    return service.set_committee(store, id, committee)


@writes
def move_stage(
    store: GraphStore,
    scope: Scope,
    id: str,
    stage: str,
    *,
    note: str | None = None,
    cache: AnalysisCache | None = None,
) -> Opportunity:
    """Move an opportunity to another stage (kept in its stage history)."""
    scope.require_role(ApiRole.PLANNER)
    get_opportunity(store, scope, id)
    return service.move_stage(store, id, stage, note=note, cache=cache)


def health(
    store: GraphStore,
    scope: Scope,
    id: str,
    *,
    model: Literal["auto", "scorecard"] = "auto",
    cache: AnalysisCache | None,
) -> OpportunityHealth:
    """Win probability with each feature's contribution, the risks and the best actions."""
    get_opportunity(store, scope, id)
    return opportunity_health(store, id, model=model, cache=cache)


def power_map(store: GraphStore, scope: Scope, id: str, *, cache: AnalysisCache | None = None) -> str:
    """The power map of the opportunity's buying committee, as one HTML page."""
    get_opportunity(store, scope, id)
    return opportunity_power_map(store, id, cache=cache)
