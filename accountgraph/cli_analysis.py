"""The analysis commands of the `accountgraph` CLI: rank, coverage, path, whatif, actions, risk.

`register(app)` adds them to the main Typer app (`accountgraph.cli`). Each command calls the analysis service
(`accountgraph.analysis`), prints readable tables, or the result as JSON with `--json`. The store is the one
`--store` or `ACCOUNTGRAPH_STORE` names. `python -m accountgraph.cli_analysis ...` runs the whole CLI with
these commands registered.
"""

# No `from __future__ import annotations`: the commands are defined inside `register`, and Typer reads their
# annotations (which name `StoreOption`, imported there) from the function objects.
import contextlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.table import Table
from rich.text import Text

from accountgraph import analysis
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

__all__ = ["register"]

AccountArg = Annotated[str, typer.Argument(help="the account (root company) id")]
AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="read the account as it stood on this date (YYYY-MM-DD)"),
]


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _t(value: object) -> Text:
    """User data as plain text (never read as rich markup)."""
    return Text("" if value is None else str(value))


def _table(title: str, columns: Iterable[tuple[str, str]], rows: Iterable[Iterable[object]]) -> Table:
    table = Table(title=title, title_justify="left")
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(_t(v) for v in row))
    return table


def _breakdowns(title: str, items: list[Breakdown], limit: int | None = None) -> Table:
    shown = items if limit is None else items[:limit]
    return _table(
        title,
        [("", "left"), ("people", "right"), ("covered", "right"), ("score", "right")],
        ([b.label, b.people, b.covered, f"{b.score:.1f}"] for b in shown),
    )


def _path_table(n: int, p: ContactPath) -> Table:
    return _table(
        f"path {n}: {p.explanation}",
        [("from", "left"), ("tie", "left"), ("to", "left"), ("strength", "right"), ("why", "left")],
        ([h.source_name, h.tie, h.target_name, f"{h.strength:.2f}", h.explanation] for h in p.hops),
    )


def show_ranking(r: Ranking, out: Any) -> None:
    out.print(
        _table(
            f"key people of {r.account} (as of {r.as_of.isoformat()})",
            [
                ("#", "right"),
                ("id", "left"),
                ("name", "left"),
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
    out.print(
        _t(
            f"score = {w['authority']:.2f}·authority + {w['influence']:.2f}·influence + "
            f"{w['brokerage']:.2f}·brokerage; "
            f"PageRank {'converged' if m.pagerank_converged else 'NOT converged'} in {m.pagerank_iterations} "
            f"iterations; betweenness {m.betweenness}"
            + (f" from {m.betweenness_sources} sources (seed {m.seed})" if m.betweenness == "sampled" else "")
        )
    )


def show_coverage(c: Coverage, out: Any, gaps: int) -> None:
    out.print(_t(f"coverage of {c.account}: {c.score:.1f} / 100"))
    out.print(_t(c.explanation))
    out.print(_breakdowns("by layer", c.by_layer))
    out.print(_breakdowns("by role", c.by_role))
    out.print(_breakdowns("by company (10 largest)", c.by_company, 10))
    out.print(_breakdowns("by department (10 largest)", c.by_department, 10))
    out.print(
        _table(
            f"gaps ({min(gaps, len(c.gaps))} of {len(c.gaps)})",
            [("kind", "left"), ("subject", "left"), ("importance", "right"), ("detail", "left")],
            ([g.kind.replace("_", " "), g.name, f"{g.importance:.2f}", g.detail] for g in c.gaps[:gaps]),
        )
    )


def show_path(p: PathResult, out: Any) -> None:
    start = p.source or "our team"
    out.print(_t(f"paths from {start} to {p.target_name} ({p.target}) in {p.account}"))
    if not p.reachable:
        out.print(_t(f"unreachable: {p.reason}"))
        return
    for n, path in enumerate(p.paths, start=1):
        out.print(_path_table(n, path))
        starters = ", ".join(f"{s.member_name} ({s.strength:.3f})" for s in path.starters)
        out.print(_t(f"can start it: {starters}"))
    if p.disjoint:
        out.print(_t("the routes share no person of the account (the target excepted)"))
    if p.avoid_opponents:
        out.print(_t(f"kept off the paths: {len(p.avoided)} opponents and blockers"))


def show_whatif(w: WhatIf, out: Any) -> None:
    out.print(_t(w.explanation))
    out.print(
        _table(
            f"people we would lose every path to ({len(w.lost_people)})",
            [("id", "left"), ("name", "left"), ("company", "left")],
            ([p.id, p.name, p.company] for p in w.lost_people[:30]),
        )
    )
    out.print(
        _table(
            f"decision-chain members no longer covered ({len(w.newly_uncovered)})",
            [("id", "left"), ("name", "left"), ("company", "left")],
            ([p.id, p.name, p.company] for p in w.newly_uncovered[:30]),
        )
    )
    out.print(
        _table(
            "single points of failure (articulation people)",
            [("id", "left"), ("name", "left"), ("kind", "left"), ("cuts off", "right"), ("for example", "left")],
            ([a.id, a.name, a.kind, a.cut_off, ", ".join(a.examples)] for a in w.articulation),
        )
    )


def show_actions(a: ActionPlan, out: Any) -> None:
    out.print(_t(f"next best actions for {a.account} (coverage {a.coverage:.1f})"))
    out.print(
        _table(
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
    out.print(
        _table(
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


def show_risk(r: RiskReport, out: Any) -> None:
    out.print(_t(f"risk of {r.account}: {r.score:.1f} / 100"))
    out.print(_t(r.explanation))
    out.print(
        _table(
            f"alerts ({len(r.alerts)})",
            [("level", "left"), ("alert", "left")],
            ([a.level, a.message] for a in r.alerts),
        )
    )
    out.print(
        _table(
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
                    f"{e.amount} {e.currency}" if e.amount is not None else "",
                    e.at.isoformat(),
                    f"{e.score:.2f}",
                    f"{e.contribution:.2f}",
                ]
                for e in r.events
            ),
        )
    )


def register(app: typer.Typer) -> None:
    """Add the analysis commands to `app`."""
    from accountgraph.cli_common import JsonOption, StoreOption, _emit, _guard, _store, err, out

    def run(store: str | None, compute: Callable[[Any], BaseModel], as_json: bool, show: Callable[[Any], None]) -> None:
        # a large account takes seconds to load and analyse: a spinner on a terminal's stderr meanwhile
        busy = err.status("loading and analysing the account…") if err.is_terminal else contextlib.nullcontext()
        with _store(store) as s, busy:
            result = _guard(lambda: compute(s))
        if as_json:
            _emit(result)
        else:
            show(result)

    @app.command("rank")
    def rank_cmd(
        account: AccountArg,
        top: Annotated[int, typer.Option("--top", min=1, help="how many people to show")] = 20,
        as_of: AsOfOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Rank the key people of an account: authority, influence and brokerage, each part shown."""
        run(
            store,
            lambda s: analysis.rank(s, account, top=top, as_of=_day(as_of)),
            as_json,
            lambda r: show_ranking(r, out),
        )

    @app.command("coverage")
    def coverage_cmd(
        account: AccountArg,
        gaps: Annotated[int, typer.Option("--gaps", min=0, help="how many gaps to show")] = 15,
        as_of: AsOfOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Coverage score (0-100) of an account, broken down by layer, role, company and department, with gaps."""
        run(
            store,
            lambda s: analysis.coverage(s, account, as_of=_day(as_of)),
            as_json,
            lambda c: show_coverage(c, out, gaps),
        )

    @app.command("path")
    def path_cmd(
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
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Best contact paths from our team to a person: the top k distinct routes, who of ours can start each."""
        run(
            store,
            lambda s: analysis.path(
                s,
                account,
                to,
                source=source,
                k=k,
                avoid_opponents=avoid_opponents,
                max_hops=max_hops,
                disjoint=disjoint,
                as_of=_day(as_of),
            ),
            as_json,
            lambda p: show_path(p, out),
        )

    @app.command("whatif")
    def whatif_cmd(
        account: AccountArg,
        remove: Annotated[str, typer.Option("--remove", help="a person or one of our team members who leaves")],
        as_of: AsOfOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """What a departure costs: coverage before and after, people lost, single points of failure."""
        run(
            store,
            lambda s: analysis.whatif(s, account, remove, as_of=_day(as_of)),
            as_json,
            lambda w: show_whatif(w, out),
        )

    @app.command("actions")
    def actions_cmd(
        account: AccountArg,
        as_of: AsOfOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Next best actions: who of ours should reach whom through which path, by expected coverage gain."""
        run(
            store,
            lambda s: analysis.actions(s, account, as_of=_day(as_of)),
            as_json,
            lambda a: show_actions(a, out),
        )

    @app.command("risk")
    def risk_cmd(
        account: AccountArg,
        as_of: AsOfOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Account risk: events rolled up the company tree into a score and alerts."""
        run(
            store,
            lambda s: analysis.risk(s, account, as_of=_day(as_of)),
            as_json,
            lambda r: show_risk(r, out),
        )
