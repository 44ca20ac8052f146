"""The Cypher files: found by name, parametrised, and using only the fixed labels and types."""

from __future__ import annotations

import re

import pytest

from accountgraph.cypher import all_queries, query, statements
from accountgraph.graph.changes import RECORDS
from accountgraph.schema.graph import COMPOSITE_INDEXES, COMPOSITE_KEYS, INDEXES, UNIQUE_IDS, Label, RelType

ALLOWED = {label.value for label in Label} | {rel.value for rel in RelType}


def test_every_query_uses_only_the_fixed_vocabulary() -> None:
    for name, text in all_queries().items():
        # :Name inside node or relationship patterns (not map keys like {id: $id})
        used = set(re.findall(r"[(\[|]\s*\w*\s*:\s*([A-Z][A-Za-z_]*)", text))
        used |= set(re.findall(r"\|\s*([A-Z][A-Z_]+)", text))
        assert used <= ALLOWED, f"{name} uses {used - ALLOWED}"


def test_values_are_parameters_never_literals() -> None:
    fixed = {"company", "person", "team", "knows", "influences", "data", *RECORDS}  # RECORDS: the feed's kinds
    for name, text in all_queries().items():
        literals = set(re.findall(r"'([^']*)'", text)) | set(re.findall(r'"([^"]*)"', text))
        assert literals <= fixed, f"{name} has literal values {literals - fixed}"
        # every property lookup or list filter takes a parameter
        meta = "{id: 'data'}"  # the one fixed node: the store's data version
        assert not re.search(r"\{id:\s*['\"0-9]", text.replace(meta, "")), name
        assert not re.search(r"\bIN\s+\[", text), name


def test_schema_covers_every_constraint_and_index() -> None:
    schema = "\n".join(statements("schema_"))
    for label in UNIQUE_IDS:
        assert re.search(rf"FOR \(n:{label.value}\) REQUIRE n\.id IS UNIQUE", schema), label
    for label, prop in INDEXES:
        assert re.search(rf"FOR \(n:{label.value}\) ON \(n\.{prop}\)", schema), (label, prop)
    for label, props in COMPOSITE_KEYS:
        key = ", ".join(f"n.{p}" for p in props)
        assert f"FOR (n:{label.value}) REQUIRE ({key}) IS UNIQUE" in schema, label
    for label, props in COMPOSITE_INDEXES:
        key = ", ".join(f"n.{p}" for p in props)
        assert f"FOR (n:{label.value}) ON ({key})" in schema, label
    assert set(UNIQUE_IDS) | {label for label, _ in COMPOSITE_KEYS} == set(Label)
    assert all("IF NOT EXISTS" in s for s in statements("schema_"))


def test_unknown_query_names_the_missing_one() -> None:
    with pytest.raises(KeyError, match="no Cypher query named 'nope'"):
        query("nope")
