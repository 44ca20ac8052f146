"""Portfolio benchmark: the facts of every account (`services.portfolio.account_facts`, behind `accountgraph
portfolio`, `/v1/portfolio/...` and the workspace's home) serially, in local worker processes and on a local
Dask cluster.

    python bench/portfolio.py [--accounts 1000] [--people 1000] [--workers 1,2] [--engines serial,processes,dask]

`--accounts` generated accounts of `--people` people each (`generate_account(people, seed=i,
reference=DEFAULT_REFERENCE)`) are loaded into a fresh SQLite file; then the facts of all of them are gathered
with each engine and worker count (`services.parallel.Engine`; `processes` needs 2 workers or more). The serial
run is the baseline: its time per account is what each worker pays for its share. Each run starts its workers
afresh (the time includes their start and their imports), as `accountgraph portfolio` does; every run's facts
are checked equal to the serial ones. Every account's snapshot is kept before the first run (timed apart), so that
no engine pays alone for reading the tables.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from accountgraph.graph.sqlite import SqliteStore  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.services import portfolio  # noqa: E402
from accountgraph.services.parallel import Engine  # noqa: E402
from accountgraph.services.scope import Scope  # noqa: E402
from bench.machine import machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--engines", default="serial,processes,dask")
    parser.add_argument(
        "--db",
        type=Path,
        help="keep the generated store in this SQLite file and reuse it (a run stopped while loading goes on loading)",
    )
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    engines = args.engines.split(",")
    on = DEFAULT_REFERENCE

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "portfolio.db"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        with SqliteStore(url) as store:
            there = {a.id for a in store.list_accounts()}  # each account is loaded whole or not at all
            for i in range(args.accounts):
                account = f"acc{i:04d}"
                if account not in there:
                    store.load_bundle(generate_account(args.people, seed=i + 1, account_id=account, reference=on))
            loaded = time.perf_counter() - started
            # every engine then reads the same kept snapshots: the first run would otherwise pay alone for reading
            # the tables and writing them (as `accountgraph portfolio` does once after an import)
            t0 = time.perf_counter()
            for root in store.list_accounts():
                store.keep_snapshot(root.id)
            kept = time.perf_counter() - t0
            print(f"machine: {machine()}")
            print(
                f"data: {len(store.list_accounts())} accounts of {args.people} people on SQLite "
                + (
                    f"({len(there)} reused, {args.accounts - len(there)} generated and loaded in {loaded:.0f} s)"
                    if len(there) < args.accounts
                    else "(reused)"
                )
                + f"; reference date {on}; accounts' snapshots kept beforehand in {kept:.0f} s"
            )
            print()
            print("| engine | workers | portfolio facts | per account | vs serial |")
            print("| --- | ---: | ---: | ---: | ---: |")
            baseline: float | None = None
            serial_facts = None
            runs = [("serial", 1)] if "serial" in engines else []
            runs += [(e, w) for e in engines if e != "serial" for w in workers if not (e == "processes" and w < 2)]
            for kind, count in runs:
                engine = Engine(kind, workers=count, min_accounts=0)  # type: ignore[arg-type]
                t0 = time.perf_counter()
                facts = portfolio.account_facts(store, Scope.operator(), on=on, engine=engine)
                took = time.perf_counter() - t0
                if serial_facts is None:
                    serial_facts = facts
                elif facts != serial_facts:
                    raise SystemExit(f"{kind} with {count} workers gave other facts than the serial run")
                if kind == "serial":
                    baseline = took
                speed = f"{baseline / took:.2f}×" if baseline else "—"
                print(
                    f"| {kind} | {count} | {took:.1f} s | {1000 * took / max(1, len(facts)):.0f} ms | {speed} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
