"""Opportunities (`/v1/opportunities`): deals with their buying committees, stage moves, health and the
committee's power map.

Thin wrappers of `accountgraph.opportunities`. An opportunity belongs to an account: a key limited to
other accounts gets a 404 for it and lists leave it out; naming a hidden account in a new deal is an
unknown reference (422), as in every write. Viewers read (the health and the view too); planners create,
change, move and set committees. A malformed body, an unknown stage or an unknown reference answers 422;
a broken rule (moving a won or lost deal, a taken id) 409.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from accountgraph.api.deps import AccountFilter, Cursor, Limit, ReadAccess, RecordId, ViewsDep, WriteAccess
from accountgraph.api.routes.analysis import HTML_PAGE
from accountgraph.api.routing import IdRoute
from accountgraph.api.security import HtmlPage
from accountgraph.errors import BundleRejected, NotFoundError
from accountgraph.ledger.models import Currency, NonNegative
from accountgraph.opportunities import service
from accountgraph.opportunities.committee import opportunity_power_map
from accountgraph.opportunities.health import OpportunityHealth, opportunity_health
from accountgraph.opportunities.models import CommitteeMember, Opportunity
from accountgraph.schema.models import BundleIssue, Id, Name, decimal_text
from accountgraph.services.paging import Page, decode_cursor, page_of
from accountgraph.services.records import Access

router = APIRouter(prefix="/opportunities", tags=["opportunities"], route_class=IdRoute)
StageName = Annotated[str, Field(min_length=1, max_length=40)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


Amount = Annotated[NonNegative, BeforeValidator(decimal_text)]
"""A deal's amount: a decimal string, never a JSON number."""


class OpportunityCreate(_Body):
    id: Id | None = Field(default=None, description="the opportunity's id (default generated)")
    account: Id = Field(description="the account (or one of its companies)")
    name: Name
    stage: StageName | None = Field(default=None, description="an open stage (default the pipeline's first)")
    amount: Amount = Field(default=Decimal(0), description='a decimal string, e.g. "250000.00" (never a JSON number)')
    currency: Currency = "EUR"
    expected_close: date | None = None
    owner: Id | None = Field(default=None, description="our team member who owns the deal")
    quotes: list[Id] = Field(default_factory=list, max_length=1000, description="ledger quote ids or numbers")
    committee: list[CommitteeMember] = Field(default_factory=list, max_length=1000)


class OpportunityUpdate(_Body):
    name: Name | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    expected_close: date | None = None
    owner: Id | None = None
    quotes: list[Id] | None = Field(default=None, max_length=1000)


class StageMove(_Body):
    stage: StageName
    note: str | None = Field(default=None, max_length=2000)


def _opportunity(access: Access, id: str) -> Opportunity:
    """The opportunity, or NotFoundError when it does not exist or its account is hidden from the key."""
    opp = service.get_opportunity(access.store, id)
    if access.scoped and not access.scope.sees(opp.account):
        raise NotFoundError("opportunity", id)
    return opp


@router.get("", summary="List opportunities", response_model=Page[Opportunity])
def list_opportunities(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    stage: Annotated[StageName | None, Query(description="only those in this stage")] = None,
    open_only: Annotated[bool, Query(alias="open", description="only open deals (not won or lost)")] = False,
) -> Page[Opportunity]:
    after = decode_cursor(cursor, 1)[0] if cursor else None
    if account is not None and access.scoped and not access.scope.sees(account):
        return Page(data=[], count=0)
    opps = [
        o
        for o in service.list_opportunities(access.store, account, stage=stage, open_only=open_only)
        if (after is None or o.id > after) and (not access.scoped or access.scope.sees(o.account))
    ]
    return page_of(opps, limit, lambda o: (o.id,))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an opportunity with its buying committee")
def create_opportunity(access: WriteAccess, body: OpportunityCreate) -> Opportunity:
    root = access.company_account(body.account)
    if root is None or (access.scoped and not access.scope.sees(root)):
        reason = f"unknown account {body.account!r}"
        raise BundleRejected([BundleIssue(record="opportunity", field="account", reason=reason, code="reference")])
    return service.create_opportunity(
        access.store,
        root,
        body.name,
        id=body.id,
        stage=body.stage,
        amount=body.amount,
        currency=body.currency,
        expected_close=body.expected_close,
        owner=body.owner,
        quotes=body.quotes,
        committee=body.committee,
    )


@router.get("/{id:path}/health", summary="Win probability with each feature's contribution and the best actions")
def health(
    access: ReadAccess,
    views: ViewsDep,
    id: RecordId,
    scorecard: Annotated[bool, Query(description="use the fixed scorecard, not the fitted model")] = False,
) -> OpportunityHealth:
    _opportunity(access, id)
    return opportunity_health(access.store, id, model="scorecard" if scorecard else "auto", cache=views)


@router.get(
    "/{id:path}/view",
    response_model=None,
    responses=HTML_PAGE,
    summary="The power map of the opportunity's buying committee (this deal's roles and stances), as HTML",
)
def view(access: ReadAccess, views: ViewsDep, id: RecordId) -> HTMLResponse:
    _opportunity(access, id)
    return HtmlPage(opportunity_power_map(access.store, id, cache=views))


@router.post("/{id:path}/stage", summary="Move the opportunity to another stage (kept in its stage history)")
def move_stage(access: WriteAccess, views: ViewsDep, id: RecordId, body: StageMove) -> Opportunity:
    _opportunity(access, id)
    return service.move_stage(access.store, id, body.stage, note=body.note, cache=views)


@router.put("/{id:path}/committee", summary="Replace the buying committee (per-deal roles and stances)")
def put_committee(
    access: WriteAccess, id: RecordId, committee: Annotated[list[CommitteeMember], Field(max_length=1000)]
) -> Opportunity:
    _opportunity(access, id)
    return service.set_committee(access.store, id, committee)


@router.get("/{id:path}", summary="Read an opportunity")
def get_opportunity(access: ReadAccess, id: RecordId) -> Opportunity:
    return _opportunity(access, id)


@router.patch("/{id:path}", summary="Change an open opportunity's name, amount, currency, close date, owner or quotes")
def patch_opportunity(access: WriteAccess, id: RecordId, body: OpportunityUpdate) -> Opportunity:
    _opportunity(access, id)
    changes = body.model_dump(exclude_unset=True)
    return service.update_opportunity(access.store, id, **changes)
