"""The `demo` command: load the sample account and the real data sets, analyse the sample, write its views,
serve the API and the planner's workspace (with a planner key to sign in)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.cells import cell_len

from accountgraph import i18n
from accountgraph.cli.common import StoreOption, call, counted, err, money, opened_store, out, styled
from accountgraph.cli.records import counts_table
from accountgraph.i18n import N_, _
from accountgraph.i18n.phrase import say
from accountgraph.services.scope import Scope

if TYPE_CHECKING:
    from accountgraph.samples.demo import LoadedBundle

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
    chinese_run = i18n.current() != i18n.DEFAULT
    with opened_store(store) as s:
        report = call(lambda: seed_demo(s))
        if report.datasets_note is not None:
            err().print(
                styled(_("note:"), "yellow", _("real data sets not loaded: {why}").format(why=report.datasets_note))
            )
        for loaded in report.loaded:
            err().print(_("loaded {what}: {counts}").format(what=_label(loaded), counts=counted(loaded.counts)))
        # in Chinese the demo analyses the Chinese sample account (its names, titles and deal are Chinese), the
        # English sample's power map written beside it; in English the English sample, as before
        if chinese_run:
            account, other = report.chinese_account, report.account
            opp = call(lambda: opportunities.get_opportunity(s, operator, _CHINESE_DEAL))
        else:
            account, other = report.account, report.chinese_account
            opp = report.opportunity
        console.print(counts_table(_("store {url}").format(url=s.url), s.counts()))
        show_ranking(call(lambda: analysis.rank(s, operator, account, top=10, cache=cache)))
        cov = call(lambda: analysis.coverage(s, operator, account, cache=cache))
        show_coverage(cov, 8)
        target = next(
            (p for p in cov.people if not p.covered and "decision_maker" in p.roles),
            next((p for p in cov.people if not p.covered), None),
        )
        if target is not None:
            console.print(
                "\n"
                + _("best path to the top uncovered decision maker, {name} ({id}):").format(
                    name=target.name, id=target.id
                )
            )
            show_path(call(lambda: analysis.path(s, operator, account, target.id, cache=cache)))
        show_actions(call(lambda: analysis.actions(s, operator, account, cache=cache)))
        cash = call(lambda: ledger.cash_picture(s, operator, account))
        console.print(
            "\n"
            + _(
                "cash of {account} ({currency}): billed {billed}, collected {collected}, outstanding {outstanding}, "
                "overdue {overdue}, DSO {dso} days (details: accountgraph cash {account})"
            ).format(
                account=account,
                currency=cash.currency,
                billed=_amount(cash.billed),
                collected=_amount(cash.collected),
                outstanding=_amount(cash.outstanding),
                overdue=_amount(cash.overdue),
                dso=_amount(cash.dso),
            )
        )
        health = call(lambda: opportunities.health(s, operator, opp.id, cache=cache))
        console.print(
            "\n"
            + _(
                "opportunity {name} ({id}, {stage}): win probability {probability} ({model}); what would raise it most:"
            ).format(
                name=opp.name,
                id=opp.id,
                stage=opp.stage,
                probability=i18n.percent(health.probability),
                model=_(_MODELS.get(health.model, health.model.replace("_", " "))),
            ),
            highlight=False,
        )
        for a in health.actions:
            console.print(f"  + {i18n.percent(a.gain)}  {say(a.description)}", highlight=False, markup=False)
        if health.risks:
            console.print(
                _("first risk: {risk}").format(risk=say(health.risks[0].description)), highlight=False, markup=False
            )
        console.print(
            _("(a tracked plan from these: accountgraph plan from-opportunity {id})").format(id=opp.id), highlight=False
        )
        console.print(_("across the accounts (key accounts, value, revenue at risk, KPIs): accountgraph portfolio"))
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
        beside = views / f"{other}-power-map.html"
        beside.write_text(analysis.power_map_html(s, operator, other, cache=cache), encoding="utf-8")
    committee = views / f"{opp.id}-committee.html"
    indent = "\n" + " " * cell_len(_("views written: "))  # columns: a Chinese character takes two
    about_beside = (
        _("(the English sample account, {account})") if chinese_run else _("(the Chinese sample account, {account})")
    ).format(account=other)
    console.print(
        "\n"
        + _("views written: ")
        + power_map.resolve().as_uri()
        + indent
        + tree.resolve().as_uri()
        + indent
        + committee.resolve().as_uri()
        + " "
        + _("(the deal's buying committee)")
        + indent
        + beside.resolve().as_uri()
        + " "
        + about_beside
    )
    base = f"http://127.0.0.1:{port}"
    if not serve:
        console.print(
            "\n"
            + _("workspace: `{command}`, then open {url} and sign in with a planner key from `{keys}`").format(
                command=f"accountgraph serve --port {port}{f' --store {store}' if store else ''}",
                url=f"{base}/",
                keys="accountgraph keys create --role planner",
            ),
            highlight=False,
            soft_wrap=True,
        )
        return
    from accountgraph.cli.api import serve as serve_api
    from accountgraph.services.keys import mint_key

    with opened_store(store) as s:
        _key, key = call(lambda: mint_key(s, "planner", name="demo"))
    auth = f"-H 'Authorization: Bearer {key}'"
    console.print(
        "\n"
        + _(
            "workspace:     {base}/  (open it in a browser and sign in with the key below)\n"
            "a planner key for this demo (shown once): {key}\n"
            "OpenAPI:       curl {auth} {base}/openapi.json\n"
            "key people:    curl {auth} {base}/v1/accounts/{account}/key-people?top=5\n"
            "power map:     curl {auth} {base}/v1/accounts/{account}/view > map.html\n"
            "customer tree: curl {auth} {base}/v1/accounts/{account}/tree/view > tree.html\n"
            "(Ctrl-C stops the server)"
        ).format(base=base, key=key, auth=auth, account=account),
        highlight=False,
        soft_wrap=True,
    )
    serve_api(host="127.0.0.1", port=port, workers=1, store=store)


_CHINESE_DEAL = "DEMO-huakang-suzhou"
"""The Chinese sample's open deal (`samples.ledger.PORTFOLIO_DEALS`), the one the demo scores in Chinese."""

_LABELS = {"sample account": N_("sample account"), "Chinese sample account": N_("Chinese sample account")}
_MODELS = {"logistic_regression": N_("logistic regression"), "scorecard": N_("scorecard")}


def _label(loaded: LoadedBundle) -> str:
    """What a loaded bundle is, in the language of the moment."""
    if loaded.label in _LABELS:
        return _(_LABELS[loaded.label])
    return _("data set {account}").format(account=loaded.account)


def _amount(value: object) -> str:
    """A figure of the cash picture: as it is in English, digits grouped for the locale otherwise."""
    if i18n.current() == i18n.DEFAULT or not isinstance(value, Decimal | str):
        return str(value)
    return money(value)
