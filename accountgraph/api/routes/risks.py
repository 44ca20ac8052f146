"""Risk events: threats to an account, each attached to one company of its tree."""

from __future__ import annotations

from fastapi import APIRouter, status

from accountgraph.api.deps import AccountFilter, CompanyFilter, Cursor, Limit, ReadAccess, RecordId, WriteAccess
from accountgraph.api.models import Page
from accountgraph.api.routes._common import check_path_id
from accountgraph.graph.store import ListFilter
from accountgraph.schema.models import Bundle, RiskEvent

router = APIRouter(prefix="/risks", tags=["risks"])


@router.get("", summary="List risk events", response_model=Page[RiskEvent])
def list_risks(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    company: CompanyFilter = None,
) -> Page[RiskEvent]:
    return access.page("risk", ListFilter(account=account, company=company), limit, cursor)


@router.get("/{id:path}", summary="Read a risk event")
def get_risk(access: ReadAccess, id: RecordId) -> RiskEvent:
    return access.risk(id)


@router.put("/{id:path}", summary="Create or replace a risk event")
def put_risk(access: WriteAccess, id: RecordId, risk: RiskEvent) -> RiskEvent:
    check_path_id("risks", id, risk.id)
    access.check_write(Bundle(risks=[risk]))
    return access.store.upsert_risk(risk)


@router.delete("/{id:path}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a risk event")
def delete_risk(access: WriteAccess, id: RecordId) -> None:
    access.risk(id)
    access.store.delete("risk", id)
