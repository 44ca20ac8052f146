"""Storage: the interface, its SQLite and Neo4j backends, settings and the networkx projection."""

from accountgraph.graph.settings import DEFAULT_STORE_URL, open_store, store_url
from accountgraph.graph.store import AccountRows, CompanyNode, GraphStore

__all__ = ["DEFAULT_STORE_URL", "AccountRows", "CompanyNode", "GraphStore", "open_store", "store_url"]
