"""The plan commands (the `plan` group: create, from-actions, from-opportunity, show, list, progress, view,
`goal add|remove`, `action add|done|drop`) and `compare ACCOUNT --before DATE --after DATE`.

They are thin: each calls one function of `accountgraph.services.plans` or `accountgraph.services.compare` (as the
operator, `Scope.operator()`) and prints its result (tables, or JSON with `--json`). Dates are YYYY-MM-DD; `--on`
fixes the day a change is dated and the day progress is read for (default today).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from accountgraph import i18n
from accountgraph.cli.common import (
    AccountArg,
    JsonOption,
    Named,
    OnOption,
    Operation,
    StoreOption,
    err,
    out,
    parse_date,
    renders,
    renders_named,
    run,
    table,
    text,
)
from accountgraph.i18n import N_, _
from accountgraph.i18n.glossary import joined, term
from accountgraph.i18n.phrase import say
from accountgraph.plans import models
from accountgraph.schema.models import Role, Stance, today
from accountgraph.services import plans
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.compare import Comparison
from accountgraph.services.compare import compare as compare_fn
from accountgraph.services.scope import Scope

app = typer.Typer()
plan_app = typer.Typer(
    help=N_("Relationship plans: goals, tracked actions, progress measured from the graph."), no_args_is_help=True
)
action_app = typer.Typer(help=N_("A plan's actions: add, done, drop."), no_args_is_help=True)
goal_app = typer.Typer(help=N_("A plan's goals: add, remove."), no_args_is_help=True)
plan_app.add_typer(action_app, name="action")
plan_app.add_typer(goal_app, name="goal")

PlanArg = Annotated[str, typer.Argument(help=N_("the plan id"))]
ActionArg = Annotated[str, typer.Argument(help=N_("the action id"))]
NoteOption = Annotated[str | None, typer.Option("--note")]
PlanIdOption = Annotated[str | None, typer.Option("--id", help=N_("the plan id (default generated)"))]
DueDaysOption = Annotated[int, typer.Option("--due-days", min=0, help=N_("actions and goals due after"))]


# the statuses a plan, a goal and an action show, marked for the catalog
_STATUSES = (
    N_("done"),
    N_("on track"),
    N_("at risk"),
    N_("off track"),
    N_("open"),
    N_("dropped"),
    N_("met"),
    N_("missed"),
)


def show_plan(n: Named[models.Plan]) -> None:
    plan = n.value
    console = out()
    owner = _(" · owner {owner}").format(owner=n.of(plan.owner)) if plan.owner else ""
    console.print(
        text(
            _("plan {id} · {name} · account {account}{owner} · updated {updated}").format(
                id=plan.id, name=plan.name, account=n.of(plan.account), owner=owner, updated=plan.updated
            )
        )
    )
    console.print(
        table(
            _("goals ({n})").format(n=len(plan.goals)),
            [(_("id"), "left"), (_("kind"), "left"), (_("goal"), "left"), (_("due"), "left")],
            ([g.id, g.kind.value, say(g.describe(n.names)), g.due] for g in plan.goals),
        )
    )
    console.print(
        table(
            _("actions ({n})").format(n=len(plan.actions)),
            [
                (_("id"), "left"),
                (_("status"), "left"),
                (_("owner"), "left"),
                (_("target"), "left"),
                (_("due"), "left"),
                (_("goal"), "left"),
                (_("action"), "left"),
            ],
            ([a.id, _(a.status.value), n.of(a.owner), n.of(a.target), a.due, a.goal, a.title] for a in plan.actions),
        )
    )


def _named_in(plan: models.Plan) -> list[str | None]:
    """The records a plan names by id: its account and owner, its goals' and actions' people and companies."""
    goals = [x for g in plan.goals for x in (g.person, g.member, g.company)]
    return [plan.account, plan.owner, *goals, *(x for a in plan.actions for x in (a.owner, a.target))]


renders_plan = renders_named(show_plan, _named_in)


def show_progress(p: models.PlanProgress) -> None:
    console = out()
    status = p.status.replace("_", " ").upper() if i18n.current() == i18n.DEFAULT else _(p.status.replace("_", " "))
    console.print(
        text(
            _("plan {id} · {name} · account {account}: {status}").format(
                id=p.plan, name=p.name, account=p.account, status=status
            )
        )
    )
    console.print(text(say(p.explanation)))

    def value(v: object) -> str:
        return f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else "" if v is None else say(v)

    console.print(
        table(
            _("goals ({met} of {n} met)").format(met=p.goals_met, n=len(p.goals)),
            [
                (_("id"), "left"),
                (_("state"), "left"),
                (_("goal"), "left"),
                (_("now"), "right"),
                (_("target"), "right"),
                (_("due"), "left"),
                (_("measured"), "left"),
            ],
            (
                [g.id, _(g.state), say(g.title), value(g.current), value(g.target), g.due, say(g.detail)]
                for g in p.goals
            ),
        )
    )
    console.print(
        table(
            _("actions ({open} open, {overdue} overdue, {stalled} stalled)").format(
                open=p.actions_open, overdue=p.overdue, stalled=p.stalled
            ),
            [
                (_("id"), "left"),
                (_("status"), "left"),
                (_("owner"), "left"),
                (_("target"), "left"),
                (_("due"), "left"),
                (_("idle days"), "right"),
                (_("best tie"), "right"),
                (_("flags"), "left"),
            ],
            (
                [
                    a.id,
                    _(a.status.value),
                    a.owner_name,
                    a.target_name,
                    a.due,
                    a.idle_days,
                    i18n.number(a.best_strength, 2),
                    _("; ").join(say(f) for f in a.flags),
                ]
                for a in p.action_progress
            ),
        )
    )


def show_comparison(c: Comparison) -> None:
    console = out()
    console.print(text(say(c.explanation)))
    console.print(
        table(
            _("who moved"),
            [(_("change"), "left"), (_("id"), "left"), (_("name"), "left"), (_("from"), "left"), (_("to"), "left")],
            [
                *([_("joined"), p.id, p.name, "", term(p.kind)] for p in c.joined),
                *([_("left"), p.id, p.name, term(p.kind), ""] for p in c.left),
                *([_("stance"), s.id, s.name, term(s.before), term(s.after)] for s in c.stance_changes),
                *(
                    [_("roles"), r.id, r.name, joined([term(x) for x in r.removed]), joined([term(x) for x in r.added])]
                    for r in c.role_changes
                ),
            ],
        )
    )

    def strength(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}"

    console.print(
        table(
            _("ties of ours"),
            [
                (_("change"), "left"),
                (_("member"), "left"),
                (_("person"), "left"),
                (_("before"), "right"),
                (_("after"), "right"),
            ],
            [
                *(
                    [_("gained"), t.member_name, t.person_name, strength(t.before), strength(t.after)]
                    for t in c.ties_gained
                ),
                *(
                    [_("lost"), t.member_name, t.person_name, strength(t.before), strength(t.after)]
                    for t in c.ties_lost
                ),
                *(
                    [_("moved"), t.member_name, t.person_name, strength(t.before), strength(t.after)]
                    for t in c.ties_changed
                ),
            ],
        )
    )

    def score(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}"

    for title, items in (
        (N_("coverage by layer"), c.by_layer),
        (N_("by role"), c.by_role),
        (N_("by company"), c.by_company),
    ):
        console.print(
            table(
                _(title),
                [("", "left"), (_("before"), "right"), (_("after"), "right"), (_("change"), "right")],
                ([s.label, score(s.before), score(s.after), f"{s.delta:+.1f}"] for s in items),
            )
        )
    console.print(
        table(
            _("rank movers (top {n})").format(n=c.top),
            [
                (_("id"), "left"),
                (_("name"), "left"),
                (_("before"), "right"),
                (_("after"), "right"),
                (_("moved"), "right"),
            ],
            ([m.id, m.name, m.rank_before or "—", m.rank_after or "—", f"{m.moved:+d}"] for m in c.rank_movers),
        )
    )


@plan_app.command(
    "create",
    help=N_("Create an empty plan for an account (add goals and actions with `plan goal add` / `plan action add`)."),
)
@renders_plan
def plan_create(
    account: AccountArg,
    name: Annotated[str | None, typer.Option("--name", help=N_("the plan's name"))] = None,
    owner: Annotated[str | None, typer.Option("--owner", help=N_("the team member who owns it"))] = None,
    stall_days: Annotated[int, typer.Option("--stall-days", min=1, max=3650)] = models.STALL_DAYS,
    id: PlanIdOption = None,
    on: OnOption = None,
) -> Operation[models.Plan]:
    day = parse_date(on)
    return lambda s: plans.create_plan(
        s, Scope.operator(), account, name, owner=owner, stall_days=stall_days, id=id, on=day
    )


@plan_app.command("from-actions", help=N_("Draft a tracked plan in one call from the account's next best actions."))
@renders_plan
def plan_from_actions(
    account: AccountArg,
    name: Annotated[str | None, typer.Option("--name")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help=N_("at most this many actions"))] = None,
    due_days: DueDaysOption = 30,
    owner: Annotated[str | None, typer.Option("--owner", help=N_("owns the plan (and cold approaches)"))] = None,
    coverage_goal: Annotated[bool, typer.Option("--coverage-goal/--no-coverage-goal")] = True,
    id: PlanIdOption = None,
    on: OnOption = None,
) -> Operation[models.Plan]:
    day = parse_date(on)
    return lambda s: plans.create_plan_from_actions(
        s,
        Scope.operator(),
        account,
        name=name,
        limit=limit,
        due_days=due_days,
        owner=owner,
        coverage_goal=coverage_goal,
        id=id,
        on=day,
    )


@plan_app.command(
    "from-opportunity",
    help=N_("Draft a tracked plan in one call from the actions that raise a deal's win probability most."),
)
@renders_plan
def plan_from_opportunity(
    opportunity: Annotated[str, typer.Argument(help=N_("the opportunity id"))],
    name: Annotated[str | None, typer.Option("--name")] = None,
    due_days: DueDaysOption = 30,
    owner: Annotated[str | None, typer.Option("--owner", help=N_("owns the plan (default the deal's owner)"))] = None,
    id: PlanIdOption = None,
    on: OnOption = None,
) -> Operation[models.Plan]:
    day = parse_date(on)
    cache = AnalysisCache()  # this run's
    return lambda s: plans.create_plan_from_opportunity(
        s, Scope.operator(), opportunity, name=name, due_days=due_days, owner=owner, id=id, on=day, cache=cache
    )


@plan_app.command("show", help=N_("Show a plan: its goals and actions."))
@renders_plan
def plan_show(plan: PlanArg) -> Operation[models.Plan]:
    return lambda s: plans.get_plan(s, Scope.operator(), plan)


def _show_plans(plans: list[models.Plan]) -> None:
    out().print(
        table(
            _("plans ({n})").format(n=len(plans)),
            [
                (_("id"), "left"),
                (_("account"), "left"),
                (_("name"), "left"),
                (_("goals"), "right"),
                (_("open actions"), "right"),
                (_("updated"), "left"),
            ],
            (
                [p.id, p.account, p.name, len(p.goals), sum(a.status.value == "open" for a in p.actions), p.updated]
                for p in plans
            ),
        )
    )


def _plans_json(plans: list[models.Plan]) -> None:
    sys.stdout.write("[" + ",".join(p.model_dump_json() for p in plans) + "]\n")


@plan_app.command("list", help=N_("List plans."))
def plan_list(
    account: Annotated[str | None, typer.Option("--account", help=N_("only this account's plans"))] = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    run(store, lambda s: plans.list_plans(s, Scope.operator(), account).data, _plans_json if as_json else _show_plans)


@plan_app.command(
    "progress", help=N_("Progress measured from the graph: goals met or not, overdue and stalled actions.")
)
@renders(show_progress)
def plan_progress(
    plan: PlanArg,
    on: OnOption = None,
    stall_days: Annotated[int | None, typer.Option("--stall-days", min=1, help=N_("default: the plan's"))] = None,
) -> Operation[models.PlanProgress]:
    day = parse_date(on)
    return lambda s: plans.plan_progress(s, Scope.operator(), plan, on=day, stall_days=stall_days)


@plan_app.command("view", help=N_("Write a plan's progress as one self-contained HTML page."))
def plan_view(
    plan: PlanArg,
    output: Annotated[Path, typer.Option("--out", "-o", help=N_("the HTML file to write"))],
    on: OnOption = None,
    store: StoreOption = None,
) -> None:
    day = parse_date(on)

    def write(html: str) -> None:
        output.write_text(html, encoding="utf-8")
        err().print(_("wrote {path}").format(path=output))

    run(store, lambda s: plans.progress_html(s, Scope.operator(), plan, on=day), write)


def _added_goal(n: Named[models.Goal]) -> None:
    out().print(text(_("added goal {id}: {goal}").format(id=n.value.id, goal=say(n.value.describe(n.names)))))


@goal_app.command("add", help=N_("Add a goal to a plan."))
@renders_named(_added_goal, lambda g: [g.person, g.member, g.company])
def goal_add(
    plan: PlanArg,
    kind: Annotated[models.GoalKind, typer.Option("--kind", help=N_("the kind of goal"))],
    person: Annotated[str | None, typer.Option("--person", help=N_("stance, relationship, multi_thread"))] = None,
    stance: Annotated[Stance | None, typer.Option("--stance", help=N_("stance: to reach"))] = None,
    role: Annotated[Role | None, typer.Option("--role", help=N_("stance: also hold; coverage: of"))] = None,
    score: Annotated[float | None, typer.Option("--score", help=N_("coverage: to reach (0-100)"))] = None,
    company: Annotated[str | None, typer.Option("--company", help=N_("coverage, subsidiary_contact"))] = None,
    strength: Annotated[float | None, typer.Option("--strength", help=N_("the strength that counts"))] = None,
    member: Annotated[str | None, typer.Option("--member", help=N_("relationship: this member of ours"))] = None,
    members: Annotated[int | None, typer.Option("--members", help=N_("multi_thread: how many of ours"))] = None,
    due: Annotated[str | None, typer.Option("--due", help=N_("YYYY-MM-DD"))] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    id: Annotated[str | None, typer.Option("--id", help=N_("the goal id (default g1, g2, ...)"))] = None,
    on: OnOption = None,
) -> Operation[models.Goal]:
    day, by = parse_date(on), parse_date(due)
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
    given = {k: v for k, v in fields.items() if v is not None}
    return lambda s: plans.add_goal(s, Scope.operator(), plan, given, on=day)


@goal_app.command("remove", help=N_("Remove a goal from a plan (its actions then serve none)."))
def goal_remove(
    plan: PlanArg, goal: Annotated[str, typer.Argument(help=N_("the goal id"))], store: StoreOption = None
) -> None:
    run(
        store,
        lambda s: plans.remove_goal(s, Scope.operator(), plan, goal),
        lambda _result: out().print(text(_("removed goal {id}").format(id=goal))),
    )


def _added_action(action: models.Action) -> None:
    out().print(text(_("added action {id}: {title}").format(id=action.id, title=action.title)))


@action_app.command("add", help=N_("Add an open action to a plan (with the best path from its owner to its target)."))
@renders(_added_action)
def action_add(
    plan: PlanArg,
    owner: Annotated[str, typer.Option("--owner", help=N_("the team member of ours who acts"))],
    target: Annotated[str, typer.Option("--target", help=N_("the person of the account"))],
    title: Annotated[str | None, typer.Option("--title", help=N_("what to do"))] = None,
    due: Annotated[str | None, typer.Option("--due", help=N_("YYYY-MM-DD"))] = None,
    goal: Annotated[str | None, typer.Option("--goal", help=N_("the goal it serves"))] = None,
    note: NoteOption = None,
    link_path: Annotated[bool, typer.Option("--link-path/--no-path", help=N_("link the best path now"))] = True,
    id: Annotated[str | None, typer.Option("--id", help=N_("the action id (default a1, a2, ...)"))] = None,
    on: OnOption = None,
) -> Operation[models.Action]:
    day, by = parse_date(on), parse_date(due)
    return lambda s: plans.add_action(
        s,
        Scope.operator(),
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


def _action_status(action: models.Action) -> None:
    out().print(text(_("action {id} is {status}").format(id=action.id, status=_(action.status.value))))


def _status_command(status: models.ActionStatus, doc: str) -> Callable[..., None]:
    """A command setting an action's status (done, drop)."""

    def update(
        plan: PlanArg, action: ActionArg, note: NoteOption = None, on: OnOption = None
    ) -> Operation[models.Action]:
        day = parse_date(on)
        if note is None:
            return lambda s: plans.update_action(s, Scope.operator(), plan, action, status=status, on=day)
        return lambda s: plans.update_action(s, Scope.operator(), plan, action, status=status, note=note, on=day)

    update.__doc__ = doc
    return renders(_action_status)(update)


action_app.command("done")(_status_command(models.ActionStatus.DONE, N_("Mark an action done.")))
action_app.command("drop")(
    _status_command(models.ActionStatus.DROPPED, N_("Drop an action (it no longer counts as open)."))
)


@app.command(
    "compare", help=N_("Compare an account's power map on two dates: who moved, ties and coverage gained or lost.")
)
@renders(show_comparison, refusals=True)
def compare(
    account: AccountArg,
    before: Annotated[str, typer.Option("--before", help=N_("the earlier date YYYY-MM-DD"))],
    after: Annotated[str | None, typer.Option("--after", help=N_("the later date (default today)"))] = None,
    top: Annotated[int, typer.Option("--top", min=1, help=N_("rank movers among the top N"))] = 20,
    strength_delta: Annotated[
        float, typer.Option("--strength-delta", min=0.001, max=1.0, help=N_("report ties moving by this much"))
    ] = 0.1,
) -> Operation[Comparison]:
    first = parse_date(before)
    second = parse_date(after) or today()
    assert first is not None
    return lambda s: compare_fn(s, Scope.operator(), account, first, second, top=top, strength_delta=strength_delta)
