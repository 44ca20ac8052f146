"""A plan's progress, measured from the graph: is each goal met on a date, and is each action moving?

The account is read as it stood on the date asked for (default today) through the analysis service
(`accountgraph.services.analysis.account_view`, cached per data version), so progress follows the graph: add the
tie, log the stance change, and the goal is met. Goals are measured with the algorithms' own numbers:
effective tie strengths (`AccountView.ties_of_person`), the coverage score and its breakdowns
(`accountgraph.algorithms.coverage`), people's roles and stances on that date.

An open action is **overdue** when its due date has passed, and **stalled** when neither it was updated
nor anyone of ours was in touch with its target (a logged interaction, a tie's last contact) for more than
`stall_days` (the plan's, unless given). A linked path is re-walked on the graph: its strength now, or
"broken" when one of its ties is gone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from accountgraph.algorithms.coverage import coverage as coverage_alg
from accountgraph.algorithms.coverage import reached_companies
from accountgraph.algorithms.params import Options
from accountgraph.algorithms.paths import contact_path
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.results import Coverage
from accountgraph.algorithms.strength import parse_instant
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Seq, Term
from accountgraph.plans.models import (
    Action,
    ActionProgress,
    ActionStatus,
    Goal,
    GoalKind,
    GoalProgress,
    Plan,
    PlanProgress,
    PlanStatus,
)
from accountgraph.plans.service import get_plan
from accountgraph.schema.models import Stance, today
from accountgraph.services import analysis

__all__ = ["evaluate", "plan_progress", "progress_html"]

_WARMTH = {"opponent": 0, "unknown": 1, "neutral": 2, "supporter": 3}
"""Stances from the coldest to the warmest."""


def plan_progress(
    store: GraphStore,
    plan: str | Plan,
    *,
    on: date | None = None,
    stall_days: int | None = None,
    options: Options | None = None,
    reference: date | datetime | None = None,
    cache: analysis.ViewCache | None = None,
) -> PlanProgress:
    """The progress of a plan (an id or the plan) on `on` (default today), read from the store.

    Raises
    ------
    NotFoundError
        If the plan, or its account, does not exist.
    """
    if isinstance(plan, str):
        plan = get_plan(store, plan)
    day = on or today()
    view = analysis.account_view(store, plan.account, as_of=day, options=options, reference=reference, cache=cache)
    return evaluate(plan, view, on=day, stall_days=stall_days)


def progress_html(
    store: GraphStore,
    plan: str | Plan,
    *,
    on: date | None = None,
    stall_days: int | None = None,
    cache: analysis.ViewCache | None = None,
) -> str:
    """The progress of a plan as one self-contained HTML page (`accountgraph.viz.plan_view.render_progress`).

    Raises
    ------
    NotFoundError
        If the plan, or its account, does not exist.
    """
    from accountgraph.viz.plan_view import render_progress

    return render_progress(plan_progress(store, plan, on=on, stall_days=stall_days, cache=cache))


def _member_ties(view: AccountView, person: str, member: str | None = None) -> list[tuple[str, float]]:
    """(member, effective strength) of our ties to `person`, strongest first."""
    return [
        (t.member, t.core.effective)
        for t in view.ties_of_person.get(person, [])
        if member is None or t.member == member
    ]


_STATUS = {"done": N_("done"), "off_track": N_("off track"), "at_risk": N_("at risk"), "on_track": N_("on track")}
"""A plan's status in words (`PlanStatus`)."""


def _joined(items: list[str], sep: str) -> Seq:
    """Stored words (stances, roles) joined by `sep`, each through the glossary."""
    return Seq(tuple(Term(x, x) for x in items), sep)


def _goal(view: AccountView, cov: Coverage, goal: Goal, on: date, serving: list[str]) -> GoalProgress:
    threshold = goal.strength if goal.strength is not None else cov.threshold
    current: float | str | None
    target: float | str
    missing: list[str] = []
    detail: str
    person = goal.person
    who = f"{view.name(person)} ({person})" if person else ""
    present = person is None or view.is_person(person)
    if not present:
        current, target, met = None, "", False
        detail = Phrase(N_("{person} is not a person of the account on {date}"), person=person, date=on.isoformat())
    if goal.kind is GoalKind.STANCE and present:
        assert person is not None
        attrs = view.attrs[view.index[person]]
        stance = str(attrs.get("stance") or "unknown")
        roles = [str(r) for r in attrs.get("roles") or []]
        want = (goal.stance or Stance.SUPPORTER).value
        # a goal of a stance is met by that stance or a warmer one (winning an opponent over to neutral is
        # also met when they became a supporter)
        met = _WARMTH.get(stance, 0) >= _WARMTH[want] and (goal.role is None or goal.role.value in roles)
        stance_term, want_term = Term(stance, stance), Term(want, want)
        if goal.role:
            current = Phrase(N_("{stance} ({roles})"), stance=stance_term, roles=_joined(roles, N_(", ")))
            target = Phrase(N_("{stance} ({roles})"), stance=want_term, roles=_joined([goal.role.value], N_(", ")))
            detail = Phrase(
                N_("{who} is {stance}, roles: {roles}"),
                who=who,
                stance=stance_term,
                roles=_joined(roles, N_(", ")) if roles else Phrase(N_("none")),
            )
        else:
            current, target = Phrase(N_("{stance}"), stance=stance_term), Phrase(N_("{stance}"), stance=want_term)
            detail = Phrase(N_("{who} is {stance}"), who=who, stance=stance_term)
    elif goal.kind is GoalKind.COVERAGE:
        target = float(goal.score or 0.0)
        if goal.company is not None or goal.role is not None:
            items = cov.by_company if goal.company is not None else cov.by_role
            key = goal.company if goal.company is not None else goal.role.value if goal.role else ""
            part = next((b for b in items if b.key == key), None)
            current = part.score if part is not None else 0.0
            scope = (
                f"{view.name(key)} ({key})"
                if goal.company is not None
                else Phrase(N_("the {role}s"), role=Term(key, key.replace("_", " ")))
            )
            detail = Phrase(
                N_("coverage of {scope}: {score}")
                if part is not None
                else N_("coverage of {scope}: {score} (nobody of the decision chain there)"),
                scope=scope,
                score=Num(current, ".1f"),
            )
        else:
            current = cov.score
            detail = Phrase(
                N_("coverage of the account: {score} ({covered} of {size} covered)"),
                score=Num(cov.score, ".1f"),
                covered=cov.covered_count,
                size=cov.chain_size,
            )
        met = current >= target - 1e-9
    elif goal.kind is GoalKind.SUBSIDIARY_CONTACT:
        companies = view.companies()
        if goal.company is not None:
            wanted = [goal.company]
        else:  # every company of the account that has people
            wanted = sorted({str(view.attrs[i].get("company")) for i in range(view.P)} & set(companies))
        reached = reached_companies(view, threshold)
        missing = [c for c in wanted if c not in reached]
        current = float(len(wanted) - len(missing))
        target = float(len(wanted))
        met = not missing and bool(wanted)
        detail = Phrase.ngettext(
            "{reached} of {n} company reached at {threshold}",
            "{reached} of {n} companies reached at {threshold}",
            len(wanted),
            reached=int(current),
            threshold=Num(threshold, "g"),
        )
        if missing:
            detail = Phrase(
                N_("{detail}; not yet: {names}"),
                detail=detail,
                names=Seq(tuple(view.name(c) for c in missing[:10]), N_(", ")),
            )
    elif goal.kind is GoalKind.RELATIONSHIP and present:
        assert person is not None
        ties = _member_ties(view, person, goal.member)
        best = ties[0][1] if ties else 0.0
        current, target = best, threshold
        met = best >= threshold
        whose = view.name(goal.member) if goal.member else Phrase(N_("one of ours"))
        if ties:
            detail = Phrase(
                N_("{member} knows {who} at {strength:.2f}"), member=view.name(ties[0][0]), who=who, strength=best
            )
        else:
            detail = Phrase(N_("{member} has no tie to {who}"), member=whose, who=who)
    elif goal.kind is GoalKind.MULTI_THREAD and present:
        assert person is not None
        holders = [m for m, s in _member_ties(view, person) if s >= threshold]
        want_n = goal.members or 2
        current, target = float(len(holders)), float(want_n)
        met = len(holders) >= want_n
        detail = Phrase(
            N_("{n} of ours know {who} at {threshold} or more ({names})")
            if holders
            else N_("{n} of ours know {who} at {threshold} or more"),
            n=len(holders),
            who=who,
            threshold=Num(threshold, "g"),
            names=Seq(tuple(view.name(m) for m in holders), N_(", ")),
        )
    state = "met" if met else "missed" if goal.due is not None and goal.due < on else "open"
    return GoalProgress(
        id=goal.id,
        kind=goal.kind,
        title=goal.describe(),
        met=met,
        state=state,
        current=current,
        target=target,
        due=goal.due,
        detail=detail,
        missing=missing,
        actions=serving,
    )


def _last_touch(view: AccountView, person: str) -> date | None:
    """The last day anyone of ours was in touch with `person` up to the view's date."""
    last: datetime | None = None
    for row in view.projection.interactions:
        if row.get("person") == person:
            at = parse_instant(row.get("at"))
            if at is not None and at <= view.reference and (last is None or at > last):
                last = at
    for tie in view.ties_of_person.get(person, []):
        at = tie.core.last_contact
        if at is not None and (last is None or at > last):
            last = at
    return last.astimezone(UTC).date() if last is not None else None


def _path_now(view: AccountView, action: Action) -> float | None:
    if action.path is None:
        return None
    nodes = [action.path.member, *(h.target for h in action.path.hops)]
    if any(n not in view.index for n in nodes):
        return None
    try:
        return contact_path(view, [view.index[n] for n in nodes]).strength
    except KeyError:  # a tie of the path is gone
        return None


def _action(view: AccountView, action: Action, on: date, stall_days: int, threshold: float) -> ActionProgress:
    open_ = action.status is ActionStatus.OPEN
    touched = _last_touch(view, action.target)
    last = max(d for d in (action.updated, action.created, touched) if d is not None)
    idle = max(0, (on - last).days)
    overdue = open_ and action.due is not None and action.due < on
    stalled = open_ and idle > stall_days
    ties = _member_ties(view, action.target)
    best = ties[0][1] if ties else 0.0
    path_strength = _path_now(view, action)
    flags: list[str] = []
    if overdue:
        assert action.due is not None
        flags.append(
            Phrase(N_("overdue: due {date}, {days} days ago"), date=action.due.isoformat(), days=(on - action.due).days)
        )
    if stalled:
        flags.append(
            Phrase(
                N_("stalled: nothing for {days} days (since {date}; limit {limit})"),
                days=idle,
                date=last.isoformat(),
                limit=stall_days,
            )
        )
    if action.path is not None and path_strength is None and open_:
        flags.append(Phrase(N_("path broken: one of its ties is gone")))
    return ActionProgress(
        id=action.id,
        title=action.title,
        owner=action.owner,
        owner_name=view.name(action.owner),
        target=action.target,
        target_name=view.name(action.target),
        status=action.status,
        due=action.due,
        goal=action.goal,
        overdue=overdue,
        stalled=stalled,
        last_activity=last,
        idle_days=idle,
        reached=best >= threshold,
        best_strength=best,
        path_strength=path_strength,
        flags=flags,
    )


def evaluate(plan: Plan, view: AccountView, *, on: date | None = None, stall_days: int | None = None) -> PlanProgress:
    """The progress of `plan` on the prepared account `view` (read for the date `on`, default the view's)."""
    day = on or view.as_of
    limit = stall_days if stall_days is not None else plan.stall_days
    cov = coverage_alg(view)
    serving: dict[str, list[str]] = {}
    for a in plan.actions:
        if a.goal is not None:
            serving.setdefault(a.goal, []).append(a.id)
    goals = [_goal(view, cov, g, day, serving.get(g.id, [])) for g in plan.goals]
    actions = [_action(view, a, day, limit, cov.threshold) for a in plan.actions]
    met = sum(g.met for g in goals)
    overdue = sum(a.overdue for a in actions)
    stalled = sum(a.stalled for a in actions)
    missed = sum(g.state == "missed" for g in goals)
    status: PlanStatus
    if goals and met == len(goals):
        status = "done"
    elif missed:
        status = "off_track"
    elif overdue or stalled:
        status = "at_risk"
    else:
        status = "on_track"
    open_n = sum(a.status is ActionStatus.OPEN for a in plan.actions)
    done_n = sum(a.status is ActionStatus.DONE for a in plan.actions)
    parts: list[Any] = [Phrase.ngettext("{met} of {n} goal met", "{met} of {n} goals met", len(goals), met=met)]
    if missed:
        parts.append(Phrase(N_("{n} missed"), n=missed))
    parts.append(Phrase.ngettext("{n} open action, {done} done", "{n} open actions, {done} done", open_n, done=done_n))
    if overdue:
        parts.append(Phrase(N_("{n} overdue"), n=overdue))
    if stalled:
        parts.append(Phrase(N_("{n} stalled (idle over {limit} days)"), n=stalled, limit=limit))
    return PlanProgress(
        plan=plan.id,
        account=plan.account,
        name=plan.name,
        on=day,
        status=status,
        goals_met=met,
        goals=goals,
        actions_open=open_n,
        actions_done=done_n,
        overdue=overdue,
        stalled=stalled,
        action_progress=actions,
        coverage=cov.score,
        stall_days=limit,
        explanation=Phrase(
            N_("{status} on {date}: {parts}"),
            status=Phrase(_STATUS[status]),
            date=day.isoformat(),
            parts=Seq(tuple(parts), N_("; ")),
        ),
    )
