"""Connection settings: which store to open, from a URL (default: a SQLite file here)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from accountgraph.errors import StoreError
from accountgraph.graph.store import GraphStore

DEFAULT_STORE_URL = "sqlite:///./accountgraph.db"
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def store_url(env: Mapping[str, str] | None = None) -> str:
    """`ACCOUNTGRAPH_STORE` if set, else the default SQLite file in the working directory."""
    env = os.environ if env is None else env
    return env.get("ACCOUNTGRAPH_STORE") or DEFAULT_STORE_URL


def open_store(url: str | None = None, env: Mapping[str, str] | None = None) -> GraphStore:
    """Open the store a URL names: `sqlite:///file.db`, or `neo4j://` / `bolt://host:7687`.

    Neo4j credentials come from `NEO4J_USER` / `NEO4J_PASSWORD`, the database from `NEO4J_DATABASE`.
    """
    env = os.environ if env is None else env
    url = url or store_url(env)
    if url.startswith("sqlite:///"):
        from accountgraph.graph.sqlite import SqliteStore

        return SqliteStore(url)
    if url.startswith(NEO4J_SCHEMES):
        from accountgraph.graph.neo4j import Neo4jStore

        user = env.get("NEO4J_USER", "neo4j")
        password = env.get("NEO4J_PASSWORD")
        return Neo4jStore(
            url,
            auth=(user, password) if password else None,
            database=env.get("NEO4J_DATABASE") or None,
        )
    raise StoreError(f"unknown store URL {url!r}: use sqlite:///path/to/file.db, neo4j://host:7687 or bolt://host:7687")
