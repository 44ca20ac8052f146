"""One import path: the CLI's `import` and the API's `POST /v1/import` run the same use case and refuse the same
bundle with the same issues; a CSV directory's problems name their file and line once."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.schema.models import ApiRole, BundleIssue
from tests.api.support import api, error_of, new_key
from tests.cli.support import counts, invoke
from tests.graph.test_store_contract import group_bundle


def issue_lines(stderr: str) -> list[str]:
    """The issues a refusal lists, one a line (a long line is not wrapped: the runner's terminal is wide)."""
    return [line[4:] for line in stderr.splitlines() if line.startswith("  - ")]


def bad_document() -> dict[str, Any]:
    """The group bundle with a malformed field, an unknown reference and a cycle among well-formed records."""
    raw: dict[str, Any] = json.loads(group_bundle().model_dump_json(by_alias=True))
    raw["people"][2]["stance"] = "hostile"
    raw["ties"].append({"from": raw["people"][0]["id"], "to": "ghost", "type": "influences"})
    raw["companies"].extend(
        [{"id": "loop-a", "name": "A", "parent": "loop-b"}, {"id": "loop-b", "name": "B", "parent": "loop-a"}]
    )
    return raw


def test_cli_and_api_refuse_a_bundle_with_the_same_full_list(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    document = tmp_path / "bad.json"
    document.write_text(json.dumps(bad_document()), encoding="utf-8")
    done = invoke(url, "import", str(document))
    assert done.exit_code == 1 and "Traceback" not in done.output
    from_cli = issue_lines(done.stderr)
    with SqliteStore(url) as store, api(store) as client:
        r = client.post("/v1/import", json=bad_document(), headers=new_key(store, ApiRole.PLANNER))
        assert r.status_code == 422, r.text
        from_api = [str(BundleIssue.model_validate(i)) for i in error_of(r)["details"]]
    assert from_cli == from_api
    assert len(from_cli) >= 3
    assert any("field 'stance'" in i for i in from_cli)  # malformed
    assert any("'ghost'" in i for i in from_cli)  # an unknown reference of a well-formed tie
    assert any("cycle" in i for i in from_cli)  # among well-formed companies
    assert sum(counts(tmp_path).values()) == 0


def exported_csv(tmp_path: Path, bundle_file: Path) -> Path:
    assert invoke(f"sqlite:///{tmp_path / 'cli.db'}", "import", str(bundle_file)).exit_code == 0
    folder = tmp_path / "csv"
    assert invoke(f"sqlite:///{tmp_path / 'cli.db'}", "export", "grp", "-f", "csv", "-o", str(folder)).exit_code == 0
    return folder


def rewrite(path: Path, change: Any) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    change(rows[0], rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def test_csv_problems_name_their_line_once_and_none_is_dropped(tmp_path: Path, bundle_file: Path) -> None:
    folder = exported_csv(tmp_path, bundle_file)

    def change(header: list[str], rows: list[list[str]]) -> None:
        rows[1][header.index("title")] = "Head of\nthree\nlines"  # a quoted cell over lines 2-4
        rows[2][header.index("stance")] = "hostile"  # line 5
        rows[3].append("one too many")  # line 6

    rewrite(folder / "people.csv", change)
    done = invoke(f"sqlite:///{tmp_path / 'other.db'}", "import", str(folder))
    assert done.exit_code == 1 and "Traceback" not in done.output
    lines = issue_lines(done.stderr)
    stance = [x for x in lines if "'stance'" in x]
    assert len(stance) == 1 and stance[0].startswith("people.csv line 5 "), lines
    cells = [x for x in lines if "wrong number of cells" in x]
    assert len(cells) == 1 and cells[0].startswith("people.csv line 6: wrong number of cells: "), lines
    assert all(x.count(".csv") == 1 for x in lines), lines  # the file is named once
    with SqliteStore(f"sqlite:///{tmp_path / 'other.db'}") as store:
        assert sum(store.counts().values()) == 0


def test_a_csv_row_with_a_wrong_cell_count_does_not_hide_the_loads_problems(tmp_path: Path, bundle_file: Path) -> None:
    """A row with one cell too many and a tie to a person nobody has: both are listed (the load's check of
    references runs even though the reader already found a problem), and nothing is written."""
    folder = exported_csv(tmp_path, bundle_file)
    rewrite(folder / "people.csv", lambda header, rows: rows[1].append("one too many"))

    def ghost(header: list[str], rows: list[list[str]]) -> None:
        rows[1][header.index("to")] = "ghost"

    rewrite(folder / "ties.csv", ghost)
    done = invoke(f"sqlite:///{tmp_path / 'other.db'}", "import", str(folder))
    assert done.exit_code == 1 and "Traceback" not in done.output
    lines = issue_lines(done.stderr)
    assert any("wrong number of cells" in x for x in lines), lines
    assert any(x.startswith("ties.csv line 2") and "ghost" in x for x in lines), lines
    with SqliteStore(f"sqlite:///{tmp_path / 'other.db'}") as store:
        assert sum(store.counts().values()) == 0
