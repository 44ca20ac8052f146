"""Helpers shared by every part of the `accountgraph` command line (no commands here).

Bad input ends with a non-zero exit (1) and a list of what is wrong, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from accountgraph import bundles
from accountgraph.errors import AccountGraphError, BundleRejected, StoreError
from accountgraph.graph.settings import open_store
from accountgraph.graph.store import GraphStore

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

StoreOption = Annotated[
    str | None,
    typer.Option("--store", envvar="ACCOUNTGRAPH_STORE", help="sqlite:///file.db or neo4j://host:7687"),
]
OnOption = Annotated[str | None, typer.Option("--on", help="the day YYYY-MM-DD (default today)")]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]


def _fail(message: str, issues: list[str] | None = None) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    for line in issues or []:
        err.print(f"  - {line}", highlight=False, markup=False)
    return typer.Exit(1)


@contextmanager
def _store(url: str | None) -> Iterator[GraphStore]:
    """The store, its notices printed; a StoreError of the block (unreachable, damaged) ends it with exit 1."""
    try:
        store = open_store(url)
    except AccountGraphError as e:
        raise _fail(str(e)) from None
    for notice in store.notices:
        err.print(f"note: {notice}", markup=False, highlight=False)
    try:
        yield store
    except StoreError as e:
        raise _fail(str(e)) from None
    finally:
        store.close()


def _guard(fn: Callable[[], T], csv_dir: bool = False) -> T:
    """Run `fn`, turning the package's errors into a clear message and exit 1."""
    try:
        return fn()
    except BundleRejected as e:
        raise _fail(
            f"refused, nothing was written: {len(e.issues)} problem(s)",
            [bundles.locate(i, csv_dir) for i in e.issues[:200]]
            + ([f"... and {len(e.issues) - 200} more"] if len(e.issues) > 200 else []),
        ) from None
    except AccountGraphError as e:
        raise _fail(str(e)) from None


def _run(fn: Callable[[], T]) -> T:
    """`_guard`, and malformed values (pydantic) reported the same way."""

    def checked() -> T:
        try:
            return fn()
        except ValidationError as e:
            raise _fail("invalid value", [f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()]) from None

    return _guard(checked)


def _date(text: str | None) -> date | None:
    """A `--on` style date, or exit 1 naming it."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"not a date (YYYY-MM-DD): {text!r}") from None


def _emit(result: BaseModel) -> None:
    """A result as indented JSON on stdout."""
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


def _print_json(data: Any) -> None:
    """Plain data as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
