"""Every record endpoint's happy path and its errors, in-process, on both backends."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accountgraph.api.app import create_app
from accountgraph.api.settings import ApiSettings
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole, Bundle
from tests.api.support import admin, api, client, error_of, new_key, planner, store_env, viewer
from tests.graph.test_store_contract import group_bundle, other_account

FIXTURES = (admin, client, planner, viewer)  # used as test arguments

H = dict[str, str]


def dump(bundle: Bundle) -> dict[str, Any]:
    return bundle.model_dump(mode="json", by_alias=True)


def load(client: TestClient, headers: H, *bundles: Bundle) -> None:
    for bundle in bundles:
        r = client.post("/v1/import", json=dump(bundle), headers=headers)
        assert r.status_code == 200, r.text


def all_pages(client: TestClient, headers: H, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = client.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["count"] == len(page["data"])
        items += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


# ---- import, accounts, tree, export --------------------------------------------------------------


def test_import_then_read_everything(client: TestClient, planner: H, store: GraphStore) -> None:
    r = client.post("/v1/import", json=dump(group_bundle()), headers=planner)
    assert r.status_code == 200
    assert r.json() == {"imported": {"companies": 3, "people": 4, "team": 2, "ties": 7, "interactions": 2, "risks": 1}}
    bundle = group_bundle()
    for path, records in (
        ("companies", bundle.companies),
        ("people", bundle.people),
        ("team", bundle.team),
        ("interactions", bundle.interactions),
        ("risks", bundle.risks),
    ):
        for record in records:
            got = client.get(f"/v1/{path}/{record.id}", headers=planner)
            assert got.status_code == 200, got.text
            assert got.json() == record.model_dump(mode="json", by_alias=True)
    for tie in bundle.ties:
        params = {"from": tie.to, "to": tie.from_} if tie.type.value == "knows" else {"from": tie.from_, "to": tie.to}
        got = client.get(f"/v1/ties/{tie.type.value}", params=params, headers=planner)
        assert got.status_code == 200, got.text
        assert got.json() == tie.model_dump(mode="json", by_alias=True)
    assert store.counts()["people"] == 4


def test_accounts_tree_and_export(client: TestClient, planner: H, viewer: H) -> None:
    load(client, planner, group_bundle(), other_account())
    r = client.get("/v1/accounts", headers=viewer)
    assert r.status_code == 200
    assert [a["id"] for a in r.json()["data"]] == ["grp", "oth"]
    assert r.json()["count"] == 2 and r.json()["next_cursor"] is None

    tree = client.get("/v1/accounts/grp/tree", headers=viewer).json()
    assert (tree["id"], tree["people"]) == ("grp", 2)
    assert [(c["id"], c["people"]) for c in tree["children"]] == [("sub", 1)]
    assert [(c["id"], c["people"]) for c in tree["children"][0]["children"]] == [("sub2", 1)]

    exported = client.get("/v1/accounts/grp/export", headers=viewer)
    assert exported.status_code == 200
    assert Bundle.model_validate(exported.json()) == group_bundle().sorted()

    for path in ("tree", "export"):
        missing = client.get(f"/v1/accounts/nope/{path}", headers=viewer)
        assert missing.status_code == 404
        assert error_of(missing)["details"] == {"kind": "account", "id": "nope"}

    # the people there on a date: the CEO had not joined yet in 2019
    ceo = client.get("/v1/people/ceo", headers=viewer).json()
    put = client.put("/v1/people/ceo", headers=planner, json={**ceo, "since": "2020-01-01"})
    assert put.status_code == 200, put.text
    earlier = client.get("/v1/accounts/grp/tree", params={"as_of": "2019-12-31"}, headers=viewer).json()
    assert earlier["people"] == 1
    assert client.get("/v1/accounts/grp/tree", headers=viewer).json()["people"] == 2
    bad = client.get("/v1/accounts/grp/tree", params={"as_of": "31.12.2019"}, headers=viewer)
    assert bad.status_code == 422


def test_import_is_atomic_and_lists_every_issue(client: TestClient, planner: H, store: GraphStore) -> None:
    load(client, planner, group_bundle())
    before = store.counts()
    bad = dump(group_bundle())
    bad["people"].append({"id": "new", "name": "New Person", "company": "grp"})
    bad["ties"].append({"from": "new", "to": "ghost", "type": "influences"})
    r = client.post("/v1/import", json=bad, headers=planner)
    assert r.status_code == 422
    error = error_of(r)
    assert error["code"] == "validation_error"
    assert [(i["record"], i["index"], i["field"], i["code"]) for i in error["details"]] == [
        ("ties", 7, "to", "reference")
    ]
    assert store.counts() == before
    assert client.get("/v1/people/new", headers=planner).status_code == 404


def test_malformed_records_are_named_by_list_index_id_and_field(client: TestClient, planner: H) -> None:
    raw = {
        "companies": [{"id": "a", "name": "A"}, {"id": "", "name": "Blank"}],
        "people": [
            {"id": "p2", "name": "Q", "company": "a", "stance": "hostile"},
            {"id": "p3", "name": "R", "company": "a", "reports_to": "p3"},
        ],
        "ties": [{"from": "p2", "to": "p3", "type": "knows", "strength": 1.5}],
        "bogus": [],
    }
    r = client.post("/v1/import", json=raw, headers=planner)
    assert r.status_code == 422
    found = {(i["record"], i["index"], i["id"], i["field"]) for i in error_of(r)["details"]}
    assert found == {
        ("companies", 1, "", "id"),
        ("people", 0, "p2", "stance"),
        ("people", 1, "p3", None),  # reports to themselves: a check of the whole record
        ("ties", 0, "knows:p2->p3", "strength"),
        ("bundle", None, None, "bogus"),  # the import's own check, the same as the CLI's
    }


def test_bundle_format_and_version_are_checked(client: TestClient, planner: H) -> None:
    r = client.post("/v1/import", json={"format": "other", "version": 2}, headers=planner)
    assert r.status_code == 422
    assert {i["field"] for i in error_of(r)["details"]} == {"format", "version"}


# ---- single records ------------------------------------------------------------------------------

RECORDS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("companies", {"id": "new-co", "name": "New Co", "parent": "grp"}, {"name": "New Co GmbH", "country": "DE"}),
    (
        "people",
        {"id": "new-p", "name": "Neu", "company": "sub", "roles": ["coach"], "stance": "neutral"},
        {"title": "Head of Lab", "reports_to": "gm", "since": "2025-02-01", "until": "2027-01-01"},
    ),
    ("team", {"id": "new-t", "name": "Tess", "function": "delivery_manager"}, {"title": "Delivery lead"}),
    (
        "interactions",
        {"id": "new-i", "member": "am", "person": "cfo", "kind": "call", "at": "2026-10-01T08:00:00Z"},
        {"sentiment": -1, "note": "pushback on price"},
    ),
    (
        "risks",
        {"id": "new-r", "company": "sub", "kind": "credit", "at": "2026-10-02"},
        {"severity": 5, "amount": "99.50", "currency": "USD"},
    ),
]


@pytest.mark.parametrize(("path", "record", "change"), RECORDS, ids=[r[0] for r in RECORDS])
def test_put_get_update_delete(
    client: TestClient, planner: H, path: str, record: dict[str, Any], change: dict[str, Any]
) -> None:
    load(client, planner, group_bundle())
    url = f"/v1/{path}/{record['id']}"
    assert client.get(url, headers=planner).status_code == 404
    created = client.put(url, json=record, headers=planner)
    assert created.status_code == 200, created.text
    assert {k: created.json()[k] for k in record} == record
    assert client.get(url, headers=planner).json() == created.json()

    updated = client.put(url, json={**record, **change}, headers=planner)
    assert updated.status_code == 200, updated.text
    got = client.get(url, headers=planner).json()
    assert got == updated.json()
    assert {k: got[k] for k in change} == change

    listed = all_pages(client, planner, f"/v1/{path}")
    assert [item for item in listed if item["id"] == record["id"]] == [got]

    deleted = client.delete(url, headers=planner)
    assert deleted.status_code == 204 and deleted.content == b""
    gone = client.get(url, headers=planner)
    assert gone.status_code == 404
    assert record["id"] in error_of(gone)["message"]
    assert error_of(gone)["details"]["id"] == record["id"]
    again = client.delete(url, headers=planner)
    assert again.status_code == 404


def test_ties_put_get_end_delete(client: TestClient, planner: H, store: GraphStore) -> None:
    load(client, planner, group_bundle())
    tie = {"from": "se", "to": "cfo", "type": "knows", "strength": 0.3, "since": "2026-01-01"}
    r = client.put("/v1/ties", json=tie, headers=planner)
    assert r.status_code == 200, r.text
    assert (r.json()["from"], r.json()["to"]) == ("cfo", "se")  # knows is stored once, smaller id first
    for ends in ({"from": "se", "to": "cfo"}, {"from": "cfo", "to": "se"}):
        got = client.get("/v1/ties/knows", params=ends, headers=planner)
        assert got.status_code == 200 and got.json() == r.json()
    ended = client.put("/v1/ties", json={**tie, "until": "2026-06-30"}, headers=planner)
    assert ended.json()["until"] == "2026-06-30"
    assert store.get_tie("knows", "se", "cfo").until is not None

    listed = all_pages(client, planner, "/v1/ties", person="se", type="knows")
    assert {(t["from"], t["to"]) for t in listed} == {("cfo", "se"), ("eng", "se"), ("am", "se")}

    assert client.delete("/v1/ties/knows", params={"from": "se", "to": "cfo"}, headers=planner).status_code == 204
    missing = client.get("/v1/ties/knows", params={"from": "se", "to": "cfo"}, headers=planner)
    assert missing.status_code == 404
    assert error_of(missing)["details"] == {"kind": "tie", "id": "knows:cfo->se"}
    assert client.get("/v1/ties/likes", params={"from": "a", "to": "b"}, headers=planner).status_code == 422


def test_role_and_stance_changes_keep_dated_history(client: TestClient, planner: H) -> None:
    load(client, planner, group_bundle())
    person = client.get("/v1/people/ceo", headers=planner).json()
    changed = {**person, "stance": "supporter", "changed_on": "2026-10-15"}
    r = client.put("/v1/people/ceo", json=changed, headers=planner)
    assert r.status_code == 200, r.text
    assert r.json()["stance"] == "supporter"
    assert [(s["since"], s["stance"]) for s in r.json()["history"]] == [(None, "neutral"), ("2026-10-15", "supporter")]
    assert "changed_on" not in r.json()


def test_a_person_s_dates_are_kept_and_checked(client: TestClient, planner: H) -> None:
    load(client, planner, group_bundle())
    person = {"id": "new-p", "name": "Neu", "company": "sub", "since": "2025-02-01", "until": "2026-06-01"}
    r = client.put("/v1/people/new-p", json=person, headers=planner)
    assert r.status_code == 200, r.text
    assert (r.json()["since"], r.json()["until"]) == ("2025-02-01", "2026-06-01")
    assert client.get("/v1/people/new-p", headers=planner).json() == r.json()
    bad = client.put("/v1/people/new-p", json={**person, "until": "2025-02-01"}, headers=planner)
    assert bad.status_code == 422, bad.text
    assert "must be after `since`" in bad.text
    assert client.get("/v1/people/new-p", headers=planner).json()["until"] == "2026-06-01"  # unchanged


def test_lists_filter_and_paginate(client: TestClient, viewer: H, planner: H) -> None:
    load(client, planner, group_bundle(), other_account())

    def ids(items: list[dict[str, Any]]) -> list[str]:
        return [i["id"] for i in items]

    assert ids(all_pages(client, viewer, "/v1/companies", account="grp")) == ["grp", "sub", "sub2"]
    assert ids(all_pages(client, viewer, "/v1/people", account="oth")) == ["x1"]
    assert ids(all_pages(client, viewer, "/v1/people", company="grp")) == ["ceo", "cfo"]
    assert ids(all_pages(client, viewer, "/v1/people", role="economic_buyer")) == ["ceo", "cfo"]
    assert ids(all_pages(client, viewer, "/v1/people", stance="supporter")) == ["eng", "gm"]
    assert ids(all_pages(client, viewer, "/v1/people", account="grp", stance="supporter", role="champion")) == ["eng"]
    assert ids(all_pages(client, viewer, "/v1/team", account="oth")) == ["am"]
    assert ids(all_pages(client, viewer, "/v1/interactions", member="se")) == ["i2"]
    assert ids(all_pages(client, viewer, "/v1/interactions", company="grp")) == ["i1"]
    assert ids(all_pages(client, viewer, "/v1/risks", account="grp", company="sub2")) == ["r1"]
    influences = all_pages(client, viewer, "/v1/ties", type="influences")
    assert [(t["from"], t["to"]) for t in influences] == [("eng", "gm"), ("gm", "ceo"), ("x1", "ceo")]

    # one record per page: every record exactly once, in key order
    everyone = all_pages(client, viewer, "/v1/people", limit=1)
    assert ids(everyone) == ["ceo", "cfo", "eng", "gm", "x1"]
    ties = all_pages(client, viewer, "/v1/ties", limit=2)
    keys = [(t["type"], t["from"], t["to"]) for t in ties]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == 9

    first = client.get("/v1/people", params={"limit": 2}, headers=viewer).json()
    assert first["count"] == 2 and first["next_cursor"]
    last = client.get("/v1/people", params={"limit": 5}, headers=viewer).json()
    assert last["count"] == 5 and last["next_cursor"]  # a full page may be followed by an empty one
    empty = client.get("/v1/people", params={"limit": 5, "cursor": last["next_cursor"]}, headers=viewer).json()
    assert empty == {"data": [], "count": 0, "next_cursor": None}


@pytest.mark.parametrize("cursor", ["nonsense!", "W10", "WyJhIiwiYiJd", "eyJhIjoxfQ"])
def test_a_bad_cursor_is_a_400(client: TestClient, viewer: H, cursor: str) -> None:
    r = client.get("/v1/people", params={"cursor": cursor}, headers=viewer)
    assert r.status_code == 400
    assert error_of(r)["code"] == "bad_request" and "cursor" in error_of(r)["message"]


def test_bad_query_values_are_a_422_naming_the_parameter(client: TestClient, viewer: H) -> None:
    for params, field in (({"limit": 0}, "limit"), ({"limit": "many"}, "limit"), ({"stance": "hostile"}, "stance")):
        r = client.get("/v1/people", params=params, headers=viewer)
        assert r.status_code == 422
        assert [(i["record"], i["field"]) for i in error_of(r)["details"]] == [("query", field)]


# ---- conflicts and validation of single writes ---------------------------------------------------


def test_a_hierarchy_cycle_is_a_409(client: TestClient, planner: H, store: GraphStore) -> None:
    load(client, planner, group_bundle())
    r = client.put("/v1/companies/grp", json={"id": "grp", "name": "G", "parent": "sub2"}, headers=planner)
    assert r.status_code == 409
    error = error_of(r)
    assert error["code"] == "conflict"
    assert error["details"][0]["field"] == "parent" and "cycle" in error["details"][0]["reason"]
    assert store.get_company("grp").parent is None
    r = client.put(
        "/v1/people/ceo", json={"id": "ceo", "name": "C", "company": "grp", "reports_to": "eng"}, headers=planner
    )
    assert r.status_code == 409 and error_of(r)["details"][0]["field"] == "reports_to"


def test_an_id_used_by_another_kind_is_a_409(client: TestClient, planner: H) -> None:
    load(client, planner, group_bundle())
    r = client.put("/v1/team/ceo", json={"id": "ceo", "name": "Not a team member"}, headers=planner)
    assert r.status_code == 409
    assert error_of(r)["details"][0]["reason"] == "id is already used by a person"


def test_deleting_a_company_with_dependants_is_a_409(client: TestClient, planner: H, store: GraphStore) -> None:
    load(client, planner, group_bundle())
    r = client.delete("/v1/companies/sub", headers=planner)
    assert r.status_code == 409
    assert "subsidiaries" in error_of(r)["message"]
    assert store.get_company("sub").name


def test_unknown_references_and_bad_fields_are_a_422(client: TestClient, planner: H) -> None:
    load(client, planner, group_bundle())
    r = client.put("/v1/people/p9", json={"id": "p9", "name": "P", "company": "nowhere"}, headers=planner)
    assert r.status_code == 422
    assert [(i["field"], i["code"]) for i in error_of(r)["details"]] == [("company", "reference")]
    r = client.put(
        "/v1/people/p9", json={"id": "p9", "name": " ", "company": "grp", "level": 0, "x": 1}, headers=planner
    )
    assert r.status_code == 422
    issues = error_of(r)["details"]
    assert {(i["record"], i["id"], i["field"]) for i in issues} == {
        ("people", "p9", "name"),
        ("people", "p9", "level"),
        ("people", "p9", "x"),
    }
    r = client.put("/v1/people/p9", json={"id": "other", "name": "P", "company": "grp"}, headers=planner)
    assert r.status_code == 422
    assert error_of(r)["details"][0]["field"] == "id" and "path" in error_of(r)["details"][0]["reason"]
    r = client.put("/v1/ties", json={"from": "ceo", "to": "ceo", "type": "knows"}, headers=planner)
    assert r.status_code == 422 and "two different endpoints" in error_of(r)["details"][0]["reason"]


def test_malformed_json_is_a_400_and_a_missing_body_a_422(client: TestClient, planner: H) -> None:
    headers = {**planner, "Content-Type": "application/json"}
    r = client.put("/v1/companies/x", content=b'{"id": "x", "name": ', headers=headers)
    assert r.status_code == 400 and "not valid JSON" in error_of(r)["message"]
    r = client.put("/v1/companies/x", headers=planner)
    assert r.status_code == 422
    r = client.put(
        "/v1/companies/x", content=b'{"id": "x", "name": "X"}', headers={**planner, "Content-Type": "text/plain"}
    )
    assert r.status_code == 422 and "Content-Type: application/json" in error_of(r)["message"]


def test_unknown_routes_and_methods_answer_json(client: TestClient, viewer: H) -> None:
    r = client.get("/v1/nothing-here", headers=viewer)
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    r = client.post("/v1/companies", headers=viewer)
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"


def test_a_body_over_the_limit_is_a_413(store: GraphStore) -> None:
    from tests.api.support import new_key

    headers = new_key(store, "planner")
    with api(store, max_body_bytes=2000) as small:
        company = {"id": "c", "name": "x" * 900}
        assert small.put("/v1/companies/c", json=company, headers=headers).status_code == 200
        r = small.put("/v1/companies/c", json={**company, "name": "x" * 3000}, headers=headers)
        assert r.status_code == 413
        assert error_of(r)["code"] == "payload_too_large"

        def chunks() -> Any:  # no Content-Length: the limit holds while the body streams in
            yield b'{"companies": ['
            for i in range(100):
                yield b'{"id": "c%d", "name": "n"},' % i
            yield b'{"id": "last", "name": "n"}]}'

        r = small.post("/v1/import", content=chunks(), headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 413
    assert store.counts()["companies"] == 1 and store.get_company("c").name == "x" * 900


# ---- health, request ids, unexpected errors ------------------------------------------------------


def test_only_liveness_and_the_docs_need_no_key_and_readiness_pings_the_store(client: TestClient, viewer: H) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "details": None}
    for path in ("/readyz", "/no-such-page", "/docs/assets/../../readyz", "/v1/accounts", "/docsx"):
        r = client.get(path)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", path
        assert error_of(r)["code"] == "unauthorized"
    assert client.get("/readyz", headers=viewer).json() == {"status": "ready", "details": None}
    assert client.get("/no-such-page", headers=viewer).status_code == 404
    # the docs hold no data: the schema (which declares the bearer key) and Swagger UI, served from the package
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "AccountGraph API"
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert schema["paths"]["/v1/accounts"]["get"]["security"] == [{"ApiKey": []}]
    # every operation but liveness declares the key, so Swagger UI's "Try it out" sends it
    keyless = sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") != [{"ApiKey": []}]
    )
    assert keyless == ["GET /healthz"]
    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    linked = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert linked and all(u.startswith(("/docs/assets/", "/openapi.json")) for u in linked), linked
    assert "http://" not in page.text and "https://" not in page.text
    for asset, kind in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css")):
        r = client.get(f"/docs/assets/{asset}")
        assert r.status_code == 200 and kind in r.headers["content-type"], asset
    assert client.get("/docs/assets/nothing-here.js").status_code == 404


def test_ready_is_a_503_when_the_store_is_gone(tmp_path: Any) -> None:
    from accountgraph.graph.sqlite import SqliteStore

    store = SqliteStore(f"sqlite:///{tmp_path / 'gone.db'}")
    with api(store) as c:
        store.close()
        r = c.get("/readyz", headers={"Authorization": "Bearer ag_x_y"})
        assert r.status_code == 503
        assert error_of(r)["code"] == "store_unavailable"
        assert str(tmp_path) not in r.text  # the store's location is not told to callers


def test_every_response_carries_a_request_id(client: TestClient, viewer: H) -> None:
    a = client.get("/v1/companies", headers=viewer)
    b = client.get("/v1/companies", headers=viewer)
    assert a.headers["x-request-id"] and a.headers["x-request-id"] != b.headers["x-request-id"]
    assert a.headers["server-timing"].startswith("app;dur=")
    given = client.get("/healthz", headers={"X-Request-ID": "trace-42.a:b"})
    assert given.headers["x-request-id"] == "trace-42.a:b"
    hostile = client.get("/healthz", headers={"X-Request-ID": 'x" onload=alert(1)'})
    assert hostile.headers["x-request-id"] != 'x" onload=alert(1)' and len(hostile.headers["x-request-id"]) == 32
    assert client.get("/v1/nothing", headers=viewer).headers["x-request-id"]
    assert client.get("/v1/companies").headers["x-request-id"]  # 401s too


def test_an_unexpected_error_is_a_json_500_logged_with_the_request_id(
    store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(ApiSettings(store=store.url), store=store)

    def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", explode)
    caplog.set_level(logging.INFO, logger="accountgraph.api")
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom", headers=new_key(store, ApiRole.VIEWER))
    assert r.status_code == 500
    request_id = r.headers["x-request-id"]
    error = error_of(r)
    assert error["code"] == "internal_error" and request_id in error["message"]
    assert "secret internals" not in r.text and "Traceback" not in r.text
    failures = [rec for rec in caplog.records if rec.getMessage() == "unhandled error"]
    assert len(failures) == 1 and getattr(failures[0], "request_id", None) == request_id
    assert failures[0].exc_info is not None and "secret internals" in str(failures[0].exc_info[1])
    lines = [rec for rec in caplog.records if rec.getMessage() == "request"]
    assert [(getattr(x, "path", None), getattr(x, "status", None)) for x in lines][-1] == ("/boom", 500)
    assert isinstance(getattr(lines[-1], "duration_ms", None), float)


def test_money_is_a_decimal_string_never_a_json_number(
    client: TestClient, planner: H, store: GraphStore, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Issue 14 item 17: `"amount": 12345678901234567.89` used to be stored as 12345678901234568. Numbers are
    refused for money everywhere (a record, a bundle through the API and the CLI, a deal); strings keep every
    digit."""
    from typer.testing import CliRunner

    from accountgraph.cli import app

    load(client, planner, group_bundle())
    risk = {"id": "r", "company": "sub", "kind": "credit", "at": "2026-10-02", "currency": "EUR"}
    for number in (12345678901234567.89, 5, 0.1):
        r = client.put("/v1/risks/r", json={**risk, "amount": number}, headers=planner)
        assert r.status_code == 422, r.text
        [detail] = error_of(r)["details"]
        assert detail["field"] == "amount" and "never JSON numbers" in detail["reason"], detail
    assert client.get("/v1/risks/r", headers=planner).status_code == 404
    r = client.put("/v1/risks/r", json={**risk, "amount": "12345678901234567.89"}, headers=planner)
    assert r.status_code == 200, r.text
    assert client.get("/v1/risks/r", headers=planner).json()["amount"] == "12345678901234567.89"

    before = store.counts()
    bundle = dump(Bundle(companies=[c for c in group_bundle().companies]))
    bundle["risks"] = [{**risk, "id": "r2", "amount": 12345678901234567.89}]
    r = client.post("/v1/import", json=bundle, headers=planner)
    assert r.status_code == 422, r.text
    assert [(i["record"], i["index"], i["field"]) for i in error_of(r)["details"]] == [("risks", 0, "amount")]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    env = {**store_env(store, request), "COLUMNS": "300"}
    result = CliRunner().invoke(app, ["import", str(path)], env=env)
    assert result.exit_code == 1 and "never JSON numbers" in " ".join(result.output.split()), result.output
    assert store.counts() == before  # nothing written by either

    bundle["risks"] = [{**risk, "id": "r2", "amount": "12345678901234567.89"}]
    path.write_text(json.dumps(bundle))
    result = CliRunner().invoke(app, ["import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert client.get("/v1/risks/r2", headers=planner).json()["amount"] == "12345678901234567.89"

    deal = {"account": "grp", "name": "Big deal"}
    for number in (250000, 250000.5):
        r = client.post("/v1/opportunities", json={**deal, "amount": number}, headers=planner)
        assert r.status_code == 422 and "never JSON numbers" in error_of(r)["message"], r.text
    r = client.post("/v1/opportunities", json={**deal, "amount": "250000.50"}, headers=planner)
    assert r.status_code == 201 and r.json()["amount"] == "250000.50", r.text
