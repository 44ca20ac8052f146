"""Ledger operations: every function takes a `GraphStore` and works only through its documents.

Each operation reads what it needs, checks the rules, then writes every document it changes in ONE unit of
work (`GraphStore.documents.unit_of_work`) carrying the versions it read; when another writer got there
first the commit fails as a whole (`VersionConflict`) and the operation starts again from fresh reads
(`Documents.retrying`). So two concurrent payments can never push an invoice past its amount, and a retried
payment (same idempotency key) is recorded once.

Every function takes `on` (the reference date, default today) so results are reproducible. What a caller
gives (amounts, quantities, percentages, days, ids) is checked here, by `accountgraph.ledger.rules`, so every
interface refuses the same input with the same `InvalidArgument`; a broken business rule (an overpayment,
an illegal status change) is a `RuleViolation`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal, localcontext
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from accountgraph.errors import InvalidArgument, NotFoundError, RuleViolation, VersionConflict
from accountgraph.graph.store import DocumentWrite, GraphStore, UnitOfWork
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.ledger import rules
from accountgraph.ledger.models import (
    TRANSITIONS,
    AccountProfile,
    Contract,
    Dec,
    DiscountPolicy,
    Invoice,
    LineRequest,
    Order,
    Payment,
    PriceList,
    Product,
    Quote,
    QuoteLine,
    QuoteStatus,
    quote_record_id,
    round_money,
    split_evenly,
)
from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import today

R = TypeVar("R", bound=DocumentModel)
_DEC: TypeAdapter[Decimal] = TypeAdapter(Dec)
_PRECISION = 100  # digits of the decimal context of price arithmetic (products stay exact)


# ---- helpers ----------------------------------------------------------------------------------
def to_decimal(value: Decimal | str | int) -> Decimal:
    """An exact decimal from a string, int or Decimal (floats and non-numbers are a RuleViolation)."""
    try:
        return _DEC.validate_python(value)
    except ValidationError as e:
        raise RuleViolation(str(e.errors()[0]["msg"]).removeprefix("Value error, ")) from None


def _get(store: GraphStore, model: type[R], id: str) -> R:
    document = store.documents.get(model.kind, id)
    if document is None:
        raise NotFoundError(model.kind, id)
    return model.model_validate(document.data)


def _load(uow: UnitOfWork, model: type[R], id: str) -> R:
    """A document read in a unit of work (which remembers its version); NotFoundError when absent."""
    found = uow.load(model, id)
    if found is None:
        raise NotFoundError(model.kind, id)
    return found


def _all(store: GraphStore, model: type[R], account: str | None = None) -> list[R]:
    return [model.model_validate(d.data) for d in store.documents.list(model.kind, account)]


def _save(store: GraphStore, document: DocumentModel) -> None:
    """Create or replace one document (VersionConflict when it changed between the read and the write)."""
    with store.documents.unit_of_work() as uow:
        uow.get(document.kind, document.id)
        uow.save(document)


def _account(store: GraphStore, company_id: str) -> str:
    """The account (root company) of a company: quotes and money belong to accounts."""
    return store.account_of(company_id)


QUANTITY = Phrase(N_("quantity"))


def _line_quantity(i: int, product: str) -> Phrase:
    """The label of quote line `i`'s quantity ("line 2 (ag-server) quantity")."""
    return Phrase(N_("line {n} ({product}) quantity"), n=str(i + 1), product=product)


# ---- catalogue and pricing --------------------------------------------------------------------
def save_product(store: GraphStore, product: Product) -> Product:
    """Create or replace a product. Its components, required and incompatible products must exist,
    and the bill of materials must not contain the product itself (no cycles)."""
    rules.decimal(product.list_price.amount, Phrase(N_("list price")), "list_price.amount")
    for i, c in enumerate(product.components):
        rules.decimal(
            c.quantity,
            Phrase(N_("component {n} ({product}) quantity"), n=str(i + 1), product=c.product),
            f"components.{i}.quantity",
        )
    catalogue = {p.id: p for p in list_products(store)}
    catalogue[product.id] = product
    refs = [c.product for c in product.components] + product.requires + product.incompatible
    for ref in refs:
        if ref not in catalogue:
            raise NotFoundError("product", ref)
        if ref == product.id:
            raise RuleViolation(Phrase(N_("product {id} refers to itself"), id=repr(product.id)))
    if set(product.requires) & set(product.incompatible):
        raise RuleViolation(Phrase(N_("product {id} both requires and excludes the same product"), id=repr(product.id)))
    _check_no_cycle(catalogue, product.id)
    _save(store, product)
    return product


def _check_no_cycle(catalogue: dict[str, Product], start: str) -> None:
    path: list[str] = []

    def visit(pid: str) -> None:
        if pid in path:
            cycle = " → ".join([*path[path.index(pid) :], pid])
            raise RuleViolation(Phrase(N_("the bill of materials would contain a cycle: {cycle}"), cycle=str(cycle)))
        path.append(pid)
        for c in catalogue[pid].components:
            visit(c.product)
        path.pop()

    visit(start)


def get_product(store: GraphStore, id: str) -> Product:
    return _get(store, Product, id)


def list_products(store: GraphStore) -> list[Product]:
    return _all(store, Product)


def bill_of_materials(
    catalogue: dict[str, Product] | GraphStore, product_id: str, quantity: Decimal | str | int = 1
) -> dict[str, Decimal]:
    """The leaf components (products without components) of `quantity` × the product, nested BOMs
    multiplied out, by product id. A product without components is its own bill of materials.

    `quantity` follows the input rules (positive; whole unless the product is divisible); a leaf sold by
    the piece is rounded up to whole pieces (half a rail kit per platform makes 2 for 3 platforms)."""
    products = catalogue if isinstance(catalogue, dict) else {p.id: p for p in list_products(catalogue)}
    qty = rules.amount(quantity, QUANTITY, "quantity")
    if product_id in products:
        rules.whole(products[product_id], qty, QUANTITY, "quantity")
    return _explode(products, product_id, qty)


def _explode(products: dict[str, Product], product_id: str, quantity: Decimal) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}

    def walk(pid: str, qty: Decimal) -> None:
        product = products.get(pid)
        if product is None:
            raise NotFoundError("product", pid)
        if not product.components:
            out[pid] = out.get(pid, Decimal(0)) + qty
        for c in product.components:
            walk(c.product, qty * c.quantity)

    with localcontext() as ctx:
        ctx.prec = _PRECISION
        walk(product_id, quantity)
        return {pid: _whole_pieces(products[pid], qty) for pid, qty in sorted(out.items())}


def _whole_pieces(product: Product, quantity: Decimal) -> Decimal:
    """`quantity` rounded up to a whole number unless the product's unit is divisible."""
    if product.divisible or quantity == quantity.to_integral_value():
        return quantity
    return quantity.to_integral_value(rounding=ROUND_CEILING)


def save_price_list(store: GraphStore, prices: PriceList) -> PriceList:
    for pid, price in prices.prices.items():
        rules.decimal(price, Phrase(N_("price of {product}"), product=pid), f"prices.{pid}")
    for pid in prices.prices:
        if store.documents.get("product", pid) is None:
            raise NotFoundError("product", pid)
    _save(store, prices)
    return prices


def save_discount_policy(store: GraphStore, policy: DiscountPolicy) -> DiscountPolicy:
    _save(store, policy)
    return policy


def discount_policy(store: GraphStore) -> DiscountPolicy:
    """The stored policy, or the default one (tiers 0 / 3 / 5 / 8 % from 0 / 50k / 200k / 1M EUR)."""
    record = store.documents.get("discount_policy", "default")
    return DiscountPolicy() if record is None else DiscountPolicy.model_validate(record.data)


# ---- quotes -----------------------------------------------------------------------------------
def _requests(lines: Iterable[LineRequest | tuple[str, Decimal | str | int]]) -> list[LineRequest]:
    out = []
    for i, line in enumerate(lines):
        product, quantity = (line.product, line.quantity) if isinstance(line, LineRequest) else line
        rules.identifier(product, Phrase(N_("line {n} product"), n=str(i + 1)), f"lines.{i}.product")
        qty = rules.amount(quantity, _line_quantity(i, product), f"lines.{i}.quantity")
        out.append(LineRequest(product=product, quantity=qty))
    if not out:
        raise InvalidArgument(Phrase(N_("a quote needs at least one line")), field="lines")
    if len(out) > rules.MAX_LINES:
        raise InvalidArgument(
            Phrase(N_("a quote has at most {most} lines, not {n}"), most=rules.MAX_LINES, n=len(out)), field="lines"
        )
    return out


def _price(
    store: GraphStore,
    account: str,
    currency: str,
    requests: list[LineRequest],
    manual: Decimal,
    approver: str | None,
    on: date,
) -> dict[str, Any]:
    """The lines and totals of a quote (see the rounding rule in `accountgraph.ledger.models`)."""
    policy = discount_policy(store)
    if manual > policy.approval_threshold and not approver:
        raise RuleViolation(
            Phrase(
                N_("a manual discount of {manual}%, above {threshold}%, needs an approver"),
                manual=str(manual),
                threshold=str(policy.approval_threshold),
            )
        )
    catalogue = {p.id: p for p in list_products(store)}
    wanted: dict[str, tuple[Decimal, str | None]] = {}
    for i, r in enumerate(requests):
        if r.product not in catalogue:
            raise NotFoundError("product", r.product)
        rules.whole(catalogue[r.product], r.quantity, _line_quantity(i, r.product), f"lines.{i}.quantity")
        qty, _ = wanted.get(r.product, (Decimal(0), None))
        wanted[r.product] = (qty + r.quantity, None)
    wanted.update(_accessories(catalogue, {pid: qty for pid, (qty, _) in wanted.items()}))
    for pid in wanted:
        for other in catalogue[pid].incompatible:
            if other in wanted:
                raise RuleViolation(Phrase(N_("{a} and {b} cannot be quoted together"), a=repr(pid), b=repr(other)))
    record = store.documents.get("price_list", currency)
    price_list = None if record is None else PriceList.model_validate(record.data)
    volume = trailing_volume(store, account, on, policy.currency)
    volume_pct = policy.volume_percent(volume)
    pct = min(Decimal(100), volume_pct + manual)
    lines = []
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        for pid, (qty, required_by) in wanted.items():
            product = catalogue[pid]
            if price_list is not None and pid in price_list.prices:
                unit = price_list.prices[pid]
            elif product.list_price.currency == currency:
                unit = product.list_price.amount
            else:
                raise RuleViolation(Phrase(N_("{id} has no price in {currency}"), id=repr(pid), currency=currency))
            gross = qty * unit
            lines.append(
                QuoteLine(
                    product=pid,
                    name=product.name,
                    quantity=qty,
                    unit_price=unit,
                    list_amount=round_money(gross, currency),
                    volume_discount=volume_pct,
                    manual_discount=manual,
                    net=round_money(gross * (100 - pct) / 100, currency),
                    required_by=required_by,
                    bom=_explode(catalogue, pid, qty) if product.components else {},
                )
            )
        list_total = sum((line.list_amount for line in lines), Decimal(0))
        net_total = sum((line.net for line in lines), Decimal(0))
    return {
        "lines": lines,
        "trailing_volume": volume,
        "list_total": list_total,
        "net_total": net_total,
        "discount_total": list_total - net_total,
    }


def _accessories(catalogue: dict[str, Product], requested: dict[str, Decimal]) -> dict[str, tuple[Decimal, str]]:
    """The required accessories the requested products bring along (recursively), each with the quantity of
    everything that requires it added up (in whole pieces unless its unit is divisible) and the first product
    that required it. An accessory the planner asked for keeps the quantity asked."""
    needed_by: dict[str, list[str]] = {}
    queue = list(requested)
    while queue:
        pid = queue.pop(0)
        for accessory in catalogue[pid].requires:
            if accessory in requested:
                continue
            if accessory not in needed_by:
                queue.append(accessory)
            needed_by.setdefault(accessory, []).append(pid)
    quantities: dict[str, Decimal] = {}

    def quantity(pid: str, path: tuple[str, ...]) -> Decimal:
        if pid in requested:
            return requested[pid]
        if pid in path:
            raise RuleViolation(f"accessories require each other in a cycle: {' → '.join([*path, pid])}")
        if pid not in quantities:
            total = sum((quantity(p, (*path, pid)) for p in needed_by[pid]), Decimal(0))
            quantities[pid] = _whole_pieces(catalogue[pid], total)
        return quantities[pid]

    return {pid: (quantity(pid, ()), needed_by[pid][0]) for pid in needed_by}


def create_quote(
    store: GraphStore,
    account: str,
    lines: Sequence[LineRequest | tuple[str, Decimal | str | int]],
    *,
    number: str | None = None,
    currency: str | None = None,
    manual_discount: Decimal | str | int = 0,
    approver: str | None = None,
    valid_days: int = 30,
    on: date | None = None,
) -> Quote:
    """A new quote (version 1, draft) for an account, priced now.

    Required accessories are added; incompatible options, a manual discount above the policy's
    threshold without an approver, or a product without a price in the currency are refused.
    """
    on = rules.day(on or today(), "quote date", "on")
    requests = _requests(lines)
    manual = rules.percent(manual_discount, Phrase(N_("manual discount")), "manual_discount")
    rules.identifier(number, Phrase(N_("quote number")), "number")
    rules.identifier(approver, Phrase(N_("approver")), "approver")
    rules.currency(currency)
    rules.days(valid_days, Phrase(N_("validity in days")), "valid_days", least=1)
    account = _account(store, account)
    currency = currency or discount_policy(store).currency
    number = number or f"Q-{on:%Y%m%d}-{random.Random().randrange(16**6):06x}"
    priced = _price(store, account, currency, requests, manual, approver, on)
    quote = Quote(
        id=quote_record_id(number, 1),
        number=number,
        version=1,
        account=account,
        currency=currency,
        created=on,
        valid_until=on + timedelta(days=valid_days),
        requested=requests,
        manual_discount=manual,
        approver=approver,
        history=[{"status": QuoteStatus.DRAFT.value, "on": on.isoformat()}],
        **priced,
    )
    store.documents.commit([DocumentWrite.of(quote)])
    return quote


def get_quote(store: GraphStore, id: str) -> Quote:
    """A quote version by its record id (`{number}-v{version}`) or, given a number, its latest version."""
    record = store.documents.get("quote", id)
    if record is not None:
        return Quote.model_validate(record.data)
    versions = quote_versions(store, id)
    if not versions:
        raise NotFoundError("quote", id)
    return versions[-1]


def quote_versions(store: GraphStore, number: str) -> list[Quote]:
    """Every version of a quote, oldest first."""
    found = [q for q in list_quotes(store) if q.number == number]
    return sorted(found, key=lambda q: q.version)


def list_quotes(store: GraphStore, account: str | None = None) -> list[Quote]:
    return _all(store, Quote, account)


def revise_quote(
    store: GraphStore,
    id: str,
    lines: Sequence[LineRequest | tuple[str, Decimal | str | int]] | None = None,
    *,
    manual_discount: Decimal | str | int | None = None,
    approver: str | None = None,
    valid_days: int = 30,
    on: date | None = None,
) -> Quote:
    """A new draft version of a quote (re-priced on `on`); earlier versions stay as they are.

    Refused once any version was accepted (accepted versions are frozen).
    """
    on = rules.day(on or today(), "revision date", "on")
    requests_given = _requests(lines) if lines is not None else None
    manual_given = (
        None
        if manual_discount is None
        else rules.percent(manual_discount, Phrase(N_("manual discount")), "manual_discount")
    )
    rules.identifier(approver, Phrase(N_("approver")), "approver")
    rules.days(valid_days, Phrase(N_("validity in days")), "valid_days", least=1)
    base = get_quote(store, id)
    versions = quote_versions(store, base.number)
    if any(q.status is QuoteStatus.ACCEPTED for q in versions):
        raise RuleViolation(
            Phrase(N_("quote {number} was accepted: its accepted version is frozen"), number=repr(base.number))
        )
    latest = versions[-1]
    requests = requests_given if requests_given is not None else base.requested
    manual = manual_given if manual_given is not None else base.manual_discount
    approver = approver if approver is not None else base.approver
    priced = _price(store, base.account, base.currency, requests, manual, approver, on)
    quote = Quote(
        id=quote_record_id(base.number, latest.version + 1),
        number=base.number,
        version=latest.version + 1,
        account=base.account,
        currency=base.currency,
        created=on,
        valid_until=on + timedelta(days=valid_days),
        requested=requests,
        manual_discount=manual,
        approver=approver,
        history=[{"status": QuoteStatus.DRAFT.value, "on": on.isoformat()}],
        **priced,
    )
    store.documents.commit([DocumentWrite.of(quote)])  # a concurrent revision of the same version: VersionConflict
    return quote


def _transition(store: GraphStore, id: str, to: QuoteStatus, on: date | None) -> Quote:
    on = rules.day(on or today(), "date", "on")
    record = store.documents.get("quote", id)
    if record is None:
        quote = get_quote(store, id)  # a number: its latest version
        record = store.documents.get("quote", quote.id)
        assert record is not None
    quote = Quote.model_validate(record.data)
    if to not in TRANSITIONS[quote.status]:
        raise RuleViolation(
            Phrase(
                N_("quote {id} is {status}: it cannot become {to}"), id=quote.id, status=quote.status.value, to=to.value
            )
        )
    if to in (QuoteStatus.SENT, QuoteStatus.ACCEPTED):
        latest = quote_versions(store, quote.number)[-1]
        if latest.version != quote.version:
            raise RuleViolation(
                Phrase(
                    N_("quote {id} was revised: only its latest version {latest} counts"), id=quote.id, latest=latest.id
                )
            )
        if on > quote.valid_until:
            raise RuleViolation(Phrase(N_("quote {id} expired on {day}"), id=quote.id, day=str(quote.valid_until)))
    if to is QuoteStatus.EXPIRED and on <= quote.valid_until:
        raise RuleViolation(Phrase(N_("quote {id} is valid until {day}"), id=quote.id, day=str(quote.valid_until)))
    changed = quote.model_copy(update={"status": to, "history": [*quote.history, {"status": to, "on": str(on)}]})
    changed = Quote.model_validate(changed.data())
    store.documents.commit([DocumentWrite.of(changed, record.version)])
    return changed


def send_quote(store: GraphStore, id: str, on: date | None = None) -> Quote:
    return _transition(store, id, QuoteStatus.SENT, on)


def accept_quote(store: GraphStore, id: str, on: date | None = None) -> Quote:
    """Accept a sent quote within its validity; it is frozen from then on."""
    return _transition(store, id, QuoteStatus.ACCEPTED, on)


def reject_quote(store: GraphStore, id: str, on: date | None = None) -> Quote:
    return _transition(store, id, QuoteStatus.REJECTED, on)


def expire_quotes(store: GraphStore, on: date | None = None) -> list[Quote]:
    """Mark every sent quote past its validity as expired; returns them."""
    on = rules.day(on or today(), "date", "on")
    stale = [q for q in list_quotes(store) if q.status is QuoteStatus.SENT and on > q.valid_until]
    return [_transition(store, q.id, QuoteStatus.EXPIRED, on) for q in stale]


# ---- contracts and orders ---------------------------------------------------------------------
def create_contract(store: GraphStore, quote_id: str, *, start: date | None = None) -> Contract:
    """The contract of an accepted quote (one per quote: its id is `C-{quote id}`)."""
    quote = get_quote(store, quote_id)
    if quote.status is not QuoteStatus.ACCEPTED:
        raise RuleViolation(
            Phrase(
                N_("quote {id} is {status}: only an accepted quote makes a contract"),
                id=quote.id,
                status=quote.status.value,
            )
        )
    contract = Contract(
        id=f"C-{quote.id}",
        account=quote.account,
        quote=quote.id,
        currency=quote.currency,
        value=quote.net_total,
        start=rules.day(start or today(), "start", "start"),
    )
    try:
        store.documents.commit([DocumentWrite.of(contract)])
    except VersionConflict:
        raise RuleViolation(
            Phrase(N_("quote {id} already has contract {contract}"), id=quote.id, contract=contract.id)
        ) from None
    return contract


def get_contract(store: GraphStore, id: str) -> Contract:
    return _get(store, Contract, id)


def list_contracts(store: GraphStore, account: str | None = None) -> list[Contract]:
    return _all(store, Contract, account)


def create_order(
    store: GraphStore,
    contract_id: str,
    amount: Decimal | str | int,
    *,
    order_id: str | None = None,
    description: str | None = None,
    on: date | None = None,
) -> Order:
    """An order against a contract; the contract's orders never add up to more than its value."""
    on = rules.day(on or today(), "order date", "on")
    value = rules.amount(amount, Phrase(N_("order amount")), "amount")
    rules.identifier(order_id, Phrase(N_("order id")), "id")
    rules.text(description, Phrase(N_("description")), "description")

    def attempt(uow: UnitOfWork) -> Order:
        contract = _load(uow, Contract, contract_id)
        if value != round_money(value, contract.currency):
            raise InvalidArgument(f"amount: {value} is not a whole amount of {contract.currency}", field="amount")
        if contract.ordered + value > contract.value:
            raise RuleViolation(
                f"order of {value} {contract.currency} is above what contract {contract.id} has left "
                f"({contract.value - contract.ordered} of {contract.value})"
            )
        n = len([o for o in _all(store, Order, contract.account) if o.contract == contract.id]) + 1
        order = Order(
            id=order_id or f"{contract.id}-O{n}",
            account=contract.account,
            contract=contract.id,
            currency=contract.currency,
            amount=value,
            ordered_on=on,
            description=description,
        )
        updated = contract.model_copy(update={"ordered": contract.ordered + value})
        uow.save(order)
        uow.save(updated)
        return order

    return store.documents.retrying(attempt)


def get_order(store: GraphStore, id: str) -> Order:
    return _get(store, Order, id)


# ---- invoices ---------------------------------------------------------------------------------
def invoice_order(
    store: GraphStore,
    order_id: str,
    *,
    amount: Decimal | str | int | None = None,
    instalments: int = 1,
    interval_days: int = 30,
    terms_days: int = 30,
    on: date | None = None,
) -> list[Invoice]:
    """Invoice an order (default: what is not invoiced yet), in `instalments` invoices of equal whole
    minor units (the last takes the rest) due `terms_days` after `on`, then every `interval_days`.

    The invoices of an order never add up to more than its amount.
    """
    on = rules.day(on or today(), "issue date", "on")
    rules.days(instalments, Phrase(N_("instalments")), "instalments", least=1, most=rules.MAX_INSTALMENTS)
    rules.days(interval_days, Phrase(N_("days between instalments")), "interval_days")
    rules.days(terms_days, Phrase(N_("payment terms in days")), "terms_days")
    given = None if amount is None else rules.amount(amount, Phrase(N_("invoice amount")), "amount")

    def attempt(uow: UnitOfWork) -> list[Invoice]:
        order = _load(uow, Order, order_id)
        left = order.amount - order.invoiced
        total = left if given is None else given
        if total <= 0 or total > left:
            raise RuleViolation(f"order {order.id} has {left} {order.currency} left to invoice, not {total}")
        if total != round_money(total, order.currency):
            raise InvalidArgument(f"amount: {total} is not a whole amount of {order.currency}", field="amount")
        parts = split_evenly(total, instalments, order.currency)
        if any(p <= 0 for p in parts):
            raise RuleViolation(f"{total} {order.currency} cannot be split into {instalments} instalments")
        n = len([i for i in _all(store, Invoice, order.account) if i.order == order.id])
        invoices = [
            Invoice(
                id=f"{order.id}-I{n + k + 1}",
                account=order.account,
                order=order.id,
                currency=order.currency,
                amount=part,
                issued=on,
                due=on + timedelta(days=terms_days + k * interval_days),
                instalment=f"{k + 1}/{instalments}" if instalments > 1 else None,
            )
            for k, part in enumerate(parts)
        ]
        updated = order.model_copy(update={"invoiced": order.invoiced + total})
        for i in invoices:
            uow.save(i)
        uow.save(updated)
        return invoices

    return store.documents.retrying(attempt)


def get_invoice(store: GraphStore, id: str) -> Invoice:
    return _get(store, Invoice, id)


# ---- payments ---------------------------------------------------------------------------------
def payment_id(idempotency_key: str) -> str:
    """The id of the payment an idempotency key records (the same on every retry)."""
    return "PAY-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]


def _replayed(store: GraphStore, uow: UnitOfWork, key: str, request: dict[str, str]) -> Payment | None:
    """The payment already recorded under `key` (None if none); a different request is refused."""
    record = uow.get("idempotency", key)
    if record is None:
        return None
    if record.data.get("request") != request:
        raise RuleViolation(Phrase(N_("idempotency key {key} was already used for a different request"), key=repr(key)))
    return get_payment(store, str(record.data["payment"]))


def record_payment(
    store: GraphStore,
    invoice_id: str,
    amount: Decimal | str | int,
    *,
    idempotency_key: str,
    on: date | None = None,
) -> Payment:
    """Record a payment (partial allowed) against an invoice.

    Overpayment is refused. A retry with the same idempotency key returns the payment recorded the
    first time (recorded once, even under concurrent retries); the same key for a different request
    is refused.
    """
    on = rules.day(on or today(), "received", "received")
    value = rules.amount(amount, Phrase(N_("payment amount")), "amount")
    rules.idempotency_key(idempotency_key)
    request = {"op": "payment", "invoice": invoice_id, "amount": str(value)}  # a retry may come another day

    def attempt(uow: UnitOfWork) -> Payment:
        done = _replayed(store, uow, idempotency_key, request)
        if done is not None:
            return done
        invoice = _load(uow, Invoice, invoice_id)
        if value != round_money(value, invoice.currency):
            raise InvalidArgument(f"amount: {value} is not a whole amount of {invoice.currency}", field="amount")
        if invoice.paid + value > invoice.amount:
            raise RuleViolation(
                Phrase(
                    N_("overpayment refused: invoice {id} has {balance} {currency} open, not {value}"),
                    id=invoice.id,
                    balance=str(invoice.balance),
                    currency=invoice.currency,
                    value=str(value),
                )
            )
        payment = Payment(
            id=payment_id(idempotency_key),
            account=invoice.account,
            invoice=invoice.id,
            currency=invoice.currency,
            amount=value,
            received=on,
            idempotency_key=idempotency_key,
        )
        uow.write("idempotency", idempotency_key, invoice.account, {"payment": payment.id, "request": request})
        uow.save(payment)
        uow.save(invoice.model_copy(update={"paid": invoice.paid + value}))
        return payment

    return store.documents.retrying(attempt)


def refund_payment(
    store: GraphStore,
    payment: str,
    amount: Decimal | str | int,
    *,
    idempotency_key: str,
    on: date | None = None,
) -> Payment:
    """Refund (part of) a payment: an explicit negative entry against the same invoice, never more
    than what is left of the payment. Idempotent like `record_payment`."""
    on = rules.day(on or today(), "received", "received")
    value = rules.amount(amount, Phrase(N_("refund amount")), "amount")
    rules.idempotency_key(idempotency_key)
    request = {"op": "refund", "payment": payment, "amount": str(value)}

    def attempt(uow: UnitOfWork) -> Payment:
        done = _replayed(store, uow, idempotency_key, request)
        if done is not None:
            return done
        original = _load(uow, Payment, payment)
        if original.refund_of is not None:
            raise RuleViolation(Phrase(N_("{payment} is a refund itself"), payment=str(payment)))
        if value > original.amount - original.refunded:
            raise RuleViolation(
                f"payment {payment} has {original.amount - original.refunded} {original.currency} left to refund"
            )
        invoice = _load(uow, Invoice, original.invoice)
        refund = Payment(
            id=payment_id(idempotency_key),
            account=original.account,
            invoice=original.invoice,
            currency=original.currency,
            amount=-value,
            received=on,
            idempotency_key=idempotency_key,
            refund_of=original.id,
        )
        uow.write("idempotency", idempotency_key, original.account, {"payment": refund.id, "request": request})
        uow.save(refund)
        uow.save(original.model_copy(update={"refunded": original.refunded + value}))
        uow.save(invoice.model_copy(update={"paid": invoice.paid - value}))
        return refund

    return store.documents.retrying(attempt)


def get_payment(store: GraphStore, id: str) -> Payment:
    return _get(store, Payment, id)


def list_payments(store: GraphStore, account: str | None = None) -> list[Payment]:
    return _all(store, Payment, account)


def list_invoices(store: GraphStore, account: str | None = None) -> list[Invoice]:
    return _all(store, Invoice, account)


def list_orders(store: GraphStore, account: str | None = None) -> list[Order]:
    return _all(store, Order, account)


# ---- paid orders (the base of volume discounts and account value) ------------------------------
def paid_orders(store: GraphStore, account: str | None = None, on: date | None = None) -> list[Order]:
    """Orders placed on or before `on`, fully invoiced, whose invoices were fully paid by `on`
    (payments and refunds received on or before `on`)."""
    on = rules.day(on or today(), "date", "on")
    paid_by: dict[str, Decimal] = {}
    for p in list_payments(store, account):
        if p.received <= on:
            paid_by[p.invoice] = paid_by.get(p.invoice, Decimal(0)) + p.amount
    invoices: dict[str, list[Invoice]] = {}
    for i in list_invoices(store, account):
        invoices.setdefault(i.order, []).append(i)
    out = []
    for order in list_orders(store, account):
        mine = invoices.get(order.id, [])
        if (
            order.ordered_on <= on
            and mine
            and sum((i.amount for i in mine), Decimal(0)) == order.amount
            and all(i.issued <= on and paid_by.get(i.id, Decimal(0)) == i.amount for i in mine)
        ):
            out.append(order)
    return out


def trailing_volume(store: GraphStore, account: str, on: date | None = None, currency: str = "EUR") -> Decimal:
    """The account's paid-order volume in `currency` over the 365 days up to `on` (included)."""
    on = rules.day(on or today(), "date", "on")
    start = on - timedelta(days=365)
    return sum(
        (o.amount for o in paid_orders(store, account, on) if o.currency == currency and start < o.ordered_on),
        Decimal(0),
    )


# ---- account profile --------------------------------------------------------------------------
def set_strategic(store: GraphStore, account: str, strategic: bool = True, reason: str | None = None) -> AccountProfile:
    """Flag an account as strategic (it lifts its grade by one step), with a free-text `reason` (e.g. "industry
    leader"), or clear the flag (and its reason)."""
    account = _account(store, account)
    rules.text(reason, Phrase(N_("reason")), "reason")

    def attempt(uow: UnitOfWork) -> AccountProfile:
        uow.get("account_profile", account)
        profile = AccountProfile(id=account, strategic=strategic, reason=reason if strategic else None)
        uow.save(profile)
        return profile

    return store.documents.retrying(attempt)


def account_profile(store: GraphStore, account: str) -> AccountProfile:
    """The account's profile (not strategic, no reason, when none was stored)."""
    record = store.documents.get("account_profile", account)
    return AccountProfile(id=account) if record is None else AccountProfile.model_validate(record.data)


def is_strategic(store: GraphStore, account: str) -> bool:
    record = store.documents.get("account_profile", account)
    return bool(record is not None and record.data.get("strategic"))
