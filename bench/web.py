"""Workspace benchmark: how long the account page of a large account takes to become interactive, and how long an
edit takes until the refreshed map and coverage (or card) are back, on SQLite.

    python bench/web.py [--people 10000] [--repeat 5]

A generated account (`generate_account(people, seed=1, reference=DEFAULT_REFERENCE)`) is imported into a fresh
SQLite file, a planner key is minted and signs in to the app run in-process (FastAPI's TestClient, the real store;
no network, so the times are the server's plus the JSON's encoding, not the browser's drawing). Measured, each the
median of `--repeat` runs after a first, cold one:

* page: `GET /accounts/ID` and `GET /web/map` (the default map: the decision chain and our ties), cold (the
  account not prepared yet) and warm;
* card: `GET /web/person` of the best-ranked person;
* stance edit: `POST /web/stance` then `GET /web/map` (the write moves the store's data version, so the
  account is prepared again);
* interaction edit: `POST /web/interactions` then `GET /web/person` (the tie's new strength).

Neo4j is not measured here: the same requests run through the same services, and the account's projection is
read over Bolt instead (see `bench/api.py` for the API on both backends).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from accountgraph.api.app import create_app  # noqa: E402
from accountgraph.api.settings import ApiSettings  # noqa: E402
from accountgraph.graph import open_store  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'web.db'}")
        store.load_bundle(generate_account(args.people, seed=1, account_id=ACCOUNT, reference=DEFAULT_REFERENCE))
        _, key = mint_key(store, "planner", name="bench")
        app = create_app(ApiSettings(store=store.url, log_level="WARNING", auth_failure_limit=0), store=store)
        rows: list[tuple[str, float, float]] = []
        with TestClient(app, follow_redirects=False) as client:
            form = client.get("/signin").text
            token = re.search(r'name="csrf" value="([^"]+)"', form)
            assert token is not None
            ok_signin = client.post("/signin", data={"csrf": token.group(1), "key": key})
            assert ok_signin.status_code == 303, ok_signin.text
            csrf_match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
            assert csrf_match is not None
            headers = {"X-CSRF-Token": csrf_match.group(1)}

            def page() -> None:
                ok(client.get(f"/accounts/{ACCOUNT}"))
                ok(client.get("/web/map", params={"account": ACCOUNT}))

            cold = timed(page)
            shown = client.get("/web/map", params={"account": ACCOUNT}).json()
            first = next(n["id"] for n in shown["map"]["nodes"] if n.get("stance"))
            rows.append(
                (
                    "account page (map of the decision chain)",
                    cold,
                    statistics.median(timed(page) for _ in range(args.repeat)),
                )
            )

            def card() -> None:
                ok(client.get("/web/person", params={"account": ACCOUNT, "person": first}))

            rows.append(("person card", timed(card), statistics.median(timed(card) for _ in range(args.repeat))))
            stances = ["opponent", "supporter", "neutral"]

            def stance(i: int) -> Callable[[], None]:
                def run() -> None:
                    edit = {"account": ACCOUNT, "person": first, "stance": stances[i % 3]}
                    ok(client.post("/web/stance", json=edit, headers=headers))
                    ok(client.get("/web/map", params={"account": ACCOUNT}))

                return run

            times = [timed(stance(i)) for i in range(args.repeat + 1)]
            rows.append(("stance edit, then the refreshed map and coverage", times[0], statistics.median(times[1:])))
            member = client.get("/web/person", params={"account": ACCOUNT, "person": first}).json()["team"][0]["id"]

            def interaction() -> None:
                edit = {"account": ACCOUNT, "person": first, "member": member, "kind": "call"}
                ok(client.post("/web/interactions", json=edit, headers=headers))
                ok(client.get("/web/person", params={"account": ACCOUNT, "person": first}))

            times = [timed(interaction) for _ in range(args.repeat + 1)]
            rows.append(("interaction edit, then the refreshed card", times[0], statistics.median(times[1:])))
        store.close()

    print(f"Machine: {machine()}")
    print(f"Account: {args.people} people generated (seed 1), SQLite; {shown['shown']} people on the default map\n")
    print("| step | first (s) | median of the next (s) |")
    print("| --- | ---: | ---: |")
    for name, first_time, median in rows:
        print(f"| {name} | {first_time:.2f} | {median:.2f} |")


if __name__ == "__main__":
    main()
