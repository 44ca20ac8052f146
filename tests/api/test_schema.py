"""Schemathesis over the OpenAPI schema, in-process, on both backends: every operation, with a valid admin key.

No generated request may get a 5xx, and every response must match the schema (status code, content
type, headers, body); requests the schema calls invalid must be refused with a 4xx.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case

from accountgraph.api.app import create_app
from accountgraph.api.settings import ApiSettings
from accountgraph.graph.neo4j import Neo4jStore
from accountgraph.graph.store import GraphStore
from tests.api.support import new_key
from tests.graph.test_store_contract import group_bundle, other_account
from tests.neo4j_server import Neo4jServer

EXAMPLES = 12  # fuzzed cases per operation on SQLite: with the coverage phase enough to walk every parameter
NEO4J_EXAMPLES = 6  # on the slower Neo4j backend, after its examples phase

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def headers(store: GraphStore) -> dict[str, str]:
    return new_key(store, "admin")


def seed(store: GraphStore) -> GraphStore:
    """Two accounts in the store, so some generated ids hit."""
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())
    return store


def app_of(store: GraphStore) -> FastAPI:
    return create_app(ApiSettings(store=store.url, log_level="WARNING"), store=store)


@pytest.fixture
def app(store: GraphStore) -> FastAPI:
    """The app over this backend's (fresh, seeded) store."""
    return app_of(seed(store))


class Seeded:
    """The Neo4j store of the module, seeded as `app` seeds a fresh store, with an admin key; seeded again only
    when the last test wrote to it. Seeding takes a Neo4j operation's test longer than its cases (two loads, a
    key); most operations read only. A write shows in the fingerprint: the data version (every write of data,
    keys included), the change log's newest entry (every write of a record or document, those that leave the
    version alone included) and the counts of records. So each test starts from exactly the seeded data."""

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store
        self.headers: dict[str, str] = {}
        self.mark: tuple[Any, ...] | None = None
        self.seedings = 0

    def fingerprint(self) -> tuple[Any, ...]:
        return self.store.data_version(), self.store.changes(limit=1), self.store.counts()

    def ready(self) -> tuple[GraphStore, dict[str, str]]:
        if self.mark is None or self.fingerprint() != self.mark:
            self.store.clear()
            seed(self.store)
            self.headers = new_key(self.store, "admin")
            self.seedings += 1
            self.mark = self.fingerprint()
        return self.store, self.headers


@pytest.fixture(scope="module")
def seeded_neo4j(neo4j_schema: Neo4jServer) -> Iterator[Seeded]:
    with pytest.MonkeyPatch.context() as patch:  # the schema is applied once per session (tests/conftest.py)
        patch.setattr(Neo4jStore, "_apply_schema", lambda self: None)
        store = Neo4jStore(neo4j_schema.uri, auth=neo4j_schema.auth)
    try:
        seeded = Seeded(store)
        yield seeded
    finally:
        store.close()


@pytest.fixture
def neo4j_app(seeded_neo4j: Seeded) -> tuple[FastAPI, dict[str, str]]:
    """A new app (its caches empty) over the module's Neo4j store holding the seeded data, and an admin key."""
    store, headers = seeded_neo4j.ready()
    return app_of(store), headers


REQUEST_TIMEOUT = 120  # seconds a case may take in-process (schemathesis' default, 10 s, is no check of ours: it
# failed on a loaded machine, 2 pytest-xdist workers beside other suites; pytest-timeout still stops a hang)


OPENAPI = create_app(ApiSettings(store="sqlite:///:memory:")).openapi()
"""The operations: the schema of an app that never touches its store; each test then sends its cases to the app
of its backend (`app=`). (A lazy `from_fixture` schema does not run on pytest 9.)"""


def _schema(**config: Any) -> Any:
    config = {"request-timeout": REQUEST_TIMEOUT, **config}
    return schemathesis.openapi.from_dict(copy.deepcopy(OPENAPI), config=SchemathesisConfig.from_dict(config))


FULL = _schema()
"""Every phase: explicit examples, the coverage phase (boundary and negative values of every parameter)
and fuzzing."""
LIGHT = _schema(phases={"coverage": {"enabled": False}})
"""Examples and fuzzing only, for the slower Neo4j backend (the coverage phase's cases are the same on both)."""


def _settings(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same cases on every run: CI is deterministic
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def run(case: Case[Any], app: FastAPI, headers: dict[str, str]) -> None:
    case.headers.update(headers)  # a valid key, set on the case so its checks see it
    case.call_and_validate(checks=CHECKS if not key_was_negated(case) else CHECKS[:-1], app=app)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@FULL.parametrize()  # type: ignore[untyped-decorator]
@_settings(EXAMPLES)  # type: ignore[untyped-decorator]
def test_sqlite_no_server_error_and_no_schema_violation(case: Case[Any], app: FastAPI, headers: dict[str, str]) -> None:
    run(case, app, headers)


# a parameter of its own gives each operation's test its own id: without it they all had the same, and pytest-xdist
# ran one of the 119 (tests/conftest.py now refuses ids that repeat)
@pytest.mark.parametrize("backend", ["neo4j"])
@LIGHT.parametrize()  # type: ignore[untyped-decorator]
@_settings(NEO4J_EXAMPLES)  # type: ignore[untyped-decorator]
def test_neo4j_no_server_error_and_no_schema_violation(
    case: Case[Any], neo4j_app: tuple[FastAPI, dict[str, str]], backend: str
) -> None:
    run(case, *neo4j_app)


def key_was_negated(case: Case[Any]) -> bool:
    """A case generated to break the Authorization header, which the valid key we send mends again: its
    other parts may then be valid too, so it is not held to `negative_data_rejection` (the rest apply)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return False
    header = meta.components.get(ParameterLocation.HEADER)
    data = meta.phase.data
    touched = {(data.parameter_location, data.parameter)}
    touched |= {(m.parameter_location, m.parameter) for m in data.mutations}
    return (header is not None and header.mode.is_negative) or any(
        location is ParameterLocation.HEADER or name == "Authorization" for location, name in touched
    )
