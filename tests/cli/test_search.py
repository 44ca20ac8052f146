"""`accountgraph find QUERY`: people across accounts, told apart by company and title, as a table or JSON, paged;
user text printed as it is; a bad query refused with a message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accountgraph.schema.models import Bundle
from tests.cli.support import invoke
from tests.services.test_search import two_accounts


@pytest.fixture
def url(tmp_path: Path) -> str:
    path = tmp_path / "two.json"
    bundle = two_accounts().model_dump(mode="json", by_alias=True)
    bundle["people"].append({"id": "odd", "name": "[bold]Nils[/] :ghost:", "company": "kest", "title": "[i]x[/i]"})
    path.write_text(json.dumps(Bundle.model_validate(bundle).model_dump(mode="json", by_alias=True)), "utf-8")
    store = f"sqlite:///{tmp_path / 'cli.db'}"
    done = invoke(store, "import", str(path))
    assert done.exit_code == 0, done.output
    return store


def test_a_shared_name_is_listed_with_each_company_and_title(url: str) -> None:
    done = invoke(url, "find", "Nils Jensen")
    assert done.exit_code == 0, done.output
    lines = [line for line in done.stdout.splitlines() if "Nils Jensen" in line]
    assert len(lines) == 2
    assert "Kestrel Medtech" in lines[0] and "Plant Manager" in lines[0] and "k1" in lines[0]
    assert "Nordwerk Danmark A/S" in lines[1] and "Head of Procurement" in lines[1] and "n1" in lines[1]
    assert "2 people" in done.stdout


def test_json_pinyin_and_paging(url: str) -> None:
    done = invoke(url, "find", "wangxm", "--json")
    assert done.exit_code == 0, done.output
    page = json.loads(done.stdout)
    assert [(h["id"], h["name"], h["how"], h["company_name"]) for h in page["data"]] == [
        ("k2", "王小明", "pinyin", "苏州医疗器械有限公司")
    ]
    first = json.loads(invoke(url, "find", "nils", "--json", "--limit", "2").stdout)
    assert first["count"] == 2 and first["next_cursor"]
    rest = json.loads(invoke(url, "find", "nils", "--json", "--limit", "50", "--cursor", first["next_cursor"]).stdout)
    whole = json.loads(invoke(url, "find", "nils", "--json", "--limit", "50").stdout)
    assert [h["id"] for h in first["data"] + rest["data"]] == [h["id"] for h in whole["data"]]
    table = invoke(url, "find", "nils", "--limit", "2")
    assert "more follow: add --cursor" in table.stderr


def test_user_text_is_printed_verbatim(url: str) -> None:
    done = invoke(url, "find", "[bold]nils")
    assert done.exit_code == 0, done.output
    assert "[bold]Nils[/] :ghost:" in done.stdout and "[i]x[/i]" in done.stdout and "👻" not in done.stdout


def test_no_match_and_a_bad_query(url: str) -> None:
    done = invoke(url, "find", "nobody-at-all")
    assert done.exit_code == 0 and "no one matches" in done.stdout
    for bad in ("", "   ", "x" * 201):
        refused = invoke(url, "find", bad)
        assert refused.exit_code == 1 and "error:" in refused.stderr and "query" in refused.stderr
