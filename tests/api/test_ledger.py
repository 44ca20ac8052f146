"""The ledger over HTTP (products, quotes, contracts, orders, invoices, payments, cash, value), both backends:
the whole flow, the 409s of the business rules, the 422s of bad input, roles, account scope, and
idempotent payments under concurrent retries against a real server."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service
from accountgraph.schema.models import ApiRole, today
from tests.api.support import client, error_of, new_key, planner, server, store_env, viewer
from tests.ledger.support import accounts, contract, invoice, no_volume_discount

FIXTURES = (client, planner, viewer)  # used as test arguments
H = dict[str, str]


def product(id: str, price: str, components: Sequence[tuple[str, str]] = (), **more: Any) -> dict[str, Any]:
    return {
        "id": id,
        "name": id.title(),
        "list_price": {"amount": price, "currency": "EUR"},
        "components": [{"product": p, "quantity": q} for p, q in components],
        **more,
    }


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def conflict(response: httpx.Response, words: str) -> None:
    assert response.status_code == 409, response.text
    error = error_of(response)
    assert error["code"] == "conflict" and words in error["message"], error


def invalid(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    fields = [d["field"] for d in error_of(response)["details"]]
    assert field in fields, (field, response.text)


def pay(key: str, headers: H) -> H:
    return {**headers, "Idempotency-Key": key}


def test_the_whole_flow_over_http(client: TestClient, planner: H, viewer: H, store: GraphStore) -> None:
    accounts(store, "acme")
    no_volume_discount(store)
    # catalogue: a server made of a chassis and two CPUs (nested in a platform), which needs a rail kit
    for body in (
        product("cpu", "1200.00"),
        product("chassis", "800.00"),
        product("rail", "45.50"),
        product("server", "3500.00", [("chassis", "1"), ("cpu", "2")], requires=["rail"]),
        # a platform is sold by the rack-share (divisible); half a rail kit per platform is whole kits in the BOM
        product("platform", "9800.10", [("server", "2"), ("rail", "0.5")], unit="rack-share", divisible=True),
    ):
        assert ok(client.put(f"/v1/products/{body['id']}", json=body, headers=planner))["id"] == body["id"]
    assert ok(client.get("/v1/products/server", headers=viewer))["list_price"] == {
        "amount": "3500.00",
        "currency": "EUR",
    }
    assert [p["id"] for p in ok(client.get("/v1/products", headers=viewer))["data"]] == [
        "chassis",
        "cpu",
        "platform",
        "rail",
        "server",
    ]
    bom = ok(client.get("/v1/products/platform/bom", params={"quantity": "3"}, headers=viewer))
    assert bom == {"product": "platform", "quantity": "3", "components": {"chassis": "6", "cpu": "12", "rail": "2"}}

    # quote (on a subsidiary: it belongs to the account), with a required accessory and awkward amounts
    body = {
        "account": "acme-sub",
        "number": "Q-1",
        "lines": [{"product": "server", "quantity": "3"}, {"product": "platform", "quantity": "0.3"}],
        "manual_discount": "7.5",
    }
    quote = ok(client.post("/v1/quotes", json=body, headers=planner), 201)
    assert quote["id"] == "Q-1-v1" and quote["account"] == "acme" and quote["status"] == "draft"
    lines = {line["product"]: line for line in quote["lines"]}
    assert lines["rail"]["required_by"] == "server" and lines["server"]["bom"] == {"chassis": "3", "cpu": "6"}
    # 3 × 3500 × 0.925 = 9712.50; 0.3 × 9800.10 × 0.925 = 2719.52775 → 2719.53; 3 × 45.50 × 0.925 = 126.2625 → 126.26
    assert (lines["server"]["net"], lines["platform"]["net"], lines["rail"]["net"]) == ("9712.50", "2719.53", "126.26")
    assert quote["net_total"] == "12558.29" and quote["list_total"] == "13576.53"
    assert quote["discount_total"] == "1018.24" and quote["currency"] == "EUR"
    assert ok(client.get("/v1/quotes/Q-1", headers=viewer))["id"] == "Q-1-v1"

    revised = ok(client.post("/v1/quotes/Q-1/revise", json={"manual_discount": "0"}, headers=planner), 201)
    assert revised["id"] == "Q-1-v2" and revised["net_total"] == "13576.53"
    listed = ok(client.get("/v1/quotes", params={"account": "acme", "number": "Q-1"}, headers=viewer))
    assert [q["id"] for q in listed["data"]] == ["Q-1-v1", "Q-1-v2"] and listed["count"] == 2
    conflict(client.post("/v1/quotes/Q-1-v1/send", headers=planner), "revised")
    assert ok(client.post("/v1/quotes/Q-1/send", headers=planner))["status"] == "sent"
    accepted = ok(client.post("/v1/quotes/Q-1-v2/accept", headers=planner))
    assert accepted["status"] == "accepted" and [h["status"] for h in accepted["history"]] == [
        "draft",
        "sent",
        "accepted",
    ]

    # contract → orders → invoices in instalments → payments
    c = ok(client.post("/v1/contracts", json={"quote": "Q-1"}, headers=planner), 201)
    assert c == ok(client.get(f"/v1/contracts/{c['id']}", headers=viewer))
    assert c["value"] == "13576.53" and c["ordered"] == "0" and c["quote"] == "Q-1-v2"
    order = ok(client.post("/v1/orders", json={"contract": c["id"], "amount": "10000.01"}, headers=planner), 201)
    assert order["amount"] == "10000.01"
    assert ok(client.get(f"/v1/contracts/{c['id']}", headers=viewer))["ordered"] == "10000.01"
    rest = ok(
        client.post("/v1/orders", json={"contract": c["id"], "amount": "3576.52", "id": "O-2"}, headers=planner), 201
    )
    assert rest["id"] == "O-2"
    assert [o["id"] for o in ok(client.get("/v1/orders", params={"account": "acme"}, headers=viewer))["data"]] == [
        order["id"],
        "O-2",
    ]
    made = ok(client.post("/v1/invoices", json={"order": order["id"], "instalments": 3}, headers=planner), 201)
    assert made["count"] == 3
    amounts = [i["amount"] for i in made["data"]]
    assert amounts == ["3333.33", "3333.33", "3333.35"] and [i["instalment"] for i in made["data"]] == [
        "1/3",
        "2/3",
        "3/3",
    ]
    assert sum(Decimal(a) for a in amounts) == Decimal("10000.01")
    first, second, third = (i["id"] for i in made["data"])
    assert ok(client.get(f"/v1/invoices/{first}", headers=viewer))["due"] == str(today() + timedelta(days=30))

    paid = ok(client.post("/v1/payments", json={"invoice": first, "amount": "0.10"}, headers=pay("k-1", planner)), 201)
    again = ok(client.post("/v1/payments", json={"invoice": first, "amount": "0.10"}, headers=pay("k-1", planner)), 201)
    assert again == paid and paid["amount"] == "0.10" and paid["currency"] == "EUR"
    conflict(
        client.post("/v1/payments", json={"invoice": first, "amount": "0.20"}, headers=pay("k-1", planner)),
        "already used",
    )
    rest_of_first = {"invoice": first, "amount": "3333.23"}
    ok(client.post("/v1/payments", json=rest_of_first, headers=pay("k-2", planner)), 201)
    for key, inv in (("k-3", second), ("k-4", third)):
        full = ok(client.get(f"/v1/invoices/{inv}", headers=viewer))["amount"]
        ok(client.post("/v1/payments", json={"invoice": inv, "amount": full}, headers=pay(key, planner)), 201)
    refund = ok(
        client.post(f"/v1/payments/{paid['id']}/refund", json={"amount": "0.05"}, headers=pay("r-1", planner)), 201
    )
    assert refund["amount"] == "-0.05" and refund["refund_of"] == paid["id"]
    assert ok(client.get(f"/v1/payments/{paid['id']}", headers=viewer))["refunded"] == "0.05"
    assert ok(client.get(f"/v1/invoices/{first}", headers=viewer))["paid"] == "3333.28"
    payments = ok(client.get("/v1/payments", params={"invoice": first}, headers=viewer))["data"]
    assert sorted(p["amount"] for p in payments) == ["-0.05", "0.10", "3333.23"]

    cash = ok(client.get("/v1/accounts/acme/cash", headers=viewer))
    assert cash["billed"] == "10000.01" and cash["collected"] == "9999.96" and cash["outstanding"] == "0.05"
    assert cash["overdue"] == "0.00" and cash["currency"] == "EUR" and cash["invoices"] == 3
    later = ok(client.get("/v1/accounts/acme/cash", params={"on": str(today() + timedelta(days=45))}, headers=viewer))
    assert later["overdue"] == "0.05" and later["ageing"]["0-30"] == "0.05"
    ok(client.post("/v1/payments", json={"invoice": first, "amount": "0.05"}, headers=pay("k-5", planner)), 201)
    val = ok(client.get("/v1/accounts/acme/value", headers=viewer))
    assert val["frequency"] == 1 and val["monetary"] == "10000.01" and val["recency_days"] == 0
    assert val["ltv"] == "8000.01" and val["grade"] in "ABCD" and val["account"] == "acme"  # 0.8 × 10000.01


def test_business_rules_are_409(client: TestClient, planner: H, store: GraphStore) -> None:
    accounts(store, "a")
    c = contract(store, "a", "100.00", on=today())
    conflict(client.post("/v1/contracts", json={"quote": c.quote}, headers=planner), "already has contract")
    conflict(client.post(f"/v1/quotes/{c.quote}/reject", headers=planner), "cannot become rejected")
    conflict(client.post(f"/v1/quotes/{c.quote}/revise", json={}, headers=planner), "frozen")
    draft = service.create_quote(store, "a", [("unit", "1")], number="D")
    conflict(client.post(f"/v1/quotes/{draft.id}/accept", headers=planner), "cannot become accepted")
    conflict(client.post("/v1/contracts", json={"quote": draft.id}, headers=planner), "only an accepted quote")
    conflict(client.post("/v1/orders", json={"contract": c.id, "amount": "100.01"}, headers=planner), "above")
    order = ok(client.post("/v1/orders", json={"contract": c.id, "amount": "60.00"}, headers=planner), 201)
    conflict(client.post("/v1/orders", json={"contract": c.id, "amount": "40.01"}, headers=planner), "above")
    conflict(client.post("/v1/invoices", json={"order": order["id"], "amount": "60.01"}, headers=planner), "left")
    [inv] = ok(client.post("/v1/invoices", json={"order": order["id"]}, headers=planner), 201)["data"]
    ok(client.post("/v1/payments", json={"invoice": inv["id"], "amount": "59.99"}, headers=pay("p1", planner)), 201)
    conflict(
        client.post("/v1/payments", json={"invoice": inv["id"], "amount": "0.02"}, headers=pay("p2", planner)),
        "overpayment",
    )
    invalid(  # a sub-cent amount is bad input: a 422 naming the field, not a 409
        client.post("/v1/payments", json={"invoice": inv["id"], "amount": "0.001"}, headers=pay("p3", planner)),
        "amount",
    )
    invalid(client.post("/v1/orders", json={"contract": c.id, "amount": "0.001"}, headers=planner), "amount")
    assert service.get_invoice(store, inv["id"]).paid == Decimal("59.99")
    assert len(service.list_payments(store)) == 1


def test_bad_input_is_a_422_naming_the_field_and_unknown_ids_a_404(
    client: TestClient, planner: H, store: GraphStore
) -> None:
    accounts(store, "a")
    inv = invoice(store, "a", "10.00", on=today())
    line = {"product": "unit", "quantity": "1"}
    invalid(client.post("/v1/quotes", json={"account": "a", "lines": []}, headers=planner), "lines")
    invalid(
        client.post("/v1/quotes", json={"account": "a", "lines": [{**line, "quantity": "0"}]}, headers=planner),
        "lines.0.quantity",
    )
    invalid(
        client.post("/v1/quotes", json={"account": "a", "lines": [{**line, "quantity": 1}]}, headers=planner),
        "lines.0.quantity",
    )
    invalid(
        client.post("/v1/quotes", json={"account": "a", "lines": [line], "manual_discount": "101"}, headers=planner),
        "manual_discount",
    )
    invalid(
        client.post("/v1/quotes", json={"account": "a", "lines": [line], "currency": "eur"}, headers=planner),
        "currency",
    )
    invalid(
        client.post("/v1/quotes", json={"account": "a", "lines": [line], "colour": "red"}, headers=planner), "colour"
    )
    number = client.post("/v1/payments", json={"invoice": inv.id, "amount": 1.5}, headers=pay("k", planner))
    invalid(number, "amount")
    assert "decimal string" in error_of(number)["message"]
    # a product's price and its components' quantities too (issue 14 item 17: a JSON number, even a whole one,
    # was taken for a product's price while refused everywhere else)
    admin = new_key(store, ApiRole.ADMIN)
    assert client.put("/v1/products/part", json=product("part", "5.00"), headers=admin).status_code == 200
    for body, field in (
        (
            product("kit", "5.00", [("part", "2")]) | {"list_price": {"amount": 5, "currency": "EUR"}},
            "list_price.amount",
        ),
        (
            product("kit", "5.00", [("part", "2")]) | {"list_price": {"amount": 0.1, "currency": "EUR"}},
            "list_price.amount",
        ),
        (product("kit", "5.00") | {"components": [{"product": "part", "quantity": 2}]}, "components.0.quantity"),
    ):
        refused = client.put("/v1/products/kit", json=body, headers=admin)
        invalid(refused, field)
        assert "never JSON numbers" in error_of(refused)["message"]
    assert client.get("/v1/products/kit", headers=admin).status_code == 404
    made = ok(client.put("/v1/products/kit", json=product("kit", "5.00", [("part", "2")]), headers=admin))
    assert made["list_price"] == {"amount": "5.00", "currency": "EUR"} and made["components"][0]["quantity"] == "2"
    invalid(
        client.post("/v1/payments", json={"invoice": inv.id, "amount": "-1.00"}, headers=pay("k", planner)), "amount"
    )
    invalid(client.post("/v1/payments", json={"invoice": inv.id, "amount": "1e3"}, headers=pay("k", planner)), "amount")
    missing = client.post("/v1/payments", json={"invoice": inv.id, "amount": "1.00"}, headers=planner)
    invalid(missing, "Idempotency-Key")
    assert "Idempotency-Key" in error_of(missing)["message"]
    invalid(client.post(f"/v1/payments/{'x'}/refund", json={"amount": "1.00"}, headers=planner), "Idempotency-Key")
    invalid(client.post("/v1/invoices", json={"order": inv.order, "instalments": 0}, headers=planner), "instalments")
    invalid(client.put("/v1/products/p", json={**product("p", "1.00"), "id": "q"}, headers=planner), "id")
    invalid(client.put("/v1/products/p", json=product("p", "0.0000001"), headers=planner), "list_price.amount")
    invalid(client.get("/v1/products/unit/bom", params={"quantity": "lots"}, headers=planner), "quantity")
    assert service.list_payments(store) == []
    for method, path, body in (
        ("GET", "/v1/products/nope", None),
        ("GET", "/v1/products/nope/bom", None),
        ("GET", "/v1/quotes/nope", None),
        ("POST", "/v1/quotes/nope/send", None),
        ("GET", "/v1/contracts/nope", None),
        ("GET", "/v1/orders/nope", None),
        ("GET", "/v1/invoices/nope", None),
        ("GET", "/v1/payments/nope", None),
        ("GET", "/v1/accounts/nope/cash", None),
        ("GET", "/v1/accounts/nope/value", None),
        ("POST", "/v1/quotes", {"account": "nope", "lines": [line]}),
        ("POST", "/v1/quotes", {"account": "a", "lines": [{**line, "product": "nope"}]}),
        ("POST", "/v1/contracts", {"quote": "nope"}),
        ("POST", "/v1/orders", {"contract": "nope", "amount": "1.00"}),
        ("POST", "/v1/invoices", {"order": "nope"}),
        ("POST", "/v1/payments", {"invoice": "nope", "amount": "1.00"}),
        ("POST", "/v1/payments/nope/refund", {"amount": "1.00"}),
        ("PUT", "/v1/products/p", product("p", "1.00", [("nope", "1")])),
    ):
        r = client.request(method, path, json=body, headers=pay("k404", planner))
        assert r.status_code == 404, (method, path, r.text)
        assert error_of(r)["code"] == "not_found"


def test_viewers_read_and_only_planners_write(client: TestClient, viewer: H, planner: H, store: GraphStore) -> None:
    accounts(store, "a")
    inv = invoice(store, "a", "10.00", on=today())
    pay_ = service.record_payment(store, inv.id, "1.00", idempotency_key="seed")
    writes = [
        ("PUT", "/v1/products/unit", product("unit", "2.00")),
        ("POST", "/v1/quotes", {"account": "a", "lines": [{"product": "unit", "quantity": "1"}]}),
        ("POST", f"/v1/quotes/{service.list_quotes(store)[0].id}/reject", None),
        ("POST", "/v1/contracts", {"quote": service.list_quotes(store)[0].id}),
        ("POST", "/v1/orders", {"contract": service.list_contracts(store)[0].id, "amount": "1.00"}),
        ("POST", "/v1/invoices", {"order": inv.order}),
        ("POST", "/v1/payments", {"invoice": inv.id, "amount": "1.00"}),
        ("POST", f"/v1/payments/{pay_.id}/refund", {"amount": "1.00"}),
    ]
    for method, path, body in writes:
        r = client.request(method, path, json=body, headers=pay("v", viewer))
        assert r.status_code == 403, (method, path, r.text)
        assert error_of(r)["code"] == "forbidden"
    assert len(service.list_payments(store)) == 1 and len(service.list_quotes(store)) == 1
    for path in (
        "/v1/products",
        "/v1/products/unit",
        "/v1/quotes",
        "/v1/contracts",
        "/v1/orders",
        f"/v1/orders/{inv.order}",
        "/v1/invoices",
        f"/v1/invoices/{inv.id}",
        "/v1/payments",
        f"/v1/payments/{pay_.id}",
        "/v1/accounts/a/cash",
        "/v1/accounts/a/value",
    ):
        assert client.get(path, headers=viewer).status_code == 200, path
    assert ok(client.post("/v1/payments", json={"invoice": inv.id, "amount": "1.00"}, headers=pay("p", planner)), 201)


def test_a_key_limited_to_one_account_sees_nothing_of_another(client: TestClient, store: GraphStore) -> None:
    accounts(store, "a", "b")
    mine, theirs = invoice(store, "a", "10.00", on=today()), invoice(store, "b", "20.00", on=today())
    their_payment = service.record_payment(store, theirs.id, "1.00", idempotency_key="theirs")
    their_order = service.get_order(store, theirs.order)
    their_quote = service.get_contract(store, their_order.contract).quote
    scoped = new_key(store, ApiRole.PLANNER, ("a",))
    hidden = [
        ("GET", f"/v1/quotes/{their_quote}", None),
        ("POST", f"/v1/quotes/{their_quote}/reject", None),
        ("POST", f"/v1/quotes/{their_quote}/revise", {}),
        ("GET", f"/v1/contracts/{their_order.contract}", None),
        ("GET", f"/v1/orders/{their_order.id}", None),
        ("GET", f"/v1/invoices/{theirs.id}", None),
        ("GET", f"/v1/payments/{their_payment.id}", None),
        ("GET", "/v1/accounts/b/cash", None),
        ("GET", "/v1/accounts/b/value", None),
        ("POST", "/v1/quotes", {"account": "b-sub", "lines": [{"product": "unit", "quantity": "1"}]}),
        ("POST", "/v1/contracts", {"quote": their_quote}),
        ("POST", "/v1/orders", {"contract": their_order.contract, "amount": "1.00"}),
        ("POST", "/v1/invoices", {"order": their_order.id}),
        ("POST", "/v1/payments", {"invoice": theirs.id, "amount": "1.00"}),
        ("POST", f"/v1/payments/{their_payment.id}/refund", {"amount": "1.00"}),
    ]
    for method, path, body in hidden:
        r = client.request(method, path, json=body, headers=pay("scoped", scoped))
        assert r.status_code == 404, (method, path, r.text)
    assert len(service.list_payments(store)) == 1 and len(service.list_quotes(store)) == 2
    for kind, own in (("quotes", 1), ("contracts", 1), ("orders", 1), ("invoices", 1), ("payments", 0)):
        data = ok(client.get(f"/v1/{kind}", headers=scoped))["data"]
        assert len(data) == own and all(r["account"] == "a" for r in data), kind
        assert ok(client.get(f"/v1/{kind}", params={"account": "b"}, headers=scoped))["data"] == []
    assert ok(client.get("/v1/accounts/a/cash", headers=scoped))["billed"] == "10.00"
    assert ok(client.post("/v1/payments", json={"invoice": mine.id, "amount": "1.00"}, headers=pay("s", scoped)), 201)
    assert ok(client.get("/v1/products/unit", headers=scoped))["id"] == "unit"  # the catalogue is shared
    r = client.put("/v1/products/unit", json=product("unit", "9.99"), headers=scoped)
    assert r.status_code == 403 and "catalogue" in error_of(r)["message"]


def test_lists_page_with_a_cursor(client: TestClient, viewer: H, store: GraphStore) -> None:
    accounts(store, "a")
    for n in range(5):
        contract(store, "a", "1.00", on=today(), number=f"Q{n}")
    seen: list[str] = []
    cursor = None
    while True:
        page = ok(
            client.get("/v1/quotes", params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=viewer)
        )
        seen += [q["id"] for q in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Q{n}-v1" for n in range(5)]
    assert ok(client.get("/v1/quotes", params={"status": "accepted"}, headers=viewer))["count"] == 5
    assert client.get("/v1/quotes", params={"cursor": "!!"}, headers=viewer).status_code == 400


def test_concurrent_retries_record_one_payment_and_never_overpay(
    store: GraphStore, request: pytest.FixtureRequest
) -> None:
    """Against a real server process: 20 concurrent POSTs with one Idempotency-Key record exactly one payment;
    20 concurrent different payments of 10.00 on an invoice of 100.00 record exactly 10."""
    accounts(store, "a")
    one = invoice(store, "a", "500.00", on=today())
    ten = invoice(store, "a", "100.00", on=today())
    headers = new_key(store, ApiRole.PLANNER)
    with (
        server(store_env(store, request)) as s,
        ThreadPoolExecutor(20) as pool,
        httpx.Client(base_url=s.url, timeout=120) as http,
    ):

        def same(_: int) -> httpx.Response:
            body = {"invoice": one.id, "amount": "123.45"}
            return http.post("/v1/payments", json=body, headers=pay("retry-me", headers))

        def different(n: int) -> httpx.Response:
            body = {"invoice": ten.id, "amount": "10.00"}
            return http.post("/v1/payments", json=body, headers=pay(f"k-{n}", headers))

        retried = list(pool.map(same, range(20)))
        assert [r.status_code for r in retried] == [201] * 20, [r.text for r in retried if r.status_code != 201]
        assert len({r.json()["id"] for r in retried}) == 1
        spread = list(pool.map(different, range(20)))
    assert sorted(r.status_code for r in spread) == [201] * 10 + [409] * 10, [r.text for r in spread]
    assert [p.amount for p in service.list_payments(store) if p.invoice == one.id] == [Decimal("123.45")]
    assert service.get_invoice(store, one.id).paid == Decimal("123.45")
    assert service.get_invoice(store, ten.id).paid == Decimal("100.00")
    assert len([p for p in service.list_payments(store) if p.invoice == ten.id]) == 10
