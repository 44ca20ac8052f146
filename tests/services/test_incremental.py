"""Incremental views: the change feed of each backend, and cached views caught up with writes by it, equal to
preparing the account afresh after random edit sequences (on a real SQLite file and a real Neo4j)."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from accountgraph.algorithms import (
    AccountView,
    account_risk,
    best_paths,
    coverage,
    key_people,
    next_best_actions,
    prepare,
    what_if,
)
from accountgraph.algorithms.coverage import COLUMNS_KEY, Columns, person_columns
from accountgraph.algorithms.prepared import AUTHORITY
from accountgraph.algorithms.whatif import departure
from accountgraph.errors import NotFoundError
from accountgraph.graph.changes import ANY, DOCUMENT, Change, tie_id
from accountgraph.graph.store import DocumentWrite, GraphStore
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.schema.models import Bundle, Interaction, InteractionKind, Role, Stance, Tie, TieType
from accountgraph.services.analysis import ViewCache, account_view

ON = DEFAULT_REFERENCE
LOAD: dict[str, Any] = {"as_of": ON, "reference": ON}


def _load(store: GraphStore, people: int = 120) -> Bundle:
    bundle = generate_account(people, seed=1, account_id="acme", reference=ON)
    store.load_bundle(bundle, on=ON)
    store.load_bundle(generate_account(40, seed=2, account_id="other", reference=ON), on=ON)
    return bundle


def _results(view: AccountView) -> list[Any]:
    ranking = key_people(view, top=None)
    targets = [p.id for p in ranking.people[:3]]
    return [
        ranking,
        coverage(view),
        next_best_actions(view),
        account_risk(view),
        [best_paths(view, t, k=2) for t in targets],
        [best_paths(view, t, avoid_opponents=True) for t in targets],
    ]


WARM_START = {"pagerank_iterations", "pagerank_residual"}
"""What a PageRank started from the solution before a tie edit reports differently (fewer steps)."""


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in WARM_START}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _same(mine: Any, fresh: Any) -> None:
    """Results equal but for PageRank: started from the previous solution after a tie edit, it stops on the
    same tolerance at other floats (within 1e-9, as the kernel's test against networkx), in fewer steps."""
    _close(_plain(mine), _plain(fresh), "results")


def _close(mine: Any, fresh: Any, where: str) -> None:
    if isinstance(fresh, float) and isinstance(mine, float):
        assert mine == pytest.approx(fresh, abs=1e-9, rel=1e-9), where
    elif isinstance(fresh, dict) and isinstance(mine, dict):
        assert mine.keys() == fresh.keys(), where
        for k in fresh:
            _close(mine[k], fresh[k], f"{where}.{k}")
    elif isinstance(fresh, list) and isinstance(mine, list):
        assert len(mine) == len(fresh), where
        for i, (x, y) in enumerate(zip(mine, fresh, strict=True)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert mine == fresh, where


def _same_arrays(view: AccountView, fresh: AccountView) -> None:
    """The caught-up view's tie arrays, team ties and contact graph are the fresh one's (floats bit for bit)."""
    for name in ("knows", "influences", "informal"):
        mine, theirs = getattr(view, name), getattr(fresh, name)
        assert all(np.array_equal(x, y) for x, y in zip(mine, theirs, strict=True))
    for rows in ("_knows_rows", "_influences_rows"):  # each edge's row of the projection: the same tie
        mine, theirs = getattr(view, rows).tolist(), getattr(fresh, rows).tolist()
        assert [view.projection.ties[r] for r in mine] == [fresh.projection.ties[r] for r in theirs]
    assert view.team_ties == fresh.team_ties and view.stale_team_ties == fresh.stale_team_ties
    assert view.ties_of_person == fresh.ties_of_person
    g, f = view.contact, fresh.contact
    assert np.array_equal(g.tail, f.tail) and np.array_equal(g.head, f.head) and np.array_equal(g.cost, f.cost)
    assert np.array_equal(view.arc_kind, fresh.arc_kind) and np.array_equal(view.arc_strength, fresh.arc_strength)


def _fresh(store: GraphStore) -> AccountView:
    return prepare(store.account_projection("acme", as_of=ON), reference=ON)


def test_the_feed_lists_each_write_with_its_rows(store: GraphStore) -> None:
    bundle = _load(store)
    start = store.data_version()
    person = store.get_person(bundle.people[0].id)
    store.upsert_person(person.model_copy(update={"stance": Stance.OPPONENT}))
    tie = bundle.ties[0]
    store.upsert_tie(tie.model_copy(update={"strength": 0.125}))
    store.documents.commit([DocumentWrite("product", "p1", None, {"name": "Pump"})])
    found = store.changes_since(start)
    assert found is not None and found.version == start + 3 == store.data_version()
    assert found.changes == [
        Change("person", person.id),
        Change("tie", tie_id(tie.type, tie.from_, tie.to)),
        Change(DOCUMENT),
    ]
    assert found.records[Change("person", person.id)]["stance"] == "opponent"  # type: ignore[index]
    assert found.records[Change("tie", tie_id(tie.type, tie.from_, tie.to))]["strength"] == 0.125  # type: ignore[index]
    store.delete_tie(tie.type, tie.from_, tie.to)
    after = store.changes_since(start + 3)
    assert after is not None and after.records == {Change("tie", tie_id(tie.type, tie.from_, tie.to)): None}
    assert store.changes_since(store.data_version()) == type(found)(store.data_version(), [])
    # a large import is one entry that says nothing in particular: caches reload
    # (the load's own version: a server shared with other tests is far beyond version 0, out of the feed's reach)
    loaded = store.changes_since(start - 1)
    assert loaded is not None and loaded.changes[0] == Change(ANY)


def test_the_feed_is_bounded(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    module = type(store).__module__
    monkeypatch.setattr(f"{module}.FEED_KEEP", 3)
    bundle = _load(store)
    start = store.data_version()
    tie = bundle.ties[0]
    for strength in (0.1, 0.2, 0.3, 0.4, 0.5):
        store.upsert_tie(tie.model_copy(update={"strength": strength}))
    assert store.changes_since(start) is None  # older than the feed keeps: reload
    kept = store.changes_since(store.data_version() - 2)
    assert kept is not None and len(kept.changes) == 1
    if module.endswith("sqlite"):
        versions = {v for (v,) in store._conn().execute("SELECT version FROM change_feed")}  # type: ignore[attr-defined]
    else:
        records, _, _ = store.driver.execute_query(  # type: ignore[attr-defined]
            "MATCH (c:AccountGraphMeta) WHERE c.id STARTS WITH 'change:' RETURN c.version AS v"
        )
        versions = {r["v"] for r in records}
    now = store.data_version()
    assert {v for v in versions if v > start - 3} == {now - 2, now - 1, now}  # (Neo4j keeps meta nodes on clear)


def _edit(store: GraphStore, bundle: Bundle, rng: random.Random, step: int) -> str:
    """One random edit of the account (or of another account, or of a document); its kind."""
    acme_people = [p.id for p in bundle.people]
    kind = rng.choice(["stance", "roles", "tie", "new_tie", "end_tie", "delete_tie", "team_tie", "interaction",
                       "delete_interaction", "other_account", "document"])  # fmt: skip
    if kind in ("stance", "roles"):
        person = store.get_person(rng.choice(acme_people))
        if kind == "stance":
            update: dict[str, Any] = {"stance": rng.choice([s for s in Stance if s != person.stance])}
        else:
            update = {"roles": rng.sample(list(Role), rng.randint(0, 2))}
        store.upsert_person(person.model_copy(update=update), on=ON)
    elif kind in ("tie", "end_tie", "delete_tie", "team_tie"):
        among = [t for t in bundle.ties if t.from_ in acme_people and t.to in acme_people]
        ours = [t for t in bundle.ties if (t.from_ in acme_people) != (t.to in acme_people)]
        t = rng.choice(ours if kind == "team_tie" else among)
        try:
            tie = store.get_tie(t.type, t.from_, t.to)
        except NotFoundError:  # deleted by an earlier step
            kind = "new_tie"
        else:
            if kind == "delete_tie":
                store.delete_tie(tie.type, tie.from_, tie.to)
            elif kind == "end_tie":
                store.upsert_tie(tie.model_copy(update={"until": ON - timedelta(days=rng.randint(0, 30))}))
            else:
                store.upsert_tie(tie.model_copy(update={"strength": round(rng.uniform(0.05, 1.0), 3)}))
    if kind == "new_tie":
        a, b = rng.sample(acme_people, 2)
        type = rng.choice([TieType.KNOWS, TieType.INFLUENCES])
        if type is TieType.KNOWS and b < a:
            a, b = b, a
        store.upsert_tie(Tie.model_validate({"type": type, "from": a, "to": b, "strength": round(rng.random(), 3)}))
    elif kind == "interaction":
        member = rng.choice([m.id for m in bundle.team])
        at = ON - timedelta(days=rng.randint(0, 400))
        store.upsert_interaction(
            Interaction(
                id=f"acme-new-{step}",
                member=member,
                person=rng.choice(acme_people),
                kind=rng.choice(list(InteractionKind)),
                at=at.isoformat() + "T10:00:00+00:00",  # type: ignore[arg-type]
                sentiment=rng.choice([-1, 0, 1]),
            )
        )
    elif kind == "delete_interaction":
        try:
            store.delete("interaction", rng.choice(bundle.interactions).id)
        except NotFoundError:  # deleted by an earlier step: nothing written
            kind = "nothing"
    elif kind == "other_account":
        other = store.get_person("other-p00001")
        store.upsert_person(other.model_copy(update={"stance": Stance.OPPONENT}), on=ON)
    elif kind == "document":
        store.documents.commit([DocumentWrite("product", f"p{step}", None, {"name": "Pump"})])
    return kind


def test_random_edits_equal_a_full_preparation(store: GraphStore) -> None:
    bundle = _load(store)
    cache = ViewCache()
    view = account_view(store, "acme", cache=cache, **LOAD)
    _results(view)  # caches filled: what the edits must refresh
    what_if(view, bundle.people[0].id)
    what_if(view, bundle.people[1].id)
    rng = random.Random(7)
    kinds = []
    brought = 0
    for step in range(30):
        kind = _edit(store, bundle, rng, step)
        kinds.append(kind)
        before = view
        caught = cache.caught_up
        view = account_view(store, "acme", cache=cache, **LOAD)
        assert cache.caught_up == caught + (kind != "nothing"), f"step {step}: {kind} reloaded"
        if kind in ("other_account", "document", "nothing"):
            assert view is before  # nothing of this account changed
        fresh = _fresh(store)
        _same_arrays(view, fresh)
        _same(_results(view), _results(fresh))
        # what we lose if someone leaves: the view without them, memoised, was brought along by the edit
        leaving = bundle.people[step % 2].id
        held = "whatif.view:" + leaving in before.cache
        if held and kind in ("tie", "new_tie", "end_tie", "delete_tie", "team_tie", "interaction"):
            assert "whatif.view:" + leaving in view.cache, f"step {step}: {kind}"  # brought along, not dropped
            brought += 1
        if leaving in view.index:
            _same(what_if(view, leaving), what_if(fresh, leaving))
            _same_arrays(departure(view, leaving), fresh.without(leaving))
    assert {"stance", "roles", "interaction", "tie", "new_tie", "end_tie", "delete_tie", "team_tie"} <= set(kinds)
    assert brought >= 3


def test_a_stance_edit_keeps_the_networks(store: GraphStore) -> None:
    bundle = _load(store)
    cache = ViewCache()
    view = account_view(store, "acme", cache=cache, **LOAD)
    _results(view)
    person = store.get_person(bundle.people[3].id)
    store.upsert_person(person.model_copy(update={"stance": Stance.OPPONENT}), on=ON)
    after = account_view(store, "acme", cache=cache, **LOAD)
    assert after is not view and after.contact is view.contact and after._betweenness is view._betweenness
    assert after.node(person.id)["stance"] == "opponent" and view.node(person.id)["stance"] != "opponent"
    assert _results(after) == _results(_fresh(store))


def _listed(columns: Columns) -> dict[str, Any]:
    """The columns' fields, arrays as lists (a role's mask too)."""

    def plain(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {f.name: plain(getattr(columns, f.name)) for f in dataclasses.fields(columns)}


def test_role_and_stance_edits_patch_the_columns_and_the_authority(store: GraphStore) -> None:
    """A role or stance edit brings the people's coverage columns and the authority along, patched (not built
    again from 10k rows), and every result equals a fresh preparation: roles added, removed, emptied, a role
    nobody held before and one nobody holds after."""
    bundle = _load(store)
    cache = ViewCache()
    view = account_view(store, "acme", cache=cache, **LOAD)
    rng = random.Random(3)
    for step in range(12):
        _results(view)
        pick = [p.id for p in bundle.people if p.roles] if step == 4 else [p.id for p in bundle.people]
        person = store.get_person(rng.choice(pick))
        if step % 3 == 2:
            update: dict[str, Any] = {"stance": rng.choice([s for s in Stance if s != person.stance])}
        else:
            roles = person.roles
            while sorted(roles) == sorted(person.roles):
                roles = [] if step == 4 and person.roles else rng.sample(list(Role), rng.randint(1, 3))
            update = {"roles": roles}
        store.upsert_person(person.model_copy(update=update), on=ON)
        before = view
        view = account_view(store, "acme", cache=cache, **LOAD)
        assert view is not before and view.contact is before.contact
        columns, fresh_columns = view.cache[COLUMNS_KEY], person_columns(fresh := _fresh(store))
        assert isinstance(columns, Columns) and columns is not before.cache[COLUMNS_KEY]
        assert _listed(columns) == _listed(fresh_columns)
        authority = [k for k in view.cache if k.startswith(AUTHORITY)]
        assert authority and all(view.cache[k] is not before.cache[k] or step % 3 == 2 for k in authority)
        _same(_results(view), _results(fresh))


def test_another_worker_catches_up_by_the_data_version(store: GraphStore, request: pytest.FixtureRequest) -> None:
    """Two stores on one database, as two worker processes: each catches its own cache up with the other's
    writes."""
    bundle = _load(store)
    other = _second(store, request)
    try:
        mine, theirs = ViewCache(), ViewCache()
        account_view(store, "acme", cache=mine, **LOAD)
        account_view(other, "acme", cache=theirs, **LOAD)
        person = store.get_person(bundle.people[5].id)
        store.upsert_person(person.model_copy(update={"roles": [Role.CHAMPION]}), on=ON)
        t = bundle.ties[1]
        store.upsert_tie(store.get_tie(t.type, t.from_, t.to).model_copy(update={"strength": 0.02}))
        seen = account_view(other, "acme", cache=theirs, **LOAD)
        assert theirs.caught_up == 1 and theirs.loads == 2
        _same(_results(seen), _results(_fresh(store)))
    finally:
        other.close()


def _second(store: GraphStore, request: pytest.FixtureRequest) -> GraphStore:
    """Another store on the same database (its own connections)."""
    from accountgraph.graph.neo4j import Neo4jStore
    from accountgraph.graph.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        return SqliteStore(store.url)
    server = request.getfixturevalue("neo4j_service")
    return Neo4jStore(server.uri, auth=server.auth)


def test_a_change_it_cannot_apply_reloads(store: GraphStore) -> None:
    bundle = _load(store)
    cache = ViewCache()
    account_view(store, "acme", cache=cache, **LOAD)
    person = store.get_person(bundle.people[2].id)
    store.upsert_person(person.model_copy(update={"title": "Chief Pump Officer"}), on=ON)
    view = account_view(store, "acme", cache=cache, **LOAD)
    assert cache.caught_up == 0 and cache.loads == 2
    assert view.node(person.id)["title"] == "Chief Pump Officer"


def test_the_snapshot_is_written_again_in_the_background(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: a write drops the account's snapshot; once a view caught up with it, the snapshot of the new data
    is written on a background thread, not by the next cold read."""
    import time

    from accountgraph.graph.sqlite import SqliteStore
    from accountgraph.services import incremental

    monkeypatch.setattr(incremental, "SNAPSHOT_DELAY", 0.0)
    with SqliteStore(f"sqlite:///{tmp_path / 'store.db'}", snapshot_min_ties=10) as store:
        bundle = _load(store)
        cache = ViewCache()
        account_view(store, "acme", cache=cache, **LOAD)  # the first read keeps the snapshot

        def kept() -> list[Any]:
            return store._conn().execute("SELECT version FROM account_snapshot WHERE account = 'acme'").fetchall()

        assert kept() == [(store.data_version(),)]
        person = store.get_person(bundle.people[0].id)
        store.upsert_person(person.model_copy(update={"stance": Stance.OPPONENT}), on=ON)
        assert kept() == []  # dropped by the write
        account_view(store, "acme", cache=cache, **LOAD)
        assert cache.caught_up == 1
        deadline = time.monotonic() + 30
        while not kept() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert kept() == [(store.data_version(),)]
        read = {p["id"]: p for p in store.account_projection("acme", as_of=ON).people}  # from the new snapshot
        assert read[person.id]["stance"] == "opponent"
