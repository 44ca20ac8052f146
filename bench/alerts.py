"""Alerts benchmark: evaluating the rules (`services.alerts.run`, behind `accountgraph alerts run` and the server's
worker after each write) and draining the outbox to a webhook on loopback (`services.alert_delivery.deliver`).

    python bench/alerts.py [--people 1000,10000] [--backends sqlite,neo4j]

A generated account (`generate_account(people, seed=1, reference=DEFAULT_REFERENCE)`) is loaded into a fresh store
of each backend, with a webhook subscription to an HTTP server on loopback (signed with a secret). Measured: the
first evaluation (every alert raised and its delivery queued), a re-run (nothing new: what the worker pays after a
write that changes no cause), and one delivery pass (each queued message POSTed and marked). Neo4j is the one
`NEO4J_URI` names, else the launcher in tools/neo4j.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.services import alert_delivery, alerts  # noqa: E402
from accountgraph.services.analysis import AnalysisCache  # noqa: E402
from accountgraph.services.scope import Scope  # noqa: E402
from bench.api import backend  # noqa: E402
from bench.machine import machine  # noqa: E402
from tests.services.alert_support import SECRET, SECRET_ENV, http_receiver  # noqa: E402


def _timed(run: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()  # type: ignore[operator]
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", default="1000,10000")
    parser.add_argument("--backends", default="sqlite,neo4j")
    args = parser.parse_args()
    os.environ[SECRET_ENV] = SECRET
    op = Scope.operator()
    rows = []
    for people in [int(n) for n in args.people.split(",")]:
        data = generate_account(people, seed=1, account_id="big", reference=DEFAULT_REFERENCE)
        for name in args.backends.split(","):
            with ExitStack() as stack:
                store, _ = stack.enter_context(backend(name, stack))
                store.load_bundle(data)
                hook = stack.enter_context(http_receiver())
                alerts.subscribe(store, op, webhook=hook.url, secret_env=SECRET_ENV)
                ref = DEFAULT_REFERENCE.date() if hasattr(DEFAULT_REFERENCE, "date") else DEFAULT_REFERENCE
                first, result = _timed(lambda: alerts.run(store, op, reference=ref, cache=AnalysisCache()))  # noqa: B023
                again, _ = _timed(lambda: alerts.run(store, op, reference=ref, cache=AnalysisCache()))  # noqa: B023
                settings = alert_delivery.DeliverySettings(attempts=3, backoff=0)
                sent_time, sent = _timed(lambda: alert_delivery.deliver(store, op, settings=settings))  # noqa: B023
                raised = len(result.raised)  # type: ignore[attr-defined]
                delivered = len(sent.delivered)  # type: ignore[attr-defined]
                rows.append(
                    f"| {name} | {people} | {raised} | {first:.2f} | {again:.2f} | {delivered} | {sent_time:.2f} |"
                )
    print(f"Machine: {machine()}")
    print("Account: generated (seed 1), evaluated on the generator's reference date\n")
    print("| backend | people | alerts raised | first run (s) | re-run (s) | delivered | delivery pass (s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
