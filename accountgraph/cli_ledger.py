"""The ledger commands: `product …`, `quote …`, `contract …`, `order …`, `invoice …`, `pay`, `refund`,
`payments`, `cash [ACCOUNT]`, `grades`. Added to the app by `register(app)`.

They are thin: each calls one function of `accountgraph.ledger` and prints its result (a table, or
JSON with `--json`, amounts as decimal strings). Dates default to today; `--on YYYY-MM-DD` fixes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from accountgraph.cli_common import (
    JsonOption,
    OnOption,
    StoreOption,
    _date,
    _fail,
    _print_json,
    _run,
    _store,
    out,
)
from accountgraph.ledger import cash as cash_mod
from accountgraph.ledger import service, value
from accountgraph.ledger.models import Component, Contract, Invoice, Money, Order, Payment, Product, Quote

T = TypeVar("T")

LinesOption = Annotated[
    list[str] | None, typer.Option("--line", "-l", help="PRODUCT=QUANTITY, repeatable (e.g. -l ag-server=4)")
]

AccountFilter = Annotated[str | None, typer.Option("--account", help="only this account's records")]
KeyOption = Annotated[
    str,
    typer.Option("--key", "-k", help="idempotency key: running the command again with it records the entry once"),
]


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


def _records(title: str, records: list[Any], columns: tuple[str, ...], as_json: bool) -> None:
    """Ledger records as a table of `columns` (amounts as stored, exact), or their JSON with `--json`."""
    if as_json:
        _print_json([r.data() for r in records])
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for r in records:
        data = r.data()
        table.add_row(*("" if data.get(c) is None else str(data[c]) for c in columns))
    out.print(table)


_CONTRACT = ("id", "account", "quote", "currency", "value", "ordered", "start")
_ORDER = ("id", "account", "contract", "currency", "amount", "invoiced", "ordered_on", "description")
_INVOICE = ("id", "account", "order", "currency", "amount", "paid", "issued", "due", "instalment")
_PAYMENT = ("id", "account", "invoice", "currency", "amount", "received", "idempotency_key", "refund_of", "refunded")


def register(app: typer.Typer) -> None:
    """Add the `product`, `quote`, `contract`, `order` and `invoice` groups and the `pay`, `refund`,
    `payments`, `cash` and `grades` commands to `app`."""
    _register_catalogue(app)
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
            record = s.documents.get("quote", quote)
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

    _register_sales(app)

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
                v.rfm or "—",
                "—" if v.recency_days is None else str(v.recency_days),
                str(v.frequency),
                str(v.monetary),
                str(v.annual_value),
                str(v.ltv),
            )
        out.print(table)


def _register_catalogue(app: typer.Typer) -> None:
    product_app = typer.Typer(help="Products: add (or replace), list, show, bom.", no_args_is_help=True)
    app.add_typer(product_app, name="product")

    @product_app.command("add")
    def product_add(
        id: Annotated[str, typer.Argument(help="the product id")],
        name: Annotated[str, typer.Option("--name", help="its name")],
        price: Annotated[str, typer.Option("--price", help="list price, a decimal such as 1250.00")],
        currency: Annotated[str, typer.Option("--currency")] = "EUR",
        component: Annotated[
            list[str] | None, typer.Option("--component", "-c", help="bill of materials: PRODUCT=QUANTITY, repeatable")
        ] = None,
        requires: Annotated[
            list[str] | None, typer.Option("--requires", help="an accessory quoted with it, repeatable")
        ] = None,
        incompatible: Annotated[
            list[str] | None, typer.Option("--incompatible", help="a product it cannot be quoted with, repeatable")
        ] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Create or replace a product (its components and options must exist; no BOM cycles)."""
        components = _lines(component) or []
        with _store(store) as s:
            p = _run(
                lambda: service.save_product(
                    s,
                    Product(
                        id=id,
                        name=name,
                        list_price=Money(amount=service.to_decimal(price), currency=currency),
                        components=[Component(product=c, quantity=service.to_decimal(q)) for c, q in components],
                        requires=requires or [],
                        incompatible=incompatible or [],
                    ),
                )
            )
        _show_products([p], as_json, single=True)

    @product_app.command("list")
    def product_list(as_json: JsonOption = False, store: StoreOption = None) -> None:
        """List the catalogue."""
        with _store(store) as s:
            products = _run(lambda: service.list_products(s))
        _show_products(products, as_json)

    @product_app.command("show")
    def product_show(
        id: Annotated[str, typer.Argument(help="the product id")],
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Show one product."""
        with _store(store) as s:
            p = _run(lambda: service.get_product(s, id))
        _show_products([p], as_json, single=True)

    @product_app.command("bom")
    def product_bom(
        id: Annotated[str, typer.Argument(help="the product id")],
        quantity: Annotated[str, typer.Option("--quantity", "-q", help="how many of it")] = "1",
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """The bill of materials: the leaf components of QUANTITY × the product, nested BOMs multiplied out."""
        with _store(store) as s:
            bom = _run(lambda: (service.get_product(s, id), service.bill_of_materials(s, id, quantity))[1])
        if as_json:
            _print_json({"product": id, "quantity": quantity, "components": {k: str(v) for k, v in bom.items()}})
            return
        table = Table(title=f"bill of materials of {quantity} × {id}")
        table.add_column("component")
        table.add_column("quantity", justify="right")
        for pid, qty in bom.items():
            table.add_row(pid, str(qty))
        out.print(table)


def _show_products(products: list[Product], as_json: bool, single: bool = False) -> None:
    if as_json:
        _print_json(products[0].data() if single else [p.data() for p in products])
        return
    table = Table(title="products")
    for column in ("id", "name", "list price", "components", "requires", "incompatible"):
        table.add_column(column)
    for p in products:
        table.add_row(
            p.id,
            p.name,
            str(p.list_price),
            ", ".join(f"{c.product}×{c.quantity}" for c in p.components),
            ", ".join(p.requires),
            ", ".join(p.incompatible),
        )
    out.print(table)


def _register_sales(app: typer.Typer) -> None:
    contract_app = typer.Typer(help="Contracts: create (from an accepted quote), show, list.", no_args_is_help=True)
    app.add_typer(contract_app, name="contract")

    @contract_app.command("create")
    def contract_create(
        quote: Annotated[str, typer.Argument(help="an accepted quote: its id or number")],
        start: Annotated[str | None, typer.Option("--start", help="start date YYYY-MM-DD (default today)")] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Make the contract of an accepted quote (one per quote)."""
        day = _date(start)
        with _store(store) as s:
            c = _run(lambda: service.create_contract(s, quote, start=day))
        _records("contract", [c], _CONTRACT, as_json)

    @contract_app.command("show")
    def contract_show(id: str, as_json: JsonOption = False, store: StoreOption = None) -> None:
        """Show a contract."""
        with _store(store) as s:
            c = _run(lambda: service.get_contract(s, id))
        _records("contract", [c], _CONTRACT, as_json)

    @contract_app.command("list")
    def contract_list(account: AccountFilter = None, as_json: JsonOption = False, store: StoreOption = None) -> None:
        """List contracts."""
        with _store(store) as s:
            found: list[Contract] = _run(lambda: service.list_contracts(s, account))
        _records("contracts", found, _CONTRACT, as_json)

    order_app = typer.Typer(help="Orders: create (against a contract), show, list.", no_args_is_help=True)
    app.add_typer(order_app, name="order")

    @order_app.command("create")
    def order_create(
        contract: Annotated[str, typer.Argument(help="the contract")],
        amount: Annotated[str, typer.Argument(help="the order amount, a decimal such as 5000.00")],
        id: Annotated[str | None, typer.Option("--id", help="the order id (default CONTRACT-On)")] = None,
        description: Annotated[str | None, typer.Option("--description")] = None,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Order against a contract (its orders never add up to more than its value)."""
        day = _date(on)
        with _store(store) as s:
            o = _run(lambda: service.create_order(s, contract, amount, order_id=id, description=description, on=day))
        _records("order", [o], _ORDER, as_json)

    @order_app.command("show")
    def order_show(id: str, as_json: JsonOption = False, store: StoreOption = None) -> None:
        """Show an order."""
        with _store(store) as s:
            o = _run(lambda: service.get_order(s, id))
        _records("order", [o], _ORDER, as_json)

    @order_app.command("list")
    def order_list(
        account: AccountFilter = None,
        contract: Annotated[str | None, typer.Option("--contract", help="only this contract's orders")] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """List orders."""
        with _store(store) as s:
            found: list[Order] = _run(lambda: service.list_orders(s, account))
        _records("orders", [o for o in found if contract is None or o.contract == contract], _ORDER, as_json)

    invoice_app = typer.Typer(help="Invoices: create (for an order, in instalments), show, list.", no_args_is_help=True)
    app.add_typer(invoice_app, name="invoice")

    @invoice_app.command("create")
    def invoice_create(
        order: Annotated[str, typer.Argument(help="the order")],
        amount: Annotated[str | None, typer.Option("--amount", help="default: what is not invoiced yet")] = None,
        instalments: Annotated[int, typer.Option("--instalments", "-n", min=1, help="equal instalments")] = 1,
        interval_days: Annotated[int, typer.Option("--interval-days", min=0, help="between due dates")] = 30,
        terms_days: Annotated[int, typer.Option("--terms-days", min=0, help="from issue to the first due date")] = 30,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Invoice an order, at once or as an instalment schedule (never above the order)."""
        day = _date(on)
        with _store(store) as s:
            made = _run(
                lambda: service.invoice_order(
                    s,
                    order,
                    amount=amount,
                    instalments=instalments,
                    interval_days=interval_days,
                    terms_days=terms_days,
                    on=day,
                )
            )
        _records("invoices", made, _INVOICE, as_json)

    @invoice_app.command("show")
    def invoice_show(id: str, as_json: JsonOption = False, store: StoreOption = None) -> None:
        """Show an invoice."""
        with _store(store) as s:
            i = _run(lambda: service.get_invoice(s, id))
        _records("invoice", [i], _INVOICE, as_json)

    @invoice_app.command("list")
    def invoice_list(
        account: AccountFilter = None,
        order: Annotated[str | None, typer.Option("--order", help="only this order's invoices")] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """List invoices."""
        with _store(store) as s:
            found: list[Invoice] = _run(lambda: service.list_invoices(s, account))
        _records("invoices", [i for i in found if order is None or i.order == order], _INVOICE, as_json)

    @app.command("pay")
    def pay(
        invoice: Annotated[str, typer.Argument(help="the invoice")],
        amount: Annotated[str, typer.Argument(help="the amount paid, a decimal such as 1250.00")],
        key: KeyOption,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Record a payment against an invoice (partial allowed, overpayment refused; idempotent by --key)."""
        day = _date(on)
        with _store(store) as s:
            p = _run(lambda: service.record_payment(s, invoice, amount, idempotency_key=key, on=day))
        _records("payment", [p], _PAYMENT, as_json)

    @app.command("refund")
    def refund(
        payment: Annotated[str, typer.Argument(help="the payment refunded")],
        amount: Annotated[str, typer.Argument(help="how much of it, a positive decimal")],
        key: KeyOption,
        on: OnOption = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """Refund (part of) a payment: an explicit negative entry against its invoice (idempotent by --key)."""
        day = _date(on)
        with _store(store) as s:
            p = _run(lambda: service.refund_payment(s, payment, amount, idempotency_key=key, on=day))
        _records("refund", [p], _PAYMENT, as_json)

    @app.command("payments")
    def payments(
        account: AccountFilter = None,
        invoice: Annotated[str | None, typer.Option("--invoice", help="only this invoice's payments")] = None,
        as_json: JsonOption = False,
        store: StoreOption = None,
    ) -> None:
        """List payments and refunds."""
        with _store(store) as s:
            found: list[Payment] = _run(lambda: service.list_payments(s, account))
        _records("payments", [p for p in found if invoice is None or p.invoice == invoice], _PAYMENT, as_json)
