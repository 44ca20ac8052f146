"""Catching a cached prepared account up with the store's writes, by the store's change feed.

A view cached at data version ``v`` asks the store what the writes since changed (`GraphStore.changes_since`:
the feed's entries and the current rows of their records, read in one transaction) and applies them
(`accountgraph.algorithms.incremental.update_view`): a stance or role edit touches only what reads stances
and roles, a tie or interaction edit re-solves what depends on the graph, a write to another account or to
documents leaves the view as it is. Every worker process does the same from its own cache, so each notices a
write by the data version and applies the same change; it reloads only when the feed cannot tell (entries
pruned, a large import) or the change is not one a view can apply (see `update_view`).
"""

from __future__ import annotations

import logging
import threading

from accountgraph.algorithms import AccountView
from accountgraph.algorithms.incremental import Changed, update_view
from accountgraph.errors import NotFoundError, StoreError
from accountgraph.graph.changes import DOCUMENT, KEY, tie_of
from accountgraph.graph.store import GraphStore
from accountgraph.perf import paused_gc
from accountgraph.projection import Row, TieRow

__all__ = ["SNAPSHOT_DELAY", "catch_up", "keep_snapshot_later"]

log = logging.getLogger(__name__)

SNAPSHOT_DELAY = 2.0
"""Seconds after the last caught-up write to an account at which its snapshot is written again (SQLite)."""
_pending: dict[tuple[str, str], threading.Timer] = {}
_pending_lock = threading.Lock()


def _tie_row(row: Row) -> TieRow:
    return (row["type"], row["from"], row["to"], row["strength"], row["since"], row["until"], row["last_contact"],
            row["note"])  # fmt: skip


def catch_up(store: GraphStore, view: AccountView, version: int) -> tuple[int, AccountView] | None:
    """The data version now and `view` (prepared at data `version`) brought up to it; None: prepare afresh."""
    found = store.changes_since(version)
    if found is None:
        return None
    if found.version == version:
        return version, view
    companies = {c["id"] for c in view.projection.companies}
    changed = Changed()
    for change in found.changes:
        row = found.records.get(change)
        if change.kind in (DOCUMENT, KEY):
            continue  # no view reads them
        if change.kind == "person":
            changed.people[change.id] = row
        elif change.kind == "interaction":
            changed.interactions[change.id] = row
        elif change.kind == "tie":
            type, a, b = tie_of(change.id)
            changed.ties[(type.value, a, b)] = None if row is None else _tie_row(row)
        elif change.kind == "team":
            if change.id in view.index:
                return None  # a member of the view: their name or title may show anywhere
        elif change.kind == "company":
            if change.id in companies or (row is not None and row.get("parent") in companies):
                return None  # the account's tree
        elif change.kind == "risk":
            held = any(r["id"] == change.id for r in view.projection.risks)
            if held or (row is not None and row.get("company") in companies):
                return None  # the account's risks
        else:
            return None  # a write the feed does not detail
    with paused_gc():  # a view's worth of small objects, none of them garbage
        updated = update_view(view, changed)
    if updated is None:
        return None
    if updated is not view:
        keep_snapshot_later(store, view.account)
    return found.version, updated


def keep_snapshot_later(store: GraphStore, account: str) -> None:
    """Have the store keep the account's snapshot again (`GraphStore.keep_snapshot`; the write dropped it) on a
    background thread, `SNAPSHOT_DELAY` seconds after the last call for the account, so that neither the edit
    nor the next cold read (another process, a restart) pays for it. Nothing for a store without snapshots."""
    if type(store).keep_snapshot is GraphStore.keep_snapshot:
        return
    key = (str(getattr(store, "url", id(store))), account)

    def run() -> None:
        with _pending_lock:
            if _pending.get(key) is timer:
                del _pending[key]
        try:
            store.keep_snapshot(account)
        except (StoreError, NotFoundError) as err:  # closed, busy or gone: the next read keeps it
            log.info("account %r: snapshot not kept: %s", account, err)

    timer = threading.Timer(SNAPSHOT_DELAY, run)
    timer.daemon = True
    with _pending_lock:
        old = _pending.pop(key, None)
        if old is not None:
            old.cancel()
        _pending[key] = timer
    timer.start()
