"""The Cypher of the Neo4j backend, kept in `.cypher` files and found by name.

Each file holds several queries, each headed by a line ``// name: <query_name>``. Every query takes its
values as parameters (``$name``); labels and relationship types are written into the files, never
built from user text.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import LiteralString

_HEADER = re.compile(r"^//\s*name:\s*([a-z0-9_]+)\s*$", re.MULTILINE)


@cache
def all_queries() -> dict[str, str]:
    """Every named query of every `.cypher` file in this package."""
    queries: dict[str, str] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".cypher"):
            continue
        text = entry.read_text(encoding="utf-8")
        parts = _HEADER.split(text)
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in queries:
                raise RuntimeError(f"Cypher query {name!r} is defined twice ({entry.name})")
            queries[name] = body.strip().rstrip(";")
    return queries


def query(name: str) -> LiteralString:
    """The text of the named query (KeyError names the missing query)."""
    try:
        text: str = all_queries()[name]
    except KeyError:
        raise KeyError(f"no Cypher query named {name!r}") from None
    # the text comes from this package's files, never from user input (mypy reads LiteralString as str)
    return text


def statements(prefix: str) -> list[LiteralString]:
    """All queries whose name starts with `prefix`, in name order (e.g. the schema statements)."""
    return [query(n) for n in sorted(all_queries()) if n.startswith(prefix)]
