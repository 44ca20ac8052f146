"""The record groups (`company`, `person`, `team`, `interaction`, `risk-event`, `tie`, `accounts`, `tree`): every
record operation of the API has its command, with the same rules and the same refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup

from accountgraph.api.app import create_app
from accountgraph.cli import app
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.schema.models import ApiRole, BundleIssue
from tests.api.support import api, error_of, new_key
from tests.cli.support import invoke
from tests.graph.test_store_contract import group_bundle

# the API's record paths and the CLI's group of each
GROUP_OF = {
    "companies": "company",
    "people": "person",
    "team": "team",
    "interactions": "interaction",
    "risks": "risk-event",
    "ties": "tie",
}
OPERATION_OF = {("GET", False): "list", ("GET", True): "show", ("PUT", True): "put", ("DELETE", True): "delete"}


def api_operations(tmp_path: Path) -> set[tuple[str, str]]:
    """(CLI group or command, operation) of every record operation in the API's OpenAPI document."""
    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store:
        paths = create_app(store=store).openapi()["paths"]
    found = set()
    for path, operations in paths.items():
        parts = path.split("/")[2:] or [""]  # /v1/people/{id} -> people, {id}
        for method in (m.upper() for m in operations if m in ("get", "put", "delete", "post")):
            if parts[0] == "ties":  # named by type and ends: /v1/ties (list, put), /v1/ties/{type} (show, delete)
                one = len(parts) > 1 or method == "PUT"
                found.add(("tie", OPERATION_OF[(method, one)]))
            elif parts[0] in GROUP_OF:
                found.add((GROUP_OF[parts[0]], OPERATION_OF[(method, len(parts) > 1)]))
            elif parts[0] == "accounts" and method == "GET":
                what = parts[2] if len(parts) == 3 else "accounts" if len(parts) == 1 else None
                if what in ("accounts", "tree", "export"):
                    found.add((what, ""))
    return found


def cli_operations() -> set[tuple[str, str]]:
    """(group, command) of the CLI's record groups, and ("command", "") of its top-level commands."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    found = set()
    for name, command in root.commands.items():
        if isinstance(command, TyperGroup):
            if name in GROUP_OF.values():
                found |= {(name, sub) for sub in command.commands}
        else:
            found.add((name, ""))
    return found


def test_every_api_record_operation_has_its_command_and_back(tmp_path: Path) -> None:
    from_api, from_cli = api_operations(tmp_path), cli_operations()
    assert len(from_api) == 6 * 4 + 3
    assert from_api <= from_cli, sorted(from_api - from_cli)
    ours = {op for op in from_cli if op[0] in GROUP_OF.values()}
    assert ours - from_api == {("tie", "end")}  # a PUT of the tie with its `until` set


@pytest.fixture
def loaded(tmp_path: Path, bundle_file: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert invoke(url, "import", str(bundle_file)).exit_code == 0
    return url


def put_by_cli(url: str, tmp_path: Path, group: str, record: dict[str, Any]) -> list[str]:
    source = tmp_path / "record.json"
    source.write_text(json.dumps(record), encoding="utf-8")
    done = invoke(url, group, "put", str(source))
    assert done.exit_code == 1 and "Traceback" not in done.output, done.output
    return [line[4:] for line in done.stderr.splitlines() if line.startswith("  - ")]


def put_by_api(url: str, path: str, record: dict[str, Any]) -> list[str]:
    with SqliteStore(url) as store, api(store) as client:
        r = client.put(f"/v1/{path}", json=record, headers=new_key(store, ApiRole.PLANNER))
        assert r.status_code in (409, 422), r.text
        return [str(BundleIssue.model_validate(i)) for i in error_of(r)["details"]]


BAD = [
    ("person", "people/x", {"id": "x", "name": "X", "company": "grp", "stance": "hostile", "level": "top"}),
    ("person", "people/x", {"id": "x", "name": "X", "company": "ghost"}),
    ("company", "companies/loop", {"id": "loop", "name": "Loop", "parent": "loop"}),
    ("tie", "ties", {"from": "gm", "to": "ghost", "type": "knows", "strength": 2}),
    ("tie", "ties", {"from": "gm", "to": "ghost", "type": "knows"}),
    (
        "interaction",
        "interactions/i9",
        {"id": "i9", "member": "ghost", "person": "gm", "kind": "meeting", "at": "2025-13-01"},
    ),
    (
        "interaction",
        "interactions/i9",
        {"id": "i9", "member": "ghost", "person": "gm", "kind": "meeting", "at": "2025-01-01T10:00:00Z"},
    ),
    ("risk-event", "risks/r9", {"id": "r9", "company": "ghost", "kind": "news", "severity": 9, "at": "2025-01-01"}),
    ("risk-event", "risks/r9", {"id": "r9", "company": "ghost", "kind": "news", "at": "2025-01-01"}),
]


@pytest.mark.parametrize(("group", "path", "record"), BAD, ids=lambda v: v if isinstance(v, str) else "")
def test_a_bad_record_is_refused_alike_and_nothing_is_written(
    loaded: str, tmp_path: Path, group: str, path: str, record: dict[str, Any]
) -> None:
    with SqliteStore(loaded) as store:
        before = store.export_bundle("grp")
    from_cli = put_by_cli(loaded, tmp_path, group, record)
    from_api = put_by_api(loaded, path, record)
    assert from_cli and from_cli == from_api
    with SqliteStore(loaded) as store:
        assert store.export_bundle("grp") == before


def test_records_are_read_written_and_deleted_through_their_group(loaded: str, tmp_path: Path) -> None:
    person = {"id": "new", "name": "New Person", "company": "sub", "roles": ["coach"], "stance": "supporter"}
    done = invoke(loaded, "person", "put", "-", "--json", input=json.dumps(person))
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["roles"] == ["coach"]
    listed = json.loads(invoke(loaded, "person", "list", "--company", "sub", "--role", "coach", "--json").stdout)
    assert "new" in [p["id"] for p in listed["data"]]
    first = json.loads(invoke(loaded, "person", "list", "--limit", "1", "--json").stdout)
    assert first["count"] == 1 and first["next_cursor"]
    after = json.loads(invoke(loaded, "person", "list", "--cursor", first["next_cursor"], "--json").stdout)
    assert first["data"][0]["id"] not in [p["id"] for p in after["data"]]
    assert "New Person" in invoke(loaded, "person", "show", "new").stdout
    tie = {"from": "gm", "to": "new", "type": "influences", "strength": 0.5}
    assert invoke(loaded, "tie", "put", "-", input=json.dumps(tie)).exit_code == 0
    ended = invoke(loaded, "tie", "end", "influences", "gm", "new", "--on", "2026-01-31", "--json")
    assert json.loads(ended.stdout)["until"] == "2026-01-31" and json.loads(ended.stdout)["from"] == "gm"
    assert invoke(loaded, "tie", "delete", "influences", "gm", "new").exit_code == 0
    assert invoke(loaded, "tie", "show", "influences", "gm", "new").exit_code == 1
    assert invoke(loaded, "person", "delete", "new").stdout.strip() == "deleted person new"
    gone = invoke(loaded, "person", "show", "new")
    assert gone.exit_code == 1 and "not found" in gone.stderr
    assert "grp" in invoke(loaded, "accounts").stdout
    tree = json.loads(invoke(loaded, "tree", "grp", "--json").stdout)
    assert tree["id"] == "grp" and tree["children"]
    assert group_bundle().companies[0].name in invoke(loaded, "tree", "grp").stdout
