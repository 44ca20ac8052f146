"""Alerts: list, read, acknowledge and mute them, evaluate the rules, subscribe channels, drain the outbox.

Thin adapters of `accountgraph.services.alerts` and `accountgraph.services.alert_delivery` with the caller's
scope (a key limited to accounts sees their alerts only, and subscribes to them only). Messages follow the
request's `Accept-Language` (English or Chinese). A subscription names the environment variable holding its
webhook secret (`secret_env`), never the secret; a webhook's address is answered without its path.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from accountgraph import i18n
from accountgraph.api.deps import IsoDate, ReadAccess, RecordId, ViewsDep, WriteAccess
from accountgraph.api.routing import IdRoute
from accountgraph.services import alert_delivery as delivery
from accountgraph.services import alerts as service
from accountgraph.services.paging import Page

router = APIRouter(prefix="/alerts", tags=["alerts"], route_class=IdRoute)

AccountQuery = Annotated[str | None, Query(max_length=200, description="one account (default: every one you see)")]


def _lang(request: Request) -> str:
    return i18n.negotiate(request.headers.get("accept-language"))


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str | None = Field(default=None, max_length=200)
    reference: IsoDate | None = Field(default=None, description="evaluate as of this day (default today)")


class MuteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    muted: bool = True


class SubscribeRequest(BaseModel):
    """A webhook (`webhook`, `format`, `secret_env`) or an e-mail address (`email`); accounts and rules: none, all."""

    model_config = ConfigDict(extra="forbid")
    webhook: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    format: Literal["generic", "slack", "teams", "wecom", "dingtalk", "feishu"] = "generic"
    secret_env: str | None = Field(default=None, max_length=128, description="the NAME of the variable, not a secret")
    accounts: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=1000)
    rules: list[str] = Field(default_factory=list, max_length=20)
    language: Literal["en", "zh_CN"] = "en"


class RuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None
    days: int | None = Field(default=None, ge=1, le=3650)
    points: int | None = Field(default=None, ge=1, le=100)
    severity: int | None = Field(default=None, ge=1, le=5)


class Sent(BaseModel):
    message: str


@router.get("", summary="The alerts, newest first", response_model=Page[service.AlertView])
def list_alerts(
    request: Request,
    access: ReadAccess,
    account: AccountQuery = None,
    status_: Annotated[Literal["open", "closed", "all"], Query(alias="status")] = "open",
) -> Page[service.AlertView]:
    with i18n.use(_lang(request)):
        found = service.list_alerts(access.store, access.scope, account=account, status=status_)
    return Page[service.AlertView](data=found, count=len(found), next_cursor=None)


@router.post("/run", summary="Evaluate the rules now: raise new causes (queuing deliveries), close cleared ones")
def run(access: WriteAccess, views: ViewsDep, body: RunRequest | None = None) -> service.RunResult:
    body = body or RunRequest()
    return service.run(access.store, access.scope, account=body.account, reference=body.reference, cache=views)


@router.post("/deliver", summary="Send the outbox's deliveries that are due (an unlimited planner key)")
def deliver(access: WriteAccess) -> delivery.DeliveryResult:
    return delivery.deliver(access.store, access.scope)


@router.get("/rules", summary="The rules and their parameters in force (for one account, or for all)")
def rules(access: ReadAccess, account: AccountQuery = None) -> dict[str, service.RuleParams]:
    return service.list_rules(access.store, access.scope, account)


@router.put("/rules/{rule}", summary="Change a rule's parameters for one account or for all")
def set_rule(access: WriteAccess, rule: RecordId, body: RuleChange) -> dict[str, service.RuleParams]:
    changes = body.model_dump(exclude={"account"})
    return service.set_rule(access.store, access.scope, rule, account=body.account, **changes)


@router.get("/subscriptions", summary="The subscriptions", response_model=Page[service.SubscriptionView])
def subscriptions(access: ReadAccess) -> Page[service.SubscriptionView]:
    found = service.list_subscriptions(access.store, access.scope)
    return Page[service.SubscriptionView](data=found, count=len(found), next_cursor=None)


@router.post("/subscriptions", status_code=status.HTTP_201_CREATED, summary="Subscribe a webhook or an address")
def subscribe(access: WriteAccess, body: SubscribeRequest) -> service.SubscriptionView:
    return service.subscribe(access.store, access.scope, **body.model_dump())


@router.delete("/subscriptions/{id:path}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a subscription")
def unsubscribe(access: WriteAccess, id: RecordId) -> None:
    service.unsubscribe(access.store, access.scope, id)


@router.post("/subscriptions/{id:path}/test", summary="Send a sample alert to a subscription now")
def test(access: WriteAccess, id: RecordId) -> Sent:
    return Sent(message=delivery.send_test(access.store, access.scope, id))


@router.get("/dead-letters", summary="Deliveries given up after their last attempt")
def dead_letters(access: ReadAccess) -> list[dict[str, object]]:
    return [d.data() for d in service.list_dead_letters(access.store, access.scope)]


@router.get("/{id:path}", summary="One alert")
def get_alert(request: Request, access: ReadAccess, id: RecordId) -> service.AlertView:
    with i18n.use(_lang(request)):
        return service.get_alert(access.store, access.scope, id)


@router.post("/{id:path}/ack", summary="Acknowledge an alert")
def ack(access: WriteAccess, id: RecordId) -> service.AlertView:
    return service.acknowledge(access.store, access.scope, id)


@router.post("/{id:path}/mute", summary="Mute an alert (no more deliveries) or unmute it (`muted`: false)")
def mute(access: WriteAccess, id: RecordId, body: MuteRequest | None = None) -> service.AlertView:
    return service.mute(access.store, access.scope, id, muted=(body or MuteRequest()).muted)
