"""Docs that match the code: every CLI command and setting is in the README, whose commands run."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from accountgraph.cli import app
from accountgraph.graph.settings import NEO4J_SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
MAKEFILE = (Path(__file__).resolve().parents[1] / "Makefile").read_text(encoding="utf-8")


def test_every_cli_command_is_documented() -> None:
    commands = sorted(get_command(app).commands)  # type: ignore[attr-defined]
    assert "import" in commands and "demo" in commands
    missing = [name for name in commands if f"accountgraph {name}" not in README]
    assert missing == []


def test_readme_starts_with_the_two_setup_commands_and_make_has_them() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None and README.index(block.group(0)) < 200
    lines = [line.split("#")[0].strip() for line in block.group(1).strip().splitlines()]
    assert lines == ["make demo", "make test"]
    for target in ("demo", "test", "neo4j", "bench"):
        assert re.search(rf"^{target}:", MAKEFILE, re.M), target


def test_settings_are_documented() -> None:
    for name in ("ACCOUNTGRAPH_STORE", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "ACCOUNTGRAPH_REQUIRE_NEO4J"):
        assert name in README, name
    for name in NEO4J_SETTINGS:
        assert f"`{name}`" in README, name
