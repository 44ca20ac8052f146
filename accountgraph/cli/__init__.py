"""The `accountgraph` command line: the root app, one module of commands per part.

`records` (import, export, generate, schema, info, view), `search` (find), `demo`, `analysis` (rank, coverage,
path, whatif, actions, risk), `api` (serve, keys), `ledger` (product, quote, contract, order, invoice, pay, refund,
payments, cash, grades), `deals` (opp), `plans` (plan, compare), `portfolio` (keys, value, risk, attention,
strategic), `operator` (backup, check) and `changes` (the change log); `common` holds what they share. Each
module's top-level commands sit on its `app` (merged here, nameless); its groups are added here by name.

Bad input ends with a non-zero exit (1) and a list of what is wrong (file, line or index, field), never
a traceback. The store is the one `--store` or `ACCOUNTGRAPH_STORE` names (default: a SQLite file here).
"""

from __future__ import annotations

import gc
from typing import Annotated, Any

import typer

from accountgraph import i18n
from accountgraph.cli import (
    alerts,
    analysis,
    api,
    capture,
    changes,
    deals,
    demo,
    kinds,
    ledger,
    operator,
    plans,
    portfolio,
    records,
    report,
    search,
)
from accountgraph.cli.common import Commands, fail
from accountgraph.i18n import N_

app = typer.Typer(
    cls=Commands,
    help=N_("AccountGraph: relationship intelligence for key-account management."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback(help=N_("AccountGraph: relationship intelligence for key-account management."))
def choose_language(
    lang: Annotated[
        str | None,
        typer.Option("--lang", envvar=i18n.ENV, help=N_("the language of the output: en (default) or zh-CN")),
    ] = None,
) -> None:
    try:
        i18n.set_language(i18n.language(lang))
    except ValueError as e:
        raise fail(str(e)) from None


# the order of `accountgraph --help`: the top-level commands, then the groups
for commands in (
    records.app,
    search.app,
    kinds.app,
    demo.app,
    analysis.app,
    report.app,
    api.app,
    ledger.app,
    plans.app,
    operator.app,
    changes.app,
):
    app.add_typer(commands)
app.add_typer(api.keys_app, name="keys")
app.add_typer(ledger.product_app, name="product")
app.add_typer(ledger.quote_app, name="quote")
app.add_typer(ledger.contract_app, name="contract")
app.add_typer(ledger.order_app, name="order")
app.add_typer(ledger.invoice_app, name="invoice")
app.add_typer(deals.opp_app, name="opp")
for name, group in kinds.GROUPS.items():
    app.add_typer(group, name=name)
app.add_typer(plans.plan_app, name="plan")
app.add_typer(portfolio.portfolio_app, name="portfolio")
app.add_typer(capture.app)
app.add_typer(alerts.alerts_app, name="alerts")


def main() -> Any:
    """Entry point of the `accountgraph` script."""
    # What the imports loaded (about 150k modules, classes and functions) lives as long as the process: out of
    # the collector's reach, its full passes over an account's objects cost half as much (0.1 s at 10k people).
    gc.freeze()
    return app()


if __name__ == "__main__":  # pragma: no cover
    main()
