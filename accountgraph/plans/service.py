"""Relationship plans: create, read, list and change them, and draft one from the next best actions.

Plans are documents of kind ``plan`` (`GraphStore.documents`), so they live on both backends without a
schema change. Every change reads the plan and its version in a unit of work, applies the change and commits
it expecting that version; when another writer got there first the change starts again from a fresh read
(`Documents.retrying`), so concurrent edits are never lost.

References are checked against the graph: the account must be an account (root company), goal and action
people must be people of that account, owners and members our team members (NotFoundError otherwise); an
action that names a goal the plan does not have, or a change of a missing goal or action, is a
RuleViolation or a NotFoundError. Every function takes `on` (default today) to date what it writes.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from accountgraph.algorithms.params import Options
from accountgraph.algorithms.results import Action as NextAction
from accountgraph.algorithms.results import ContactPath
from accountgraph.errors import NotFoundError, RuleViolation
from accountgraph.graph.store import GraphStore, UnitOfWork
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.plans.models import STALL_DAYS, Action, ActionStatus, Goal, GoalKind, GoalSpec, Plan
from accountgraph.schema.models import today
from accountgraph.services import analysis
from accountgraph.services.scope import Scope

__all__ = [
    "add_action",
    "add_goal",
    "create_plan",
    "create_plan_from_actions",
    "get_plan",
    "list_plans",
    "remove_goal",
    "update_action",
    "update_plan",
    "upsert_goal",
]

_UNSET: Any = object()


# ---- reading ------------------------------------------------------------------------------------
def get_plan(store: GraphStore, plan_id: str) -> Plan:
    """One plan (NotFoundError if there is none)."""
    record = store.documents.get(Plan.kind, plan_id)
    if record is None:
        raise NotFoundError("plan", plan_id)
    return Plan.model_validate(record.data)


def list_plans(store: GraphStore, account: str | None = None) -> list[Plan]:
    """Every plan (of `account` when given), by id."""
    return [Plan.model_validate(r.data) for r in store.documents.list(Plan.kind, account)]


# ---- checks ---------------------------------------------------------------------------------------
def _check_account(store: GraphStore, account: str) -> None:
    if store.account_of(account) != account:  # NotFoundError for an unknown company
        raise NotFoundError("account", account)


def _check_person(store: GraphStore, account: str, person: str) -> None:
    try:
        company = store.get_person(person).company
    except NotFoundError:
        raise NotFoundError(Phrase(N_("person of account {account}"), account=repr(account)), person) from None
    if store.account_of(company) != account:
        raise NotFoundError(Phrase(N_("person of account {account}"), account=repr(account)), person)


def _check_member(store: GraphStore, member: str) -> None:
    store.get_team_member(member)


def _check_company(store: GraphStore, account: str, company: str) -> None:
    try:
        if store.account_of(company) == account:
            return
    except NotFoundError:
        pass
    raise NotFoundError(Phrase(N_("company of account {account}"), account=repr(account)), company)


def _check_goal(store: GraphStore, account: str, goal: Goal) -> None:
    if goal.person is not None:
        _check_person(store, account, goal.person)
    if goal.member is not None:
        _check_member(store, goal.member)
    if goal.company is not None:
        _check_company(store, account, goal.company)


def _check_action(store: GraphStore, plan: Plan, action: Action) -> None:
    _check_member(store, action.owner)
    _check_person(store, plan.account, action.target)
    if action.goal is not None and plan.goal(action.goal) is None:
        raise RuleViolation(Phrase(N_("plan {plan} has no goal {goal}"), plan=repr(plan.id), goal=repr(action.goal)))


def _validated(build: Callable[[], Plan]) -> Plan:
    """Build a plan; a model rule it breaks (ids used twice, a goal of an action missing) is a RuleViolation."""
    try:
        return build()
    except ValidationError as e:
        raise RuleViolation("; ".join(str(err["msg"]).removeprefix("Value error, ") for err in e.errors())) from None


def _next_id(prefix: str, taken: Iterable[str]) -> str:
    used = set(taken)
    n = len(used) + 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


# ---- writing --------------------------------------------------------------------------------------
def create_plan(
    store: GraphStore,
    account: str,
    name: str | None = None,
    *,
    goals: Iterable[Goal] = (),
    actions: Iterable[Action] = (),
    owner: str | None = None,
    stall_days: int = STALL_DAYS,
    id: str | None = None,
    on: date | None = None,
) -> Plan:
    """Create a plan for an account (its id generated unless given; an existing id is a RuleViolation).

    Raises
    ------
    NotFoundError
        An unknown account, a person outside the account, an unknown team member or company.
    RuleViolation
        The id is taken, a goal or action id is used twice, an action serves a goal the plan lacks.
    """
    day = on or today()
    _check_account(store, account)
    if owner is not None:
        _check_member(store, owner)
    plan = _validated(
        lambda: Plan(
            id=id or f"plan-{uuid.uuid4().hex[:12]}",
            account=account,
            name=name or f"relationship plan for {account}",
            owner=owner,
            stall_days=stall_days,
            goals=list(goals),
            actions=list(actions),
            created=day,
            updated=day,
        )
    )
    for goal in plan.goals:
        _check_goal(store, account, goal)
    for action in plan.actions:
        _check_action(store, plan, action)
    with store.documents.unit_of_work() as uow:
        if uow.get(Plan.kind, plan.id) is not None:
            raise RuleViolation(Phrase(N_("plan {plan} exists already"), plan=repr(plan.id)))
        uow.save(plan)
    return plan


def _change(store: GraphStore, plan_id: str, change: Callable[[Plan], Plan], on: date | None) -> Plan:
    """Apply `change` to a fresh read of the plan and commit it against the version read (retried on a race)."""
    day = on or today()

    def attempt(uow: UnitOfWork) -> Plan:
        plan = uow.load(Plan, plan_id)
        if plan is None:
            raise NotFoundError("plan", plan_id)
        new = change(plan)
        new = _validated(lambda: Plan.model_validate({**new.model_dump(), "updated": day}))
        uow.save(new)
        return new

    return store.documents.retrying(attempt)


def update_plan(
    store: GraphStore,
    plan_id: str,
    *,
    name: str | None = None,
    owner: str | None = _UNSET,
    stall_days: int | None = None,
    on: date | None = None,
) -> Plan:
    """Rename a plan, change its owner (None: no owner) or its stall limit."""
    if owner is not _UNSET and owner is not None:
        _check_member(store, owner)

    def change(plan: Plan) -> Plan:
        update: dict[str, Any] = {}
        if name is not None:
            update["name"] = name
        if owner is not _UNSET:
            update["owner"] = owner
        if stall_days is not None:
            update["stall_days"] = stall_days
        return Plan.model_validate({**plan.model_dump(), **update})

    return _change(store, plan_id, change, on)


def add_goal(
    store: GraphStore, plan_id: str, goal: dict[str, Any] | GoalSpec, *, id: str | None = None, on: date | None = None
) -> Goal:
    """Add a goal (its id `id`, or the goal's, or generated as g1, g2, …). Returns it."""
    plan = get_plan(store, plan_id)
    raw = goal.model_dump() if isinstance(goal, GoalSpec) else dict(goal)
    if id is not None:
        raw["id"] = id
    if not raw.get("id"):
        raw["id"] = _next_id("g", (g.id for g in plan.goals))
    new = Goal.model_validate(raw)
    _check_goal(store, plan.account, new)

    def change(plan: Plan) -> Plan:
        if plan.goal(new.id) is not None:
            raise RuleViolation(
                Phrase(N_("plan {plan} has a goal {goal} already"), plan=repr(plan.id), goal=repr(new.id))
            )
        return plan.model_copy(update={"goals": [*plan.goals, new]})

    _change(store, plan_id, change, on)
    return new


def upsert_goal(store: GraphStore, plan_id: str, goal: Goal, *, on: date | None = None) -> Goal:
    """Create or replace the goal of that id."""
    plan = get_plan(store, plan_id)
    _check_goal(store, plan.account, goal)

    def change(plan: Plan) -> Plan:
        goals = [goal if g.id == goal.id else g for g in plan.goals]
        if plan.goal(goal.id) is None:
            goals.append(goal)
        return plan.model_copy(update={"goals": goals})

    _change(store, plan_id, change, on)
    return goal


def remove_goal(store: GraphStore, plan_id: str, goal_id: str, *, on: date | None = None) -> Plan:
    """Remove a goal; the actions that served it then serve none."""

    def change(plan: Plan) -> Plan:
        if plan.goal(goal_id) is None:
            raise NotFoundError(Phrase(N_("goal of plan {plan}"), plan=repr(plan_id)), goal_id)
        actions = [a.model_copy(update={"goal": None}) if a.goal == goal_id else a for a in plan.actions]
        return plan.model_copy(update={"goals": [g for g in plan.goals if g.id != goal_id], "actions": actions})

    return _change(store, plan_id, change, on)


def _best_path(
    store: GraphStore, account: str, owner: str, target: str, as_of: date | None, options: Options | None
) -> ContactPath | None:
    """The strongest path from `owner` to `target` now, or None (the owner holds no tie in the account)."""
    view = analysis.account_view(store, account, as_of=as_of, options=options)
    if not view.is_team(owner) or not view.is_person(target):
        return None
    result = analysis.path(store, Scope.operator(), account, target, source=owner, k=1, as_of=as_of, options=options)
    return result.paths[0] if result.paths else None


def add_action(
    store: GraphStore,
    plan_id: str,
    *,
    owner: str,
    target: str,
    title: str | None = None,
    due: date | None = None,
    goal: str | None = None,
    note: str | None = None,
    path: ContactPath | None = None,
    link_path: bool = True,
    id: str | None = None,
    on: date | None = None,
    options: Options | None = None,
) -> Action:
    """Add an open action. With `link_path` (and no `path` given) the best path from the owner to the
    target on `on` is linked to it, when there is one. Returns the action."""
    day = on or today()
    plan = get_plan(store, plan_id)
    _check_member(store, owner)
    _check_person(store, plan.account, target)
    if path is None and link_path:
        path = _best_path(store, plan.account, owner, target, on, options)
    if path is not None and (path.member != owner or path.target != target):
        raise RuleViolation(Phrase(N_("the linked path must lead from the owner to the target")))
    text = title or f"{owner} reaches {target}" + (f" through {len(path.hops) - 1} introduction(s)" if path else "")

    def change(plan: Plan) -> Plan:
        action_id = id or _next_id("a", (a.id for a in plan.actions))
        if plan.action(action_id) is not None:
            raise RuleViolation(
                Phrase(N_("plan {plan} has an action {action} already"), plan=repr(plan.id), action=repr(action_id))
            )
        if goal is not None and plan.goal(goal) is None:
            raise NotFoundError(Phrase(N_("goal of plan {plan}"), plan=repr(plan.id)), goal)
        action = Action(
            id=action_id,
            title=text,
            owner=owner,
            target=target,
            due=due,
            goal=goal,
            path=path,
            note=note,
            created=day,
            updated=day,
        )
        return plan.model_copy(update={"actions": [*plan.actions, action]})

    new = _change(store, plan_id, change, on)
    return new.actions[-1]


def update_action(
    store: GraphStore,
    plan_id: str,
    action_id: str,
    *,
    status: ActionStatus | str | None = None,
    due: date | None = _UNSET,
    owner: str | None = None,
    title: str | None = None,
    note: str | None = _UNSET,
    goal: str | None = _UNSET,
    on: date | None = None,
) -> Action:
    """Change an action (its status: open, done, dropped; its due date, owner, title, note or goal); the
    change dates it (`updated`), which also restarts its stall clock. Returns it."""
    day = on or today()
    if owner is not None:
        _check_member(store, owner)
    new_status = ActionStatus(status) if status is not None else None

    def change(plan: Plan) -> Plan:
        current = plan.action(action_id)
        if current is None:
            raise NotFoundError(Phrase(N_("action of plan {plan}"), plan=repr(plan_id)), action_id)
        update: dict[str, Any] = {"updated": day}
        if new_status is not None:
            update["status"] = new_status
        if due is not _UNSET:
            update["due"] = due
        if owner is not None:
            update["owner"] = owner
        if title is not None:
            update["title"] = title
        if note is not _UNSET:
            update["note"] = note
        if goal is not _UNSET:
            if goal is not None and plan.goal(goal) is None:
                raise NotFoundError(Phrase(N_("goal of plan {plan}"), plan=repr(plan_id)), goal)
            update["goal"] = goal
        action = Action.model_validate({**current.model_dump(), **update})
        return plan.model_copy(update={"actions": [action if a.id == action_id else a for a in plan.actions]})

    new = _change(store, plan_id, change, on)
    found = new.action(action_id)
    assert found is not None
    return found


# ---- from the next best actions -----------------------------------------------------------------
def _goal_for(action: NextAction, threshold: float) -> tuple[tuple[str, str], dict[str, Any]]:
    """The goal a next best action serves: a relationship at the threshold, or a second thread."""
    if action.kind == "second_thread":
        return (GoalKind.MULTI_THREAD.value, action.target), {
            "kind": GoalKind.MULTI_THREAD,
            "person": action.target,
            "members": 2,
            "title": f"a second thread to {action.target_name}",
        }
    return (GoalKind.RELATIONSHIP.value, action.target), {
        "kind": GoalKind.RELATIONSHIP,
        "person": action.target,
        "strength": threshold,
        "title": f"one of ours knows {action.target_name} at {threshold:g} or more",
    }


def create_plan_from_opportunity(
    store: GraphStore,
    opportunity: str,
    *,
    name: str | None = None,
    due_days: int = 30,
    owner: str | None = None,
    stall_days: int = STALL_DAYS,
    id: str | None = None,
    on: date | None = None,
    cache: analysis.AnalysisCache | None,
) -> Plan:
    """A plan drafted in one call from the actions that raise an opportunity's win probability most.

    Each action of the deal's health (`opportunities.health`) becomes a tracked action of ours (the member
    it names, else `owner`) serving one goal measured on the account's graph: *recruit a champion* → the
    person a supporter and champion (``stance`` with role); *strengthen the champion's tie* → one of ours
    knows them at the deal's strong-tie level (``relationship``, `STRONG_TIE`); *contact a decision maker* → one of
    ours knows them at the coverage threshold (``relationship``); *win over* an opponent or blocker → the
    person at least neutral (``stance``); *add a thread* → one more of ours knows them (``multi_thread``).
    Each action links the best path from its owner to its target.

    Raises
    ------
    NotFoundError
        No such opportunity.
    RuleViolation
        The deal is won or lost: there is nothing left to win.
    """
    from accountgraph.opportunities.health import STRONG_TIE, opportunity_health
    from accountgraph.opportunities.service import get_opportunity, get_pipeline

    day = on or today()
    opp = get_opportunity(store, opportunity)
    if get_pipeline(store).is_closed(opp.stage):
        raise RuleViolation(
            f"opportunity {opp.id!r} is {opp.stage}: a closed deal gets no plan to win it (open a new opportunity)"
        )
    health = opportunity_health(store, opportunity, reference=day, cache=cache)
    threads = {m.person: len(m.threads) for m in health.committee}
    due = day + timedelta(days=due_days)
    goals: list[Goal] = []
    actions: list[Action] = []
    for item in health.actions:
        member = item.member or owner
        if item.person is None or member is None:
            continue
        fields: dict[str, Any] = {"kind": GoalKind.RELATIONSHIP, "person": item.person}
        if item.kind == "recruit_champion":
            fields = {"kind": GoalKind.STANCE, "person": item.person, "stance": "supporter", "role": "champion"}
        elif item.kind == "strengthen_champion":
            fields["strength"] = STRONG_TIE
        elif item.kind == "win_over":
            fields = {"kind": GoalKind.STANCE, "person": item.person, "stance": "neutral"}
        elif item.kind == "add_thread":
            fields = {"kind": GoalKind.MULTI_THREAD, "person": item.person, "members": threads.get(item.person, 0) + 1}
        goal = Goal.model_validate({"id": f"g{len(goals) + 1}", "due": due, **fields})
        goals.append(goal)
        found = analysis.path(
            store, Scope.operator(), opp.account, item.person, source=member, k=1, as_of=day, cache=cache
        )
        actions.append(
            Action(
                id=f"a{len(actions) + 1}",
                title=item.description,
                owner=member,
                target=item.person,
                due=due,
                goal=goal.id,
                path=found.paths[0] if found.paths else None,
                note=f"deal {opp.id}: win probability {health.probability:.0%} → {item.probability:.0%} if done",
                created=day,
                updated=day,
            )
        )
    return create_plan(
        store,
        opp.account,
        name or f"win {opp.name} ({opp.id})",
        goals=goals,
        actions=actions,
        owner=owner or opp.owner,
        stall_days=stall_days,
        id=id,
        on=day,
    )


def create_plan_from_actions(
    store: GraphStore,
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
    options: Options | None = None,
) -> Plan:
    """A plan drafted in one call from the account's next best actions (`analysis.actions`).

    Each action becomes a tracked action (owner: the member the algorithm names, else `owner`; target,
    due `due_days` after `on`, the path it relies on) serving one goal: ``relationship`` (one of ours knows
    the target at the coverage threshold) for *reach* and *reengage*, ``multi_thread`` (two of ours) for a
    *second_thread*; actions on the same target and goal share it. With `coverage_goal` the plan also aims
    at the coverage score the account would reach if every *reach* and *reengage* action worked (due with
    the actions). Actions with no one of ours to own them are left out.
    """
    day = on or today()
    _check_account(store, account)
    drafted = analysis.actions(store, Scope.operator(), account, as_of=on, options=options)
    threshold = (options or Options()).coverage.threshold
    due = day + timedelta(days=due_days)
    goals: dict[tuple[str, str], Goal] = {}
    actions: list[Action] = []
    gain = 0.0
    for item in drafted.actions[:limit]:
        member = item.member or owner
        if member is None:
            continue
        key, fields = _goal_for(item, threshold)
        if key not in goals:
            goals[key] = Goal.model_validate({"id": f"g{len(goals) + 1}", "due": due, **fields})
        if item.kind != "second_thread":
            gain += item.coverage_gain
        path = item.path if item.path is not None and item.path.member == member else None
        actions.append(
            Action(
                id=f"a{len(actions) + 1}",
                title=item.plan,
                owner=member,
                target=item.target,
                due=due,
                goal=goals[key].id,
                path=path,
                note="; ".join(item.why),
                created=day,
                updated=day,
            )
        )
    goal_list = list(goals.values())
    if coverage_goal and gain > 0:
        target = min(100.0, math.floor((drafted.coverage + gain) * 10 + 1e-6) / 10)
        goal_list.append(
            Goal(
                id=f"g{len(goal_list) + 1}",
                kind=GoalKind.COVERAGE,
                score=target,
                due=due,
                title=f"reach coverage {target:g} (now {drafted.coverage:.1f})",
            )
        )
    return create_plan(
        store,
        account,
        name or f"next best actions for {account} ({day.isoformat()})",
        goals=goal_list,
        actions=actions,
        owner=owner,
        stall_days=stall_days,
        id=id,
        on=day,
    )
