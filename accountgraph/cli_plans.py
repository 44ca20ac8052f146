"""The plan commands (`plan create|from-actions|from-opportunity|show|list|goal add|action add|action done|
progress|view`) and `compare ACCOUNT --before DATE --after DATE`. Added to the app by `register(app)`.

They are thin: each calls one function of `accountgraph.plans` or `accountgraph.compare` and prints its
result (tables, or JSON with `--json`). Dates are YYYY-MM-DD; `--on` fixes the day a change is dated and
the day progress is read for (default today).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from accountgraph.cli_analysis import _t, _table
from accountgraph.cli_common import JsonOption, OnOption, StoreOption, _date, _emit, _fail, _run, _store, err, out
from accountgraph.compare import Comparison
from accountgraph.compare import compare as compare_fn
from accountgraph.plans import models, progress, service
from accountgraph.schema.models import Role, Stance, today

__all__ = ["register"]

T = TypeVar("T")

PlanArg = Annotated[str, typer.Argument(help="the plan id")]


def _value(fn: Callable[[], T]) -> T:
    """`_run`, and a value an algorithm refuses (ValueError) reported the same way."""

    def checked() -> T:
        try:
            return fn()
        except ValueError as e:
            if type(e) is not ValueError:
                raise
            raise _fail(str(e)) from None

    return _run(checked)


def show_plan(plan: models.Plan) -> None:
    owner = f" · owner {plan.owner}" if plan.owner else ""
    out.print(_t(f"plan {plan.id} · {plan.name} · account {plan.account}{owner} · updated {plan.updated}"))
    out.print(
        _table(
            f"goals ({len(plan.goals)})",
            [("id", "left"), ("kind", "left"), ("goal", "left"), ("due", "left")],
            ([g.id, g.kind.value, g.describe(), g.due] for g in plan.goals),
        )
    )
    out.print(
        _table(
            f"actions ({len(plan.actions)})",
            [
                ("id", "left"),
                ("status", "left"),
                ("owner", "left"),
                ("target", "left"),
                ("due", "left"),
                ("goal", "left"),
                ("action", "left"),
            ],
            ([a.id, a.status.value, a.owner, a.target, a.due, a.goal, a.title] for a in plan.actions),
        )
    )


def show_progress(p: models.PlanProgress) -> None:
    out.print(_t(f"plan {p.plan} · {p.name} · account {p.account}: {p.status.replace('_', ' ').upper()}"))
    out.print(_t(p.explanation))

    def value(v: object) -> str:
        return f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else "" if v is None else str(v)

    out.print(
        _table(
            f"goals ({p.goals_met} of {len(p.goals)} met)",
            [
                ("id", "left"),
                ("state", "left"),
                ("goal", "left"),
                ("now", "right"),
                ("target", "right"),
                ("due", "left"),
                ("measured", "left"),
            ],
            ([g.id, g.state, g.title, value(g.current), value(g.target), g.due, g.detail] for g in p.goals),
        )
    )
    out.print(
        _table(
            f"actions ({p.actions_open} open, {p.overdue} overdue, {p.stalled} stalled)",
            [
                ("id", "left"),
                ("status", "left"),
                ("owner", "left"),
                ("target", "left"),
                ("due", "left"),
                ("idle days", "right"),
                ("best tie", "right"),
                ("flags", "left"),
            ],
            (
                [
                    a.id,
                    a.status.value,
                    a.owner_name,
                    a.target_name,
                    a.due,
                    a.idle_days,
                    f"{a.best_strength:.2f}",
                    "; ".join(a.flags),
                ]
                for a in p.action_progress
            ),
        )
    )


def show_comparison(c: Comparison) -> None:
    out.print(_t(c.explanation))
    out.print(
        _table(
            "who moved",
            [("change", "left"), ("id", "left"), ("name", "left"), ("from", "left"), ("to", "left")],
            [
                *(["joined", p.id, p.name, "", p.kind] for p in c.joined),
                *(["left", p.id, p.name, p.kind, ""] for p in c.left),
                *(["stance", s.id, s.name, s.before, s.after] for s in c.stance_changes),
                *(["roles", r.id, r.name, ", ".join(r.removed), ", ".join(r.added)] for r in c.role_changes),
            ],
        )
    )

    def strength(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}"

    out.print(
        _table(
            "ties of ours",
            [("change", "left"), ("member", "left"), ("person", "left"), ("before", "right"), ("after", "right")],
            [
                *(
                    ["gained", t.member_name, t.person_name, strength(t.before), strength(t.after)]
                    for t in c.ties_gained
                ),
                *(["lost", t.member_name, t.person_name, strength(t.before), strength(t.after)] for t in c.ties_lost),
                *(
                    ["moved", t.member_name, t.person_name, strength(t.before), strength(t.after)]
                    for t in c.ties_changed
                ),
            ],
        )
    )

    def score(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}"

    for title, items in (("coverage by layer", c.by_layer), ("by role", c.by_role), ("by company", c.by_company)):
        out.print(
            _table(
                title,
                [("", "left"), ("before", "right"), ("after", "right"), ("change", "right")],
                ([s.label, score(s.before), score(s.after), f"{s.delta:+.1f}"] for s in items),
            )
        )
    out.print(
        _table(
            f"rank movers (top {c.top})",
            [("id", "left"), ("name", "left"), ("before", "right"), ("after", "right"), ("moved", "right")],
            ([m.id, m.name, m.rank_before or "—", m.rank_after or "—", f"{m.moved:+d}"] for m in c.rank_movers),
        )
    )


def register(app: typer.Typer) -> None:
    """Add the `plan` group and the `compare` command to `app`."""
    plan_app = typer.Typer(
        help="Relationship plans: goals, tracked actions, progress measured from the graph.", no_args_is_help=True
    )
    action_app = typer.Typer(help="A plan's actions: add, done, drop.", no_args_is_help=True)
    goal_app = typer.Typer(help="A plan's goals: add, remove.", no_args_is_help=True)
    app.add_typer(plan_app, name="plan")
    plan_app.add_typer(action_app, name="action")
    plan_app.add_typer(goal_app, name="goal")

    @plan_app.command("create")
    def plan_create(
        account: Annotated[str, typer.Argument(help="the account (root company) id")],
        name: Annotated[str | None, typer.Option("--name", help="the plan's name")] = None,
        owner: Annotated[str | None, typer.Option("--owner", help="the team member who owns it")] = None,
        stall_days: Annotated[int, typer.Option("--stall-days", min=1, max=3650)] = models.STALL_DAYS,
        id: Annotated[str | None, typer.Option("--id", help="the plan id (default generated)")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Create an empty plan for an account (add goals and actions with `plan goal add` / `plan action add`)."""
        day = _date(on)
        with _store(store) as s:
            plan = _run(
                lambda: service.create_plan(s, account, name, owner=owner, stall_days=stall_days, id=id, on=day)
            )
        if as_json:
            _emit(plan)
        else:
            show_plan(plan)

    @plan_app.command("from-actions")
    def plan_from_actions(
        account: Annotated[str, typer.Argument(help="the account (root company) id")],
        name: Annotated[str | None, typer.Option("--name")] = None,
        limit: Annotated[int | None, typer.Option("--limit", min=1, help="at most this many actions")] = None,
        due_days: Annotated[int, typer.Option("--due-days", min=0, help="actions and goals due after")] = 30,
        owner: Annotated[str | None, typer.Option("--owner", help="owns the plan (and cold approaches)")] = None,
        coverage_goal: Annotated[bool, typer.Option("--coverage-goal/--no-coverage-goal")] = True,
        id: Annotated[str | None, typer.Option("--id", help="the plan id (default generated)")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Draft a tracked plan in one call from the account's next best actions."""
        day = _date(on)
        with _store(store) as s:
            plan = _run(
                lambda: service.create_plan_from_actions(
                    s,
                    account,
                    name=name,
                    limit=limit,
                    due_days=due_days,
                    owner=owner,
                    coverage_goal=coverage_goal,
                    id=id,
                    on=day,
                )
            )
        if as_json:
            _emit(plan)
        else:
            show_plan(plan)

    @plan_app.command("from-opportunity")
    def plan_from_opportunity(
        opportunity: Annotated[str, typer.Argument(help="the opportunity id")],
        name: Annotated[str | None, typer.Option("--name")] = None,
        due_days: Annotated[int, typer.Option("--due-days", min=0, help="actions and goals due after")] = 30,
        owner: Annotated[str | None, typer.Option("--owner", help="owns the plan (default the deal's owner)")] = None,
        id: Annotated[str | None, typer.Option("--id", help="the plan id (default generated)")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Draft a tracked plan in one call from the actions that raise a deal's win probability most."""
        day = _date(on)
        with _store(store) as s:
            plan = _run(
                lambda: service.create_plan_from_opportunity(
                    s, opportunity, name=name, due_days=due_days, owner=owner, id=id, on=day
                )
            )
        if as_json:
            _emit(plan)
        else:
            show_plan(plan)

    @plan_app.command("show")
    def plan_show(plan: PlanArg, as_json: JsonOption = False, store: StoreOption = None) -> None:
        """Show a plan: its goals and actions."""
        with _store(store) as s:
            found = _run(lambda: service.get_plan(s, plan))
        if as_json:
            _emit(found)
        else:
            show_plan(found)

    @plan_app.command("list")
    def plan_list(
        account: Annotated[str | None, typer.Option("--account", help="only this account's plans")] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """List plans."""
        with _store(store) as s:
            plans = _run(lambda: service.list_plans(s, account))
        if as_json:
            sys.stdout.write("[" + ",".join(p.model_dump_json() for p in plans) + "]\n")
            return
        out.print(
            _table(
                f"plans ({len(plans)})",
                [
                    ("id", "left"),
                    ("account", "left"),
                    ("name", "left"),
                    ("goals", "right"),
                    ("open actions", "right"),
                    ("updated", "left"),
                ],
                (
                    [p.id, p.account, p.name, len(p.goals), sum(a.status.value == "open" for a in p.actions), p.updated]
                    for p in plans
                ),
            )
        )

    @plan_app.command("progress")
    def plan_progress(
        plan: PlanArg,
        on: OnOption = None,
        stall_days: Annotated[int | None, typer.Option("--stall-days", min=1, help="default: the plan's")] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Progress measured from the graph: goals met or not, overdue and stalled actions."""
        day = _date(on)
        with _store(store) as s:
            result = _run(lambda: progress.plan_progress(s, plan, on=day, stall_days=stall_days))
        if as_json:
            _emit(result)
        else:
            show_progress(result)

    @plan_app.command("view")
    def plan_view(
        plan: PlanArg,
        output: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")],
        on: OnOption = None,
        store: StoreOption = None,
    ) -> None:
        """Write a plan's progress as one self-contained HTML page."""
        day = _date(on)
        with _store(store) as s:
            html = _run(lambda: progress.progress_html(s, plan, on=day))
        output.write_text(html, encoding="utf-8")
        err.print(f"wrote {output}")

    @goal_app.command("add")
    def goal_add(
        plan: PlanArg,
        kind: Annotated[models.GoalKind, typer.Option("--kind", help="the kind of goal")],
        person: Annotated[str | None, typer.Option("--person", help="stance, relationship, multi_thread")] = None,
        stance: Annotated[Stance | None, typer.Option("--stance", help="stance: to reach")] = None,
        role: Annotated[Role | None, typer.Option("--role", help="stance: also hold; coverage: of")] = None,
        score: Annotated[float | None, typer.Option("--score", help="coverage: to reach (0-100)")] = None,
        company: Annotated[str | None, typer.Option("--company", help="coverage, subsidiary_contact")] = None,
        strength: Annotated[float | None, typer.Option("--strength", help="the strength that counts")] = None,
        member: Annotated[str | None, typer.Option("--member", help="relationship: this member of ours")] = None,
        members: Annotated[int | None, typer.Option("--members", help="multi_thread: how many of ours")] = None,
        due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD")] = None,
        title: Annotated[str | None, typer.Option("--title")] = None,
        id: Annotated[str | None, typer.Option("--id", help="the goal id (default g1, g2, ...)")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Add a goal to a plan."""
        day, by = _date(on), _date(due)
        fields = {
            "id": id,
            "kind": kind,
            "person": person,
            "stance": stance,
            "role": role,
            "score": score,
            "company": company,
            "strength": strength,
            "member": member,
            "members": members,
            "due": by,
            "title": title,
        }
        with _store(store) as s:
            goal = _run(lambda: service.add_goal(s, plan, {k: v for k, v in fields.items() if v is not None}, on=day))
        if as_json:
            _emit(goal)
        else:
            out.print(_t(f"added goal {goal.id}: {goal.describe()}"))

    @goal_app.command("remove")
    def goal_remove(
        plan: PlanArg, goal: Annotated[str, typer.Argument(help="the goal id")], store: StoreOption = None
    ) -> None:
        """Remove a goal from a plan (its actions then serve none)."""
        with _store(store) as s:
            _run(lambda: service.remove_goal(s, plan, goal))
        out.print(_t(f"removed goal {goal}"))

    @action_app.command("add")
    def action_add(
        plan: PlanArg,
        owner: Annotated[str, typer.Option("--owner", help="the team member of ours who acts")],
        target: Annotated[str, typer.Option("--target", help="the person of the account")],
        title: Annotated[str | None, typer.Option("--title", help="what to do")] = None,
        due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD")] = None,
        goal: Annotated[str | None, typer.Option("--goal", help="the goal it serves")] = None,
        note: Annotated[str | None, typer.Option("--note")] = None,
        link_path: Annotated[bool, typer.Option("--link-path/--no-path", help="link the best path now")] = True,
        id: Annotated[str | None, typer.Option("--id", help="the action id (default a1, a2, ...)")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Add an open action to a plan (with the best path from its owner to its target)."""
        day, by = _date(on), _date(due)
        with _store(store) as s:
            action = _run(
                lambda: service.add_action(
                    s,
                    plan,
                    owner=owner,
                    target=target,
                    title=title,
                    due=by,
                    goal=goal,
                    note=note,
                    link_path=link_path,
                    id=id,
                    on=day,
                )
            )
        if as_json:
            _emit(action)
        else:
            out.print(_t(f"added action {action.id}: {action.title}"))

    def _set_status(
        plan: str,
        action: str,
        status: models.ActionStatus,
        on: str | None,
        note: str | None,
        as_json: bool,
        store: str | None,
    ) -> None:
        day = _date(on)
        with _store(store) as s:
            if note is None:
                done = _run(lambda: service.update_action(s, plan, action, status=status, on=day))
            else:
                done = _run(lambda: service.update_action(s, plan, action, status=status, note=note, on=day))
        if as_json:
            _emit(done)
        else:
            out.print(_t(f"action {done.id} is {done.status.value}"))

    @action_app.command("done")
    def action_done(
        plan: PlanArg,
        action: Annotated[str, typer.Argument(help="the action id")],
        note: Annotated[str | None, typer.Option("--note")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Mark an action done."""
        _set_status(plan, action, models.ActionStatus.DONE, on, note, as_json, store)

    @action_app.command("drop")
    def action_drop(
        plan: PlanArg,
        action: Annotated[str, typer.Argument(help="the action id")],
        note: Annotated[str | None, typer.Option("--note")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Drop an action (it no longer counts as open)."""
        _set_status(plan, action, models.ActionStatus.DROPPED, on, note, as_json, store)

    @app.command("compare")
    def compare_cmd(
        account: Annotated[str, typer.Argument(help="the account (root company) id")],
        before: Annotated[str, typer.Option("--before", help="the earlier date YYYY-MM-DD")],
        after: Annotated[str | None, typer.Option("--after", help="the later date (default today)")] = None,
        top: Annotated[int, typer.Option("--top", min=1, help="rank movers among the top N")] = 20,
        strength_delta: Annotated[
            float, typer.Option("--strength-delta", min=0.001, max=1.0, help="report ties moving by this much")
        ] = 0.1,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Compare an account's power map on two dates: who moved, ties and coverage gained or lost."""
        first = _date(before)
        second = _date(after) or today()
        assert first is not None
        with _store(store) as s:
            result = _value(lambda: compare_fn(s, account, first, second, top=top, strength_delta=strength_delta))
        if as_json:
            _emit(result)
        else:
            show_comparison(result)
