"""Opportunities (`/v1/opportunities`): deals with their buying committees, stage moves, health and the
committee's power map.

Thin wrappers of `accountgraph.services.opportunities` (which also decides what a key may see and do). An
opportunity belongs to an account: a key limited to other accounts gets a 404 for it and lists leave it out;
naming a hidden account in a new deal is an unknown reference (422), as in every write. Viewers read (the
health and the view too); planners create, change, move and set committees. A malformed body, an unknown
stage or an unknown reference answers 422; a broken rule (moving a won or lost deal, a taken id) 409.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from accountgraph import i18n
from accountgraph.api.deps import AccountFilter, Cursor, LanguageDep, Limit, ReadAccess, RecordId, ViewsDep, WriteAccess
from accountgraph.api.routes.analysis import HTML_PAGE, said_in
from accountgraph.api.routing import IdRoute
from accountgraph.api.security import HtmlPage
from accountgraph.ledger.models import Currency, NonNegative
from accountgraph.opportunities.health import OpportunityHealth
from accountgraph.opportunities.models import CommitteeMember, Opportunity
from accountgraph.schema.models import Id, Name, decimal_text
from accountgraph.services import opportunities
from accountgraph.services.paging import Page

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


@router.get("", summary="List opportunities", response_model=Page[Opportunity])
def list_opportunities(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    stage: Annotated[StageName | None, Query(description="only those in this stage")] = None,
    open_only: Annotated[bool, Query(alias="open", description="only open deals (not won or lost)")] = False,
) -> Page[Opportunity]:
    return opportunities.list_opportunities(
        access.store, access.scope, account, stage=stage, open_only=open_only, limit=limit, cursor=cursor
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an opportunity with its buying committee")
def create_opportunity(access: WriteAccess, body: OpportunityCreate) -> Opportunity:
    return opportunities.create_opportunity(
        access.store,
        access.scope,
        body.account,
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
    language: LanguageDep,
    id: RecordId,
    scorecard: Annotated[bool, Query(description="use the fixed scorecard, not the fitted model")] = False,
) -> OpportunityHealth:
    result = opportunities.health(
        access.store, access.scope, id, model="scorecard" if scorecard else "auto", cache=views
    )
    return said_in(language, result)


@router.get(
    "/{id:path}/view",
    response_model=None,
    responses=HTML_PAGE,
    summary="The power map of the opportunity's buying committee (this deal's roles and stances), as HTML",
)
def view(access: ReadAccess, views: ViewsDep, language: LanguageDep, id: RecordId) -> HTMLResponse:
    with i18n.use(language):
        html = opportunities.power_map(access.store, access.scope, id, cache=views)
    return HtmlPage(html, language=language)


@router.post("/{id:path}/stage", summary="Move the opportunity to another stage (kept in its stage history)")
def move_stage(access: WriteAccess, views: ViewsDep, id: RecordId, body: StageMove) -> Opportunity:
    return opportunities.move_stage(access.store, access.scope, id, body.stage, note=body.note, cache=views)


@router.put("/{id:path}/committee", summary="Replace the buying committee (per-deal roles and stances)")
def put_committee(
    access: WriteAccess, id: RecordId, committee: Annotated[list[CommitteeMember], Field(max_length=1000)]
) -> Opportunity:
    return opportunities.set_committee(access.store, access.scope, id, committee)


@router.get("/{id:path}", summary="Read an opportunity")
def get_opportunity(access: ReadAccess, id: RecordId) -> Opportunity:
    return opportunities.get_opportunity(access.store, access.scope, id)


@router.patch("/{id:path}", summary="Change an open opportunity's name, amount, currency, close date, owner or quotes")
def patch_opportunity(access: WriteAccess, id: RecordId, body: OpportunityUpdate) -> Opportunity:
    return opportunities.update_opportunity(access.store, access.scope, id, **body.model_dump(exclude_unset=True))
