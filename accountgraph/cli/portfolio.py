"""The `portfolio` group: across the accounts, which are key and why, how value is distributed, revenue at risk, the
attention list and the operating KPIs (`accountgraph.services.portfolio`, the same service as `/v1/portfolio/...`).

`accountgraph portfolio` prints the overview (every section but the KPIs); `keys`, `value` (`--svg FILE` writes
the chart), `risk`, `attention` one section each; `kpis --period month|quarter|year` the operating KPIs;
`strategic ACCOUNT --reason TEXT` flags a strategic account (`--clear` clears it). `--json` prints the service's
result; amounts are decimal strings with their currency.
"""

# No `from __future__ import annotations`: Typer reads the options' annotations when the commands are made.
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from accountgraph.cli.common import (
    JsonOption,
    OnOption,
    Operation,
    StoreOption,
    err,
    fail,
    money,
    out,
    parse_date,
    plain,
    renders,
    run,
    table,
    text,
)
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_, _, number
from accountgraph.i18n.phrase import say
from accountgraph.ledger.models import AccountProfile, Money
from accountgraph.services import portfolio as service
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.scope import Scope

portfolio_app = typer.Typer(
    help=N_(
        "The portfolio: key accounts and why (keys), value distribution (value), revenue at risk (risk), the "
        "attention list (attention), the strategic flag (strategic). Without a command: the overview."
    ),
    invoke_without_command=True,
)

CurrencyOption = Annotated[str | None, typer.Option("--currency", help=N_("an ISO 4217 code (default: the policy's)"))]
ContributionOption = Annotated[
    str,
    typer.Option("--contribution", help=N_("key by contribution: the top this percent of the accounts with revenue")),
]
SvgOption = Annotated[Path | None, typer.Option("--svg", help=N_("also write the value chart to this SVG file"))]
PngOption = Annotated[
    Path | None, typer.Option("--png", help=N_("also write the value chart to this PNG file (drawn by Chromium)"))
]


def _params(contribution: str) -> service.PortfolioParams:
    try:
        share = Decimal(contribution) / 100
    except InvalidOperation:
        raise fail(_("--contribution: not a number: {value}").format(value=repr(contribution))) from None
    if not 0 < share <= 1:
        raise fail(_("--contribution: a percent above 0 and at most 100, not {value}").format(value=contribution))
    return service.PortfolioParams(contribution_share=share)


# the words a key status and a period show, marked for the catalog
_WORDS = (N_("key"), N_("candidate"), N_("month"), N_("quarter"), N_("year"))


def _share(value: float) -> str:
    """A share as a whole percentage, as the tables always showed it (`37 %`), the number for the locale."""
    return f"{number(100 * value, 0)} %"


def _m(amount: Money) -> str:
    return money(amount.amount, amount.currency)


# ---- what each section prints ------------------------------------------------------------------------------
def show_keys(keys: list[service.KeyAccount]) -> None:
    rows = [
        (_(k.status), f"{k.name} ({k.account})", k.grade, _m(k.revenue), _("; ").join(say(r) for r in k.reasons) or "—")
        for k in keys
    ]
    columns = [(_("status"), "left"), (_("account"), "left"), (_("grade"), "left"), (_("revenue (12 months)"), "right")]
    out().print(table(_("key accounts"), [*columns, (_("why"), "left")], rows))


def show_value(value: service.ValueDistribution) -> None:
    console = out()
    console.print(text(say(value.explanation)))
    console.print(
        table(
            _("Pareto curve: revenue over accounts, largest first"),
            [
                (_("account"), "left"),
                (_("revenue"), "right"),
                (_("cumulative revenue"), "right"),
                (_("of accounts"), "right"),
            ],
            (
                (
                    f"{p.name} ({p.account})",
                    _m(p.revenue),
                    _share(p.cumulative_revenue_share),
                    _share(p.cumulative_account_share),
                )
                for p in value.pareto
            ),
        )
    )
    grid = Table(
        title=text(_("value grade × relationship health (coverage; ↑ rising, ↓ falling)")), title_justify="left"
    )
    grid.add_column(_("grade"))
    for column in service.HEALTH_COLUMNS:
        grid.add_column(column)
    arrows = {"rising": " ↑", "falling": " ↓", "steady": ""}
    by_id = {a.account: a for a in value.accounts}
    for grade in service.GRADE_ROWS:
        cells = [
            ", ".join(f"{a}{arrows[by_id[a].direction]}" for a in c.accounts) or "·"
            for column in service.HEALTH_COLUMNS
            for c in value.matrix
            if c.grade == grade and c.health == column
        ]
        grid.add_row(grade, *(text(c) for c in cells))
    console.print(grid)


def show_risk(risk: service.RevenueAtRisk) -> None:
    console = out()
    console.print(
        table(
            _("revenue at risk"),
            [(_("account"), "left"), (_("expected"), "right"), (_("chance"), "right"), (_("at risk"), "right")],
            ((f"{r.name} ({r.account})", _m(r.expected), _share(r.chance), _m(r.at_risk)) for r in risk.accounts),
        )
    )
    console.print(text(say(risk.explanation)))
    for r in risk.accounts:
        console.print(text(f"  {r.account}: {say(r.explanation)}"))


def show_attention(items: list[service.Attention]) -> None:
    if not items:
        out().print(_("no account needs attention now"))
        return
    rows = (
        (
            str(n),
            f"{a.name} ({a.account})",
            _m(a.at_risk),
            _("; ").join(say(c) for c in a.changes) or "—",
            say(a.action) or "—",
        )
        for n, a in enumerate(items, start=1)
    )
    columns = [("#", "right"), (_("account"), "left"), (_("at risk"), "right"), (_("what changed"), "left")]
    out().print(table(_("attention list"), [*columns, (_("next best action"), "left")], rows))


def show_overview(p: service.Portfolio) -> None:
    out().print(
        text(_("portfolio on {day} in {currency}: {n} accounts").format(day=p.on, currency=p.currency, n=p.accounts))
    )
    show_keys(p.keys)
    show_value(p.value)
    show_risk(p.risk)
    show_attention(p.attention)


def _models(items: list[Any]) -> list[Any]:
    return [i.model_dump(mode="json") for i in items]


# ---- the commands ------------------------------------------------------------------------------------------
@portfolio_app.callback(
    help=N_(
        "The portfolio overview: key accounts and why, the value distribution, revenue at risk, the attention list."
    )
)
def overview(
    ctx: typer.Context,
    on: OnOption = None,
    currency: CurrencyOption = None,
    contribution: ContributionOption = "20",
    svg: SvgOption = None,
    png: PngOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    day, params, cache = parse_date(on), _params(contribution), AnalysisCache()

    def operation(s: GraphStore) -> service.Portfolio:
        result = service.overview(s, Scope.operator(), on=day, currency=currency, params=params, cache=cache)
        _write_charts(svg, png, result.value)
        return result

    run(store, operation, show_overview, as_json, busy="computing the portfolio")


def _write_charts(svg: Path | None, png: Path | None, value: service.ValueDistribution) -> None:
    if svg is not None:
        svg.write_text(service.value_chart_svg(value), encoding="utf-8")
        err().print(_("value chart written: {path}").format(path=plain(svg)))
    if png is not None:
        png.write_bytes(service.value_chart_png(value))
        err().print(_("value chart written: {path}").format(path=plain(png)))


@portfolio_app.command(
    "keys",
    help=N_("Each account key, candidate or other, with the criteria it met (contribution, strategic, potential)."),
)
@renders(show_keys, data=_models, busy="computing the portfolio")
def keys(
    on: OnOption = None, currency: CurrencyOption = None, contribution: ContributionOption = "20"
) -> Operation[list[service.KeyAccount]]:
    day, params, cache = parse_date(on), _params(contribution), AnalysisCache()
    return lambda s: service.key_accounts(s, Scope.operator(), on=day, currency=currency, params=params, cache=cache)


@portfolio_app.command(
    "value", help=N_("The value distribution: the Pareto curve of revenue and the grade × relationship-health matrix.")
)
@renders(show_value, busy="computing the portfolio")
def value(
    on: OnOption = None, currency: CurrencyOption = None, svg: SvgOption = None, png: PngOption = None
) -> Operation[service.ValueDistribution]:
    day, cache = parse_date(on), AnalysisCache()

    def operation(s: GraphStore) -> service.ValueDistribution:
        result = service.value_distribution(s, Scope.operator(), on=day, currency=currency, cache=cache)
        _write_charts(svg, png, result)
        return result

    return operation


@portfolio_app.command("risk", help=N_("Revenue at risk per account and in total, each explained."))
@renders(show_risk, busy="computing the portfolio")
def risk(on: OnOption = None, currency: CurrencyOption = None) -> Operation[service.RevenueAtRisk]:
    day, cache = parse_date(on), AnalysisCache()
    return lambda s: service.revenue_risk(s, Scope.operator(), on=day, currency=currency, cache=cache)


@portfolio_app.command(
    "attention",
    help=N_("The accounts that need action now, by revenue at risk and change, each with its top next best action."),
)
@renders(show_attention, data=_models, busy="computing the portfolio")
def attention(on: OnOption = None, currency: CurrencyOption = None) -> Operation[list[service.Attention]]:
    day, cache = parse_date(on), AnalysisCache()
    return lambda s: service.attention(s, Scope.operator(), on=day, currency=currency, cache=cache)


def show_kpis(k: service.PeriodKpis) -> None:
    def figure(value: float | None, unit: str) -> str:
        if value is None:
            return "—"
        if unit == "days":
            return _("{n} days").format(n=number(value, 1))
        return f"{number(100 * value, 1)} %"

    rows = (
        (
            kpi.name.replace("_", " "),
            figure(kpi.value, kpi.unit),
            figure(kpi.previous, kpi.unit),
            ", ".join(f"{k_}: {v}" for k_, v in kpi.parts.items()),
            say(kpi.definition),
        )
        for kpi in k.kpis
    )
    title = _(
        "operating KPIs, {period} {start} – {end} (previous {previous_start} – {previous_end}), "
        "{currency}; key accounts: {keys}"
    ).format(
        period=_(k.period),
        start=k.start,
        end=k.end,
        previous_start=k.previous_start,
        previous_end=k.previous_end,
        currency=k.currency,
        keys=", ".join(k.key_accounts) or _("none"),
    )
    columns = [("KPI", "left"), (_("this period"), "right"), (_("previous"), "right"), (_("from"), "left")]
    out().print(table(title, [*columns, (_("definition"), "left")], rows))


@portfolio_app.command(
    "kpis",
    help=N_(
        "Operating KPIs of the period containing --on (to date) beside the previous period's, each "
        "with its definition and the records it came from (--json)."
    ),
)
@renders(show_kpis, busy="computing the KPIs")
def kpis(
    period: Annotated[service.Period, typer.Option("--period", help=N_("month, quarter or year"))] = "quarter",
    on: OnOption = None,
    currency: CurrencyOption = None,
    contribution: ContributionOption = "20",
) -> Operation[service.PeriodKpis]:
    day, params = parse_date(on), _params(contribution)
    return lambda s: service.operating_kpis(
        s, Scope.operator(), period=period, on=day, currency=currency, params=params
    )


def _show_profile(profile: AccountProfile) -> None:
    if profile.strategic:
        reason = profile.reason or _("(no reason given)")
        out().print(text(_("{id} is strategic: {reason}").format(id=profile.id, reason=reason)))
    else:
        out().print(text(_("{id} is not strategic").format(id=profile.id)))


@portfolio_app.command(
    "strategic",
    help=N_("Flag an account strategic, with the reason (it is key whatever its revenue, and its grade is lifted)."),
)
@renders(_show_profile, data=AccountProfile.data)
def strategic(
    account: Annotated[str, typer.Argument(help=N_("the account (a company of it names it)"))],
    reason: Annotated[
        str | None, typer.Option("--reason", help=N_("why it is strategic, e.g. 'industry leader'"))
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help=N_("clear the flag (and its reason)"))] = False,
) -> Operation[AccountProfile]:
    if clear and reason is not None:
        raise fail(_("--clear takes no --reason"))
    return lambda s: service.set_strategic(s, Scope.operator(), account, strategic=not clear, reason=reason)
