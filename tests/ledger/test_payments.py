"""Contracts, orders, invoices and payments on both backends: limits, idempotency, concurrency, refunds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from accountgraph.errors import InvalidArgument, NotFoundError, RuleViolation
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service
from accountgraph.ledger.models import Invoice
from tests.ledger.support import START, accounts, contract, invoice


def run_together(n: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run `work(i)` in n threads released at once; what they returned and what they raised."""
    barrier = threading.Barrier(n)
    results: list[object] = []
    errors: list[BaseException] = []

    def go(i: int) -> None:
        barrier.wait()
        try:
            results.append(work(i))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_contract_only_from_an_accepted_quote_and_once(store: GraphStore) -> None:
    accounts(store, "acme")
    c = contract(store, "acme", "1000")
    assert (c.value, c.currency, c.account, c.ordered) == (Decimal("1000.00"), "EUR", "acme", Decimal(0))
    with pytest.raises(RuleViolation, match="already has contract"):
        service.create_contract(store, c.quote)
    q = service.create_quote(store, "acme", [("unit", 3)], number="draft", on=START)
    with pytest.raises(RuleViolation, match="only an accepted quote"):
        service.create_contract(store, q.id)


def test_orders_never_exceed_their_contract(store: GraphStore) -> None:
    accounts(store, "acme")
    c = contract(store, "acme", "1000")
    o1 = service.create_order(store, c.id, "600.00", on=START)
    with pytest.raises(RuleViolation, match="above what contract"):
        service.create_order(store, c.id, "400.01", on=START)
    with pytest.raises(InvalidArgument, match="whole amount"):  # a sub-cent amount is bad input, not a conflict
        service.create_order(store, c.id, "0.001", on=START)
    with pytest.raises(InvalidArgument, match="order amount must be greater than 0"):  # an input rule, not a 409
        service.create_order(store, c.id, "-5", on=START)
    o2 = service.create_order(store, c.id, "400", on=START)
    assert (o1.id, o2.id) == (f"{c.id}-O1", f"{c.id}-O2")
    assert service.get_contract(store, c.id).ordered == Decimal("1000.00")
    with pytest.raises(RuleViolation):
        service.create_order(store, c.id, "0.01", on=START)
    with pytest.raises(NotFoundError):
        service.create_order(store, "no-such-contract", "1", on=START)


def test_concurrent_orders_never_exceed_the_contract(store: GraphStore) -> None:
    accounts(store, "acme")
    c = contract(store, "acme", "100")
    results, errors = run_together(12, lambda i: service.create_order(store, c.id, "10", on=START))
    assert len(results) == 10 and len(errors) == 2 and all(isinstance(e, RuleViolation) for e in errors)
    assert service.get_contract(store, c.id).ordered == Decimal("100.00")
    assert sum(o.amount for o in service.list_orders(store, "acme")) == Decimal("100.00")


def test_instalments_add_up_exactly_and_never_exceed_the_order(store: GraphStore) -> None:
    accounts(store, "acme")
    c = contract(store, "acme", "100")
    order = service.create_order(store, c.id, "100", on=START)
    parts = service.invoice_order(store, order.id, instalments=3, terms_days=14, interval_days=30, on=START)
    assert [(i.amount, i.due, i.instalment) for i in parts] == [
        (Decimal("33.33"), START + timedelta(days=14), "1/3"),
        (Decimal("33.33"), START + timedelta(days=44), "2/3"),
        (Decimal("33.34"), START + timedelta(days=74), "3/3"),
    ]
    assert service.get_order(store, order.id).invoiced == Decimal("100.00")
    with pytest.raises(RuleViolation, match="left to invoice"):
        service.invoice_order(store, order.id, on=START)
    c2 = contract(store, "acme", "50", number="second")
    o2 = service.create_order(store, c2.id, "50", on=START)
    service.invoice_order(store, o2.id, amount="20", on=START)
    with pytest.raises(RuleViolation, match="left to invoice"):
        service.invoice_order(store, o2.id, amount="30.01", on=START)
    [rest] = service.invoice_order(store, o2.id, on=START)
    assert rest.amount == Decimal("30.00") and rest.id == f"{o2.id}-I2"


def test_partial_payments_and_overpayment_refused(store: GraphStore) -> None:
    accounts(store, "acme")
    inv = invoice(store, "acme", "100")
    service.record_payment(store, inv.id, "0.10", idempotency_key="a", on=START)
    service.record_payment(store, inv.id, "0.20", idempotency_key="b", on=START)
    assert service.get_invoice(store, inv.id).paid == Decimal("0.30")
    with pytest.raises(RuleViolation, match="overpayment refused"):
        service.record_payment(store, inv.id, "99.71", idempotency_key="c", on=START)
    for bad in ("0", "-1", "0.001"):
        with pytest.raises(InvalidArgument):  # bad input, a sub-cent amount included: never a conflict
            service.record_payment(store, inv.id, bad, idempotency_key=f"bad{bad}", on=START)
    assert store.documents.get("idempotency", "c") is None  # a refused payment leaves nothing behind
    service.record_payment(store, inv.id, "99.70", idempotency_key="d", on=START)
    assert service.get_invoice(store, inv.id).balance == 0
    assert len(service.list_payments(store, "acme")) == 3


def test_a_retried_payment_is_recorded_once(store: GraphStore) -> None:
    accounts(store, "acme")
    inv = invoice(store, "acme", "100")
    first = service.record_payment(store, inv.id, "40", idempotency_key="req-1", on=START)
    again = service.record_payment(store, inv.id, "40", idempotency_key="req-1", on=START + timedelta(days=1))
    assert again == first and first.id == service.payment_id("req-1")
    assert service.get_invoice(store, inv.id).paid == Decimal("40.00")
    with pytest.raises(RuleViolation, match="different request"):
        service.record_payment(store, inv.id, "41", idempotency_key="req-1", on=START)
    assert len(service.list_payments(store)) == 1


def test_twenty_concurrent_retries_of_one_payment_record_one(store: GraphStore) -> None:
    accounts(store, "acme")
    inv = invoice(store, "acme", "100")
    results, errors = run_together(
        20, lambda i: service.record_payment(store, inv.id, "25", idempotency_key="same", on=START)
    )
    assert errors == [] and len(results) == 20 and len({id(r) for r in results}) == 20
    assert all(r == results[0] for r in results)
    assert len(service.list_payments(store)) == 1
    assert service.get_invoice(store, inv.id).paid == Decimal("25.00")


def test_twenty_concurrent_payments_never_push_an_invoice_past_its_amount(store: GraphStore) -> None:
    accounts(store, "acme")
    inv = invoice(store, "acme", "150")
    results, errors = run_together(
        20, lambda i: service.record_payment(store, inv.id, "10", idempotency_key=f"k{i}", on=START)
    )
    assert len(results) == 15 and len(errors) == 5
    assert all(isinstance(e, RuleViolation) and "overpayment" in str(e) for e in errors)
    payments = service.list_payments(store, "acme")
    assert len(payments) == 15 and sum(p.amount for p in payments) == Decimal("150")
    stored: Invoice = service.get_invoice(store, inv.id)
    assert stored.paid == stored.amount == Decimal("150.00")


def test_refunds_are_explicit_negative_entries(store: GraphStore) -> None:
    accounts(store, "acme")
    inv = invoice(store, "acme", "100")
    paid = service.record_payment(store, inv.id, "100", idempotency_key="pay", on=START)
    refund = service.refund_payment(store, paid.id, "30", idempotency_key="refund-1", on=START + timedelta(days=3))
    assert refund.amount == Decimal("-30") and refund.refund_of == paid.id and refund.invoice == inv.id
    assert (
        service.refund_payment(store, paid.id, "30", idempotency_key="refund-1", on=START + timedelta(days=3)) == refund
    )
    assert service.get_invoice(store, inv.id).paid == Decimal("70.00")
    assert service.get_payment(store, paid.id).refunded == Decimal("30")
    with pytest.raises(RuleViolation, match="left to refund"):
        service.refund_payment(store, paid.id, "70.01", idempotency_key="refund-2", on=START)
    with pytest.raises(RuleViolation, match="refund itself"):
        service.refund_payment(store, refund.id, "1", idempotency_key="refund-3", on=START)
    service.record_payment(store, inv.id, "30", idempotency_key="pay-again", on=START)  # room again after the refund
    with pytest.raises(RuleViolation, match="overpayment"):
        service.record_payment(store, inv.id, "0.01", idempotency_key="too-much", on=START)
    assert sorted(p.amount for p in service.list_payments(store, "acme")) == [Decimal(-30), Decimal(30), Decimal(100)]
