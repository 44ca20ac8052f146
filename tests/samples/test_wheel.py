"""The package as a user gets it: the built wheel, installed into a fresh virtual environment, with no source tree
and no ../shared beside it, runs the demo and loads the five accounts (the two samples and the three data sets).

The environment sees the system's site-packages (so the dependencies are not downloaded again), but the wheel's
`accountgraph` comes first there; the test checks that the command runs that one, from a directory of its own
with PYTHONPATH unset. Building the wheel fetches the build backend like any `pip install` of the project does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from accountgraph.graph.sqlite import SqliteStore

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def test_demo_from_the_built_wheel_in_a_fresh_environment_loads_the_five_accounts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env = {k: v for k, v in env.items() if not k.startswith("ACCOUNTGRAPH_")} | {"COLUMNS": "200"}
    # what the wheel is built from: the project file, the README it names, the package (no tests, no ../shared)
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "accountgraph", source / "accountgraph", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", source, "-w", dist, cwd=tmp_path, env=env)
    (wheel,) = dist.glob("accountgraph-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel,
        cwd=tmp_path, env=env)  # fmt: skip

    work = tmp_path / "work"
    work.mkdir()
    where = run(python, "-c", "import accountgraph; print(accountgraph.__file__)", cwd=work, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the wheel's package, not the source tree's

    db = work / "x.db"
    store = f"sqlite:///{db}"
    demo = run(venv / "bin" / "accountgraph", "demo", "--no-serve", "--store", store, "--views", work / "views",
               cwd=work, env=env)  # fmt: skip
    assert "not loaded" not in demo.stderr
    labels = (
        "sample account",
        "Chinese sample account",
        "data set krackhardt",
        "data set lazega",
        "data set florentine",
    )
    for label in labels:
        assert f"loaded {label}:" in demo.stderr, label
    assert "key people of medtech" in demo.stdout
    info = run(venv / "bin" / "accountgraph", "info", "--store", store, cwd=work, env=env).stdout
    assert all(account in info for account in ("medtech", "huakang", "krackhardt", "lazega", "florentine"))
    with SqliteStore(store) as s:
        assert [c.id for c in s.list_accounts()] == ["florentine", "huakang", "krackhardt", "lazega", "medtech"]
        assert s.counts()["people"] == 150 + 56 + 21 + 71 + 16
