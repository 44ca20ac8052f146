"""The change log across accounts: who wrote what, when, through which interface (`GET /v1/changes`)."""

from __future__ import annotations

from fastapi import APIRouter

from accountgraph.api.deps import Cursor, Limit, ReadAccess
from accountgraph.api.routes.accounts import AuthorQuery, KindQuery, RecordQuery
from accountgraph.services import changes
from accountgraph.services.changes import ChangeEntry
from accountgraph.services.paging import Page

router = APIRouter(prefix="/changes", tags=["changes"])


@router.get(
    "",
    summary="The change log: who wrote what, when, through which interface (newest first)",
    description="Every account the key may see; an admin key not limited to accounts also sees the entries that "
    "belong to no account (our team members, products, API keys). Narrowed by `author`, `record` and `kind`. "
    "No entry holds a secret.",
    response_model=Page[ChangeEntry],
)
def list_changes(
    access: ReadAccess,
    author: AuthorQuery = None,
    record: RecordQuery = None,
    kind: KindQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ChangeEntry]:
    return changes.list_changes(
        access.store, access.scope, record=record, author=author, kind=kind, limit=limit, cursor=cursor
    )
