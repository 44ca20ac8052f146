"""Neo4j goes down and comes back, on a private server of the launcher (tools/neo4j, the `private_neo4j` fixture)
stopped and restarted on the same port with the same files: the store refuses at once while it is down (circuit
breaker), the API answers 503 and stays live, and both recover by themselves.

Speed is not asserted (the benchmarks measure it); the latencies seen are printed (`pytest -s`)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
import pytest

from accountgraph.errors import StoreError
from accountgraph.graph.neo4j import Neo4jStore
from tests.api.support import REPO, bearer, run_cli, server
from tests.graph.test_store_contract import group_bundle
from tests.neo4j_server import PrivateNeo4j

T = TypeVar("T")
RECOVERY = 120.0  # seconds a test waits for the store to answer again once Neo4j is back (a wait, not a check)


def timed(fn: Callable[[], T]) -> tuple[float, T | BaseException]:
    started = time.perf_counter()
    try:
        result: T | BaseException = fn()
    except BaseException as err:  # the test looks at what came out
        result = err
    return time.perf_counter() - started, result


def until_answers(fn: Callable[[], T]) -> T:
    """`fn()` once it stops raising StoreError (waiting at most RECOVERY seconds)."""
    deadline = time.monotonic() + RECOVERY
    while True:
        try:
            return fn()
        except StoreError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_store_refuses_at_once_while_neo4j_is_down_and_recovers(private_neo4j: PrivateNeo4j) -> None:
    store = Neo4jStore(private_neo4j.uri, breaker_seconds=1.0)
    try:
        store.clear()
        store.load_bundle(group_bundle())
        counts = store.counts()
        private_neo4j.stop()

        first, error = timed(store.counts)
        assert isinstance(error, StoreError) and "unreachable" in str(error)
        assert store.breaker.is_open
        refused = [timed(store.counts) for _ in range(20)]
        assert all(isinstance(e, StoreError) and "tried again in" in str(e) for _, e in refused)
        with pytest.raises(StoreError):
            store.ping()  # readiness
        with pytest.raises(StoreError):
            store.load_bundle(group_bundle())
        times = sorted(t * 1000 for t, _ in refused)
        print(
            f"\nNeo4j down: first call failed in {first * 1000:.1f} ms; refused calls (breaker open): "
            f"median {statistics.median(times):.2f} ms, max {times[-1]:.2f} ms"
        )

        time.sleep(1.2)  # the breaker lets a probe through: still down, so it opens again
        probe, error = timed(store.counts)
        assert isinstance(error, StoreError) and store.breaker.is_open
        print(f"a probe while still down failed in {probe * 1000:.1f} ms")

        private_neo4j.start()  # same port, same files
        assert until_answers(store.counts) == counts
        assert not store.breaker.is_open
        store.load_bundle(group_bundle())  # writes too
        store.ping()
    finally:
        store.close()


def test_the_api_answers_503_quickly_stays_live_and_recovers(private_neo4j: PrivateNeo4j) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCOUNTGRAPH_", "NEO4J_"))}
    env.update(ACCOUNTGRAPH_STORE=private_neo4j.uri, NEO4J_BREAKER_SECONDS="1", PYTHONPATH=str(REPO))
    key = run_cli(["keys", "create", "--role", "planner"], env).stdout.strip().splitlines()[-1]
    with server(env) as s, httpx.Client(base_url=s.url, headers=bearer(key), timeout=120) as c:
        assert c.post("/v1/import", json=group_bundle().model_dump(mode="json", by_alias=True)).status_code == 200
        assert c.get("/readyz").status_code == 200
        private_neo4j.stop()

        def call(path: str) -> tuple[float, httpx.Response]:
            started = time.perf_counter()
            r = c.get(path)
            return time.perf_counter() - started, r

        paths = ["/v1/accounts", "/v1/people/ceo", "/v1/accounts/grp/key-people", "/readyz"] * 10
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(call, paths))
            live = list(pool.map(lambda _: call("/healthz"), range(10)))
        assert {r.status_code for _, r in answers} == {503}
        assert {r.json()["error"]["code"] for _, r in answers} == {"store_unavailable"}
        assert {r.status_code for _, r in live} == {200}
        times = sorted(t for t, _ in answers)
        print(
            f"\nAPI with Neo4j down, {len(answers)} requests from 20 threads: 503 in median "
            f"{statistics.median(times) * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms; /healthz max "
            f"{max(t for t, _ in live) * 1000:.1f} ms"
        )

        private_neo4j.start()
        deadline = time.monotonic() + RECOVERY
        while c.get("/v1/accounts").status_code != 200:
            assert time.monotonic() < deadline, "the API did not recover"
            time.sleep(0.2)
        assert c.get("/readyz").status_code == 200
        assert c.get("/v1/people/ceo").json()["name"] == "Jürgen Groß"
    assert any("store error" in line for line in s.lines)  # the operator reads the cause in the log
