"""What every part of the `accountgraph` command line shares (no commands here): the options, the consoles,
opening the store, and the one way a command runs an operation and renders its result or its error.

Bad input ends with a non-zero exit (1) and a list of what is wrong, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar, get_type_hints

import typer
import typer.rich_utils
from babel.numbers import format_decimal
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from accountgraph import i18n
from accountgraph.errors import AccountGraphError, BundleRejected, NotFoundError, StoreError, said_issue
from accountgraph.graph.settings import open_store
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase, say
from accountgraph.i18n.reasons import reason
from accountgraph.ledger.models import minor_unit
from accountgraph.schema.models import BundleIssue
from accountgraph.services import records
from accountgraph.services.scope import Scope

T = TypeVar("T")
Operation = Callable[[GraphStore], T]  # what a command does with the store

StoreOption = Annotated[
    str | None,
    typer.Option("--store", envvar="ACCOUNTGRAPH_STORE", help=N_("sqlite:///file.db or neo4j://host:7687")),
]
OnOption = Annotated[str | None, typer.Option("--on", help=N_("the day YYYY-MM-DD (default today)"))]
JsonOption = Annotated[bool, typer.Option("--json", help=N_("print JSON instead of tables"))]
AccountArg = Annotated[str, typer.Argument(help=N_("the account (root company) id"))]


class _Plain(Console):
    """A console that prints text as it is: no `[markup]`, no `:emoji:` codes, no highlighting, whatever the text
    holds (ids, names, notes and messages are user data); control characters (ANSI escapes) are shown escaped,
    never obeyed (`plain`). A command styles its own fixed words with `Text` objects (`styled`)."""

    def __init__(self, stderr: bool) -> None:
        super().__init__(stderr=stderr, markup=False, emoji=False, highlight=False)

    def render_str(self, text: str, **options: Any) -> Text:
        options.update(markup=False, emoji=False, highlight=False)
        return super().render_str(plain(text), **options)


def _console(stderr: bool) -> Console:
    return _Plain(stderr)


def out() -> Console:
    """The console of results (stdout). Made at each call, so that it writes to the stream, at the width and with
    the colours of this run (a test's runner swaps sys.stdout and COLUMNS)."""
    return _console(False)


def err() -> Console:
    """The console of progress, notes and errors (stderr), made at each call like `out()`."""
    return _console(True)


def styled(word: str, style: str, rest: str) -> Text:
    """A command's own word in a style, then user text as it is (`styled("error:", "bold red", message)`)."""
    return Text.assemble((word, style), " ", plain(rest))


def plain(value: object) -> str:
    """User text without control characters (ANSI escapes and the like: ESC becomes `^[`), so that what it holds
    is shown, never obeyed by the terminal."""
    s = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: "^" + chr(ord(m.group()) ^ 0x40) if m.group() < " " else "^?", s)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def fail(message: str, issues: list[str] | None = None) -> typer.Exit:
    """Print an error (and its issues, one a line) and return the exit (1) to raise."""
    console = err()
    console.print(styled(i18n._("error:"), "bold red", message))
    for line in issues or []:
        console.print(f"  - {plain(line)}")
    return typer.Exit(1)


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 person`, `2 people`, `0 ties` (`many` defaults to `one` + s)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


_ONE = {"companies": "company", "people": "person", "team": "team member", "ties": "tie"}
_MANY = {"team": "team members"}


def counted(counts: dict[str, int]) -> str:
    """A bundle's counts in words: `1 company, 150 people, 6 team members, 1 tie, ...`; in Chinese each count after
    its name as the store's table heads it (`公司数 1、人数 150、...`)."""
    if i18n.current() != i18n.DEFAULT:
        return "、".join(f"{i18n._(name)} {i18n.number(n, 0)}" for name, n in counts.items())
    return ", ".join(
        plural(n, _ONE.get(name, name.removesuffix("s")), _MANY.get(name, name)) for name, n in counts.items()
    )


def article(word: str) -> str:
    """`a viewer`, `an admin`."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def money(amount: Decimal | str | None, currency: str | None = None) -> str:
    """An amount of money, one way everywhere: the exact decimal with its currency, written with at least the
    currency's minor unit (`1250.00 EUR`, `1662000.00 EUR` for a deal of 1662000, `500 JPY`; never rounded);
    empty when there is none. In Chinese the digits are grouped for the locale with Babel (`1,662,000.00 EUR`)."""
    if amount is None:
        return ""
    if not currency:
        return str(amount) if i18n.current() == i18n.DEFAULT else _grouped(Decimal(amount))
    value = Decimal(amount)
    if value.is_finite() and -value.as_tuple().exponent < minor_unit(currency):  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-minor_unit(currency)))  # only adds zeros
    if i18n.current() != i18n.DEFAULT:
        return f"{_grouped(value)} {currency}"
    return f"{value} {currency}"


def _grouped(value: Decimal) -> str:
    """A decimal with its digits grouped for the language of the moment, every digit kept (never rounded)."""
    if not value.is_finite():
        return str(value)
    digits = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=i18n.current(), decimal_quantization=False)


@contextmanager
def opened_store(url: str | None) -> Iterator[GraphStore]:
    """The store `--store` or `ACCOUNTGRAPH_STORE` names, closed at the end; exit 1 if it cannot be opened."""
    try:
        store = open_store(url)
    except AccountGraphError as e:
        raise fail(e.said()) from None
    for notice in store.notices:
        err().print(i18n._("note: {notice}").format(notice=notice), markup=False, highlight=False)
    try:
        yield store
    except StoreError as e:  # unreachable, damaged, out of memory: said once, exit 1
        raise fail(e.said()) from None
    finally:
        store.close()


def call(fn: Callable[[], T], *, locate: Callable[[BundleIssue], str] = str, refusals: bool = False) -> T:
    """Run `fn`, turning the package's errors, malformed values (pydantic) and files it cannot read or write into
    a clear message and exit 1; with `refusals`, a value an algorithm refuses (a plain ValueError) too. `locate`
    names where a bundle's problem is (a CSV file's line: `bundles.Document.locate`)."""
    try:
        return fn()
    except BundleRejected as e:
        raise fail(
            i18n.ngettext(
                "refused, nothing was written: {n} problem", "refused, nothing was written: {n} problems", len(e.issues)
            ).format(n=len(e.issues)),
            [locate(said_issue(i)) for i in e.issues[:200]]
            + ([i18n._("... and {n} more").format(n=len(e.issues) - 200)] if len(e.issues) > 200 else []),
        ) from None
    except AccountGraphError as e:
        raise fail(e.said()) from None
    except ValidationError as e:
        raise fail(
            i18n._("invalid value"), [f"{'.'.join(map(str, x['loc']))}: {_reason(x)}" for x in e.errors()]
        ) from None
    except ValueError as e:
        if not refusals or type(e) is not ValueError:
            raise
        raise fail(str(e)) from None
    except OSError as e:
        raise file_error(e) from None


def _reason(error: Any) -> str:
    """A pydantic error's reason in the language of the moment (in English its own message, as it was)."""
    return error["msg"] if i18n.current() == i18n.DEFAULT else say(reason(error))


def file_error(e: OSError) -> typer.Exit:
    """An input or output file that cannot be read or written (missing, a directory, not writable), named with
    the reason, as the exit (1) to raise."""
    name = e.filename if e.filename is not None else i18n._("a file")
    reason = e.strerror or type(e).__name__
    return fail(
        i18n._("cannot use {name}: {reason}").format(name=name, reason=reason)
        + (f" ({e.filename2})" if e.filename2 else "")
    )


_HELP_PHRASES: dict[str, Phrase] = {}


def help_text(message: str, /, **fields: object) -> str:
    """A help text made at import time of a marked message and fields (a record kind's noun): its English text,
    which `translated_help` says in the language of the run."""
    phrase = Phrase(message, **fields)
    _HELP_PHRASES[str(phrase)] = phrase
    return str(phrase)


def said_help(help: str | None) -> str | None:
    """A help text as Typer has it (English) in the language of the moment (a `help_text` with its fields)."""
    if not help:
        return help
    phrase = _HELP_PHRASES.get(help)
    return say(phrase) if phrase is not None else i18n._(help)


# Typer's own words in a command's help (panel titles, the marks after an option), in the language of the run
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}
_HELP_OPTION = N_("Show this message and exit.")


def _translate_help(command: Any, undo: list[tuple[Any, str, Any]]) -> None:
    """Every help text of `command` (a command or group as Typer built it) and of its subcommands (commands,
    arguments, options, `--help` itself) said in the language of the moment, in place; what it was is added to
    `undo` (Typer may keep the objects it built for the next run)."""

    def said(owner: Any, name: str, value: Any) -> None:
        undo.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    said(command, "help", said_help(command.help))
    said(command, "short_help", said_help(command.short_help))
    for param in command.params:
        if getattr(param, "help", None):
            said(param, "help", said_help(param.help))
    help_option = command.get_help_option(typer.Context(command))  # made once and kept by the command
    if help_option is not None:
        said(help_option, "help", i18n._(_HELP_OPTION))
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub, undo)


@contextmanager
def translated_help(command: Any, lang: str) -> Iterator[None]:
    """Within the block, the help of `command` (the root) and Typer's own words in `lang`, put back as they were
    at the end (Typer's words are module settings of `typer.rich_utils`); English: all as they are."""
    if lang == i18n.DEFAULT:
        yield
        return
    undo: list[tuple[Any, str, Any]] = []
    with i18n.use(lang):
        try:
            for name, words in _TYPER_WORDS.items():
                undo.append((typer.rich_utils, name, getattr(typer.rich_utils, name)))
                setattr(typer.rich_utils, name, i18n._(words))
            _translate_help(command, undo)
            yield
        finally:
            for owner, name, value in reversed(undo):
                setattr(owner, name, value)


def early_language(args: list[str]) -> str:
    """The language of a run, read before Typer parses anything (so that `--help` is in it): the global
    `--lang X` / `--lang=X` before the command, else `ACCOUNTGRAPH_LANG`; English when neither names one we
    have (the `--lang` callback then reports a bad one)."""
    tag = os.environ.get(i18n.ENV)
    for n, arg in enumerate(args):
        if arg == "--lang" and n + 1 < len(args):
            tag = args[n + 1]
            break
        if arg.startswith("--lang="):
            tag = arg.removeprefix("--lang=")
            break
        if not arg.startswith("-"):
            break  # the command: what follows is its own
    try:
        return i18n.language(tag)
    except ValueError:
        return i18n.DEFAULT


class Commands(TyperGroup):
    """The root group: a file a command could not read or write (an `OSError` that escaped `call`) ends as
    `file_error` does, never as a traceback. The language `--lang` chooses lasts as long as the run (`i18n.use`), so
    a run in-process (a test's) leaves the caller's as it was; the help of every command is in the language of the
    run (`early_language`, `translated_help`)."""

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        with translated_help(self, early_language(argv)):
            return super().main(args, *rest, **options)

    def invoke(self, ctx: Any) -> Any:  # a typer.Context
        try:
            with i18n.use(i18n.current()):
                return super().invoke(ctx)
        except OSError as e:
            raise file_error(e) from None


def run(
    store: str | None,
    operation: Callable[[GraphStore], T],
    show: Callable[[T], object],
    as_json: bool = False,
    *,
    data: Callable[[T], Any] | None = None,
    busy: str | None = None,
    refusals: bool = False,
) -> None:
    """The one way a command runs: open the store, run `operation` on it (errors reported as `call` does), then
    render the result: `show(result)`, or with `--json` the result model's JSON, or `data(result)` as JSON.
    `busy`: a spinner with this message on a terminal's stderr while it runs."""
    console = err()
    spinner = console.status(busy) if busy and console.is_terminal else contextlib.nullcontext()
    with opened_store(store) as s, spinner:
        result = call(lambda: operation(s), refusals=refusals)
    if not as_json:
        call(lambda: show(result))
    elif data is not None:
        print_json(data(result))
    else:
        assert isinstance(result, BaseModel)
        emit(result)


def renders(
    show: Callable[[T], object],
    *,
    json_option: bool = True,
    data: Callable[[T], Any] | None = None,
    busy: str | None = None,
    refusals: bool = False,
) -> Callable[[Callable[..., Operation[T]]], Callable[..., None]]:
    """Make a command of `declare`: a function of the command's own arguments and options that returns what to do
    with the store (an `Operation`). The command takes those, then `--json` (unless `json_option=False`) and
    `--store`, and `run`s the operation: its result rendered by `show`, or as JSON (by `data` if given), its errors
    reported as `call` reports them. Typer reads the command's parameters from its `__signature__`: `declare`'s,
    with those two after."""

    def decorate(declare: Callable[..., Operation[T]]) -> Callable[..., None]:
        hints = get_type_hints(declare, include_extras=True)
        own = [p.replace(annotation=hints[p.name]) for p in inspect.signature(declare).parameters.values()]
        added: list[tuple[str, Any, Any]] = [("as_json", JsonOption, False)] if json_option else []
        added.append(("store", StoreOption, None))
        parameters = [
            *own,
            *(inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d in added),
        ]

        def command(*, as_json: bool = False, store: str | None = None, **options: Any) -> None:
            run(store, declare(**options), show, as_json, data=data, busy=busy, refusals=refusals)

        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters}
        command.__doc__, command.__module__ = declare.__doc__, declare.__module__
        command.__name__, command.__qualname__ = declare.__name__, declare.__qualname__
        return command

    return decorate


@dataclass
class Named(Generic[T]):
    """A result with the names of the records it refers to by id (people, our team members, companies)."""

    value: T
    names: dict[str, str]

    def of(self, id: str | None) -> str:
        """`Name (id)` of a record the result names, its id when it has no name, empty for none."""
        if id is None:
            return ""
        name = self.names.get(id)
        return f"{name} ({id})" if name else id


def names_of(store: GraphStore, ids: Iterable[str | None]) -> dict[str, str]:
    """The names of the people, team members and companies among `ids` (the others left out)."""
    names: dict[str, str] = {}
    for id in {i for i in ids if i}:
        for kind in ("person", "team", "company"):
            try:
                names[id] = records.get_record(store, Scope.operator(), kind, id).name
                break
            except NotFoundError:
                continue
    return names


def renders_named(
    show: Callable[[Named[T]], object],
    ids: Callable[[T], Iterable[str | None]],
    *,
    data: Callable[[T], Any] | None = None,
    busy: str | None = None,
) -> Callable[[Callable[..., Operation[T]]], Callable[..., None]]:
    """`renders` for a result that refers to records by id: `show` gets it with their names (`Named`); JSON
    stays the result's own (`data`, or its model's fields)."""

    def decorate(declare: Callable[..., Operation[T]]) -> Callable[..., None]:
        @functools.wraps(declare)
        def declare_named(*args: Any, **options: Any) -> Operation[Named[T]]:
            operation = declare(*args, **options)

            def run_named(s: GraphStore) -> Named[T]:
                value = operation(s)
                return Named(value, names_of(s, ids(value)))

            return run_named

        def json_of(n: Named[T]) -> Any:
            if data is not None:
                return data(n.value)
            assert isinstance(n.value, BaseModel)
            return n.value.model_dump(mode="json")

        return renders(show, data=json_of, busy=busy)(declare_named)

    return decorate


def parse_date(text: str | None) -> date | None:
    """A `--on` style date, or exit 1 naming it."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(i18n._("not a date (YYYY-MM-DD): {text}").format(text=repr(text))) from None


def emit(result: BaseModel) -> None:
    """A result as indented JSON on stdout."""
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


def print_json(data: Any) -> None:
    """Plain data as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def text(value: object) -> Text:
    """User data as plain text (never read as rich markup, control characters shown as `^[`)."""
    return Text(plain(value))


def table(title: str, columns: Iterable[tuple[str, str]], rows: Iterable[Iterable[object]]) -> Table:
    """A left-titled table of `columns` (name, justify) whose cells are plain text."""
    result = Table(title=text(title), title_justify="left")
    for name, justify in columns:
        result.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        result.add_row(*(text(v) for v in row))
    return result


def grid(title: str, columns: Iterable[str], rows: Iterable[Iterable[object]]) -> Table:
    """A table of `columns` whose cells are plain text."""
    result = Table(title=text(title))
    for name in columns:
        result.add_column(name)
    for row in rows:
        result.add_row(*(text(v) for v in row))
    return result
