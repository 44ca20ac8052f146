"""The `demo` command: load the sample account and the real data sets, analyse the sample, write its views,
serve the API and the planner's workspace (with a planner key to sign in)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accountgraph.cli.common import StoreOption, call, counted, err, opened_store, out, styled
from accountgraph.cli.records import counts_table
from accountgraph.i18n import N_
from accountgraph.services.scope import Scope

app = typer.Typer()


@app.command(
    help=N_(
        "Load the sample account and the real data sets, analyse the sample, write its views, "
        "serve the API and the planner's workspace (its URL and a planner key are printed)."
    )
)
def demo(
    store: StoreOption = None,
    views: Annotated[Path, typer.Option("--views", help=N_("where to write the HTML views"))] = Path("views"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help=N_("then serve the API and the workspace"))] = True,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    from accountgraph.cli.analysis import show_actions, show_coverage, show_path, show_ranking
    from accountgraph.samples.demo import seed_demo
    from accountgraph.services import analysis, ledger, opportunities

    console = out()
    operator = Scope.operator()
    cache = analysis.AnalysisCache()  # this run's: every analysis below reads the account prepared once
    with opened_store(store) as s:
        report = call(lambda: seed_demo(s))
        if report.datasets_note is not None:
            err().print(styled("note:", "yellow", f"real data sets not loaded: {report.datasets_note}"))
        for loaded in report.loaded:
            err().print(f"loaded {loaded.label}: {counted(loaded.counts)}")
        account, opp = report.account, report.opportunity
        console.print(counts_table(f"store {s.url}", s.counts()))
        show_ranking(call(lambda: analysis.rank(s, operator, account, top=10, cache=cache)))
        cov = call(lambda: analysis.coverage(s, operator, account, cache=cache))
        show_coverage(cov, 8)
        target = next(
            (p for p in cov.people if not p.covered and "decision_maker" in p.roles),
            next((p for p in cov.people if not p.covered), None),
        )
        if target is not None:
            console.print(f"\nbest path to the top uncovered decision maker, {target.name} ({target.id}):")
            show_path(call(lambda: analysis.path(s, operator, account, target.id, cache=cache)))
        show_actions(call(lambda: analysis.actions(s, operator, account, cache=cache)))
        cash = call(lambda: ledger.cash_picture(s, operator, account))
        console.print(
            f"\ncash of {account} ({cash.currency}): billed {cash.billed}, collected {cash.collected}, "
            f"outstanding {cash.outstanding}, overdue {cash.overdue}, DSO {cash.dso} days "
            f"(details: accountgraph cash {account})"
        )
        health = call(lambda: opportunities.health(s, operator, opp.id, cache=cache))
        console.print(
            f"\nopportunity {opp.name} ({opp.id}, {opp.stage}): win probability {health.probability:.0%} "
            f"({health.model.replace('_', ' ')}); what would raise it most:",
            highlight=False,
        )
        for a in health.actions:
            console.print(f"  + {a.gain:.0%}  {a.description}", highlight=False, markup=False)
        if health.risks:
            console.print(f"first risk: {health.risks[0].description}", highlight=False, markup=False)
        console.print(f"(a tracked plan from these: accountgraph plan from-opportunity {opp.id})", highlight=False)
        console.print("across the accounts (key accounts, value, revenue at risk, KPIs): accountgraph portfolio")
        views.mkdir(parents=True, exist_ok=True)
        committee_map = opportunities.power_map(s, operator, opp.id, cache=cache)
        (views / f"{opp.id}-committee.html").write_text(committee_map, encoding="utf-8")
        power_map = views / f"{account}-power-map.html"
        highlight = target.id if target is not None else None
        power_map.write_text(
            analysis.power_map_html(s, operator, account, highlight_to=highlight, cache=cache), encoding="utf-8"
        )
        tree = views / f"{account}-tree.html"
        tree.write_text(analysis.tree_html(s, operator, account, cache=cache), encoding="utf-8")
        chinese = views / f"{report.chinese_account}-power-map.html"
        chinese.write_text(analysis.power_map_html(s, operator, report.chinese_account, cache=cache), encoding="utf-8")
    committee = views / f"{opp.id}-committee.html"
    console.print(
        f"\nviews written: {power_map.resolve().as_uri()}\n               {tree.resolve().as_uri()}"
        f"\n               {committee.resolve().as_uri()} (the deal's buying committee)"
        f"\n               {chinese.resolve().as_uri()} (the Chinese sample account, {report.chinese_account})"
    )
    base = f"http://127.0.0.1:{port}"
    if not serve:
        console.print(
            f"\nworkspace: `accountgraph serve --port {port}{f' --store {store}' if store else ''}`, then open {base}/ "
            "and sign in with a planner key "
            "from `accountgraph keys create --role planner`",
            highlight=False,
            soft_wrap=True,
        )
        return
    from accountgraph.cli.api import serve as serve_api
    from accountgraph.services.keys import mint_key

    with opened_store(store) as s:
        _, key = call(lambda: mint_key(s, "planner", name="demo"))
    auth = f"-H 'Authorization: Bearer {key}'"
    console.print(
        f"\nworkspace:     {base}/  (open it in a browser and sign in with the key below)\n"
        f"a planner key for this demo (shown once): {key}\n"
        f"OpenAPI:       curl {auth} {base}/openapi.json\n"
        f"key people:    curl {auth} {base}/v1/accounts/{account}/key-people?top=5\n"
        f"power map:     curl {auth} {base}/v1/accounts/{account}/view > map.html\n"
        f"customer tree: curl {auth} {base}/v1/accounts/{account}/tree/view > tree.html\n"
        "(Ctrl-C stops the server)",
        highlight=False,
        soft_wrap=True,
    )
    serve_api(host="127.0.0.1", port=port, workers=1, store=store)
