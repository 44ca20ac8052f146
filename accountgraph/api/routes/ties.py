"""Ties: `knows` (symmetric, stored once from the smaller id) and `influences` (directed) relationships.

A tie is named by its type and its two ends, given as the `from` and `to` query parameters (ids may hold
any character, so they are not path segments). End a relationship by setting its `until`; delete a tie
only to undo a mistake.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from accountgraph.api.deps import AccountFilter, Cursor, Limit, PersonFilter, ReadAccess, TypeFilter, WriteAccess
from accountgraph.api.models import Page
from accountgraph.graph.store import ListFilter
from accountgraph.schema.models import MAX_ID_LENGTH, Bundle, Tie, TieType

router = APIRouter(prefix="/ties", tags=["ties"])

FromEnd = Annotated[str, Query(alias="from", min_length=1, max_length=MAX_ID_LENGTH, description="one end")]
ToEnd = Annotated[str, Query(alias="to", min_length=1, max_length=MAX_ID_LENGTH, description="the other end")]


@router.get("", summary="List ties", response_model=Page[Tie])
def list_ties(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    person: PersonFilter = None,
    type: TypeFilter = None,
) -> Page[Tie]:
    return access.page("tie", ListFilter(account=account, person=person, type=type), limit, cursor)


@router.put("", summary="Create or replace a tie (named by its type and ends)")
def put_tie(access: WriteAccess, tie: Tie) -> Tie:
    access.check_write(Bundle(ties=[tie]))
    return access.store.upsert_tie(tie)


@router.get("/{type}", summary="Read a tie")
def get_tie(access: ReadAccess, type: TieType, from_: FromEnd, to: ToEnd) -> Tie:
    return access.tie(type, from_, to)


@router.delete(
    "/{type}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a tie (a mistake; to end one, set `until`)"
)
def delete_tie(access: WriteAccess, type: TieType, from_: FromEnd, to: ToEnd) -> None:
    tie = access.tie(type, from_, to)
    access.store.delete_tie(tie.type, tie.from_, tie.to)
