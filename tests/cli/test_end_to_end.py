"""The command line as a real process (`python -m accountgraph`) against a real SQLite file: the demo, and a
bundle's round trip. The other CLI tests run in-process."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.support import counts
from tests.cli.support import run_process as run
from tests.graph.test_store_contract import group_bundle


def test_import_export_round_trip(tmp_path: Path, bundle_file: Path) -> None:
    done = run(tmp_path, "import", str(bundle_file))
    assert done.returncode == 0, done.stderr
    assert counts(tmp_path)["people"] == 4
    exported = run(tmp_path, "export", "grp")
    assert exported.returncode == 0
    assert json.loads(exported.stdout) == json.loads(group_bundle().sorted().model_dump_json(by_alias=True))
    info = run(tmp_path, "info")
    assert "Grüne Medizintechnik AG" in info.stdout and "grp" in info.stdout


def test_demo_loads_analyses_writes_views_and_is_idempotent(tmp_path: Path) -> None:
    done = run(tmp_path, "demo", "--views", str(tmp_path / "views"), "--no-serve")
    assert done.returncode == 0, done.stderr
    assert "key people of medtech" in done.stdout and "coverage of medtech" in done.stdout
    assert "best path to the top uncovered decision maker" in done.stdout
    assert re.search(
        r"workspace: `accountgraph serve --port 8000( --store \S+)?`, then open http://127.0.0.1:8000/ ", done.stdout
    )
    power_map = (tmp_path / "views" / "medtech-power-map.html").read_text(encoding="utf-8")
    assert "<html" in power_map and not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", power_map)
    assert (tmp_path / "views" / "medtech-tree.html").exists()
    # the demo deal: its win probability with the actions that raise it, and its committee's power map
    assert re.search(r"opportunity .+ \(opp-imaging-platform, \w+\): win\s+probability \d+%", done.stdout)
    assert "plan from-opportunity opp-imaging-platform" in " ".join(done.stdout.split())
    assert "<html" in (tmp_path / "views" / "opp-imaging-platform-committee.html").read_text(encoding="utf-8")
    assert "loaded Chinese sample account:" in done.stderr
    assert "华康医疗集团" in (tmp_path / "views" / "huakang-power-map.html").read_text(encoding="utf-8")
    first = counts(tmp_path)
    assert first["people"] >= 150 + 56 and first["accounts"] == 5  # the two samples and the three data sets
    assert run(tmp_path, "demo", "--views", str(tmp_path / "views"), "--no-serve").returncode == 0
    assert counts(tmp_path) == first  # re-running duplicates nothing
