"""Relationship plans (`/v1/plans`) and the comparison of an account's power map between two dates
(`/v1/accounts/{id}/compare`).

Thin wrappers of `accountgraph.services.plans` and `accountgraph.services.compare` (which also decide what a key
may see and do). A plan belongs to an account: a key
limited to other accounts gets a 404 for it, and lists leave it out. Viewers read plans, their progress
and its HTML view; planners create and change them. A reference to a person outside the plan's account, an
unknown team member, plan, goal or action answers 404; a rule a change breaks (an id used twice) 409; a
malformed body or date 422.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accountgraph import i18n
from accountgraph.api.deps import (
    AccountFilter,
    AccountId,
    IsoDate,
    LanguageDep,
    ReadAccess,
    RecordId,
    ViewsDep,
    WriteAccess,
)
from accountgraph.api.errors import Invalid
from accountgraph.api.routes.analysis import HTML_PAGE, said_in
from accountgraph.api.routing import IdRoute
from accountgraph.api.security import HtmlPage
from accountgraph.plans import models
from accountgraph.schema.models import MAX_ID_LENGTH, BundleIssue, Id, Name, Text, today
from accountgraph.services import plans
from accountgraph.services.compare import Comparison, compare
from accountgraph.services.paging import Page

router = APIRouter(prefix="/plans", tags=["plans"], route_class=IdRoute)
compare_router = APIRouter(prefix="/accounts", tags=["analysis"], route_class=IdRoute)
routers = (router, compare_router)

ItemId = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH, description="the id within the plan")]
OnField = Field(default=None, description="the day the change is dated (default today)")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActionCreate(_Body):
    """A new open action; with `link_path` the best path from its owner to its target is linked."""

    id: Id | None = Field(default=None, description="default a1, a2, …")
    owner: Id
    target: Id
    title: Text | None = None
    due: date | None = None
    goal: Id | None = None
    note: Text | None = None
    link_path: bool = True
    on: date | None = OnField


class PlanCreate(_Body):
    account: Id
    name: Name | None = None
    owner: Id | None = None
    stall_days: Annotated[int, Field(ge=1, le=3650)] = models.STALL_DAYS
    goals: list[models.Goal] = Field(default_factory=list, max_length=1000)
    id: Id | None = Field(default=None, description="default generated")
    on: date | None = OnField


class FromActions(_Body):
    """Draft a plan from the account's next best actions."""

    account: Id
    name: Name | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] | None = None
    due_days: Annotated[int, Field(ge=0, le=3650)] = 30
    owner: Id | None = None
    coverage_goal: bool = True
    stall_days: Annotated[int, Field(ge=1, le=3650)] = models.STALL_DAYS
    id: Id | None = None
    on: date | None = OnField


class FromOpportunity(_Body):
    """Draft a plan from the actions that raise an opportunity's win probability most."""

    opportunity: Id
    name: Name | None = None
    due_days: Annotated[int, Field(ge=0, le=3650)] = 30
    owner: Id | None = None
    stall_days: Annotated[int, Field(ge=1, le=3650)] = models.STALL_DAYS
    id: Id | None = None
    on: date | None = OnField


class PlanPatch(_Body):
    name: Name | None = None
    owner: Id | None = Field(default=None, description="null: no owner (only when given)")
    stall_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    on: date | None = OnField


class GoalCreate(models.GoalSpec):
    id: Id | None = Field(default=None, description="default g1, g2, …")
    on: date | None = OnField


class GoalPut(models.GoalSpec):
    on: date | None = OnField


class ActionPatch(_Body):
    """The fields to change (only those given; `null` clears due, note or goal)."""

    status: models.ActionStatus | None = None
    due: date | None = None
    owner: Id | None = None
    title: Text | None = None
    note: Text | None = None
    goal: Id | None = None
    on: date | None = OnField


@router.get("", summary="List plans (of one account when given)", response_model=Page[models.Plan])
def list_plans(access: ReadAccess, account: AccountFilter = None) -> Page[models.Plan]:
    return plans.list_plans(access.store, access.scope, account)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a plan for an account")
def create_plan(access: WriteAccess, body: PlanCreate) -> models.Plan:
    return plans.create_plan(
        access.store,
        access.scope,
        body.account,
        body.name,
        goals=body.goals,
        owner=body.owner,
        stall_days=body.stall_days,
        id=body.id,
        on=body.on,
    )


@router.post(
    "/from-opportunity",
    status_code=status.HTTP_201_CREATED,
    summary="Draft a tracked plan in one call from the actions that raise an opportunity's win probability",
)
def from_opportunity(access: WriteAccess, views: ViewsDep, body: FromOpportunity) -> models.Plan:
    return plans.create_plan_from_opportunity(
        access.store,
        access.scope,
        body.opportunity,
        name=body.name,
        due_days=body.due_days,
        owner=body.owner,
        stall_days=body.stall_days,
        id=body.id,
        on=body.on,
        cache=views,
    )


@router.post(
    "/from-actions",
    status_code=status.HTTP_201_CREATED,
    summary="Draft a tracked plan in one call from the account's next best actions",
)
def from_actions(access: WriteAccess, views: ViewsDep, body: FromActions) -> models.Plan:
    return plans.create_plan_from_actions(
        access.store,
        access.scope,
        body.account,
        name=body.name,
        limit=body.limit,
        due_days=body.due_days,
        owner=body.owner,
        coverage_goal=body.coverage_goal,
        stall_days=body.stall_days,
        id=body.id,
        on=body.on,
    )


OnQuery = Annotated[IsoDate | None, Query(description="read the graph as it stood on this date (default today)")]
StallQuery = Annotated[int | None, Query(ge=1, le=3650, description="idle days before an action is stalled")]


@router.get("/{id:path}/progress", summary="A plan's progress measured from the graph: goals met, actions flagged")
def plan_progress(
    access: ReadAccess,
    views: ViewsDep,
    language: LanguageDep,
    id: RecordId,
    on: OnQuery = None,
    stall_days: StallQuery = None,
) -> models.PlanProgress:
    result = plans.plan_progress(access.store, access.scope, id, on=on, stall_days=stall_days, cache=views)
    return said_in(language, result)


@router.get(
    "/{id:path}/view",
    response_model=None,
    responses=HTML_PAGE,
    summary="A plan's progress as one self-contained HTML page",
)
def plan_view(
    access: ReadAccess,
    views: ViewsDep,
    language: LanguageDep,
    id: RecordId,
    on: OnQuery = None,
    stall_days: StallQuery = None,
) -> HTMLResponse:
    with i18n.use(language):
        html = plans.progress_html(access.store, access.scope, id, on=on, stall_days=stall_days, cache=views)
    return HtmlPage(html, language=language)


@router.post("/{id:path}/actions", status_code=status.HTTP_201_CREATED, summary="Add an action to a plan (an open one)")
def add_action(access: WriteAccess, views: ViewsDep, id: RecordId, body: ActionCreate) -> models.Action:
    return plans.add_action(
        access.store,
        access.scope,
        id,
        owner=body.owner,
        target=body.target,
        title=body.title,
        due=body.due,
        goal=body.goal,
        note=body.note,
        link_path=body.link_path,
        id=body.id,
        on=body.on,
    )


@router.patch("/{id:path}/actions/{action_id}", summary="Change an action: its status (done, dropped), due, owner…")
def patch_action(access: WriteAccess, id: RecordId, action_id: ItemId, body: ActionPatch) -> models.Action:
    given = body.model_fields_set - {"on"}
    for name in ("status", "owner", "title"):
        if name in given and getattr(body, name) is None:
            raise _invalid(name, "cannot be null")
    changes = {name: getattr(body, name) for name in given}
    return plans.update_action(access.store, access.scope, id, action_id, on=body.on, **changes)


@router.post("/{id:path}/goals", status_code=status.HTTP_201_CREATED, summary="Add a goal to a plan")
def add_goal(access: WriteAccess, id: RecordId, body: GoalCreate) -> models.Goal:
    spec = models.GoalSpec.model_validate(body.model_dump(exclude={"id", "on"}))
    return plans.add_goal(access.store, access.scope, id, spec, id=body.id, on=body.on)


@router.put("/{id:path}/goals/{goal_id}", summary="Create or replace a goal of a plan")
def put_goal(access: WriteAccess, id: RecordId, goal_id: ItemId, body: GoalPut) -> models.Goal:
    try:
        goal = models.Goal.model_validate({**body.model_dump(exclude={"on"}), "id": goal_id})
    except ValidationError as e:
        raise _invalid("goal_id", str(e.errors()[0]["msg"]).removeprefix("Value error, "), "path") from None
    return plans.upsert_goal(access.store, access.scope, id, goal, on=body.on)


@router.delete("/{id:path}/goals/{goal_id}", summary="Remove a goal from a plan (its actions then serve none)")
def delete_goal(access: WriteAccess, id: RecordId, goal_id: ItemId) -> models.Plan:
    return plans.remove_goal(access.store, access.scope, id, goal_id)


@router.get("/{id:path}", summary="Read a plan: its goals and actions")
def get_plan(access: ReadAccess, id: RecordId) -> models.Plan:
    return plans.get_plan(access.store, access.scope, id)


@router.patch("/{id:path}", summary="Rename a plan, change its owner or its stall limit")
def patch_plan(access: WriteAccess, id: RecordId, body: PlanPatch) -> models.Plan:
    changes = {"owner": body.owner} if "owner" in body.model_fields_set else {}
    return plans.update_plan(
        access.store, access.scope, id, name=body.name, stall_days=body.stall_days, on=body.on, **changes
    )


def _invalid(field: str, reason: str, record: str = "body") -> Invalid:
    issue = BundleIssue(record=record, field=field, reason=reason)
    return Invalid(f"invalid request: {issue}", [issue.model_dump(mode="json")])


@compare_router.get(
    "/{id:path}/compare",
    summary="The account's power map on two dates compared: who moved, ties and coverage gained or lost",
)
def compare_dates(
    access: ReadAccess,
    views: ViewsDep,
    language: LanguageDep,
    id: AccountId,
    before: Annotated[IsoDate, Query(description="the earlier date")],
    after: Annotated[IsoDate | None, Query(description="the later date (default today)")] = None,
    top: Annotated[int, Query(ge=1, le=10_000, description="rank movers among the top N of either date")] = 20,
    strength_delta: Annotated[
        float, Query(gt=0, le=1, description="report ties of ours whose strength moved by this much")
    ] = 0.1,
) -> Comparison:
    second = after or today()
    if before > second:
        raise _invalid("before", f"must not be after `after` ({second.isoformat()})", "query")
    result = compare(
        access.store, access.scope, id, before, second, top=top, strength_delta=strength_delta, cache=views
    )
    return said_in(language, result)
