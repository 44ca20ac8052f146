"""Quotes and cash over HTTP: the catalogue, quotes, contracts, orders, invoices, payments, and each
account's cash picture and value (RFM, lifetime value, grade).

Thin wrappers of `accountgraph.services.ledger` (the same use cases the CLI calls, which also decide what a key
may see and do): they parse, call and map errors.
Amounts travel as decimal strings (never JSON numbers, which is checked here, at parsing) next to their
currency; every other input rule (precision, positive amounts, percentages, whole pieces, days, ids) lives
in `accountgraph.ledger.rules`, so the CLI refuses the same input with the same message (a 422 here,
naming the field). A broken business rule (an illegal status change, an
order above its contract, an overpayment, a reused idempotency key) is a 409; a ledger record of an account
outside the key's accounts answers 404, as if it did not exist. Products belong to no account: every key
reads the catalogue, and only a key not limited to accounts may change it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Header, Query, status
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from accountgraph.api.deps import AccountFilter, AccountId, Cursor, IsoDate, Limit, ReadAccess, RecordId, WriteAccess
from accountgraph.api.errors import Invalid, out_of_range
from accountgraph.api.routing import IdRoute
from accountgraph.errors import InvalidArgument
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.ledger import rules, service
from accountgraph.ledger.models import (
    Component,
    Contract,
    Dec,
    Invoice,
    Money,
    Order,
    Payment,
    Positive,
    Product,
    Quote,
    QuoteStatus,
)
from accountgraph.schema.models import MAX_ID_LENGTH, BundleIssue, Id, decimal_text
from accountgraph.services import ledger
from accountgraph.services.paging import Page

T = TypeVar("T")


# The patterns document the rules of `accountgraph.ledger.rules` (which enforces them) in the OpenAPI schema.
Amount = Annotated[
    str,
    BeforeValidator(decimal_text),
    Field(
        description="a positive decimal string (never a JSON number), at most 15 digits before the point and 6 "
        "after, e.g. `1250.00`",
        examples=["1250.00"],
        json_schema_extra={"pattern": rules.DECIMAL_PATTERN},
    ),
]
Quantity = Annotated[
    str,
    BeforeValidator(decimal_text),
    Field(
        description="a positive decimal string, e.g. `2`; a whole number unless the product's unit is divisible "
        "(then e.g. `0.5`)",
        examples=["2"],
        json_schema_extra={"pattern": rules.DECIMAL_PATTERN},
    ),
]
Percent = Annotated[
    str,
    BeforeValidator(decimal_text),
    Field(
        description="a percentage 0–100 as a decimal string, e.g. `12.5`",
        examples=["12.5"],
        json_schema_extra={"pattern": rules.PERCENT_PATTERN},
    ),
]
CurrencyQuery = Annotated[
    str | None,
    Query(description="the currency, an ISO 4217 code (default: the account's one currency, else the policy's)"),
]
OnQuery = Annotated[IsoDate | None, Query(description="the reference date (default today)")]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        description="required: one key per payment or refund, unique across the store (e.g. a UUID; visible ASCII, "
        "no spaces). A retry with the "
        "same key and body returns the payment recorded the first time; the same key with another body is a 409.",
    ),
]


def _call(fn: Callable[[], T], record: str = "body", id: str | None = None) -> T:
    """Run a ledger operation; input it refuses (`InvalidArgument`, naming the field of the `record`) and
    values still malformed (pydantic, decimal arithmetic) are a 422, never a 500."""
    try:
        return fn()
    except InvalidArgument as err:
        issue = BundleIssue(record=record, id=id, field=err.field, reason=err.message)
        where = str(issue).removesuffix(f": {issue.reason}")  # "body field 'lines.1.quantity'"
        said = Phrase(N_("{what}: {reason}"), what=where, reason=err.message)  # the issue, its reason said
        raise Invalid(Phrase(N_("invalid request: {issue}"), issue=said), issues=[issue]) from err
    except ValidationError as err:
        issues = [
            BundleIssue(record="body", field=".".join(map(str, e["loc"])) or None, reason=e["msg"])
            for e in err.errors()
        ]
        raise Invalid(f"invalid request: {issues[0]}", [i.model_dump(mode="json") for i in issues]) from err
    except ArithmeticError as err:
        issue = out_of_range(err, "an amount or quantity")
        raise Invalid(f"invalid request: {issue.reason}", [issue.model_dump(mode="json")]) from err


# ---- request and response shapes ----------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineIn(_Body):
    product: Id
    quantity: Quantity


class QuoteCreate(_Body):
    """A new draft quote, priced now from the catalogue, price list and discount policy."""

    account: Id = Field(description="the account, or one of its companies")
    lines: list[LineIn] = Field(description="1 to 1000 lines")
    number: str | None = Field(default=None, description="the quote number (default generated)")
    currency: str | None = Field(default=None, description="an ISO 4217 code; default: the discount policy's")
    manual_discount: Percent = "0"
    approver: str | None = Field(default=None, description="needed for a manual discount above the threshold")
    valid_days: int = Field(default=30, description="1 to 3650")
    on: IsoDate | None = Field(default=None, description="the quote date (default today)")


class QuoteRevise(_Body):
    """A new draft version; what is left out is taken from the version revised."""

    lines: list[LineIn] | None = Field(default=None, description="1 to 1000 lines")
    manual_discount: Percent | None = None
    approver: str | None = None
    valid_days: int = Field(default=30, description="1 to 3650")
    on: IsoDate | None = None


class ContractCreate(_Body):
    quote: Id = Field(description="an accepted quote: its id (`NUMBER-vN`) or number")
    start: IsoDate | None = Field(default=None, description="default today")


class OrderCreate(_Body):
    contract: Id
    amount: Amount
    id: str | None = Field(default=None, description="default `{contract}-O{n}`")
    description: str | None = Field(default=None, description="at most 10,000 characters")
    on: IsoDate | None = Field(default=None, description="the order date (default today)")


class InvoiceCreate(_Body):
    order: Id
    amount: Amount | None = Field(default=None, description="default: what is not invoiced yet")
    instalments: int = Field(default=1, description="1 to 120 equal instalments, the last takes the rest")
    interval_days: int = Field(default=30, description="days between instalments' due dates, 0 to 3650")
    terms_days: int = Field(default=30, description="days from issue to the first due date, 0 to 3650")
    on: IsoDate | None = Field(default=None, description="the issue date (default today)")


class PaymentCreate(_Body):
    invoice: Id
    amount: Amount
    received: IsoDate | None = Field(default=None, description="default today")


class RefundCreate(_Body):
    amount: Amount = Field(description="how much of the payment to refund (recorded as a negative entry)")
    received: IsoDate | None = Field(default=None, description="default today")


class BillOfMaterials(BaseModel):
    product: str
    quantity: str
    components: dict[str, str] = Field(description="leaf components by product id, quantities as decimal strings")


class CashPicture(BaseModel):
    """Billed, collected, outstanding and overdue (aged by days past due), and DSO, in one currency."""

    account: str
    currency: str
    on: date
    billed: str
    collected: str
    outstanding: str
    overdue: str
    ageing: dict[str, str] = Field(description="overdue balance by days past due: 0-30, 31-60, 61-90, 90+")
    billed_last_90_days: str
    dso: str | None = Field(description="days sales outstanding; null when nothing was billed in 90 days")
    invoices: int


class AccountValue(BaseModel):
    """RFM quintile scores (1–5) from paid orders, LTV = A × 0.30 × 0.8 / (1 + 0.10 − 0.8), and the grade;
    an account without purchase history is graded "no history", without scores, outside the quintiles."""

    account: str
    currency: str
    on: date
    recency_days: int | None
    frequency: int
    monetary: str
    r: int | None
    f: int | None
    m: int | None
    rfm: str | None
    annual_value: str
    ltv: str
    strategic: bool
    grade: Literal["A", "B", "C", "D", "no history"]


# ---- products ----------------------------------------------------------------------------------
products = APIRouter(prefix="/products", tags=["products"], route_class=IdRoute)


@products.get("", summary="List products", response_model=Page[Product])
def list_products(access: ReadAccess, limit: Limit = 100, cursor: Cursor = None) -> Page[Any]:
    return ledger.list_products(access.store, limit=limit, cursor=cursor)


@products.get("/{id:path}/bom", summary="A product's bill of materials: its leaf components, nested BOMs multiplied")
def product_bom(
    access: ReadAccess,
    id: RecordId,
    quantity: Annotated[
        str,
        Query(
            description="how many of the product (a decimal string)",
            json_schema_extra={"pattern": rules.DECIMAL_PATTERN},
        ),
    ] = "1",
) -> BillOfMaterials:
    service.get_product(access.store, id)
    bom = _call(lambda: service.bill_of_materials(access.store, id, quantity), record="query")
    return BillOfMaterials(product=id, quantity=quantity, components={k: str(v) for k, v in bom.items()})


@products.get("/{id:path}", summary="Read a product")
def get_product(access: ReadAccess, id: RecordId) -> Product:
    return service.get_product(access.store, id)


class _PriceBody(Money):
    amount: Annotated[Dec, BeforeValidator(decimal_text)]


class _ComponentBody(Component):
    quantity: Annotated[Positive, BeforeValidator(decimal_text)]


class ProductBody(Product):
    """A product as the API reads it: its price and its components' quantities are decimal strings, never JSON
    numbers (a number may have lost digits before any check could see it), as everywhere money is read."""

    list_price: _PriceBody
    components: list[_ComponentBody] = Field(default_factory=list)  # type: ignore[assignment]


@products.put("/{id:path}", summary="Create or replace a product (its components and options must exist)")
def put_product(access: WriteAccess, id: RecordId, body: ProductBody) -> Product:
    product = Product.model_validate(body.model_dump())
    return _call(lambda: ledger.save_product(access.store, access.scope, product, id=id), "products", product.id)


# ---- quotes ------------------------------------------------------------------------------------
quotes = APIRouter(prefix="/quotes", tags=["quotes"], route_class=IdRoute)


@quotes.post("", status_code=status.HTTP_201_CREATED, summary="Create a draft quote (version 1)")
def create_quote(access: WriteAccess, body: QuoteCreate) -> Quote:
    return _call(
        lambda: ledger.create_quote(
            access.store,
            access.scope,
            body.account,
            [(line.product, line.quantity) for line in body.lines],
            number=body.number,
            currency=body.currency,
            manual_discount=body.manual_discount,
            approver=body.approver,
            valid_days=body.valid_days,
            on=body.on,
        )
    )


@quotes.get("", summary="List quote versions", response_model=Page[Quote])
def list_quotes(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    number: Annotated[str | None, Query(max_length=MAX_ID_LENGTH, description="only this quote's versions")] = None,
    status: Annotated[QuoteStatus | None, Query(description="only quotes in this status")] = None,
) -> Page[Any]:
    return ledger.list_quotes(
        access.store, access.scope, account, number=number, status=status, limit=limit, cursor=cursor
    )


@quotes.post("/{id:path}/send", summary="Send a draft quote")
def send_quote(access: WriteAccess, id: RecordId, on: OnQuery = None) -> Quote:
    return ledger.send_quote(access.store, access.scope, id, on=on)


@quotes.post("/{id:path}/accept", summary="Accept a sent quote within its validity (it is frozen from then on)")
def accept_quote(access: WriteAccess, id: RecordId, on: OnQuery = None) -> Quote:
    return ledger.accept_quote(access.store, access.scope, id, on=on)


@quotes.post("/{id:path}/reject", summary="Reject a sent quote")
def reject_quote(access: WriteAccess, id: RecordId, on: OnQuery = None) -> Quote:
    return ledger.reject_quote(access.store, access.scope, id, on=on)


@quotes.post(
    "/{id:path}/revise",
    status_code=status.HTTP_201_CREATED,
    summary="Make a new draft version of a quote (refused once a version was accepted)",
)
def revise_quote(access: WriteAccess, id: RecordId, body: QuoteRevise) -> Quote:
    return _call(
        lambda: ledger.revise_quote(
            access.store,
            access.scope,
            id,
            None if body.lines is None else [(line.product, line.quantity) for line in body.lines],
            manual_discount=body.manual_discount,
            approver=body.approver,
            valid_days=body.valid_days,
            on=body.on,
        )
    )


@quotes.get("/{id:path}", summary="Read a quote version (`NUMBER-vN`), or a quote number's latest version")
def get_quote(access: ReadAccess, id: RecordId) -> Quote:
    return ledger.get_quote(access.store, access.scope, id)


# ---- contracts ---------------------------------------------------------------------------------
contracts = APIRouter(prefix="/contracts", tags=["contracts"], route_class=IdRoute)


@contracts.post("", status_code=status.HTTP_201_CREATED, summary="Make the contract of an accepted quote")
def create_contract(access: WriteAccess, body: ContractCreate) -> Contract:
    return ledger.create_contract(access.store, access.scope, body.quote, start=body.start)


@contracts.get("", summary="List contracts", response_model=Page[Contract])
def list_contracts(
    access: ReadAccess, limit: Limit = 100, cursor: Cursor = None, account: AccountFilter = None
) -> Page[Any]:
    return ledger.list_contracts(access.store, access.scope, account, limit=limit, cursor=cursor)


@contracts.get("/{id:path}", summary="Read a contract")
def get_contract(access: ReadAccess, id: RecordId) -> Contract:
    return ledger.get_contract(access.store, access.scope, id)


# ---- orders ------------------------------------------------------------------------------------
orders = APIRouter(prefix="/orders", tags=["orders"], route_class=IdRoute)


@orders.post("", status_code=status.HTTP_201_CREATED, summary="Order against a contract (never above its value)")
def create_order(access: WriteAccess, body: OrderCreate) -> Order:
    return _call(
        lambda: ledger.create_order(
            access.store,
            access.scope,
            body.contract,
            body.amount,
            order_id=body.id,
            description=body.description,
            on=body.on,
        )
    )


@orders.get("", summary="List orders", response_model=Page[Order])
def list_orders(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    contract: Annotated[str | None, Query(max_length=MAX_ID_LENGTH, description="only this contract's")] = None,
) -> Page[Any]:
    return ledger.list_orders(access.store, access.scope, account, contract=contract, limit=limit, cursor=cursor)


@orders.get("/{id:path}", summary="Read an order")
def get_order(access: ReadAccess, id: RecordId) -> Order:
    return ledger.get_order(access.store, access.scope, id)


# ---- invoices ----------------------------------------------------------------------------------
invoices = APIRouter(prefix="/invoices", tags=["invoices"], route_class=IdRoute)


@invoices.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Invoice an order, at once or as an instalment schedule (never above the order)",
    response_model=Page[Invoice],
)
def create_invoices(access: WriteAccess, body: InvoiceCreate) -> Page[Any]:
    made = _call(
        lambda: ledger.invoice_order(
            access.store,
            access.scope,
            body.order,
            amount=body.amount,
            instalments=body.instalments,
            interval_days=body.interval_days,
            terms_days=body.terms_days,
            on=body.on,
        )
    )
    return Page[Any](data=made, count=len(made), next_cursor=None)


@invoices.get("", summary="List invoices", response_model=Page[Invoice])
def list_invoices(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    order: Annotated[str | None, Query(max_length=MAX_ID_LENGTH, description="only this order's")] = None,
) -> Page[Any]:
    return ledger.list_invoices(access.store, access.scope, account, order=order, limit=limit, cursor=cursor)


@invoices.get("/{id:path}", summary="Read an invoice")
def get_invoice(access: ReadAccess, id: RecordId) -> Invoice:
    return ledger.get_invoice(access.store, access.scope, id)


# ---- payments ----------------------------------------------------------------------------------
payments = APIRouter(prefix="/payments", tags=["payments"], route_class=IdRoute)


@payments.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record a payment against an invoice (partial allowed, overpayment refused; idempotent by key)",
)
def create_payment(access: WriteAccess, body: PaymentCreate, idempotency_key: IdempotencyKey) -> Payment:
    return _call(
        lambda: ledger.record_payment(
            access.store, access.scope, body.invoice, body.amount, idempotency_key=idempotency_key, on=body.received
        )
    )


@payments.get("", summary="List payments and refunds", response_model=Page[Payment])
def list_payments(
    access: ReadAccess,
    limit: Limit = 100,
    cursor: Cursor = None,
    account: AccountFilter = None,
    invoice: Annotated[str | None, Query(max_length=MAX_ID_LENGTH, description="only this invoice's")] = None,
) -> Page[Any]:
    return ledger.list_payments(access.store, access.scope, account, invoice=invoice, limit=limit, cursor=cursor)


@payments.post(
    "/{id:path}/refund",
    status_code=status.HTTP_201_CREATED,
    summary="Refund (part of) a payment: a negative entry against its invoice (idempotent by key)",
)
def refund_payment(access: WriteAccess, id: RecordId, body: RefundCreate, idempotency_key: IdempotencyKey) -> Payment:
    return _call(
        lambda: ledger.refund_payment(
            access.store, access.scope, id, body.amount, idempotency_key=idempotency_key, on=body.received
        )
    )


@payments.get("/{id:path}", summary="Read a payment or refund")
def get_payment(access: ReadAccess, id: RecordId) -> Payment:
    return ledger.get_payment(access.store, access.scope, id)


# ---- per account -------------------------------------------------------------------------------
accounts = APIRouter(prefix="/accounts", tags=["cash"], route_class=IdRoute)


@accounts.get("/{id:path}/cash", summary="The account's cash picture: billed, collected, overdue ageing, DSO")
def account_cash(access: ReadAccess, id: AccountId, on: OnQuery = None, currency: CurrencyQuery = None) -> CashPicture:
    return CashPicture.model_validate(ledger.cash_picture(access.store, access.scope, id, on, currency).as_dict())


@accounts.get("/{id:path}/value", summary="The account's RFM scores, lifetime value and grade (A–D, or no history)")
def account_value(
    access: ReadAccess,
    id: AccountId,
    on: OnQuery = None,
    currency: Annotated[str | None, Query(description="an ISO 4217 code; default: the discount policy's")] = None,
) -> AccountValue:
    return AccountValue.model_validate(ledger.account_value(access.store, access.scope, id, on, currency).as_dict())


routers = (products, quotes, contracts, orders, invoices, payments, accounts)
"""Every router of this module, included under /v1 by `create_app`."""
