"""HTTP API benchmark: throughput and latency of `GET /key-people` and `GET /paths` on a 10k-person account.

    python bench/api.py [--people 10000] [--backends sqlite,neo4j] [--workers 1] [--concurrency 8]
                        [--seconds 10] [--client wrk|httpx] [--top 20] [--k 3] [--cache-responses N]

For each backend: a generated account (`generate_account(people, seed=1, reference=DEFAULT_REFERENCE)`) is
imported into a fresh store, a viewer key is minted, and `accountgraph serve` is started as its own process on a
free loopback port. A load generator in another process then drives it over loopback: `wrk` (Debian package `wrk`, one
thread) when it is installed, else an async httpx client run here. After warm-up requests (which load the
account graph into every worker's cache), each endpoint is driven for `--seconds` with `--concurrency`
requests in flight; `paths` (k=1 and `--k`) cycles through 500 people of the account as targets, so after the
first 500 a worker answers repeats from its `ResponseCache` unless `--cache-responses 0` turns it off (every
request then runs its route). Prints a Markdown table (throughput, p50 and p99 latency as the client sees them)
with the machine.

Neo4j is the one `NEO4J_URI` names, else the launcher in tools/neo4j.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from accountgraph.graph.store import GraphStore  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.services.keys import mint_key  # noqa: E402
from bench.store import machine, neo4j_version  # noqa: E402

ACCOUNT = "bench"


@dataclass
class Result:
    backend: str
    endpoint: str
    client: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    def row(self, concurrency: int, workers: int) -> str:
        rate = self.requests / self.seconds
        return (
            f"| {self.backend} | {self.endpoint} | {workers} | {concurrency} | {self.client} | {self.requests} | "
            f"{rate:,.0f} | {self.p50_ms:.1f} | {self.p99_ms:.1f} | {self.errors} |"
        )


@contextmanager
def backend(name: str, stack: ExitStack) -> Iterator[tuple[GraphStore, dict[str, str]]]:
    """A fresh, empty store and the environment that makes a server process open the same one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNTGRAPH_")}
    env["PYTHONPATH"] = str(REPO)
    if name == "sqlite":
        from accountgraph.graph.sqlite import SqliteStore

        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        store: GraphStore = SqliteStore(f"sqlite:///{tmp}/bench.db")
    else:
        from accountgraph.graph.neo4j import Neo4jStore
        from tests.neo4j_server import neo4j_server

        os.environ.setdefault("NEO4J_JAVA_OPTS", "-Xms1g -Xmx4g")
        server = stack.enter_context(neo4j_server())
        neo = Neo4jStore(server.uri, auth=server.auth)
        neo.clear()
        store = neo
        if server.auth is not None:
            env["NEO4J_USER"], env["NEO4J_PASSWORD"] = server.auth
    env["ACCOUNTGRAPH_STORE"] = store.url
    try:
        yield store, env
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "accountgraph",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("w") as err:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited; see {log}")
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {log}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(60)


Request = tuple[str, dict[str, str]]


async def drive(url: str, key: str, requests: list[Request], concurrency: int, seconds: float) -> dict[str, Any]:
    """The async httpx client: cycle through `requests` with `concurrency` in flight for `seconds`."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as c:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors, sent
            while time.perf_counter() < deadline:
                path, params = requests[sent % len(requests)]
                sent += 1
                began = time.perf_counter()
                r = await c.get(path, params=params)
                latencies.append(time.perf_counter() - began)
                errors += r.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "errors": errors,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
wrk.headers["Authorization"] = "Bearer %(key)s"
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "errors": %%d, "p50_ms": %%f, "p99_ms": %%f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(url: str, key: str, requests: list[Request], concurrency: int, seconds: float) -> dict[str, Any]:
    """wrk (a C load generator, Debian package `wrk`): one thread, `concurrency` connections."""
    paths = ", ".join(json.dumps(f"{path}?{urlencode(params)}") for path, params in requests)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": paths, "key": key})
    try:
        done = subprocess.run(
            ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "30s", "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line[len("RESULT ") :])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,neo4j")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per endpoint")
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--top", type=int, default=20, help="`top` of GET /key-people")
    parser.add_argument("--k", type=int, default=3, help="`k` of GET /paths (k=1 is measured too)")
    parser.add_argument(
        "--cache-responses", type=int, default=None, help="ACCOUNTGRAPH_CACHE_RESPONSES of the server (0: off)"
    )
    args = parser.parse_args()

    bundle = generate_account(args.people, seed=1, account_id=ACCOUNT, reference=DEFAULT_REFERENCE)
    rng = random.Random(1)
    targets = rng.sample([p.id for p in bundle.people], min(500, len(bundle.people)))
    base = f"/v1/accounts/{ACCOUNT}"
    workloads: dict[str, list[Request]] = {
        f"GET /key-people?top={args.top}": [(f"{base}/key-people", {"top": str(args.top)})]
    }
    for k in sorted({1, args.k}):
        workloads[f"GET /paths?k={k}"] = [(f"{base}/paths", {"target": t, "k": str(k)}) for t in targets]
    results: list[Result] = []
    notes: list[str] = []
    for name in args.backends.split(","):
        with ExitStack() as stack, backend(name, stack) as (store, env):
            started = time.perf_counter()
            store.load_bundle(bundle)
            loaded = time.perf_counter() - started
            _, key = mint_key(store, "viewer", name="bench")
            version = neo4j_version(store)
            counts = ", ".join(f"{v} {k}" for k, v in bundle.counts().items())
            notes.append(f"{name}{f' ({version})' if version else ''}: imported {counts} in {loaded:.1f} s")
            log = Path(tempfile.gettempdir()) / f"accountgraph-bench-api-{name}.log"
            if args.cache_responses is not None:
                env["ACCOUNTGRAPH_CACHE_RESPONSES"] = str(args.cache_responses)
            with serve(env, args.workers, log) as url:
                for endpoint, requests in workloads.items():
                    # load the account graph in every worker: several connections for a few seconds, so that
                    # each worker (the kernel spreads connections over them) has served one and loaded it
                    warm = requests[:1] * (4 * args.workers)
                    asyncio.run(drive(url, key, warm, len(warm), 5.0))
                    if args.client == "wrk":
                        measured = run_wrk(url, key, requests, args.concurrency, args.seconds)
                    else:
                        measured = asyncio.run(drive(url, key, requests, args.concurrency, args.seconds))
                    results.append(Result(name, endpoint, args.client, **measured))
                    print(results[-1].row(args.concurrency, args.workers), file=sys.stderr, flush=True)

    print(f"Machine: {machine()}")
    print(
        f"Account: generate_account({args.people}, seed=1, reference={DEFAULT_REFERENCE}); "
        "server and client on the same machine, over loopback"
    )
    for note in notes:
        print(f"- {note}")
    kept = "off" if args.cache_responses == 0 else f"{args.cache_responses or 'default'} entries per worker"
    print(f"- kept answers (ResponseCache): {kept}")
    print()
    print("| backend | endpoint | workers | in flight | client | requests | req/s | p50 ms | p99 ms | errors |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        print(result.row(args.concurrency, args.workers))


if __name__ == "__main__":
    main()
