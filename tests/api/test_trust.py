"""Issue 14, items 16, 18 and 19 over HTTP, on both backends: limited keys and shared records, protocol details
(405 with a full Allow, sub-resources before ids, what the schema states, date ranges, keys for real accounts),
and abuse (failed authentications limited, security headers on every answer)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accountgraph.api.app import create_app
from accountgraph.api.errors import out_of_range
from accountgraph.api.security import FailureLimiter
from accountgraph.api.settings import ApiSettings
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import Bundle
from tests.api.support import admin, bearer, client, error_of, new_key, planner
from tests.graph.test_store_contract import group_bundle, other_account
from tests.ledger.support import accounts, invoice, no_volume_discount, unit_product

FIXTURES = (admin, client, planner)  # used as test arguments
H = dict[str, str]


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())  # `am` knows x1 of `oth`
    return store


# ---- item 16: limited keys and shared records -----------------------------------------------------
def test_a_limited_key_cannot_replace_a_team_member_another_account_uses(
    client: TestClient, loaded: GraphStore
) -> None:
    mine = new_key(loaded, "planner", accounts=("grp",))
    before = loaded.get_team_member("am")
    r = client.put("/v1/team/am", json={"id": "am", "name": "Mallory"}, headers=mine)
    assert r.status_code == 422 and error_of(r)["details"][0]["field"] == "id", r.text
    r = client.post("/v1/import", json={"team": [{"id": "am", "name": "Mallory"}]}, headers=mine)
    assert r.status_code == 422, r.text
    assert loaded.get_team_member("am") == before
    assert client.put("/v1/team/se", json={"id": "se", "name": "Sam"}, headers=mine).status_code == 200
    assert client.put("/v1/team/new", json={"id": "new", "name": "New"}, headers=mine).status_code == 200


def test_errors_say_nothing_of_another_accounts_ids(client: TestClient, loaded: GraphStore) -> None:
    mine = new_key(loaded, "planner", accounts=("grp",))
    # an id taken by another account's record: one neutral reason, neither kind nor account
    for path, body in (
        ("/v1/team/x1", {"id": "x1", "name": "T"}),
        ("/v1/companies/x1", {"id": "x1", "name": "C", "parent": "grp"}),
        ("/v1/people/oth", {"id": "oth", "name": "P", "company": "grp"}),
    ):
        r = client.put(path, json=body, headers=mine)
        assert r.status_code == 409 and error_of(r)["details"][0]["reason"] == "id is already taken", r.text
        assert "person" not in error_of(r)["message"] and "account" not in error_of(r)["message"]
    # a reference to another account's record of any kind reads as one to an id nobody uses
    for field, hidden in (("company", "x1"), ("reports_to", "oth")):
        answers = []
        for ref in (hidden, "zz"):
            body = {"id": "p9", "name": "P", "company": "grp", field: ref}
            answers.append(client.put("/v1/people/p9", json=body, headers=mine))
        a, b = answers
        assert a.status_code == b.status_code == 422
        assert a.text.replace(f"'{hidden}'", "?") == b.text.replace("'zz'", "?")


def test_a_deal_naming_another_accounts_person_reads_as_an_unknown_one(client: TestClient, loaded: GraphStore) -> None:
    mine = new_key(loaded, "planner", accounts=("grp",))
    answers = []
    for person in ("x1", "zz"):
        body = {"id": "d1", "account": "grp", "name": "Deal", "committee": [{"person": person}]}
        answers.append(client.post("/v1/opportunities", json=body, headers=mine))
    a, b = answers
    assert a.status_code == b.status_code == 422, a.text
    assert a.text.replace("'x1'", "?") == b.text.replace("'zz'", "?")


def test_a_payments_idempotency_key_used_by_another_account_answers_as_any_used_key(
    client: TestClient, store: GraphStore
) -> None:
    accounts(store, "acme", "beta")
    theirs, ours = invoice(store, "beta", "100"), invoice(store, "acme", "100")
    admin_key = new_key(store, "planner")
    mine = new_key(store, "planner", accounts=("acme",))
    pay = {"invoice": theirs.id, "amount": "10.00"}
    assert client.post("/v1/payments", json=pay, headers={**admin_key, "Idempotency-Key": "k-beta"}).status_code == 201
    pay = {"invoice": ours.id, "amount": "10.00"}
    assert client.post("/v1/payments", json=pay, headers={**mine, "Idempotency-Key": "k-acme"}).status_code == 201
    other = {"invoice": ours.id, "amount": "20.00"}
    a = client.post("/v1/payments", json=other, headers={**mine, "Idempotency-Key": "k-beta"})
    b = client.post("/v1/payments", json=other, headers={**mine, "Idempotency-Key": "k-acme"})
    assert a.status_code == b.status_code == 409
    assert a.text.replace("k-beta", "?") == b.text.replace("k-acme", "?")
    assert "beta" not in a.text.replace("k-beta", "")


def test_a_key_cannot_be_minted_for_an_account_that_does_not_exist(
    client: TestClient, admin: H, loaded: GraphStore
) -> None:
    before = len(loaded.list_api_keys())
    for accounts_ in (["nope"], ["grp", "sub"]):  # `sub` is a subsidiary, not an account
        r = client.post("/v1/keys", json={"role": "viewer", "accounts": accounts_}, headers=admin)
        assert r.status_code == 422 and error_of(r)["details"][0]["field"] == "accounts", r.text
    assert len(loaded.list_api_keys()) == before
    made = client.post("/v1/keys", json={"role": "viewer", "accounts": ["grp"]}, headers=admin)
    assert made.status_code == 201 and made.json()["accounts"] == ["grp"]


# ---- item 18: protocol details --------------------------------------------------------------------
def test_a_wrong_method_is_a_405_naming_every_method_of_the_path(client: TestClient, admin: H) -> None:
    for method, path, allow in (
        ("DELETE", "/v1/accounts/x/coverage", "GET"),
        ("PATCH", "/v1/plans/x/actions", "POST"),  # was read as plan `x/actions`: a 422 for the missing body
        ("DELETE", "/v1/plans/x/actions", "POST"),
        ("GET", "/v1/plans/from-actions", "POST"),
        ("POST", "/v1/companies/x", "DELETE, GET, PUT"),
        ("POST", "/v1/ties", "GET, PUT"),
        ("PUT", "/v1/accounts/x/tree/view", "GET"),
        ("DELETE", "/v1/opportunities/x/committee", "PUT"),
    ):
        r = client.request(method, path, headers=admin)
        assert r.status_code == 405, (method, path, r.text)
        assert r.headers["allow"] == allow, (method, path, r.headers)
        assert error_of(r)["code"] == "method_not_allowed"
    # every operation's path answers every other method with 405 and its full list
    table: dict[str, frozenset[str]] = client.app.state.allow  # type: ignore[attr-defined]
    for template, methods in table.items():
        path = "/v1" + re.sub(r"\{\w+(:path)?\}", "x", template)
        for method in {"GET", "PUT", "POST", "DELETE", "PATCH"} - methods:
            r = client.request(method, path, headers=admin)
            assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == methods, (method, path, r.text)


def test_an_encoded_slash_belongs_to_the_id_and_a_literal_suffix_is_the_sub_resource(
    client: TestClient, admin: H, store: GraphStore
) -> None:
    store.load_bundle(Bundle.model_validate({"companies": [{"id": "acme", "name": "Acme"}]}))
    product = {"id": "kit/bom", "name": "Kit", "list_price": {"amount": "10.00", "currency": "EUR"}}
    assert client.put("/v1/products/kit%2Fbom", json=product, headers=admin).status_code == 200
    assert client.get("/v1/products/kit%2Fbom", headers=admin).json()["id"] == "kit/bom"  # the product
    r = client.get("/v1/products/kit/bom", headers=admin)  # the bill of materials of a product `kit`
    assert r.status_code == 404 and error_of(r)["details"]["id"] == "kit", r.text
    assert client.delete("/v1/products/kit/bom", headers=admin).status_code == 405
    # ids with slashes but no sub-resource's name at the end work either way
    company = {"id": "a/b", "name": "AB", "parent": "acme"}
    assert client.put("/v1/companies/a%2Fb", json=company, headers=admin).status_code == 200
    assert client.get("/v1/companies/a/b", headers=admin).json()["id"] == "a/b"


def test_the_schema_states_what_the_server_enforces(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/v1/people"]["get"]["parameters"]}
    assert re.fullmatch(params["cursor"]["schema"]["pattern"], "WyJjZW8iXQ")
    one = {p["name"]: p for p in schema["paths"]["/v1/people/{id}"]["get"]["parameters"]}["id"]
    assert one["schema"]["maxLength"] == 200 and "%2F" in one["description"] and "pattern" in one["schema"]
    person_id = schema["components"]["schemas"]["Person-Input"]["properties"]["id"]
    assert person_id["maxLength"] == 200 and not re.search(person_id["pattern"], " x")
    as_of = {p["name"]: p for p in schema["paths"]["/v1/accounts/{id}/coverage"]["get"]["parameters"]}["as_of"]
    date_schema = as_of["schema"]["anyOf"][0]
    assert re.fullmatch(date_schema["pattern"], "2026-09-30") and not re.fullmatch(date_schema["pattern"], "9999-12-31")
    assert "1900-01-01" in date_schema["description"] and "2200-12-31" in date_schema["description"]


def test_dates_far_outside_any_plausible_range_are_refused_naming_the_field(
    client: TestClient, planner: H, loaded: GraphStore
) -> None:
    unit_product(loaded)
    no_volume_discount(loaded)
    for day in ("1899-12-31", "2201-01-01", "9999-12-31", "0001-01-01"):
        r = client.get("/v1/accounts/grp/coverage", params={"as_of": day}, headers=planner)
        assert r.status_code == 422 and error_of(r)["details"][0]["field"] == "as_of", r.text
        body = {"account": "grp", "lines": [{"product": "unit", "quantity": "1"}], "on": day}
        r = client.post("/v1/quotes", json=body, headers=planner)  # 9999-12-31 + 30 days was "an amount out of range"
        assert r.status_code == 422, r.text
        issue = error_of(r)["details"][0]
        assert issue["field"] == "on" and "date" in issue["reason"] and "amount" not in r.text, r.text
    assert client.get("/v1/accounts/grp/coverage", params={"as_of": "2200-12-31"}, headers=planner).status_code == 200
    body = {"account": "grp", "lines": [{"product": "unit", "quantity": "1"}], "on": "2200-12-31"}
    assert client.post("/v1/quotes", json=body, headers=planner).status_code == 201


def test_an_out_of_range_date_is_called_a_date() -> None:
    assert out_of_range(OverflowError("date value out of range"), "an amount or quantity").reason.startswith("a date ")
    assert out_of_range(OverflowError("year 10000 is out of range")).reason.startswith("a date ")
    assert out_of_range(OverflowError("int too large to convert to float")).reason.startswith("a number ")
    assert out_of_range(ArithmeticError(), "an amount or quantity").reason.startswith("an amount or quantity ")


# ---- item 19: abuse -------------------------------------------------------------------------------
def limited_client(store: GraphStore, address: str, **settings: Any) -> TestClient:
    app = create_app(ApiSettings(store=store.url, log_level="WARNING", **settings), store=store)
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


def test_failed_authentications_are_limited_per_client_and_per_key_id(store: GraphStore) -> None:
    good = new_key(store, "viewer")
    key_id = good["Authorization"].split("_")[1]
    settings = {"auth_failure_limit": 3, "auth_failure_refill_seconds": 60}
    app = create_app(ApiSettings(store=store.url, log_level="WARNING", **settings), store=store)
    with (
        TestClient(app, raise_server_exceptions=False, client=("10.0.0.1", 1)) as one,
        TestClient(app, raise_server_exceptions=False, client=("10.0.0.2", 1)) as two,
    ):
        statuses = [one.get("/v1/people", headers=bearer(f"ag_guess{n}_secret")).status_code for n in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        r = one.get("/v1/people", headers=good)
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert error_of(r)["code"] == "too_many_requests"
        assert two.get("/v1/people", headers=good).status_code == 200  # another address is not limited
        # wrong secrets for one key id, from many addresses: that key id is limited
        for n in range(3):
            with TestClient(app, raise_server_exceptions=False, client=(f"10.1.0.{n}", 1)) as c:
                assert c.get("/v1/people", headers=bearer(f"ag_{key_id}_wrong")).status_code == 401
        assert two.get("/v1/people", headers=bearer(f"ag_{key_id}_wrong")).status_code == 429
        assert two.get("/healthz").status_code == 200  # no key needed: never limited


def test_the_limit_can_be_turned_off(store: GraphStore) -> None:
    with limited_client(store, "10.0.0.3", auth_failure_limit=0) as c:
        assert {c.get("/v1/people", headers=bearer("ag_x_y")).status_code for _ in range(60)} == {401}


def test_a_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = FailureLimiter(2, 10.0, clock=lambda: now[0])
    key = [("client", "a")]
    limiter.failed(key)
    limiter.failed(key)
    assert limiter.retry_after(key) == pytest.approx(10.0)
    now[0] = 4.0
    assert limiter.retry_after(key) == pytest.approx(6.0)
    now[0] = 10.0
    assert limiter.retry_after(key) == 0
    assert limiter.retry_after([("client", "b")]) == 0


def _inline_script_hashes(html: str) -> set[str]:
    scripts = re.findall(r"<script(?![^>]*application/json)(?![^>]*\ssrc=)[^>]*>(.*?)</script>", html, re.DOTALL)
    return {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}


def test_every_answer_carries_the_security_headers(client: TestClient, planner: H, loaded: GraphStore) -> None:
    answers = {
        "json": client.get("/v1/people", headers=planner),
        "401": client.get("/v1/people"),
        "404": client.get("/v1/nothing", headers=planner),
        "405": client.delete("/v1/people", headers=planner),
        "health": client.get("/healthz"),
        "view": client.get("/v1/accounts/grp/view", headers=planner),
        "tree": client.get("/v1/accounts/grp/tree/view", headers=planner),
        "docs": client.get("/docs"),
    }
    for name, r in answers.items():
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["x-frame-options"] == "DENY", name
        assert r.headers["referrer-policy"] == "no-referrer", name
        assert r.headers["cache-control"] == "no-store", name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], name
    assert answers["json"].headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    for name in ("view", "tree", "docs"):
        r = answers[name]
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), name
        policy = dict(part.split(" ", 1) for part in r.headers["content-security-policy"].split("; "))
        assert policy["default-src"] == "'none'" and "unsafe" not in policy["script-src"], policy
        hashes = _inline_script_hashes(r.text)
        assert hashes and hashes <= set(policy["script-src"].split()), (name, hashes, policy)
    assert "cache-control" not in client.get("/docs/assets/swagger-ui.css").headers  # static: cacheable
