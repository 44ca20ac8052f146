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
sub-directory per store URL.

Pruning (`prune`, after every file written): of an account's fingerprints the last `keep` used stay (so an
edit undone finds its values again); across the whole directory, files not used for `max_age` seconds go, and
beyond `max_files` the least recently used (a file's time is its last use: it is touched when read, at most
once per `TOUCH_SECONDS` per process), then empty store directories. A file is only removed while holding its
lock, so never while another process computes it or waits for it; a computation's own lock file goes with it.

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
TEMPORARY = ".tmp-"
"""The name prefix of a file being written (renamed when complete)."""
TOUCH_SECONDS = 3600.0
"""A file read is marked used (its time set to now) at most this often per process."""
MAX_FILES = 200
"""Files kept in the whole cache directory by default (the least recently used go first)."""
MAX_AGE = 30 * 24 * 3600.0
"""Seconds after its last use a file is removed by default."""
logger = logging.getLogger(__name__)


def default_directory() -> Path:
    """``$ACCOUNTGRAPH_EXACT_CACHE``, else ``$XDG_CACHE_HOME/accountgraph/exact`` (default ``~/.cache``)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "accountgraph" / "exact"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()


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
        Files kept per (store, account): the most recently used fingerprints.
    max_files, max_age : int, float
        Files kept in the whole directory, and the seconds after its last use a file goes (`prune`).
    compute : bool
        False: only read values computed already (the CLI's ``--estimate``), never start a computation.
    """

    def __init__(
        self,
        directory: Path | None = None,
        *,
        memory: int = 8,
        keep: int = 3,
        max_files: int = MAX_FILES,
        max_age: float = MAX_AGE,
        persist: bool = True,
        compute: bool = True,
    ) -> None:
        self.directory = directory if directory is not None else default_directory()
        self.compute = compute
        self.persist = persist
        self.memory = memory
        self.keep = keep
        self.max_files = max_files
        self.max_age = max_age
        self._touched: dict[Path, float] = {}
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
        if values is not None:
            if file is not None:
                self._touch(file)
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
        self._touch(file)
        return found

    def _touch(self, file: Path) -> None:
        """Mark `file` used now (at most once per `TOUCH_SECONDS` by this process), so pruning keeps it."""
        now = time.monotonic()
        with self._lock:
            last = self._touched.get(file)
            if last is not None and now - last < TOUCH_SECONDS:
                return
            self._touched[file] = now
        try:
            os.utime(file)
        except OSError:  # pruned meanwhile: read again or computed when next needed
            pass

    def _remember(self, name: str, values: FloatArray) -> None:
        with self._lock:
            self._values[name] = values
            self._values.move_to_end(name)
            while len(self._values) > self.memory:
                self._values.popitem(last=False)

    def _write(self, file: Path, values: FloatArray) -> None:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=TEMPORARY, suffix=".npy")
        try:
            with os.fdopen(fd, "wb") as out:
                np.save(out, values, allow_pickle=False)
            os.replace(tmp, file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._touched[file] = time.monotonic()
        self.prune(current=file)

    def prune(self, current: Path | None = None) -> list[Path]:
        """Remove old files of the cache directory (see the module docstring); the files removed.

        Of the account of `current` (a file just written) the `keep` most recently used fingerprints stay;
        in the whole directory, files unused for `max_age` seconds go, then the least recently used beyond
        `max_files`, then empty store directories. `current` itself always stays. Safe while other processes
        read, compute and prune: a file is removed only under its lock, taken without waiting (a held lock:
        the file stays this time).
        """
        if not self.directory.is_dir():
            return []
        files: list[tuple[float, Path]] = []
        for sub in self.directory.iterdir():
            if not sub.is_dir():
                continue
            for path in sub.glob("*.npy"):
                if path.name.startswith(TEMPORARY):
                    continue  # being written
                try:
                    files.append((path.stat().st_mtime, path))
                except OSError:  # removed meanwhile
                    continue
        files.sort(key=lambda f: f[0], reverse=True)  # most recently used first
        doomed: list[Path] = []
        if current is not None:  # the account's own older fingerprints, beyond the last `keep` used
            prefix = current.name.split("-", 1)[0] + "-"
            siblings = [p for _, p in files if p.parent == current.parent and p.name.startswith(prefix)]
            doomed += [p for p in siblings if p != current][max(0, self.keep - 1) :]
        now = time.time()
        kept = 0
        for used, path in files:
            if path == current or path in doomed:
                continue
            if now - used > self.max_age or kept >= self.max_files - (current is not None):
                doomed.append(path)
            else:
                kept += 1
        removed = [path for path in doomed if self._remove(path)]
        # what no file explains any more: lock files without their file, temporary files of a crashed writer
        for sub in self.directory.iterdir():
            if not sub.is_dir():
                continue
            for path in sub.glob("*.lock"):
                stale = now - _mtime(path) > self.max_age and not path.with_suffix(".npy").exists()
                if stale and self._remove(path.with_suffix(".npy")):
                    removed.append(path)
            for path in sub.glob(f"{TEMPORARY}*"):
                if now - _mtime(path) > self.max_age:
                    path.unlink(missing_ok=True)
                    removed.append(path)
        for sub in self.directory.iterdir():
            if sub.is_dir() and now - _mtime(sub) > self.max_age:
                try:
                    sub.rmdir()  # only when empty
                except OSError:
                    pass
        return removed

    def _remove(self, file: Path) -> bool:
        """Remove `file` and its lock file while holding the lock (not waiting); whether it was removed."""
        lock = file.with_suffix(".lock")
        try:
            handle = open(lock, "a+b")
        except OSError:
            return False
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # being computed, or waited for: it stays
                return False
            file.unlink(missing_ok=True)
            lock.unlink(missing_ok=True)  # a process waiting on it finds no file and computes afresh
            with self._lock:
                self._touched.pop(file, None)
            return True
        finally:
            handle.close()

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
