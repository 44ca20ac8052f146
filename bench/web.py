"""Workspace benchmark: how long the account page of a large account takes to become interactive, and how long an
edit takes until the refreshed map and coverage (or card) are back, on SQLite (and Neo4j).

    python bench/web.py [--people 10000] [--repeat 5] [--backends sqlite,neo4j]

A generated account (`generate_account(people, seed=1, reference=DEFAULT_REFERENCE)`) is imported into a fresh
store, a planner key is minted and signs in to the app run in-process (FastAPI's TestClient, the real store;
no network, so the times are the server's plus the JSON's encoding, not the browser's drawing). Measured, each the
median of `--repeat` runs after a first, cold one:

* page: `GET /accounts/ID` and `GET /web/map` (the default map: the decision chain and our ties), cold (the
  account not prepared yet) and warm;
* card: `GET /web/person` of the best-ranked person;
* stance edit: `POST /web/stance` then `GET /web/map` (the write moves the store's data version, so the
  account is prepared again);
* interaction edit: `POST /web/interactions` then `GET /web/person` (the tie's new strength).

* page after a restart: a new app over a new connection to the same store (nothing prepared or cached in the
  process; SQLite still has the account's snapshot, Neo4j reads the account over Bolt).

`--backends sqlite,neo4j` measures Neo4j too (the launcher in tools/neo4j, as `bench/store.py` starts it).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from accountgraph.api.app import create_app  # noqa: E402
from accountgraph.api.settings import ApiSettings  # noqa: E402
from accountgraph.graph import open_store  # noqa: E402
from accountgraph.graph.store import GraphStore  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.services.keys import mint_key  # noqa: E402
from bench.machine import machine  # noqa: E402

ACCOUNT = "big"


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def ok(answer: object) -> None:
    status = getattr(answer, "status_code", 0)
    if status != 200:
        raise SystemExit(f"unexpected answer {status}: {getattr(answer, 'text', '')[:500]}")


def open_stores(backend: str, stack: ExitStack, folder: Path) -> tuple[GraphStore, Callable[[], GraphStore]]:
    """A fresh store of the backend, and how to open another connection to it (a restarted server's)."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'web.db'}"
        return stack.enter_context(open_store(url)), lambda: stack.enter_context(open_store(url))
    from accountgraph.graph.neo4j import Neo4jStore
    from tests.neo4j_server import neo4j_server

    os.environ.setdefault("NEO4J_JAVA_OPTS", "-Xms1g -Xmx6g")
    server = stack.enter_context(neo4j_server())
    first = stack.enter_context(Neo4jStore(server.uri, auth=server.auth))
    first.clear()
    return first, lambda: stack.enter_context(Neo4jStore(server.uri, auth=server.auth))


def signed_in(store: GraphStore, key: str, stack: ExitStack) -> tuple[TestClient, dict[str, str]]:
    """A new app (a server just started: nothing cached) over the store, signed in with the key."""
    app = create_app(ApiSettings(store=store.url, log_level="WARNING", auth_failure_limit=0), store=store)
    client = stack.enter_context(TestClient(app, follow_redirects=False))
    form = client.get("/signin").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token is not None
    answer = client.post("/signin", data={"csrf": token.group(1), "key": key})
    assert answer.status_code == 303, answer.text
    csrf_match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert csrf_match is not None
    return client, {"X-CSRF-Token": csrf_match.group(1)}


def measure(backend: str, people: int, repeat: int) -> tuple[list[tuple[str, float, float]], int]:
    """The rows of one backend's table, and how many people the default map shows."""
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        store, reopen = open_stores(backend, stack, Path(tmp))
        store.load_bundle(generate_account(people, seed=1, account_id=ACCOUNT, reference=DEFAULT_REFERENCE))
        _, key = mint_key(store, "planner", name="bench")
        client, headers = signed_in(store, key, stack)

        def page_of(client: TestClient) -> Callable[[], None]:
            def page() -> None:
                ok(client.get(f"/accounts/{ACCOUNT}"))
                ok(client.get("/web/map", params={"account": ACCOUNT}))

            return page

        page = page_of(client)
        cold = timed(page)
        shown = client.get("/web/map", params={"account": ACCOUNT}).json()
        first = next(n["id"] for n in shown["map"]["nodes"] if n.get("stance"))
        rows.append(
            (
                "account page (map of the decision chain), first read after the import",
                cold,
                statistics.median(timed(page) for _ in range(repeat)),
            )
        )

        def card() -> None:
            ok(client.get("/web/person", params={"account": ACCOUNT, "person": first}))

        rows.append(("person card", timed(card), statistics.median(timed(card) for _ in range(repeat))))
        stances = ["opponent", "supporter", "neutral"]

        def stance(i: int) -> Callable[[], None]:
            def run() -> None:
                edit = {"account": ACCOUNT, "person": first, "stance": stances[i % 3]}
                ok(client.post("/web/stance", json=edit, headers=headers))
                ok(client.get("/web/map", params={"account": ACCOUNT}))

            return run

        times = [timed(stance(i)) for i in range(repeat + 1)]
        rows.append(("stance edit, then the refreshed map and coverage", times[0], statistics.median(times[1:])))
        member = client.get("/web/person", params={"account": ACCOUNT, "person": first}).json()["team"][0]["id"]

        def interaction() -> None:
            edit = {"account": ACCOUNT, "person": first, "member": member, "kind": "call"}
            ok(client.post("/web/interactions", json=edit, headers=headers))
            ok(client.get("/web/person", params={"account": ACCOUNT, "person": first}))

        times = [timed(interaction) for _ in range(repeat + 1)]
        rows.append(("interaction edit, then the refreshed card", times[0], statistics.median(times[1:])))
        # a restarted server: a new app over a new connection, nothing prepared or cached in the process
        restarts = []
        for _ in range(repeat + 1):
            again, _headers = signed_in(reopen(), key, stack)
            restarts.append(timed(page_of(again)))
        restarted = "account page after a server restart (no write since)"
        rows.append((restarted, restarts[0], statistics.median(restarts[1:])))
    return rows, int(shown["shown"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args()

    print(f"Machine: {machine()}")
    for backend in args.backends.split(","):
        rows, shown = measure(backend, args.people, args.repeat)
        print(f"\nAccount: {args.people} people generated (seed 1), {backend}; {shown} people on the default map\n")
        print("| step | first (s) | median of the next (s) |")
        print("| --- | ---: | ---: |")
        for name, first_time, median in rows:
            print(f"| {name} | {first_time:.2f} | {median:.2f} |")


if __name__ == "__main__":
    main()
