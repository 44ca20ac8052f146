"""Every command's `--help` in Chinese (`ACCOUNTGRAPH_LANG=zh-CN`, or `--lang zh-CN` before the command): the
commands are read from the Typer app itself, so a new command is checked without being listed here. English stays
the default and unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from accountgraph import i18n
from accountgraph.cli import app
from accountgraph.cli.common import help_text, said_help
from tests.cli.support import run_process

_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"[\s│╭╮╰╯─]+")  # the boxes and the wrapping of rich's panels


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def _flat(text: str) -> str:
    return _SPACE.sub("", text)


def _helps(command: Any) -> list[str]:
    """Our own help texts of a command as Typer built them (English): its own and its parameters'."""
    texts = [command.help] + [getattr(p, "help", None) for p in command.params]
    return [t for t in texts if t]


def _help(args: list[str], env: dict[str, str]) -> str:
    done = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "250", **env}, catch_exceptions=False)
    assert done.exit_code == 0, (args, done.output)
    return done.output


def test_the_app_has_many_commands() -> None:
    assert len(COMMANDS) > 80  # the groups and their commands, read from the app
    assert {("rank",), ("plan", "action", "add"), ("company", "list"), ("alerts", "run")} <= {p for p, _ in COMMANDS}


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "accountgraph" for p, _ in COMMANDS])
def test_every_help_is_in_chinese_and_none_of_its_english_is_left(path: tuple[str, ...], command: Any) -> None:
    out = _help(list(path), {i18n.ENV: "zh-CN"})
    flat = _flat(out)
    assert _HAN.search(out), out
    for english in _helps(command):
        with i18n.use("zh_CN"):
            chinese = said_help(english)
        assert chinese != english or not re.search("[a-z]{3}", english), f"no translation: {english!r}"
        if _flat(english)[:40] not in _flat(chinese):  # ("YYYY-MM-DD" stays in its translation)
            assert _flat(english)[:40] not in flat, f"{' '.join(path)}: English help left: {english!r}"
    for word in ("选项", "显示此帮助信息并退出"):  # Typer's and click's own words too
        assert word in out
    assert "Show this message and exit" not in out and "Options" not in out


@pytest.mark.parametrize("path", [("rank",), ("company", "list"), ("order", "list"), ("plan", "action", "done")])
def test_help_in_english_is_unchanged_and_the_option_chooses_chinese(path: tuple[str, ...]) -> None:
    english = _help(list(path), {})
    assert not _HAN.search(english) and "Show this message and exit." in english and "Options" in english
    assert _help(["--lang", "en", *path], {i18n.ENV: "zh-CN"}) == english  # the option wins over the environment
    chinese = _help(["--lang", "zh-CN", *path], {})
    assert _HAN.search(chinese) and "Show this message and exit." not in chinese


def test_a_dynamic_help_is_said_with_its_fields() -> None:
    """A kind's commands are made from one message with the kind's noun (the glossary's word in Chinese)."""
    english = _help(["team", "list"], {})
    assert "List team member records, a page at a time, in id order." in _SPACE.sub(" ", english)
    chinese = _flat(_help(["team", "list"], {i18n.ENV: "zh-CN"}))
    with i18n.use("zh_CN"):
        noun = i18n._("our team member")
    assert f"按编号顺序分页列出{noun}记录" in chinese
    assert help_text("Show one {noun} record.", noun="x") == "Show one x record."


def test_help_in_a_real_process_in_chinese(tmp_path: Any) -> None:
    done = run_process(tmp_path, "--lang", "zh-CN", "path", "--help")
    assert done.returncode == 0, done.stderr
    assert "从我方团队到某人的最佳引荐路径" in _flat(done.stdout) and "要联系的人" in _flat(done.stdout)


def test_a_bad_language_is_still_an_error_and_help_stays_english() -> None:
    done = CliRunner().invoke(app, ["--lang", "xx-nope", "rank", "x"], catch_exceptions=False)
    assert done.exit_code == 1 and "unknown language 'xx-nope'" in done.output
    assert i18n.current() == "en"
