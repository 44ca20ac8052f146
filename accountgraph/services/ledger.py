"""The ledger's use cases as a scope may use them: quotes, contracts, orders, invoices, payments, and each
account's cash picture and value; the catalogue's lists and changes.

The rules and the arithmetic live in `accountgraph.ledger`; what is added here is who may see and do what. A
ledger record of an account outside the scope answers exactly as one that does not exist (NotFoundError), and
lists leave such records out. Products belong to no account: every scope reads the catalogue, and only a
scope not limited to accounts may change it. Each function looks the record it acts on up first, so an
unknown or hidden id is a NotFoundError before anything else is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from accountgraph.errors import NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import cash, service, value
from accountgraph.ledger.models import Contract, Invoice, LineRequest, Order, Payment, Product, Quote, QuoteStatus
from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import ApiRole
from accountgraph.services.paging import Page, decode_cursor, page_of
from accountgraph.services.records import Access, check_path_id
from accountgraph.services.scope import Scope, writes

R = TypeVar("R", bound=DocumentModel)
Lines = Sequence[LineRequest | tuple[str, Decimal | str | int]]


def _visible(scope: Scope, record: R) -> R:
    """The record, or NotFoundError when it belongs to an account the scope may not see."""
    account = getattr(record, "account", None)
    if isinstance(account, str) and not scope.sees(account):
        raise NotFoundError(record.kind, record.id)
    return record


def _page(
    scope: Scope | None,
    records: Callable[[str | None], list[R]],
    account: str | None,
    limit: int | None,
    cursor: str | None,
    keep: Callable[[R], bool] = lambda r: True,
) -> Page[Any]:
    """One page of ledger records by id (every record after the cursor when `limit` is None); a limited scope
    sees only its accounts' records. `scope` None: records that belong to no account."""
    after = decode_cursor(cursor, 1)[0] if cursor else None
    if scope is None:
        rows = records(None)
    elif account is not None:
        rows = records(account) if scope.sees(account) else []
    elif scope.scoped:
        rows = [r for a in sorted(scope.accounts) for r in records(a)]
    else:
        rows = records(None)
    rows = sorted((r for r in rows if keep(r) and (after is None or r.id > after)), key=lambda r: r.id)
    return page_of(rows, len(rows) if limit is None else limit, lambda r: (r.id,))


# ---- products ----------------------------------------------------------------------------------
def list_products(store: GraphStore, *, limit: int | None = 100, cursor: str | None = None) -> Page[Any]:
    """One page of the catalogue by id (every scope reads it)."""
    return _page(None, lambda _: service.list_products(store), None, limit, cursor)


@writes
def save_product(store: GraphStore, scope: Scope, product: Product, *, id: str | None = None) -> Product:
    """Create or replace a product; `id`: the id the caller named it by (a path), which it must carry.

    Raises:
        Forbidden: a scope limited to accounts (the catalogue is shared by every account).
    """
    scope.require_role(ApiRole.PLANNER)
    if id is not None:
        check_path_id("products", id, product.id)
    scope.require_unscoped("change the catalogue: it is shared by every account")
    return service.save_product(store, product)


# ---- quotes ------------------------------------------------------------------------------------
@writes
def create_quote(
    store: GraphStore,
    scope: Scope,
    account: str,
    lines: Lines,
    *,
    number: str | None = None,
    currency: str | None = None,
    manual_discount: Decimal | str | int = 0,
    approver: str | None = None,
    valid_days: int = 30,
    on: date | None = None,
) -> Quote:
    """A draft quote (version 1) for an account, or one of its companies, the scope sees, priced now."""
    scope.require_role(ApiRole.PLANNER)
    Access(store, scope).company(account)
    return service.create_quote(
        store,
        account,
        lines,
        number=number,
        currency=currency,
        manual_discount=manual_discount,
        approver=approver,
        valid_days=valid_days,
        on=on,
    )


def list_quotes(
    store: GraphStore,
    scope: Scope,
    account: str | None = None,
    *,
    number: str | None = None,
    status: QuoteStatus | None = None,
    limit: int | None = 100,
    cursor: str | None = None,
) -> Page[Any]:
    """One page of quote versions by id (of one account, one quote number, one status when given)."""
    return _page(
        scope,
        lambda a: service.list_quotes(store, a),
        account,
        limit,
        cursor,
        lambda q: (number is None or q.number == number) and (status is None or q.status is status),
    )


def get_quote(store: GraphStore, scope: Scope, id: str) -> Quote:
    """A quote version by its id (`NUMBER-vN`), or a quote number's latest version."""
    return _visible(scope, service.get_quote(store, id))


@writes
def send_quote(store: GraphStore, scope: Scope, id: str, on: date | None = None) -> Quote:
    scope.require_role(ApiRole.PLANNER)
    return service.send_quote(store, get_quote(store, scope, id).id, on=on)


@writes
def accept_quote(store: GraphStore, scope: Scope, id: str, on: date | None = None) -> Quote:
    scope.require_role(ApiRole.PLANNER)
    return service.accept_quote(store, get_quote(store, scope, id).id, on=on)


@writes
def reject_quote(store: GraphStore, scope: Scope, id: str, on: date | None = None) -> Quote:
    scope.require_role(ApiRole.PLANNER)
    return service.reject_quote(store, get_quote(store, scope, id).id, on=on)


@writes
def revise_quote(
    store: GraphStore,
    scope: Scope,
    id: str,
    lines: Lines | None = None,
    *,
    manual_discount: Decimal | str | int | None = None,
    approver: str | None = None,
    valid_days: int = 30,
    on: date | None = None,
) -> Quote:
    """A new draft version of a quote (what is left out is taken from the version revised)."""
    scope.require_role(ApiRole.PLANNER)
    return service.revise_quote(
        store,
        get_quote(store, scope, id).id,
        lines,
        manual_discount=manual_discount,
        approver=approver,
        valid_days=valid_days,
        on=on,
    )


# ---- contracts, orders, invoices, payments -----------------------------------------------------
@writes
def create_contract(store: GraphStore, scope: Scope, quote: str, *, start: date | None = None) -> Contract:
    """The contract of an accepted quote (its id or number)."""
    scope.require_role(ApiRole.PLANNER)
    return service.create_contract(store, get_quote(store, scope, quote).id, start=start)


def list_contracts(
    store: GraphStore, scope: Scope, account: str | None = None, *, limit: int | None = 100, cursor: str | None = None
) -> Page[Any]:
    return _page(scope, lambda a: service.list_contracts(store, a), account, limit, cursor)


def get_contract(store: GraphStore, scope: Scope, id: str) -> Contract:
    return _visible(scope, service.get_contract(store, id))


@writes
def create_order(
    store: GraphStore,
    scope: Scope,
    contract: str,
    amount: Decimal | str | int,
    *,
    order_id: str | None = None,
    description: str | None = None,
    on: date | None = None,
) -> Order:
    """An order against a contract (never above its value)."""
    scope.require_role(ApiRole.PLANNER)
    get_contract(store, scope, contract)
    return service.create_order(store, contract, amount, order_id=order_id, description=description, on=on)


def list_orders(
    store: GraphStore,
    scope: Scope,
    account: str | None = None,
    *,
    contract: str | None = None,
    limit: int | None = 100,
    cursor: str | None = None,
) -> Page[Any]:
    return _page(
        scope,
        lambda a: service.list_orders(store, a),
        account,
        limit,
        cursor,
        lambda o: contract is None or o.contract == contract,
    )


def get_order(store: GraphStore, scope: Scope, id: str) -> Order:
    return _visible(scope, service.get_order(store, id))


@writes
def invoice_order(
    store: GraphStore,
    scope: Scope,
    order: str,
    *,
    amount: Decimal | str | int | None = None,
    instalments: int = 1,
    interval_days: int = 30,
    terms_days: int = 30,
    on: date | None = None,
) -> list[Invoice]:
    """Invoice an order, at once or as an instalment schedule (never above the order)."""
    scope.require_role(ApiRole.PLANNER)
    get_order(store, scope, order)
    return service.invoice_order(
        store,
        order,
        amount=amount,
        instalments=instalments,
        interval_days=interval_days,
        terms_days=terms_days,
        on=on,
    )


def list_invoices(
    store: GraphStore,
    scope: Scope,
    account: str | None = None,
    *,
    order: str | None = None,
    limit: int | None = 100,
    cursor: str | None = None,
) -> Page[Any]:
    return _page(
        scope,
        lambda a: service.list_invoices(store, a),
        account,
        limit,
        cursor,
        lambda i: order is None or i.order == order,
    )


def get_invoice(store: GraphStore, scope: Scope, id: str) -> Invoice:
    return _visible(scope, service.get_invoice(store, id))


@writes
def record_payment(
    store: GraphStore,
    scope: Scope,
    invoice: str,
    amount: Decimal | str | int,
    *,
    idempotency_key: str,
    on: date | None = None,
) -> Payment:
    """Record a payment against an invoice (idempotent by key)."""
    scope.require_role(ApiRole.PLANNER)
    get_invoice(store, scope, invoice)
    return service.record_payment(store, invoice, amount, idempotency_key=idempotency_key, on=on)


@writes
def refund_payment(
    store: GraphStore,
    scope: Scope,
    payment: str,
    amount: Decimal | str | int,
    *,
    idempotency_key: str,
    on: date | None = None,
) -> Payment:
    """Refund (part of) a payment (idempotent by key)."""
    scope.require_role(ApiRole.PLANNER)
    get_payment(store, scope, payment)
    return service.refund_payment(store, payment, amount, idempotency_key=idempotency_key, on=on)


def list_payments(
    store: GraphStore,
    scope: Scope,
    account: str | None = None,
    *,
    invoice: str | None = None,
    limit: int | None = 100,
    cursor: str | None = None,
) -> Page[Any]:
    return _page(
        scope,
        lambda a: service.list_payments(store, a),
        account,
        limit,
        cursor,
        lambda p: invoice is None or p.invoice == invoice,
    )


def get_payment(store: GraphStore, scope: Scope, id: str) -> Payment:
    return _visible(scope, service.get_payment(store, id))


# ---- per account -------------------------------------------------------------------------------
def cash_picture(
    store: GraphStore, scope: Scope, account: str, on: date | None = None, currency: str | None = None
) -> cash.CashPicture:
    """The account's cash picture (NotFoundError for an account outside the scope)."""
    scope.require_account(account)
    return cash.cash_picture(store, account, on, currency)


def account_value(
    store: GraphStore, scope: Scope, account: str, on: date | None = None, currency: str | None = None
) -> value.AccountValue:
    """The account's RFM scores, lifetime value and grade (NotFoundError for an account outside the scope)."""
    scope.require_account(account)
    return value.account_value(store, account, on, currency)
