"""Catalogue, pricing and quotes, on both backends: exact totals, discounts, dependencies, statuses."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from pydantic import ValidationError

from accountgraph.errors import InvalidArgument, NotFoundError, RuleViolation
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service
from accountgraph.ledger.models import (
    Component,
    DiscountPolicy,
    DiscountTier,
    Money,
    PriceList,
    Product,
    QuoteStatus,
    round_money,
    split_evenly,
)
from tests.ledger.support import accounts, contract, no_volume_discount, unit_product

ON = date(2026, 3, 2)


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def product(store: GraphStore, id: str, price: str, **kw: object) -> Product:
    return service.save_product(store, Product.model_validate({"id": id, "name": id, "list_price": eur(price), **kw}))


def test_money_is_never_float() -> None:
    with pytest.raises(ValidationError, match="never float"):
        Money.model_validate({"amount": 0.1, "currency": "EUR"})
    with pytest.raises(ValidationError):
        Money(amount=Decimal("NaN"), currency="EUR")
    with pytest.raises(ValidationError):
        Money(amount=Decimal(1), currency="eur")
    with pytest.raises(RuleViolation):
        service.to_decimal(0.1)  # type: ignore[arg-type]
    assert Money.model_validate_json('{"amount": "0.10", "currency": "EUR"}').amount == Decimal("0.10")


def test_rounding_rule_and_instalment_split() -> None:
    assert round_money(Decimal("0.125"), "EUR") == Decimal("0.12")  # half to even
    assert round_money(Decimal("0.135"), "EUR") == Decimal("0.14")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("2")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.000")
    assert split_evenly(Decimal("100.00"), 3, "EUR") == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(split_evenly(Decimal("0.05"), 4, "EUR")) == Decimal("0.05")


def test_point_one_plus_point_two_is_point_three(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    product(store, "dime", "0.1")
    product(store, "fifth", "0.2")
    q = service.create_quote(store, "acme", [("dime", 1), ("fifth", "1")], on=ON)
    assert q.net_total == Decimal("0.30") and q.list_total == Decimal("0.30") and q.discount_total == 0
    stored = service.get_quote(store, q.id)
    assert stored == q and str(stored.net_total) == "0.30"


def test_half_cents_round_half_even_per_line_and_totals_add_up(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    product(store, "a", "0.125")
    product(store, "b", "0.135")
    product(store, "c", "0.25")
    product(store, "d", "0.35")
    q = service.create_quote(store, "acme", [("a", 1), ("b", 1)], on=ON)
    assert [line.net for line in q.lines] == [Decimal("0.12"), Decimal("0.14")]
    assert q.net_total == Decimal("0.26")
    # 10 % manual discount: 0.25 × 0.9 = 0.225 → 0.22 and 0.35 × 0.9 = 0.315 → 0.32 (ties to even)
    q = service.create_quote(store, "acme", [("c", 1), ("d", 1)], manual_discount="10", on=ON)
    assert [line.net for line in q.lines] == [Decimal("0.22"), Decimal("0.32")]
    assert (q.list_total, q.discount_total, q.net_total) == (Decimal("0.60"), Decimal("0.06"), Decimal("0.54"))


def test_large_quantities_and_many_lines_are_exact(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    product(store, "big", "12345.67")
    q = service.create_quote(store, "acme", [("big", 10**12)], manual_discount="3", approver=None, on=ON)
    assert q.list_total == Decimal("12345670000000000.00")
    assert q.net_total == Decimal("11975299900000000.00")
    prices = [f"{i}.{(i * 37) % 1000:03d}" for i in range(1, 121)]  # three decimals: every line rounds
    for i, price in enumerate(prices):
        product(store, f"p{i:03d}", price)
    lines = [(f"p{i:03d}", str(i % 7 + 1)) for i in range(len(prices))]
    q = service.create_quote(store, "acme", lines, manual_discount="7.5", on=ON)
    expected = [
        (Decimal(p) * (i % 7 + 1) * Decimal("92.5") / 100).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        for i, p in enumerate(prices)
    ]
    assert [line.net for line in q.lines] == expected
    assert q.net_total == sum(expected) and q.list_total - q.discount_total == q.net_total
    assert service.get_quote(store, q.id).net_total == sum(expected)


def test_minor_units_of_the_currency(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    unit_product(store, "yen", "101", "JPY")
    q = service.create_quote(store, "acme", [("yen", 3)], currency="JPY", manual_discount="5", on=ON)
    assert q.net_total == Decimal("288")  # 303 × 0.95 = 287.85 → 288


def test_price_list_per_currency(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    product(store, "x", "10.00")
    with pytest.raises(RuleViolation, match="no price in USD"):
        service.create_quote(store, "acme", [("x", 1)], currency="USD", on=ON)
    service.save_price_list(store, PriceList(id="USD", prices={"x": Decimal("11.50")}))
    q = service.create_quote(store, "acme", [("x", 2)], currency="USD", on=ON)
    assert q.currency == "USD" and q.net_total == Decimal("23.00")
    with pytest.raises(NotFoundError):
        service.save_price_list(store, PriceList(id="GBP", prices={"nope": Decimal(1)}))


def test_bill_of_materials_nests_and_refuses_cycles(store: GraphStore) -> None:
    product(store, "cpu", "100")
    product(store, "box", "50")
    product(store, "server", "300", components=[{"product": "box", "quantity": "1"}, {"product": "cpu", "quantity": 2}])
    product(store, "rack", "1000", components=[{"product": "server", "quantity": 4}, {"product": "cpu", "quantity": 1}])
    assert service.bill_of_materials(store, "rack", 3) == {"box": Decimal(12), "cpu": Decimal(27)}
    with pytest.raises(InvalidArgument, match=r"2\.5 is not a whole number: 'cpu' is sold by the piece"):
        service.bill_of_materials(store, "cpu", "2.5")  # piece counts are whole numbers
    product(store, "cable", "2", unit="m", divisible=True)
    assert service.bill_of_materials(store, "cable", "2.5") == {"cable": Decimal("2.5")}
    with pytest.raises(RuleViolation, match="cycle"):  # cpu made of racks: rack → server → cpu → rack
        product(store, "cpu", "100", components=[{"product": "rack", "quantity": 1}])
    with pytest.raises(RuleViolation, match="itself"):
        product(store, "box", "50", components=[{"product": "box", "quantity": 1}])
    with pytest.raises(NotFoundError):
        product(store, "gadget", "5", components=[{"product": "nothing", "quantity": 1}])
    assert service.get_product(store, "cpu").components == []  # nothing changed
    with pytest.raises(ValidationError):
        Component(product="cpu", quantity=Decimal(0))


def test_required_accessories_come_along_and_incompatible_options_are_refused(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    product(store, "rail", "10.00")
    product(store, "cable", "1.00")
    product(store, "server", "100.00", requires=["rail"])
    product(store, "rail2", "12.00", requires=["cable"])
    product(store, "basic", "5.00")
    product(store, "premium", "9.00", incompatible=["basic"])
    product(store, "big", "200.00", requires=["rail2"])
    q = service.create_quote(store, "acme", [("server", 3), ("big", 2)], on=ON)
    got = {line.product: (line.quantity, line.required_by) for line in q.lines}
    assert got == {
        "server": (Decimal(3), None),
        "big": (Decimal(2), None),
        "rail": (Decimal(3), "server"),
        "rail2": (Decimal(2), "big"),
        "cable": (Decimal(2), "rail2"),
    }
    assert q.net_total == Decimal("300.00") + Decimal("400.00") + Decimal("30.00") + Decimal("24.00") + Decimal("2.00")
    for lines in ([("premium", 1), ("basic", 1)], [("basic", 1), ("premium", 1)]):
        with pytest.raises(RuleViolation, match="cannot be quoted together"):
            service.create_quote(store, "acme", lines, on=ON)
    with pytest.raises(NotFoundError):
        service.create_quote(store, "acme", [("ghost", 1)], on=ON)
    assert len(service.list_quotes(store)) == 1


def test_volume_discount_by_trailing_paid_volume_and_manual_approval(store: GraphStore) -> None:
    accounts(store, "acme", "other")
    c = contract(store, "acme", "1000", on=date(2025, 3, 1))
    order = service.create_order(store, c.id, "1000", on=date(2025, 3, 2))
    [inv] = service.invoice_order(store, order.id, on=date(2025, 3, 2))
    service.record_payment(store, inv.id, "1000", idempotency_key="k", on=date(2025, 3, 20))
    policy = DiscountPolicy(
        tiers=[
            DiscountTier(min_volume=Decimal(0), percent=Decimal(0)),
            DiscountTier(min_volume=Decimal(1000), percent=Decimal(5)),
        ],
        approval_threshold=Decimal(10),
    )
    service.save_discount_policy(store, policy)
    assert service.trailing_volume(store, "acme", date(2025, 3, 19)) == 0  # not paid yet
    assert service.trailing_volume(store, "acme", date(2026, 3, 1)) == Decimal(1000)
    assert service.trailing_volume(store, "acme", date(2026, 3, 2)) == 0  # 365 days later: out of the window
    q = service.create_quote(store, "acme-sub", [("unit", 100)], on=date(2026, 3, 1))
    assert q.account == "acme" and q.lines[0].volume_discount == 5 and q.net_total == Decimal("95.00")
    assert service.create_quote(store, "other", [("unit", 100)], on=date(2026, 3, 1)).net_total == Decimal("100.00")
    q = service.create_quote(store, "acme", [("unit", 100)], manual_discount="10", on=date(2026, 3, 1))
    assert q.net_total == Decimal("85.00")  # volume 5 % + manual 10 %
    with pytest.raises(RuleViolation, match="needs an approver"):
        service.create_quote(store, "acme", [("unit", 100)], manual_discount="10.01", on=date(2026, 3, 1))
    q = service.create_quote(store, "acme", [("unit", 100)], manual_discount="20", approver="cfo", on=date(2026, 3, 1))
    assert q.net_total == Decimal("75.00") and q.approver == "cfo"


def test_only_legal_transitions(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    unit_product(store)
    q = service.create_quote(store, "acme", [("unit", 5)], number="Q1", on=ON, valid_days=10)
    assert q.id == "Q1-v1" and q.status is QuoteStatus.DRAFT
    for illegal in (service.accept_quote, service.reject_quote):
        with pytest.raises(RuleViolation, match="draft: it cannot become"):
            illegal(store, q.id, on=ON)
    assert service.send_quote(store, "Q1", on=ON).status is QuoteStatus.SENT
    with pytest.raises(RuleViolation, match="sent: it cannot become sent"):
        service.send_quote(store, q.id, on=ON)
    accepted = service.accept_quote(store, q.id, on=ON + timedelta(days=10))
    assert accepted.status is QuoteStatus.ACCEPTED and [h["status"] for h in accepted.history] == [
        "draft",
        "sent",
        "accepted",
    ]
    for change in (service.reject_quote, service.send_quote, service.accept_quote):
        with pytest.raises(RuleViolation, match="accepted: it cannot become"):
            change(store, q.id, on=ON)
    with pytest.raises(RuleViolation, match="frozen"):
        service.revise_quote(store, q.id, [("unit", 6)], on=ON)
    assert service.get_quote(store, "Q1-v1") == accepted and len(service.quote_versions(store, "Q1")) == 1
    q2 = service.create_quote(store, "acme", [("unit", 5)], number="Q2", on=ON)
    service.send_quote(store, q2.id, on=ON)
    assert service.reject_quote(store, q2.id, on=ON).status is QuoteStatus.REJECTED
    with pytest.raises(RuleViolation):
        service.send_quote(store, q2.id, on=ON)


def test_validity_and_expiry(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    unit_product(store)
    q = service.create_quote(store, "acme", [("unit", 5)], number="Q", on=ON, valid_days=30)
    service.send_quote(store, q.id, on=ON)
    late = ON + timedelta(days=31)
    with pytest.raises(RuleViolation, match="expired"):
        service.accept_quote(store, q.id, on=late)
    assert service.expire_quotes(store, ON + timedelta(days=30)) == []
    [expired] = service.expire_quotes(store, late)
    assert expired.status is QuoteStatus.EXPIRED
    with pytest.raises(RuleViolation):
        service.accept_quote(store, q.id, on=ON)


def test_revisions_are_new_versions_and_only_the_latest_counts(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    unit_product(store)
    v1 = service.create_quote(store, "acme", [("unit", 5)], number="Q", on=ON)
    service.send_quote(store, v1.id, on=ON)
    v2 = service.revise_quote(store, "Q", [("unit", 7)], on=ON)
    assert (v2.id, v2.version, v2.status, v2.net_total) == ("Q-v2", 2, QuoteStatus.DRAFT, Decimal("7.00"))
    assert service.get_quote(store, "Q-v1").net_total == Decimal("5.00")  # the old version is kept as it was
    assert service.get_quote(store, "Q") == v2
    with pytest.raises(RuleViolation, match="latest version"):
        service.accept_quote(store, "Q-v1", on=ON)
    v3 = service.revise_quote(store, "Q-v1", manual_discount="5", on=ON)
    assert v3.version == 3 and v3.requested == v1.requested and v3.net_total == Decimal("4.75")
    service.send_quote(store, "Q", on=ON)
    service.accept_quote(store, "Q", on=ON)
    with pytest.raises(RuleViolation, match="frozen"):
        service.revise_quote(store, "Q-v2", on=ON)
    assert [q.status.value for q in service.quote_versions(store, "Q")] == ["sent", "draft", "accepted"]
