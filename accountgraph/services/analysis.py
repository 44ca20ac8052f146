"""The analysis service: what the CLI and the HTTP API call to rank, cover, path, plan and assess an account.

Each function takes a `GraphStore`, the caller's `Scope` (an account outside it answers NotFoundError, exactly as
one that does not exist), an account id and options, loads the account's projection
(`store.account_projection`), prepares it once (`accountgraph.algorithms.prepare`) and returns the pydantic
result of an algorithm. Prepared accounts are kept in a small per-process cache keyed by (store URL,
account, as-of date, reference hour, options, data version): the version comes from the `store_version`
callable (default: the store's `data_version()`, bumped on every write), so any write to the store makes
the next call catch the cached account up with the writes since (`accountgraph.services.incremental`) or load
it afresh. Without a version the cache is not used.

The reference time of strengths and risk recency is the start of the current hour (UTC), never after the
end of the as-of date, so results are stable within the hour and cacheable; pass `reference` to pin it.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack, cast

import numpy as np

from accountgraph.algorithms import (
    AccountView,
    ActionParams,
    Options,
    account_risk,
    best_paths,
    key_people,
    next_best_actions,
    prepare,
    what_if,
)
from accountgraph.algorithms import (
    coverage as coverage_alg,
)
from accountgraph.algorithms.results import (
    ActionPlan,
    Analysis,
    Coverage,
    PathResult,
    Ranking,
    RiskReport,
    WhatIf,
)
from accountgraph.errors import InvalidArgument, NotFoundError
from accountgraph.graph.store import CompanyNode, GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.schema.models import Company
from accountgraph.services.exact import ExactBetweenness
from accountgraph.services.incremental import catch_up
from accountgraph.services.scope import Scope

if TYPE_CHECKING:
    from accountgraph.viz.inputs import AccountMap

__all__ = [
    "AnalysisCache",
    "ViewCache",
    "account_map",
    "account_view",
    "actions",
    "analyse",
    "company_tree",
    "coverage",
    "path",
    "power_map_html",
    "rank",
    "risk",
    "tree_html",
    "whatif",
]

StoreVersion = Callable[[], int]
T = TypeVar("T")


class ViewCache:
    """A small LRU of prepared accounts (thread-safe), loading each key at most once at a time.

    After a write, or when the reference hour turns, every request in flight for an account misses at
    once; `load` lets the first miss of a key load it while the others wait for its result (single
    flight). A load that fails stores nothing and wakes the waiters, who then load themselves. Entries of
    an older data version of the same account are dropped when a new one is stored.
    """

    def __init__(self, size: int = 8, wait_seconds: float = 300.0) -> None:
        self.size = size
        self.wait_seconds = wait_seconds  # the longest a miss waits for another's load
        self._entries: OrderedDict[Hashable, AccountView] = OrderedDict()
        self._flights: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.loads = 0  # calls of a loader (a miss that waited for another's load is not one)
        self.caught_up = 0  # misses served by catching an older entry up with the writes (`account_view`)

    def get(self, key: Hashable) -> AccountView | None:
        with self._lock:
            return self._get(key)

    def _get(self, key: Hashable) -> AccountView | None:
        view = self._entries.get(key)
        if view is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return view

    def put(self, key: Hashable, scope: Hashable, view: AccountView) -> None:
        """Store `view`; drop every entry of the same `scope` (store and account) with another key."""
        with self._lock:
            for old in [k for k in self._entries if isinstance(k, tuple) and k[0] == scope and k != key]:
                del self._entries[old]
            self._entries[key] = view
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def load(self, key: Hashable, scope: Hashable, loader: Callable[[], AccountView]) -> AccountView:
        """The entry of `key`, else `loader()`'s result, stored; one loader per key runs at a time."""
        with self._lock:
            view = self._get(key)
            if view is not None:
                return view
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            flight.wait(self.wait_seconds)
            with self._lock:
                view = self._entries.get(key)
            if view is not None:
                return view
            # the other load failed or is too slow: load here, without waiting again
        try:
            with self._lock:
                self.loads += 1
            view = loader()
            self.put(key, scope, view)
            return view
        finally:
            if mine:
                with self._lock:
                    self._flights.pop(key, None)
                flight.set()

    def older(self, key: tuple[Hashable, ...]) -> tuple[Hashable, AccountView] | None:
        """An entry whose key equals `key` but for its last item (the data version), with that item."""
        with self._lock:
            for k, view in self._entries.items():
                if isinstance(k, tuple) and len(k) == len(key) and k[:-1] == key[:-1] and k != key:
                    return k[-1], view
        return None

    def in_flight(self) -> int:
        """Keys being loaded now."""
        with self._lock:
            return len(self._flights)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class AnalysisCache(ViewCache):
    """What one app (the API's lifespan) or one CLI run keeps between use cases: the prepared accounts
    (`ViewCache`) and results fitted on a whole store, such as the win-probability model
    (`opportunities.health.win_model`).

    One invalidation rule for both: the store's data version, part of every key. A fitted result is stored
    under ``(scope, version)``, `scope` naming the store and what was fitted (e.g. ``(url, "win_model")``);
    storing one drops the entries of the same scope at other versions, so a write to the store makes the
    next call fit afresh and nothing older stays behind.
    """

    def __init__(
        self,
        size: int = 8,
        wait_seconds: float = 300.0,
        fitted_size: int = 8,
        exact: ExactBetweenness | None = None,
    ) -> None:
        super().__init__(size, wait_seconds)
        self.exact = exact
        """Exact betweenness of large accounts, attached to the views it hands out (`services.exact`)."""
        self.fitted_size = fitted_size
        self._fitted: OrderedDict[Hashable, object] = OrderedDict()
        self._fitted_lock = threading.Lock()
        self.fits = 0  # calls of a fitting function

    def fitted(self, scope: Hashable, version: int, fit: Callable[[], T]) -> T:
        """The result stored for `scope` at data `version`, else `fit()`'s result, stored."""
        key = (scope, version)
        with self._fitted_lock:
            if key in self._fitted:
                self._fitted.move_to_end(key)
                return cast(T, self._fitted[key])
        result = fit()
        with self._fitted_lock:
            self.fits += 1
            for old in [k for k in self._fitted if isinstance(k, tuple) and k[0] == scope and k != key]:
                del self._fitted[old]
            self._fitted[key] = result
            while len(self._fitted) > self.fitted_size:
                self._fitted.popitem(last=False)
        return result

    def clear(self) -> None:
        super().clear()
        with self._fitted_lock:
            self._fitted.clear()


class Loading(TypedDict, total=False):
    """How a service function reads the account (the keywords of `account_view`, passed on as they are)."""

    as_of: date | None
    options: Options | None
    reference: date | datetime | None
    store_version: StoreVersion | None
    cache: ViewCache | None
    exact: ExactBetweenness | None
    wait_exact: bool


def _reference(as_of: date, reference: date | datetime | None) -> datetime:
    if reference is not None:
        if isinstance(reference, datetime):
            return reference if reference.tzinfo else reference.replace(tzinfo=UTC)
        return datetime.combine(reference, time(), tzinfo=UTC)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return min(hour, datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC))


def account_view(
    store: GraphStore,
    account: str,
    *,
    as_of: date | None = None,
    options: Options | None = None,
    reference: date | datetime | None = None,
    store_version: StoreVersion | None = None,
    cache: ViewCache | None = None,
    exact: ExactBetweenness | None = None,
    wait_exact: bool = False,
) -> AccountView:
    """The prepared account, from the cache when its data version has not moved, else the cached one caught up
    with the writes since (`accountgraph.services.incremental.catch_up`) when it can be, else prepared afresh.

    Above ``betweenness_exact_max`` people the view gets the exact betweenness of its structure from
    `exact` (default: the cache's, an `AnalysisCache` made with one) when it is ready; else its computation
    starts in the background and the ranking samples meanwhile, or with `wait_exact` it is computed first.

    Raises
    ------
    NotFoundError
        If `account` is not an account (root company) of the store.
    """
    options = options or Options()
    on = as_of or datetime.now(UTC).date()
    ref = _reference(on, reference)
    version_of = store_version or getattr(store, "data_version", None)
    if cache is None or version_of is None:
        view = prepare(store.account_projection(account, as_of=on), options, reference=ref)
    else:
        version = version_of()  # read before loading: a write during the load only makes the entry older
        scope = (getattr(store, "url", id(store)), account)
        key = (scope, on, ref, options.model_dump_json(), version)

        def load() -> AccountView:
            older = cache.older(key)
            if older is not None and isinstance(older[0], int):
                caught = catch_up(store, older[1], older[0])
                if caught is not None:
                    cache.caught_up += 1
                    return caught[1]
            return prepare(store.account_projection(account, as_of=on), options, reference=ref)

        view = cache.load(key, scope, load)
    exact = exact or getattr(cache, "exact", None)
    if exact is not None and view.P > view.options.rank.betweenness_exact_max:
        exact.attach(str(getattr(store, "url", "")), account, view, wait=wait_exact)
    watched = _WATCHED.get()
    if watched is not None:
        watched.append(view.P <= view.options.rank.betweenness_exact_max or view.exact_betweenness is not None)
    return view


_WATCHED: ContextVar[list[bool] | None] = ContextVar("accountgraph_watched_views", default=None)


@contextmanager
def watching_views() -> Iterator[list[bool]]:
    """Notes, for each view `account_view` hands out within the block (in this context and the threads that run
    in copies of it), whether it is final for its data version: its betweenness exact, or exact without a
    computation (up to ``betweenness_exact_max`` people). Every other part of a view is a function of the data at
    that version and the hour; the exact values alone arrive later, from the background. A result made only of
    final views may then be kept for its data version (the API's `ResponseCache`)."""
    seen: list[bool] = []
    token = _WATCHED.set(seen)
    try:
        yield seen
    finally:
        _WATCHED.reset(token)


def rank(
    store: GraphStore,
    scope: Scope,
    account: str,
    *,
    top: int | None = None,
    **load: Unpack[Loading],
) -> Ranking:
    """Key people of an account, best first (`accountgraph.algorithms.key_people`)."""
    scope.require_account(account)
    view = account_view(store, account, **load)
    return key_people(view, top=top)


def coverage(
    store: GraphStore,
    scope: Scope,
    account: str,
    **load: Unpack[Loading],
) -> Coverage:
    """Coverage score, breakdowns and gaps (`accountgraph.algorithms.coverage`)."""
    scope.require_account(account)
    view = account_view(store, account, **load)
    return coverage_alg(view)


def path(
    store: GraphStore,
    scope: Scope,
    account: str,
    target: str,
    *,
    source: str | None = None,
    k: int = 3,
    avoid_opponents: bool = False,
    max_hops: int | None = None,
    disjoint: bool = False,
    **load: Unpack[Loading],
) -> PathResult:
    """Best contact paths to a person, one per distinct route (`accountgraph.algorithms.best_paths`).

    Raises
    ------
    NotFoundError
        If the target is not a person of the account, or `source` is not a team member of the store.
    """
    scope.require_account(account)
    view = account_view(store, account, **load)
    if source is not None and not view.is_team(source) and not view.is_person(source):
        store.get_team_member(source)  # NotFoundError for a member that does not exist at all
    return best_paths(
        view, target, source=source, k=k, avoid_opponents=avoid_opponents, max_hops=max_hops, disjoint=disjoint
    )


def whatif(
    store: GraphStore,
    scope: Scope,
    account: str,
    remove: str,
    **load: Unpack[Loading],
) -> WhatIf:
    """Coverage before and after a departure, lost people, articulation people (`what_if`)."""
    scope.require_account(account)
    view = account_view(store, account, **load)
    if remove not in view.index:
        raise NotFoundError("person or team member with a relationship in this account", remove)
    return what_if(view, remove)


def actions(
    store: GraphStore,
    scope: Scope,
    account: str,
    *,
    capacity: int | None = None,
    **load: Unpack[Loading],
) -> ActionPlan:
    """Next best actions (`accountgraph.algorithms.next_best_actions`); `capacity` is the most actions one
    member of ours is given while a colleague with room can act (default `ActionParams.capacity`, 3)."""
    scope.require_account(account)
    if capacity is not None and capacity < 1:
        raise InvalidArgument(
            Phrase(N_("capacity must be at least 1, not {capacity}"), capacity=str(capacity)), field="capacity"
        )
    params = None if capacity is None else ActionParams(capacity=capacity)
    view = account_view(store, account, **load)
    return next_best_actions(view, params)


def risk(
    store: GraphStore,
    scope: Scope,
    account: str,
    **load: Unpack[Loading],
) -> RiskReport:
    """Risk score and alerts rolled up the company tree (`accountgraph.algorithms.account_risk`)."""
    scope.require_account(account)
    view = account_view(store, account, **load)
    return account_risk(view)


def analyse(
    store: GraphStore,
    scope: Scope,
    account: str,
    *,
    top: int | None = 50,
    **load: Unpack[Loading],
) -> Analysis:
    """Ranking (top people), coverage, next best actions and risk of an account from one load."""
    scope.require_account(account)
    view = account_view(store, account, **load)
    return Analysis(
        ranking=key_people(view, top=top),
        coverage=coverage_alg(view),
        actions=next_best_actions(view),
        risk=account_risk(view),
        options=view.options,
    )


def account_map(view: AccountView, nodes: Collection[str] | None = None) -> AccountMap:
    """The prepared account as the power map draws it (`accountgraph.viz.inputs.AccountMap`), kept to the
    companies, people and team members of `nodes` when given: the view's rows (with the roles and stances it
    holds), the projected ties among them and the effective strengths of our ties the view computed."""
    from accountgraph.viz.inputs import AccountMap, MapTie, OurTie

    wanted = None if nodes is None else set(nodes)

    def keep(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return rows if wanted is None else [r for r in rows if r["id"] in wanted]

    people, team = keep(view.attrs[: view.P]), keep(view.attrs[view.P :])
    drawn = {r["id"] for r in people} | {r["id"] for r in team}
    columns = view.projection.ties
    shown = columns.node_mask(drawn)  # the ties among the drawn, found on the columns, not tie by tie
    among = np.flatnonzero(shown[columns.a] & shown[columns.b]).tolist()
    ties = [
        MapTie(kind.upper(), a, b, strength, last_contact)
        for kind, a, b, strength, _, _, last_contact, _ in map(columns.__getitem__, among)
    ]
    strengths = {
        pair: OurTie(
            stated=t.stated,
            effective=t.core.effective,
            last_contact=t.core.last_contact.date() if t.core.last_contact else None,
            stale=t.core.stale,
        )
        for pair, t in view.team_ties.items()
        if t.member in drawn and t.person in drawn
    }
    return AccountMap(view.account, keep(view.projection.companies), people, team, ties, strengths)


def power_map_html(
    store: GraphStore,
    scope: Scope,
    account: str,
    *,
    highlight_to: str | None = None,
    show_gaps: bool = True,
    **load: Unpack[Loading],
) -> str:
    """The account's power map as one self-contained HTML page (`accountgraph.viz.render_power_map`).

    Raises
    ------
    NotFoundError
        If the account, or the person to highlight a path to, does not exist.
    """
    from accountgraph.viz import render_power_map

    scope.require_account(account)
    view = account_view(store, account, **load)
    highlight = best_paths(view, highlight_to) if highlight_to is not None else None
    return render_power_map(
        account_map(view),
        key_people(view, top=None),
        coverage_alg(view),
        highlight_path=highlight,
        show_gaps=show_gaps,
    )


def tree_html(
    store: GraphStore,
    scope: Scope,
    account: str,
    **load: Unpack[Loading],
) -> str:
    """The account's customer tree as one self-contained HTML page (`accountgraph.viz.render_tree`)."""
    from accountgraph.viz import render_tree

    scope.require_account(account)
    view = account_view(store, account, **load)
    return render_tree(company_tree(view), coverage_alg(view), account_risk(view))


def company_tree(view: AccountView) -> CompanyNode:
    """The account's company tree with the people of each company on the view's date, root first, children by
    id: the tree `GraphStore.company_tree` reads, made from the view's projection (no second read)."""
    people = Counter(p.get("company") for p in view.projection.people)
    nodes = {
        c["id"]: CompanyNode(Company.model_validate({k: v for k, v in c.items() if k != "kind"}), people[c["id"]])
        for c in view.projection.companies
    }
    root = nodes[view.account]
    for node in sorted(nodes.values(), key=lambda n: n.company.id):
        parent = node.company.parent
        if node is not root and parent in nodes:
            nodes[parent].children.append(node)
    return root
