"""Search benchmark: finding people across accounts (`services.search.find_people`, behind `GET
/v1/search/people`, `accountgraph find` and the workspace's search page) in a generated account.

    python bench/search.py [--people 10000] [--backends sqlite,neo4j] [--repeat 5]

A generated account (`generate_account(people, seed=1, reference=DEFAULT_REFERENCE)`) with every third person
renamed in Chinese characters (so that pinyin matching has work to do) is loaded into a fresh store of each
backend. Measured, each query's median of `--repeat` runs:

* cold: the first search after a write, which reads every person and company through the store and folds them
  (the index is kept in the app's `AnalysisCache` per store data version; `accountgraph find` pays this every run);
* warm: the same query again, the index kept (the API's and the workspace's case between writes);
* the API: `GET /v1/search/people` in-process (FastAPI's TestClient), warm.

Neo4j is the one `NEO4J_URI` names, else the launcher in tools/neo4j.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from accountgraph.api.app import create_app  # noqa: E402
from accountgraph.api.settings import ApiSettings  # noqa: E402
from accountgraph.graph.store import GraphStore  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.schema.models import Bundle  # noqa: E402
from accountgraph.services import search  # noqa: E402
from accountgraph.services.analysis import AnalysisCache  # noqa: E402
from accountgraph.services.keys import mint_key  # noqa: E402
from accountgraph.services.scope import Scope  # noqa: E402
from bench.api import backend  # noqa: E402
from bench.machine import machine  # noqa: E402

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭林何高罗曾"
GIVEN = ("伟", "芳", "小明", "静", "建华", "雪梅", "晓", "磊", "敏", "浩")
QUERIES = [
    ("exact name", "Nils Jensen"),
    ("prefix, many hits", "an"),
    ("pinyin initials", "wxm"),
    ("pinyin mixed", "wangxm"),
    ("title", "procurement"),
    ("no match", "zzqqxx"),
]


def bundle(people: int) -> Bundle:
    generated = generate_account(people, seed=1, account_id="big", reference=DEFAULT_REFERENCE)
    for i, p in enumerate(generated.people):
        if i % 3 == 2:
            p.name = FAMILY[i % len(FAMILY)] + GIVEN[(i // len(FAMILY)) % len(GIVEN)]
    return generated


def median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(name: str, store: GraphStore, client: TestClient, key: str, repeat: int) -> list[str]:
    """One table row per query on one backend."""
    operator = Scope.operator()
    rows = []
    for label, q in QUERIES:
        cache = AnalysisCache()
        hits = search.find_people(store, operator, q, limit=1000, cache=cache).count
        cold = median(lambda: search.find_people(store, operator, q, cache=AnalysisCache()), repeat)  # noqa: B023
        warm = median(lambda: search.find_people(store, operator, q, cache=cache), repeat)  # noqa: B023

        def api() -> None:
            answer = client.get("/v1/search/people", params={"q": q}, headers={"Authorization": f"Bearer {key}"})  # noqa: B023
            assert answer.status_code == 200, answer.text

        api()
        rows.append(
            f"| {name} | {label} `{q}` | {hits} | {cold * 1000:.0f} | {warm * 1000:.1f} | "
            f"{median(api, repeat) * 1000:.1f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,neo4j")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = bundle(args.people)
    rows: list[str] = []
    for name in args.backends.split(","):
        with ExitStack() as stack:
            store, _ = stack.enter_context(backend(name, stack))
            store.load_bundle(data)
            _, key = mint_key(store, "viewer", name="bench")
            app = create_app(ApiSettings(store=store.url, log_level="WARNING", auth_failure_limit=0), store=store)
            client = stack.enter_context(TestClient(app))
            rows += measure(name, store, client, key, args.repeat)
    print(f"Machine: {machine()}")
    print(f"Account: {args.people} people generated (seed 1), every third renamed in Chinese characters\n")
    print("| backend | query | hits (up to 1000) | cold (ms) | warm (ms) | API, warm (ms) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
