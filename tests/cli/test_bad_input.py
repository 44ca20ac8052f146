"""Every command of the app, run with a family of bad arguments, ends with a message and a non-zero exit, never
a traceback (the runner does not catch exceptions: one that escapes fails the test loudly)."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.core import TyperArgument, TyperGroup

from accountgraph.cli import app
from tests.cli.support import invoke

SKIPPED = {
    "serve": "starts a server that runs until stopped",
    "demo": "seeds the demo account and may serve it (its bad paths are those of `view`)",
}
# commands that take any text as what they create, so an odd id or name is a good one (exit 0 allowed)
CREATES = {"generate", "schema", "keys create", "keys list", "info", "accounts", "product list", "quote list",
           "contract list", "order list", "invoice list", "payments", "grades", "cash", "opp list", "plan list",
           "company list", "person list", "team list", "interaction list", "risk-event list", "tie list",
           "product add", "backup", "check", "portfolio keys", "portfolio value", "portfolio risk",
           "portfolio attention", "portfolio kpis", "find", "alerts dead", "alerts deliver", "alerts list",
           "alerts rules", "alerts run", "alerts subscriptions", "changes"}  # fmt: skip
# (a backup to any new file name is a good one; checking a sound store succeeds; a portfolio and the alerts' lists,
# evaluation and delivery need no argument, nor the change log of everything (`changes` with no account);
# any text is a good thing to look for, even when no one matches)

FAMILIES = {
    "unknown": "nobody-at-all",
    "markup": "[bold]x[/]",
    "emoji": ":ghost:",
    "empty": "",
    "bad date": "2025-13-45",
    "bad number": "twelve",
    "missing file": "/no/such/dir/in.json",
    "unwritable": "/no/such/dir/out.html",
}
FILES = ("missing file", "unwritable")


def commands(
    group: TyperGroup, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], typer.core.TyperCommand]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, TyperGroup):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command  # type: ignore[misc]


def value_for(param: object, family: str) -> str:
    """The bad value of `family` for a parameter, kept of the parameter's type where the family is not about it;
    with a bad file, the account is a real one, so that the file is what is wrong."""
    if family in ("missing file", "unwritable") and getattr(param, "name", "") == "account":
        return "grp"
    kind = param.type_descriptor.annotation  # type: ignore[attr-defined]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return str(next(iter(kind)).value)
    if kind in (int, float):
        return "twelve" if family == "bad number" else "1"
    if kind is datetime.datetime:
        return "2025-13-45" if family == "bad date" else "2025-01-01"
    return FAMILIES[family]


def is_file(param: object) -> bool:
    return param.type_descriptor.annotation is Path  # type: ignore[attr-defined, no-any-return]


def arguments(command: object, family: str) -> list[str]:
    """The command's arguments and options of `family`; with a bad file, only the required ones and the files."""
    files = family in FILES
    args: list[str] = []
    for param in getattr(command, "params", []):
        wanted = param.required or (is_file(param) if files else family != "unknown")
        if isinstance(param, TyperArgument):
            if wanted:
                args.append(value_for(param, family))
        elif not getattr(param, "is_flag", False) and not getattr(param, "count", False):
            if param.name == "store" or not wanted or (getattr(param, "multiple", False) and not param.required):
                continue
            args += [param.opts[0], value_for(param, family)]
    return args


ALL = [(path, command) for path, command in commands(typer.main.get_command(app)) if " ".join(path) not in SKIPPED]  # type: ignore[arg-type]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_command_refuses_bad_input_with_a_message(
    tmp_path: Path, bundle_file: Path, family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert invoke(url, "import", str(bundle_file)).exit_code == 0
    assert len(ALL) > 80
    wrong = []
    for n, (path, command) in enumerate(ALL):
        args = [*path, *arguments(command, family)]
        (tmp_path / str(n)).mkdir()
        monkeypatch.chdir(tmp_path / str(n))  # what a command writes by a relative name is not another's input
        try:
            done = invoke(url, *args)  # the runner lets every exception escape
        except Exception as e:  # each one is listed, and fails the test
            wrong.append(f"{args}: {type(e).__name__}: {e}")
            continue
        name = " ".join(path)
        if "Traceback" in done.output:
            wrong.append(f"{args}: a traceback")
        elif done.exit_code == 0 and name not in CREATES and (family not in FILES or any(map(is_file, command.params))):
            wrong.append(f"{args}: exit 0")
        elif done.exit_code != 0 and not done.stderr.strip():
            wrong.append(f"{args}: exit {done.exit_code} without a message")
    assert not wrong, "\n".join(wrong)


def test_a_file_that_cannot_be_written_or_read_is_named(tmp_path: Path, bundle_file: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert invoke(url, "import", str(bundle_file)).exit_code == 0
    missing = tmp_path / "missing-dir"
    for args in (
        ("view", "grp", "--out", str(missing / "x.html")),
        ("export", "grp", "--out", str(missing / "x.json")),
        ("export", "grp", "-f", "graphml", "--out", str(missing / "x.graphml")),
        ("generate", "--people", "5", "--out", str(missing / "g.json")),
        ("person", "put", str(missing / "p.json")),
        ("view", "grp", "--out", str(tmp_path)),  # a directory
    ):
        done = invoke(url, *args)
        assert done.exit_code == 1 and "Traceback" not in done.output, args
        assert done.stderr.startswith("error: cannot use ") and args[-1] in done.stderr, done.stderr


def test_a_person_given_as_one_of_ours_is_refused(tmp_path: Path, bundle_file: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert invoke(url, "import", str(bundle_file)).exit_code == 0
    done = invoke(url, "path", "grp", "--to", "eng", "--from", "gm")
    assert done.exit_code == 1 and "'gm' is a person of the account" in done.stderr
