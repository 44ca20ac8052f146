"""The record commands (import, export, schema, info, view) in-process against a real SQLite file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
from click.testing import Result

from accountgraph.graph.sqlite import SqliteStore
from tests.cli.support import counts, invoke
from tests.graph.test_store_contract import group_bundle


def run(tmp_path: Path, *args: str) -> Result:
    return invoke(f"sqlite:///{tmp_path / 'cli.db'}", *args)


def test_bad_bundle_exits_non_zero_names_the_field_and_writes_nothing(tmp_path: Path, bundle_file: Path) -> None:
    raw = json.loads(bundle_file.read_text(encoding="utf-8"))
    raw["people"][2]["stance"] = "hostile"
    raw["ties"][0]["strength"] = 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    done = run(tmp_path, "import", str(bad))
    assert done.exit_code == 1
    assert "Traceback" not in done.stderr
    assert "people[2] id='gm' field 'stance'" in done.stderr
    assert "ties[0]" in done.stderr and "'strength'" in done.stderr
    assert counts(tmp_path)["people"] == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"people": [', encoding="utf-8")
    done = run(tmp_path, "import", str(broken))
    assert done.exit_code == 1 and "line 1" in done.stderr and "Traceback" not in done.stderr
    done = run(tmp_path, "import", str(tmp_path / "missing.json"))
    assert done.exit_code == 1 and "does not exist" in done.stderr


def test_csv_export_import_and_line_numbers(tmp_path: Path, bundle_file: Path) -> None:
    assert run(tmp_path, "import", str(bundle_file)).exit_code == 0
    folder = tmp_path / "csv"
    assert run(tmp_path, "export", "grp", "--format", "csv", "--out", str(folder)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "companies.csv", "interactions.csv", "people.csv", "risks.csv", "team.csv", "ties.csv",
    ]  # fmt: skip
    other = tmp_path / "other"
    other.mkdir()
    env_store = f"sqlite:///{other / 'copy.db'}"
    assert run(tmp_path, "import", str(folder), "--store", env_store).exit_code == 0
    with SqliteStore(env_store) as store:
        assert store.export_bundle("grp") == group_bundle().sorted()
    # a bad cell: the file, its line and the column are named
    with (folder / "people.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[3][rows[0].index("level")] = "top"
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    done = run(tmp_path, "import", str(folder), "--store", f"sqlite:///{other / 'bad.db'}")
    assert done.exit_code == 1
    assert "people.csv line 4" in done.stderr and "column 'level'" in done.stderr


def test_graphml_export(tmp_path: Path, bundle_file: Path) -> None:
    assert run(tmp_path, "import", str(bundle_file)).exit_code == 0
    out = tmp_path / "g.graphml"
    done = run(tmp_path, "export", "grp", "--format", "graphml", "--out", str(out))
    assert done.exit_code == 0, done.stderr
    g = nx.read_graphml(out)
    assert g.nodes["eng"]["roles"] == "champion;technical_buyer"
    assert g.nodes["gm"]["name"] == "王伟"
    assert {d["type"] for _, _, d in g.edges(data=True)} >= {"KNOWS", "INFLUENCES", "WORKS_AT", "PARENT_OF"}


def test_unknown_account_and_bad_store_url(tmp_path: Path) -> None:
    done = run(tmp_path, "export", "nope")
    assert done.exit_code == 1 and "account 'nope' not found" in done.stderr
    done = run(tmp_path, "info", "--store", "postgres://x")
    assert done.exit_code == 1 and "unknown store URL" in done.stderr and "Traceback" not in done.stderr


def test_schema_is_the_bundle_json_schema(tmp_path: Path) -> None:
    done = run(tmp_path, "schema")
    schema = json.loads(done.stdout)
    assert set(schema["properties"]) >= {"companies", "people", "team", "ties", "interactions", "risks"}
    assert "from" in schema["$defs"]["Tie"]["properties"]
    assert schema["$defs"]["Role"]["enum"][0] == "decision_maker"


def test_view_command_writes_power_map_and_tree(tmp_path: Path, bundle_file: Path) -> None:
    assert run(tmp_path, "import", str(bundle_file)).exit_code == 0
    out = tmp_path / "map.html"
    done = run(tmp_path, "view", "grp", "--out", str(out), "--highlight-path-to", "gm")
    assert done.exit_code == 0, done.stderr
    assert "王伟" in out.read_text(encoding="utf-8")
    done = run(tmp_path, "view", "grp", "--tree", "--out", str(tmp_path / "tree.html"))
    assert done.exit_code == 0 and "上海医疗器械有限公司" in (tmp_path / "tree.html").read_text(encoding="utf-8")
    done = run(tmp_path, "view", "grp", "--out", str(out), "--highlight-path-to", "nobody")
    assert done.exit_code == 1 and "nobody" in done.stderr and "Traceback" not in done.stderr
