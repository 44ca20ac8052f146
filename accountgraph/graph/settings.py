"""Connection settings: which store to open, from a URL (default: a SQLite file here)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from accountgraph.errors import StoreError
from accountgraph.graph.store import GraphStore

DEFAULT_STORE_URL = "sqlite:///./accountgraph.db"
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


NEO4J_SETTINGS: dict[str, tuple[str, type[float] | type[int]]] = {
    "NEO4J_CONNECTION_TIMEOUT": ("connection_timeout", float),  # seconds to open a connection (default 5)
    "NEO4J_ACQUISITION_TIMEOUT": ("acquisition_timeout", float),  # seconds to get one from the pool (default 10)
    "NEO4J_RETRY_TIME": ("retry_time", float),  # seconds transient errors (deadlocks) are retried (default 10)
    "NEO4J_BREAKER_SECONDS": ("breaker_seconds", float),  # calls refused at once after an outage (default 5)
    "NEO4J_IMPORT_BATCH": ("import_batch", int),  # records per transaction of an import (default 5000)
    "NEO4J_IMPORT_LEASE": ("import_lease", float),  # seconds a staged import's records outlive its last batch (300)
    "NEO4J_IMPORT_THREADS": ("import_threads", int),  # transactions a staged import writes at once (default 2)
}
"""Environment variables of a Neo4j store's settings: the `Neo4jStore` argument each sets, and its type."""


def _positive(env: Mapping[str, str], name: str, kind: type[float] | type[int]) -> float | int:
    try:
        value = kind(env[name])
    except ValueError:
        value = 0
    if not value > 0:
        number = "number" if kind is float else "whole number"
        raise StoreError(f"{name} must be a positive {number}, not {env[name]!r}")
    return value


def store_url(env: Mapping[str, str] | None = None) -> str:
    """`ACCOUNTGRAPH_STORE` if set, else the default SQLite file in the working directory."""
    env = os.environ if env is None else env
    return env.get("ACCOUNTGRAPH_STORE") or DEFAULT_STORE_URL


def open_store(url: str | None = None, env: Mapping[str, str] | None = None) -> GraphStore:
    """Open the store a URL names: `sqlite:///file.db`, or `neo4j://` / `bolt://host:7687`.

    Neo4j credentials come from `NEO4J_USER` / `NEO4J_PASSWORD`, the database from `NEO4J_DATABASE`, and
    how fast it gives up when the server is down from `NEO4J_SETTINGS` (seconds; see `Neo4jStore`).
    """
    env = os.environ if env is None else env
    url = url or store_url(env)
    if url.startswith("sqlite:///"):
        from accountgraph.graph.sqlite import SqliteStore

        return SqliteStore(url)
    if url.startswith(NEO4J_SCHEMES):
        from accountgraph.graph.neo4j import Neo4jStore

        options: dict[str, Any] = {
            option: _positive(env, name, kind) for name, (option, kind) in NEO4J_SETTINGS.items() if env.get(name)
        }
        user = env.get("NEO4J_USER", "neo4j")
        password = env.get("NEO4J_PASSWORD")
        return Neo4jStore(
            url,
            auth=(user, password) if password else None,
            database=env.get("NEO4J_DATABASE") or None,
            **options,
        )
    raise StoreError(f"unknown store URL {url!r}: use sqlite:///path/to/file.db, neo4j://host:7687 or bolt://host:7687")
