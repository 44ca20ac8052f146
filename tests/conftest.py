"""Shared fixtures: one backend-parametrised `store` fixture drives the same tests on every backend."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import typer.testing

from accountgraph.graph.store import GraphStore
from tests.browser import browser
from tests.neo4j_server import Neo4jServer, Neo4jUnavailable, neo4j_server, required

__all__ = ["browser"]  # the browser tests' fixture, for every test module

BACKENDS = ["sqlite", "neo4j"]

# Typer's test runner builds the Click command of the app anew at every call (about a third of a second for this
# app, the better part of the in-process CLI tests); no test changes the app, so each one is built once.
typer.testing._get_command = functools.cache(typer.main.get_command)


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


@pytest.fixture
def neo4j_store(neo4j_service: Neo4jServer) -> Iterator[GraphStore]:
    from accountgraph.graph.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_service.uri, auth=neo4j_service.auth)
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
