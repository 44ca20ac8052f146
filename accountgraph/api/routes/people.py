"""People: contacts at customer companies, with their decision roles, stance and dated history."""

from __future__ import annotations

from fastapi import APIRouter, status

from accountgraph.api.deps import (
    AccountFilter,
    CompanyFilter,
    Cursor,
    Limit,
    ReadAccess,
    RecordId,
    RoleFilter,
    StanceFilter,
    WriteAccess,
)
from accountgraph.api.models import Page
from accountgraph.api.routes._common import check_path_id
from accountgraph.graph.store import ListFilter
from accountgraph.schema.models import Bundle, Person

router = APIRouter(prefix="/people", tags=["people"])


@router.get("", summary="List people", response_model=Page[Person])
def list_people(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    company: CompanyFilter = None,
    role: RoleFilter = None,
    stance: StanceFilter = None,
) -> Page[Person]:
    filters = ListFilter(account=account, company=company, role=role, stance=stance)
    return access.page("person", filters, limit, cursor)


@router.get("/{id:path}", summary="Read a person")
def get_person(access: ReadAccess, id: RecordId) -> Person:
    return access.person(id)


@router.put(
    "/{id:path}",
    summary="Create or replace a person",
    description="A change of roles or stance is kept in `history`, dated `changed_on` (default today).",
)
def put_person(access: WriteAccess, id: RecordId, person: Person) -> Person:
    check_path_id("people", id, person.id)
    access.check_write(Bundle(people=[person]))
    return access.store.upsert_person(person)


@router.delete(
    "/{id:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a person, their ties and interactions",
)
def delete_person(access: WriteAccess, id: RecordId) -> None:
    access.person(id)
    access.store.delete("person", id)
