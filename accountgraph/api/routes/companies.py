"""Companies: the legal entities of customer groups; `parent` builds an account's tree."""

from __future__ import annotations

from fastapi import APIRouter, status

from accountgraph.api.deps import AccountFilter, Cursor, Limit, ReadAccess, RecordId, WriteAccess
from accountgraph.api.models import Page
from accountgraph.api.routes._common import check_path_id
from accountgraph.graph.store import ListFilter
from accountgraph.schema.models import Bundle, Company

router = APIRouter(prefix="/companies", tags=["companies"])


@router.get("", summary="List companies", response_model=Page[Company])
def list_companies(
    access: ReadAccess, limit: Limit = 100, cursor: Cursor = None, account: AccountFilter = None
) -> Page[Company]:
    return access.page("company", ListFilter(account=account), limit, cursor)


@router.get("/{id:path}", summary="Read a company")
def get_company(access: ReadAccess, id: RecordId) -> Company:
    return access.company(id)


@router.put("/{id:path}", summary="Create or replace a company")
def put_company(access: WriteAccess, id: RecordId, company: Company) -> Company:
    check_path_id("companies", id, company.id)
    access.check_write(Bundle(companies=[company]))
    return access.store.upsert_company(company)


@router.delete(
    "/{id:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a company (409 while it has subsidiaries or people)",
)
def delete_company(access: WriteAccess, id: RecordId) -> None:
    access.company(id)
    access.store.delete("company", id)
