"""Store benchmark: import throughput, `account_projection` and `account_subgraph` times on both backends.

    python bench/store.py [--sizes 1000,10000,100000] [--backends sqlite,neo4j] [--repeat 3]

Generated accounts (`accountgraph.samples.generator.generate_account`, seed 1) are imported into a fresh store
each (one transaction per bundle), then the account's projection (what the algorithms read) is loaded once
(the first read after a write) and then, with its networkx view, `--repeat` times (the medians are shown).
Neo4j is the one `NEO4J_URI` names, else the launcher in tools/neo4j (heap from `NEO4J_JAVA_OPTS`, default
here -Xmx6g so the 100k-people bundle fits in one transaction).
Prints a Markdown table with the machine and the data sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from accountgraph.graph.store import GraphStore  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.schema.models import Stance  # noqa: E402
from bench.machine import machine  # noqa: E402


@contextmanager
def open_backend(name: str, stack: ExitStack) -> Iterator[GraphStore]:
    if name == "sqlite":
        from accountgraph.graph.sqlite import SqliteStore

        with tempfile.TemporaryDirectory() as tmp:
            store = SqliteStore(f"sqlite:///{tmp}/bench.db")
            try:
                yield store
            finally:
                store.close()
        return
    from accountgraph.graph.neo4j import Neo4jStore
    from tests.neo4j_server import neo4j_server

    os.environ.setdefault("NEO4J_JAVA_OPTS", "-Xms1g -Xmx6g")
    server = stack.enter_context(neo4j_server())
    neo = Neo4jStore(server.uri, auth=server.auth)
    neo.clear()
    try:
        yield neo
    finally:
        neo.clear()
        neo.close()


def neo4j_version(store: GraphStore) -> str:
    from accountgraph.graph.neo4j import Neo4jStore

    if not isinstance(store, Neo4jStore):
        return ""
    record = store.driver.execute_query("CALL dbms.components() YIELD name, versions, edition").records[0]
    return f"Neo4j {record['versions'][0]} {record['edition']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,neo4j")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")

    rows = []
    versions = set()
    with ExitStack() as stack:
        bundles = {}
        for n in sizes:
            started = time.perf_counter()
            bundles[n] = generate_account(n, seed=1, account_id="bench", reference=DEFAULT_REFERENCE)
            print(f"generated {n} people in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for backend in backends:
            for n in sizes:
                bundle = bundles[n]
                with open_backend(backend, stack) as store:
                    versions.add(neo4j_version(store))
                    started = time.perf_counter()
                    store.load_bundle(bundle)
                    load = time.perf_counter() - started
                    started = time.perf_counter()
                    store.account_projection("bench")  # the first read after a write: from the tables
                    first = time.perf_counter() - started
                    times = []
                    projections = []
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        store.account_projection("bench")
                        projections.append(time.perf_counter() - started)
                        started = time.perf_counter()
                        g = store.account_subgraph("bench")
                        times.append(time.perf_counter() - started)
                    after_write = []  # a stance edit, then the account read again (its rows are read anew)
                    for i in range(args.repeat):
                        person = bundle.people[i]
                        stance = Stance.SUPPORTER if person.stance is not Stance.SUPPORTER else Stance.NEUTRAL
                        store.upsert_person(person.model_copy(update={"stance": stance}), on=DEFAULT_REFERENCE)
                        started = time.perf_counter()
                        store.account_projection("bench")
                        after_write.append(time.perf_counter() - started)
                    records = sum(bundle.counts().values())
                    rows.append(
                        (
                            backend,
                            n,
                            len(bundle.companies),
                            len(bundle.ties),
                            records,
                            load,
                            records / load,
                            first,
                            statistics.median(projections),
                            statistics.median(after_write),
                            statistics.median(times),
                            g.number_of_nodes(),
                            g.number_of_edges(),
                        )
                    )
                    print(f"{backend} {n}: import {load:.2f} s, subgraph {statistics.median(times):.2f} s",
                          file=sys.stderr)  # fmt: skip

    print(f"Machine: {machine()}")
    shown = ", ".join(v for v in sorted(versions) if v)
    if shown:
        print(f"Server: {shown} (embedded launcher, tools/neo4j, on the same machine)")
    print()
    print(
        "| backend | people | companies | ties | records | import (s) | records/s | first projection (s) "
        "| projection (s) | after a write (s) | subgraph (s) | graph nodes | graph edges |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b, n, c, t, r, load, rate, first, proj, after, sub, gn, ge in rows:
        print(
            f"| {b} | {n:,} | {c:,} | {t:,} | {r:,} | {load:.2f} | {rate:,.0f} | {first:.2f} | {proj:.2f} "
            f"| {after:.2f} | {sub:.2f} | {gn:,} | {ge:,} |"
        )
    print()
    print("`first projection`: the first read after the import, from the tables (SQLite then keeps a snapshot of")
    print("accounts with many ties); `projection` and `subgraph`: the medians of the later reads; `after a write`:")
    print("the median read right after a stance edit (the first read after a write, on a warm server).")


if __name__ == "__main__":
    main()
