"""Fixtures of the storage tests: a second Neo4j server, private to the tests that stop it or fill its memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accountgraph.graph.neo4j import Neo4jStore
from tests.neo4j_server import PrivateNeo4j, launcher_available, required


@pytest.fixture(scope="package")
def private_neo4j_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateNeo4j]:
    """A launcher server with a 256 MiB heap whose transactions may hold 48 MiB at once (Neo4j's
    dbms.memory.transaction.total.max: a small import runs out of it quickly), started once for these tests (a
    start is the slowest part of them)."""
    if not launcher_available():
        if required():
            pytest.fail("ACCOUNTGRAPH_REQUIRE_NEO4J=1 but java, mvn or tools/neo4j are missing", pytrace=False)
        pytest.skip("the Neo4j launcher needs java and mvn")
    java_opts = "-Xms64m -Xmx256m -Daccountgraph.tx.total.max.mb=48"
    neo4j = PrivateNeo4j(tmp_path_factory.mktemp("private-neo4j"), java_opts=java_opts)
    neo4j.start()
    try:
        yield neo4j
    finally:
        if neo4j.running:
            neo4j.stop()


@pytest.fixture
def private_neo4j(private_neo4j_service: PrivateNeo4j) -> PrivateNeo4j:
    """The private server, running and empty (a test may stop it; the next one finds it started again)."""
    if not private_neo4j_service.running:
        private_neo4j_service.start()
    store = Neo4jStore(private_neo4j_service.uri)
    try:
        store.clear()
    finally:
        store.close()
    return private_neo4j_service
