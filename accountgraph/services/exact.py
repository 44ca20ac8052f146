"""Exact betweenness for large accounts: computed once per structure, in the background, shared by processes.

Above ``RankParams.betweenness_exact_max`` people (1,000) a view estimates betweenness from sampled sources
(256); the exact values take seconds (about 5 s at 10k people on two cores). `ExactBetweenness` computes them
once per account *structure*, the fingerprint `AccountView.structure_key` takes of exactly what the
betweenness reads (the people and the informal network among them, unweighted): a stance, role or title
edit, or an interaction logged, leaves the fingerprint as it is and the exact values are reused at once; a
person or an informal tie added or removed makes a new fingerprint, computed again.

Where the values live: in memory (a small LRU per process) and in one file per (store, account, fingerprint)
under the cache directory, written atomically (a temporary file renamed), so every worker process of a
server, and the CLI, read what one of them computed. One computation per file at a time across processes:
the computing process holds an exclusive `flock` on ``<file>.lock``; the others wait for the file (or for
the lock to be released, when the holder died, and then compute themselves). The cache directory is
``$ACCOUNTGRAPH_EXACT_CACHE``, else ``$XDG_CACHE_HOME/accountgraph/exact`` (``~/.cache/...``), with one
sub-directory per store URL; older fingerprints of an account are removed when a new one is written (the
last `keep` stay, so an edit undone finds its values again).

`attach` gives a view its exact values when known and otherwise starts computing them on a background thread
(one at a time per process) and returns: the ranking of that view says ``betweenness: sampled`` until a later
request finds them ready (``exact``). With ``wait=True`` (the CLI) it computes, or waits for another
process's computation, before it returns.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import queue
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from accountgraph.algorithms import AccountView
from accountgraph.algorithms.fast import FloatArray, IntArray, betweenness

__all__ = ["ExactBetweenness", "default_directory"]

CACHE_ENV = "ACCOUNTGRAPH_EXACT_CACHE"
POLL_SECONDS = 0.1
logger = logging.getLogger(__name__)


def default_directory() -> Path:
    """``$ACCOUNTGRAPH_EXACT_CACHE``, else ``$XDG_CACHE_HOME/accountgraph/exact`` (default ``~/.cache``)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "accountgraph" / "exact"


def _store_name(url: str) -> str:
    """A stable name of the store (a SQLite path made absolute, so two working directories agree)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url[len(prefix) :] != ":memory:":
        url = prefix + os.path.abspath(os.path.expanduser(url[len(prefix) :]))
    return url


def _short(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def _name(store_url: str, account: str, key: str) -> str:
    """The file name (without suffix) of an account's structure: ``<store and account>-<fingerprint>``."""
    return f"{_short(_store_name(store_url) + chr(0) + account)}-{key}"


class _Job:
    def __init__(self, name: str, file: Path | None, P: int, u: IntArray, v: IntArray) -> None:
        self.name, self.file, self.P, self.u, self.v = name, file, P, u, v
        self.done = threading.Event()


class ExactBetweenness:
    """The exact betweenness of accounts' informal networks, by structure (see the module docstring).

    Parameters
    ----------
    directory : Path, optional
        The cache directory (default `default_directory()`); with ``persist=False`` no file is used (one
        process only).
    memory : int
        Structures kept in memory.
    keep : int
        Files kept per (store, account): the newest fingerprints.
    compute : bool
        False: only read values computed already (the CLI's ``--estimate``), never start a computation.
    """

    def __init__(
        self,
        directory: Path | None = None,
        *,
        memory: int = 8,
        keep: int = 3,
        persist: bool = True,
        compute: bool = True,
    ) -> None:
        self.directory = directory if directory is not None else default_directory()
        self.compute = compute
        self.persist = persist
        self.memory = memory
        self.keep = keep
        self.computations = 0
        """Exact computations run by this process (the tests count them)."""
        self._values: OrderedDict[str, FloatArray] = OrderedDict()
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._worker: threading.Thread | None = None

    # ---- the use case -----------------------------------------------------------------------------
    def attach(self, store_url: str, account: str, view: AccountView, *, wait: bool = False) -> bool:
        """Give `view` its exact betweenness if it is known (memory, then file); else compute it, in the
        background (default) or now (`wait`). Returns whether the view has it now."""
        if view.exact_betweenness is not None:
            return True
        key = view.structure_key()
        name = _name(store_url, account, key)
        file = self._file(store_url, name)
        values = self._known(name, file, view.P)
        if values is None and not self.compute:
            return False
        if values is None:
            job = self._job(name, file, view, background=not wait)
            if not wait:
                return False
            if job is not None:
                self._run(job)
            else:  # queued or running already: wait for it
                with self._lock:
                    running = self._jobs.get(name)
                if running is not None:
                    running.done.wait()
            values = self._known(name, file, view.P)
            if values is None:  # the computation failed elsewhere: here then
                values = self._compute(_Job(name, None, view.P, *view.informal))
        return view.use_exact_betweenness(key, values)

    def ready(self, store_url: str, account: str, view: AccountView) -> bool:
        """Whether the exact values of `view`'s structure are known (no computation started)."""
        name = _name(store_url, account, view.structure_key())
        return self._known(name, self._file(store_url, name), view.P) is not None

    def pending(self) -> int:
        """Computations queued or running in this process."""
        with self._lock:
            return len(self._jobs)

    # ---- storage ----------------------------------------------------------------------------------
    def _file(self, store_url: str, name: str) -> Path | None:
        url = _store_name(store_url)
        if not self.persist or not url or url.endswith(":memory:"):
            return None
        return self.directory / _short(url) / f"{name}.npy"

    def _known(self, name: str, file: Path | None, P: int) -> FloatArray | None:
        with self._lock:
            values = self._values.get(name)
            if values is not None:
                self._values.move_to_end(name)
                return values
        if file is None:
            return None
        try:
            loaded = np.load(file, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None
        if loaded.shape != (P,) or loaded.dtype != np.float64:
            return None
        found: FloatArray = np.asarray(loaded, dtype=np.float64)
        self._remember(name, found)
        return found

    def _remember(self, name: str, values: FloatArray) -> None:
        with self._lock:
            self._values[name] = values
            self._values.move_to_end(name)
            while len(self._values) > self.memory:
                self._values.popitem(last=False)

    def _write(self, file: Path, values: FloatArray) -> None:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-", suffix=".npy")
        try:
            with os.fdopen(fd, "wb") as out:
                np.save(out, values, allow_pickle=False)
            os.replace(tmp, file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # the older fingerprints of the same store and account, beyond the newest `keep`
        prefix = file.name.split("-", 1)[0] + "-"
        siblings = sorted(
            (p for p in file.parent.glob(prefix + "*.npy") if p != file),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in siblings[max(0, self.keep - 1) :]:
            old.unlink(missing_ok=True)
            old.with_suffix(".lock").unlink(missing_ok=True)

    # ---- computing --------------------------------------------------------------------------------
    def _job(self, name: str, file: Path | None, view: AccountView, *, background: bool) -> _Job | None:
        """A new job for `name`, queued for the background thread when `background`; None if one is already
        queued or running."""
        with self._lock:
            if name in self._jobs:
                return None
            pu, pv = view.informal
            job = self._jobs[name] = _Job(name, file, view.P, pu, pv)
            if background and (self._worker is None or not self._worker.is_alive()):
                self._worker = threading.Thread(target=self._work, name="exact-betweenness", daemon=True)
                self._worker.start()
        if background:
            self._queue.put(job)
        return job

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                self._run(job)
            except Exception:  # e.g. a cache directory that cannot be written: the next request tries again
                logger.exception("exact betweenness of %s failed", job.name)

    def _run(self, job: _Job) -> None:
        """Compute the job's values unless done already (by this process or another); always finishes it."""
        try:
            if job.done.is_set():
                return
            if job.file is None:
                self._compute(job)
                return
            job.file.parent.mkdir(parents=True, exist_ok=True)
            lock = job.file.with_suffix(".lock")
            with open(lock, "a+b") as handle:
                while True:
                    if self._known(job.name, job.file, job.P) is not None:
                        return
                    try:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:  # another process computes it: wait for its file
                        time.sleep(POLL_SECONDS)
                        continue
                    try:
                        if self._known(job.name, job.file, job.P) is None:
                            self._write(job.file, self._compute(job))
                    finally:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                    return
        finally:
            with self._lock:
                if self._jobs.get(job.name) is job:
                    del self._jobs[job.name]
            job.done.set()

    def _compute(self, job: _Job) -> FloatArray:
        values = betweenness(job.P, job.u, job.v)
        with self._lock:
            self.computations += 1
        self._remember(job.name, values)
        return values
