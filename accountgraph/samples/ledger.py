"""Deterministic demo records for an account: a catalogue with a bill of materials and option
dependencies, one past deal paid in full (which earns a volume discount), one current deal partly
invoiced and paid, and a draft quote for the next deal. Dates are relative to `reference`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service
from accountgraph.ledger.models import (
    Component,
    DiscountPolicy,
    DiscountTier,
    Money,
    PriceList,
    Product,
    round_money,
)
from accountgraph.schema.models import today


def _eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


DEMO_PRODUCTS: tuple[Product, ...] = (
    Product(id="ag-cpu", name="CPU module", list_price=_eur("1200.00")),
    Product(id="ag-chassis", name="Server chassis", list_price=_eur("800.00")),
    Product(id="ag-rail-kit", name="Rack rail kit", list_price=_eur("45.50")),
    Product(
        id="ag-server",
        name="Imaging server",
        list_price=_eur("3500.00"),
        components=[
            Component(product="ag-chassis", quantity=Decimal(1)),
            Component(product="ag-cpu", quantity=Decimal(2)),
        ],
        requires=["ag-rail-kit"],
    ),
    Product(id="ag-licence", name="Viewer licence (seat)", list_price=_eur("120.00")),
    Product(id="ag-support-basic", name="Support, business hours", list_price=_eur("1000.00")),
    Product(
        id="ag-support-premium",
        name="Support, 24/7",
        list_price=_eur("2500.00"),
        incompatible=["ag-support-basic"],
    ),
    Product(
        id="ag-platform",
        name="Imaging platform (2 servers, 25 seats)",
        list_price=_eur("9800.00"),
        components=[
            Component(product="ag-server", quantity=Decimal(2)),
            Component(product="ag-licence", quantity=Decimal(25)),
        ],
    ),
)

DEMO_POLICY = DiscountPolicy(
    currency="EUR",
    tiers=[
        DiscountTier(min_volume=Decimal(0), percent=Decimal(0)),
        DiscountTier(min_volume=Decimal(25_000), percent=Decimal(3)),
        DiscountTier(min_volume=Decimal(100_000), percent=Decimal(5)),
    ],
    approval_threshold=Decimal(10),
)


def seed_demo_ledger(store: GraphStore, account_id: str, reference: date | None = None) -> dict[str, int]:
    """Write the demo ledger of `account_id` (a root company that must exist); returns counts.

    Idempotent: when the demo's next-deal quote exists already, nothing is written again.
    """
    ref = reference or today()
    prefix = f"DEMO-{account_id}"
    if store.documents.get("quote", f"{prefix}-3-v1") is not None:
        return {"products": 0, "quotes": 0, "contracts": 0, "orders": 0, "invoices": 0, "payments": 0}
    for product in DEMO_PRODUCTS:
        service.save_product(store, product)
    service.save_price_list(
        store, PriceList(id="USD", prices={"ag-platform": Decimal("10650.00"), "ag-licence": Decimal("130.00")})
    )
    service.save_discount_policy(store, DEMO_POLICY)

    def day(offset: int) -> date:
        return ref + timedelta(days=offset)

    # 1. last year's deal: accepted, ordered, invoiced in two instalments, paid in full
    q1 = service.create_quote(
        store,
        account_id,
        [("ag-platform", 3), ("ag-support-basic", 3)],
        number=f"{prefix}-1",
        on=day(-300),
    )
    service.send_quote(store, q1.id, on=day(-299))
    service.accept_quote(store, q1.id, on=day(-290))
    c1 = service.create_contract(store, q1.id, start=day(-290))
    o1 = service.create_order(store, c1.id, c1.value, on=day(-289))
    invoices = service.invoice_order(store, o1.id, instalments=2, on=day(-288))
    for k, inv in enumerate(invoices):
        service.record_payment(store, inv.id, inv.amount, idempotency_key=f"{prefix}-pay-1-{k}", on=day(-255 + 30 * k))

    # 2. this quarter's deal, revised once with an approved manual discount: half ordered, invoiced
    #    in three instalments, the first one partly paid, one partial refund
    q2 = service.create_quote(
        store, account_id, [("ag-server", 10), ("ag-licence", 100)], number=f"{prefix}-2", on=day(-75)
    )
    service.send_quote(store, q2.id, on=day(-74))
    q2 = service.revise_quote(store, q2.id, manual_discount="12", approver="cfo@us", on=day(-70))
    service.send_quote(store, q2.id, on=day(-70))
    service.accept_quote(store, q2.id, on=day(-65))
    c2 = service.create_contract(store, q2.id, start=day(-65))
    half = round_money(c2.value / 2, c2.currency)
    o2 = service.create_order(store, c2.id, half, on=day(-64))
    i2 = service.invoice_order(store, o2.id, instalments=3, terms_days=30, interval_days=30, on=day(-60))
    p2 = service.record_payment(store, i2[0].id, i2[0].amount, idempotency_key=f"{prefix}-pay-2-0", on=day(-28))
    service.refund_payment(store, p2.id, "500.00", idempotency_key=f"{prefix}-refund-2-0", on=day(-20))

    # 3. the next deal: a draft with a bill of materials, its accessory and the volume discount
    q3 = service.create_quote(
        store,
        account_id,
        [("ag-platform", 2), ("ag-server", 4), ("ag-support-premium", 1)],
        number=f"{prefix}-3",
        on=ref,
    )
    assert q3.lines
    return {"products": len(DEMO_PRODUCTS), "quotes": 4, "contracts": 2, "orders": 2, "invoices": 5, "payments": 4}


PORTFOLIO_SALES: dict[str, tuple[tuple[int, tuple[tuple[str, int], ...], bool], ...]] = {
    # account: (days before the reference, lines, paid) per sale
    "lazega": (
        (-330, (("ag-platform", 4),), True),
        (-120, (("ag-support-premium", 4), ("ag-licence", 50)), True),
    ),
    "krackhardt": (
        (-200, (("ag-server", 3), ("ag-licence", 20)), True),
        (-50, (("ag-licence", 30),), False),  # invoiced with 14 days' terms, not paid: overdue
    ),
    "florentine": ((-250, (("ag-licence", 10),), True),),
    "huakang": (
        (-280, (("ag-platform", 2), ("ag-support-basic", 2)), True),
        (-40, (("ag-server", 2), ("ag-licence", 40)), True),
    ),
}
"""The demo portfolio's history beside the sample's: sales to the data sets' accounts and to the Chinese sample
(huakang), so that the portfolio's figures (revenue shares, grades, whitespace, overdue cash) have several accounts
to compare."""
PORTFOLIO_STRATEGIC = {
    "lazega": "the region's largest law firm: our reference customer for professional services",
    "huakang": "华康医疗集团: our reference group for medical-device makers in China",
}
PORTFOLIO_DEALS = (
    ("krackhardt", "DEMO-krackhardt-expansion", "Licence expansion", Decimal("60000.00"), "discover", -100),
    ("huakang", "DEMO-huakang-suzhou", "苏州工厂影像平台升级", Decimal("120000.00"), "propose", -20),
)
"""Open deals: on krackhardt, in `discover` since 100 days before the reference (a stalled deal); on huakang, the
Suzhou factory's imaging platform, in `propose` since 20 days before it."""


def seed_portfolio_ledger(store: GraphStore, accounts: list[str], reference: date | None = None) -> dict[str, int]:
    """Sales (`PORTFOLIO_SALES`), a strategic flag and an open deal on those of `accounts` (the data sets' and the
    Chinese sample's) the store holds, dated relative to `reference`; the catalogue of `seed_demo_ledger` must
    exist. Returns counts.

    Idempotent: an account whose first sale's quote exists is skipped."""
    from datetime import UTC, datetime, time

    from accountgraph.opportunities.service import create_opportunity

    ref = reference or today()
    counts = {"accounts": 0, "orders": 0, "unpaid invoices": 0, "strategic": 0, "deals": 0}
    for account, sales in PORTFOLIO_SALES.items():
        if account not in accounts or store.documents.get("quote", f"DEMO-{account}-1-v1") is not None:
            continue
        counts["accounts"] += 1
        for n, (offset, lines, paid) in enumerate(sales, start=1):
            on = ref + timedelta(days=offset)
            quote = service.create_quote(store, account, list(lines), number=f"DEMO-{account}-{n}", on=on)
            service.send_quote(store, quote.id, on=on)
            service.accept_quote(store, quote.id, on=on)
            contract = service.create_contract(store, quote.id, start=on)
            order = service.create_order(store, contract.id, contract.value, on=on)
            [invoice] = service.invoice_order(store, order.id, terms_days=30 if paid else 14, on=on)
            counts["orders"] += 1
            if paid:
                service.record_payment(
                    store, invoice.id, invoice.amount, idempotency_key=f"DEMO-{account}-pay-{n}", on=on + timedelta(20)
                )
            else:
                counts["unpaid invoices"] += 1
        if account in PORTFOLIO_STRATEGIC:
            service.set_strategic(store, account, True, PORTFOLIO_STRATEGIC[account])
            counts["strategic"] += 1
        for deal_account, deal_id, name, amount, stage, offset in PORTFOLIO_DEALS:
            if account == deal_account and store.documents.get("opportunity", deal_id) is None:
                at = datetime.combine(ref + timedelta(days=offset), time(9), tzinfo=UTC)
                create_opportunity(store, account, name, id=deal_id, stage=stage, amount=amount, at=at)
                counts["deals"] += 1
    return counts
