"""The ledger's input rules live in one place (`accountgraph.ledger.rules`, applied by the service): the CLI and
the HTTP API refuse the same bad input with the same message naming the field, and write nothing; piece
counts are whole numbers unless a product's unit is divisible, and accessories follow in whole pieces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accountgraph.errors import InvalidArgument, RuleViolation
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service
from accountgraph.ledger.models import Component, Money, Product
from tests.api.support import client, planner, store_env
from tests.ledger.support import accounts, contract, no_volume_discount

FIXTURES = (client, planner)  # used as test arguments
H = dict[str, str]

WIDGET = {"id": "widget", "name": "Widget", "list_price": {"amount": "1.00", "currency": "EUR"}}


def _ledger(store: GraphStore) -> dict[str, int]:
    """How many records of each ledger kind the store holds."""
    kinds = ("product", "quote", "contract", "order", "invoice", "payment", "idempotency")
    return {k: len(store.documents.list(k)) for k in kinds}


def test_the_cli_and_the_api_refuse_the_same_input_with_the_same_message(
    client: TestClient, planner: H, store: GraphStore, request: pytest.FixtureRequest
) -> None:
    from accountgraph.cli import app

    accounts(store, "a")
    c = contract(store, "a", "100")  # a piece product "unit" at 1.00, an accepted quote and its contract
    order = service.create_order(store, c.id, "60", order_id="O", on=c.start)
    [inv] = service.invoice_order(store, order.id, on=c.start)
    env = {**store_env(store, request), "COLUMNS": "400"}
    runner = CliRunner()
    line = {"product": "unit", "quantity": "1"}
    cases: list[tuple[list[str], tuple[str, str, dict[str, Any] | None, H], str, str]] = [
        (  # issue 13's example: accepted by the CLI, refused by the API
            ["product", "add", "widget", "--name", "Widget", "--price", "1.123456789"],
            ("PUT", "/v1/products/widget", {**WIDGET, "list_price": {"amount": "1.123456789", "currency": "EUR"}}, {}),
            "list_price.amount",
            "list price: not an amount: '1.123456789' has too many digits",
        ),
        (
            ["product", "add", "widget", "--name", "Widget", "--price", "1.00", "-c", "unit=0.0000001"],
            (
                "PUT",
                "/v1/products/widget",
                {**WIDGET, "components": [{"product": "unit", "quantity": "0.0000001"}]},
                {},
            ),
            "components.0.quantity",
            "component 1 (unit) quantity: not an amount: '0.0000001' has too many digits",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1.5"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [{**line, "quantity": "1.5"}]}, {}),
            "lines.0.quantity",
            "line 1 (unit) quantity: 1.5 is not a whole number: 'unit' is sold by the piece",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "-l", "unit=2.00000001"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line, {**line, "quantity": "2.00000001"}]}, {}),
            "lines.1.quantity",
            "line 2 (unit) quantity: not an amount: '2.00000001' has too many digits",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "--discount", "100.5"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line], "manual_discount": "100.5"}, {}),
            "manual_discount",
            "manual discount must be between 0 and 100, not 100.5",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "--discount", "1.23456"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line], "manual_discount": "1.23456"}, {}),
            "manual_discount",
            "manual discount: not an amount: '1.23456' has too many digits",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "--currency", "eur"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line], "currency": "eur"}, {}),
            "currency",
            "currency: an ISO 4217 code such as EUR, not 'eur'",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "--valid-days", "3651"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line], "valid_days": 3651}, {}),
            "valid_days",
            "validity in days must be a whole number from 1 to 3650, not 3651",
        ),
        (
            ["order", "create", c.id, "0"],
            ("POST", "/v1/orders", {"contract": c.id, "amount": "0"}, {}),
            "amount",
            "order amount must be greater than 0, not 0",
        ),
        (
            ["invoice", "create", "O", "-n", "121"],
            ("POST", "/v1/invoices", {"order": "O", "instalments": 121}, {}),
            "instalments",
            "instalments must be a whole number from 1 to 120, not 121",
        ),
        (
            ["pay", inv.id, "1.0000001", "--key", "k1"],
            ("POST", "/v1/payments", {"invoice": inv.id, "amount": "1.0000001"}, {"Idempotency-Key": "k1"}),
            "amount",
            "payment amount: not an amount: '1.0000001' has too many digits",
        ),
        (
            ["pay", inv.id, "1.00", "--key", "a key"],
            ("POST", "/v1/payments", {"invoice": inv.id, "amount": "1.00"}, {"Idempotency-Key": "a key"}),
            "idempotency_key",
            "idempotency key: 1 to 200 visible ASCII characters without spaces, not 'a key'",
        ),
        (
            ["product", "bom", "unit", "-q", "0.5"],
            ("GET", "/v1/products/unit/bom?quantity=0.5", None, {}),
            "quantity",
            "quantity: 0.5 is not a whole number: 'unit' is sold by the piece",
        ),
    ]
    before = _ledger(store)
    for args, (method, path, body, headers), field, reason in cases:
        result = runner.invoke(app, args, env=env)
        shown = " ".join(result.output.split())
        assert result.exit_code == 1 and "Traceback" not in shown, (args, result.output)
        assert f"error: {reason}" in shown, (args, result.output)
        response = client.request(method, path, json=body, headers={**planner, **headers})
        assert response.status_code == 422, (path, response.text)
        error = response.json()["error"]
        [detail] = error["details"]
        assert detail["field"] == field and detail["reason"].startswith(reason), (field, error)
        message = str(InvalidArgument(detail["reason"]))
        assert message in shown and reason in error["message"], (shown, error["message"])  # the very same words
        assert _ledger(store) == before, args  # nothing written
    assert store.documents.get("product", "widget") is None


def test_ledger_dates_far_outside_any_plausible_range_are_refused_by_the_service_the_cli_and_the_api(
    client: TestClient, planner: H, store: GraphStore, request: pytest.FixtureRequest
) -> None:
    """The service refuses dates before 1900 or after 2200 (once a traceback or "an amount out of range", or
    accepted by the CLI); the API's date parameters take the same rule, so both say the same words."""
    from accountgraph.cli import app

    accounts(store, "a")
    c = contract(store, "a", "100")
    order = service.create_order(store, c.id, "60", order_id="O", on=c.start)
    [inv] = service.invoice_order(store, order.id, on=c.start)
    env = {**store_env(store, request), "COLUMNS": "400"}
    runner = CliRunner()
    line = {"product": "unit", "quantity": "1"}
    cases: list[tuple[list[str], tuple[str, dict[str, Any], H], str, str, str]] = [
        (
            ["quote", "create", "a", "-l", "unit=1", "--on", day],
            ("/v1/quotes", {"account": "a", "lines": [line], "on": day}, {}),
            "on",
            "quote date",
            day,
        )
        for day in ("9999-12-31", "0001-01-01", "2201-01-01", "1899-12-31")
    ]
    cases.append(
        (
            ["pay", inv.id, "1.00", "--key", "k1", "--on", "2500-01-01"],
            ("/v1/payments", {"invoice": inv.id, "amount": "1.00", "received": "2500-01-01"}, {"Idempotency-Key": "k"}),
            "received",
            "received",
            "2500-01-01",
        )
    )
    before = _ledger(store)
    for args, (path, body, headers), field, what, day in cases:
        reason = f"must be a date written YYYY-MM-DD, from 1900-01-01 to 2200-12-31, not {day}"
        result = runner.invoke(app, args, env=env)
        shown = " ".join(result.output.split())
        assert result.exit_code == 1 and "Traceback" not in shown, (args, result.output)
        assert f"error: {what}: {reason}" in shown and "amount" not in shown, (args, result.output)
        response = client.post(path, json=body, headers={**planner, **headers})
        assert response.status_code == 422, (path, response.text)
        [detail] = response.json()["error"]["details"]
        assert detail["field"] == field and detail["reason"] == reason, (field, response.text)
        assert "amount" not in response.text
        assert _ledger(store) == before, args  # nothing written
    with pytest.raises(InvalidArgument, match="order date: must be a date written") as refused:
        service.create_order(store, c.id, "1", on=date(2201, 1, 1))
    assert refused.value.field == "on"
    assert service.create_order(store, c.id, "1", order_id="O2", on=date(2200, 12, 31)).ordered_on == date(2200, 12, 31)


def test_pieces_are_whole_divisible_units_are_not_and_accessories_follow_in_whole_pieces(store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)

    def product(id: str, price: str, **more: Any) -> Product:
        made = Product(id=id, name=id, list_price=Money(amount=Decimal(price), currency="EUR"), **more)
        return service.save_product(store, made)

    product("kit", "10.00")  # a piece (the default unit)
    product("cable", "2.00", unit="m", divisible=True)
    product("install", "100.00", unit="hour", divisible=True, requires=["kit"])
    product("server", "1000.00", requires=["cable"], components=[Component(product="kit", quantity=Decimal(1))])
    product("rack", "50.00", unit="hour", divisible=True, components=[Component(product="kit", quantity=Decimal(2))])
    assert service.get_product(store, "kit").unit == "piece" and not service.get_product(store, "kit").divisible

    with pytest.raises(InvalidArgument, match=r"line 1 \(server\) quantity: 1.5 is not a whole number") as refused:
        service.create_quote(store, "acme", [("server", "1.5")], number="Q0")
    assert refused.value.field == "lines.0.quantity"
    with pytest.raises(InvalidArgument, match=r"line 2 \(kit\) quantity: 0.25 is not a whole number"):
        service.create_quote(store, "acme", [("install", "1"), ("kit", "0.25")], number="Q0")
    assert service.list_quotes(store) == []

    # 1.5 hours of installation need whole kits: 2; 2 servers need 2 m of cable (divisible: as is)
    q = service.create_quote(store, "acme", [("install", "1.5"), ("server", "2"), ("rack", "0.75")], number="Q1")
    got = {line.product: (line.quantity, line.required_by) for line in q.lines}
    assert got == {
        "install": (Decimal("1.5"), None),
        "server": (Decimal(2), None),
        "rack": (Decimal("0.75"), None),
        "kit": (Decimal(2), "install"),
        "cable": (Decimal(2), "server"),
    }
    # an accessory several lines require follows all of them: 2 servers and 3 switches need 5 kits' worth of cable
    product("switch", "300.00", requires=["cable", "kit"])
    q2 = service.create_quote(store, "acme", [("server", "2"), ("switch", "3"), ("install", "0.5")], number="Q2")
    got = {line.product: (line.quantity, line.required_by) for line in q2.lines}
    # 3 switches and half an hour of installation need 3.5 kits: 4 whole kits
    assert got["cable"] == (Decimal(5), "server") and got["kit"] == (Decimal(4), "switch")
    product("left", "1.00")
    product("right", "1.00", requires=["left"])
    product("left", "1.00", requires=["right"])
    product("pair", "1.00", requires=["left"])
    with pytest.raises(RuleViolation, match="cycle"):  # how many of each would follow is undefined
        service.create_quote(store, "acme", [("pair", "1")], number="Q3")
    assert service.create_quote(store, "acme", [("left", "2")], number="Q4").lines[1].quantity == 2
    kit = next(line for line in q.lines if line.product == "kit")
    assert kit.net == Decimal("20.00")  # two whole kits priced, not 1.5
    rack = next(line for line in q.lines if line.product == "rack")
    assert rack.bom == {"kit": Decimal(2)}  # 0.75 × 2 = 1.5 kits: 2 whole kits
    assert service.bill_of_materials(store, "rack", "0.25") == {"kit": Decimal(1)}
    assert service.bill_of_materials(store, "server", 3) == {"kit": Decimal(3)}
