"""The command line, run as a real process against a real SQLite file."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from accountgraph.graph.sqlite import SqliteStore
from tests.test_store_contract import group_bundle


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"ACCOUNTGRAPH_STORE": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "accountgraph", *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "group.json"
    path.write_text(group_bundle().model_dump_json(by_alias=True), encoding="utf-8")
    return path


def counts(tmp_path: Path) -> dict[str, int]:
    with SqliteStore(f"sqlite:///{tmp_path / 'cli.db'}") as store:
        return store.counts()


def test_import_export_round_trip(tmp_path: Path, bundle_file: Path) -> None:
    done = run(tmp_path, "import", str(bundle_file))
    assert done.returncode == 0, done.stderr
    assert counts(tmp_path)["people"] == 4
    exported = run(tmp_path, "export", "grp")
    assert exported.returncode == 0
    assert json.loads(exported.stdout) == json.loads(group_bundle().sorted().model_dump_json(by_alias=True))
    info = run(tmp_path, "info")
    assert "Grüne Medizintechnik AG" in info.stdout and "grp" in info.stdout


def test_bad_bundle_exits_non_zero_names_the_field_and_writes_nothing(tmp_path: Path, bundle_file: Path) -> None:
    raw = json.loads(bundle_file.read_text(encoding="utf-8"))
    raw["people"][2]["stance"] = "hostile"
    raw["ties"][0]["strength"] = 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    done = run(tmp_path, "import", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "people[2] id='gm' field 'stance'" in done.stderr
    assert "ties[0]" in done.stderr and "'strength'" in done.stderr
    assert counts(tmp_path)["people"] == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"people": [', encoding="utf-8")
    done = run(tmp_path, "import", str(broken))
    assert done.returncode == 1 and "line 1" in done.stderr and "Traceback" not in done.stderr
    done = run(tmp_path, "import", str(tmp_path / "missing.json"))
    assert done.returncode == 1 and "does not exist" in done.stderr


def test_csv_export_import_and_line_numbers(tmp_path: Path, bundle_file: Path) -> None:
    assert run(tmp_path, "import", str(bundle_file)).returncode == 0
    folder = tmp_path / "csv"
    assert run(tmp_path, "export", "grp", "--format", "csv", "--out", str(folder)).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "companies.csv", "interactions.csv", "people.csv", "risks.csv", "team.csv", "ties.csv",
    ]  # fmt: skip
    other = tmp_path / "other"
    other.mkdir()
    env_store = f"sqlite:///{other / 'copy.db'}"
    assert run(tmp_path, "import", str(folder), "--store", env_store).returncode == 0
    with SqliteStore(env_store) as store:
        assert store.export_bundle("grp") == group_bundle().sorted()
    # a bad cell: the file, its line and the column are named
    with (folder / "people.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[3][rows[0].index("level")] = "top"
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    done = run(tmp_path, "import", str(folder), "--store", f"sqlite:///{other / 'bad.db'}")
    assert done.returncode == 1
    assert "people.csv line 4" in done.stderr and "column 'level'" in done.stderr


def test_graphml_export(tmp_path: Path, bundle_file: Path) -> None:
    assert run(tmp_path, "import", str(bundle_file)).returncode == 0
    out = tmp_path / "g.graphml"
    done = run(tmp_path, "export", "grp", "--format", "graphml", "--out", str(out))
    assert done.returncode == 0, done.stderr
    g = nx.read_graphml(out)
    assert g.nodes["eng"]["roles"] == "champion;technical_buyer"
    assert g.nodes["gm"]["name"] == "王伟"
    assert {d["type"] for _, _, d in g.edges(data=True)} >= {"KNOWS", "INFLUENCES", "WORKS_AT", "PARENT_OF"}


def test_unknown_account_and_bad_store_url(tmp_path: Path) -> None:
    done = run(tmp_path, "export", "nope")
    assert done.returncode == 1 and "account 'nope' not found" in done.stderr
    done = run(tmp_path, "info", "--store", "postgres://x")
    assert done.returncode == 1 and "unknown store URL" in done.stderr and "Traceback" not in done.stderr


def test_schema_is_the_bundle_json_schema(tmp_path: Path) -> None:
    done = run(tmp_path, "schema")
    schema = json.loads(done.stdout)
    assert set(schema["properties"]) >= {"companies", "people", "team", "ties", "interactions", "risks"}
    assert "from" in schema["$defs"]["Tie"]["properties"]
    assert schema["$defs"]["Role"]["enum"][0] == "decision_maker"


def test_demo_loads_analyses_writes_views_and_is_idempotent(tmp_path: Path) -> None:
    done = run(tmp_path, "demo", "--views", str(tmp_path / "views"), "--no-serve")
    assert done.returncode == 0, done.stderr
    assert "key people of medtech" in done.stdout and "coverage of medtech" in done.stdout
    assert "best path to the top uncovered decision maker" in done.stdout
    power_map = (tmp_path / "views" / "medtech-power-map.html").read_text(encoding="utf-8")
    assert "<html" in power_map and not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", power_map)
    assert (tmp_path / "views" / "medtech-tree.html").exists()
    # the demo deal: its win probability with the actions that raise it, and its committee's power map
    assert re.search(r"opportunity .+ \(opp-imaging-platform, \w+\): win\s+probability \d+%", done.stdout)
    assert "plan from-opportunity opp-imaging-platform" in " ".join(done.stdout.split())
    assert "<html" in (tmp_path / "views" / "opp-imaging-platform-committee.html").read_text(encoding="utf-8")
    first = counts(tmp_path)
    assert first["people"] >= 150 and first["accounts"] == 4  # the sample and the three data sets
    assert run(tmp_path, "demo", "--views", str(tmp_path / "views"), "--no-serve").returncode == 0
    assert counts(tmp_path) == first  # re-running duplicates nothing


def test_view_command_writes_power_map_and_tree(tmp_path: Path, bundle_file: Path) -> None:
    assert run(tmp_path, "import", str(bundle_file)).returncode == 0
    out = tmp_path / "map.html"
    done = run(tmp_path, "view", "grp", "--out", str(out), "--highlight-path-to", "gm")
    assert done.returncode == 0, done.stderr
    assert "王伟" in out.read_text(encoding="utf-8")
    done = run(tmp_path, "view", "grp", "--tree", "--out", str(tmp_path / "tree.html"))
    assert done.returncode == 0 and "上海医疗器械有限公司" in (tmp_path / "tree.html").read_text(encoding="utf-8")
    done = run(tmp_path, "view", "grp", "--out", str(out), "--highlight-path-to", "nobody")
    assert done.returncode == 1 and "nobody" in done.stderr and "Traceback" not in done.stderr
