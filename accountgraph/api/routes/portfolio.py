"""The portfolio across the accounts the key sees: the overview, key accounts and why, the value distribution (and
its chart as SVG), revenue at risk, the attention list, the operating KPIs, and the strategic flag.

Thin adapters of `accountgraph.services.portfolio` (the same functions the CLI's `portfolio` calls), with the
caller's scope: a key limited to one account sees a portfolio of that account only. Amounts are decimal strings
with their currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from accountgraph import i18n
from accountgraph.api.deps import AccountId, IsoDate, LanguageDep, ReadAccess, ViewsDep, WriteAccess
from accountgraph.api.routes.analysis import said_in as _in
from accountgraph.api.routing import IdRoute
from accountgraph.ledger.models import AccountProfile
from accountgraph.services import portfolio as service

router = APIRouter(prefix="/portfolio", tags=["portfolio"], route_class=IdRoute)

On = Annotated[IsoDate | None, Query(description="the reference date (default today)")]
Currency = Annotated[
    str | None, Query(max_length=3, description="an ISO 4217 code (default: the discount policy's currency)")
]
Contribution = Annotated[
    Decimal,
    Query(
        gt=0,
        le=100,
        decimal_places=2,
        description="key by contribution: the top this percent of the accounts with revenue (default 20)",
    ),
]


class StrategicFlag(BaseModel):
    """The strategic flag of an account and why it is set."""

    model_config = ConfigDict(extra="forbid")
    strategic: bool = True
    reason: str | None = Field(default=None, max_length=10_000, description="e.g. 'industry leader'")


def _params(contribution: Decimal) -> service.PortfolioParams:
    return service.PortfolioParams(contribution_share=contribution / 100)


@router.get("", summary="The portfolio overview: key accounts, value distribution, revenue at risk, attention list")
def overview(
    access: ReadAccess,
    views: ViewsDep,
    language: LanguageDep,
    on: On = None,
    currency: Currency = None,
    contribution: Contribution = Decimal(20),
) -> service.Portfolio:
    result = service.overview(
        access.store, access.scope, on=on, currency=currency, params=_params(contribution), cache=views
    )
    return _in(language, result)


@router.get("/keys", summary="Each account key, candidate or other, with the criteria it met")
def keys(
    access: ReadAccess,
    views: ViewsDep,
    language: LanguageDep,
    on: On = None,
    currency: Currency = None,
    contribution: Contribution = Decimal(20),
) -> list[service.KeyAccount]:
    result = service.key_accounts(
        access.store, access.scope, on=on, currency=currency, params=_params(contribution), cache=views
    )
    return _in(language, result)


@router.get("/value", summary="The Pareto curve of revenue and the grade × relationship-health matrix")
def value(
    access: ReadAccess, views: ViewsDep, language: LanguageDep, on: On = None, currency: Currency = None
) -> service.ValueDistribution:
    return _in(language, service.value_distribution(access.store, access.scope, on=on, currency=currency, cache=views))


@router.get(
    "/value/chart",
    summary="The value distribution as an SVG image",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def value_chart(
    access: ReadAccess, views: ViewsDep, language: LanguageDep, on: On = None, currency: Currency = None
) -> Response:
    with i18n.use(language):
        result = service.value_distribution(access.store, access.scope, on=on, currency=currency, cache=views)
        chart = service.value_chart_svg(result)
    return Response(chart, media_type="image/svg+xml", headers={"Content-Language": language.replace("_", "-")})


@router.get("/risk", summary="Revenue at risk per account and in total, each explained")
def risk(
    access: ReadAccess, views: ViewsDep, language: LanguageDep, on: On = None, currency: Currency = None
) -> service.RevenueAtRisk:
    return _in(language, service.revenue_risk(access.store, access.scope, on=on, currency=currency, cache=views))


@router.get("/attention", summary="The accounts that need action now, each with its top next best action")
def attention(
    access: ReadAccess, views: ViewsDep, language: LanguageDep, on: On = None, currency: Currency = None
) -> list[service.Attention]:
    return _in(language, service.attention(access.store, access.scope, on=on, currency=currency, cache=views))


@router.get("/kpis", summary="Operating KPIs of the period containing `on` (to date) beside the previous period's")
def kpis(
    access: ReadAccess,
    language: LanguageDep,
    period: Annotated[service.Period, Query(description="month, quarter or year")] = "quarter",
    on: On = None,
    currency: Currency = None,
    contribution: Contribution = Decimal(20),
) -> service.PeriodKpis:
    result = service.operating_kpis(
        access.store, access.scope, period=period, on=on, currency=currency, params=_params(contribution)
    )
    return _in(language, result)


@router.put("/strategic/{id:path}", summary="Flag an account strategic with the reason, or clear the flag")
def set_strategic(access: WriteAccess, id: AccountId, body: StrategicFlag) -> AccountProfile:
    return service.set_strategic(access.store, access.scope, id, strategic=body.strategic, reason=body.reason)
