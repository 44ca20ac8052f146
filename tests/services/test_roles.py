"""Roles decided by the services, on both backends: every write use case refuses a viewer's scope (Forbidden,
nothing written) before it looks at anything, whoever calls it (the API, the CLI, the workspace); only an
admin's scope manages keys; the operator (the CLI) may do everything. No HTTP is involved: the service decides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from accountgraph.errors import Forbidden
from accountgraph.graph.store import GraphStore
from accountgraph.ledger.models import Money, Product
from accountgraph.opportunities.models import CommitteeMember
from accountgraph.plans.models import Goal, GoalSpec
from accountgraph.schema.models import ApiRole, Interaction, Person, Tie, TieType
from accountgraph.services import crm_import, keys, ledger, mapping, opportunities, plans, portfolio, records
from accountgraph.services.scope import Scope
from tests.ledger.support import START, contract, invoice
from tests.plans.test_plans import LOADED, other_account, plan_account

OPERATOR = Scope.operator()
VIEWER = Scope("v1", ApiRole.VIEWER)
PLANNER = Scope("p1", ApiRole.PLANNER)
D = date(2026, 3, 1)
DOCUMENT_KINDS = ("product", "quote", "contract", "order", "invoice", "payment", "opportunity", "plan")
COMPANIES = """
record: company
key: Id
ids: {company: x-}
fields:
  name: Name
"""


@pytest.fixture
def full(store: GraphStore) -> GraphStore:
    """The plan account `acc` (a plan `p1` with goal `g1` and action `a1`, an opportunity `o1`), another account
    `oth`, and `acc`'s ledger: a draft quote, an accepted one's contract, an order, an invoice and a payment."""
    store.load_bundle(plan_account(), on=LOADED)
    store.load_bundle(other_account(), on=LOADED)
    plans.create_plan(store, OPERATOR, "acc", "Acc plan", id="p1", goals=[Goal(id="g1", kind="stance", person="cfo")])
    plans.add_action(store, OPERATOR, "p1", owner="am", target="cfo", id="a1", on=D)
    opportunities.create_opportunity(store, OPERATOR, "acc", "Renewal", id="o1", owner="am")
    inv = invoice(store, "acc", "10.00")
    ledger.record_payment(store, OPERATOR, inv.id, "4.00", idempotency_key="k-acc", on=START)
    contract(store, "acc", "5.00", number="Q-acc-second")
    ledger.create_quote(store, OPERATOR, "acc", [("unit", "1")], number="Q-draft", on=START)
    return store


def _state(store: GraphStore) -> Any:
    """Everything a write could change: the data version, the record counts, every document, the keys."""
    documents = {kind: sorted((d.id, d.version) for d in store.documents.list(kind)) for kind in DOCUMENT_KINDS}
    return store.data_version(), store.counts(), documents, store.list_api_keys()


def _writes(store: GraphStore) -> dict[str, Callable[[Scope], object]]:
    """Every write use case of the services, each with arguments that would succeed for a planner."""
    [contract_] = [c.id for c in ledger.list_contracts(store, OPERATOR, "acc").data if c.quote.startswith("Q-acc-2")]
    [order] = [o.id for o in ledger.list_orders(store, OPERATOR, "acc").data]
    [inv] = [i.id for i in ledger.list_invoices(store, OPERATOR, "acc").data]
    [payment] = [p.id for p in ledger.list_payments(store, OPERATOR, "acc").data]
    cfo = records.get_record(store, OPERATOR, "person", "cfo")
    product = Product(id="unit2", name="Unit 2", list_price=Money(amount=Decimal("2.00"), currency="EUR"))
    bundle = {"format": "accountgraph-bundle", "version": 1, "companies": [{"id": "new", "name": "New Corp"}]}
    companies = mapping.read_mapping_text(COMPANIES, "mapping.yaml")
    csv = b"Id,Name\r\n1,Fresh Corp\r\n"
    return {
        "records.put_record": lambda s: records.put_record(
            store, s, cfo.model_copy(update={"name": "Renamed"}), id="cfo"
        ),
        "records.put_record (new)": lambda s: records.put_record(store, s, Person(id="np", name="N", company="acc")),
        "records.put_record (interaction)": lambda s: records.put_record(
            store,
            s,
            Interaction(id="i9", member="am", person="cfo", kind="call", at=datetime(2026, 3, 1, 9, tzinfo=UTC)),
        ),
        "records.delete_record": lambda s: records.delete_record(store, s, "person", "eng"),
        "records.put_tie": lambda s: records.put_tie(
            store, s, Tie.model_validate({"from": "se", "to": "cfo", "type": "knows", "strength": 0.4})
        ),
        "records.delete_tie": lambda s: records.delete_tie(store, s, TieType.KNOWS, "gm", "eng"),
        "records.import_document": lambda s: records.import_document(store, s, bundle),
        "records.import_document (dry run)": lambda s: records.import_document(store, s, bundle, dry_run=True),
        "crm_import.import_file": lambda s: crm_import.import_file(store, s, "c.csv", csv, [companies]),
        "crm_import.import_file (dry run)": lambda s: crm_import.import_file(
            store, s, "c.csv", csv, [companies], dry_run=True
        ),
        "ledger.save_product": lambda s: ledger.save_product(store, s, product, id="unit2"),
        "ledger.create_quote": lambda s: ledger.create_quote(store, s, "acc", [("unit", "2")], on=START),
        "ledger.send_quote": lambda s: ledger.send_quote(store, s, "Q-draft", on=START),
        "ledger.accept_quote": lambda s: ledger.accept_quote(store, s, "Q-draft", on=START),
        "ledger.reject_quote": lambda s: ledger.reject_quote(store, s, "Q-draft", on=START),
        "ledger.revise_quote": lambda s: ledger.revise_quote(store, s, "Q-draft", [("unit", "3")], on=START),
        "ledger.create_contract": lambda s: ledger.create_contract(store, s, "Q-draft", start=START),
        "ledger.create_order": lambda s: ledger.create_order(store, s, contract_, "1.00", on=START),
        "ledger.invoice_order": lambda s: ledger.invoice_order(store, s, order, amount="1.00", on=START),
        "ledger.record_payment": lambda s: ledger.record_payment(store, s, inv, "1.00", idempotency_key="k9", on=START),
        "ledger.refund_payment": lambda s: ledger.refund_payment(
            store, s, payment, "1.00", idempotency_key="r9", on=START
        ),
        "opportunities.create_opportunity": lambda s: opportunities.create_opportunity(store, s, "acc", "Upsell"),
        "opportunities.update_opportunity": lambda s: opportunities.update_opportunity(store, s, "o1", name="New"),
        "opportunities.set_committee": lambda s: opportunities.set_committee(
            store, s, "o1", [CommitteeMember(person="cfo")]
        ),
        "opportunities.move_stage": lambda s: opportunities.move_stage(store, s, "o1", "discover"),
        "plans.create_plan": lambda s: plans.create_plan(store, s, "acc", "Second", on=D),
        "plans.create_plan_from_opportunity": lambda s: plans.create_plan_from_opportunity(
            store, s, "o1", on=D, cache=None
        ),
        "plans.create_plan_from_actions": lambda s: plans.create_plan_from_actions(store, s, "acc", on=D),
        "plans.update_plan": lambda s: plans.update_plan(store, s, "p1", name="Renamed"),
        "plans.add_goal": lambda s: plans.add_goal(store, s, "p1", GoalSpec(kind="stance", person="ceo"), on=D),
        "plans.upsert_goal": lambda s: plans.upsert_goal(
            store, s, "p1", Goal(id="g1", kind="stance", person="ceo"), on=D
        ),
        "plans.remove_goal": lambda s: plans.remove_goal(store, s, "p1", "g1", on=D),
        "plans.add_action": lambda s: plans.add_action(store, s, "p1", owner="se", target="gm", on=D),
        "plans.update_action": lambda s: plans.update_action(store, s, "p1", "a1", status="done"),
        "portfolio.set_strategic": lambda s: portfolio.set_strategic(store, s, "acc", reason="leader"),
    }


def test_every_write_refuses_a_viewer_and_writes_nothing(full: GraphStore) -> None:
    before = _state(full)
    for name, write in _writes(full).items():
        with pytest.raises(Forbidden) as refused:
            write(VIEWER)
        assert "needs a planner key" in str(refused.value), name
        assert _state(full) == before, name


def test_every_write_refuses_a_viewer_before_looking_anything_up(full: GraphStore) -> None:
    """An id that does not exist is still a Forbidden (not a NotFoundError): the role is checked first."""
    missing: list[Callable[[Scope], object]] = [
        lambda s: records.delete_record(full, s, "person", "nobody"),
        lambda s: records.delete_tie(full, s, TieType.KNOWS, "nobody", "none"),
        lambda s: ledger.send_quote(full, s, "Q-none"),
        lambda s: ledger.create_order(full, s, "C-none", "1.00"),
        lambda s: opportunities.move_stage(full, s, "o-none", "discover"),
        lambda s: plans.update_plan(full, s, "p-none", name="x"),
        lambda s: portfolio.set_strategic(full, s, "no-account"),
    ]
    for write in missing:
        with pytest.raises(Forbidden):
            write(VIEWER)


def test_a_planner_and_the_operator_may_write(full: GraphStore) -> None:
    """The same calls pass for a planner (so the viewer's refusal above is the role's, not the arguments')."""
    writes = _writes(full)
    for name in ("records.put_record", "opportunities.update_opportunity", "plans.update_plan"):
        writes[name](PLANNER)
    for name in ("ledger.save_product", "records.delete_tie", "portfolio.set_strategic"):
        writes[name](OPERATOR)
    assert records.get_record(full, VIEWER, "person", "cfo").name == "Renamed"
    assert plans.get_plan(full, VIEWER, "p1").name == "Renamed"


def test_only_an_admin_manages_keys(full: GraphStore) -> None:
    record, _ = keys.create_key(full, OPERATOR, ApiRole.VIEWER, name="reader")
    before = _state(full)
    for scope in (VIEWER, PLANNER):
        for use in (
            lambda s: keys.create_key(full, s, ApiRole.VIEWER),
            lambda s: keys.list_keys(full, s),
            lambda s: keys.get_key(full, s, record.id),
            lambda s: keys.revoke_key(full, s, record.id),
        ):
            with pytest.raises(Forbidden) as refused:
                use(scope)
            assert "needs an admin key" in str(refused.value)
    assert _state(full) == before
    assert keys.revoke_key(full, Scope("a1", ApiRole.ADMIN), record.id).revoked_at is not None
