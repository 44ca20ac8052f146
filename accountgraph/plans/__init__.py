"""Relationship plans: goals checkable against the graph, tracked actions and their progress (its HTML view is
`accountgraph.viz.plan_view`, reached through `progress.progress_html`)."""

from accountgraph.plans.models import Action, ActionStatus, Goal, GoalKind, Plan, PlanProgress
from accountgraph.plans.progress import plan_progress
from accountgraph.plans.service import (
    add_action,
    add_goal,
    create_plan,
    create_plan_from_actions,
    get_plan,
    list_plans,
    remove_goal,
    update_action,
    update_plan,
    upsert_goal,
)

__all__ = [
    "Action",
    "ActionStatus",
    "Goal",
    "GoalKind",
    "Plan",
    "PlanProgress",
    "add_action",
    "add_goal",
    "create_plan",
    "create_plan_from_actions",
    "get_plan",
    "list_plans",
    "plan_progress",
    "remove_goal",
    "update_action",
    "update_plan",
    "upsert_goal",
]
