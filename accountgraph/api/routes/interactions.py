"""Interactions: logged touches between our team members and the customer's people."""

from __future__ import annotations

from fastapi import APIRouter, status

from accountgraph.api.deps import (
    AccountFilter,
    CompanyFilter,
    Cursor,
    Limit,
    MemberFilter,
    PersonFilter,
    ReadAccess,
    RecordId,
    WriteAccess,
)
from accountgraph.api.models import Page
from accountgraph.api.routes._common import check_path_id
from accountgraph.graph.store import ListFilter
from accountgraph.schema.models import Bundle, Interaction

router = APIRouter(prefix="/interactions", tags=["interactions"])


@router.get("", summary="List interactions", response_model=Page[Interaction])
def list_interactions(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    company: CompanyFilter = None,
    person: PersonFilter = None,
    member: MemberFilter = None,
) -> Page[Interaction]:
    filters = ListFilter(account=account, company=company, person=person, member=member)
    return access.page("interaction", filters, limit, cursor)


@router.get("/{id:path}", summary="Read an interaction")
def get_interaction(access: ReadAccess, id: RecordId) -> Interaction:
    return access.interaction(id)


@router.put("/{id:path}", summary="Create or replace an interaction")
def put_interaction(access: WriteAccess, id: RecordId, interaction: Interaction) -> Interaction:
    check_path_id("interactions", id, interaction.id)
    access.check_write(Bundle(interactions=[interaction]))
    return access.store.upsert_interaction(interaction)


@router.delete("/{id:path}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an interaction")
def delete_interaction(access: WriteAccess, id: RecordId) -> None:
    access.interaction(id)
    access.store.delete("interaction", id)
