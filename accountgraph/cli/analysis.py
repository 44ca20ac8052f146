"""The analysis commands: rank, coverage, path, whatif, actions, risk.

Each command calls the analysis service (`accountgraph.services.analysis`), prints readable tables, or the result as
JSON with `--json`. The store is the one `--store` or `ACCOUNTGRAPH_STORE` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table

from accountgraph.algorithms.results import (
    ActionPlan,
    Breakdown,
    ContactPath,
    Coverage,
    PathResult,
    Ranking,
    RiskReport,
    WhatIf,
)
from accountgraph.cli.common import (
    AccountArg,
    JsonOption,
    Named,
    Operation,
    StoreOption,
    money,
    out,
    renders,
    renders_named,
    run,
    table,
    text,
)
from accountgraph.i18n import N_, _, ngettext, number, percent
from accountgraph.i18n.glossary import joined, term
from accountgraph.i18n.phrase import say
from accountgraph.services import analysis
from accountgraph.services.exact import ExactBetweenness
from accountgraph.services.scope import Scope

app = typer.Typer()

AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help=N_("read the account as it stood on this date (YYYY-MM-DD)")),
]
BUSY = "loading and analysing the account…"


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _breakdowns(title: str, items: list[Breakdown], limit: int | None = None, *, terms: bool = False) -> Table:
    """`terms`: the rows are the glossary's (layers, roles), shown in the language of the moment."""
    shown = items if limit is None else items[:limit]
    return table(
        title,
        [("", "left"), (_("people"), "right"), (_("covered"), "right"), (_("score"), "right")],
        ([term(b.key, b.label) if terms else b.label, b.people, b.covered, number(b.score, 1)] for b in shown),
    )


def _path_table(n: int, p: ContactPath) -> Table:
    return table(
        _("path {n}: {explanation}").format(n=n, explanation=say(p.explanation)),
        [(_("from"), "left"), (_("tie"), "left"), (_("to"), "left"), (_("strength"), "right"), (_("why"), "left")],
        ([h.source_name, term(h.tie), h.target_name, number(h.strength, 2), say(h.explanation)] for h in p.hops),
    )


def show_ranking(r: Ranking, companies: Mapping[str, str] | None = None) -> None:
    """The ranking's table; `companies`: the names of the people's companies (default their ids)."""
    console = out()
    console.print(
        table(
            _("key people of {account} (as of {day})").format(account=r.account, day=r.as_of.isoformat()),
            [
                ("#", "right"),
                (_("id"), "left"),
                (_("name"), "left"),
                (_("company"), "left"),
                (_("title"), "left"),
                (_("score"), "right"),
                (_("authority"), "right"),
                (_("influence"), "right"),
                (_("brokerage"), "right"),
                (_("roles"), "left"),
                (_("stance"), "left"),
            ],
            (
                [
                    p.rank,
                    p.id,
                    p.name,
                    (companies or {}).get(p.company, p.company) if p.company else "",
                    p.title,
                    number(p.score, 3),
                    number(p.authority.value, 2),
                    number(p.influence.value, 2),
                    number(p.brokerage.value, 2),
                    joined([term(role) for role in p.authority.roles]),
                    term(p.stance),
                ]
                for p in r.people
            ),
        )
    )
    m = r.method
    w = m.weights
    console.print(
        text(
            _(
                "score = {authority}·authority + {influence}·influence + {brokerage}·brokerage; "
                "PageRank {converged} in {iterations} iterations; betweenness {betweenness}"
            ).format(
                authority=number(w["authority"], 2),
                influence=number(w["influence"], 2),
                brokerage=number(w["brokerage"], 2),
                converged=_("converged") if m.pagerank_converged else _("NOT converged"),
                iterations=m.pagerank_iterations,
                betweenness=term(m.betweenness),
            )
            + (
                _(" from {sources} sources (seed {seed})").format(sources=m.betweenness_sources, seed=m.seed)
                if m.betweenness == "sampled"
                else ""
            )
        )
    )


def show_coverage(c: Coverage, gaps: int) -> None:
    console = out()
    console.print(text(_("coverage of {account}: {score} / 100").format(account=c.account, score=number(c.score, 1))))
    console.print(text(say(c.explanation)))
    uncovered = sum(not p.covered for p in c.people)
    single = sum(len(p.members) == 1 for p in c.people)  # `members`: ours at the threshold, as `actions` counts
    console.print(
        text(
            _("{uncovered} and {single} (one of ours only)").format(
                uncovered=ngettext("{n} uncovered chain member", "{n} uncovered chain members", uncovered).format(
                    n=uncovered
                ),
                single=ngettext("{n} single thread", "{n} single threads", single).format(n=single),
            )
        )
    )
    console.print(_breakdowns(_("by layer"), c.by_layer, terms=True))
    console.print(_breakdowns(_("by role"), c.by_role, terms=True))
    console.print(_breakdowns(_("by company (10 largest)"), c.by_company, 10))
    console.print(_breakdowns(_("by department (10 largest)"), c.by_department, 10))
    console.print(
        table(
            _("gaps ({shown} of {total})").format(shown=min(gaps, len(c.gaps)), total=len(c.gaps)),
            [(_("kind"), "left"), (_("subject"), "left"), (_("importance"), "right"), (_("detail"), "left")],
            (
                [
                    term(g.kind, g.kind.replace("_", " ")),
                    term(g.subject, g.name) if g.kind == "role_without_supporter" else g.name,
                    number(g.importance, 2),
                    say(g.detail),
                ]
                for g in c.gaps[:gaps]
            ),
        )
    )


def show_path(p: PathResult) -> None:
    console = out()
    start = p.source or _("our team")
    console.print(
        text(
            _("paths from {start} to {name} ({target}) in {account}").format(
                start=start, name=p.target_name, target=p.target, account=p.account
            )
        )
    )
    if not p.reachable:
        console.print(text(_("unreachable: {reason}").format(reason=say(p.reason))))
        return
    for n, path in enumerate(p.paths, start=1):
        console.print(_path_table(n, path))
        starters = joined([f"{s.member_name} ({number(s.strength, 3)})" for s in path.starters])
        console.print(text(_("can start it: {starters}").format(starters=starters)))
    if p.disjoint:
        console.print(text(_("the routes share no person of the account (the target excepted)")))
    if p.avoid_opponents:
        console.print(text(_("kept off the paths: {n} opponents and blockers").format(n=len(p.avoided))))


def show_whatif(w: WhatIf) -> None:
    console = out()
    console.print(text(say(w.explanation)))
    people = [(_("id"), "left"), (_("name"), "left"), (_("company"), "left")]
    console.print(
        table(
            _("people we would lose every path to ({n})").format(n=len(w.lost_people)),
            people,
            ([p.id, p.name, p.company] for p in w.lost_people[:30]),
        )
    )
    console.print(
        table(
            _("decision-chain members no longer covered ({n})").format(n=len(w.newly_uncovered)),
            people,
            ([p.id, p.name, p.company] for p in w.newly_uncovered[:30]),
        )
    )
    console.print(
        table(
            _("single points of failure (articulation people)"),
            [
                (_("id"), "left"),
                (_("name"), "left"),
                (_("kind"), "left"),
                (_("cuts off"), "right"),
                (_("for example"), "left"),
            ],
            ([a.id, a.name, term(a.kind, a.kind), a.cut_off, joined(a.examples)] for a in w.articulation),
        )
    )


def show_actions(a: ActionPlan) -> None:
    console = out()
    console.print(
        text(
            _("next best actions for {account} (coverage {coverage})").format(
                account=a.account, coverage=number(a.coverage, 1)
            )
        )
    )
    console.print(
        table(
            say(a.explanation),
            [
                ("#", "right"),
                (_("kind"), "left"),
                (_("target"), "left"),
                (_("who of ours"), "left"),
                (_("gain"), "right"),
                (_("success"), "right"),
                (_("expected"), "right"),
                (_("plan"), "left"),
                (_("why"), "left"),
            ],
            (
                [
                    x.priority,
                    term(x.kind),
                    x.target_name,
                    x.member_name,
                    number(x.coverage_gain, 2),
                    number(x.success, 2),
                    number(x.expected_gain, 2),
                    say(x.plan),
                    _("; ").join(say(w) for w in x.why),
                ]
                for x in a.actions
            ),
        )
    )
    console.print(
        table(
            _("overloaded connectors ({n}): people too many of the best paths depend on").format(n=len(a.overloaded)),
            [
                (_("id"), "left"),
                (_("name"), "left"),
                (_("kind"), "left"),
                (_("paths"), "right"),
                (_("actions"), "right"),
                ("", "left"),
            ],
            (
                [
                    c.id,
                    c.name,
                    term(c.kind),
                    f"{c.paths} ({percent(c.share)})",
                    c.actions,
                    _("single point") if c.single_point else "",
                ]
                for c in a.overloaded
            ),
        )
    )


def show_risk(r: RiskReport) -> None:
    console = out()
    console.print(text(_("risk of {account}: {score} / 100").format(account=r.account, score=number(r.score, 1))))
    console.print(text(say(r.explanation)))
    console.print(
        table(
            _("alerts ({n})").format(n=len(r.alerts)),
            [(_("level"), "left"), (_("alert"), "left")],
            ([term(a.level), say(a.message)] for a in r.alerts),
        )
    )
    console.print(
        table(
            _("events"),
            [
                (_("id"), "left"),
                (_("kind"), "left"),
                (_("company"), "left"),
                (_("depth"), "right"),
                (_("severity"), "right"),
                (_("amount"), "right"),
                (_("date"), "left"),
                (_("score"), "right"),
                (_("on the group"), "right"),
            ],
            (
                [
                    e.id,
                    e.kind,
                    e.company_name,
                    e.depth,
                    e.severity,
                    money(e.amount, e.currency),
                    e.at.isoformat(),
                    number(e.score, 2),
                    number(e.contribution, 2),
                ]
                for e in r.events
            ),
        )
    )


def _show_named_ranking(n: Named[Ranking]) -> None:
    show_ranking(n.value, n.names)


@app.command("rank", help=N_("Rank the key people of an account: authority, influence and brokerage, each part shown."))
@renders_named(_show_named_ranking, lambda r: [p.company for p in r.people], busy=BUSY)
def rank(
    account: AccountArg,
    top: Annotated[int, typer.Option("--top", min=1, help=N_("how many people to show"))] = 20,
    as_of: AsOfOption = None,
    estimate: Annotated[
        bool,
        typer.Option(
            "--estimate",
            help=N_(
                "above 1,000 people, accept betweenness estimated from sampled sources unless the exact values are "
                "ready, rather than compute them (once per account structure, kept in the shared cache)"
            ),
        ),
    ] = False,
) -> Operation[Ranking]:
    exact = ExactBetweenness(compute=not estimate)  # with --estimate: the exact values only if ready
    return lambda s: analysis.rank(
        s, Scope.operator(), account, top=top, as_of=_day(as_of), exact=exact, wait_exact=not estimate
    )


@app.command(
    "coverage",
    help=N_("Coverage score (0-100) of an account, broken down by layer, role, company and department, with gaps."),
)
def coverage(
    account: AccountArg,
    gaps: Annotated[int, typer.Option("--gaps", min=0, help=N_("how many gaps to show"))] = 15,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    run(
        store,
        lambda s: analysis.coverage(s, Scope.operator(), account, as_of=_day(as_of)),
        lambda c: show_coverage(c, gaps),
        as_json,
        busy=BUSY,
    )


@app.command(
    "path",
    help=N_("Best contact paths from our team to a person: the top k distinct routes, who of ours can start each."),
)
@renders(show_path, busy=BUSY)
def path(
    account: AccountArg,
    to: Annotated[str, typer.Option("--to", help=N_("the person to reach"))],
    source: Annotated[str | None, typer.Option("--from", help=N_("one of our team members (default: all)"))] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50, help=N_("how many alternatives"))] = 3,
    avoid_opponents: Annotated[
        bool, typer.Option("--avoid-opponents", help=N_("keep opponents and blockers off the paths"))
    ] = False,
    max_hops: Annotated[int | None, typer.Option("--max-hops", min=1, help=N_("the most hops a path may have"))] = None,
    disjoint: Annotated[
        bool, typer.Option("--disjoint", help=N_("routes that share no person of the account (the target excepted)"))
    ] = False,
    as_of: AsOfOption = None,
) -> Operation[PathResult]:
    return lambda s: analysis.path(
        s,
        Scope.operator(),
        account,
        to,
        source=source,
        k=k,
        avoid_opponents=avoid_opponents,
        max_hops=max_hops,
        disjoint=disjoint,
        as_of=_day(as_of),
    )


@app.command(
    "whatif", help=N_("What a departure costs: coverage before and after, people lost, single points of failure.")
)
@renders(show_whatif, busy=BUSY)
def whatif(
    account: AccountArg,
    remove: Annotated[str, typer.Option("--remove", help=N_("a person or one of our team members who leaves"))],
    as_of: AsOfOption = None,
) -> Operation[WhatIf]:
    return lambda s: analysis.whatif(s, Scope.operator(), account, remove, as_of=_day(as_of))


@app.command(
    "actions",
    help=N_("Next best actions: who of ours should reach whom through which path, by expected coverage gain."),
)
@renders(show_actions, busy=BUSY)
def actions(
    account: AccountArg,
    as_of: AsOfOption = None,
    capacity: Annotated[
        int | None,
        typer.Option("--capacity", min=1, help=N_("the most actions one of ours is given while a colleague can act")),
    ] = None,
) -> Operation[ActionPlan]:
    return lambda s: analysis.actions(s, Scope.operator(), account, capacity=capacity, as_of=_day(as_of))


@app.command("risk", help=N_("Account risk: events rolled up the company tree into a score and alerts."))
@renders(show_risk, busy=BUSY)
def risk(account: AccountArg, as_of: AsOfOption = None) -> Operation[RiskReport]:
    return lambda s: analysis.risk(s, Scope.operator(), account, as_of=_day(as_of))
