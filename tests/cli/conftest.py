"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graph.test_store_contract import group_bundle


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    """The group bundle of the store contract tests as a JSON file."""
    path = tmp_path / "group.json"
    path.write_text(group_bundle().model_dump_json(by_alias=True), encoding="utf-8")
    return path
