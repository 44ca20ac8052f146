"""Hostile input: stored verbatim or refused cleanly (never a 500), and the store unharmed; both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import Bundle
from tests.api.support import client, error_of, new_key, planner, server, store_env

FIXTURES = (client, planner)  # used as test arguments
H = dict[str, str]

NASTY_IDS = [
    "o'brien",
    'say "hi"',
    "`backtick` id",
    "x' OR '1'='1",
    "1; DROP TABLE person; --",
    "a\\b\\\\c",
    "}) MATCH (n) DETACH DELETE n //",
    "$param {id: 1}",
    "p:Person {id:'x'}",
    "slash/in/id",
    "percent %2F %00 %",
    "query?x=1&y=2#frag",
    "..",
    "ünïcødé 名前 🙂",
    "‮right-to-left",
    "z" * 200,
]


def u(text: str) -> str:
    """A path segment that carries any id verbatim (dots too, so no client normalises `..` away)."""
    return quote(text, safe="").replace(".", "%2E")


def baseline(client: TestClient | httpx.Client, planner: H) -> dict[str, Any]:
    bundle = {
        "companies": [{"id": "acme", "name": "Acme"}],
        "people": [{"id": "boss", "name": "Boss", "company": "acme"}],
        "team": [{"id": "me", "name": "Me"}],
        "ties": [{"from": "me", "to": "boss", "type": "knows", "strength": 0.5}],
    }
    assert client.post("/v1/import", json=bundle, headers=planner).status_code == 200
    exported: dict[str, Any] = client.get("/v1/accounts/acme/export", headers=planner).json()
    return exported


def unharmed(client: TestClient | httpx.Client, planner: H, store: GraphStore, before: dict[str, Any]) -> None:
    store.ping()
    assert client.get("/readyz", headers=planner).status_code == 200
    assert client.get("/v1/accounts/acme/export", headers=planner).json() == before


def test_nasty_ids_round_trip_through_a_real_server(store: GraphStore, request: pytest.FixtureRequest) -> None:
    """Ids go through URL paths, so this runs over a real server (uvicorn decodes a path exactly once)."""
    keys = new_key(store, "planner")
    with server(store_env(store, request)) as s, httpx.Client(base_url=s.url, headers=keys, timeout=60) as c:
        before = baseline(c, keys)
        for nasty in NASTY_IDS:
            stored_verbatim(c, store, nasty)
            found_nowhere(c, nasty)
        unharmed(c, keys, store, before)


def stored_verbatim(c: httpx.Client, store: GraphStore, nasty: str) -> None:
    company = {"id": nasty, "name": f"Company {nasty}", "parent": "acme", "region": nasty}
    r = c.put(f"/v1/companies/{u(nasty)}", json=company)
    assert r.status_code == 200, (nasty, r.text)
    assert c.get(f"/v1/companies/{u(nasty)}").json() == {**company, "industry": None, "country": None}

    pid = f"p-{nasty}"[:200]
    person = {"id": pid, "name": nasty, "company": nasty, "reports_to": "boss", "title": nasty}
    assert c.put(f"/v1/people/{u(pid)}", json=person).status_code == 200, nasty
    got = c.get(f"/v1/people/{u(pid)}").json()
    assert (got["id"], got["name"], got["company"], got["title"]) == (pid, nasty, nasty, nasty)

    tie = {"from": pid, "to": "me", "type": "knows", "strength": 0.4, "note": nasty}
    assert c.put("/v1/ties", json=tie).status_code == 200
    got_tie = c.get("/v1/ties/knows", params={"from": pid, "to": "me"}).json()
    assert got_tie["note"] == nasty and {got_tie["from"], got_tie["to"]} == {pid, "me"}

    assert [p["id"] for p in c.get("/v1/people", params={"company": nasty}).json()["data"]] == [pid]
    assert [x["id"] for x in c.get("/v1/accounts/acme/tree").json()["children"]] == [nasty]
    assert store.get_company(nasty).region == nasty

    # and gone again, leaving the rest as it was
    assert c.delete(f"/v1/people/{u(pid)}").status_code == 204
    assert c.delete(f"/v1/companies/{u(nasty)}").status_code == 204


def found_nowhere(c: httpx.Client, nasty: str) -> None:
    """After `stored_verbatim` deleted them again, nothing answers to the id, and filters by it find nothing."""
    for path in ("companies", "people", "team", "interactions", "risks"):
        r = c.get(f"/v1/{path}/{u(nasty)}")
        assert r.status_code == 404, (path, nasty, r.text)
        assert error_of(r)["details"]["id"] == nasty
    assert c.delete(f"/v1/interactions/{u(nasty)}").status_code == 404
    r = c.get("/v1/interactions", params={"account": nasty, "person": nasty, "member": nasty})
    assert r.status_code == 200 and r.json()["data"] == []
    assert c.get("/v1/ties/knows", params={"from": nasty, "to": "me"}).status_code == 404
    for path in ("tree", "key-people"):
        assert c.get(f"/v1/accounts/{u(nasty)}/{path}").status_code == 404, (path, nasty)


def test_forged_cursors_are_refused_or_harmless(client: TestClient, planner: H, store: GraphStore) -> None:
    import base64

    before = baseline(client, planner)
    for key in (["' OR 1=1 --"], ["a", "b"], [1], {"id": "x"}, ["\x00"], ["z" * 5000]):
        cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
        r = client.get("/v1/people", params={"cursor": cursor[:2000]}, headers=planner)
        assert r.status_code in (200, 400, 422), r.text
        if r.status_code == 200:
            assert all(p["id"] > key[0] for p in r.json()["data"])  # type: ignore[index]
    unharmed(client, planner, store, before)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "bad\x00id"),
        ("id", "tab\tid"),
        ("id", " padded"),
        ("id", "x" * 201),
        ("name", "n" * 1001),
        ("industry", "i" * 10_001),
        ("name", "\ud800 lone surrogate"),
        ("name", {"nested": {"deeper": ["and", "deeper"]}}),
        ("name", ["a", "list"]),
        ("name", 12),
        ("parent", True),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_bad_values_are_a_422_naming_the_field(
    client: TestClient, planner: H, store: GraphStore, field: str, value: Any
) -> None:
    before = baseline(client, planner)
    record = {"id": "c1", "name": "C", field: value}
    body = json.dumps({"companies": [record]}).encode()  # ASCII escapes: a lone surrogate travels as \\ud800
    r = client.post("/v1/import", content=body, headers={**planner, "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert [(i["record"], i["index"], i["field"]) for i in error_of(r)["details"]] == [("companies", 0, field)]
    assert store.counts()["companies"] == 1
    unharmed(client, planner, store, before)


def test_control_characters_in_free_text_are_kept_verbatim(client: TestClient, planner: H) -> None:
    baseline(client, planner)
    text = "line1\nline2\r\n\ttab \x00nul \x1b[31mred\x1b[0m \x7f del \u2028 sep"
    person = {"id": "ctl", "name": "Ctl", "company": "acme", "title": text, "department": text}
    assert client.put("/v1/people/ctl", json=person, headers=planner).status_code == 200
    got = client.get("/v1/people/ctl", headers=planner).json()
    assert got["title"] == got["department"] == text
    longest = "L" * 10_000
    assert client.put("/v1/people/ctl", json={**person, "title": longest}, headers=planner).status_code == 200
    assert client.get("/v1/people/ctl", headers=planner).json()["title"] == longest


def nested(depth: int) -> bytes:
    return b'{"companies": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (nested(100_000), 400),  # deeper than the JSON parser goes
        (nested(50), 422),
        (b'{"companies": [{"id": "c", "name": "C", "industry": ' + b'{"a": ' * 500 + b"1" + b"}" * 500 + b"}]}", 422),
        (b'{"people": [{"id": "p", "name": "P", "company": "acme", "level": ' + b"9" * 5000 + b"}]}", 400),
        (b'{"people": [{"id": "p", "name": "P", "company": "acme", "level": 1e999}]}', 422),
        (b'{"ties": [{"from": "me", "to": "boss", "type": "knows", "strength": NaN}]}', 422),
        (b'{"companies": [{"id": "\xff\xfe", "name": "bad utf-8"}]}', 400),
        (b'{"companies": [{"id": "c", "name": "C"}]} trailing', 400),
        (b"", 422),
        (b"null", 422),
        (b"[]", 422),
        (b'"a string"', 422),
        (b'{"companies": "not a list"}', 422),
        (b'{"companies": [{"id": "c", "name": "C", "id": "dup key"}]}', 200),  # JSON's last duplicate wins
    ],
    ids=lambda v: v if isinstance(v, int) else repr(v[:30]),
)
def test_malformed_bodies_are_refused_cleanly(
    client: TestClient, planner: H, store: GraphStore, body: bytes, status: int
) -> None:
    before = baseline(client, planner)
    r = client.post("/v1/import", content=body, headers={**planner, "Content-Type": "application/json"})
    assert r.status_code == status, r.text
    if status != 200:
        assert error_of(r)["code"] in ("bad_request", "validation_error")
        assert "Traceback" not in r.text
        unharmed(client, planner, store, before)


def test_dates_at_the_ends_of_the_calendar_are_refused_not_crashed_on(
    client: TestClient, planner: H, store: GraphStore
) -> None:
    before = baseline(client, planner)
    for at in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "10000-01-01T00:00:00Z", "yesterday"):
        interaction = {"id": "i", "member": "me", "person": "boss", "kind": "call", "at": at}
        r = client.put("/v1/interactions/i", json=interaction, headers=planner)
        assert r.status_code == 422, (at, r.text)
    for as_of in ("0001-01-01", "9999-12-31"):
        r = client.get("/v1/accounts/acme/risk", params={"as_of": as_of}, headers=planner)
        assert r.status_code in (200, 422), (as_of, r.text)
    unharmed(client, planner, store, before)


def test_a_huge_body_is_refused_at_the_default_limit(client: TestClient, planner: H, store: GraphStore) -> None:
    before = baseline(client, planner)

    def stream() -> Iterator[bytes]:  # no Content-Length: counted as it comes
        yield b'{"companies": [{"id": "big", "name": "'
        chunk = b"x" * (1 << 20)
        for _ in range(65):  # 65 MiB, over the 64 MiB default
            yield chunk
        yield b'"}]}'

    r = client.post("/v1/import", content=stream(), headers={**planner, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert error_of(r)["code"] == "payload_too_large" and str(64 << 20) in error_of(r)["message"]
    unharmed(client, planner, store, before)


def test_many_records_in_one_import_are_fine(client: TestClient, planner: H, store: GraphStore) -> None:
    baseline(client, planner)
    people = [{"id": f"bulk-{i:05d}", "name": f"Person {i}", "company": "acme"} for i in range(3000)]
    bundle = Bundle.model_validate({"people": people}).model_dump(mode="json", by_alias=True)
    r = client.post("/v1/import", json=bundle, headers=planner)
    assert r.status_code == 200 and r.json()["imported"]["people"] == 3000
    assert store.counts()["people"] == 3001
