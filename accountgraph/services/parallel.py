"""Where work that splits by account runs: in this process, in a pool of local processes, or on a Dask cluster.

The portfolio gathers the facts of every account (`services.portfolio.account_facts`); each account's share is
independent, so it can run elsewhere. A worker holds no store of its own: it opens the store by its URL, so the
store must be one every worker reaches (a SQLite file on a disk they share, a Neo4j server), and the workers run
the same AccountGraph version as the caller.

Engines (the setting ``ACCOUNTGRAPH_PORTFOLIO_ENGINE``):

- ``processes`` (the default): a pool of local processes, started for the run (``spawn``: a fork would copy the
  caller's threads and connections); ``ACCOUNTGRAPH_PORTFOLIO_WORKERS`` of them (default: the machine's CPUs).
- ``dask``: Dask's ``distributed`` scheduler, for portfolios that outgrow one machine. With
  ``ACCOUNTGRAPH_DASK_SCHEDULER`` (``tcp://host:8786``) the work goes to that running cluster; without it, a
  local cluster of ``ACCOUNTGRAPH_PORTFOLIO_WORKERS`` worker processes is started for the run. Needs the
  optional extra: ``pip install 'accountgraph[distributed]'``. Dask was chosen over Ray: pure Python wheels
  (BSD-3), a scheduler that runs anywhere Python does, and a local cluster in one call that tests use as is;
  Ray brings a large native runtime for work this small.
- ``serial``: in the calling process, one account after the other.

Fewer accounts than ``ACCOUNTGRAPH_PORTFOLIO_MIN_ACCOUNTS`` (default 32), a store only this process can open
(SQLite in memory) or a single worker run serially: starting workers would cost more than it saves. Every engine
gives exactly the serial results (the same functions run on the same data).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Literal, TypeVar, cast, get_args

from accountgraph.errors import InvalidArgument
from accountgraph.graph.settings import NEO4J_SCHEMES

EngineKind = Literal["serial", "processes", "dask"]
T = TypeVar("T")
R = TypeVar("R")


def _setting(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise InvalidArgument(f"{name} must be a whole number of 0 or more, not {raw!r}", field=name)
    return value


@dataclass(frozen=True)
class Engine:
    """Where `map` runs its work (see the module's text)."""

    kind: EngineKind = "processes"
    workers: int = 0  # 0: the machine's CPUs
    scheduler: str | None = None  # dask: a running scheduler's address; None: a local cluster for the run
    min_accounts: int = 32  # fewer: serial (starting two workers costs about what 30 accounts' facts do)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Engine:
        """The engine the settings name (the environment variables of the module's text)."""
        env = os.environ if env is None else env
        kind = env.get("ACCOUNTGRAPH_PORTFOLIO_ENGINE") or "processes"
        if kind not in get_args(EngineKind):
            raise InvalidArgument(
                f"ACCOUNTGRAPH_PORTFOLIO_ENGINE must be one of {', '.join(get_args(EngineKind))}, not {kind!r}",
                field="ACCOUNTGRAPH_PORTFOLIO_ENGINE",
            )
        return cls(
            kind=cast(EngineKind, kind),
            workers=_setting(env, "ACCOUNTGRAPH_PORTFOLIO_WORKERS", 0),
            scheduler=env.get("ACCOUNTGRAPH_DASK_SCHEDULER") or None,
            min_accounts=_setting(env, "ACCOUNTGRAPH_PORTFOLIO_MIN_ACCOUNTS", 32),
        )

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    def parallel_for(self, url: str, items: int) -> bool:
        """True when `items` shares of work on the store at `url` go to workers (else: serially, here)."""
        if self.kind == "serial" or items < max(2, self.min_accounts):
            return False
        if self.kind == "processes" and self.worker_count < 2:
            return False
        return reopenable(url)

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`[fn(item) for item in items]`, run by the engine's workers, in the order of `items`. `fn` and the
        items must pickle (a module-level function and plain data)."""
        if self.kind == "dask":
            return _dask_map(fn, items, self.scheduler, self.worker_count)
        if self.kind == "processes":
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=self.worker_count, mp_context=context) as pool:
                return list(pool.map(fn, items))
        return [fn(item) for item in items]

    def chunks(self, items: Sequence[T]) -> list[list[T]]:
        """`items` in contiguous shares, a few per worker (a worker opens the store once per share)."""
        count = min(len(items), self.worker_count * 4) or 1
        size = -(-len(items) // count)
        return [list(items[i : i + size]) for i in range(0, len(items), size)]


def reopenable(url: str) -> bool:
    """True when another process can open the store at `url` (a SQLite file, a Neo4j server)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return bool(path) and path != ":memory:" and not path.startswith("file::memory:")
    return url.startswith(NEO4J_SCHEMES)


def _dask_map(fn: Callable[[T], R], items: Sequence[T], scheduler: str | None, workers: int) -> list[R]:
    try:
        from distributed import Client
    except ImportError as err:
        raise InvalidArgument(
            "ACCOUNTGRAPH_PORTFOLIO_ENGINE=dask needs Dask's scheduler: pip install 'accountgraph[distributed]'",
            field="ACCOUNTGRAPH_PORTFOLIO_ENGINE",
        ) from err
    if scheduler:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            return cast(list[R], client.gather(client.map(fn, list(items), pure=False)))
    chatty = logging.getLogger("distributed")  # a local cluster's start and stop are not the caller's news
    level = chatty.level
    chatty.setLevel(logging.ERROR)
    try:
        return _local_cluster_map(fn, items, workers)
    finally:
        chatty.setLevel(level)


def _local_cluster_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,  # type: ignore[no-untyped-call]
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        return cast(list[R], client.gather(client.map(fn, list(items), pure=False)))
