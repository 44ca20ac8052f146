"""Pruning the exact-betweenness cache (`ExactBetweenness.prune`): an account keeps its last fingerprints, the
whole directory a bounded number of recently used files, and a file another process holds stays."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from accountgraph.algorithms import Options, RankParams
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.services import analysis
from accountgraph.services.exact import ExactBetweenness, _name
from accountgraph.services.scope import Scope

DAY = 24 * 3600.0


def _put(exact: ExactBetweenness, store: str, account: str, key: str, age: float) -> Path:
    """A cached file of (store, account, fingerprint) as the manager names it, last used `age` seconds ago."""
    file = exact._file(store, _name(store, account, key))
    assert file is not None
    file.parent.mkdir(parents=True, exist_ok=True)
    np.save(file, np.arange(3, dtype=np.float64), allow_pickle=False)
    file.with_suffix(".lock").touch()
    when = time.time() - age
    os.utime(file, (when, when))
    return file


def test_an_account_keeps_its_last_fingerprints_and_the_directory_a_bounded_total(tmp_path: Path) -> None:
    exact = ExactBetweenness(tmp_path / "exact", keep=2, max_files=4, max_age=10 * DAY)
    a1, a2, a3 = (_put(exact, "sqlite:///a.db", "acme", key, age) for key, age in (("k1", 50), ("k2", 40), ("k3", 30)))
    old = _put(exact, "sqlite:///b.db", "acme", "k1", 11 * DAY)  # unused for longer than max_age
    c0, c1, c2 = (_put(exact, "sqlite:///c.db", f"account{i}", "k", 100 + i) for i in range(3))
    stale_lock = old.parent / "0123-abc.lock"  # a lock whose computation never wrote its file
    stale_lock.touch()
    os.utime(stale_lock, (time.time() - 11 * DAY,) * 2)
    crashed = old.parent / ".tmp-dead.npy"  # a writer that died before renaming
    crashed.touch()
    os.utime(crashed, (time.time() - 11 * DAY,) * 2)
    # a new fingerprint of acme is written, as after a computation: the prune runs
    a4 = exact._file("sqlite:///a.db", _name("sqlite:///a.db", "acme", "k4"))
    assert a4 is not None
    exact._write(a4, np.arange(3, dtype=np.float64))
    left = {p for p in (tmp_path / "exact").rglob("*") if p.is_file()}
    npy = {p for p in left if p.suffix == ".npy"}
    # acme: the new one and the last one used before it (keep=2); the total bounded by max_files (4), the
    # least recently used gone first; the long unused one gone; each file's lock gone with it
    assert npy == {a4, a3, c0, c1}
    assert a1.with_suffix(".lock") not in left and c2.with_suffix(".lock") not in left
    assert a3.with_suffix(".lock") in left
    assert not stale_lock.exists() and not crashed.exists()
    assert {a1, a2, old, c2}.isdisjoint(left)
    # nothing more to prune: a second pass removes nothing
    assert exact.prune() == []


def test_reading_a_file_keeps_it_and_the_ranking_stays_exact(tmp_path: Path) -> None:
    """A file in use is touched when read, so the age rule spares it; its values still serve."""
    options = Options(rank=RankParams(betweenness_exact_max=100))
    with SqliteStore(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.load_bundle(generate_account(300, seed=4, account_id="acme", reference=DEFAULT_REFERENCE))
        first = ExactBetweenness(tmp_path / "exact", max_age=10 * DAY)
        view = analysis.account_view(store, "acme", options=options, reference=DEFAULT_REFERENCE)
        assert first.attach(store.url, "acme", view, wait=True)
        file = first._file(store.url, _name(store.url, "acme", view.structure_key()))
        assert file is not None and file.exists()
        unused = _put(first, store.url, "other", "k", 0)
        for path in (file, unused):
            os.utime(path, (time.time() - 11 * DAY,) * 2)
        reader = ExactBetweenness(tmp_path / "exact", max_age=10 * DAY)  # another process, later
        again = analysis.account_view(store, "acme", options=options, reference=DEFAULT_REFERENCE)
        assert reader.ready(store.url, "acme", again)  # read from the file, which is now marked used
        assert reader.prune() == [unused]
        assert file.exists()
        ranking = analysis.rank(
            store, Scope.operator(), "acme", top=20, options=options, reference=DEFAULT_REFERENCE,
            exact=ExactBetweenness(tmp_path / "exact", compute=False),
        )  # fmt: skip
        assert ranking.method.betweenness == "exact"


HOLD = """
import fcntl, sys, time
with open(sys.argv[1], "a+b") as handle:
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_a_file_another_process_holds_stays(tmp_path: Path) -> None:
    """A computation (or a wait for one) holds the file's lock in another process: pruning leaves the file and
    its lock alone, and removes them once the lock is released."""
    exact = ExactBetweenness(tmp_path / "exact", max_age=10 * DAY)
    held = _put(exact, "sqlite:///a.db", "acme", "k1", 11 * DAY)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(held.with_suffix(".lock"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert exact.prune() == []
        assert held.exists() and held.with_suffix(".lock").exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=60)
    assert exact.prune() == [held]
    assert not held.exists() and not held.with_suffix(".lock").exists()
