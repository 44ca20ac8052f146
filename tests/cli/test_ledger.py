"""The ledger CLI beyond quotes: products and their BOM, contracts, orders, invoices, payments, refunds;
both backends. Bad input exits 1 with a message, never a traceback."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from accountgraph.cli import app
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service
from tests.api.support import store_env
from tests.ledger.support import accounts, no_volume_discount

ON = "2026-06-30"


@pytest.fixture
def cli(store: GraphStore, request: pytest.FixtureRequest) -> Any:
    """Run the ledger commands against the `store` fixture's store; returns (run, fail)."""
    runner = CliRunner()
    env = {**store_env(store, request), "COLUMNS": "250"}

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env)

    def run(*args: str) -> Any:
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output) if "--json" in args else result.output

    def fail(*args: str) -> str:
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        return result.output

    return run, fail


def test_catalogue_to_cash_from_the_command_line(cli: Any, store: GraphStore) -> None:
    run, fail = cli
    accounts(store, "acme")
    no_volume_discount(store)
    run("product", "add", "cpu", "--name", "CPU", "--price", "1200.00")
    run("product", "add", "rail", "--name", "Rail kit", "--price", "45.50")
    made = run(
        "product", "add", "server", "--name", "Server", "--price", "3500.00", "-c", "cpu=2", "--requires", "rail",
        "--json",
    )  # fmt: skip
    assert made["components"] == [{"product": "cpu", "quantity": "2"}] and made["requires"] == ["rail"]
    assert [p["id"] for p in run("product", "list", "--json")] == ["cpu", "rail", "server"]
    assert run("product", "show", "server", "--json")["list_price"] == {"amount": "3500.00", "currency": "EUR"}
    assert run("product", "bom", "server", "-q", "3", "--json")["components"] == {"cpu": "6"}
    table = run("product", "bom", "server", "-q", "3")
    assert "bill of materials" in table and "cpu" in table and "6" in table
    assert "server" in run("product", "list")

    q = run("quote", "create", "acme", "-l", "server=2", "--number", "Q", "--on", ON, "--json")
    assert q["net_total"] == "7091.00"
    run("quote", "send", "Q", "--on", ON)
    run("quote", "accept", "Q", "--on", ON)
    contract = run("contract", "create", "Q", "--start", ON, "--json")
    assert contract[0]["value"] == "7091.00" and contract[0]["id"] == "C-Q-v1"
    assert "C-Q-v1" in run("contract", "list", "--account", "acme")
    assert run("contract", "show", "C-Q-v1", "--json")[0]["quote"] == "Q-v1"
    order = run("order", "create", "C-Q-v1", "7000.01", "--id", "O1", "--on", ON, "--json")[0]
    assert order["amount"] == "7000.01"
    assert "above what contract" in fail("order", "create", "C-Q-v1", "91.00", "--on", ON)
    assert [o["id"] for o in run("order", "list", "--contract", "C-Q-v1", "--json")] == ["O1"]
    assert run("order", "show", "O1", "--json")[0]["invoiced"] == "0"
    invoices = run("invoice", "create", "O1", "--instalments", "3", "--on", ON, "--json")
    assert [i["amount"] for i in invoices] == ["2333.33", "2333.33", "2333.35"]
    assert "O1-I3" in run("invoice", "list", "--order", "O1")
    first = invoices[0]["id"]

    paid = run("pay", first, "1000.00", "--key", "k1", "--on", ON, "--json")[0]
    assert run("pay", first, "1000.00", "--key", "k1", "--on", ON, "--json")[0] == paid  # a retry: recorded once
    assert "already used" in fail("pay", first, "999.00", "--key", "k1")
    assert "overpayment refused" in fail("pay", first, "1333.34", "--key", "k2")
    assert "not an amount" in fail("pay", first, "1,5", "--key", "k3")
    refund = run("refund", paid["id"], "0.01", "--key", "r1", "--on", ON, "--json")[0]
    assert refund["amount"] == "-0.01" and refund["refund_of"] == paid["id"]
    assert sorted(p["amount"] for p in run("payments", "--invoice", first, "--json")) == ["-0.01", "1000.00"]
    assert "PAY-" in run("payments", "--account", "acme")
    assert run("invoice", "show", first, "--json")[0]["paid"] == "999.99"
    assert sorted(p.amount for p in service.list_payments(store)) == [Decimal("-0.01"), Decimal("1000.00")]
    cash = run("cash", "acme", "--on", ON, "--json")
    assert cash["billed"] == "7000.01" and cash["collected"] == "999.99" and cash["outstanding"] == "6000.02"


def test_bad_input_exits_1_with_a_message(cli: Any, store: GraphStore) -> None:
    run, fail = cli
    accounts(store, "acme")
    assert "not found" in fail("product", "show", "nope")
    assert "not found" in fail("product", "bom", "nope")
    assert "product 'nope' not found" in fail("product", "add", "x", "--name", "X", "--price", "1.00", "-c", "nope=1")
    assert "not an amount" in fail("product", "add", "x", "--name", "X", "--price", "1.5e", "--json")
    assert "invalid value" in fail("product", "add", "x", "--name", "X", "--price", "1.00", "--currency", "euro")
    run("product", "add", "a", "--name", "A", "--price", "1.00")
    run("product", "add", "b", "--name", "B", "--price", "1.00", "-c", "a=1")
    assert "cycle" in fail("product", "add", "a", "--name", "A", "--price", "1.00", "-c", "b=1")
    assert "PRODUCT=QUANTITY" in fail("product", "add", "c", "--name", "C", "--price", "1.00", "-c", "b")
    assert "not found" in fail("contract", "create", "nope")
    assert "not found" in fail("order", "create", "nope", "1.00")
    assert "not found" in fail("invoice", "create", "nope")
    assert "not found" in fail("pay", "nope", "1.00", "--key", "k")
    assert "not found" in fail("refund", "nope", "1.00", "--key", "k")
    assert "not a date" in fail("pay", "nope", "1.00", "--key", "k", "--on", "yesterday")
    q = service.create_quote(store, "acme", [("a", "1")], number="D")
    assert "only an accepted quote" in fail("contract", "create", q.id)
    assert service.list_payments(store) == [] and service.list_contracts(store) == []
