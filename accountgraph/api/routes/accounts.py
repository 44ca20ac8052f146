"""Accounts (root companies): the list, each account's company tree and its export."""

from __future__ import annotations

from fastapi import APIRouter

from accountgraph.api.deps import AccountId, AsOf, ReadAccess
from accountgraph.api.models import CompanyTree
from accountgraph.api.routing import IdRoute
from accountgraph.schema.models import Bundle, Company
from accountgraph.services import records
from accountgraph.services.paging import Page

router = APIRouter(prefix="/accounts", tags=["accounts"], route_class=IdRoute)


@router.get("", summary="List accounts (root companies)", response_model=Page[Company])
def list_accounts(access: ReadAccess) -> Page[Company]:
    accounts = records.list_accounts(access.store, access.scope)
    return Page[Company](data=accounts, count=len(accounts), next_cursor=None)


@router.get("/{id:path}/tree", summary="The account's company tree, with people per company")
def account_tree(access: ReadAccess, id: AccountId, as_of: AsOf = None) -> CompanyTree:
    return CompanyTree.model_validate(records.company_tree(access.store, access.scope, id, as_of).as_dict())


@router.get("/{id:path}/export", summary="Everything of the account as a bundle (history included)")
def export_account(access: ReadAccess, id: AccountId) -> Bundle:
    return records.export_account(access.store, access.scope, id)
