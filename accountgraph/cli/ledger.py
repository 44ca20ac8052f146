"""The ledger commands: the `product`, `quote`, `contract`, `order` and `invoice` groups and `pay`, `refund`,
`payments`, `cash [ACCOUNT]`, `grades`.

They are thin: each calls one function of `accountgraph.services.ledger` (as the operator, `Scope.operator()`)
or `accountgraph.ledger` and prints its result (a table, or
JSON with `--json`, amounts as decimal strings). Dates default to today; `--on YYYY-MM-DD` fixes them.
"""

# No `from __future__ import annotations`: `list_command` makes the `--PARENT` option's annotation from its
# arguments, so the annotation must be an object when the command is made, not a string evaluated later.
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.table import Table

from accountgraph.cli.common import (
    JsonOption,
    OnOption,
    Operation,
    StoreOption,
    fail,
    grid,
    help_text,
    money,
    out,
    parse_date,
    renders,
    run,
)
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_, _
from accountgraph.i18n.phrase import Phrase
from accountgraph.ledger import cash as cash_mod
from accountgraph.ledger import service, value
from accountgraph.ledger.models import Component, Money, Product, Quote
from accountgraph.services import ledger
from accountgraph.services.paging import Page
from accountgraph.services.scope import Scope

app = typer.Typer()
product_app = typer.Typer(help=N_("Products: add (or replace), list, show, bom."), no_args_is_help=True)
quote_app = typer.Typer(help=N_("Quotes: create, revise, send, accept, reject, show, list."), no_args_is_help=True)
contract_app = typer.Typer(help=N_("Contracts: create (from an accepted quote), show, list."), no_args_is_help=True)
order_app = typer.Typer(help=N_("Orders: create (against a contract), show, list."), no_args_is_help=True)
invoice_app = typer.Typer(help=N_("Invoices: create (for an order, in instalments), show, list."), no_args_is_help=True)

LinesOption = Annotated[
    list[str] | None, typer.Option("--line", "-l", help=N_("PRODUCT=QUANTITY, repeatable (e.g. -l ag-server=4)"))
]
AccountFilter = Annotated[str | None, typer.Option("--account", help=N_("only this account's records"))]
KeyOption = Annotated[
    str,
    typer.Option("--key", "-k", help=N_("idempotency key: running the command again with it records the entry once")),
]
CurrencyOption = Annotated[str | None, typer.Option("--currency")]
ProductArg = Annotated[str, typer.Argument(help=N_("the product id"))]
LatestQuoteArg = Annotated[str, typer.Argument(help=N_("quote id or number (its latest version)"))]


@dataclass(frozen=True)
class RecordKind:
    """A kind of ledger record as the CLI shows it: its name, its table columns, and how to read it."""

    noun: str
    columns: tuple[str, ...]
    get: Callable[[GraphStore, Scope, str], Any]
    list: Callable[..., Page[Any]]  # (store, scope, account, limit=None): every record
    parent: str | None = None  # the field `list --PARENT ID` keeps the records of

    @property
    def plural(self) -> str:
        return f"{self.noun}s"


# the ledger's column names, marked for the catalog (a column is a record's field)
_COLUMN_WORDS = (
    N_("currency"),
    N_("value"),
    N_("ordered"),
    N_("start"),
    N_("invoiced"),
    N_("ordered_on"),
    N_("description"),
    N_("paid"),
    N_("issued"),
    N_("instalment"),
    N_("received"),
    N_("idempotency_key"),
    N_("refund_of"),
    N_("refunded"),
    N_("quotes"),
    N_("products"),
    N_("contracts"),
    N_("refund"),
)
_CONTRACT = ("id", "account", "quote", "currency", "value", "ordered", "start")
_ORDER = ("id", "account", "contract", "currency", "amount", "invoiced", "ordered_on", "description")
_INVOICE = ("id", "account", "order", "currency", "amount", "paid", "issued", "due", "instalment")
_PAYMENT = ("id", "account", "invoice", "currency", "amount", "received", "idempotency_key", "refund_of", "refunded")
NOUNS = {
    "contract": N_("contract"),
    "order": N_("order"),
    "invoice": N_("invoice"),
    "payment": N_("payment"),
    "orders": N_("orders"),
    "invoices": N_("invoices"),
    "payments": N_("payments"),
}
"""The ledger's nouns in the help texts, marked for the catalog (said in the language of the run)."""
CONTRACT = RecordKind("contract", _CONTRACT, ledger.get_contract, ledger.list_contracts)
ORDER = RecordKind("order", _ORDER, ledger.get_order, ledger.list_orders, parent="contract")
INVOICE = RecordKind("invoice", _INVOICE, ledger.get_invoice, ledger.list_invoices, parent="order")
PAYMENT = RecordKind("payment", _PAYMENT, ledger.get_payment, ledger.list_payments, parent="invoice")


def _lines(items: list[str] | None) -> list[tuple[str, str]] | None:
    if not items:
        return None
    lines = []
    for item in items:
        product, sep, quantity = item.rpartition("=")
        if not sep or not product or not quantity:
            raise fail(_("a line is PRODUCT=QUANTITY, not {item}").format(item=repr(item)))
        lines.append((product, quantity))
    return lines


def _quote_table(q: Quote) -> Table:
    table = Table(
        title=_("quote {id} · {account} · {status} · valid until {until} · {currency}").format(
            id=q.id, account=q.account, status=_(q.status.value), until=q.valid_until, currency=q.currency
        ),
        caption=(
            _("list {list} − discount {discount} = net {net} · trailing volume {volume}").format(
                list=money(q.list_total),
                discount=money(q.discount_total),
                net=money(q.net_total, q.currency),
                volume=money(q.trailing_volume),
            )
            + (
                _(" · manual {discount}% approved by {approver}").format(
                    discount=q.manual_discount, approver=q.approver
                )
                if q.approver
                else ""
            )
        ),
    )
    for column in (N_("product"), N_("qty"), N_("unit"), N_("list"), N_("volume %"), N_("manual %"), N_("net")):
        table.add_column(_(column), justify="left" if column == "product" else "right")
    table.add_column(_("note"))
    for line in q.lines:
        note = _("with {product}").format(product=line.required_by) if line.required_by else ""
        if line.bom:
            note = (note + " " if note else "") + "BOM: " + ", ".join(f"{k}×{v}" for k, v in line.bom.items())
        table.add_row(
            line.product,
            str(line.quantity),
            money(line.unit_price),
            money(line.list_amount),
            str(line.volume_discount),
            str(line.manual_discount),
            money(line.net),
            note,
        )
    return table


def _show_quote(q: Quote) -> None:
    out().print(_quote_table(q))


renders_quote = renders(_show_quote, data=Quote.data)


def renders_records(
    title: str, kind: RecordKind
) -> Callable[[Callable[..., Operation[list[Any]]]], Callable[..., None]]:
    """`renders` for an operation giving ledger records: a table of the kind's columns (amounts as stored, exact),
    or their JSON with `--json`."""

    def show(records: list[Any]) -> None:
        data = [r.data() for r in records]
        rows = (("" if d.get(c) is None else str(d[c]) for c in kind.columns) for d in data)
        out().print(grid(_(title), [_(c) for c in kind.columns], rows))

    return renders(show, data=lambda records: [r.data() for r in records])


def show_command(kind: RecordKind) -> Callable[..., None]:
    """The `show ID` command of a record kind."""

    def show(id: str) -> Operation[list[Any]]:
        return lambda s: [kind.get(s, Scope.operator(), id)]

    show.__doc__ = help_text(
        N_("Show an {noun}.") if kind.noun[0] in "aeiou" else N_("Show a {noun}."), noun=Phrase(NOUNS[kind.noun])
    )
    return renders_records(kind.noun, kind)(show)


def list_command(kind: RecordKind, doc: str) -> Callable[..., None]:
    """The list command of a record kind that has a parent: `--account` and `--PARENT` filter it."""
    assert kind.parent is not None
    field = kind.parent

    def list_records(
        account: AccountFilter = None,
        parent: Annotated[
            str | None,
            typer.Option(
                f"--{field}",
                help=help_text(
                    N_("only this {parent}'s {records}"),
                    parent=Phrase(NOUNS[field]),
                    records=Phrase(NOUNS[kind.plural]),
                ),
            ),
        ] = None,
    ) -> Operation[list[Any]]:
        return lambda s: [
            r
            for r in kind.list(s, Scope.operator(), account, limit=None).data
            if parent is None or getattr(r, field) == parent
        ]

    list_records.__doc__ = doc
    return renders_records(kind.plural, kind)(list_records)


def _transition_command(transition: Callable[..., Quote], doc: str) -> Callable[..., None]:
    """A command moving a quote's latest version on (send, accept, reject)."""

    def command(quote: LatestQuoteArg, on: OnOption = None) -> Operation[Quote]:
        day = parse_date(on)
        return lambda s: transition(s, Scope.operator(), quote, on=day)

    command.__doc__ = doc
    return renders_quote(command)


# ---- products --------------------------------------------------------------------------------------------------
def _show_products(products: list[Product]) -> None:
    rows = (
        (
            p.id,
            p.name,
            money(p.list_price.amount, p.list_price.currency),
            ", ".join(f"{c.product}×{c.quantity}" for c in p.components),
            ", ".join(p.requires),
            ", ".join(p.incompatible),
        )
        for p in products
    )
    columns = (N_("id"), N_("name"), N_("list price"), N_("components"), N_("requires"), N_("incompatible"))
    out().print(grid(_("products"), [_(c) for c in columns], rows))


def _show_product(p: Product) -> None:
    _show_products([p])


@product_app.command(
    "add", help=N_("Create or replace a product (its components and options must exist; no BOM cycles).")
)
@renders(_show_product, data=Product.data)
def product_add(
    id: ProductArg,
    name: Annotated[str, typer.Option("--name", help=N_("its name"))],
    price: Annotated[str, typer.Option("--price", help=N_("list price, a decimal such as 1250.00"))],
    currency: Annotated[str, typer.Option("--currency")] = "EUR",
    component: Annotated[
        list[str] | None, typer.Option("--component", "-c", help=N_("bill of materials: PRODUCT=QUANTITY, repeatable"))
    ] = None,
    requires: Annotated[
        list[str] | None, typer.Option("--requires", help=N_("an accessory quoted with it, repeatable"))
    ] = None,
    incompatible: Annotated[
        list[str] | None, typer.Option("--incompatible", help=N_("a product it cannot be quoted with, repeatable"))
    ] = None,
) -> Operation[Product]:
    components = _lines(component) or []
    return lambda s: ledger.save_product(
        s,
        Scope.operator(),
        Product(
            id=id,
            name=name,
            list_price=Money(amount=service.to_decimal(price), currency=currency),
            components=[Component(product=c, quantity=service.to_decimal(q)) for c, q in components],
            requires=requires or [],
            incompatible=incompatible or [],
        ),
    )


@product_app.command("list", help=N_("List the catalogue."))
@renders(_show_products, data=lambda found: [p.data() for p in found])
def product_list() -> Operation[list[Product]]:
    return lambda s: ledger.list_products(s, limit=None).data


@product_app.command("show", help=N_("Show one product."))
@renders(_show_product, data=Product.data)
def product_show(id: ProductArg) -> Operation[Product]:
    return lambda s: service.get_product(s, id)


@product_app.command(
    "bom", help=N_("The bill of materials: the leaf components of QUANTITY × the product, nested BOMs multiplied out.")
)
def product_bom(
    id: ProductArg,
    quantity: Annotated[str, typer.Option("--quantity", "-q", help=N_("how many of it"))] = "1",
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:

    def show(bom: dict[str, Any]) -> None:
        table = Table(title=_("bill of materials of {quantity} × {id}").format(quantity=quantity, id=id))
        table.add_column(_("component"))
        table.add_column(_("quantity"), justify="right")
        for pid, qty in bom.items():
            table.add_row(pid, str(qty))
        out().print(table)

    run(
        store,
        lambda s: (service.get_product(s, id), service.bill_of_materials(s, id, quantity))[1],
        show,
        as_json,
        data=lambda bom: {"product": id, "quantity": quantity, "components": {k: str(v) for k, v in bom.items()}},
    )


# ---- quotes ----------------------------------------------------------------------------------------------------
@quote_app.command("create", help=N_("Create a draft quote priced from the catalogue, price list and discount policy."))
@renders_quote
def quote_create(
    account: Annotated[str, typer.Argument(help=N_("the account (or one of its companies)"))],
    line: LinesOption = None,
    number: Annotated[str | None, typer.Option("--number", help=N_("quote number (default generated)"))] = None,
    currency: Annotated[str | None, typer.Option("--currency", help=N_("default: the discount policy's"))] = None,
    discount: Annotated[str, typer.Option("--discount", help=N_("manual discount, percent"))] = "0",
    approver: Annotated[str | None, typer.Option("--approver", help=N_("needed above the threshold"))] = None,
    valid_days: Annotated[int, typer.Option("--valid-days", min=1)] = 30,
    on: OnOption = None,
) -> Operation[Quote]:
    lines = _lines(line)
    if lines is None:
        raise fail(_("give at least one --line PRODUCT=QUANTITY"))
    day = parse_date(on)
    return lambda s: ledger.create_quote(
        s,
        Scope.operator(),
        account,
        lines,
        number=number,
        currency=currency,
        manual_discount=discount,
        approver=approver,
        valid_days=valid_days,
        on=day,
    )


@quote_app.command("revise", help=N_("Make a new draft version of a quote (refused once a version was accepted)."))
@renders_quote
def quote_revise(
    quote: Annotated[str, typer.Argument(help=N_("quote id (NUMBER-vN) or number"))],
    line: LinesOption = None,
    discount: Annotated[str | None, typer.Option("--discount", help=N_("manual discount, percent"))] = None,
    approver: Annotated[str | None, typer.Option("--approver")] = None,
    valid_days: Annotated[int, typer.Option("--valid-days", min=1)] = 30,
    on: OnOption = None,
) -> Operation[Quote]:
    lines = _lines(line)
    day = parse_date(on)
    return lambda s: ledger.revise_quote(
        s, Scope.operator(), quote, lines, manual_discount=discount, approver=approver, valid_days=valid_days, on=day
    )


quote_app.command("send")(_transition_command(ledger.send_quote, N_("Send a draft quote.")))
quote_app.command("accept")(
    _transition_command(ledger.accept_quote, N_("Accept a sent quote within its validity (it is frozen from then on)."))
)
quote_app.command("reject")(_transition_command(ledger.reject_quote, N_("Reject a sent quote.")))


def _show_versions(found: tuple[bool, list[Quote]]) -> None:
    for q in found[1]:
        _show_quote(q)


def _versions_data(found: tuple[bool, list[Quote]]) -> Any:
    one, quotes = found
    return quotes[0].data() if one else [q.data() for q in quotes]


@quote_app.command("show", help=N_("Show a quote version, or every version of a quote number."))
@renders(_show_versions, data=_versions_data)
def quote_show(
    quote: Annotated[str, typer.Argument(help=N_("quote id (one version) or number (every version)"))],
) -> Operation[tuple[bool, list[Quote]]]:

    def versions(s: GraphStore) -> tuple[bool, list[Quote]]:
        """Whether `quote` names one version, and the versions it names."""
        record = s.documents.get("quote", quote)
        found = [Quote.model_validate(record.data)] if record is not None else service.quote_versions(s, quote)
        if not found:
            raise fail(_("quote {quote} not found").format(quote=repr(quote)))
        return record is not None, found

    return versions


def _show_quotes(quotes: list[Quote]) -> None:
    rows = (
        (q.id, q.account, q.status.value, str(q.created), str(q.valid_until), str(q.net_total), q.currency)
        for q in quotes
    )
    columns = (N_("id"), N_("account"), N_("status"), N_("created"), N_("valid until"), N_("net"), N_("currency"))
    out().print(grid(_("quotes"), [_(c) for c in columns], rows))


def _quotes_data(quotes: list[Quote]) -> Any:
    return [{k: q.data()[k] for k in ("id", "account", "status", "net_total", "currency")} for q in quotes]


@quote_app.command("list", help=N_("List quote versions."))
@renders(_show_quotes, data=_quotes_data)
def quote_list(
    account: Annotated[str | None, typer.Option("--account", help=N_("only this account's quotes"))] = None,
) -> Operation[list[Quote]]:
    return lambda s: ledger.list_quotes(s, Scope.operator(), account, limit=None).data


# ---- contracts, orders, invoices, payments ---------------------------------------------------------------------
@contract_app.command("create", help=N_("Make the contract of an accepted quote (one per quote)."))
@renders_records("contract", CONTRACT)
def contract_create(
    quote: Annotated[str, typer.Argument(help=N_("an accepted quote: its id or number"))],
    start: Annotated[str | None, typer.Option("--start", help=N_("start date YYYY-MM-DD (default today)"))] = None,
) -> Operation[list[Any]]:
    day = parse_date(start)
    return lambda s: [ledger.create_contract(s, Scope.operator(), quote, start=day)]


contract_app.command("show")(show_command(CONTRACT))


@contract_app.command("list", help=N_("List contracts."))
@renders_records("contracts", CONTRACT)
def contract_list(account: AccountFilter = None) -> Operation[list[Any]]:
    return lambda s: ledger.list_contracts(s, Scope.operator(), account, limit=None).data


@order_app.command("create", help=N_("Order against a contract (its orders never add up to more than its value)."))
@renders_records("order", ORDER)
def order_create(
    contract: Annotated[str, typer.Argument(help=N_("the contract"))],
    amount: Annotated[str, typer.Argument(help=N_("the order amount, a decimal such as 5000.00"))],
    id: Annotated[str | None, typer.Option("--id", help=N_("the order id (default CONTRACT-On)"))] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    on: OnOption = None,
) -> Operation[list[Any]]:
    day = parse_date(on)
    return lambda s: [
        ledger.create_order(s, Scope.operator(), contract, amount, order_id=id, description=description, on=day)
    ]


order_app.command("show")(show_command(ORDER))
order_app.command("list")(list_command(ORDER, N_("List orders.")))


@invoice_app.command(
    "create", help=N_("Invoice an order, at once or as an instalment schedule (never above the order).")
)
@renders_records("invoices", INVOICE)
def invoice_create(
    order: Annotated[str, typer.Argument(help=N_("the order"))],
    amount: Annotated[str | None, typer.Option("--amount", help=N_("default: what is not invoiced yet"))] = None,
    instalments: Annotated[int, typer.Option("--instalments", "-n", min=1, help=N_("equal instalments"))] = 1,
    interval_days: Annotated[int, typer.Option("--interval-days", min=0, help=N_("between due dates"))] = 30,
    terms_days: Annotated[int, typer.Option("--terms-days", min=0, help=N_("from issue to the first due date"))] = 30,
    on: OnOption = None,
) -> Operation[list[Any]]:
    day = parse_date(on)
    return lambda s: ledger.invoice_order(
        s,
        Scope.operator(),
        order,
        amount=amount,
        instalments=instalments,
        interval_days=interval_days,
        terms_days=terms_days,
        on=day,
    )


invoice_app.command("show")(show_command(INVOICE))
invoice_app.command("list")(list_command(INVOICE, N_("List invoices.")))

InvoiceArg = Annotated[str, typer.Argument(help=N_("the invoice"))]
PaidArg = Annotated[str, typer.Argument(help=N_("the amount paid, a decimal such as 1250.00"))]
RefundedArg = Annotated[str, typer.Argument(help=N_("the payment refunded"))]
RefundArg = Annotated[str, typer.Argument(help=N_("how much of it, a positive decimal"))]


@app.command(
    "pay", help=N_("Record a payment against an invoice (partial allowed, overpayment refused; idempotent by --key).")
)
@renders_records("payment", PAYMENT)
def pay(invoice: InvoiceArg, amount: PaidArg, key: KeyOption, on: OnOption = None) -> Operation[list[Any]]:
    day = parse_date(on)
    return lambda s: [ledger.record_payment(s, Scope.operator(), invoice, amount, idempotency_key=key, on=day)]


@app.command(
    "refund",
    help=N_("Refund (part of) a payment: an explicit negative entry against its invoice (idempotent by --key)."),
)
@renders_records("refund", PAYMENT)
def refund(payment: RefundedArg, amount: RefundArg, key: KeyOption, on: OnOption = None) -> Operation[list[Any]]:
    day = parse_date(on)
    return lambda s: [ledger.refund_payment(s, Scope.operator(), payment, amount, idempotency_key=key, on=day)]


app.command("payments")(list_command(PAYMENT, N_("List payments and refunds.")))


# ---- cash and grades -------------------------------------------------------------------------------------------
@app.command("cash", help=N_("An account's cash picture: billed, collected, outstanding, overdue ageing and DSO."))
def cash(
    account: Annotated[
        str | None, typer.Argument(help=N_("the account; without it, a report of every account"))
    ] = None,
    currency: CurrencyOption = None,
    on: OnOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    day = parse_date(on)

    def pictures(s: GraphStore) -> list[cash_mod.CashPicture]:
        if account is not None:
            return [ledger.cash_picture(s, Scope.operator(), s.account_of(account), day, currency)]
        return cash_mod.cash_report(s, day, currency)

    def show(found: list[cash_mod.CashPicture]) -> None:
        first = found[0] if found else None
        title = _("cash on {day} in {currency}").format(day=first.on, currency=first.currency) if first else _("cash")
        table = Table(title=title)
        buckets = [name for name, _days, _to in cash_mod.BUCKETS]
        for column in (N_("account"), N_("billed"), N_("collected"), N_("outstanding"), N_("overdue"), *buckets, "DSO"):
            table.add_column(_(column), justify="left" if column == "account" else "right")
        rows = found + ([cash_mod.report_totals(found)] if account is None and found else [])
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
        out().print(table)

    def data(found: list[cash_mod.CashPicture]) -> Any:
        dicts = [p.as_dict() for p in found]
        return dicts[0] if account is not None else dicts

    run(store, pictures, show, as_json, data=data)


def _show_grades(values: list[value.AccountValue]) -> None:
    table = Table(title=_("account grades"), caption=_("LTV = A × 0.30 × 0.8 / (1 + 0.10 − 0.8); grade from R+F+M"))
    for column in (
        N_("account"),
        N_("grade"),
        "RFM",
        N_("recency (days)"),
        N_("orders"),
        N_("monetary"),
        N_("last 365 days"),
        "LTV",
    ):
        table.add_column(_(column), justify="left" if column in ("account", "grade", "RFM") else "right")
    for v in values:
        table.add_row(
            v.account,
            v.grade + (" ★" if v.strategic else ""),
            v.rfm or "—",
            "—" if v.recency_days is None else str(v.recency_days),
            str(v.frequency),
            money(v.monetary, v.currency),
            money(v.annual_value, v.currency),
            money(v.ltv, v.currency),
        )
    out().print(table)


@app.command("grades", help=N_("Every account's RFM scores, lifetime value and grade (A/B/C/D)."))
@renders(_show_grades, data=lambda values: [v.as_dict() for v in values])
def grades(currency: CurrencyOption = None, on: OnOption = None) -> Operation[list[value.AccountValue]]:
    day = parse_date(on)
    return lambda s: value.account_values(s, day, currency)
