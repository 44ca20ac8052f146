"""Authentication and authorisation: keys, roles, revocation, account scope, the `keys` CLI; both backends."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accountgraph.api.app import create_app
from accountgraph.api.settings import ApiSettings
from accountgraph.cli import app as cli
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole, Bundle
from tests.api.support import admin, api, bearer, client, error_of, new_key, planner, store_env, viewer
from tests.graph.test_store_contract import group_bundle, other_account

FIXTURES = (admin, client, planner, viewer)  # used as test arguments

H = dict[str, str]
KEY = re.compile(r"^ag_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


def routes() -> list[tuple[str, str]]:
    """(method, path) of every operation of the OpenAPI schema, path parameters filled in."""
    schema = create_app(ApiSettings(store="sqlite:///unused.db")).openapi()
    found = []
    for path, operations in schema["paths"].items():
        filled = path.replace("{id}", "grp").replace("{type}", "knows")
        found += [(method.upper(), filled) for method in sorted(operations)]
    return found


ROUTES = routes()
V1 = [(m, p) for m, p in ROUTES if p.startswith("/v1/")]


def needed(method: str, path: str) -> ApiRole:
    if path.startswith("/v1/keys"):
        return ApiRole.ADMIN
    return ApiRole.VIEWER if method == "GET" else ApiRole.PLANNER


def load(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())


def test_every_v1_operation_needs_a_valid_key(store: GraphStore) -> None:
    with api(store, auth_failure_limit=0) as client:  # hundreds of wrong keys at once: no rate limit here
        every_v1_operation_needs_a_valid_key(client, store)


def every_v1_operation_needs_a_valid_key(client: TestClient, store: GraphStore) -> None:
    assert len(V1) >= 30
    key = new_key(store, "admin")["Authorization"].split()[1]
    key_id, secret = KEY.match(key).groups()  # type: ignore[union-attr]
    forged = f"ag_{key_id}_{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"
    for method, path in V1:
        for headers, why in (
            ({}, "required"),
            ({"Authorization": f"Basic {key}"}, "required"),
            ({"Authorization": "Bearer"}, "required"),
            (bearer("ag_0123456789abcdef_" + "x" * 43), "unknown"),
            (bearer(forged), "unknown"),
            (bearer("not-a-key"), "unknown"),
        ):
            r = client.request(
                method, path, headers=headers, params={"from": "a", "to": "b", "target": "a", "remove": "a"}
            )
            assert r.status_code == 401, (method, path, headers, r.text)
            assert why in error_of(r)["message"]
            assert r.headers["www-authenticate"] == "Bearer"
    for method, path in ROUTES:
        if not path.startswith("/v1/"):  # only liveness needs no key; readiness a key of any role
            assert client.request(method, path).status_code == (200 if path == "/healthz" else 401), path


def test_keys_are_random_and_only_a_hash_is_stored(client: TestClient, admin: H, store: GraphStore) -> None:
    made = [client.post("/v1/keys", json={"role": "viewer", "name": f"k{i}"}, headers=admin) for i in range(3)]
    assert all(r.status_code == 201 for r in made)
    keys = [r.json()["key"] for r in made]
    assert len(set(keys)) == 3
    for r, key in zip(made, keys, strict=True):
        key_id, secret = KEY.match(key).groups()  # type: ignore[union-attr]
        assert r.json()["id"] == key_id
        stored = store.get_api_key(key_id)
        assert stored is not None and stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in stored.model_dump_json()
        assert client.get("/v1/companies", headers=bearer(key)).status_code == 200
    listed = client.get("/v1/keys", headers=admin).json()["data"]
    assert all("secret_hash" not in k and "key" not in k for k in listed)
    shown = client.get(f"/v1/keys/{made[0].json()['id']}", headers=admin).json()
    assert shown["name"] == "k0" and "key" not in shown and "secret_hash" not in shown


def test_each_role_may_do_what_it_should_and_no_more(client: TestClient, store: GraphStore) -> None:
    load(store)
    keys = {role: new_key(store, role) for role in ApiRole}
    rank = {ApiRole.VIEWER: 0, ApiRole.PLANNER: 1, ApiRole.ADMIN: 2}
    for method, path in V1:
        need = needed(method, path)
        for role, headers in keys.items():
            r = client.request(method, path, headers=headers)
            if rank[role] < rank[need]:
                assert r.status_code == 403, (role, method, path, r.text)
                assert error_of(r)["code"] == "forbidden" and need.value in error_of(r)["message"]
            else:
                assert r.status_code not in (401, 403), (role, method, path, r.text)
    # and the happy path of each role
    assert client.get("/v1/people/ceo", headers=keys[ApiRole.VIEWER]).status_code == 200
    company = {"id": "n", "name": "N"}
    assert client.put("/v1/companies/n", json=company, headers=keys[ApiRole.VIEWER]).status_code == 403
    assert client.put("/v1/companies/n", json=company, headers=keys[ApiRole.PLANNER]).status_code == 200
    assert client.post("/v1/keys", json={"role": "viewer"}, headers=keys[ApiRole.PLANNER]).status_code == 403
    assert client.post("/v1/keys", json={"role": "viewer"}, headers=keys[ApiRole.ADMIN]).status_code == 201


def test_a_revoked_key_stops_working_at_once(client: TestClient, admin: H, store: GraphStore) -> None:
    made = client.post("/v1/keys", json={"role": "planner"}, headers=admin).json()
    headers = bearer(made["key"])
    assert client.get("/v1/companies", headers=headers).status_code == 200
    revoked = client.delete(f"/v1/keys/{made['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    r = client.get("/v1/companies", headers=headers)
    assert r.status_code == 401 and "revoked" in error_of(r)["message"]
    listed = {k["id"]: k for k in client.get("/v1/keys", headers=admin).json()["data"]}
    assert listed[made["id"]]["revoked_at"] is not None  # it stays listed
    assert client.delete("/v1/keys/nope", headers=admin).status_code == 404


# ---- account scope -------------------------------------------------------------------------------


def same_as_missing(client: TestClient, headers: H, path: str, missing_path: str, **params: Any) -> None:
    """A hidden record answers exactly like one that does not exist (but for its id)."""
    hidden = client.get(path, headers=headers, params=params)
    absent = client.get(missing_path, headers=headers, params=params)
    assert hidden.status_code == absent.status_code == 404, (path, hidden.text)
    assert error_of(hidden)["code"] == error_of(absent)["code"] == "not_found"
    assert error_of(hidden)["details"]["kind"] == error_of(absent)["details"]["kind"]


def test_a_key_limited_to_an_account_sees_nothing_of_another(client: TestClient, store: GraphStore) -> None:
    load(store)
    mine = new_key(store, "planner", accounts=("grp",))
    everything = new_key(store, "viewer")
    for path, missing in (
        ("/v1/companies/oth", "/v1/companies/zz"),
        ("/v1/people/x1", "/v1/people/zz"),
        ("/v1/accounts/oth/tree", "/v1/accounts/zz/tree"),
        ("/v1/accounts/oth/export", "/v1/accounts/zz/export"),
    ):
        same_as_missing(client, mine, path, missing)
        assert client.get(path, headers=everything).status_code == 200
    same_as_missing(client, mine, "/v1/ties/influences", "/v1/ties/influences", **{"from": "x1", "to": "ceo"})
    assert client.get("/v1/ties/influences", headers=everything, params={"from": "x1", "to": "ceo"}).status_code == 200
    # its own account as usual, and the team (which belongs to no account)
    assert client.get("/v1/people/ceo", headers=mine).status_code == 200
    assert client.get("/v1/team/am", headers=mine).status_code == 200

    def ids(path: str, **params: Any) -> list[Any]:
        data = client.get(path, headers=mine, params=params).json()["data"]
        return [i.get("id") or (i["from"], i["to"]) for i in data]

    assert ids("/v1/accounts") == ["grp"]
    assert ids("/v1/companies") == ["grp", "sub", "sub2"]
    assert ids("/v1/people") == ["ceo", "cfo", "eng", "gm"]
    assert ids("/v1/people", account="oth") == []
    assert ids("/v1/people", company="oth") == []
    assert ("x1", "ceo") not in ids("/v1/ties") and ("am", "x1") not in ids("/v1/ties")
    assert ids("/v1/ties", person="x1") == []
    assert ids("/v1/risks") == ["r1"] and ids("/v1/interactions") == ["i1", "i2"]


def test_a_limited_key_cannot_write_outside_its_accounts(client: TestClient, store: GraphStore) -> None:
    load(store)
    mine = new_key(store, "planner", accounts=("grp",))
    before = store.export_bundle("oth")

    def refused(method: str, path: str, body: Any, status: int, field: str | None = None, **params: Any) -> None:
        r = client.request(method, path, json=body, headers=mine, params=params)
        assert r.status_code == status, (path, r.text)
        if field is not None:
            assert field in [i["field"] for i in error_of(r)["details"]]

    # naming a hidden record answers as naming one that does not exist
    hidden = client.put("/v1/people/p9", json={"id": "p9", "name": "P", "company": "oth"}, headers=mine)
    absent = client.put("/v1/people/p9", json={"id": "p9", "name": "P", "company": "zz"}, headers=mine)
    assert hidden.status_code == absent.status_code == 422
    assert error_of(hidden)["details"][0] | {"reason": ""} == error_of(absent)["details"][0] | {"reason": ""}
    assert error_of(hidden)["details"][0]["reason"] == "no company with id 'oth'"
    refused("PUT", "/v1/companies/sub9", {"id": "sub9", "name": "S", "parent": "oth"}, 422, "parent")
    refused(
        "PUT", "/v1/people/ceo", {"id": "ceo", "name": "C", "company": "grp", "reports_to": "x1"}, 422, "reports_to"
    )
    refused("PUT", "/v1/ties", {"from": "ceo", "to": "x1", "type": "knows"}, 422, "to")
    refused("PUT", "/v1/interactions/i9", {"id": "i9", "member": "am", "person": "x1", "kind": "call",
                                           "at": "2026-01-01T00:00:00Z"}, 422, "person")  # fmt: skip
    refused("PUT", "/v1/risks/r9", {"id": "r9", "company": "oth", "kind": "news", "at": "2026-01-01"}, 422, "company")
    # moving or overwriting a hidden record, or creating another account
    refused("PUT", "/v1/companies/oth", {"id": "oth", "name": "Mine now", "parent": "grp"}, 409, "id")
    refused("PUT", "/v1/people/x1", {"id": "x1", "name": "X", "company": "grp"}, 409, "id")
    refused("PUT", "/v1/companies/newroot", {"id": "newroot", "name": "R"}, 422, "parent")
    two = [{"id": "p8", "name": "P", "company": "sub"}, {"id": "p9", "name": "P", "company": "oth"}]
    refused("POST", "/v1/import", {"people": two}, 422, "company")
    # deleting
    refused("DELETE", "/v1/people/x1", None, 404)
    refused("DELETE", "/v1/companies/oth", None, 404)
    refused("DELETE", "/v1/ties/influences", None, 404, **{"from": "x1", "to": "ceo"})
    refused("DELETE", "/v1/team/am", None, 403)
    assert store.export_bundle("oth") == before
    assert store.counts()["people"] == 5 and store.get_team_member("am")
    # what stays inside works
    ok = client.put("/v1/people/p8", json={"id": "p8", "name": "P", "company": "sub", "reports_to": "gm"}, headers=mine)
    assert ok.status_code == 200, ok.text
    assert client.put("/v1/ties", json={"from": "p8", "to": "am", "type": "knows"}, headers=mine).status_code == 200


def test_a_key_of_two_accounts_pages_through_both(client: TestClient, store: GraphStore) -> None:
    load(store)
    store.load_bundle(Bundle.model_validate({"companies": [{"id": "third", "name": "Third"}],
                                             "people": [{"id": "t1", "name": "T", "company": "third"}]}))  # fmt: skip
    both = new_key(store, "viewer", accounts=("grp", "third"))
    seen, cursor = [], None
    while True:
        page = client.get(
            "/v1/people", params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=both
        ).json()
        seen += [p["id"] for p in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["ceo", "cfo", "eng", "gm", "t1"]
    assert [a["id"] for a in client.get("/v1/accounts", headers=both).json()["data"]] == ["grp", "third"]


def test_an_admin_limited_to_accounts_manages_only_keys_within_them(client: TestClient, store: GraphStore) -> None:
    load(store)
    boss = new_key(store, "admin", accounts=("grp",))
    new_key(store, "viewer")  # unlimited: not this admin's to see
    assert client.post("/v1/keys", json={"role": "viewer"}, headers=boss).status_code == 403
    assert client.post("/v1/keys", json={"role": "viewer", "accounts": ["oth"]}, headers=boss).status_code == 403
    made = client.post("/v1/keys", json={"role": "planner", "accounts": ["grp"]}, headers=boss)
    assert made.status_code == 201 and made.json()["accounts"] == ["grp"]
    listed = client.get("/v1/keys", headers=boss).json()["data"]
    assert all(k["accounts"] == ["grp"] for k in listed) and made.json()["id"] in [k["id"] for k in listed]
    others = [k.id for k in store.list_api_keys() if not k.accounts]
    for key_id in others:
        assert client.get(f"/v1/keys/{key_id}", headers=boss).status_code == 404
        assert client.delete(f"/v1/keys/{key_id}", headers=boss).status_code == 404
    assert all(store.get_api_key(k).revoked_at is None for k in others)  # type: ignore[union-attr]


def test_key_create_validates_its_body(client: TestClient, admin: H) -> None:
    r = client.post("/v1/keys", json={"role": "root", "extra": 1}, headers=admin)
    assert r.status_code == 422
    assert {i["field"] for i in error_of(r)["details"]} == {"role", "extra"}


# ---- the keys CLI --------------------------------------------------------------------------------


def test_keys_cli_creates_lists_and_revokes(store: GraphStore, request: pytest.FixtureRequest) -> None:
    runner = CliRunner()
    env = store_env(store, request)
    load(store)  # a key is only limited to an account that exists
    made = runner.invoke(cli, ["keys", "create", "--role", "planner", "--name", "ci", "--account", "grp"], env=env)
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    key_id, secret = KEY.match(key).groups()  # type: ignore[union-attr]
    stored = store.get_api_key(key_id)
    assert stored is not None and stored.role is ApiRole.PLANNER and stored.accounts == ["grp"] and stored.name == "ci"

    with TestClient(create_app(ApiSettings(store=store.url), store=store)) as c:
        assert c.get("/v1/people/ceo", headers=bearer(key)).status_code == 200
        assert c.get("/v1/people/x1", headers=bearer(key)).status_code == 404
        listed = runner.invoke(cli, ["keys", "list"], env=env)
        assert listed.exit_code == 0 and key_id in listed.stdout and secret not in listed.stdout
        revoked = runner.invoke(cli, ["keys", "revoke", key_id], env=env)
        assert revoked.exit_code == 0, revoked.output
        assert c.get("/v1/people/ceo", headers=bearer(key)).status_code == 401
    missing = runner.invoke(cli, ["keys", "revoke", "nope"], env=env)
    assert missing.exit_code == 1 and "not found" in missing.output
    bad = runner.invoke(cli, ["keys", "create", "--role", "root"], env=env)
    assert bad.exit_code != 0
