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
    plural,
    renders,
    renders_named,
    run,
    table,
    text,
)
from accountgraph.services import analysis
from accountgraph.services.scope import Scope

app = typer.Typer()

AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="read the account as it stood on this date (YYYY-MM-DD)"),
]
BUSY = "loading and analysing the account…"


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _breakdowns(title: str, items: list[Breakdown], limit: int | None = None) -> Table:
    shown = items if limit is None else items[:limit]
    return table(
        title,
        [("", "left"), ("people", "right"), ("covered", "right"), ("score", "right")],
        ([b.label, b.people, b.covered, f"{b.score:.1f}"] for b in shown),
    )


def _path_table(n: int, p: ContactPath) -> Table:
    return table(
        f"path {n}: {p.explanation}",
        [("from", "left"), ("tie", "left"), ("to", "left"), ("strength", "right"), ("why", "left")],
        ([h.source_name, h.tie, h.target_name, f"{h.strength:.2f}", h.explanation] for h in p.hops),
    )


def show_ranking(r: Ranking, companies: Mapping[str, str] | None = None) -> None:
    """The ranking's table; `companies`: the names of the people's companies (default their ids)."""
    console = out()
    console.print(
        table(
            f"key people of {r.account} (as of {r.as_of.isoformat()})",
            [
                ("#", "right"),
                ("id", "left"),
                ("name", "left"),
                ("company", "left"),
                ("title", "left"),
                ("score", "right"),
                ("authority", "right"),
                ("influence", "right"),
                ("brokerage", "right"),
                ("roles", "left"),
                ("stance", "left"),
            ],
            (
                [
                    p.rank,
                    p.id,
                    p.name,
                    (companies or {}).get(p.company, p.company) if p.company else "",
                    p.title,
                    f"{p.score:.3f}",
                    f"{p.authority.value:.2f}",
                    f"{p.influence.value:.2f}",
                    f"{p.brokerage.value:.2f}",
                    ", ".join(p.authority.roles),
                    p.stance,
                ]
                for p in r.people
            ),
        )
    )
    m = r.method
    w = m.weights
    console.print(
        text(
            f"score = {w['authority']:.2f}·authority + {w['influence']:.2f}·influence + "
            f"{w['brokerage']:.2f}·brokerage; "
            f"PageRank {'converged' if m.pagerank_converged else 'NOT converged'} in {m.pagerank_iterations} "
            f"iterations; betweenness {m.betweenness}"
            + (f" from {m.betweenness_sources} sources (seed {m.seed})" if m.betweenness == "sampled" else "")
        )
    )


def show_coverage(c: Coverage, gaps: int) -> None:
    console = out()
    console.print(text(f"coverage of {c.account}: {c.score:.1f} / 100"))
    console.print(text(c.explanation))
    uncovered = sum(not p.covered for p in c.people)
    single = sum(len(p.members) == 1 for p in c.people)  # `members`: ours at the threshold, as `actions` counts
    console.print(
        text(f"{plural(uncovered, 'uncovered chain member')} and {plural(single, 'single thread')} (one of ours only)")
    )
    console.print(_breakdowns("by layer", c.by_layer))
    console.print(_breakdowns("by role", c.by_role))
    console.print(_breakdowns("by company (10 largest)", c.by_company, 10))
    console.print(_breakdowns("by department (10 largest)", c.by_department, 10))
    console.print(
        table(
            f"gaps ({min(gaps, len(c.gaps))} of {len(c.gaps)})",
            [("kind", "left"), ("subject", "left"), ("importance", "right"), ("detail", "left")],
            ([g.kind.replace("_", " "), g.name, f"{g.importance:.2f}", g.detail] for g in c.gaps[:gaps]),
        )
    )


def show_path(p: PathResult) -> None:
    console = out()
    start = p.source or "our team"
    console.print(text(f"paths from {start} to {p.target_name} ({p.target}) in {p.account}"))
    if not p.reachable:
        console.print(text(f"unreachable: {p.reason}"))
        return
    for n, path in enumerate(p.paths, start=1):
        console.print(_path_table(n, path))
        starters = ", ".join(f"{s.member_name} ({s.strength:.3f})" for s in path.starters)
        console.print(text(f"can start it: {starters}"))
    if p.disjoint:
        console.print(text("the routes share no person of the account (the target excepted)"))
    if p.avoid_opponents:
        console.print(text(f"kept off the paths: {len(p.avoided)} opponents and blockers"))


def show_whatif(w: WhatIf) -> None:
    console = out()
    console.print(text(w.explanation))
    console.print(
        table(
            f"people we would lose every path to ({len(w.lost_people)})",
            [("id", "left"), ("name", "left"), ("company", "left")],
            ([p.id, p.name, p.company] for p in w.lost_people[:30]),
        )
    )
    console.print(
        table(
            f"decision-chain members no longer covered ({len(w.newly_uncovered)})",
            [("id", "left"), ("name", "left"), ("company", "left")],
            ([p.id, p.name, p.company] for p in w.newly_uncovered[:30]),
        )
    )
    console.print(
        table(
            "single points of failure (articulation people)",
            [("id", "left"), ("name", "left"), ("kind", "left"), ("cuts off", "right"), ("for example", "left")],
            ([a.id, a.name, a.kind, a.cut_off, ", ".join(a.examples)] for a in w.articulation),
        )
    )


def show_actions(a: ActionPlan) -> None:
    console = out()
    console.print(text(f"next best actions for {a.account} (coverage {a.coverage:.1f})"))
    console.print(
        table(
            a.explanation,
            [
                ("#", "right"),
                ("kind", "left"),
                ("target", "left"),
                ("who of ours", "left"),
                ("gain", "right"),
                ("success", "right"),
                ("expected", "right"),
                ("plan", "left"),
                ("why", "left"),
            ],
            (
                [
                    x.priority,
                    x.kind,
                    x.target_name,
                    x.member_name,
                    f"{x.coverage_gain:.2f}",
                    f"{x.success:.2f}",
                    f"{x.expected_gain:.2f}",
                    x.plan,
                    "; ".join(x.why),
                ]
                for x in a.actions
            ),
        )
    )
    console.print(
        table(
            f"overloaded connectors ({len(a.overloaded)}): people too many of the best paths depend on",
            [
                ("id", "left"),
                ("name", "left"),
                ("kind", "left"),
                ("paths", "right"),
                ("actions", "right"),
                ("", "left"),
            ],
            (
                [
                    c.id,
                    c.name,
                    c.kind,
                    f"{c.paths} ({c.share:.0%})",
                    c.actions,
                    "single point" if c.single_point else "",
                ]
                for c in a.overloaded
            ),
        )
    )


def show_risk(r: RiskReport) -> None:
    console = out()
    console.print(text(f"risk of {r.account}: {r.score:.1f} / 100"))
    console.print(text(r.explanation))
    console.print(
        table(
            f"alerts ({len(r.alerts)})",
            [("level", "left"), ("alert", "left")],
            ([a.level, a.message] for a in r.alerts),
        )
    )
    console.print(
        table(
            "events",
            [
                ("id", "left"),
                ("kind", "left"),
                ("company", "left"),
                ("depth", "right"),
                ("severity", "right"),
                ("amount", "right"),
                ("date", "left"),
                ("score", "right"),
                ("on the group", "right"),
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
                    f"{e.score:.2f}",
                    f"{e.contribution:.2f}",
                ]
                for e in r.events
            ),
        )
    )


def _show_named_ranking(n: Named[Ranking]) -> None:
    show_ranking(n.value, n.names)


@app.command("rank")
@renders_named(_show_named_ranking, lambda r: [p.company for p in r.people], busy=BUSY)
def rank(
    account: AccountArg,
    top: Annotated[int, typer.Option("--top", min=1, help="how many people to show")] = 20,
    as_of: AsOfOption = None,
) -> Operation[Ranking]:
    """Rank the key people of an account: authority, influence and brokerage, each part shown."""
    return lambda s: analysis.rank(s, Scope.operator(), account, top=top, as_of=_day(as_of))


@app.command("coverage")
def coverage(
    account: AccountArg,
    gaps: Annotated[int, typer.Option("--gaps", min=0, help="how many gaps to show")] = 15,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Coverage score (0-100) of an account, broken down by layer, role, company and department, with gaps."""
    run(
        store,
        lambda s: analysis.coverage(s, Scope.operator(), account, as_of=_day(as_of)),
        lambda c: show_coverage(c, gaps),
        as_json,
        busy=BUSY,
    )


@app.command("path")
@renders(show_path, busy=BUSY)
def path(
    account: AccountArg,
    to: Annotated[str, typer.Option("--to", help="the person to reach")],
    source: Annotated[str | None, typer.Option("--from", help="one of our team members (default: all)")] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50, help="how many alternatives")] = 3,
    avoid_opponents: Annotated[
        bool, typer.Option("--avoid-opponents", help="keep opponents and blockers off the paths")
    ] = False,
    max_hops: Annotated[int | None, typer.Option("--max-hops", min=1, help="the most hops a path may have")] = None,
    disjoint: Annotated[
        bool, typer.Option("--disjoint", help="routes that share no person of the account (the target excepted)")
    ] = False,
    as_of: AsOfOption = None,
) -> Operation[PathResult]:
    """Best contact paths from our team to a person: the top k distinct routes, who of ours can start each."""
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


@app.command("whatif")
@renders(show_whatif, busy=BUSY)
def whatif(
    account: AccountArg,
    remove: Annotated[str, typer.Option("--remove", help="a person or one of our team members who leaves")],
    as_of: AsOfOption = None,
) -> Operation[WhatIf]:
    """What a departure costs: coverage before and after, people lost, single points of failure."""
    return lambda s: analysis.whatif(s, Scope.operator(), account, remove, as_of=_day(as_of))


@app.command("actions")
@renders(show_actions, busy=BUSY)
def actions(account: AccountArg, as_of: AsOfOption = None) -> Operation[ActionPlan]:
    """Next best actions: who of ours should reach whom through which path, by expected coverage gain."""
    return lambda s: analysis.actions(s, Scope.operator(), account, as_of=_day(as_of))


@app.command("risk")
@renders(show_risk, busy=BUSY)
def risk(account: AccountArg, as_of: AsOfOption = None) -> Operation[RiskReport]:
    """Account risk: events rolled up the company tree into a score and alerts."""
    return lambda s: analysis.risk(s, Scope.operator(), account, as_of=_day(as_of))
