"""The per-account analysis endpoints: the same answers as the service, cached per data version; both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from accountgraph import i18n
from accountgraph.graph.store import GraphStore
from accountgraph.services import analysis
from accountgraph.services.scope import Scope
from tests.api.support import api, client, error_of, new_key, viewer
from tests.graph.test_store_contract import group_bundle, other_account

OPERATOR = Scope.operator()

FIXTURES = (client, viewer)  # used as test arguments
H = dict[str, str]


def same_as_service(
    client: TestClient, headers: H, path: str, params: dict[str, Any], service: Callable[[], BaseModel]
) -> dict[str, Any]:
    """GET `path`; its body must be the service's answer (computed around the call, in case the reference
    hour turns meanwhile)."""
    before = service().model_dump(mode="json")
    r = client.get(path, params=params, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body in (before, service().model_dump(mode="json"))
    return body


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())
    return store


def test_every_analysis_answers_as_the_service_does(client: TestClient, viewer: H, loaded: GraphStore) -> None:
    s, base = loaded, "/v1/accounts/grp"
    ranking = same_as_service(
        client, viewer, f"{base}/key-people", {"top": 3}, lambda: analysis.rank(s, OPERATOR, "grp", top=3, cache=None)
    )
    assert [p["rank"] for p in ranking["people"]] == [1, 2, 3]
    assert {p["id"] for p in ranking["people"]} <= {"ceo", "cfo", "gm", "eng"}

    coverage = same_as_service(
        client, viewer, f"{base}/coverage", {}, lambda: analysis.coverage(s, OPERATOR, "grp", cache=None)
    )
    assert coverage["account"] == "grp" and 0 <= coverage["score"] <= 100

    paths = same_as_service(
        client,
        viewer,
        f"{base}/paths",
        {"target": "ceo", "k": 2},
        lambda: analysis.path(s, OPERATOR, "grp", "ceo", k=2, cache=None),
    )
    assert paths["reachable"] and 1 <= len(paths["paths"]) <= 2
    assert paths["paths"][0]["member"] == "am" and [h["target"] for h in paths["paths"][0]["hops"]] == ["ceo"]

    from_se = same_as_service(
        client, viewer, f"{base}/paths", {"target": "ceo", "from": "se"},
        lambda: analysis.path(s, OPERATOR, "grp", "ceo", source="se", cache=None),
    )  # fmt: skip
    assert from_se["source"] == "se" and all(p["member"] == "se" for p in from_se["paths"])

    careful = same_as_service(
        client, viewer, f"{base}/paths", {"target": "eng", "avoid_opponents": "true", "max_hops": 4},
        lambda: analysis.path(s, OPERATOR, "grp", "eng", avoid_opponents=True, max_hops=4, cache=None),
    )  # fmt: skip
    assert careful["avoid_opponents"] is True and "cfo" in careful["avoided"] and careful["max_hops"] == 4

    apart = same_as_service(
        client, viewer, f"{base}/paths", {"target": "eng", "k": 5, "disjoint": "true"},
        lambda: analysis.path(s, OPERATOR, "grp", "eng", k=5, disjoint=True, cache=None),
    )  # fmt: skip
    assert apart["disjoint"] is True and apart["paths"] and all(p["starters"] for p in apart["paths"])
    between = [{h["target"] for h in p["hops"][:-1]} for p in apart["paths"]]
    assert all(not (a & b) - {"am", "se"} for i, a in enumerate(between) for b in between[i + 1 :])

    whatif = same_as_service(
        client,
        viewer,
        f"{base}/what-if",
        {"remove": "am"},
        lambda: analysis.whatif(s, OPERATOR, "grp", "am", cache=None),
    )
    assert whatif["removed"]["id"] == "am"

    actions = same_as_service(
        client, viewer, f"{base}/actions", {}, lambda: analysis.actions(s, OPERATOR, "grp", cache=None)
    )
    assert actions["account"] == "grp"

    risk = same_as_service(client, viewer, f"{base}/risk", {}, lambda: analysis.risk(s, OPERATOR, "grp", cache=None))
    assert [(e["id"], e["company"], e["depth"]) for e in risk["events"]] == [("r1", "sub2", 2)]

    past = same_as_service(
        client, viewer, f"{base}/risk", {"as_of": "2026-01-01"},
        lambda: analysis.risk(s, OPERATOR, "grp", as_of=date(2026, 1, 1), cache=None),
    )  # fmt: skip
    assert past["as_of"] == "2026-01-01"


def test_analysis_errors(client: TestClient, viewer: H, loaded: GraphStore) -> None:
    base = "/v1/accounts/grp"
    for path, params, status, field in (
        ("/v1/accounts/nope/key-people", {}, 404, None),
        (f"{base}/paths", {"target": "nobody"}, 404, None),
        (f"{base}/paths", {"target": "x1"}, 404, None),  # a person of another account
        (f"{base}/what-if", {"remove": "nobody"}, 404, None),
        (f"{base}/paths", {"target": "ceo", "from": "gm"}, 422, "from"),  # a customer's person is not our team
        (f"{base}/paths", {"target": "ceo", "k": 0}, 422, "k"),
        (f"{base}/paths", {}, 422, "target"),
        (f"{base}/key-people", {"top": -1}, 422, "top"),
        (f"{base}/risk", {"as_of": "yesterday"}, 422, "as_of"),
        (f"{base}/risk", {"as_of": "0"}, 422, "as_of"),
        (f"{base}/coverage", {"covrage": "1"}, 422, "covrage"),
    ):
        r = client.get(path, params=params, headers=viewer)
        assert r.status_code == status, (path, params, r.text)
        if field is not None:
            assert field in [i["field"] for i in error_of(r)["details"]], r.text


def test_a_limited_key_gets_404_for_another_accounts_analyses(client: TestClient, loaded: GraphStore) -> None:
    mine = new_key(loaded, "viewer", accounts=("oth",))
    for path in ("key-people", "coverage", "actions", "risk"):
        assert client.get(f"/v1/accounts/oth/{path}", headers=mine).status_code == 200
        r = client.get(f"/v1/accounts/grp/{path}", headers=mine)
        assert r.status_code == 404 and error_of(r)["details"] == {"kind": "account", "id": "grp"}
    assert client.get("/v1/accounts/grp/paths", params={"target": "ceo"}, headers=mine).status_code == 404


def test_the_account_graph_is_cached_until_a_write(viewer: H, loaded: GraphStore) -> None:
    with api(loaded, cache_responses=0) as client:  # the views' cache alone (the answers' is tested below)
        assert client.app_state["responses"] is None
        _cached_until_a_write(client, viewer, loaded)


def _cached_until_a_write(client: TestClient, viewer: H, loaded: GraphStore) -> None:
    planner = new_key(loaded, "planner")
    views = client.app_state["views"]
    url, params = "/v1/accounts/grp/paths", {"target": "ceo", "k": 1}
    first = client.get(url, params=params, headers=viewer).json()
    misses = views.misses
    for _ in range(3):
        assert client.get(url, params=params, headers=viewer).json() == first
    assert views.misses == misses and views.hits >= 3  # served from the cache

    # a write to the account drops it: am no longer knows the CEO, the best path changes
    assert first["paths"][0]["member"] == "am" and len(first["paths"][0]["hops"]) == 1
    r = client.delete("/v1/ties/knows", params={"from": "am", "to": "ceo"}, headers=planner)
    assert r.status_code == 204
    after = client.get(url, params=params, headers=viewer).json()
    assert views.misses == misses + 1
    assert after != first and after["paths"][0]["hops"][0]["target"] != "ceo"


def test_concurrent_misses_load_the_account_once(store: GraphStore) -> None:
    from accountgraph.errors import NotFoundError
    from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account

    store.load_bundle(generate_account(300, seed=3, account_id="big", reference=DEFAULT_REFERENCE))
    views = analysis.ViewCache(4)
    start = threading.Barrier(8)

    def rank() -> Any:
        start.wait()
        return analysis.rank(store, OPERATOR, "big", top=5, cache=views).model_dump(mode="json")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: rank(), range(8)))
    assert all(r == results[0] for r in results)
    assert views.loads == 1 and views.in_flight() == 0

    def missing() -> str:
        start.wait()
        try:
            analysis.rank(store, OPERATOR, "nope", cache=views)
        except NotFoundError as err:
            return err.id
        return "found?"

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda _: missing(), range(8))) == ["nope"] * 8
    assert views.in_flight() == 0  # a failed load leaves nobody waiting


def test_a_404_leaves_no_load_in_flight(client: TestClient, viewer: H, loaded: GraphStore) -> None:
    views = client.app_state["views"]
    for _ in range(2):
        assert client.get("/v1/accounts/nope/coverage", headers=viewer).status_code == 404
        assert client.get("/v1/accounts/grp/paths", params={"target": "zz"}, headers=viewer).status_code == 404
    assert views.in_flight() == 0


def test_views_are_served_as_self_contained_html_with_the_same_auth(
    loaded: GraphStore, client: TestClient, viewer: H
) -> None:
    r = client.get("/v1/accounts/grp/view", params={"highlight": "gm"}, headers=viewer)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "王伟" in r.text and "<script src" not in r.text
    r = client.get("/v1/accounts/grp/tree/view", headers=viewer)
    assert r.status_code == 200 and "上海医疗器械有限公司" in r.text
    assert client.get("/v1/accounts/grp/view").status_code == 401
    scoped = new_key(loaded, "viewer", ("oth",))
    assert client.get("/v1/accounts/grp/tree/view", headers=scoped).status_code == 404
    r = client.get("/v1/accounts/grp/view", params={"highlight": "nobody"}, headers=viewer)
    assert r.status_code == 404 and "nobody" in error_of(r)["message"]


def test_views_follow_accept_language(loaded: GraphStore, client: TestClient, viewer: H) -> None:
    zh = {**viewer, "Accept-Language": "zh-CN,zh;q=0.9"}
    for path, heading in (("/v1/accounts/grp/view", "Stance (colour)"), ("/v1/accounts/grp/tree/view", "Risk alerts")):
        english = client.get(path, headers=viewer)
        chinese = client.get(path, headers=zh)
        assert '<html lang="en">' in english.text and heading in english.text, path
        assert chinese.headers["content-language"] == "zh-CN" and '<html lang="zh-CN">' in chinese.text, path
        assert i18n.translations("zh_CN").gettext(heading) in chinese.text and heading not in chinese.text, path


def _another_connection(store: GraphStore, request: pytest.FixtureRequest) -> GraphStore:
    """Another store on the same database, as another worker process has."""
    from accountgraph.graph.neo4j import Neo4jStore
    from accountgraph.graph.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        return SqliteStore(store.url)
    server = request.getfixturevalue("neo4j_service")
    return Neo4jStore(server.uri, auth=server.auth)


def test_answers_are_kept_per_data_version_key_and_language(
    client: TestClient, viewer: H, loaded: GraphStore, request: pytest.FixtureRequest
) -> None:
    responses, views = client.app_state["responses"], client.app_state["views"]
    other, planner, admin = (new_key(loaded, role) for role in ("viewer", "planner", "admin"))  # before: a write
    url, params = "/v1/accounts/grp/paths", {"target": "ceo", "k": 1}
    first = client.get(url, params=params, headers=viewer)
    assert first.status_code == 200 and len(responses) == 1
    loads, view_hits = views.misses, views.hits
    again = [client.get(url, params=params, headers=viewer) for _ in range(3)]
    assert [r.content for r in again] == [first.content] * 3
    assert responses.hits == 3 and (views.misses, views.hits) == (loads, view_hits)  # the route did not run
    ids = {r.headers["x-request-id"] for r in [first, *again]}
    assert len(ids) == 4 and all(r.headers["cache-control"] == "no-store" for r in again)  # per request, as before

    # another key, another language, another query: answers of their own, made by the route
    assert client.get(url, params=params, headers=other).content == first.content
    chinese = client.get(url, params=params, headers={**viewer, "Accept-Language": "zh-CN"})
    assert chinese.status_code == 200 and chinese.content != first.content
    assert chinese.json()["paths"][0]["explanation"] != first.json()["paths"][0]["explanation"]
    k2 = client.get(url, params={**params, "k": 2}, headers=viewer)
    assert k2.status_code == 200 and len(responses) == 4 and responses.hits == 3
    assert views.hits > view_hits

    # neither errors nor routes that are not marked are kept
    for _ in range(2):
        assert client.get(url, params={"target": "zz"}, headers=viewer).status_code == 404
        assert client.get("/v1/accounts", headers=viewer).status_code == 200
        assert client.get(url, params={**params, "nope": 1}, headers=viewer).status_code == 422
    assert len(responses) == 4

    # a write through this app: the next answer is made again, from the new data
    assert client.delete("/v1/ties/knows", params={"from": "am", "to": "ceo"}, headers=planner).status_code == 204
    after = client.get(url, params=params, headers=viewer)
    assert after.status_code == 200 and after.json()["paths"][0]["hops"][0]["target"] != "ceo"
    assert len(responses) == 1  # the older version's answers are dropped

    # a write through another connection (another worker): seen at the next request too
    people = "/v1/accounts/grp/key-people"
    ranked = client.get(people, headers=viewer)
    assert client.get(people, headers=viewer).content == ranked.content and responses.hits == 4
    ceo = loaded.get_person("ceo")
    assert ceo.stance != "opponent"
    other_store = _another_connection(loaded, request)
    try:
        other_store.upsert_person(type(ceo).model_validate({**ceo.model_dump(), "stance": "opponent"}))
    finally:
        other_store.close()
    now = client.get(people, headers=viewer)
    assert now.status_code == 200 and responses.hits == 4
    assert {p["id"]: p["stance"] for p in now.json()["people"]}["ceo"] == "opponent"

    # a revoked key is refused although its answer is kept
    assert client.get(url, params=params, headers=viewer).status_code == 200
    key_id = viewer["Authorization"].split("_")[1]
    assert client.delete(f"/v1/keys/{key_id}", headers=admin).status_code in (200, 204)
    assert client.get(url, params=params, headers=viewer).status_code == 401


def test_a_kept_answer_lasts_one_data_version_and_one_hour() -> None:
    from accountgraph.api.middleware import KeptResponse, ResponseCache

    now = [7200.0]
    cache = ResponseCache(entries=2, max_bytes=16 * 100, clock=lambda: now[0])
    answer = KeptResponse([(b"content-type", b"application/json")], b"{}")
    gen = cache.generation(5)
    assert cache.put(gen, "a", answer) and cache.get(gen, "a") == answer
    now[0] += 3599  # the same hour
    assert cache.get(cache.generation(5), "a") == answer
    now[0] += 1  # the next hour: the recency weights may differ
    assert cache.get(cache.generation(5), "a") is None
    assert cache.put(cache.generation(5), "b", answer) and len(cache) == 1  # the older hour's answers dropped
    assert not cache.put(gen, "a", answer)  # made in an older hour: not kept
    assert not cache.put((4, gen[1] + 1), "a", answer)  # made from an older version: not kept
    assert cache.put(cache.generation(6), "c", answer) and cache.get(cache.generation(5), "b") is None
    assert cache.put(cache.generation(6), "d", answer) and cache.put(cache.generation(6), "e", answer)
    assert len(cache) == 2 and cache.get(cache.generation(6), "c") is None  # the least recently used went
    assert not cache.put(cache.generation(6), "big", KeptResponse([], b"x" * 101))  # over a sixteenth
