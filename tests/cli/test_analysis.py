"""The analysis commands in-process against a real SQLite file (tables and --json)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result

from accountgraph.samples.datasets import all_dataset_bundles
from accountgraph.samples.sample import sample_bundle
from tests.cli.support import invoke


def run(tmp_path: Path, *args: str) -> Result:
    return invoke(f"sqlite:///{tmp_path / 'cli.db'}", *args)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    bundles = {"sample": sample_bundle(), **all_dataset_bundles()}
    for name, bundle in bundles.items():
        path = folder / f"{name}.json"
        path.write_text(bundle.model_dump_json(by_alias=True), encoding="utf-8")
        done = run(folder, "import", str(path))
        assert done.exit_code == 0, done.stderr
    return folder


def ok(done: Result) -> str:
    assert done.exit_code == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_rank_table_and_json(store_dir: Path) -> None:
    table = ok(run(store_dir, "rank", "medtech", "--top", "5", "--as-of", "2026-01-01"))
    assert "key people of medtech" in table and "authority" in table and "Björn Förster" in table
    data = json.loads(ok(run(store_dir, "rank", "medtech", "--top", "5", "--as-of", "2026-01-01", "--json")))
    assert [p["rank"] for p in data["people"]] == [1, 2, 3, 4, 5]
    assert set(data["people"][0]) >= {"authority", "influence", "brokerage", "explanation"}
    florentine = json.loads(ok(run(store_dir, "rank", "florentine", "--json")))
    assert max(florentine["people"], key=lambda p: p["brokerage"]["betweenness"])["id"] == "florentine-medici"


def test_coverage_table_and_json(store_dir: Path) -> None:
    table = ok(run(store_dir, "coverage", "medtech", "--as-of", "2026-01-01", "--gaps", "5"))
    assert "coverage of medtech" in table and "by layer" in table and "gaps (5 of" in table
    data = json.loads(ok(run(store_dir, "coverage", "medtech", "--as-of", "2026-01-01", "--json")))
    assert 0 <= data["score"] <= 100 and data["gaps"] and data["by_role"]
    lazega = json.loads(ok(run(store_dir, "coverage", "lazega", "--json")))
    assert lazega["score"] == 0 and lazega["gaps"]  # no team of ours in a data set


def test_path_table_json_and_unreachable(store_dir: Path) -> None:
    args = ("path", "medtech", "--to", "medtech-p00001", "--as-of", "2026-01-01")
    table = ok(run(store_dir, *args, "-k", "2"))
    assert "path 1:" in table and "path 2:" in table and "KNOWS" in table
    data = json.loads(ok(run(store_dir, *args, "--k", "3", "--avoid-opponents", "--max-hops", "3", "--json")))
    assert data["reachable"] and len(data["paths"]) == 3 and all(len(p["hops"]) <= 3 for p in data["paths"])
    member = data["paths"][0]["member"]
    mine = json.loads(ok(run(store_dir, *args, "--from", member, "--json")))
    assert all(p["member"] == member for p in mine["paths"])
    nobody = ok(run(store_dir, "path", "krackhardt", "--to", "krackhardt-07"))
    assert "unreachable: none of our team members" in nobody


def test_path_routes_are_distinct_with_their_starters(store_dir: Path) -> None:
    """Issue 14, item 10: -k 5 gave the best path three more times with a colleague in front of it."""
    args = ("path", "medtech", "--to", "medtech-p00001", "--as-of", "2026-01-01", "-k", "5")
    data = json.loads(ok(run(store_dir, *args, "--json")))
    people = {p["id"] for p in json.loads(ok(run(store_dir, "rank", "medtech", "--top", "1000", "--json")))["people"]}
    routes = [tuple(h["target"] for h in p["hops"] if h["target"] in people) for p in data["paths"]]
    assert len(routes) == 5 and len(set(routes)) == 5
    assert all(p["starters"][0]["member"] == p["member"] for p in data["paths"])
    table = ok(run(store_dir, *args))
    assert table.count("can start it: ") == 5
    apart = json.loads(ok(run(store_dir, *args, "--disjoint", "--json")))
    assert apart["disjoint"] and apart["paths"][0] == data["paths"][0]
    between = [
        set(r[:-1]) for r in (tuple(h["target"] for h in p["hops"] if h["target"] in people) for p in apart["paths"])
    ]
    assert all(not a & b for i, a in enumerate(between) for b in between[i + 1 :])
    assert "share no person of the account" in ok(run(store_dir, *args, "--disjoint"))


def test_whatif_actions_risk(store_dir: Path) -> None:
    path = json.loads(
        ok(run(store_dir, "path", "medtech", "--to", "medtech-p00001", "--as-of", "2026-01-01", "--json"))
    )
    member = path["paths"][0]["member"]
    table = ok(run(store_dir, "whatif", "medtech", "--remove", member, "--as-of", "2026-01-01"))
    assert "coverage" in table and "single points of failure" in table
    data = json.loads(ok(run(store_dir, "whatif", "medtech", "--remove", member, "--as-of", "2026-01-01", "--json")))
    assert data["removed"]["kind"] == "team" and data["coverage_after"] <= data["coverage_before"]
    # the change printed is the difference of the figures printed; the JSON keeps the exact values
    printed = re.search(r"coverage\s+(\d+\.\d)\s+→\s+(\d+\.\d)\s+\(([+-]\d+\.\d)\)", table)
    assert printed, table
    assert Decimal(printed[3]) == Decimal(printed[2]) - Decimal(printed[1])
    assert printed[1] == f"{data['coverage_before']:.1f}" and printed[2] == f"{data['coverage_after']:.1f}"
    actions = json.loads(ok(run(store_dir, "actions", "medtech", "--as-of", "2026-01-01", "--json")))
    assert actions["actions"] and actions["actions"][0]["priority"] == 1
    table = ok(run(store_dir, "actions", "medtech", "--as-of", "2026-01-01"))
    assert "next best actions" in table and "overloaded connectors" in table
    assert actions["capacity"] == 3 and actions["overloaded"]
    assert all(c["name"] in table for c in actions["overloaded"])
    risk = json.loads(ok(run(store_dir, "risk", "medtech", "--as-of", "2026-01-01", "--json")))
    assert 0 < risk["score"] <= 100 and risk["events"]
    assert "risk of medtech" in ok(run(store_dir, "risk", "medtech", "--as-of", "2026-01-01"))


def test_errors_exit_1_without_traceback(store_dir: Path) -> None:
    for args in (
        ("rank", "no-such-account"),
        ("path", "medtech", "--to", "ghost"),
        ("path", "medtech", "--to", "medtech-p00001", "--from", "no-such-member"),
        ("whatif", "medtech", "--remove", "ghost"),
    ):
        done = run(store_dir, *args)
        assert done.exit_code == 1, args
        assert "not found" in done.stderr and "Traceback" not in done.stderr, args
    bad_date = run(store_dir, "rank", "medtech", "--as-of", "yesterday")
    assert bad_date.exit_code == 2 and "Traceback" not in bad_date.stderr


def test_actions_capacity_is_the_planner_s_to_set(store_dir: Path) -> None:
    """Issue 14 item 11: the capacity per member of ours is configurable from the command line and the API."""
    from collections import Counter

    from accountgraph.graph.sqlite import SqliteStore
    from accountgraph.schema.models import ApiRole
    from tests.api.support import api, error_of, new_key

    args = ("actions", "medtech", "--as-of", "2026-01-01", "--json")
    default = json.loads(ok(run(store_dir, *args)))
    assert default["capacity"] == 3
    one = json.loads(ok(run(store_dir, *args, "--capacity", "1")))
    assert one["capacity"] == 1 and one != default
    members = len({m for a in one["actions"] for m in [a["member"]] if m})
    assert members > max(Counter(a["member"] for a in default["actions"]).values())  # spread over more people
    assert "at most 1 each" in ok(run(store_dir, *args[:-1], "--capacity", "1"))
    refused = run(store_dir, *args, "--capacity", "0")
    assert refused.exit_code != 0 and "capacity" in refused.stderr and "Traceback" not in refused.output
    with SqliteStore(f"sqlite:///{store_dir / 'cli.db'}") as store, api(store) as client:
        headers = new_key(store, ApiRole.VIEWER)
        r = client.get("/v1/accounts/medtech/actions?as_of=2026-01-01&capacity=1", headers=headers)
        assert r.status_code == 200 and r.json()["capacity"] == 1
        assert [a["target"] for a in r.json()["actions"]] == [a["target"] for a in one["actions"]]
        r = client.get("/v1/accounts/medtech/actions?capacity=0", headers=headers)
        assert r.status_code == 422 and "capacity" in str(error_of(r))
