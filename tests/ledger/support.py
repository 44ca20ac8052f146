"""Helpers of the ledger tests: accounts, a one-product catalogue and a deal taken up to invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service
from accountgraph.ledger.models import Contract, DiscountPolicy, DiscountTier, Invoice, Money, Product
from accountgraph.schema import Bundle, Company

START = date(2024, 1, 1)


def accounts(store: GraphStore, *ids: str) -> None:
    """Root companies (accounts), and a subsidiary `{id}-sub` of each."""
    companies = [Company(id=i, name=i.upper()) for i in ids]
    companies += [Company(id=f"{i}-sub", name=f"{i} sub", parent=i) for i in ids]
    store.load_bundle(Bundle(companies=companies))


def no_volume_discount(store: GraphStore) -> None:
    service.save_discount_policy(store, DiscountPolicy(tiers=[DiscountTier(min_volume=Decimal(0), percent=Decimal(0))]))


def unit_product(store: GraphStore, id: str = "unit", price: str = "1.00", currency: str = "EUR") -> Product:
    return service.save_product(
        store, Product(id=id, name=id, list_price=Money(amount=Decimal(price), currency=currency))
    )


def contract(store: GraphStore, account: str, value: str, on: date = START, number: str | None = None) -> Contract:
    """An accepted quote of `value` units of a 1.00 product (no discount) and its contract."""
    if store.documents.get("product", "unit") is None:
        unit_product(store)
        no_volume_discount(store)
    q = service.create_quote(store, account, [("unit", value)], number=number or f"Q-{account}-{on}", on=on)
    service.send_quote(store, q.id, on=on)
    service.accept_quote(store, q.id, on=on)
    return service.create_contract(store, q.id, start=on)


def invoice(store: GraphStore, account: str, amount: str, on: date = START) -> Invoice:
    """One invoice of `amount` (an order of a contract of the same value), issued `on`, due 30 days later."""
    c = contract(store, account, amount, on, number=f"Q-{account}-{on}-{amount}")
    order = service.create_order(store, c.id, amount, on=on)
    [inv] = service.invoice_order(store, order.id, on=on)
    return inv
