"""The analysis service on real stores: the same results on SQLite and Neo4j, and its per-process cache."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from accountgraph.errors import NotFoundError
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import GraphStore
from accountgraph.samples.datasets import all_dataset_bundles
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.samples.sample import sample_bundle
from accountgraph.schema.models import TeamMember, Tie, TieType
from accountgraph.services import analysis
from accountgraph.services.scope import Scope

OPERATOR = Scope.operator()

AS_OF = date(2026, 1, 1)


def everything(store: GraphStore, account: str) -> dict[str, object]:
    """Every result of the service for one account, as JSON-ready data (no cache, a fixed reference)."""
    kw = {"as_of": AS_OF, "reference": AS_OF, "cache": None}
    full = analysis.analyse(store, OPERATOR, account, top=None, **kw)  # type: ignore[arg-type]
    out: dict[str, object] = {"analysis": full.model_dump(mode="json")}
    people = [p.id for p in full.ranking.people[:3]]
    for target in people:
        out[f"path {target}"] = analysis.path(
            store, OPERATOR, account, target, k=3, avoid_opponents=True, **kw
        ).model_dump(  # type: ignore[arg-type]
            mode="json"
        )
    if people:
        out["whatif"] = analysis.whatif(store, OPERATOR, account, people[0], **kw).model_dump(mode="json")  # type: ignore[arg-type]
    return out


def test_results_are_the_same_on_both_backends(store: GraphStore, tmp_path: Path) -> None:
    bundles = {
        "medtech": sample_bundle(),
        "acme": generate_account(300, seed=11, account_id="acme", reference=DEFAULT_REFERENCE),
    }
    bundles.update(all_dataset_bundles())
    with SqliteStore(f"sqlite:///{tmp_path / 'reference.db'}") as reference:
        for bundle in bundles.values():
            reference.load_bundle(bundle)
            store.load_bundle(bundle)
        for account in bundles:
            assert everything(store, account) == everything(reference, account), account


def test_the_cache_serves_until_the_data_version_moves(tmp_path: Path) -> None:
    cache = analysis.ViewCache(size=4)
    version = [1]
    with SqliteStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.load_bundle(sample_bundle())
        kw = {"as_of": AS_OF, "reference": AS_OF, "cache": cache, "store_version": lambda: version[0]}
        first = analysis.coverage(store, OPERATOR, "medtech", **kw)  # type: ignore[arg-type]
        assert (cache.hits, cache.misses) == (0, 1)
        again = analysis.rank(store, OPERATOR, "medtech", **kw)  # type: ignore[arg-type]
        assert (cache.hits, cache.misses) == (1, 1) and again.people
        # a write the cache is not told about is not seen ...
        member = TeamMember(id="medtech-t99", name="New Colleague")
        store.load_bundle(
            sample_bundle().model_copy(
                update={
                    "team": [member],
                    "ties": [
                        Tie.model_validate(
                            {
                                "from": "medtech-t99",
                                "to": "medtech-p00001",
                                "type": TieType.KNOWS,
                                "strength": 1.0,
                                "last_contact": "2025-12-31",
                            }
                        )
                    ],
                    "people": [],
                    "companies": [],
                    "interactions": [],
                    "risks": [],
                }
            )
        )
        assert analysis.coverage(store, OPERATOR, "medtech", **kw).score == first.score  # type: ignore[arg-type]
        # ... and is once the version moves: the stale entry is dropped
        version[0] = 2
        after = analysis.coverage(store, OPERATOR, "medtech", **kw)  # type: ignore[arg-type]
        assert after.score > first.score
        assert len(cache) == 1


def test_the_store_data_version_keys_the_cache(tmp_path: Path) -> None:
    cache = analysis.ViewCache()
    with SqliteStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        assert callable(getattr(store, "data_version", None)), "the store tells its data version"
        store.load_bundle(sample_bundle())
        kw = {"as_of": AS_OF, "reference": AS_OF, "cache": cache}
        before = analysis.path(store, OPERATOR, "medtech", "medtech-p00001", **kw)  # type: ignore[arg-type]
        analysis.path(store, OPERATOR, "medtech", "medtech-p00002", **kw)  # type: ignore[arg-type]
        assert cache.hits == 1
        store.delete("team", before.paths[0].member)
        after = analysis.path(store, OPERATOR, "medtech", "medtech-p00001", **kw)  # type: ignore[arg-type]
        assert cache.misses == 2
        assert after.paths[0].member != before.paths[0].member


def test_no_version_no_cache(tmp_path: Path) -> None:
    cache = analysis.ViewCache()

    class Plain:
        url = "x"

        def __init__(self, inner: SqliteStore) -> None:
            self.inner = inner

        def account_projection(self, account: str, as_of: date | None = None):  # type: ignore[no-untyped-def]
            return self.inner.account_projection(account, as_of=as_of)

    with SqliteStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.load_bundle(sample_bundle())
        plain = Plain(store)
        analysis.risk(plain, OPERATOR, "medtech", as_of=AS_OF, cache=cache)  # type: ignore[arg-type]
        analysis.risk(plain, OPERATOR, "medtech", as_of=AS_OF, cache=cache)  # type: ignore[arg-type]
        assert len(cache) == 0 and cache.hits == 0


def test_service_errors(tmp_path: Path) -> None:
    with SqliteStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.load_bundle(sample_bundle())
        with pytest.raises(NotFoundError):
            analysis.rank(store, OPERATOR, "nope", cache=None)
        with pytest.raises(NotFoundError):
            analysis.path(store, OPERATOR, "medtech", "medtech-p00001", source="no-such-member", cache=None)
        with pytest.raises(NotFoundError):
            analysis.whatif(store, OPERATOR, "medtech", "no-such-person", cache=None)
