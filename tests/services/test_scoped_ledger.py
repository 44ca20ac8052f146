"""The ledger's use cases called directly, on both backends: a scope limited to one account is refused, or
sees nothing, of another account's quotes, contracts, orders, invoices, payments and cash, exactly as if they
did not exist; and it may not change the shared catalogue. No HTTP is involved: the service decides."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from accountgraph.errors import Forbidden, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.ledger.models import Money, Product
from accountgraph.schema.models import ApiRole
from accountgraph.services import ledger
from accountgraph.services.scope import Scope
from tests.ledger.support import START, accounts, invoice

OPERATOR = Scope.operator()
LIMITED = Scope("k1", ApiRole.PLANNER, frozenset({"a"}))


@pytest.fixture
def books(store: GraphStore) -> GraphStore:
    """Accounts `a` and `b`, each with one paid-in-part invoice of 10.00."""
    accounts(store, "a", "b")
    for account in ("a", "b"):
        inv = invoice(store, account, "10.00")
        ledger.record_payment(store, OPERATOR, inv.id, "4.00", idempotency_key=f"k-{account}", on=START)
    return store


def _theirs(store: GraphStore) -> dict[str, str]:
    """The id of account b's record of each kind."""
    return {kind: ids[0] for kind, ids in _ids(store, "b").items()}


def _ids(store: GraphStore, account: str) -> dict[str, list[str]]:
    return {
        "quote": [q.id for q in ledger.list_quotes(store, OPERATOR, account).data],
        "contract": [c.id for c in ledger.list_contracts(store, OPERATOR, account).data],
        "order": [o.id for o in ledger.list_orders(store, OPERATOR, account).data],
        "invoice": [i.id for i in ledger.list_invoices(store, OPERATOR, account).data],
        "payment": [p.id for p in ledger.list_payments(store, OPERATOR, account).data],
    }


def test_another_accounts_records_answer_as_if_they_did_not_exist(books: GraphStore) -> None:
    theirs = _theirs(books)
    reads = {
        "quote": ledger.get_quote,
        "contract": ledger.get_contract,
        "order": ledger.get_order,
        "invoice": ledger.get_invoice,
        "payment": ledger.get_payment,
    }
    for kind, read in reads.items():
        assert read(books, OPERATOR, theirs[kind]).id == theirs[kind]
        with pytest.raises(NotFoundError) as hidden:
            read(books, LIMITED, theirs[kind])
        with pytest.raises(NotFoundError) as missing:
            read(books, LIMITED, "no-such-id")
        assert str(hidden.value) == str(missing.value).replace("no-such-id", theirs[kind])
    with pytest.raises(NotFoundError):
        ledger.cash_picture(books, LIMITED, "b", START)
    with pytest.raises(NotFoundError):
        ledger.account_value(books, LIMITED, "b", START)
    assert ledger.cash_picture(books, LIMITED, "a", START).billed == Decimal("10.00")


def test_writes_on_another_accounts_records_are_refused_and_change_nothing(books: GraphStore) -> None:
    theirs = _theirs(books)
    before = _ids(books, "b")
    refused: list[Callable[[], object]] = [
        lambda: ledger.create_quote(books, LIMITED, "b", [("unit", "1")], on=START),
        lambda: ledger.create_quote(books, LIMITED, "b-sub", [("unit", "1")], on=START),
        lambda: ledger.send_quote(books, LIMITED, theirs["quote"], on=START),
        lambda: ledger.revise_quote(books, LIMITED, theirs["quote"], on=START),
        lambda: ledger.create_contract(books, LIMITED, theirs["quote"], start=START),
        lambda: ledger.create_order(books, LIMITED, theirs["contract"], "1.00", on=START),
        lambda: ledger.invoice_order(books, LIMITED, theirs["order"], on=START),
        lambda: ledger.record_payment(books, LIMITED, theirs["invoice"], "1.00", idempotency_key="x", on=START),
        lambda: ledger.refund_payment(books, LIMITED, theirs["payment"], "1.00", idempotency_key="y", on=START),
    ]
    for write in refused:
        with pytest.raises(NotFoundError):
            write()
    assert _ids(books, "b") == before
    mine = ledger.list_invoices(books, LIMITED, "a").data[0]
    assert ledger.record_payment(books, LIMITED, mine.id, "1.00", idempotency_key="mine", on=START).account == "a"


def test_lists_leave_another_accounts_records_out(books: GraphStore) -> None:
    everything = ledger.list_payments(books, OPERATOR).data
    assert {p.account for p in everything} == {"a", "b"}
    lists = (ledger.list_quotes, ledger.list_contracts, ledger.list_orders, ledger.list_invoices, ledger.list_payments)
    for list_ in lists:
        assert {r.account for r in list_(books, LIMITED).data} == {"a"}
        assert list_(books, LIMITED, "b").data == []
    page = ledger.list_quotes(books, OPERATOR, limit=1)
    assert page.count == 1 and page.next_cursor is not None
    rest = ledger.list_quotes(books, OPERATOR, cursor=page.next_cursor, limit=None)
    assert [q.id for q in page.data + rest.data] == [q.id for q in ledger.list_quotes(books, OPERATOR).data]


def test_only_an_unlimited_scope_changes_the_shared_catalogue(books: GraphStore) -> None:
    product = Product(id="unit", name="unit", list_price=Money(amount=Decimal("9.99"), currency="EUR"))
    with pytest.raises(Forbidden):
        ledger.save_product(books, LIMITED, product, id="unit")
    assert ledger.list_products(books).data[0].list_price.amount == Decimal("1.00")
    assert ledger.save_product(books, OPERATOR, product, id="unit").list_price.amount == Decimal("9.99")
