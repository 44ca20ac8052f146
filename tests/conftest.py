"""Shared fixtures: one backend-parametrised `store` fixture drives the same tests on every backend."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing

from accountgraph.graph.store import GraphStore
from tests.browser import browser, chromium
from tests.neo4j_server import Neo4jServer, Neo4jUnavailable, neo4j_server, required

__all__ = ["browser", "chromium"]  # the browser tests' fixtures, for every test module

BACKENDS = ["sqlite", "neo4j"]

# Typer's test runner builds the Click command of the app anew at every call (about a third of a second for this
# app, the better part of the in-process CLI tests); no test changes the app, so each one is built once.
typer.testing._get_command = functools.cache(typer.main.get_command)


SHARED_SCOPES = ("class", "module", "package")


NEO4J_FIXTURES = ("neo4j_service", "neo4j_schema", "neo4j_store")


def _fixtures(item: pytest.Item) -> dict[str, Any]:
    """The definitions of the fixtures a test uses (all of them, those its fixtures use included), by name."""
    return getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})


def _needs_neo4j(item: pytest.Item) -> bool:
    """Whether a test uses the session's Neo4j server: a fixture of it, or the `store` fixture's Neo4j param."""
    defs = _fixtures(item)
    callspec = getattr(item, "callspec", None)
    return any(n in defs for n in NEO4J_FIXTURES) or (callspec is not None and callspec.params.get("store") == "neo4j")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for `pytest -n 2 --dist loadgroup` (the Makefile's `unit`): every test on the session's Neo4j server
    runs on one worker (one server started, its JIT warmed once, instead of one per worker, which made two workers
    slower than one), with the rest of its module when the module shares a fixture wider than one test; the other
    tests that share such a fixture (a module's seeded store, the private Neo4j server of tests/graph) run on one
    worker, so it is made once; the others go to whichever worker is free. Without xdist the groups change
    nothing."""
    twice = sorted(nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1)
    if twice:  # pytest-xdist keys tests by id: it would run one of each and count the rest as never collected
        raise pytest.UsageError(f"tests with the same id (give each its own parameter id): {', '.join(twice[:5])}")
    needs = {item.nodeid: _needs_neo4j(item) for item in items}
    neo4j_modules = {item.nodeid.split("::")[0] for item in items if needs[item.nodeid]}
    for item in items:
        defs = _fixtures(item)
        module = item.nodeid.split("::")[0]
        shared = any(d[-1].scope in SHARED_SCOPES for d in defs.values() if d)
        if "private_neo4j_service" in defs:
            group = "private-neo4j"
        elif needs[item.nodeid] or (shared and module in neo4j_modules):
            group = "neo4j"
        elif shared:
            group = module
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def neo4j_service() -> Iterator[Neo4jServer]:
    try:
        with neo4j_server() as server:
            yield server
    except Neo4jUnavailable as err:
        if required():
            pytest.fail(f"ACCOUNTGRAPH_REQUIRE_NEO4J=1 but {err}", pytrace=False)
        pytest.skip(str(err))


def sqlite_store(tmp_path: Path) -> GraphStore:
    from accountgraph.graph.sqlite import SqliteStore

    return SqliteStore(f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture(scope="session")
def neo4j_schema(neo4j_service: Neo4jServer) -> Neo4jServer:
    """The server with the store's schema applied (the first store opened on it applies it, as in production)."""
    from accountgraph.graph.neo4j import Neo4jStore

    Neo4jStore(neo4j_service.uri, auth=neo4j_service.auth).close()
    return neo4j_service


@pytest.fixture
def neo4j_store(neo4j_schema: Neo4jServer) -> Iterator[GraphStore]:
    """A store on the session's server, emptied. Its constraints and indexes are applied once per session by
    `neo4j_schema` (`clear` keeps them, no test drops them): opening the store skips the 23 idempotent schema
    statements, which were the larger part of a Neo4j test's setup. Tests that open a `Neo4jStore` themselves
    (a server of their own, the API's and CLI's processes) still apply them."""
    from accountgraph.graph.neo4j import Neo4jStore

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Neo4jStore, "_apply_schema", lambda self: None)
        store = Neo4jStore(neo4j_schema.uri, auth=neo4j_schema.auth)
    store.clear()  # each test starts from an empty database
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh, empty store of each backend."""
    if request.param == "sqlite":
        s = sqlite_store(tmp_path)
        try:
            yield s
        finally:
            s.close()
    else:
        yield request.getfixturevalue("neo4j_store")
