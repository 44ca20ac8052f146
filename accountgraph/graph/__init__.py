"""Storage: the interface, its SQLite and Neo4j backends, settings."""

from accountgraph.graph.settings import DEFAULT_STORE_URL, open_store, store_url
from accountgraph.graph.store import CompanyNode, GraphStore

__all__ = ["DEFAULT_STORE_URL", "CompanyNode", "GraphStore", "open_store", "store_url"]
