"""Shared helpers of the CLI tests (no tests here): the command line run in-process, or as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from accountgraph.cli import app
from accountgraph.graph.sqlite import SqliteStore

REPO = Path(__file__).resolve().parents[2]


def env_of(store_url: str) -> dict[str, str]:
    """The environment a command runs in: the store, and a wide terminal so that tables do not wrap."""
    return {"ACCOUNTGRAPH_STORE": store_url, "COLUMNS": "200"}


def invoke(store_url: str, *args: str, input: str | None = None) -> Result:
    """Run `accountgraph ARGS` in this process against `store_url` (the app, not `main()`, which freezes the
    collector), `input` on its stdin. An exception that is not an exit fails the test with its traceback."""
    return CliRunner().invoke(app, list(args), input=input, env=env_of(store_url), catch_exceptions=False)


def run_process(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m accountgraph ARGS` as a real process in `tmp_path`, against `tmp_path/cli.db` (the code of
    this checkout), with `env` added to its environment."""
    env = {
        **env_of(f"sqlite:///{tmp_path / 'cli.db'}"),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "accountgraph", *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )


def counts(tmp_path: Path) -> dict[str, int]:
    """What the store `tmp_path/cli.db` holds, by kind."""
    with SqliteStore(f"sqlite:///{tmp_path / 'cli.db'}") as store:
        return store.counts()
