"""What the commands print: names next to ids, one way of printing money, plurals and articles, and counts that
agree between commands (single threads in `coverage` and `actions`, ties in `info` and the power map)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from accountgraph.cli.common import article, counted, money, plural
from accountgraph.errors import Forbidden
from accountgraph.ledger.models import Money
from accountgraph.schema.models import ApiRole
from accountgraph.services.scope import Scope
from tests.cli.support import invoke


@pytest.fixture
def grp(tmp_path: Path, bundle_file: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert invoke(url, "import", str(bundle_file)).exit_code == 0
    return url


def test_rank_shows_each_person_s_company_by_name(grp: str) -> None:
    output = invoke(grp, "rank", "grp").stdout
    assert "company" in output.splitlines()[2]
    assert "Grüne Medizintechnik AG" in output


def test_deals_and_plans_name_the_people_they_refer_to(grp: str) -> None:
    created = invoke(grp, "opp", "create", "grp", "Deal", "--id", "o1", "-m", "gm", "--owner", "am")
    assert created.exit_code == 0, created.output
    shown = invoke(grp, "opp", "show", "o1").stdout
    assert "王伟 (gm)" in shown and "owner Alex Account (am)" in shown
    assert json.loads(invoke(grp, "opp", "show", "o1", "--json").stdout)["committee"][0]["person"] == "gm"
    assert "Alex Account (am)" in invoke(grp, "opp", "list").stdout
    # the deal's actions name our people too (they said "contact decision maker 王伟 ...: am")
    actions = json.loads(invoke(grp, "opp", "health", "o1", "--json").stdout)["actions"]
    texts = [a["description"] for a in actions]
    assert texts and any("Alex Account" in t for t in texts), texts
    assert not any(re.search(r"(: am$|\(through am\)|thread: am )", t) for t in texts), texts
    assert invoke(grp, "plan", "create", "grp", "--id", "p1", "--owner", "am").exit_code == 0
    added = invoke(grp, "plan", "goal", "add", "p1", "--kind", "stance", "--person", "gm")
    assert "turn 王伟 to supporter" in added.stdout, added.output
    plan = invoke(grp, "plan", "show", "p1").stdout
    assert "turn 王伟 to supporter" in plan and "owner Alex Account (am)" in plan


def single_threads(tmp_path: Path, n: int) -> str:
    """An account of `n` decision makers, each known by one member of ours only."""
    people = [{"id": f"d{k:02}", "name": f"D {k}", "company": "c", "roles": ["decision_maker"]} for k in range(n)]
    bundle = {
        "companies": [{"id": "c", "name": "C"}],
        "people": people,
        "team": [{"id": "t1", "name": "Tom"}],
        "ties": [{"from": p["id"], "to": "t1", "type": "knows", "strength": 0.9} for p in people],
    }
    url = f"sqlite:///{tmp_path / 'single.db'}"
    (tmp_path / "single.json").write_text(json.dumps(bundle), encoding="utf-8")
    assert invoke(url, "import", str(tmp_path / "single.json")).exit_code == 0
    return url


def test_single_threads_are_counted_alike_by_coverage_and_actions(tmp_path: Path) -> None:
    url = single_threads(tmp_path, 14)  # more than the actions weighed (10)
    coverage = re.search(r"(\d+) single threads? \(one of ours only\)", invoke(url, "coverage", "c").stdout)
    actions = re.search(r"and (\d+) single threads?;", invoke(url, "actions", "c").stdout)
    assert coverage and actions
    assert coverage.group(1) == actions.group(1) == "14"


def test_info_and_the_power_map_count_ties_under_distinct_labels(grp: str, tmp_path: Path) -> None:
    info = invoke(grp, "info").stdout
    assert "ties (ended too)" in info
    assert invoke(grp, "view", "grp", "--out", str(tmp_path / "map.html")).exit_code == 0
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    found = re.search(r"(\d+) current ties, (\d+) reporting lines", html)
    assert found
    exported = json.loads(invoke(grp, "export", "grp").stdout)
    ended = [t for t in exported["ties"] if t.get("until")]
    assert int(found.group(1)) == len(exported["ties"]) - len(ended)
    assert int(found.group(2)) == sum(1 for p in exported["people"] if p.get("reports_to"))


def test_money_is_printed_one_way(grp: str) -> None:
    assert money(Decimal("1250.00"), "EUR") == "1250.00 EUR" == str(Money(amount=Decimal("1250.00"), currency="EUR"))
    assert money(None, "EUR") == ""
    added = invoke(grp, "product", "add", "pr1", "--name", "Pump", "--price", "1250.00")
    assert added.exit_code == 0, added.output
    assert "1250.00 EUR" in invoke(grp, "product", "list").stdout
    invoke(grp, "opp", "create", "grp", "Deal", "--id", "o2", "--amount", "250000.00")
    assert "250000.00 EUR" in " ".join(invoke(grp, "opp", "show", "o2").stdout.split())  # a title may wrap
    # a whole amount is written to the currency's minor unit, never rounded (a deal of 1662000 printed
    # "1662000 EUR" next to "120000.00 EUR"; grades printed "0" beside "0.00")
    assert money(Decimal("1662000"), "EUR") == "1662000.00 EUR" and money(Decimal("500"), "JPY") == "500 JPY"
    assert money(Decimal("0.125"), "EUR") == "0.125 EUR" and money(Decimal("12.5"), "KWD") == "12.500 KWD"
    invoke(grp, "opp", "create", "grp", "Whole", "--id", "o3", "--amount", "1662000")
    assert "1662000.00 EUR" in invoke(grp, "opp", "list").stdout
    grades = invoke(grp, "grades").stdout
    assert "0.00 EUR" in grades and not re.search(r"│\s+0\s+│\s+0\s+│", grades)


def test_plurals_and_articles(grp: str) -> None:
    assert (plural(1, "person", "people"), plural(2, "person", "people"), plural(0, "tie")) == (
        "1 person", "2 people", "0 ties",
    )  # fmt: skip
    assert (article("admin"), article("viewer")) == ("an admin", "a viewer")
    counts = {"companies": 1, "people": 150, "team": 1, "ties": 2, "interactions": 1, "risks": 0}
    assert counted(counts) == "1 company, 150 people, 1 team member, 2 ties, 1 interaction, 0 risks"
    created = invoke(grp, "keys", "create", "--role", "admin")
    assert "created an admin key" in created.stderr
    with pytest.raises(Forbidden, match=r"this needs an admin key .* the key given is a viewer key"):
        Scope("k", ApiRole.VIEWER).require_role(ApiRole.ADMIN)
    assert re.search(r": 1 person$", invoke(grp, "tree", "grp").stdout, re.MULTILINE)
