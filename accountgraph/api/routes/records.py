"""The graph's records: companies, people, team members, interactions and risk events (list, read, create or
replace, delete), one router per kind made by one factory, and ties (named by type and ends).

Thin adapters of `accountgraph.services.records`: parse, call, answer. What a key limited to accounts may see
and write is decided there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from accountgraph.api.deps import (
    AccountFilter,
    CompanyFilter,
    Cursor,
    Limit,
    MemberFilter,
    PersonFilter,
    ReadAccess,
    RecordId,
    RoleFilter,
    StanceFilter,
    TypeFilter,
    WriteAccess,
)
from accountgraph.api.routing import IdRoute
from accountgraph.graph.store import ListFilter
from accountgraph.schema.models import (
    MAX_ID_LENGTH,
    Company,
    Interaction,
    Person,
    RiskEvent,
    TeamMember,
    Tie,
    TieType,
)
from accountgraph.services import records
from accountgraph.services.paging import Page


def _by_account(account: AccountFilter = None) -> ListFilter:
    return ListFilter(account=account)


def _people_filters(
    account: AccountFilter = None, company: CompanyFilter = None, role: RoleFilter = None, stance: StanceFilter = None
) -> ListFilter:
    return ListFilter(account=account, company=company, role=role, stance=stance)


def _interaction_filters(
    account: AccountFilter = None,
    company: CompanyFilter = None,
    person: PersonFilter = None,
    member: MemberFilter = None,
) -> ListFilter:
    return ListFilter(account=account, company=company, person=person, member=member)


def _risk_filters(account: AccountFilter = None, company: CompanyFilter = None) -> ListFilter:
    return ListFilter(account=account, company=company)


@dataclass(frozen=True)
class RecordRoutes:
    """How one record kind is served: its path, model, list filters and the words of its operations."""

    kind: str
    path: str
    model: type[BaseModel]
    filters: Callable[..., ListFilter]
    noun: str  # "a person"
    plural: str  # "people"
    list_description: str | None = None
    put_description: str | None = None
    delete_summary: str | None = None


KINDS = (
    RecordRoutes("company", "companies", Company, _by_account, "a company", "companies",
                 delete_summary="Delete a company (409 while it has subsidiaries or people)"),
    RecordRoutes("person", "people", Person, _people_filters, "a person", "people",
                 list_description="In id order, by exact filters. To find people by name, title, e-mail or company "
                 "across accounts, ranked, see `GET /v1/search/people`.",
                 put_description="A change of roles or stance is kept in `history`, dated `changed_on` (default "
                 "today).", delete_summary="Delete a person, their ties and interactions"),
    RecordRoutes("team", "team", TeamMember, _by_account, "a team member", "team members",
                 list_description="With `account`: the members tied to that account's people. A key limited to "
                 "accounts lists the members working its accounts.",
                 delete_summary="Delete a team member, their ties and interactions (a key limited to accounts may "
                 "not)"),
    RecordRoutes("interaction", "interactions", Interaction, _interaction_filters, "an interaction", "interactions"),
    RecordRoutes("risk", "risks", RiskEvent, _risk_filters, "a risk event", "risk events"),
)  # fmt: skip


def record_router(spec: RecordRoutes) -> APIRouter:
    """The list, read, put and delete operations of one record kind."""
    router = APIRouter(prefix=f"/{spec.path}", tags=[spec.path], route_class=IdRoute)
    one = "team_member" if spec.kind == "team" else spec.kind  # operation ids as they always were
    Filters = Annotated[ListFilter, Depends(spec.filters)]

    def list_(access: ReadAccess, filters: Filters, limit: Limit = 100, cursor: Cursor = None) -> Page[Any]:
        return records.list_records(access.store, access.scope, spec.kind, filters, limit=limit, cursor=cursor)

    def get(access: ReadAccess, id: RecordId) -> Any:
        return records.get_record(access.store, access.scope, spec.kind, id)

    def put(access: WriteAccess, id: RecordId, record: BaseModel) -> Any:
        return records.put_record(access.store, access.scope, record, id=id)

    # the annotations FastAPI reads (this module's are strings, and these two are local to the factory)
    list_.__annotations__["filters"] = Filters
    put.__annotations__["record"] = spec.model

    def delete(access: WriteAccess, id: RecordId) -> None:
        records.delete_record(access.store, access.scope, spec.kind, id)

    router.add_api_route(
        "",
        list_,
        methods=["GET"],
        name=f"list_{spec.path}",
        summary=f"List {spec.plural}",
        description=spec.list_description,
        response_model=Page[spec.model],  # type: ignore[name-defined]
    )
    router.add_api_route(
        "/{id:path}",
        get,
        methods=["GET"],
        name=f"get_{one}",
        summary=f"Read {spec.noun}",
        response_model=spec.model,
    )
    router.add_api_route(
        "/{id:path}",
        put,
        methods=["PUT"],
        name=f"put_{one}",
        summary=f"Create or replace {spec.noun}",
        description=spec.put_description,
        response_model=spec.model,
    )
    router.add_api_route(
        "/{id:path}", delete, methods=["DELETE"], name=f"delete_{one}",
        status_code=status.HTTP_204_NO_CONTENT, summary=spec.delete_summary or f"Delete {spec.noun}",
    )  # fmt: skip
    return router


# ---- ties: `knows` (symmetric, stored once from the smaller id) and `influences` (directed) -----------
# A tie is named by its type and its two ends, given as the `from` and `to` query parameters (ids may hold any
# character, so they are not path segments). End a relationship by setting its `until`; delete a tie only to
# undo a mistake.
ties = APIRouter(prefix="/ties", tags=["ties"])

FromEnd = Annotated[str, Query(alias="from", min_length=1, max_length=MAX_ID_LENGTH, description="one end")]
ToEnd = Annotated[str, Query(alias="to", min_length=1, max_length=MAX_ID_LENGTH, description="the other end")]


@ties.get("", summary="List ties", response_model=Page[Tie])
def list_ties(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    person: PersonFilter = None,
    type: TypeFilter = None,
) -> Page[Any]:
    filters = ListFilter(account=account, person=person, type=type)
    return records.list_records(access.store, access.scope, "tie", filters, limit=limit, cursor=cursor)


@ties.put("", summary="Create or replace a tie (named by its type and ends)")
def put_tie(access: WriteAccess, tie: Tie) -> Tie:
    return records.put_tie(access.store, access.scope, tie)


@ties.get("/{type}", summary="Read a tie")
def get_tie(access: ReadAccess, type: TieType, from_: FromEnd, to: ToEnd) -> Tie:
    return records.get_tie(access.store, access.scope, type, from_, to)


@ties.delete(
    "/{type}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a tie (a mistake; to end one, set `until`)"
)
def delete_tie(access: WriteAccess, type: TieType, from_: FromEnd, to: ToEnd) -> None:
    records.delete_tie(access.store, access.scope, type, from_, to)


routers = [*(record_router(spec) for spec in KINDS), ties]
