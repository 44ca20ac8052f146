"""`GET /v1/search/people`: the search use case over HTTP, scoped by the key, paged, with JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole
from tests.api.support import client, error_of, new_key, viewer
from tests.services.test_search import two_accounts

FIXTURES = (client, viewer)  # used as test arguments


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(two_accounts())
    return store


def hits(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = client.get("/v1/search/people", params=params, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_people_sharing_a_name_come_with_their_company_and_title(
    loaded: GraphStore, client: TestClient, viewer: dict[str, str]
) -> None:
    page = hits(client, viewer, q="Nils Jensen")
    assert page["count"] == 2 and page["next_cursor"] is None
    assert [(h["id"], h["company_name"], h["title"], h["account"]) for h in page["data"]] == [
        ("k1", "Kestrel Medtech", "Plant Manager", "kest"),
        ("n1", "Nordwerk Danmark A/S", "Head of Procurement", "nord"),
    ]
    assert {h["matched"] for h in page["data"]} == {"name"} and {h["how"] for h in page["data"]} == {"exact"}
    assert [h["id"] for h in hits(client, viewer, q="wangxm")["data"]] == ["k2"]


def test_a_limited_key_finds_only_its_accounts_people(loaded: GraphStore, client: TestClient) -> None:
    limited = new_key(loaded, ApiRole.VIEWER, ("nord",))
    assert [h["id"] for h in hits(client, limited, q="nils jensen")["data"]] == ["n1"]
    assert hits(client, limited, q="wxm")["data"] == []


def test_paging(loaded: GraphStore, client: TestClient, viewer: dict[str, str]) -> None:
    whole = [h["id"] for h in hits(client, viewer, q="n", limit=1000)["data"]]
    seen: list[str] = []
    cursor = None
    while True:
        page = hits(client, viewer, q="n", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [h["id"] for h in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole and len(whole) >= 5


@pytest.mark.parametrize("q", ["", "   ", "x" * 201])
def test_a_bad_query_is_a_json_422(loaded: GraphStore, client: TestClient, viewer: dict[str, str], q: str) -> None:
    r = client.get("/v1/search/people", params={"q": q}, headers=viewer)
    assert r.status_code == 422, r.text
    assert "q" in str(error_of(r))


def test_a_missing_query_a_bad_cursor_and_no_key(
    loaded: GraphStore, client: TestClient, viewer: dict[str, str]
) -> None:
    assert client.get("/v1/search/people", headers=viewer).status_code == 422
    r = client.get("/v1/search/people", params={"q": "nils", "cursor": "abc"}, headers=viewer)
    assert r.status_code == 400, r.text
    assert error_of(r)["code"]
    assert client.get("/v1/search/people", params={"q": "nils"}).status_code == 401
