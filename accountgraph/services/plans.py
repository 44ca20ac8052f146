"""The relationship plans' use cases as a scope may use them: plans, their goals and actions, drafts from next
best actions or from an opportunity, and their progress.

The rules live in `accountgraph.plans`; what is added here is who may see and do what. A plan belongs to an
account: for a scope limited to other accounts it answers exactly as one that does not exist (NotFoundError),
lists leave it out, and a plan cannot be made for an account (or an opportunity) outside the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from accountgraph.errors import NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.plans import progress, service
from accountgraph.plans.models import STALL_DAYS, Action, Goal, GoalSpec, Plan, PlanProgress
from accountgraph.schema.models import ApiRole
from accountgraph.services import opportunities
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.paging import Page
from accountgraph.services.scope import Scope, writes


def get_plan(store: GraphStore, scope: Scope, id: str) -> Plan:
    """The plan (NotFoundError when it does not exist or belongs to an account outside the scope)."""
    plan = service.get_plan(store, id)
    if not scope.sees(plan.account):
        raise NotFoundError("plan", id)
    return plan


def list_plans(store: GraphStore, scope: Scope, account: str | None = None) -> Page[Plan]:
    """Every plan (of one account when given) the scope sees, on one page."""
    plans = [p for p in service.list_plans(store, account) if scope.sees(p.account)]
    return Page[Plan](data=plans, count=len(plans), next_cursor=None)


@writes
def create_plan(
    store: GraphStore,
    scope: Scope,
    account: str,
    name: str | None = None,
    *,
    goals: Iterable[Goal] = (),
    owner: str | None = None,
    stall_days: int = STALL_DAYS,
    id: str | None = None,
    on: date | None = None,
) -> Plan:
    """A plan for an account of the scope."""
    scope.require_role(ApiRole.PLANNER)
    scope.require_account(account)
    return service.create_plan(store, account, name, goals=goals, owner=owner, stall_days=stall_days, id=id, on=on)


@writes
def create_plan_from_opportunity(
    store: GraphStore,
    scope: Scope,
    opportunity: str,
    *,
    name: str | None = None,
    due_days: int = 30,
    owner: str | None = None,
    stall_days: int = STALL_DAYS,
    id: str | None = None,
    on: date | None = None,
    cache: AnalysisCache | None,
) -> Plan:
    """A plan drafted from the actions that raise the win probability of an opportunity the scope sees."""
    scope.require_role(ApiRole.PLANNER)
    opportunities.get_opportunity(store, scope, opportunity)
    return service.create_plan_from_opportunity(
        store,
        opportunity,
        name=name,
        due_days=due_days,
        owner=owner,
        stall_days=stall_days,
        id=id,
        on=on,
        cache=cache,
    )


@writes
def create_plan_from_actions(
    store: GraphStore,
    scope: Scope,
    account: str,
    *,
    name: str | None = None,
    limit: int | None = None,
    due_days: int = 30,
    owner: str | None = None,
    coverage_goal: bool = True,
    stall_days: int = STALL_DAYS,
    id: str | None = None,
    on: date | None = None,
) -> Plan:
    """A plan drafted from the next best actions of an account of the scope."""
    scope.require_role(ApiRole.PLANNER)
    scope.require_account(account)
    return service.create_plan_from_actions(
        store,
        account,
        name=name,
        limit=limit,
        due_days=due_days,
        owner=owner,
        coverage_goal=coverage_goal,
        stall_days=stall_days,
        id=id,
        on=on,
    )


@writes
def update_plan(store: GraphStore, scope: Scope, /, id: str, **changes: Any) -> Plan:
    """Rename a plan, change its owner (None: no owner; left out: unchanged) or its stall limit
    (`accountgraph.plans.service.update_plan`'s keywords)."""
    scope.require_role(ApiRole.PLANNER)
    get_plan(store, scope, id)
    return service.update_plan(store, id, **changes)


def plan_progress(
    store: GraphStore,
    scope: Scope,
    id: str,
    *,
    on: date | None = None,
    stall_days: int | None = None,
    cache: AnalysisCache | None = None,
) -> PlanProgress:
    """A plan's progress measured from the graph on `on` (default today)."""
    return progress.plan_progress(store, get_plan(store, scope, id), on=on, stall_days=stall_days, cache=cache)


def progress_html(
    store: GraphStore,
    scope: Scope,
    id: str,
    *,
    on: date | None = None,
    stall_days: int | None = None,
    cache: AnalysisCache | None = None,
) -> str:
    """A plan's progress as one self-contained HTML page."""
    return progress.progress_html(store, get_plan(store, scope, id), on=on, stall_days=stall_days, cache=cache)


# ---- goals and actions -------------------------------------------------------------------------
@writes
def add_goal(
    store: GraphStore,
    scope: Scope,
    plan_id: str,
    goal: dict[str, Any] | GoalSpec,
    *,
    id: str | None = None,
    on: date | None = None,
) -> Goal:
    scope.require_role(ApiRole.PLANNER)
    get_plan(store, scope, plan_id)
    return service.add_goal(store, plan_id, goal, id=id, on=on)


@writes
def upsert_goal(store: GraphStore, scope: Scope, plan_id: str, goal: Goal, *, on: date | None = None) -> Goal:
    scope.require_role(ApiRole.PLANNER)
    get_plan(store, scope, plan_id)
    return service.upsert_goal(store, plan_id, goal, on=on)


@writes
def remove_goal(store: GraphStore, scope: Scope, plan_id: str, goal_id: str, *, on: date | None = None) -> Plan:
    scope.require_role(ApiRole.PLANNER)
    get_plan(store, scope, plan_id)
    return service.remove_goal(store, plan_id, goal_id, on=on)


@writes
def add_action(
    store: GraphStore,
    scope: Scope,
    plan_id: str,
    *,
    owner: str,
    target: str,
    title: str | None = None,
    due: date | None = None,
    goal: str | None = None,
    note: str | None = None,
    link_path: bool = True,
    id: str | None = None,
    on: date | None = None,
) -> Action:
    """Add an open action (with `link_path`, the best path from its owner to its target is linked)."""
    scope.require_role(ApiRole.PLANNER)
    get_plan(store, scope, plan_id)
    return service.add_action(
        store,
        plan_id,
        owner=owner,
        target=target,
        title=title,
        due=due,
        goal=goal,
        note=note,
        link_path=link_path,
        id=id,
        on=on,
    )


@writes
def update_action(store: GraphStore, scope: Scope, /, plan_id: str, action_id: str, **changes: Any) -> Action:
    """Change an action: its status, due date, owner, title, note or goal (only those given;
    `accountgraph.plans.service.update_action`'s keywords)."""
    scope.require_role(ApiRole.PLANNER)
    get_plan(store, scope, plan_id)
    return service.update_action(store, plan_id, action_id, **changes)
