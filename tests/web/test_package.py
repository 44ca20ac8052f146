"""The workspace's templates and assets are package data: a wheel carries them (`pyproject.toml`)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_template_and_asset_of_the_workspace_is_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["accountgraph"]
    package = REPO / "accountgraph"
    files = [p for folder in ("web/static", "web/templates") for p in (package / folder).iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"account.js", "home.js", "workspace.css", "base.html", "account.html"}
    for path in files:
        name = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
