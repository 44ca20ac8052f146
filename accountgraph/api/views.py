"""The app's cache of prepared accounts, loading each at most once at a time.

`accountgraph.analysis.account_view` asks its cache for a key (account, date, reference hour, options,
data version) and, on a miss, loads and prepares the account, then stores it. After a write, or when the
reference hour turns, every request in flight for that account misses at once; without care each would
load the account (seconds for a large one) side by side. Here the first miss of a key loads it and the
others wait for its result (single flight). A load that fails stores nothing: `release()`, called by the
route when its analysis returns or raises, wakes the waiters, who then load themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from accountgraph.analysis import ViewCache

WAIT_SECONDS = 300.0
"""The longest a request waits for another's load before it loads itself."""


class SingleFlightViews(ViewCache):
    """A `ViewCache` where concurrent misses of one key wait for a single load."""

    def __init__(self, size: int = 8, wait_seconds: float = WAIT_SECONDS) -> None:
        super().__init__(size)
        self.wait_seconds = wait_seconds
        self.loads = 0  # keys this cache had loaded (each miss that loaded, not those that waited)
        self._flights: dict[Hashable, threading.Event] = {}
        self._flights_lock = threading.Lock()
        self._mine = threading.local()

    def _loading(self) -> set[Hashable]:
        keys: set[Hashable] | None = getattr(self._mine, "keys", None)
        if keys is None:
            keys = self._mine.keys = set()
        return keys

    def get(self, key: Hashable) -> Any:
        view = super().get(key)
        if view is not None:
            return view
        with self._flights_lock:
            flight = self._flights.get(key)
            if flight is None:  # nobody loads it: this thread will, and `put` or `release` lands it
                self._flights[key] = threading.Event()
                self._loading().add(key)
                self.loads += 1
                return None
        flight.wait(self.wait_seconds)
        view = super().get(key)
        if view is None:  # the load failed or took too long: load here, without waiting again
            with self._flights_lock:
                self.loads += 1
        return view

    def put(self, key: Hashable, scope: Hashable, view: Any) -> None:
        super().put(key, scope, view)
        self._land(key)

    def _land(self, key: Hashable) -> None:
        with self._flights_lock:
            flight = self._flights.pop(key, None)
            self._loading().discard(key)
        if flight is not None:
            flight.set()

    def release(self) -> None:
        """Wake the waiters of every load this thread started and did not store (it failed)."""
        for key in list(self._loading()):
            self._land(key)

    @contextmanager
    def flight(self) -> Iterator[SingleFlightViews]:
        """Use around one analysis call: whatever happens, no key stays marked as loading."""
        try:
            yield self
        finally:
            self.release()

    def in_flight(self) -> int:
        with self._flights_lock:
            return len(self._flights)
