"""Accounts (root companies): the list, each account's company tree, its export and its change log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from accountgraph.api.deps import AccountId, AsOf, Cursor, Limit, ReadAccess
from accountgraph.api.models import CompanyTree
from accountgraph.api.routing import IdRoute
from accountgraph.schema.models import MAX_ID_LENGTH, Bundle, Company
from accountgraph.services import changes, records
from accountgraph.services.changes import ChangeEntry
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


RecordQuery = Annotated[
    str | None,
    Query(max_length=2 * MAX_ID_LENGTH + 20, description="only the changes of this record (a tie: `type:from->to`)"),
]
AuthorQuery = Annotated[
    str | None, Query(max_length=300, description="only the changes of this author (a key id, or user@host)")
]
KindQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="only the changes of this kind of record (company, person, team, tie, interaction, risk, "
        "import, api_key, a document kind)",
    ),
]


@router.get(
    "/{id:path}/changes",
    summary="The account's change log: who wrote what, when, through which interface (newest first)",
    response_model=Page[ChangeEntry],
)
def account_changes(
    access: ReadAccess,
    id: AccountId,
    record: RecordQuery = None,
    author: AuthorQuery = None,
    kind: KindQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ChangeEntry]:
    return changes.list_changes(
        access.store, access.scope, id, record=record, author=author, kind=kind, limit=limit, cursor=cursor
    )
