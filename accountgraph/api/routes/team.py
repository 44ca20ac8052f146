"""Team members: our own people. They belong to no account, so every key may read them."""

from __future__ import annotations

from fastapi import APIRouter, status

from accountgraph.api.deps import AccountFilter, Cursor, Limit, ReadAccess, RecordId, WriteAccess
from accountgraph.api.models import Page
from accountgraph.api.routes._common import check_path_id
from accountgraph.graph.store import ListFilter
from accountgraph.schema.models import Bundle, TeamMember

router = APIRouter(prefix="/team", tags=["team"])


@router.get(
    "",
    summary="List team members",
    description="With `account`: the members tied to that account's people. A key limited to accounts "
    "lists the members working its accounts.",
    response_model=Page[TeamMember],
)
def list_team(
    access: ReadAccess, limit: Limit = 100, cursor: Cursor = None, account: AccountFilter = None
) -> Page[TeamMember]:
    return access.page("team", ListFilter(account=account), limit, cursor)


@router.get("/{id:path}", summary="Read a team member")
def get_team_member(access: ReadAccess, id: RecordId) -> TeamMember:
    return access.team_member(id)


@router.put("/{id:path}", summary="Create or replace a team member")
def put_team_member(access: WriteAccess, id: RecordId, member: TeamMember) -> TeamMember:
    check_path_id("team", id, member.id)
    access.check_write(Bundle(team=[member]))
    return access.store.upsert_team_member(member)


@router.delete(
    "/{id:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a team member, their ties and interactions (a key limited to accounts may not)",
)
def delete_team_member(access: WriteAccess, id: RecordId) -> None:
    access.team_member(id)
    access.require_unscoped("delete a team member: their ties and interactions span accounts")
    access.store.delete("team", id)
