"""The ledger commands: `quote …`, `cash [ACCOUNT]`, `grades`. Added to the app by `register(app)`.

They are thin: each calls one function of `accountgraph.ledger` and prints its result (a table, or
JSON with `--json`, amounts as decimal strings). Dates default to today; `--on YYYY-MM-DD` fixes them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.table import Table

from accountgraph.cli_common import StoreOption, _fail, _guard, _store, out
from accountgraph.ledger import cash as cash_mod
from accountgraph.ledger import service, value
from accountgraph.ledger.models import Quote

T = TypeVar("T")

OnOption = Annotated[str | None, typer.Option("--on", help="reference date YYYY-MM-DD (default today)")]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
LinesOption = Annotated[
    list[str] | None, typer.Option("--line", "-l", help="PRODUCT=QUANTITY, repeatable (e.g. -l ag-server=4)")
]


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"not a date (YYYY-MM-DD): {text!r}") from None


def _lines(items: list[str] | None) -> list[tuple[str, str]] | None:
    if not items:
        return None
    lines = []
    for item in items:
        product, sep, quantity = item.rpartition("=")
        if not sep or not product or not quantity:
            raise _fail(f"a line is PRODUCT=QUANTITY, not {item!r}")
        lines.append((product, quantity))
    return lines


def _run(fn: Callable[[], T]) -> T:
    """`_guard`, and malformed values (pydantic) reported the same way."""

    def checked() -> T:
        try:
            return fn()
        except ValidationError as e:
            raise _fail("invalid value", [f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()]) from None

    return _guard(checked)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _quote_table(q: Quote) -> Table:
    table = Table(
        title=f"quote {q.id} · {q.account} · {q.status.value} · valid until {q.valid_until} · {q.currency}",
        caption=(
            f"list {q.list_total} − discount {q.discount_total} = net {q.net_total} {q.currency} · "
            f"trailing volume {q.trailing_volume}"
            + (f" · manual {q.manual_discount}% approved by {q.approver}" if q.approver else "")
        ),
    )
    for column in ("product", "qty", "unit", "list", "volume %", "manual %", "net", "note"):
        table.add_column(column, justify="left" if column in ("product", "note") else "right")
    for line in q.lines:
        note = f"with {line.required_by}" if line.required_by else ""
        if line.bom:
            note = (note + " " if note else "") + "BOM: " + ", ".join(f"{k}×{v}" for k, v in line.bom.items())
        table.add_row(
            line.product,
            str(line.quantity),
            str(line.unit_price),
            str(line.list_amount),
            str(line.volume_discount),
            str(line.manual_discount),
            str(line.net),
            note,
        )
    return table


def _show(q: Quote, as_json: bool) -> None:
    if as_json:
        _print_json(q.data())
    else:
        out.print(_quote_table(q))


def register(app: typer.Typer) -> None:
    """Add the `quote` group and the `cash` and `grades` commands to `app`."""
    quote_app = typer.Typer(help="Quotes: create, revise, send, accept, reject, show, list.", no_args_is_help=True)
    app.add_typer(quote_app, name="quote")

    @quote_app.command("create")
    def quote_create(
        account: Annotated[str, typer.Argument(help="the account (or one of its companies)")],
        line: LinesOption = None,
        number: Annotated[str | None, typer.Option("--number", help="quote number (default generated)")] = None,
        currency: Annotated[str | None, typer.Option("--currency", help="default: the discount policy's")] = None,
        discount: Annotated[str, typer.Option("--discount", help="manual discount, percent")] = "0",
        approver: Annotated[str | None, typer.Option("--approver", help="needed above the threshold")] = None,
        valid_days: Annotated[int, typer.Option("--valid-days", min=1)] = 30,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Create a draft quote priced from the catalogue, price list and discount policy."""
        lines = _lines(line)
        if lines is None:
            raise _fail("give at least one --line PRODUCT=QUANTITY")
        day = _date(on)
        with _store(store) as s:
            q = _run(
                lambda: service.create_quote(
                    s,
                    account,
                    lines,
                    number=number,
                    currency=currency,
                    manual_discount=discount,
                    approver=approver,
                    valid_days=valid_days,
                    on=day,
                )
            )
        _show(q, as_json)

    @quote_app.command("revise")
    def quote_revise(
        quote: Annotated[str, typer.Argument(help="quote id (NUMBER-vN) or number")],
        line: LinesOption = None,
        discount: Annotated[str | None, typer.Option("--discount", help="manual discount, percent")] = None,
        approver: Annotated[str | None, typer.Option("--approver")] = None,
        valid_days: Annotated[int, typer.Option("--valid-days", min=1)] = 30,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Make a new draft version of a quote (refused once a version was accepted)."""
        lines = _lines(line)
        day = _date(on)
        with _store(store) as s:
            q = _run(
                lambda: service.revise_quote(
                    s, quote, lines, manual_discount=discount, approver=approver, valid_days=valid_days, on=day
                )
            )
        _show(q, as_json)

    def _transition(fn: Callable[..., Quote], quote: str, on: str | None, as_json: bool, store: str | None) -> None:
        day = _date(on)
        with _store(store) as s:
            q = _run(lambda: fn(s, quote, on=day))
        _show(q, as_json)

    @quote_app.command("send")
    def quote_send(
        quote: Annotated[str, typer.Argument(help="quote id or number (its latest version)")],
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Send a draft quote."""
        _transition(service.send_quote, quote, on, as_json, store)

    @quote_app.command("accept")
    def quote_accept(
        quote: Annotated[str, typer.Argument(help="quote id or number (its latest version)")],
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Accept a sent quote within its validity (it is frozen from then on)."""
        _transition(service.accept_quote, quote, on, as_json, store)

    @quote_app.command("reject")
    def quote_reject(
        quote: Annotated[str, typer.Argument(help="quote id or number (its latest version)")],
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Reject a sent quote."""
        _transition(service.reject_quote, quote, on, as_json, store)

    @quote_app.command("show")
    def quote_show(
        quote: Annotated[str, typer.Argument(help="quote id (one version) or number (every version)")],
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Show a quote version, or every version of a quote number."""
        with _store(store) as s:
            record = s.ledger_get("quote", quote)
            versions = [Quote.model_validate(record.data)] if record is not None else service.quote_versions(s, quote)
        if not versions:
            raise _fail(f"quote {quote!r} not found")
        if as_json:
            _print_json([q.data() for q in versions] if record is None else versions[0].data())
        else:
            for q in versions:
                out.print(_quote_table(q))

    @quote_app.command("list")
    def quote_list(
        account: Annotated[str | None, typer.Option("--account", help="only this account's quotes")] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """List quote versions."""
        with _store(store) as s:
            quotes = _run(lambda: service.list_quotes(s, account))
        if as_json:
            _print_json(
                [{k: q.data()[k] for k in ("id", "account", "status", "net_total", "currency")} for q in quotes]
            )
            return
        table = Table(title="quotes")
        for column in ("id", "account", "status", "created", "valid until", "net", "currency"):
            table.add_column(column)
        for q in quotes:
            table.add_row(
                q.id, q.account, q.status.value, str(q.created), str(q.valid_until), str(q.net_total), q.currency
            )
        out.print(table)

    @app.command("cash")
    def cash(
        account: Annotated[
            str | None, typer.Argument(help="the account; without it, a report of every account")
        ] = None,
        currency: Annotated[str | None, typer.Option("--currency")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """An account's cash picture: billed, collected, outstanding, overdue ageing and DSO."""
        day = _date(on)
        with _store(store) as s:
            if account is not None:
                pictures = [_run(lambda: cash_mod.cash_picture(s, s.account_of(account), day, currency))]
            else:
                pictures = _run(lambda: cash_mod.cash_report(s, day, currency))
        if as_json:
            data = [p.as_dict() for p in pictures]
            _print_json(data[0] if account is not None else data)
            return
        first = pictures[0] if pictures else None
        table = Table(title=f"cash on {first.on} in {first.currency}" if first else "cash")
        buckets = [name for name, _, _ in cash_mod.BUCKETS]
        for column in ("account", "billed", "collected", "outstanding", "overdue", *buckets, "DSO"):
            table.add_column(column, justify="left" if column == "account" else "right")
        rows = pictures + ([cash_mod.report_totals(pictures)] if account is None and pictures else [])
        for p in rows:
            d = p.as_dict()
            table.add_row(
                p.account,
                d["billed"],
                d["collected"],
                d["outstanding"],
                d["overdue"],
                *(d["ageing"][b] for b in buckets),
                "—" if p.dso is None else str(p.dso),
            )
        out.print(table)

    @app.command("grades")
    def grades(
        currency: Annotated[str | None, typer.Option("--currency")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Every account's RFM scores, lifetime value and grade (A/B/C/D)."""
        day = _date(on)
        with _store(store) as s:
            values = _run(lambda: value.account_values(s, day, currency))
        if as_json:
            _print_json([v.as_dict() for v in values])
            return
        table = Table(title="account grades", caption="LTV = A × 0.30 × 0.8 / (1 + 0.10 − 0.8); grade from R+F+M")
        for column in ("account", "grade", "RFM", "recency (days)", "orders", "monetary", "last 365 days", "LTV"):
            table.add_column(column, justify="left" if column in ("account", "grade", "RFM") else "right")
        for v in values:
            table.add_row(
                v.account,
                v.grade + (" ★" if v.strategic else ""),
                v.rfm,
                "—" if v.recency_days is None else str(v.recency_days),
                str(v.frequency),
                str(v.monetary),
                str(v.annual_value),
                str(v.ltv),
            )
        out.print(table)
