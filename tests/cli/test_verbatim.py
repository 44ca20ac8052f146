"""User text (ids, names, titles, notes, messages) is printed as it is by every command that prints it: never read
as rich markup (`[bold]`, `[/]`) or emoji codes (`:ghost:`, `:x:`). Control characters (ANSI escapes) are shown
escaped in caret notation (ESC as `^[`), never sent to the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accountgraph.cli import app
from tests.cli.support import env_of, invoke

ODD = "[bold]b[/] [/] :ghost: :x: \x1b[31mred\x1b[0m"
SHOWN = "[bold]b[/] [/] :ghost: :x: ^[[31mred^[[0m"  # as printed


def odd_bundle() -> dict[str, Any]:
    return {
        "companies": [
            {"id": "acct", "name": f"Acme {ODD}"},
            {"id": "sub", "name": "Sub :x:", "parent": "acct"},
        ],
        "people": [
            {"id": "[bold]ceo[/]", "name": f"Ann {ODD}", "company": "acct", "title": f"CEO {ODD}",
             "roles": ["decision_maker"], "stance": "supporter", "level": 1},
            {"id": ":ghost:", "name": "Bob :ghost:", "company": "sub", "reports_to": "[bold]ceo[/]",
             "roles": ["economic_buyer"], "level": 2},
            {"id": "eve", "name": "Eve [red]x[/red]", "company": "sub", "reports_to": ":ghost:",
             "roles": ["technical_buyer"], "stance": "opponent", "level": 3},
        ],
        "team": [{"id": "t1", "name": "Tia [i]ours[/i] :x:", "function": "account_manager"}],
        "ties": [
            {"from": "[bold]ceo[/]", "to": "t1", "type": "knows", "strength": 0.8},
            {"from": "[bold]ceo[/]", "to": ":ghost:", "type": "influences", "strength": 0.6},
            {"from": ":ghost:", "to": "eve", "type": "knows", "strength": 0.5},
        ],
        "interactions": [
            {"id": "i1", "member": "t1", "person": "[bold]ceo[/]", "kind": "meeting", "at": "2025-01-02T10:00:00Z",
             "note": ODD},
        ],
        "risks": [{"id": "r1", "company": "sub", "kind": "news", "severity": 3, "at": "2025-01-01", "summary": ODD}],
    }  # fmt: skip


@pytest.fixture
def odd(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    source = tmp_path / "odd.json"
    source.write_text(json.dumps(odd_bundle()), encoding="utf-8")
    done = invoke(url, "import", str(source))
    assert done.exit_code == 0, done.output
    return url


def printed(url: str, *args: str, code: int = 0) -> str:
    """What a command prints on a terminal wide enough that no cell wraps."""
    done = CliRunner().invoke(app, list(args), env={**env_of(url), "COLUMNS": "400"}, catch_exceptions=False)
    assert done.exit_code == code, done.output
    assert "\x1b" not in done.output  # no control character reaches the terminal
    assert "👻" not in done.output and "❌" not in done.output
    return done.output


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("rank", "acct"), [f"Ann {SHOWN}", f"CEO {SHOWN}", "[bold]ceo[/]", ":ghost:", "Bob :ghost:"]),
        (("coverage", "acct"), ["Eve [red]x[/red]", "Sub :x:"]),
        (("path", "acct", "--to", "eve"), ["Eve [red]x[/red]", "Bob :ghost:", "Tia [i]ours[/i] :x:"]),
        (("actions", "acct"), ["Eve [red]x[/red]"]),
        (("info",), [f"Acme {SHOWN}"]),
        (("tree", "acct"), [f"Acme {SHOWN}", "Sub :x:"]),
        (("risk", "acct"), ["Sub :x:"]),
        (("person", "show", "[bold]ceo[/]"), [f"Ann {SHOWN}", "[bold]ceo[/]"]),
        (("interaction", "list"), ["[bold]ceo[/]"]),
    ],
    ids=lambda v: v[0] if isinstance(v, tuple) else "",
)
def test_reports_print_user_text_verbatim(odd: str, args: tuple[str, ...], shown: list[str]) -> None:
    output = printed(odd, *args)
    for fragment in shown:
        assert fragment in output, (fragment, output)


def test_errors_print_user_text_verbatim(odd: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"ties": [{"from": ":ghost:", "to": "x1", "type": "knows"}]}), encoding="utf-8")
    assert "knows::ghost::x1" in printed(odd, "import", str(bad), code=1)
    assert "account '[bold]nope[/] :x:' not found" in printed(odd, "export", "[bold]nope[/] :x:", code=1)
    assert "'[bold]x[/]'" in printed(odd, "person", "show", "[bold]x[/]", code=1)


def test_deals_and_plans_print_user_text_verbatim(odd: str) -> None:
    created = printed(odd, "opp", "create", "acct", f"Deal {ODD}", "--id", "o1", "-m", ":ghost:::", "--owner", "t1")
    assert f"Deal {SHOWN}" in created
    shown = printed(odd, "opp", "show", "o1")
    assert f"Deal {SHOWN}" in shown and "Bob :ghost:" in shown
    printed(odd, "plan", "create", "acct", "--name", f"Plan {ODD}", "--id", "pl1")
    plan = printed(odd, "plan", "show", "pl1")
    assert f"Plan {SHOWN}" in plan
